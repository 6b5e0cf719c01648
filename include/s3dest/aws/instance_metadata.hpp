// Credentials of an EC2 instance's role from the instance metadata service, IMDSv2:
//   PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds)     -> a session token
//   GET /latest/meta-data/iam/security-credentials/                 -> the role's name
//   GET /latest/meta-data/iam/security-credentials/NAME             -> JSON credentials
// each GET with the token in X-aws-ec2-metadata-token. A service that does not know the
// token call (404/405) is asked without one (IMDSv1), unless AWS_EC2_METADATA_V1_DISABLED.
// The endpoint is http://169.254.169.254, or AWS_EC2_METADATA_SERVICE_ENDPOINT (tests use
// a loopback server); AWS_EC2_METADATA_DISABLED=true turns the source off.
#pragma once

#include <chrono>
#include <string>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/aws/container_credentials.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/environment.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::aws {

struct InstanceMetadataSettings {
  std::string endpoint = "http://169.254.169.254";
  bool v1_disabled = false;
  // Each request; the service answers at once on an instance, and nowhere else.
  std::chrono::milliseconds timeout{1000};
};

// The settings the environment gives; nullopt when AWS_EC2_METADATA_DISABLED is "true".
std::optional<InstanceMetadataSettings> instance_metadata_settings(const Environment& env);

Result<Credentials> fetch_instance_metadata_credentials(http::HttpSender& sender, const InstanceMetadataSettings& settings);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline bool equals_true(const std::optional<std::string>& value) {
  return value && http::equals_ignoring_case(*value, "true");
}

}  // namespace detail

inline std::optional<InstanceMetadataSettings> instance_metadata_settings(const Environment& env) {
  if (detail::equals_true(env("AWS_EC2_METADATA_DISABLED"))) return std::nullopt;
  InstanceMetadataSettings settings;
  if (const auto endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    settings.endpoint = *endpoint;
  } else if (const auto mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
             mode && http::equals_ignoring_case(*mode, "ipv6")) {
    settings.endpoint = "http://[fd00:ec2::254]";
  }
  while (!settings.endpoint.empty() && settings.endpoint.back() == '/') settings.endpoint.pop_back();
  settings.v1_disabled = detail::equals_true(env("AWS_EC2_METADATA_V1_DISABLED"));
  return settings;
}

inline Result<Credentials> fetch_instance_metadata_credentials(http::HttpSender& sender,
                                                               const InstanceMetadataSettings& settings) {
  const std::string what = "EC2 instance metadata at " + settings.endpoint;
  S3DEST_ASSIGN_OR_RETURN(const UrlParts parts, split_url(settings.endpoint + "/"));
  auto request = [&](std::string method, const std::string& path) {
    http::HttpRequest r;
    r.method = std::move(method);
    r.url = settings.endpoint + path;
    r.timeout = settings.timeout;
    r.headers.push_back({"Host", parts.host_header()});
    return r;
  };

  http::HttpRequest token_request = request("PUT", "/latest/api/token");
  token_request.headers.push_back({"X-aws-ec2-metadata-token-ttl-seconds", "21600"});
  auto token = sender.send(token_request);
  if (!token.ok()) return token.status().prefixed(what + ": ");
  std::string session_token;
  if (token->status == 200) {
    session_token = token->body;
  } else if (token->status == 403) {
    return destination_error(what + " refused a session token (HTTP 403): instance metadata is turned off here");
  } else if (settings.v1_disabled) {
    return destination_error(what + " gave no session token (HTTP " + std::to_string(token->status) +
                             ") and AWS_EC2_METADATA_V1_DISABLED forbids asking without one");
  }
  auto get = [&](const std::string& path) -> Result<std::string> {
    http::HttpRequest r = request("GET", path);
    if (!session_token.empty()) r.headers.push_back({"X-aws-ec2-metadata-token", session_token});
    auto response = sender.send(r);
    if (!response.ok()) return response.status().prefixed(what + ": ");
    if (response->status == 404)
      return destination_error(what + ": this instance has no IAM role (HTTP 404 for " + path +
                               "): attach an instance profile, or give credentials another way");
    if (response->status != 200)
      return destination_error(what + " answered HTTP " + std::to_string(response->status) + " for " + path);
    return std::move(response->body);
  };
  const std::string base = "/latest/meta-data/iam/security-credentials/";
  S3DEST_ASSIGN_OR_RETURN(std::string role, get(base));
  role = role.substr(0, role.find_first_of("\r\n"));
  if (role.empty() || role.find('/') != std::string::npos)
    return destination_error(what + " names no usable IAM role: attach an instance profile");
  S3DEST_ASSIGN_OR_RETURN(const std::string json, get(base + uri_encode(role)));
  return parse_credentials_json(json, what + " (role " + printable(role, 128) + ")");
}

}  // namespace s3dest::aws
