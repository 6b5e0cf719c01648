// Standard base64 (RFC 4648 section 4, with '=' padding): how binary values travel in csv
// and JSON text, both ways.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace s3dest {

// Appends the base64 text of `bytes` to `out`.
void append_base64(std::string& out, std::string_view bytes);

// The length of the base64 text of `size` bytes.
constexpr size_t base64_size(size_t size) { return (size + 2) / 3 * 4; }
// Writes the base64 text of `bytes` at `p`, which has room for base64_size(bytes.size());
// returns the end.
char* write_base64(char* p, std::string_view bytes);

// Replaces `out` with the bytes `text` encodes. Strict, so that a value reads back only
// one way: refuses characters outside the alphabet (whitespace included), a length that
// is not a multiple of 4, misplaced '=' and nonzero bits in the last character's unused
// part. On failure returns false and leaves `out` empty.
bool decode_base64(std::string_view text, std::string& out);

// The most bytes `text_size` characters of base64 can decode to.
constexpr size_t max_decoded_base64_size(size_t text_size) { return text_size / 4 * 3; }

// Decodes into `out`, which holds at least max_decoded_base64_size(text.size()) bytes;
// sets `written`. Same rules as decode_base64; for callers with their own buffers.
bool decode_base64_to(std::string_view text, char* out, size_t& written);

}  // namespace s3dest

namespace s3dest {
namespace detail {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for alphabet characters, 0xFF for everything else ('=' included).
struct Base64DecodeTable {
  uint8_t value[256];
  constexpr Base64DecodeTable() : value() {
    for (int i = 0; i < 256; ++i) value[i] = 0xFF;
    for (int i = 0; i < 64; ++i) value[static_cast<uint8_t>(kBase64Alphabet[i])] = static_cast<uint8_t>(i);
  }
};
inline constexpr Base64DecodeTable kBase64Decode{};

}  // namespace detail

inline char* write_base64(char* dst, std::string_view bytes) {
  const size_t full = bytes.size() / 3 * 3;
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i < full; i += 3) {
    const uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    dst[0] = detail::kBase64Alphabet[v >> 18];
    dst[1] = detail::kBase64Alphabet[(v >> 12) & 63];
    dst[2] = detail::kBase64Alphabet[(v >> 6) & 63];
    dst[3] = detail::kBase64Alphabet[v & 63];
    dst += 4;
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return dst;
  uint32_t v = uint32_t{src[i]} << 16;
  if (rest == 2) v |= uint32_t{src[i + 1]} << 8;
  dst[0] = detail::kBase64Alphabet[v >> 18];
  dst[1] = detail::kBase64Alphabet[(v >> 12) & 63];
  dst[2] = rest == 2 ? detail::kBase64Alphabet[(v >> 6) & 63] : '=';
  dst[3] = '=';
  return dst + 4;
}

inline void append_base64(std::string& out, std::string_view bytes) {
  const size_t start = out.size();
  out.resize(start + base64_size(bytes.size()));
  if (!bytes.empty()) write_base64(&out[start], bytes);
}

inline bool decode_base64_to(std::string_view text, char* out, size_t& written) {
  written = 0;
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());
  const uint8_t* table = detail::kBase64Decode.value;
  const size_t groups = text.size() / 4;
  char* dst = out;
  // Every group but the last has no padding.
  for (size_t g = 0; g + 1 < groups; ++g, src += 4) {
    const uint32_t a = table[src[0]], b = table[src[1]], c = table[src[2]], d = table[src[3]];
    if ((a | b | c | d) & 0x80) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    dst[0] = static_cast<char>(v >> 16);
    dst[1] = static_cast<char>(v >> 8);
    dst[2] = static_cast<char>(v);
    dst += 3;
  }
  const uint32_t a = table[src[0]], b = table[src[1]];
  if ((a | b) & 0x80) return false;
  if (src[3] != '=') {
    const uint32_t c = table[src[2]], d = table[src[3]];
    if ((c | d) & 0x80) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    dst[0] = static_cast<char>(v >> 16);
    dst[1] = static_cast<char>(v >> 8);
    dst[2] = static_cast<char>(v);
    dst += 3;
  } else if (src[2] != '=') {  // "xyz=": two bytes
    const uint32_t c = table[src[2]];
    if ((c & 0x80) || (c & 3) != 0) return false;
    const uint32_t v = (a << 18) | (b << 12) | (c << 6);
    dst[0] = static_cast<char>(v >> 16);
    dst[1] = static_cast<char>(v >> 8);
    dst += 2;
  } else {  // "xy==": one byte
    if ((b & 15) != 0) return false;
    dst[0] = static_cast<char>((a << 2) | (b >> 4));
    dst += 1;
  }
  written = static_cast<size_t>(dst - out);
  return true;
}

inline bool decode_base64(std::string_view text, std::string& out) {
  out.resize(max_decoded_base64_size(text.size()));
  size_t written = 0;
  if (!decode_base64_to(text, out.empty() ? nullptr : &out[0], written)) {
    out.clear();
    return false;
  }
  out.resize(written);
  return true;
}

}  // namespace s3dest
