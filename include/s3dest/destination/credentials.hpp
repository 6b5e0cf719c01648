// The credentials a destination config asks for, by its connection_option (DESIGN.md):
//   access_key     the config's access_key_id / secret_access_key / session_token, else
//                  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
//   shared_access  the tool's own identity from the AWS CLI's chain (credential_chain.hpp)
//   assume_role    base credentials (the config's keys, else that chain), then each
//                  role_chain hop in order, then assume_role_arn with external_id;
//                  sessions renewed before they expire, chained ones capped at an hour
// STS is reached at sts_endpoint, else at the region's endpoint.
//
//   auto transport = std::make_shared<http::CurlTransport>();
//   auto provider = credentials_for_config(config, transport);
//   auto credentials = (*provider)->credentials();
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/aws/credential_chain.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/environment.hpp"
#include "s3dest/aws/sts.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest {

struct CredentialOptions {
  aws::Environment env = aws::process_environment();
  std::function<int64_t()> clock = aws::unix_now;
  std::string container_host = std::string(aws::kEcsCredentialsHost);
};

// Checks everything it can without a request (ARNs, names, the environment, profile
// files); STS and metadata services are asked on the first credentials() call.
Result<std::shared_ptr<aws::CredentialsProvider>> credentials_for_config(const Config& config,
                                                                         std::shared_ptr<http::HttpSender> sender,
                                                                         const CredentialOptions& options = {});

// The credentials before any role: the config's keys, else (assume_role, shared_access)
// the tool's own identity, else (access_key) the AWS_* variables. For all but assume_role
// they are what credentials_for_config gives.
Result<std::shared_ptr<aws::CredentialsProvider>> base_credentials_for_config(const Config& config,
                                                                              std::shared_ptr<http::HttpSender> sender,
                                                                              const CredentialOptions& options = {});

// The roles assume_role goes through, in order: each role_chain hop, then assume_role_arn;
// none for the other connection options.
std::vector<aws::AssumeRoleParams> role_hops_for_config(const Config& config);

// The STS endpoint and region a config gives.
aws::StsSettings sts_settings_for_config(const Config& config);

}  // namespace s3dest

namespace s3dest {

inline aws::StsSettings sts_settings_for_config(const Config& config) {
  aws::StsSettings sts;
  sts.region = config.region;
  sts.endpoint = config.sts_endpoint;
  return sts;
}

namespace detail {

inline aws::ChainOptions chain_options(const Config& config, std::shared_ptr<http::HttpSender> sender,
                                      const CredentialOptions& options) {
  aws::ChainOptions chain;
  chain.env = options.env;
  chain.sender = std::move(sender);
  chain.sts = sts_settings_for_config(config);
  chain.container_host = options.container_host;
  chain.clock = options.clock;
  return chain;
}

}  // namespace detail

inline std::vector<aws::AssumeRoleParams> role_hops_for_config(const Config& config) {
  std::vector<aws::AssumeRoleParams> hops;
  if (config.connection_option != ConnectionOption::assume_role) return hops;
  for (const RoleHop& hop : config.role_chain)
    hops.push_back({hop.role_arn, config.role_session_name, hop.external_id, 3600});
  hops.push_back({config.assume_role_arn, config.role_session_name, config.external_id, 3600});
  return hops;
}

inline Result<std::shared_ptr<aws::CredentialsProvider>> base_credentials_for_config(
    const Config& config, std::shared_ptr<http::HttpSender> sender, const CredentialOptions& options) {
  if (!config.access_key_id.empty() && config.connection_option != ConnectionOption::shared_access)
    return std::shared_ptr<aws::CredentialsProvider>(std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{config.access_key_id, config.secret_access_key, config.session_token},
        "the config's access_key_id"));
  if (config.connection_option != ConnectionOption::access_key)
    return aws::default_credentials_chain(detail::chain_options(config, std::move(sender), options));
  S3DEST_ASSIGN_OR_RETURN(const auto keys, aws::environment_credentials(options.env));
  if (!keys)
    return usage_error("connection_option \"access_key\" needs access_key_id and secret_access_key in the "
                       "config, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  return std::shared_ptr<aws::CredentialsProvider>(
      std::make_shared<aws::StaticCredentialsProvider>(*keys, "environment variables (AWS_ACCESS_KEY_ID)"));
}

inline Result<std::shared_ptr<aws::CredentialsProvider>> credentials_for_config(
    const Config& config, std::shared_ptr<http::HttpSender> sender, const CredentialOptions& options) {
  S3DEST_ASSIGN_OR_RETURN(auto base, base_credentials_for_config(config, sender, options));
  std::vector<aws::AssumeRoleParams> hops = role_hops_for_config(config);
  if (hops.empty()) return base;
  const aws::ChainOptions chain = detail::chain_options(config, sender, options);
  return aws::make_role_chain(std::move(base), std::move(hops), std::move(sender), chain.sts, chain.clock);
}

}  // namespace s3dest
