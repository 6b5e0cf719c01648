// The object key layout: prefix + folder + file_name + extension. Every rule that could
// make two objects of a run share a key (and so overwrite each other's data) is checked
// in create(), before anything is written; render() then cannot fail.
#pragma once

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "s3dest/core/hex.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/layout/chunk_key_pattern.hpp"
#include "s3dest/layout/template.hpp"

namespace s3dest {

enum class PartitionBy { day, month };             // the config's "partition_by"
enum class Partitioning { none, day, month };      // what the layout actually splits rows by

struct LayoutOptions {
  std::string folder;     // e.g. "/{{workspace_id}}/{{data_source}}/{{YYYY}}/{{MM}}/{{DD}}"
  std::string file_name;  // e.g. "{{filename}}-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}"
  std::string extension;  // ".csv", ".csv.gz", ".json", ".json.gz", ".parquet", ".avro"
  std::string prefix;     // from --dest s3://bucket/prefix, may be empty
  PartitionBy partition_by = PartitionBy::day;
  bool load_by_account = false;
  bool has_size_cap = false;                   // max_file_size_mb given
  std::map<std::string, std::string> context;  // config "context" + --set
  int64_t run_start_micros = 0;                // UTC, or --now: *_today, H, M, S, timestamp
  std::string worker;                          // --worker: letters, digits, '-', '_'
  std::string run_id;                          // {{run_id}}: unique per run
  // A layout made only to recognise keys (could_render, fixed_prefix), of any run and
  // worker: {{worker}} and {{run_id}} need no value.
  bool matching_only = false;
};

// What varies between the objects of one run.
struct KeyParts {
  // Days since the epoch of the partition (any day of the month for month partitions), in
  // years 0001-9999; required when partitioning() != none.
  std::optional<int32_t> record_day;
  std::string_view account;  // used when uses_account()
  uint32_t chunk_id = 1;     // rendered as 5 digits: 00001 (at most kMaxChunkId)
  std::string_view uuid;     // used when uses(TemplateVar::uuid): random per object
};

// S3 takes keys of at most this many bytes (UTF-8).
inline constexpr size_t kMaxKeyBytes = 1024;

// The days a record date may take: years 0001 to 9999, so {{YYYY}} has four digits.
inline constexpr int32_t kFirstRecordDay = -719162;  // 0001-01-01
inline constexpr int32_t kLastRecordDay = 2932896;   // 9999-12-31

class KeyLayout {
 public:
  // Refuses (usage, exit 2) any layout that is malformed or could render one key twice.
  static Result<KeyLayout> create(LayoutOptions options);

  Partitioning partitioning() const { return partitioning_; }
  bool uses_account() const { return uses(TemplateVar::account); }
  bool uses_chunk_id() const { return uses(TemplateVar::chunk_id); }
  bool uses(TemplateVar var) const { return folder_.uses(var) || file_name_.uses(var); }

  // Replaces `key` with prefix/folder/file_name+extension, a leading '/' dropped and
  // "//" folded. Values from context and account are made safe (see append_key_value).
  void render(const KeyParts& parts, std::string& key) const;

  // Replaces `out` with `value` rendered with the values the key of the object `parts`
  // names gets, as they are: nothing made safe for a key (the context and account as
  // given). For texts that go with the object (its tags and metadata); `value` must use
  // only variables that have a value here (see run_value, partitioning, uses_account).
  // Each variable's value goes in through `append_value`: as it is, or made safe for where
  // the text goes (a tag's value takes fewer characters than a key).
  using AppendValue = void (*)(std::string& out, std::string_view value);
  static void append_as_is(std::string& out, std::string_view value) { out.append(value); }
  void render_value(const Template& value, const KeyParts& parts, std::string& out,
                    AppendValue append_value = append_as_is) const;
  // The value of a variable that stays the same for the whole run (context, run start,
  // worker, run id), as given; empty where the run gives it none.
  std::string_view run_value(TemplateVar var) const { return plain_run_values_[static_cast<size_t>(var)]; }

  // The keys of one partition's chunks (`parts` without its chunk id).
  ChunkKeyPattern chunk_key_pattern(const KeyParts& parts) const;

  // What is wrong with the longest key this layout renders for `account` (any partition,
  // chunk and uuid): longer than kMaxKeyBytes, or a name between slashes longer than
  // `max_name_bytes`; nothing when it fits.
  std::optional<std::string> key_size_problem(std::string_view account, size_t max_name_bytes) const;
  // Accounts whose safe form (append_key_value) has at most this many bytes always fit.
  size_t account_bytes_that_always_fit(size_t max_name_bytes) const;

  // Every key this layout renders is new in each run ({{run_id}} or {{uuid}}): no earlier
  // run can have written it, so there is nothing to look for.
  bool keys_unique_to_run() const { return uses(TemplateVar::run_id) || uses(TemplateVar::uuid); }

  // Could this layout have rendered `key`, in some run, for some partition? Values that
  // change between runs or objects (dates, account, chunk id, worker, run id, uuid) match
  // any value of their shape; the context's values only themselves. Tells s3dest's
  // objects (and uploads and temporary files) from anyone else's.
  bool could_render(std::string_view key) const;
  // prefix + the folder up to its first variable that varies per object or per run,
  // cut back to a whole segment: "" or text ending in '/'. The health check writes its
  // test object there.
  std::string fixed_prefix() const;

 private:
  KeyLayout() = default;
  void render_with_chunk_text(const KeyParts& parts, std::string_view chunk, std::string& key) const;
  // Sets run_values_ and plain_run_values_ from the run's options.
  void set_run_values(const LayoutOptions& options);
  // Sets `values` for the object `parts` names, from `run_values` and its parts (not the
  // account); the views point into `run_values`, `parts`, `chunk` and `digits`.
  void object_values(const KeyParts& parts, std::string_view chunk,
                     const std::array<std::string, kTemplateVarCount>& run_values, std::string& digits,
                     TemplateValues& values) const;

  Template folder_;
  Template file_name_;
  std::string extension_;
  std::string prefix_;
  Partitioning partitioning_ = Partitioning::none;
  // Values that stay the same for the whole run: context (already made safe) and the run
  // start. Strings, not views, so a moved KeyLayout stays valid.
  std::array<std::string, kTemplateVarCount> run_values_;
  std::array<std::string, kTemplateVarCount> plain_run_values_;  // the same, context as given
};

// Appends `value` so that it stays inside one path segment of a key: '/', '\\', '%' and
// control characters become %XX, and a value of "." or ".." becomes %2E / %2E%2E.
void append_key_value(std::string& out, std::string_view value);
// How many bytes append_key_value appends for `value`.
size_t key_value_size(std::string_view value);

// What a layout of `folder` and `file_name` splits rows by: the one rule, for KeyLayout and
// for the config's checks made before a layout exists.
Partitioning partitioning_of(const Template& folder, const Template& file_name, PartitionBy partition_by);

// What gives a value to the variables of a text that goes with each object of a run (a
// tag's or metadata value, rendered with KeyLayout::render_value).
struct ObjectTextVariables {
  Partitioning partitioning = Partitioning::none;  // {{YYYY}}, {{MM}}, {{DD}}
  bool account = false;                            // {{account}}
  // False while the config is read, before --set, --worker and the run id are known:
  // only the rules the config alone decides (dates, account) are checked then.
  bool run_known = false;
  const std::map<std::string, std::string>* context = nullptr;  // when run_known
  bool worker = false;                                          // when run_known
  bool run_id = false;                                          // when run_known
};
// The variables `layout`'s objects give a value, with the run's `context`.
ObjectTextVariables object_text_variables(const KeyLayout& layout, const std::map<std::string, std::string>& context);
// Refuses (usage, exit 2) `var` in `field` ("tags.day") when `given` gives it no value:
// "{{DD}} in tags.day has no value with ...".
Status check_object_text_variable(const ObjectTextVariables& given, const std::string& field, TemplateVar var);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

inline bool is_key_escaped_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F || c == '/' || c == '\\' || c == '%';
}

inline bool is_key_safe_value(std::string_view value) {
  if (value == "." || value == "..") return false;
  for (char c : value) {
    if (is_key_escaped_char(c)) return false;
  }
  return true;
}

// Could append_key_value have written `text`? Bytes it escapes appear only as %XX (upper
// case hex), so a key with a control character is no key of s3dest's.
inline bool is_key_value_as_written(std::string_view text) {
  const auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
  if (text.empty() || text == "." || text == "..") return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!is_key_escaped_char(text[i])) continue;
    if (text[i] != '%' || i + 2 >= text.size() || !hex(text[i + 1]) || !hex(text[i + 2])) return false;
    i += 2;
  }
  return true;
}

// Drops leading '/' and folds runs of '/' to one, in place.
inline void fold_key_slashes(std::string& key) {
  size_t out = 0;
  for (size_t in = 0; in < key.size(); ++in) {
    const char c = key[in];
    if (c == '/' && (out == 0 || key[out - 1] == '/')) continue;
    key[out++] = c;
  }
  key.resize(out);
}

// Where a layout uses a variable, for messages: "folder (column 12)".
inline std::string layout_use(const Template& folder, const Template& file_name, TemplateVar var) {
  const bool in_folder = folder.uses(var);
  const Template& where = in_folder ? folder : file_name;
  return std::string(in_folder ? "folder" : "file_name") + " (column " +
         std::to_string(where.column_of(var)) + ")";
}

inline std::string var_ref(TemplateVar var) {
  return "{{" + std::string(template_var_name(var)) + "}}";
}

inline Status check_file_name(const Template& file_name) {
  const std::string& text = file_name.text();
  if (text.find_first_not_of("/ \t") == std::string::npos) {
    return usage_error(
        "file_name \"" + text +
        "\" renders no name; give each object a name, e.g. "
        "\"{{filename}}-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}\"");
  }
  return {};
}

// "." and ".." as folder names would climb out of the destination in a local folder and
// make keys that tools treat unlike S3 does: refuse them in the template's own text.
inline Status check_dot_segments(const Template& t, const std::string& field) {
  const std::string& text = t.text();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('/', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view segment(text.data() + start, end - start);
    if (segment == "." || segment == "..")
      return usage_error(field + " \"" + text + "\" has a \"" + std::string(segment) +
                         "\" folder: remove it; keys are plain names below the bucket");
    start = end + 1;
  }
  return {};
}

// A layout that splits by date must tell every partition apart, or partitions overwrite
// each other.
inline Status check_date_variables(const Template& folder, const Template& file_name,
                                   PartitionBy partition_by) {
  const auto uses = [&](TemplateVar v) { return folder.uses(v) || file_name.uses(v); };
  const bool y = uses(TemplateVar::YYYY), m = uses(TemplateVar::MM), d = uses(TemplateVar::DD);
  if (!y && !m && !d) return {};
  if (partition_by == PartitionBy::month) {
    if (d) {
      return usage_error("{{DD}} in " + layout_use(folder, file_name, TemplateVar::DD) +
                         " needs daily partitions, but partition_by is \"month\"; remove "
                         "{{DD}} or set \"partition_by\": \"day\"");
    }
    if (y != m) {
      const TemplateVar missing = y ? TemplateVar::MM : TemplateVar::YYYY;
      return usage_error("partition_by is \"month\" but the layout has no " + var_ref(missing) +
                         ": two months would render the same key and overwrite each other; "
                         "add " + var_ref(missing) + " to folder or file_name");
    }
    return {};
  }
  if (y && m && d) return {};
  std::string missing;
  for (TemplateVar v : {TemplateVar::YYYY, TemplateVar::MM, TemplateVar::DD}) {
    if (uses(v)) continue;
    if (!missing.empty()) missing += " and ";
    missing += var_ref(v);
  }
  std::string message = "partition_by is \"day\" but the layout has no " + missing +
                        ": two days would render the same key and overwrite each other; add " +
                        missing + " to folder or file_name";
  if (y && m) message += ", or set \"partition_by\": \"month\"";
  return usage_error(std::move(message));
}

inline Status check_account(const Template& folder, const Template& file_name, bool load_by_account) {
  const bool uses = folder.uses(TemplateVar::account) || file_name.uses(TemplateVar::account);
  if (uses && !load_by_account) {
    return usage_error("{{account}} in " + layout_use(folder, file_name, TemplateVar::account) +
                       " needs \"use_load_by_account\": true; set it or remove {{account}}");
  }
  if (!uses && load_by_account) {
    return usage_error(
        "\"use_load_by_account\" is true but neither folder nor file_name has {{account}}: two "
        "accounts would render the same key and overwrite each other; add {{account}} to "
        "folder or file_name");
  }
  return {};
}

inline Status check_chunk_id(const Template& file_name, bool has_size_cap) {
  if (has_size_cap && !file_name.uses(TemplateVar::chunk_id)) {
    return usage_error(
        "\"max_file_size_mb\" is set but file_name has no {{chunk_id}}: the chunks of one "
        "partition would render the same key and overwrite each other; add {{chunk_id}} to "
        "file_name");
  }
  return {};
}

// Control characters would make keys no tool shows faithfully (and a key is one line).
inline Status check_control_characters(const Template& t, const std::string& field) {
  const std::string& text = t.text();
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F)
      return usage_error(field + ", column " + std::to_string(template_column(text, i)) +
                         ": a control character (byte " + std::to_string(c) +
                         ") is not allowed in a key: remove it");
  }
  return {};
}

// Several writers of one dataset must each render their own keys.
inline Status check_worker(const Template& folder, const Template& file_name, const std::string& worker,
                           bool matching_only) {
  const bool uses_worker = folder.uses(TemplateVar::worker) || file_name.uses(TemplateVar::worker);
  const bool uses_uuid = folder.uses(TemplateVar::uuid) || file_name.uses(TemplateVar::uuid);
  if (uses_worker && worker.empty() && !matching_only)
    return usage_error("{{worker}} in " + layout_use(folder, file_name, TemplateVar::worker) +
                       " has no value: pass --worker ID, a name of its own for each process that loads "
                       "part of the dataset");
  if (!worker.empty() && !uses_worker && !uses_uuid)
    return usage_error("--worker is given, but neither folder nor file_name has {{worker}} (or {{uuid}}): the "
                       "workers would render the same keys and overwrite each other's objects; add {{worker}} "
                       "to file_name, e.g. \"{{filename}}-{{worker}}-{{chunk_id}}\"");
  for (const char c : worker)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return usage_error("--worker \"" + worker + "\": use letters, digits, '-' and '_' only");
  return {};
}

inline Status check_context(const Template& folder, const Template& file_name,
                            const std::map<std::string, std::string>& context) {
  for (size_t i = 0; i < kTemplateVarCount; ++i) {
    const auto var = static_cast<TemplateVar>(i);
    if (!is_context_var(var) || !(folder.uses(var) || file_name.uses(var))) continue;
    const auto found = context.find(std::string(template_var_name(var)));
    // An empty value would drop a path segment and change the key's shape, so it counts
    // as not given.
    if (found != context.end() && !found->second.empty()) continue;
    const std::string name(template_var_name(var));
    return usage_error(var_ref(var) + " in " + layout_use(folder, file_name, var) +
                       " has no value; add \"" + name + "\" to the config's \"context\" or pass --set " +
                       name + "=VALUE");
  }
  return {};
}

// A whole key's shape, for could_render(): literal text, or a value that varies.
struct KeyShapePiece {
  std::string literal;
  std::optional<TemplateVar> variable;
};

// Does `value` look like a value of `var` (one that varies between runs or objects)?
inline bool has_value_shape(TemplateVar var, std::string_view value) {
  const auto digits = [&value](size_t n) {
    return value.size() == n && value.find_first_not_of("0123456789") == std::string_view::npos;
  };
  switch (var) {
    case TemplateVar::YYYY:
    case TemplateVar::YYYY_today: return digits(4);
    case TemplateVar::MM:
    case TemplateVar::DD:
    case TemplateVar::MM_today:
    case TemplateVar::DD_today:
    case TemplateVar::H:
    case TemplateVar::M:
    case TemplateVar::S: return digits(2);
    case TemplateVar::chunk_id: return digits(static_cast<size_t>(kChunkIdDigits)) && value != "00000";
    case TemplateVar::timestamp:
      if (!value.empty() && value.front() == '-') value.remove_prefix(1);
      return !value.empty() && digits(value.size());
    case TemplateVar::run_id: return is_run_id(value);
    case TemplateVar::uuid:
      if (value.size() != 36) return false;
      for (size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
      }
      return true;
    case TemplateVar::worker:
      return !value.empty() && value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                       "0123456789-_") == std::string_view::npos;
    default:  // account: a value as append_key_value writes it, its escaped bytes as %XX
      return is_key_value_as_written(value);
  }
}

inline bool matches_key_shape(const std::vector<KeyShapePiece>& shape, size_t at, std::string_view key) {
  if (at == shape.size()) return key.empty();
  const KeyShapePiece& piece = shape[at];
  if (!piece.variable) {
    return key.compare(0, piece.literal.size(), piece.literal) == 0 &&
           matches_key_shape(shape, at + 1, key.substr(piece.literal.size()));
  }
  // Values are never empty and never hold '/': try each length up to the next '/'.
  const size_t most = std::min(key.find('/'), key.size());
  for (size_t n = 1; n <= most; ++n)
    if (has_value_shape(*piece.variable, key.substr(0, n)) && matches_key_shape(shape, at + 1, key.substr(n)))
      return true;
  return false;
}

}  // namespace detail

inline void append_key_value(std::string& out, std::string_view value) {
  if (value == "." || value == "..") {
    for (size_t i = 0; i < value.size(); ++i) out += "%2E";
    return;
  }
  for (char c : value) {
    if (!detail::is_key_escaped_char(c)) {
      out.push_back(c);
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    out.push_back('%');
    append_hex_digits(out, u, 2, HexCase::upper);
  }
}

inline size_t key_value_size(std::string_view value) {
  if (value == "." || value == "..") return value.size() * 3;
  size_t n = value.size();
  for (const char c : value) n += detail::is_key_escaped_char(c) ? 2 : 0;
  return n;
}

inline Result<KeyLayout> KeyLayout::create(LayoutOptions options) {
  S3DEST_ASSIGN_OR_RETURN(Template folder, Template::parse("folder", options.folder));
  S3DEST_ASSIGN_OR_RETURN(Template file_name, Template::parse("file_name", options.file_name));
  S3DEST_TRY(detail::check_file_name(file_name));
  S3DEST_TRY(detail::check_dot_segments(folder, "folder"));
  S3DEST_TRY(detail::check_dot_segments(file_name, "file_name"));
  S3DEST_TRY(detail::check_date_variables(folder, file_name, options.partition_by));
  S3DEST_TRY(detail::check_account(folder, file_name, options.load_by_account));
  S3DEST_TRY(detail::check_chunk_id(file_name, options.has_size_cap));
  S3DEST_TRY(detail::check_context(folder, file_name, options.context));
  S3DEST_TRY(detail::check_control_characters(folder, "folder"));
  for (const char c : options.prefix)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      return usage_error("the --dest prefix holds a control character: remove it");
  for (size_t start = 0; start <= options.prefix.size();) {
    const size_t end = std::min(options.prefix.find('/', start), options.prefix.size());
    const std::string_view segment = std::string_view(options.prefix).substr(start, end - start);
    if (segment == "." || segment == "..")
      return usage_error("the --dest prefix \"" + options.prefix + "\" has a \"" + std::string(segment) +
                         "\" folder: give the prefix without it (S3 keys are plain names, and \"..\" would "
                         "name another prefix or bucket)");
    start = end + 1;
  }
  S3DEST_TRY(detail::check_control_characters(file_name, "file_name"));
  S3DEST_TRY(detail::check_worker(folder, file_name, options.worker, options.matching_only));
  if ((folder.uses(TemplateVar::run_id) || file_name.uses(TemplateVar::run_id)) && options.run_id.empty() &&
      !options.matching_only)
    return usage_error("{{run_id}} is used but the run has no id: set LayoutOptions::run_id");

  KeyLayout layout;
  layout.folder_ = std::move(folder);
  layout.file_name_ = std::move(file_name);
  layout.extension_ = std::move(options.extension);
  layout.prefix_ = std::move(options.prefix);
  layout.partitioning_ = partitioning_of(layout.folder_, layout.file_name_, options.partition_by);
  layout.set_run_values(options);
  return layout;
}

inline void KeyLayout::set_run_values(const LayoutOptions& options) {
  auto& values = run_values_;
  for (const auto& [name, value] : options.context) {
    const std::optional<TemplateVar> var = template_var_from_name(name);
    if (var && is_context_var(*var)) append_key_value(values[static_cast<size_t>(*var)], value);
  }
  const CivilDateTime now = civil_from_micros(options.run_start_micros);
  const auto set_fixed = [&](TemplateVar var, int64_t number, int width) {
    append_zero_padded(values[static_cast<size_t>(var)], number, width);
  };
  set_fixed(TemplateVar::YYYY_today, now.date.year, 4);
  set_fixed(TemplateVar::MM_today, now.date.month, 2);
  set_fixed(TemplateVar::DD_today, now.date.day, 2);
  set_fixed(TemplateVar::H, now.hour, 2);
  set_fixed(TemplateVar::M, now.minute, 2);
  set_fixed(TemplateVar::S, now.second, 2);
  append_int(values[static_cast<size_t>(TemplateVar::timestamp)],
             floor_div(options.run_start_micros, kMicrosPerSecond));
  values[static_cast<size_t>(TemplateVar::worker)] = options.worker;
  values[static_cast<size_t>(TemplateVar::run_id)] = options.run_id;
  plain_run_values_ = values;
  for (const auto& [name, value] : options.context) {
    const std::optional<TemplateVar> var = template_var_from_name(name);
    if (var && is_context_var(*var)) plain_run_values_[static_cast<size_t>(*var)] = value;
  }
}

inline Partitioning partitioning_of(const Template& folder, const Template& file_name, PartitionBy partition_by) {
  for (const TemplateVar var : {TemplateVar::YYYY, TemplateVar::MM, TemplateVar::DD})
    if (folder.uses(var) || file_name.uses(var))
      return partition_by == PartitionBy::day ? Partitioning::day : Partitioning::month;
  return Partitioning::none;
}

inline ObjectTextVariables object_text_variables(const KeyLayout& layout,
                                                 const std::map<std::string, std::string>& context) {
  ObjectTextVariables given;
  given.partitioning = layout.partitioning();
  given.account = layout.uses_account();
  given.run_known = true;
  given.context = &context;
  given.worker = !layout.run_value(TemplateVar::worker).empty();
  given.run_id = !layout.run_value(TemplateVar::run_id).empty();
  return given;
}

inline Status check_object_text_variable(const ObjectTextVariables& given, const std::string& field,
                                         TemplateVar var) {
  const std::string name(template_var_name(var));
  const std::string ref = "{{" + name + "}} in " + field;
  const bool date = var == TemplateVar::YYYY || var == TemplateVar::MM || var == TemplateVar::DD;
  if (date && given.partitioning == Partitioning::none)
    return usage_error(ref + " is the date of the rows' partition, but the layout does not split rows by date "
                             "(folder and file_name have no {{YYYY}}, {{MM}} or {{DD}}): use {{" + name +
                       "_today}}, the run's date, or partition the layout");
  if (var == TemplateVar::DD && given.partitioning == Partitioning::month)
    return usage_error(ref + " has no value with \"partition_by\": \"month\": remove it, or use {{DD_today}}");
  if (var == TemplateVar::account && !given.account)
    return usage_error(ref + " needs \"use_load_by_account\": true: set it or remove {{account}}");
  if (!given.run_known) return {};
  if (is_context_var(var) && (!given.context || given.context->count(name) == 0))
    return usage_error(ref + " has no value; add \"" + name + "\" to the config's \"context\" or pass --set " + name +
                       "=VALUE");
  if (var == TemplateVar::worker && !given.worker)
    return usage_error(ref + " has no value: pass --worker ID (with {{worker}} or {{uuid}} in the layout)");
  if (var == TemplateVar::run_id && !given.run_id)
    return usage_error(ref + " is used but the run has no id: set LayoutOptions::run_id");
  return {};
}

inline void KeyLayout::render(const KeyParts& parts, std::string& key) const {
  std::string chunk;
  assert(parts.chunk_id >= 1 && parts.chunk_id <= kMaxChunkId);
  append_chunk_id(chunk, parts.chunk_id);
  render_with_chunk_text(parts, chunk, key);
}

inline void KeyLayout::object_values(const KeyParts& parts, std::string_view chunk,
                                     const std::array<std::string, kTemplateVarCount>& run_values, std::string& digits,
                                     TemplateValues& values) const {
  for (size_t i = 0; i < kTemplateVarCount; ++i) values.set(static_cast<TemplateVar>(i), run_values[i]);

  // Per-object numbers go into small strings (no allocation with small-string storage);
  // views are taken only once a string has stopped growing.
  digits.clear();
  size_t month_at = 0, day_at = 0, chunk_at = 0;
  if (partitioning_ != Partitioning::none) {
    assert(parts.record_day && "KeyParts::record_day is required when the layout partitions");
    assert(*parts.record_day >= kFirstRecordDay && *parts.record_day <= kLastRecordDay);
    const CivilDate date = civil_from_days(parts.record_day.value_or(0));
    append_zero_padded(digits, date.year, 4);
    month_at = digits.size();
    append_zero_padded(digits, date.month, 2);
    day_at = digits.size();
    append_zero_padded(digits, date.day, 2);
    chunk_at = digits.size();
    const std::string_view view(digits);
    values.set(TemplateVar::YYYY, view.substr(0, month_at));
    values.set(TemplateVar::MM, view.substr(month_at, day_at - month_at));
    values.set(TemplateVar::DD, view.substr(day_at, chunk_at - day_at));
  }
  values.set(TemplateVar::chunk_id, chunk);
  values.set(TemplateVar::uuid, parts.uuid);
}

inline void KeyLayout::render_with_chunk_text(const KeyParts& parts, std::string_view chunk, std::string& key) const {
  TemplateValues values;
  std::string digits;
  object_values(parts, chunk, run_values_, digits, values);
  assert(!uses(TemplateVar::uuid) || !parts.uuid.empty());

  // Accounts come from the data, so they are made safe here; most need no change.
  std::string safe_account;
  if (uses_account()) {
    if (detail::is_key_safe_value(parts.account)) {
      values.set(TemplateVar::account, parts.account);
    } else {
      append_key_value(safe_account, parts.account);
      values.set(TemplateVar::account, safe_account);
    }
  }

  key.clear();
  key.append(prefix_);
  key.push_back('/');
  folder_.append_to(key, values);
  key.push_back('/');
  file_name_.append_to(key, values);
  key.append(extension_);
  detail::fold_key_slashes(key);
}

inline void KeyLayout::render_value(const Template& value, const KeyParts& parts, std::string& out,
                                     AppendValue append_value) const {
  TemplateValues values;
  std::string digits, chunk;
  append_chunk_id(chunk, parts.chunk_id);
  object_values(parts, chunk, plain_run_values_, digits, values);
  values.set(TemplateVar::account, parts.account);
  out.clear();
  for (const Template::Piece& piece : value.pieces()) {
    if (piece.variable) append_value(out, values.get(*piece.variable));
    else out.append(piece.literal);
  }
}

inline ChunkKeyPattern KeyLayout::chunk_key_pattern(const KeyParts& parts) const {
  // Templates hold no control character, values have theirs escaped: \x01 marks the holes.
  std::string key;
  render_with_chunk_text(parts, "\x01", key);
  std::vector<std::string> pieces(1);
  for (const char c : key) {
    if (c == '\x01') pieces.emplace_back();
    else pieces.back().push_back(c);
  }
  return ChunkKeyPattern(std::move(pieces));
}

inline std::optional<std::string> KeyLayout::key_size_problem(std::string_view account, size_t max_name_bytes) const {
  KeyParts parts;
  parts.record_day = 0;
  parts.account = account;
  parts.chunk_id = kMaxChunkId;
  parts.uuid = "00000000-0000-4000-8000-000000000000";
  std::string key;
  render(parts, key);
  if (key.size() > kMaxKeyBytes)
    return "the key would be " + std::to_string(key.size()) + " bytes long, past the " +
           std::to_string(kMaxKeyBytes) + " S3 takes";
  for (size_t start = 0; start < key.size();) {
    const size_t end = std::min(key.find('/', start), key.size());
    if (end - start > max_name_bytes)
      return "a name in the key would be " + std::to_string(end - start) + " bytes long, past the " +
             std::to_string(max_name_bytes) + " a local folder takes";
    start = end + 1;
  }
  return std::nullopt;
}

inline size_t KeyLayout::account_bytes_that_always_fit(size_t max_name_bytes) const {
  if (!uses_account()) return SIZE_MAX;
  size_t uses = 0;
  for (const Template* t : {&folder_, &file_name_})
    for (const Template::Piece& piece : t->pieces()) uses += piece.variable == TemplateVar::account ? 1 : 0;
  // With a one-byte account: how much room the key and its longest name leave.
  KeyParts parts;
  parts.record_day = 0;
  parts.account = "a";
  parts.chunk_id = kMaxChunkId;
  parts.uuid = "00000000-0000-4000-8000-000000000000";
  std::string key;
  render(parts, key);
  size_t longest = 0;
  for (size_t start = 0; start < key.size();) {
    const size_t end = std::min(key.find('/', start), key.size());
    longest = std::max(longest, end - start);
    start = end + 1;
  }
  if (key.size() > kMaxKeyBytes || longest > max_name_bytes) return 0;
  const size_t by_key = (kMaxKeyBytes - key.size()) / uses + 1;
  const size_t by_name = max_name_bytes == SIZE_MAX ? SIZE_MAX : (max_name_bytes - longest) / uses + 1;
  return std::min(by_key, by_name);
}

inline bool KeyLayout::could_render(std::string_view key) const {
  std::vector<detail::KeyShapePiece> shape;
  const auto add_literal = [&shape](std::string_view text) {
    if (shape.empty() || shape.back().variable) shape.emplace_back();
    shape.back().literal.append(text);
  };
  const auto add = [&](const Template& t) {
    for (const Template::Piece& piece : t.pieces()) {
      if (!piece.variable) add_literal(piece.literal);
      else if (is_context_var(*piece.variable)) add_literal(run_values_[static_cast<size_t>(*piece.variable)]);
      else shape.push_back({std::string(), piece.variable});
    }
  };
  add_literal(prefix_);
  add_literal("/");
  add(folder_);
  add_literal("/");
  add(file_name_);
  add_literal(extension_);
  // Fold "//" as render() does; a variable is never empty, so no run crosses one.
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i].variable) continue;
    const bool leading = i == 0;
    std::string folded = leading ? std::string() : std::string(shape[i].literal.rfind('/', 0) == 0 ? "/" : "");
    detail::fold_key_slashes(shape[i].literal);
    shape[i].literal = folded + shape[i].literal;
  }
  return detail::matches_key_shape(shape, 0, key);
}

inline std::string KeyLayout::fixed_prefix() const {
  std::string out = prefix_;
  out.push_back('/');
  bool whole_folder = true;
  for (const Template::Piece& piece : folder_.pieces()) {
    if (!piece.variable) {
      out.append(piece.literal);
    } else if (is_context_var(*piece.variable)) {
      out.append(run_values_[static_cast<size_t>(*piece.variable)]);
    } else {
      whole_folder = false;
      break;
    }
  }
  if (whole_folder) out.push_back('/');
  detail::fold_key_slashes(out);
  const size_t last_slash = out.rfind('/');
  out.resize(last_slash == std::string::npos ? 0 : last_slash + 1);
  return out;
}

}  // namespace s3dest
