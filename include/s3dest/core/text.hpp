// Small string helpers shared by messages, config checks and the signer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3dest {

// Levenshtein distance, for "did you mean" suggestions.
inline size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate closest to `word`.
template <class Names>
std::string nearest_name(std::string_view word, const Names& candidates) {
  std::string best;
  size_t best_distance = static_cast<size_t>(-1);
  for (const auto& candidate : candidates) {
    const size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

// `text` with A-Z in lower case; other bytes as they are (header names, SigV4's canonical
// forms).
inline std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// RFC 7230's token: what HTTP header names and methods (and so S3's metadata names) keep to.
constexpr bool is_http_token_char(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  for (const char t : std::string_view("!#$%&'*+-.^_`|~"))
    if (c == static_cast<unsigned char>(t)) return true;
  return false;
}

inline bool is_http_token(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text)
    if (!is_http_token_char(static_cast<unsigned char>(c))) return false;
  return true;
}

// "a, b or c"
template <class Names>
std::string join_alternatives(const Names& names) {
  std::string out;
  size_t i = 0;
  const size_t n = std::size(names);
  for (const auto& name : names) {
    if (i > 0) out += (i + 1 == n) ? " or " : ", ";
    out += name;
    ++i;
  }
  return out;
}

// The length of the well-formed UTF-8 sequence at the start of `text` (no overlong form,
// surrogate or code point past U+10FFFF), with its code point; 0 if there is none.
inline size_t utf8_sequence(std::string_view text, uint32_t& code_point) {
  if (text.empty()) return 0;
  const auto b0 = static_cast<unsigned char>(text[0]);
  size_t n = b0 >= 0xF0 && b0 <= 0xF4 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 <= 0xDF ? 2 : 0;
  if (n == 0 || text.size() < n) return 0;
  code_point = b0 & (0xFF >> (n + 1));
  for (size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b & 0xC0) != 0x80) return 0;
    code_point = code_point << 6 | (b & 0x3F);
  }
  const bool overlong = (n == 3 && code_point < 0x800) || (n == 4 && code_point < 0x10000);
  if (overlong || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
  return n;
}

}  // namespace s3dest
