// The keys a request is signed with. Where they come from (config, environment, profiles,
// STS) is the credential providers' business; the signer only reads them.
#pragma once

#include <string>

namespace s3dest::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;  // never printed, logged or put in a message
  std::string session_token;      // empty for long-term keys
};

}  // namespace s3dest::aws
