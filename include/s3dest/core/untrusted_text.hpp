// Text a server (or any file s3dest did not write) sent, made fit for a terminal and a
// log before it goes into a message: every server is untrusted, and a hostile or broken
// one must not ring the bell, move the cursor, paint the screen, or get a secret printed.
//
//   message += printable(error.message);   // one line, at most 400 bytes, nothing hidden
//
//   - control characters, DEL, invalid UTF-8 and the Unicode direction overrides become
//     visible escapes (\x1B, \u202E), so a line break or an escape sequence cannot hide
//     what follows;
//   - what looks like a credential is masked (not with Masking::none, for names): the
//     values of Signature=, Credential= and X-Amz-Security-Token= (as in presigned URLs),
//     access key ids (AKIA..., ASIA...), and runs of 40 or more letters, digits, '+', '/'
//     or '=' (secret keys, session tokens);
//   - the result is cut after about `max_bytes` (then "...").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "s3dest/core/hex.hpp"
#include "s3dest/core/text.hpp"

namespace s3dest {

enum class Masking {
  secrets,  // messages: anything like a credential is masked
  none,     // names (keys, paths): a long path of letters and slashes looks like a secret
};
std::string printable(std::string_view untrusted, size_t max_bytes = 400, Masking masking = Masking::secrets);

namespace detail {

inline bool is_secret_char(char c) {  // what access key ids and secrets are made of
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=';
}

inline bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

inline void append_escape(std::string& out, const char* prefix, uint32_t value, int digits) {
  out += prefix;
  append_hex_digits(out, value, digits, HexCase::upper);
}

}  // namespace detail

inline std::string printable(std::string_view text, size_t max_bytes, Masking masking) {
  static constexpr std::string_view kSecretFields[] = {"x-amz-signature=", "signature=", "x-amz-credential=",
                                                       "credential=", "x-amz-security-token="};
  std::string out;
  size_t i = 0;
  while (i < text.size() && out.size() < max_bytes) {
    const std::string_view rest = text.substr(i);
    bool masked = false;
    if (masking == Masking::secrets) {
      for (const std::string_view field : kSecretFields) {
        if (!detail::starts_with_ignoring_case(rest, field)) continue;
        out.append(rest.substr(0, field.size()));
        out += "[masked]";
        i += field.size();
        while (i < text.size() && text[i] != '&' && text[i] != ',' && text[i] != ' ' && text[i] != '"' &&
               text[i] != '<' && static_cast<unsigned char>(text[i]) >= 0x20)
          ++i;
        masked = true;
        break;
      }
    }
    if (masked) continue;
    // A run of secret characters: an access key id, or a secret's length.
    size_t run = 0;
    while (run < rest.size() && detail::is_secret_char(rest[run])) ++run;
    const bool key_id = run == 20 && (rest.substr(0, 4) == "AKIA" || rest.substr(0, 4) == "ASIA");
    if (masking == Masking::secrets && (run >= 40 || key_id)) {
      out += key_id ? std::string(rest.substr(0, 4)) + "[masked]" : "[masked]";
      i += run;
      continue;
    }
    if (run > 0) {
      out.append(rest.substr(0, run));
      i += run;
      continue;
    }
    const auto byte = static_cast<unsigned char>(rest[0]);
    uint32_t code_point = 0;
    if (byte >= 0x20 && byte < 0x7F) {
      out.push_back(rest[0]);
      ++i;
    } else if (const size_t n = byte >= 0x80 ? utf8_sequence(rest, code_point) : 0; n > 0) {
      // C1 controls and the direction overrides and isolates, which reorder what follows.
      const bool hidden = (code_point >= 0x80 && code_point < 0xA0) || (code_point >= 0x202A && code_point <= 0x202E) ||
                          (code_point >= 0x2066 && code_point <= 0x2069);
      if (hidden) detail::append_escape(out, "\\u", code_point, 4);
      else out.append(rest.substr(0, n));
      i += n;
    } else {
      detail::append_escape(out, "\\x", byte, 2);
      ++i;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace s3dest
