// What an object carries besides its bytes: the config's object options (storage class,
// canned ACL, tags, user metadata, Content-Type and Content-Encoding), rendered for one
// object, in the form S3 takes them. The S3 sink sends them as headers
// (s3/object_property_headers.hpp); a local folder has nowhere to keep them.
//
// S3's rules for tags and metadata are here too, so the config can refuse text S3 would
// refuse (before anything is written) and a rendered value can be made to fit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3dest {

struct ObjectProperties {
  std::string content_type;      // empty: no Content-Type
  std::string content_encoding;  // empty: no Content-Encoding
  std::string storage_class;     // empty: the bucket's default (STANDARD)
  std::string canned_acl;        // empty: no x-amz-acl
  // Names and values as sent: tags within S3's rules (is_tag_text, the lengths below);
  // metadata names lower-case, without "x-amz-meta-", values printable ASCII.
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::pair<std::string, std::string>> metadata;
};

// S3's limits on an object's tags and user metadata.
inline constexpr size_t kMaxObjectTags = 10;
inline constexpr size_t kMaxTagKeyChars = 128;
inline constexpr size_t kMaxTagValueChars = 256;
// Names and values of all x-amz-meta-* headers together, in bytes.
inline constexpr size_t kMaxUserMetadataBytes = 2048;

// The metadata s3dest puts on every object itself (x-amz-meta-s3dest-run: the run's id),
// which counts towards kMaxUserMetadataBytes.
inline constexpr std::string_view kRunMetadataName = "s3dest-run";
inline constexpr size_t kRunMetadataBytes = kRunMetadataName.size() + 25;  // a run id: new_run_id()

// Characters (UTF-8 code points) in `text`.
size_t utf8_length(std::string_view text);

// Text S3 takes in a tag's key or value: letters, digits, spaces and + - = . _ : / @.
// Characters beyond ASCII are let through (letters of other scripts; S3 has the last word).
bool is_tag_text(std::string_view text);
// `text` with each character S3 refuses in a tag made '_', cut to `max_chars` characters.
std::string tag_text(std::string_view text, size_t max_chars);

// A metadata name S3 takes: an HTTP token (letters, digits and !#$%&'*+-.^_`|~).
bool is_metadata_name(std::string_view name);
// Printable ASCII, what a metadata value may hold (S3 returns it as a header).
bool is_metadata_value_text(std::string_view text);
// `text` with each character that is not printable ASCII made '_'.
std::string metadata_value_text(std::string_view text);

// Bytes of the user metadata S3 counts: names and values, s3dest's own included.
size_t user_metadata_bytes(const std::vector<std::pair<std::string, std::string>>& metadata);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

inline bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

inline bool is_tag_ascii(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '+' ||
         c == '-' || c == '=' || c == '.' || c == '_' || c == ':' || c == '/' || c == '@';
}

// Copies `text` a character at a time, each one `keep` refuses as one '_', up to
// `max_chars` characters.
template <class Keep>
std::string replace_characters(std::string_view text, size_t max_chars, Keep keep) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size() && chars < max_chars; ++chars) {
    size_t end = i + 1;
    while (end < text.size() && is_utf8_continuation(text[end])) ++end;
    const std::string_view character = text.substr(i, end - i);
    if (keep(character)) out.append(character);
    else out.push_back('_');
    i = end;
  }
  return out;
}

}  // namespace detail

inline size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += detail::is_utf8_continuation(c) ? 0 : 1;
  return n;
}

inline bool is_tag_text(std::string_view text) {
  for (const char c : text)
    if (static_cast<unsigned char>(c) < 0x80 && !detail::is_tag_ascii(c)) return false;
  return true;
}

inline std::string tag_text(std::string_view text, size_t max_chars) {
  return detail::replace_characters(text, max_chars, [](std::string_view c) {
    return static_cast<unsigned char>(c[0]) >= 0xC0 ? c.size() > 1 : detail::is_tag_ascii(c[0]);
  });
}

inline bool is_metadata_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return true;
}

inline bool is_metadata_value_text(std::string_view text) {
  for (const char c : text)
    if (c < 0x20 || c > 0x7E) return false;  // char may be signed: bytes past 0x7F are < 0
  return true;
}

inline std::string metadata_value_text(std::string_view text) {
  return detail::replace_characters(text, text.size(),
                                    [](std::string_view c) { return c.size() == 1 && c[0] >= 0x20 && c[0] <= 0x7E; });
}

inline size_t user_metadata_bytes(const std::vector<std::pair<std::string, std::string>>& metadata) {
  size_t bytes = kRunMetadataBytes;
  for (const auto& [name, value] : metadata) bytes += name.size() + value.size();
  return bytes;
}

}  // namespace s3dest
