// Key templates: the config's `folder` and `file_name`, text with `{{ name }}` variables.
// Parsed and checked once, before anything is written, so a typo costs an exit code 2
// rather than a bucket full of misnamed objects; rendered once per object.
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/core/text.hpp"

namespace s3dest {

// Every variable a template may use (DESIGN.md, "Templates"), in the order messages list them.
enum class TemplateVar : uint8_t {
  workspace_id, workspace_title, data_source, data_table_title, report_type, filename,
  account, dataclass,
  YYYY, MM, DD,                    // the record's date (partition)
  YYYY_today, MM_today, DD_today,  // the run's start
  H, M, S, timestamp,              // the run's start
  chunk_id,
  worker,                          // --worker: this writer of a dataset written by several
  run_id,                          // unique per run, sortable
  uuid,                            // random per object
};
inline constexpr size_t kTemplateVarCount = 22;

// The name as written in a template: "workspace_id", "YYYY", ...
constexpr std::string_view template_var_name(TemplateVar var);
std::optional<TemplateVar> template_var_from_name(std::string_view name);
// Context variables take their value from the config's "context" or --set.
constexpr bool is_context_var(TemplateVar var);

// The value of each variable for one rendering. Views: the caller keeps the text alive.
class TemplateValues {
 public:
  void set(TemplateVar var, std::string_view value) { values_[static_cast<size_t>(var)] = value; }
  std::string_view get(TemplateVar var) const { return values_[static_cast<size_t>(var)]; }

 private:
  std::array<std::string_view, kTemplateVarCount> values_{};
};

class Template {
 public:
  // Literal text or one variable.
  struct Piece {
    std::string literal;                  // when !variable
    std::optional<TemplateVar> variable;
    uint32_t column = 1;                  // 1-based, in characters, for messages
  };

  Template() = default;  // the empty template

  // `field` is the config key the text came from ("folder", "file_name"); errors
  // (usage, exit 2) name it and the column.
  static Result<Template> parse(std::string_view field, std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<Piece>& pieces() const { return pieces_; }
  bool uses(TemplateVar var) const { return (used_ >> static_cast<unsigned>(var)) & 1u; }
  // Column of the first use of `var`, 0 if unused.
  uint32_t column_of(TemplateVar var) const;

  // Appends the text with each variable replaced by its value as given: making values
  // safe inside an object key is KeyLayout's job.
  void append_to(std::string& out, const TemplateValues& values) const;
  std::string render(const TemplateValues& values) const;

 private:
  std::string text_;
  std::vector<Piece> pieces_;
  uint32_t used_ = 0;  // bit per TemplateVar
};

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

inline constexpr std::array<std::string_view, kTemplateVarCount> kTemplateVarNames = {
    "workspace_id", "workspace_title", "data_source", "data_table_title", "report_type",
    "filename",     "account",         "dataclass",   "YYYY",             "MM",
    "DD",           "YYYY_today",      "MM_today",    "DD_today",         "H",
    "M",            "S",               "timestamp",   "chunk_id",         "worker",
    "run_id",       "uuid",
};
static_assert(static_cast<size_t>(TemplateVar::uuid) + 1 == kTemplateVarCount);

// Columns count characters, not bytes, so a UTF-8 folder name does not skew them.
// Counts columns forward as parsing moves on, so a long template costs one pass.
class ColumnCounter {
 public:
  explicit ColumnCounter(std::string_view text) : text_(text) {}
  uint32_t at(size_t pos) {
    for (; at_ < pos && at_ < text_.size(); ++at_)
      if ((static_cast<unsigned char>(text_[at_]) & 0xC0) != 0x80) ++column_;
    return column_;
  }

 private:
  std::string_view text_;
  size_t at_ = 0;
  uint32_t column_ = 1;
};

inline uint32_t template_column(std::string_view text, size_t pos) {
  uint32_t column = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

inline std::string_view trim_template_name(std::string_view name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

inline std::string template_error_at(std::string_view field, std::string_view text, size_t pos) {
  std::string message(field);
  message += ", column ";
  message += std::to_string(template_column(text, pos));
  message += ": ";
  return message;
}

// " (did you mean YYYY?)" for a near miss such as "yyyy" or "chunkid", else "".
inline std::string template_var_suggestion(std::string_view name) {
  for (std::string_view known : kTemplateVarNames) {
    const bool same_ignoring_case =
        known.size() == name.size() &&
        std::equal(known.begin(), known.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        });
    if (same_ignoring_case) return " (did you mean " + std::string(known) + "?)";
  }
  const std::string nearest = nearest_name(name, kTemplateVarNames);
  if (edit_distance(name, nearest) > 2) return "";
  return " (did you mean " + nearest + "?)";
}

inline std::string valid_template_vars() {
  std::string list;
  for (std::string_view name : kTemplateVarNames) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

}  // namespace detail

constexpr std::string_view template_var_name(TemplateVar var) {
  return detail::kTemplateVarNames[static_cast<size_t>(var)];
}

inline std::optional<TemplateVar> template_var_from_name(std::string_view name) {
  for (size_t i = 0; i < kTemplateVarCount; ++i) {
    if (detail::kTemplateVarNames[i] == name) return static_cast<TemplateVar>(i);
  }
  return std::nullopt;
}

constexpr bool is_context_var(TemplateVar var) {
  switch (var) {
    case TemplateVar::workspace_id:
    case TemplateVar::workspace_title:
    case TemplateVar::data_source:
    case TemplateVar::data_table_title:
    case TemplateVar::report_type:
    case TemplateVar::filename:
    case TemplateVar::dataclass:
      return true;
    default:
      return false;
  }
}

inline Result<Template> Template::parse(std::string_view field, std::string_view text) {
  Template result;
  result.text_ = std::string(text);
  detail::ColumnCounter columns(text);
  size_t literal_start = 0;
  const auto flush_literal = [&](size_t end) {
    if (end > literal_start) {
      result.pieces_.push_back(Piece{std::string(text.substr(literal_start, end - literal_start)),
                                     std::nullopt, columns.at(literal_start)});
    }
  };
  size_t pos = 0;
  while (pos < text.size()) {
    if (text.compare(pos, 2, "}}") == 0) {
      return usage_error(detail::template_error_at(field, text, pos) +
                         "\"}}\" without an opening \"{{\"; remove it or add the \"{{\"");
    }
    if (text.compare(pos, 2, "{{") != 0) {
      ++pos;
      continue;
    }
    const size_t close = text.find("}}", pos + 2);
    const size_t next_open = text.find("{{", pos + 2);
    if (close == std::string_view::npos || (next_open != std::string_view::npos && next_open < close)) {
      return usage_error(detail::template_error_at(field, text, pos) +
                         "\"{{\" is not closed; close it with \"}}\"");
    }
    const std::string_view name = detail::trim_template_name(text.substr(pos + 2, close - pos - 2));
    if (name.empty()) {
      return usage_error(detail::template_error_at(field, text, pos) +
                         "empty \"{{ }}\"; put a variable in it, one of: " +
                         detail::valid_template_vars());
    }
    const std::optional<TemplateVar> var = template_var_from_name(name);
    if (!var) {
      return usage_error(detail::template_error_at(field, text, pos) +
                         "unknown template variable \"" + std::string(name) + "\"" +
                         detail::template_var_suggestion(name) +
                         "; valid variables: " + detail::valid_template_vars());
    }
    flush_literal(pos);
    result.pieces_.push_back(Piece{std::string(), var, columns.at(pos)});
    result.used_ |= 1u << static_cast<unsigned>(*var);
    pos = close + 2;
    literal_start = pos;
  }
  flush_literal(text.size());
  return result;
}

inline uint32_t Template::column_of(TemplateVar var) const {
  for (const Piece& piece : pieces_) {
    if (piece.variable == var) return piece.column;
  }
  return 0;
}

inline void Template::append_to(std::string& out, const TemplateValues& values) const {
  for (const Piece& piece : pieces_) {
    if (piece.variable) {
      out.append(values.get(*piece.variable));
    } else {
      out.append(piece.literal);
    }
  }
}

inline std::string Template::render(const TemplateValues& values) const {
  std::string out;
  append_to(out, values);
  return out;
}

}  // namespace s3dest
