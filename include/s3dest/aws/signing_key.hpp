// SigV4's signing key: four chained HMACs of the secret key with the day, region, service
// and "aws4_request". It changes only with those, so it is derived once and cached: an
// upload signing thousands of parts (or chunks) on many threads pays for it once a day.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/crypto/digest.hpp"
#include "s3dest/crypto/hmac.hpp"

namespace s3dest::aws {

// The raw 32-byte key for `date` ("YYYYMMDD"), `region` and `service`.
std::string derive_signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                               std::string_view service);

// Signing keys by (secret, date, region, service); safe to share between threads. The
// secret itself is not kept: entries are found by its SHA-256.
class SigningKeyCache {
 public:
  explicit SigningKeyCache(size_t capacity = 64) : capacity_(capacity == 0 ? 1 : capacity) {}

  std::string get(std::string_view secret_access_key, std::string_view date, std::string_view region,
                  std::string_view service);

  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }
  // How many keys were derived rather than found: for tests.
  uint64_t derivations() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return derivations_;
  }

 private:
  struct Entry {
    std::string id;   // SHA-256(secret) \0 date \0 region \0 service
    std::string key;
    uint64_t last_use;
  };
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;  // a handful of entries: a scan beats a map
  uint64_t clock_ = 0;
  uint64_t derivations_ = 0;
};

// The cache the signer uses, one per process.
SigningKeyCache& signing_key_cache();

}  // namespace s3dest::aws

namespace s3dest::aws {

inline std::string derive_signing_key(std::string_view secret_access_key, std::string_view date,
                                      std::string_view region, std::string_view service) {
  std::string key = "AWS4";
  key.append(secret_access_key);
  std::string k = hmac_sha256(key, date);
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  return hmac_sha256(k, "aws4_request");
}

inline std::string SigningKeyCache::get(std::string_view secret_access_key, std::string_view date,
                                        std::string_view region, std::string_view service) {
  std::string id = sha256(secret_access_key);
  for (const std::string_view part : {date, region, service}) {
    id.push_back('\0');
    id.append(part);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Entry& e : entries_) {
      if (e.id == id) {
        e.last_use = ++clock_;
        return e.key;
      }
    }
  }
  // Derived outside the lock: two threads may both derive the same key once, which is
  // cheaper than making every other signer wait on four HMACs.
  std::string key = derive_signing_key(secret_access_key, date, region, service);
  std::lock_guard<std::mutex> lock(mutex_);
  ++derivations_;
  for (const Entry& e : entries_)
    if (e.id == id) return e.key;
  if (entries_.size() >= capacity_) {
    size_t oldest = 0;
    for (size_t i = 1; i < entries_.size(); ++i)
      if (entries_[i].last_use < entries_[oldest].last_use) oldest = i;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(oldest));
  }
  entries_.push_back({std::move(id), key, ++clock_});
  return key;
}

inline SigningKeyCache& signing_key_cache() {
  static SigningKeyCache cache;
  return cache;
}

}  // namespace s3dest::aws
