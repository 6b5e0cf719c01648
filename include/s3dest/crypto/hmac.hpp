// HMAC-SHA256 (RFC 2104) through OpenSSL: the keyed hash SigV4 derives its signing key
// and its signatures with.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <string_view>

namespace s3dest {

// The raw 32-byte MAC of `message` under `key`.
inline std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  // The one-shot HMAC() is not deprecated in OpenSSL 3 (HMAC_CTX is) and needs no context
  // to allocate or free. Empty inputs are passed as valid pointers, never null: a null key
  // has meant "keep the previous key" in OpenSSL's HMAC interfaces.
  static const unsigned char kEmpty = 0;
  const auto bytes = [](std::string_view s) {
    return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
  };
  HMAC(EVP_sha256(), bytes(key), static_cast<int>(key.size()), bytes(message), message.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

}  // namespace s3dest
