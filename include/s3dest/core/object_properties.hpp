// What an object carries besides its bytes: the config's object options (storage class,
// canned ACL, tags, user metadata, Content-Type and Content-Encoding), rendered for one
// object, in the form S3 takes them. The S3 sink sends them as headers
// (s3/object_property_headers.hpp); a local folder has nowhere to keep them.
//
// S3's rules for tags and metadata are here too, so the config can refuse text S3 would
// refuse (before anything is written) and a rendered value can be made to fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/text.hpp"

namespace s3dest {

struct ObjectProperties {
  std::string content_type;      // empty: no Content-Type
  std::string content_encoding;  // empty: no Content-Encoding
  std::string storage_class;     // empty: the bucket's default (STANDARD)
  std::string canned_acl;        // empty: no x-amz-acl
  // Names and values as sent: tags within S3's rules (is_tag_text, the lengths below; a
  // variable's value made ASCII by append_tag_text);
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
// which counts towards kMaxUserMetadataBytes. s3/object_property_headers.hpp and
// sink/s3_sink.hpp build its header from this name (a static_assert ties them).
inline constexpr std::string_view kRunMetadataName = "s3dest-run";
inline constexpr size_t kRunMetadataBytes = kRunMetadataName.size() + 25;  // a run id: new_run_id()

// Characters (UTF-8 code points) in `text`; each byte that begins no well-formed UTF-8
// sequence counts as one.
size_t utf8_length(std::string_view text);
// `text` cut to its first `max_chars` characters (as utf8_length counts them).
void cut_to_characters(std::string& text, size_t max_chars);

// Text S3 takes in a tag's key or value: letters, digits, spaces and + - = . _ : / @.
// Characters beyond ASCII are let through: the config's own text, where the user wrote
// letters of other scripts (S3 has the last word).
bool is_tag_text(std::string_view text);
// Appends `text`, a variable's value (from the data or the run), made safe for a tag:
// S3 takes \p{L}\p{Z}\p{N} and _ . : / = + - @, and without a Unicode table s3dest
// cannot tell a letter from a symbol (™), an emoji or a format character (U+202E), so each
// character outside ASCII letters, digits, space and _ . : / = + - @ becomes one '_': a
// whole UTF-8 sequence, or a byte that begins none.
void append_tag_text(std::string& out, std::string_view text);
std::string tag_text(std::string_view text);  // the same, as a new string

// A metadata name S3 takes: an HTTP token (letters, digits and !#$%&'*+-.^_`|~).
bool is_metadata_name(std::string_view name);
// Printable ASCII, what a metadata value may hold (S3 returns it as a header).
bool is_metadata_value_text(std::string_view text);
// Appends `text` with each character that is not printable ASCII made one '_' (a whole
// UTF-8 sequence, or a byte that begins none).
void append_metadata_value_text(std::string& out, std::string_view text);
std::string metadata_value_text(std::string_view text);  // the same, as a new string

// Bytes of the user metadata S3 counts: names and values, s3dest's own included.
size_t user_metadata_bytes(const std::vector<std::pair<std::string, std::string>>& metadata);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

// Bytes of the character at text[at]: a well-formed UTF-8 sequence, else 1, the byte alone.
inline size_t utf8_character_bytes(std::string_view text, size_t at) {
  uint32_t code_point = 0;
  const size_t n = utf8_sequence(text.substr(at), code_point);
  return n == 0 ? 1 : n;
}

inline bool is_tag_ascii(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || c == '+' ||
         c == '-' || c == '=' || c == '.' || c == '_' || c == ':' || c == '/' || c == '@';
}

// Appends `text` a character at a time, each one `keep` refuses as one '_'.
template <class Keep>
void replace_characters(std::string& out, std::string_view text, Keep keep) {
  for (size_t i = 0; i < text.size();) {
    const std::string_view character = text.substr(i, utf8_character_bytes(text, i));
    if (keep(character)) out.append(character);
    else out.push_back('_');
    i += character.size();
  }
}

}  // namespace detail

inline size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); i += detail::utf8_character_bytes(text, i)) ++n;
  return n;
}

inline void cut_to_characters(std::string& text, size_t max_chars) {
  size_t i = 0;
  for (size_t chars = 0; i < text.size() && chars < max_chars; ++chars) i += detail::utf8_character_bytes(text, i);
  text.resize(i);
}

inline bool is_tag_text(std::string_view text) {
  for (const char c : text)
    if (static_cast<unsigned char>(c) < 0x80 && !detail::is_tag_ascii(c)) return false;
  return true;
}

inline void append_tag_text(std::string& out, std::string_view text) {
  detail::replace_characters(out, text,
                             [](std::string_view c) { return c.size() == 1 && detail::is_tag_ascii(c[0]); });
}

inline std::string tag_text(std::string_view text) {
  std::string out;
  append_tag_text(out, text);
  return out;
}

// Sent as the header x-amz-meta-NAME, so a header name's grammar.
inline bool is_metadata_name(std::string_view name) { return is_http_token(name); }

inline bool is_metadata_value_text(std::string_view text) {
  for (const char c : text)
    if (c < 0x20 || c > 0x7E) return false;  // char may be signed: bytes past 0x7F are < 0
  return true;
}

inline void append_metadata_value_text(std::string& out, std::string_view text) {
  detail::replace_characters(out, text, [](std::string_view c) { return c.size() == 1 && c[0] >= 0x20 && c[0] <= 0x7E; });
}

inline std::string metadata_value_text(std::string_view text) {
  std::string out;
  append_metadata_value_text(out, text);
  return out;
}

inline size_t user_metadata_bytes(const std::vector<std::pair<std::string, std::string>>& metadata) {
  size_t bytes = kRunMetadataBytes;
  for (const auto& [name, value] : metadata) bytes += name.size() + value.size();
  return bytes;
}

}  // namespace s3dest
