#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "s3dest/core/object_properties.hpp"
#include "s3dest/core/settings_file.hpp"
#include "s3dest/core/text.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/memory_budget.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/layout/template.hpp"
#include "s3dest/s3/object_property_headers.hpp"

namespace s3dest {
namespace detail {

template <class Enum>
struct NamedValue {
  std::string_view name;
  Enum value;
};

inline constexpr NamedValue<ConnectionOption> kConnectionOptions[] = {
    {"access_key", ConnectionOption::access_key},
    {"shared_access", ConnectionOption::shared_access},
    {"assume_role", ConnectionOption::assume_role}};
inline constexpr NamedValue<Encryption> kEncryptions[] = {{"sse-s3", Encryption::sse_s3},
                                                          {"sse-kms", Encryption::sse_kms},
                                                          {"sse-kms-cmk", Encryption::sse_kms_cmk},
                                                          {"none", Encryption::none}};
inline constexpr NamedValue<char> kSeparators[] = {{"comma", ','}, {"semicolon", ';'}, {"tab", '\t'}};
inline constexpr NamedValue<PartitionBy> kPartitionBys[] = {{"day", PartitionBy::day},
                                                            {"month", PartitionBy::month}};
inline constexpr NamedValue<ChecksumAlgorithm> kChecksums[] = {{"crc32c", ChecksumAlgorithm::crc32c},
                                                               {"crc32", ChecksumAlgorithm::crc32},
                                                               {"md5", ChecksumAlgorithm::md5},
                                                               {"none", ChecksumAlgorithm::none}};

inline constexpr NamedValue<ParquetOptions::Compression> kParquetCompressions[] = {
    {"snappy", ParquetOptions::Compression::snappy},
    {"gzip", ParquetOptions::Compression::gzip},
    {"zstd", ParquetOptions::Compression::zstd},
    {"none", ParquetOptions::Compression::none}};
inline constexpr NamedValue<AvroOptions::Codec> kAvroCodecs[] = {{"deflate", AvroOptions::Codec::deflate},
                                                                 {"zstandard", AvroOptions::Codec::zstandard},
                                                                 {"null", AvroOptions::Codec::null}};

inline constexpr NamedValue<ExistingObjects> kExistingObjects[] = {{"replace", ExistingObjects::replace},
                                                                    {"keep", ExistingObjects::keep}};

// The lines (from 1) where `key` is written as an object key `depth` objects and lists
// deep in `json` (1: the config's own keys); none if it is written with escapes.
inline std::vector<size_t> lines_of_key(std::string_view json, std::string_view key, int depth) {
  std::vector<size_t> lines;
  size_t line = 1;
  int level = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '\n') ++line;
    else if (c == '{' || c == '[') ++level;
    else if (c == '}' || c == ']') --level;
    if (c != '"') continue;
    const size_t start = i + 1;
    size_t end = start;
    while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
    size_t after = end + 1;
    while (after < json.size() && (json[after] == ' ' || json[after] == '\t' || json[after] == '\r' || json[after] == '\n'))
      ++after;
    if (level == depth && after < json.size() && json[after] == ':' && json.substr(start, end - start) == key)
      lines.push_back(line);
    for (size_t j = start; j < end && j < json.size(); ++j) line += json[j] == '\n' ? 1 : 0;
    i = end;
  }
  return lines;
}

// Reads config values into their fields, with messages that name the file and key.
class ConfigReader {
 public:
  // `json`: the config's text, for the lines of a key given twice.
  ConfigReader(const std::string& file, std::string_view json) : file_(file), json_(json) {}

  const std::string& file() const { return file_; }

  Status error(std::string_view key, const std::string& what) const {
    return usage_error(file_ + ": \"" + std::string(key) + "\": " + what);
  }

  // A key given twice in one object `depth` deep (1: the config's own keys): JSON readers
  // disagree on which one counts (here the last would silently win), so it is refused,
  // with both lines.
  Status given_twice(std::string_view key, int depth) const {
    const std::vector<size_t> lines = lines_of_key(json_, key, depth);
    const std::string where = lines.size() >= 2
                                  ? " (lines " + std::to_string(lines[0]) + " and " + std::to_string(lines[1]) + ")"
                                  : "";
    return usage_error(file_ + ": \"" + std::string(key) + "\" is given twice" + where +
                       ": keep one of them (which one counts would depend on the reader)");
  }

  Status read_string(std::string_view key, simdjson::dom::element value, std::string& out) const {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return error(key, "must be a string");
    // "\u0000" is valid JSON, but a NUL would cut every message and name that shows it.
    if (text.find('\0') != std::string_view::npos) return error(key, "holds a NUL character (\\u0000): remove it");
    out = std::string(text);
    return {};
  }
  Status read_bool(std::string_view key, simdjson::dom::element value, bool& out) const {
    if (value.get_bool().get(out) != simdjson::SUCCESS) return error(key, "must be true or false");
    return {};
  }
  Status read_number(std::string_view key, simdjson::dom::element value, double min, double max,
                     double& out) const {
    if (value.get_double().get(out) != simdjson::SUCCESS || !std::isfinite(out) || out < min || out > max) {
      std::ostringstream range;
      range << "must be a number from " << min << " to " << max;
      return error(key, range.str());
    }
    return {};
  }
  Status read_int(std::string_view key, simdjson::dom::element value, int64_t min, int64_t max,
                  int& out) const {
    int64_t v = 0;
    if (value.get_int64().get(v) != simdjson::SUCCESS || v < min || v > max)
      return error(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    out = static_cast<int>(v);
    return {};
  }
  // One of `names`' names: any table of {name, value} entries (NamedValue, FormatEntry).
  template <class Named, size_t N, class Enum>
  Status read_enum(std::string_view key, simdjson::dom::element value, const Named (&names)[N], Enum& out) const {
    std::string text;
    S3DEST_TRY(read_string(key, value, text));
    std::vector<std::string_view> choices;
    for (const auto& n : names) {
      if (n.name == text) {
        out = n.value;
        return {};
      }
      choices.push_back(n.name);
    }
    return error(key, "\"" + text + "\" is not one of " + join_alternatives(choices));
  }

 private:
  const std::string& file_;
  std::string_view json_;
};

// One config key: its name, and how its value is read into the Config. Numbers carry
// their range.
struct ConfigKey {
  std::string_view name;
  Status (*read)(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c);
  double min = 0, max = 0;
};

// The readers of the usual kinds of value, for a Config field given as a member pointer.
template <auto Field>
Status text_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  return r.read_string(key.name, value, c.*Field);
}
template <auto Field>
Status flag_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  return r.read_bool(key.name, value, c.*Field);
}
template <auto Field>
Status whole_number(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  return r.read_int(key.name, value, static_cast<int64_t>(key.min), static_cast<int64_t>(key.max), c.*Field);
}
template <auto Field>
Status number_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  double number = 0;
  S3DEST_TRY(r.read_number(key.name, value, key.min, key.max, number));
  c.*Field = number;
  return {};
}
template <auto Field, const auto& Names>
Status one_of(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  return r.read_enum(key.name, value, Names, c.*Field);
}

inline Status date_format_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  S3DEST_TRY(r.read_string(key.name, value, c.date_format));
  if (const auto problem = check_time_format(c.date_format))
    return r.error(key.name, "\"" + c.date_format + "\" " + *problem);
  return {};
}

inline Status epoch_unit_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  std::string unit;
  S3DEST_TRY(r.read_string(key.name, value, unit));
  const auto parsed = parse_epoch_unit(unit);
  if (!parsed) return r.error(key.name, "\"" + unit + "\" is not one of s, ms, us or ns");
  c.date_field_unit = *parsed;
  return {};
}

inline Status role_chain_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  simdjson::dom::array hops;
  if (value.get_array().get(hops) != simdjson::SUCCESS)
    return r.error(key.name, "must be a list of {\"role_arn\": ..., \"external_id\": ...}");
  for (const auto hop_value : hops) {
    simdjson::dom::object hop_object;
    if (hop_value.get_object().get(hop_object) != simdjson::SUCCESS)
      return r.error(key.name, "each hop must be an object {\"role_arn\": ..., \"external_id\": ...}");
    RoleHop hop;
    std::vector<std::string_view> hop_keys;
    for (const auto hop_field : hop_object) {
      if (std::find(hop_keys.begin(), hop_keys.end(), hop_field.key) != hop_keys.end())
        return r.given_twice(hop_field.key, 3);
      hop_keys.push_back(hop_field.key);
      if (hop_field.key == "role_arn") S3DEST_TRY(r.read_string("role_chain.role_arn", hop_field.value, hop.role_arn));
      else if (hop_field.key == "external_id") S3DEST_TRY(r.read_string("role_chain.external_id", hop_field.value, hop.external_id));
      else return r.error(key.name, "unknown key \"" + std::string(hop_field.key) + "\" in a hop: use role_arn and external_id");
    }
    if (hop.role_arn.empty()) return r.error(key.name, "each hop needs a \"role_arn\"");
    c.role_chain.push_back(std::move(hop));
  }
  return {};
}

inline Status context_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  simdjson::dom::object context;
  if (value.get_object().get(context) != simdjson::SUCCESS)
    return r.error(key.name, "must be an object of template values, e.g. {\"data_source\": \"ds1\"}");
  for (const auto entry : context) {
    if (c.context.count(std::string(entry.key)) > 0) return r.given_twice(entry.key, 2);
    std::string text;
    S3DEST_TRY(r.read_string("context." + std::string(entry.key), entry.value, text));
    c.context[std::string(entry.key)] = std::move(text);
  }
  return {};
}

// S3's storage classes, in the order messages list them. Other upper-case names pass, for
// S3-compatible servers with classes of their own.
inline constexpr std::string_view kStorageClasses[] = {"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                                                       "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE", "REDUCED_REDUNDANCY"};
inline constexpr std::string_view kCannedAcls[] = {"none", "private", "public-read", "public-read-write",
                                                   "authenticated-read", "aws-exec-read", "bucket-owner-read",
                                                   "bucket-owner-full-control"};

inline Status storage_class_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value,
                                  Config& c) {
  S3DEST_TRY(r.read_string(key.name, value, c.storage_class));
  bool upper_word = true;
  for (const char ch : c.storage_class)
    upper_word = upper_word && ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_');
  if (upper_word) return {};  // "" is the bucket's default
  std::vector<std::string_view> names(std::begin(kStorageClasses), std::end(kStorageClasses));
  return r.error(key.name, "\"" + printable(c.storage_class, 64) + "\" is not a storage class: use one of " +
                               join_alternatives(names) +
                               " (or another upper-case name, A-Z, 0-9 and '_', that your S3-compatible server has)");
}

inline Status canned_acl_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  std::string acl;
  S3DEST_TRY(r.read_string(key.name, value, acl));
  std::vector<std::string_view> names(std::begin(kCannedAcls), std::end(kCannedAcls));
  if (std::find(names.begin(), names.end(), acl) == names.end())
    return r.error(key.name, "\"" + printable(acl, 64) + "\" is not one of " + join_alternatives(names));
  c.canned_acl = acl == "none" ? "" : acl;
  return {};
}

// The template of a tag's or metadata value, with the file's name on its errors.
inline Result<Template> object_option_template(const ConfigReader& r, const std::string& field,
                                               const std::string& text) {
  auto parsed = Template::parse(field, text);
  if (!parsed.ok()) return parsed.status().prefixed(r.file() + ": ");
  return parsed;
}

// The literal text of a template (what no variable gives).
inline std::string literal_text(const Template& t) {
  std::string text;
  for (const Template::Piece& piece : t.pieces())
    if (!piece.variable) text += piece.literal;
  return text;
}

// A JSON object of names to template texts, each name once, in the file's order.
inline Status read_name_templates(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value,
                                  std::vector<std::pair<std::string, std::string>>& out, const char* example) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS)
    return r.error(key.name, std::string("must be an object of names to values, e.g. ") + example);
  for (const auto entry : object) {
    for (const auto& given : out)
      if (given.first == entry.key) return r.given_twice(entry.key, 2);
    std::string text;
    S3DEST_TRY(r.read_string(std::string(key.name) + "." + std::string(entry.key), entry.value, text));
    out.emplace_back(std::string(entry.key), std::move(text));
  }
  return {};
}

inline Status check_tag(const ConfigReader& r, const std::string& name, const std::string& text) {
  const std::string field = "tags." + name;
  const char* allowed = "letters, digits, spaces and + - = . _ : / @";
  if (name.empty() || utf8_length(name) > kMaxTagKeyChars)
    return r.error(field, "a tag's name has 1 to " + std::to_string(kMaxTagKeyChars) + " characters: shorten it");
  if (!is_tag_text(name)) return r.error(field, std::string("a tag's name may hold ") + allowed + " only: rename it");
  if (to_lower_ascii(name.substr(0, 4)) == "aws:")
    return r.error(field, "names that begin with \"aws:\" are AWS's own: rename the tag");
  S3DEST_ASSIGN_OR_RETURN(const Template value, object_option_template(r, field, text));
  const std::string literal = literal_text(value);
  if (!is_tag_text(literal))
    return r.error(field, std::string("a tag's value may hold ") + allowed +
                              " only: change the text (a character a variable brings in becomes '_')");
  if (utf8_length(literal) > kMaxTagValueChars)
    return r.error(field, "a tag's value has at most " + std::to_string(kMaxTagValueChars) + " characters: shorten it");
  return {};
}

inline Status tags_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  S3DEST_TRY(read_name_templates(key, r, value, c.tags, R"({"dataset": "{{data_source}}"})"));
  if (c.tags.size() > kMaxObjectTags)
    return r.error(key.name, "S3 takes at most " + std::to_string(kMaxObjectTags) + " tags per object, not " +
                                 std::to_string(c.tags.size()) + ": drop some (metadata has room for more)");
  for (const auto& [name, text] : c.tags) S3DEST_TRY(check_tag(r, name, text));
  return {};
}

inline Status metadata_value(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  S3DEST_TRY(read_name_templates(key, r, value, c.metadata, R"({"team": "data"})"));
  std::vector<std::pair<std::string, std::string>> sent;  // lower-case names, literal values
  for (const auto& [name, text] : c.metadata) {
    const std::string field = "metadata." + name;
    if (!is_metadata_name(name))
      return r.error(field, "a metadata name is sent as the header x-amz-meta-NAME, so it may hold letters, digits "
                            "and !#$%&'*+-.^_`|~ only: rename it");
    const std::string lower = to_lower_ascii(name);
    if (lower == kRunMetadataName)
      return r.error(field, "s3dest puts the run's id under this name itself: use another name");
    for (const auto& other : sent)
      if (other.first == lower)
        return r.error(field, "names differ only in case, but S3 stores them in lower case: keep one");
    S3DEST_ASSIGN_OR_RETURN(const Template parsed, object_option_template(r, field, text));
    const std::string literal = literal_text(parsed);
    if (!is_metadata_value_text(literal))
      return r.error(field, "a metadata value is sent as a header, so it may hold printable ASCII only (no control "
                            "characters, no letters beyond ASCII): change the text, or use a tag");
    sent.emplace_back(lower, literal);
  }
  if (user_metadata_bytes(sent) > kMaxUserMetadataBytes)
    return r.error(key.name, "S3 takes at most " + std::to_string(kMaxUserMetadataBytes) +
                                 " bytes of metadata names and values per object (s3dest's own " +
                                 std::to_string(kRunMetadataBytes) + " included): shorten them");
  return {};
}

template <auto Field>
Status header_text(const ConfigKey& key, const ConfigReader& r, simdjson::dom::element value, Config& c) {
  S3DEST_TRY(r.read_string(key.name, value, c.*Field));
  if (!http::is_header_value_text(c.*Field))
    return r.error(key.name, "is sent as a header, so it may not hold control characters: remove them");
  return {};
}

// Every key of the config, once. "Did you mean" breaks ties by this order.
inline constexpr ConfigKey kConfigKeys[] = {
    {"title", text_value<&Config::title>},
    {"connection_option", one_of<&Config::connection_option, kConnectionOptions>},
    {"access_key_id", text_value<&Config::access_key_id>},
    {"secret_access_key", text_value<&Config::secret_access_key>},
    {"session_token", text_value<&Config::session_token>},
    {"assume_role_arn", text_value<&Config::assume_role_arn>},
    {"external_id", text_value<&Config::external_id>},
    {"role_chain", role_chain_value},
    {"role_session_name", text_value<&Config::role_session_name>},
    {"region", text_value<&Config::region>},
    {"endpoint", text_value<&Config::endpoint>},
    {"sts_endpoint", text_value<&Config::sts_endpoint>},
    {"path_style", flag_value<&Config::path_style>},
    {"bucket", text_value<&Config::bucket>},
    {"folder", text_value<&Config::folder>},
    {"file_format", one_of<&Config::file_format, kFormatRegistry>},
    {"file_name", text_value<&Config::file_name>},
    // The smallest cap still holds a header and a few rows; S3's own limit is 5 TiB.
    {"max_file_size_mb", number_value<&Config::max_file_size_mb>, 0.001, 5 * 1024 * 1024},
    {"separator", one_of<&Config::separator, kSeparators>},
    {"partition_by", one_of<&Config::partition_by, kPartitionBys>},
    {"encryption", one_of<&Config::encryption, kEncryptions>},
    {"encryption_key", text_value<&Config::encryption_key>},
    {"use_load_by_account", flag_value<&Config::use_load_by_account>},
    {"use_binary_strings", flag_value<&Config::use_binary_strings>},
    {"date_field", text_value<&Config::date_field>},
    {"date_format", date_format_value},
    {"date_field_unit", epoch_unit_value},
    {"account_field", text_value<&Config::account_field>},
    {"context", context_value},
    {"storage_class", storage_class_value},
    {"canned_acl", canned_acl_value},
    {"tags", tags_value},
    {"metadata", metadata_value},
    {"content_type", header_text<&Config::content_type>},
    {"content_encoding", header_text<&Config::content_encoding>},
    {"gzip_level", whole_number<&Config::gzip_level>, 1, 9},
    // zstd's "ultra" levels 20-22 are left out: their windows (32 to 128 MiB) are past the
    // 8 MiB RFC 8878 asks every decoder to support (level 19's window), so some readers
    // would refuse the files; and their memory per open file is more than a load should hold.
    {"zstd_level", whole_number<&Config::zstd_level>, 1, kMaxZstdLevel},
    {"parquet_compression", one_of<&Config::parquet_compression, kParquetCompressions>},
    {"avro_codec", one_of<&Config::avro_codec, kAvroCodecs>},
    {"part_size_mb", number_value<&Config::part_size_mb>, 5, 5120},
    {"concurrency", whole_number<&Config::concurrency>, 1, 64},
    {"checksum", one_of<&Config::checksum, kChecksums>},
    {"max_attempts", whole_number<&Config::max_attempts>, 1, 20},
    {"idle_timeout_seconds", whole_number<&Config::idle_timeout_seconds>, 1, 3600},
    {"memory_limit_mb", number_value<&Config::memory_limit_mb>, 16, 1 << 20},
    {"existing_objects", one_of<&Config::existing_objects, kExistingObjects>},
    {"allow_http", flag_value<&Config::allow_http>},
};

inline const ConfigKey* find_config_key(std::string_view name) {
  for (const ConfigKey& key : kConfigKeys)
    if (key.name == name) return &key;
  return nullptr;
}

inline Status unknown_config_key(const ConfigReader& r, std::string_view name) {
  std::vector<std::string_view> names;
  for (const ConfigKey& key : kConfigKeys) names.push_back(key.name);
  return r.error(name, "unknown key: did you mean \"" + nearest_name(name, names) + "\"?");
}

// Variables in tags and metadata take the values the object's key gets: what the config
// alone decides (dates, account) is checked here, before any input is read; ObjectOptions
// checks the rest (context, worker, run id) with the same rule once the run is known.
inline Status check_object_option_variables(const Config& c, const ConfigReader& r) {
  const auto folder = Template::parse("folder", c.folder);
  const auto file_name = Template::parse("file_name", c.file_name);
  if (!folder.ok() || !file_name.ok()) return {};  // KeyLayout tells what is wrong there
  ObjectTextVariables given;
  given.partitioning = partitioning_of(*folder, *file_name, c.partition_by);
  given.account = c.use_load_by_account;
  for (const auto* options : {&c.tags, &c.metadata}) {
    for (const auto& [name, text] : *options) {
      const std::string field = (options == &c.tags ? "tags." : "metadata.") + name;
      const auto value = Template::parse(field, text);
      if (!value.ok()) continue;  // refused when read
      for (size_t i = 0; i < kTemplateVarCount; ++i) {
        if (!value->uses(static_cast<TemplateVar>(i))) continue;
        const Status status = check_object_text_variable(given, field, static_cast<TemplateVar>(i));
        if (!status.ok()) return status.prefixed(r.file() + ": ");
      }
    }
  }
  return {};
}

// The config's own text of the tags and metadata already has to fit within the headers'
// budget, before variables add to it (ObjectOptions checks what they add).
inline Status check_object_option_header_bytes(const Config& c, const ConfigReader& r) {
  std::vector<std::pair<std::string, std::string>> tags, metadata;
  for (const auto* options : {&c.tags, &c.metadata}) {
    for (const auto& [name, text] : *options) {
      const auto value = Template::parse(name, text);
      if (!value.ok()) continue;  // refused when read
      if (options == &c.tags) tags.emplace_back(name, literal_text(*value));
      else metadata.emplace_back(to_lower_ascii(name), literal_text(*value));
    }
  }
  const size_t bytes = s3::tag_and_metadata_header_bytes(tags, metadata);
  if (bytes <= s3::kMaxTagAndMetadataHeaderBytes) return {};
  return usage_error(r.file() + ": \"tags\" and \"metadata\" take " + std::to_string(bytes) +
                     " bytes of request headers (tags URI-encoded, each byte beyond ASCII as 3; s3dest's own "
                     "metadata included), past the " + std::to_string(s3::kMaxTagAndMetadataHeaderBytes) +
                     " s3dest allows them within S3's 8 KB: shorten the tags or the metadata");
}

// Content-Encoding says how a client may unpack the bytes: only "gzip" for the gzip
// formats and "zstd" for the zstd formats is true of what s3dest writes.
inline Status check_content_encoding(const Config& c, const ConfigReader& r) {
  if (c.content_encoding.empty()) return {};
  const FormatEntry& format = format_entry(c.file_format);
  if (format.content_encoding.empty())
    return r.error("content_encoding", "\"" + std::string(format.name) + "\" files are not compressed for HTTP: "
                                       "remove \"content_encoding\" (it is \"gzip\" for the +gzip formats, \"zstd\" for the "
                                       "+zstd ones, and nothing else)");
  if (c.content_encoding != format.content_encoding)
    return r.error("content_encoding", "\"" + c.content_encoding + "\": \"" + std::string(format.name) + "\" files are " +
                                           std::string(format.content_encoding) + " files: use \"" +
                                           std::string(format.content_encoding) + "\" or leave the key out");
  return {};
}

// The config key that makes the files zstd, if any: file_format, parquet_compression or
// avro_codec.
inline const char* zstd_key(const Config& c) {
  if (format_entry(c.file_format).content_encoding == "zstd") return "file_format";
  if (c.file_format == FileFormat::parquet && c.parquet_compression == ParquetOptions::Compression::zstd)
    return "parquet_compression";
  if (c.file_format == FileFormat::avro && c.avro_codec == AvroOptions::Codec::zstandard) return "avro_codec";
  return nullptr;
}

// The zstd names, where s3dest is built without libzstd: refused, saying how to get them.
// With libzstd: a level's context (its window and match tables) is held by every open
// file, and at least one file is open, so it must fit in what memory_limit_mb gives one
// open file (MemoryBudget::one_open_file_bytes), with the 1 MiB a file costs anyway. On
// one thread: the text formats give a file workers only where they fit too.
inline Status check_zstd(const Config& c, const ConfigReader& r) {
  const char* key = zstd_key(c);
  if (key == nullptr) return {};
  if (!kZstdAvailable) {
    const std::string_view name = key == std::string_view("file_format") ? format_entry(c.file_format).name
                                  : key == std::string_view("avro_codec") ? "zstandard"
                                                                          : "zstd";
    return r.error(key, "\"" + std::string(name) + "\" " + kZstdMissing);
  }
#if S3DEST_HAVE_ZSTD
  const uint64_t per_file = MemoryBudget(c.memory_limit_mb).one_open_file_bytes();
  const auto needs = [](int level) { return ZstdCompressor::stream_memory(ZstdOptions{level, 0}) + (uint64_t{1} << 20); };
  const uint64_t need = needs(c.zstd_level);
  if (need <= per_file) return {};
  int fitting = 0;
  for (int level = c.zstd_level - 1; level >= 1 && fitting == 0; --level)
    if (needs(level) <= per_file) fitting = level;
  const auto mib = [](uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20); };
  return r.error("zstd_level", std::to_string(c.zstd_level) + " holds " + mib(need) + " MiB per open file, more than "
                 "memory_limit_mb " + mib(MemoryBudget(c.memory_limit_mb).total_bytes()) +
                 " gives one (an eighth, " + mib(per_file) + " MiB): raise memory_limit_mb to " + mib(need * 8) +
                 (fitting > 0 ? " or use zstd_level " + std::to_string(fitting) + " or lower" : ""));
#else
  return {};
#endif
}

inline Status check_config(const Config& c, const ConfigReader& r) {
  if (c.folder.empty() && c.file_name.empty())
    return r.error("file_name", "is missing: give at least a file name template, e.g. \"{{filename}}-{{chunk_id}}\"");
  if (c.file_name.empty())
    return r.error("file_name", "is missing: give a file name template, e.g. \"{{filename}}-{{chunk_id}}\"");
  if (c.encryption == Encryption::sse_kms_cmk && c.encryption_key.empty())
    return r.error("encryption_key", "is missing: \"sse-kms-cmk\" needs the KMS key's ARN or id");
  if (c.encryption != Encryption::sse_kms_cmk && !c.encryption_key.empty())
    return r.error("encryption_key", "is only used with \"encryption\": \"sse-kms-cmk\": remove it or change encryption");
  if (c.connection_option == ConnectionOption::assume_role && c.assume_role_arn.empty())
    return r.error("assume_role_arn", "is missing: \"assume_role\" needs the ARN of the role to assume");
  if (c.use_load_by_account && c.account_field.empty())
    return r.error("account_field", "is missing: \"use_load_by_account\" needs the name of the column that holds the account");
  if ((!c.date_format.empty() || c.date_field_unit != EpochUnit::none) && c.date_field.empty())
    return r.error(c.date_format.empty() ? "date_field_unit" : "date_format", "says how the date field is spelled: set \"date_field\" too");
  if (!c.date_format.empty() && c.date_field_unit != EpochUnit::none)
    return r.error("date_field_unit", "is for a date field that is a number since 1970; \"date_format\" for one that is text: keep one");
  if (c.access_key_id.empty() != c.secret_access_key.empty())
    return r.error(c.access_key_id.empty() ? "access_key_id" : "secret_access_key",
                   "is missing: access keys come in pairs (access_key_id and secret_access_key)");
  if (c.checksum == ChecksumAlgorithm::md5 && !kMd5Available)
    return r.error("checksum", "\"md5\" needs OpenSSL, which this tool is built without: use \"crc32c\", "
                               "\"crc32\" or \"none\" (or s3dest load)");
  S3DEST_TRY(check_zstd(c, r));
  S3DEST_TRY(check_content_encoding(c, r));
  S3DEST_TRY(check_object_option_variables(c, r));
  S3DEST_TRY(check_object_option_header_bytes(c, r));
  return {};
}

}  // namespace detail

inline uint64_t Config::max_file_bytes() const {
  if (!max_file_size_mb) return UINT64_MAX;
  return static_cast<uint64_t>(*max_file_size_mb * 1024 * 1024);
}

inline FormatSettings format_settings(const Config& config) {
  FormatSettings settings;
  settings.separator = config.separator;
  settings.gzip_level = config.gzip_level;
  settings.zstd_level = config.zstd_level;
  settings.parquet_compression = config.parquet_compression;
  settings.avro_codec = config.avro_codec;
  settings.binary_strings = config.use_binary_strings;
  // One row group must fit in what open files may hold back.
  settings.held_data_bytes = MemoryBudget(config.memory_limit_mb).held_row_groups_bytes();
  settings.one_file_bytes = MemoryBudget(config.memory_limit_mb).one_open_file_bytes();
  return settings;
}

inline Result<Config> parse_config(std::string_view json, const std::string& name) {
  using namespace detail;
  if (const size_t nul = json.find('\0'); nul != std::string_view::npos)
    return usage_error(name + ", line " + std::to_string(1 + std::count(json.begin(), json.begin() + nul, '\n')) +
                       ": a NUL byte: the config is JSON text; save it as UTF-8 (not UTF-16)");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto err = parser.parse(simdjson::padded_string(json)).get(root); err != simdjson::SUCCESS)
    return usage_error(name + ": not valid JSON (" + std::string(simdjson::error_message(err)) +
                       "): the config is one JSON object");
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS)
    return usage_error(name + ": the config must be a JSON object of the destination's settings");

  Config c;
  const ConfigReader r(name, json);
  std::vector<std::string_view> seen;
  for (const auto field : object) {
    if (std::find(seen.begin(), seen.end(), field.key) != seen.end()) return r.given_twice(field.key, 1);
    seen.push_back(field.key);
    const ConfigKey* key = find_config_key(field.key);
    if (key == nullptr) return unknown_config_key(r, field.key);
    S3DEST_TRY(key->read(*key, r, field.value, c));
  }
  S3DEST_TRY(check_config(c, r));
  return c;
}

inline Result<std::optional<std::string>> plain_http_warning(const Config& config) {
  std::string remote;
  for (const auto& [key, url] : {std::pair<const char*, const std::string*>{"endpoint", &config.endpoint},
                                 {"sts_endpoint", &config.sts_endpoint}}) {
    if (url->empty()) continue;
    const auto parts = split_url(*url);
    if (!parts.ok()) return parts.status().prefixed("\"" + std::string(key) + "\": ");
    if (parts->scheme != "http" || is_loopback_host(parts->host())) continue;
    if (!config.allow_http)
      return usage_error("\"" + std::string(key) + "\" " + *url +
                         " is plain http to another machine: credentials, session tokens and data would cross the "
                         "network unencrypted; use https, or set \"allow_http\": true if that network is yours");
    remote += (remote.empty() ? "" : " and ") + parts->authority;
  }
  if (remote.empty()) return std::optional<std::string>();
  return std::optional<std::string>("allow_http: credentials, session tokens and data go unencrypted over plain "
                                    "http to " + remote);
}

inline Result<Config> load_config_file(const std::string& path) {
  // A config of every key with long role chains and context is a few KiB.
  constexpr size_t kMaxConfigBytes = size_t{1} << 20;
  S3DEST_ASSIGN_OR_RETURN(const std::string text,
                          read_settings_file(path, kMaxConfigBytes, "config file", "check the path given to --config"));
  return parse_config(text, path);
}

}  // namespace s3dest
