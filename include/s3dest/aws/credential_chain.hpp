// The AWS CLI's credential chain: the first source that is configured supplies the
// credentials, in this order:
//   1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)
//   2. the profile (AWS_PROFILE, else "default") if it has role_arn: AssumeRole with
//      credentials from its source_profile (followed as far as it goes), its
//      credential_source (Environment, Ec2InstanceMetadata, EcsContainer) or its
//      web_identity_token_file; with its external_id, role_session_name, duration_seconds
//   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (AssumeRoleWithWebIdentity)
//   4. the profile's aws_access_key_id / aws_secret_access_key / aws_session_token
//      (~/.aws/credentials over ~/.aws/config; AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE)
//   5. container credentials (container_credentials.hpp)
//   6. EC2 instance metadata (instance_metadata.hpp), unless AWS_EC2_METADATA_DISABLED
// The source is chosen once, from the settings alone; its temporary credentials are then
// renewed before they expire. A profile named in AWS_PROFILE that does not exist, or one
// that uses what s3dest does not support (credential_process, SSO), is an error rather
// than a silent fall-through.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3dest/aws/container_credentials.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/environment.hpp"
#include "s3dest/aws/instance_metadata.hpp"
#include "s3dest/aws/profile_files.hpp"
#include "s3dest/aws/refreshing_credentials.hpp"
#include "s3dest/aws/sts.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::aws {

struct ChainOptions {
  Environment env = process_environment();
  std::shared_ptr<http::HttpSender> sender;  // for STS, container and instance metadata requests
  StsSettings sts;                     // where profile roles and web identity are assumed
  std::string container_host = std::string(kEcsCredentialsHost);  // for a relative URI
  std::function<int64_t()> clock = unix_now;
};

// The keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; nullopt when
// neither is set, an error when only one is.
Result<std::optional<Credentials>> environment_credentials(const Environment& env);

Result<std::shared_ptr<CredentialsProvider>> default_credentials_chain(const ChainOptions& options);

// The provider for one profile (steps 2 and 4 for that profile); null when the profile
// holds neither a role nor keys.
Result<std::shared_ptr<CredentialsProvider>> profile_credentials(const Profiles& profiles, const std::string& name,
                                                                 const ChainOptions& options);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline std::shared_ptr<CredentialsProvider> refreshing(std::string description,
                                                       RefreshingCredentialsProvider::Fetch fetch,
                                                       const ChainOptions& options) {
  return std::make_shared<RefreshingCredentialsProvider>(std::move(description), std::move(fetch), options.clock);
}

inline Result<std::shared_ptr<CredentialsProvider>> web_identity_provider(std::string token_file,
                                                                          AssumeRoleParams params,
                                                                          const ChainOptions& options) {
  S3DEST_TRY(check_assume_role_params(params));
  std::string description = "role " + params.role_arn + " (AssumeRoleWithWebIdentity with the token in " + token_file + ")";
  auto sender = options.sender;
  auto sts = options.sts;
  return refreshing(
      std::move(description),
      [token_file, params, sender, sts]() -> Result<Credentials> {
        // Read anew each time: the token file is rotated by whoever writes it.
        S3DEST_ASSIGN_OR_RETURN(const std::string token, read_token_file(token_file, "the web identity token file"));
        return assume_role_with_web_identity(*sender, token, params, sts, token_file);
      },
      options);
}

inline std::shared_ptr<CredentialsProvider> container_provider(ContainerCredentialsSource source,
                                                              const ChainOptions& options) {
  auto sender = options.sender;
  return refreshing("container credentials from " + http::url_without_query(source.url),
                    [source, sender]() { return fetch_container_credentials(*sender, source); }, options);
}

inline std::shared_ptr<CredentialsProvider> instance_metadata_provider(InstanceMetadataSettings settings,
                                                                      std::string why_here,
                                                                      const ChainOptions& options) {
  auto sender = options.sender;
  return refreshing("EC2 instance metadata at " + settings.endpoint,
                    [settings, sender, why_here]() -> Result<Credentials> {
                      auto c = fetch_instance_metadata_credentials(*sender, settings);
                      if (!c.ok()) return c.status().prefixed(why_here);
                      return c;
                    },
                    options);
}

inline Result<int> profile_duration(const Profile& p) {
  const std::string text = p.get("duration_seconds");
  if (text.empty()) return 3600;
  if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos)
    return destination_error("profile " + p.name + ": duration_seconds \"" + text + "\" is not a number of seconds");
  return std::stoi(text);
}

inline Result<std::shared_ptr<CredentialsProvider>> resolve_profile(const Profiles& profiles, const Profile& p,
                                                                    const ChainOptions& options,
                                                                    std::vector<std::string>& visiting);

// The profile's aws_access_key_id, aws_secret_access_key and aws_session_token.
inline std::shared_ptr<CredentialsProvider> profile_keys_provider(const Profile& p, const std::string& where) {
  return std::make_shared<StaticCredentialsProvider>(
      Credentials{p.get("aws_access_key_id"), p.get("aws_secret_access_key"), p.get("aws_session_token")},
      "the keys of " + where);
}

// What the role's source_profile supplies: that profile's credentials, or (a profile being
// its own source) its keys.
inline Result<std::shared_ptr<CredentialsProvider>> source_profile_provider(const Profiles& profiles, const Profile& p,
                                                                            const std::string& where,
                                                                            const ChainOptions& options,
                                                                            std::vector<std::string>& visiting) {
  const std::string source_name = p.get("source_profile");
  const Profile* s = profiles.find(source_name);
  if (s == nullptr)
    return destination_error(where + ": its source_profile " + source_name + " is in neither " +
                             profiles.paths.credentials + " nor " + profiles.paths.config);
  if (source_name == p.name) {
    // A profile may be its own source: its keys assume its role.
    if (!p.has("aws_access_key_id") || !p.has("aws_secret_access_key"))
      return destination_error(where + " is its own source_profile but holds no aws_access_key_id and "
                               "aws_secret_access_key");
    return profile_keys_provider(p, where);
  }
  S3DEST_ASSIGN_OR_RETURN(auto source, resolve_profile(profiles, *s, options, visiting));
  if (!source) return destination_error(where + ": its source_profile " + source_name + " holds no credentials");
  return source;
}

// What the role's credential_source names: the environment, the container or instance
// metadata.
inline Result<std::shared_ptr<CredentialsProvider>> credential_source_provider(const Profile& p,
                                                                               const std::string& where,
                                                                               const ChainOptions& options) {
  const std::string kind = p.get("credential_source");
  if (kind == "Environment") {
    S3DEST_ASSIGN_OR_RETURN(const auto keys, environment_credentials(options.env));
    if (!keys) return destination_error(where + ": credential_source Environment, but AWS_ACCESS_KEY_ID is not set");
    return std::shared_ptr<CredentialsProvider>(std::make_shared<StaticCredentialsProvider>(*keys, "environment variables"));
  }
  if (kind == "EcsContainer") {
    S3DEST_ASSIGN_OR_RETURN(auto container, container_credentials_source(options.env, options.container_host));
    if (!container)
      return destination_error(where + ": credential_source EcsContainer, but AWS_CONTAINER_CREDENTIALS_"
                               "RELATIVE_URI and _FULL_URI are not set");
    return container_provider(*container, options);
  }
  if (kind == "Ec2InstanceMetadata") {
    auto imds = instance_metadata_settings(options.env);
    if (!imds) return destination_error(where + ": credential_source Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is set");
    return instance_metadata_provider(*imds, "", options);
  }
  return destination_error(where + ": credential_source \"" + kind +
                           "\" is not Environment, EcsContainer or Ec2InstanceMetadata");
}

// The profile's role_arn, assumed with its web identity token file, or with the
// credentials of its source_profile or credential_source.
inline Result<std::shared_ptr<CredentialsProvider>> role_provider(const Profiles& profiles, const Profile& p,
                                                                  const std::string& where,
                                                                  const ChainOptions& options,
                                                                  std::vector<std::string>& visiting) {
  AssumeRoleParams params;
  params.role_arn = p.get("role_arn");
  params.external_id = p.get("external_id");
  if (p.has("role_session_name")) params.session_name = p.get("role_session_name");
  S3DEST_ASSIGN_OR_RETURN(params.duration_seconds, profile_duration(p));
  if (p.has("web_identity_token_file")) return web_identity_provider(p.get("web_identity_token_file"), params, options);

  std::shared_ptr<CredentialsProvider> source;
  if (p.has("source_profile")) {
    S3DEST_ASSIGN_OR_RETURN(source, source_profile_provider(profiles, p, where, options, visiting));
  } else if (p.has("credential_source")) {
    S3DEST_ASSIGN_OR_RETURN(source, credential_source_provider(p, where, options));
  } else {
    return destination_error(where + " has role_arn but no source_profile, credential_source or "
                             "web_identity_token_file to assume it with");
  }
  S3DEST_TRY(check_assume_role_params(params));
  return make_assume_role_provider(std::move(source), std::move(params), options.sender, options.sts, options.clock);
}

inline Result<std::shared_ptr<CredentialsProvider>> resolve_profile(const Profiles& profiles, const Profile& p,
                                                                    const ChainOptions& options,
                                                                    std::vector<std::string>& visiting) {
  const std::string where = "profile " + p.name + " (" + p.source + ")";
  for (const std::string& name : visiting)
    if (name == p.name)
      return destination_error(where + ": source_profile leads back to itself (" + visiting.front() +
                               " -> ... -> " + p.name + "): break the loop");
  visiting.push_back(p.name);

  if (p.has("role_arn")) return role_provider(profiles, p, where, options, visiting);
  if (p.has("aws_access_key_id") || p.has("aws_secret_access_key")) {
    if (!p.has("aws_access_key_id") || !p.has("aws_secret_access_key"))
      return destination_error(where + " has only one of aws_access_key_id and aws_secret_access_key: give both");
    return profile_keys_provider(p, where);
  }
  for (const char* unsupported : {"credential_process", "sso_start_url", "sso_session"})
    if (p.has(unsupported))
      return destination_error(where + " uses " + unsupported +
                               ", which s3dest does not support: give keys, a role_arn with a source_profile, or "
                               "environment variables instead");
  return std::shared_ptr<CredentialsProvider>();
}

}  // namespace detail

inline Result<std::optional<Credentials>> environment_credentials(const Environment& env) {
  const auto key = env("AWS_ACCESS_KEY_ID");
  const auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (!key && !secret) return std::optional<Credentials>();
  if (!key || !secret)
    return destination_error(std::string(key ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                              : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") +
                             ": set both, or neither");
  return std::optional<Credentials>(Credentials{*key, *secret, env("AWS_SESSION_TOKEN").value_or("")});
}

inline Result<std::shared_ptr<CredentialsProvider>> profile_credentials(const Profiles& profiles,
                                                                        const std::string& name,
                                                                        const ChainOptions& options) {
  const Profile* p = profiles.find(name);
  if (p == nullptr)
    return destination_error("the AWS profile " + name + " is in neither " + profiles.paths.credentials + " nor " +
                             profiles.paths.config);
  std::vector<std::string> visiting;
  return detail::resolve_profile(profiles, *p, options, visiting);
}

inline Result<std::shared_ptr<CredentialsProvider>> default_credentials_chain(const ChainOptions& options) {
  if (!options.sender) return internal_error("the credential chain needs an HTTP sender");
  const Environment& env = options.env;
  // 1. The environment.
  S3DEST_ASSIGN_OR_RETURN(const auto keys, environment_credentials(env));
  if (keys) return std::shared_ptr<CredentialsProvider>(std::make_shared<StaticCredentialsProvider>(*keys, "environment variables (AWS_ACCESS_KEY_ID)"));

  // 2. and 4. The profile: a role first, its keys only after web identity.
  const auto named = env("AWS_PROFILE") ? env("AWS_PROFILE") : env("AWS_DEFAULT_PROFILE");
  const std::string profile_name = named.value_or("default");
  S3DEST_ASSIGN_OR_RETURN(const Profiles profiles, load_profiles(profile_file_paths(env)));
  const Profile* profile = profiles.find(profile_name);
  if (named && profile == nullptr)
    return destination_error("the AWS profile " + profile_name + " (from AWS_PROFILE) is in neither " +
                             profiles.paths.credentials + " nor " + profiles.paths.config +
                             ": check the name, or unset AWS_PROFILE");
  if (profile != nullptr && profile->has("role_arn")) return profile_credentials(profiles, profile_name, options);

  // 3. Web identity.
  const auto token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE");
  const auto role_arn = env("AWS_ROLE_ARN");
  if (token_file && role_arn) {
    AssumeRoleParams params;
    params.role_arn = *role_arn;
    params.session_name = env("AWS_ROLE_SESSION_NAME").value_or("s3dest");
    return detail::web_identity_provider(*token_file, std::move(params), options);
  }
  if (token_file || role_arn)
    return destination_error(std::string(token_file ? "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"
                                                    : "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not") +
                             ": web identity needs both");

  if (profile != nullptr) {
    S3DEST_ASSIGN_OR_RETURN(auto from_profile, profile_credentials(profiles, profile_name, options));
    if (from_profile) return from_profile;
  }

  // 5. The container.
  S3DEST_ASSIGN_OR_RETURN(auto container, container_credentials_source(env, options.container_host));
  if (container) return detail::container_provider(std::move(*container), options);

  // 6. Instance metadata, the last resort: its failure says what else was looked at.
  const std::string nothing_else =
      "no AWS credentials found: none in the environment (AWS_ACCESS_KEY_ID), in profile " + profile_name + " (" +
      profiles.paths.credentials + ", " + profiles.paths.config + "), nor web identity or container settings";
  auto imds = instance_metadata_settings(env);
  if (!imds) return destination_error(nothing_else + ", and instance metadata is disabled: give credentials one of those ways");
  return detail::instance_metadata_provider(*imds, nothing_else + "; and ", options);
}

}  // namespace s3dest::aws
