// The keys a request is signed with, and the interface of what supplies them. Where they
// come from (config, environment, profiles, STS, container or instance metadata) is the
// providers' business (credential_chain.hpp, sts.hpp); the signer only reads them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never printed, logged or put in a message
  std::string session_token;      // empty for long-term keys; never printed either
  // When temporary credentials stop working, in Unix seconds; none for long-term keys.
  std::optional<int64_t> expiration = std::nullopt;
};

// Supplies credentials that are valid now. Implementations may be called from many
// threads at once, and refresh temporary credentials before they expire.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> credentials() = 0;
  // Where the credentials come from, for messages: "environment variables",
  // "role arn:aws:iam::1:role/x (AssumeRole)". Never holds a secret.
  virtual std::string describe() const = 0;
};

// Keys given once (config, command line, environment).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  StaticCredentialsProvider(Credentials credentials, std::string description)
      : credentials_(std::move(credentials)), description_(std::move(description)) {}
  Result<Credentials> credentials() override { return credentials_; }
  std::string describe() const override { return description_; }

 private:
  Credentials credentials_;
  std::string description_;
};

// An expiration time as services write it (RFC 3339, "2019-11-09T13:34:41Z"), in Unix
// seconds. Fractions are dropped, however many digits (radosgw writes nanoseconds).
inline std::optional<int64_t> parse_expiration(std::string_view text) {
  std::string whole(text);
  if (const size_t dot = whole.find('.'); dot != std::string::npos) {
    size_t end = dot + 1;
    while (end < whole.size() && whole[end] >= '0' && whole[end] <= '9') ++end;
    if (end == dot + 1) return std::nullopt;
    whole.erase(dot, end - dot);
  }
  const auto micros = parse_timestamp(whole);
  if (!micros) return std::nullopt;
  return floor_div(*micros, kMicrosPerSecond);
}

// Unix seconds now: the clock providers use unless a test gives its own.
inline int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace s3dest::aws
