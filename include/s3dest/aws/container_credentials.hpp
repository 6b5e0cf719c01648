// Credentials from the ECS (and EKS Pod Identity) container credentials endpoint:
//   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI  a path on http://169.254.170.2
//   AWS_CONTAINER_CREDENTIALS_FULL_URI      a whole URL: https, or http to a loopback
//                                           address or the ECS/EKS link-local agents
//   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE  the Authorization header's value, read anew
//   AWS_CONTAINER_AUTHORIZATION_TOKEN       each time (EKS rotates the file), or given
// The reply is JSON: {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/environment.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/http/retry_policy.hpp"

namespace s3dest::aws {

inline constexpr std::string_view kEcsCredentialsHost = "http://169.254.170.2";

struct ContainerCredentialsSource {
  std::string url;
  std::string authorization;       // the header's value, when given directly
  std::string authorization_file;  // or a file holding it
};

// The source the environment describes, nullopt when it describes none. `relative_host`
// is where a relative URI goes (169.254.170.2; tests give a loopback server). Refuses a
// full URI that would send credentials in the clear to another machine.
Result<std::optional<ContainerCredentialsSource>> container_credentials_source(
    const Environment& env, std::string_view relative_host = kEcsCredentialsHost);

Result<Credentials> fetch_container_credentials(http::HttpSender& sender, const ContainerCredentialsSource& source);

// {"AccessKeyId": ..., "SecretAccessKey": ..., "Token": ..., "Expiration": ...}, the
// shape of both container and instance metadata credentials. `what` names the source.
Result<Credentials> parse_credentials_json(std::string_view json, const std::string& what);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

// Hosts that may be sent credentials over plain http, as the AWS SDKs allow: this machine
// (by the addresses the host really stands for), or the link-local agents of ECS
// (169.254.170.2) and EKS Pod Identity (169.254.170.23, fd00:ec2::23), written as addresses.
inline bool is_trusted_http_host(const UrlParts& url) {
  const std::string host = url.host();
  if (host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23") return true;
  return is_loopback_host(host);
}

inline Result<std::string> read_token_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return destination_error("cannot read " + std::string(what) + " " + path + ": check that the file exists");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  return token;
}

}  // namespace detail

inline Result<std::optional<ContainerCredentialsSource>> container_credentials_source(const Environment& env,
                                                                                     std::string_view relative_host) {
  ContainerCredentialsSource source;
  if (const auto relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (relative->empty() || relative->front() != '/')
      return usage_error("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path beginning with '/'");
    source.url = std::string(relative_host) + *relative;
  } else if (const auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    auto parts = split_url(*full);
    if (!parts.ok()) return parts.status().prefixed("AWS_CONTAINER_CREDENTIALS_FULL_URI: ");
    if (parts->scheme == "http" && !detail::is_trusted_http_host(*parts))
      return usage_error("AWS_CONTAINER_CREDENTIALS_FULL_URI sends credentials over plain http to " + parts->authority +
                         ": use https, or a loopback address");
    source.url = *full;
  } else {
    return std::optional<ContainerCredentialsSource>();
  }
  if (const auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) source.authorization_file = *file;
  else if (const auto token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) source.authorization = *token;
  return std::optional<ContainerCredentialsSource>(std::move(source));
}

inline Result<Credentials> parse_credentials_json(std::string_view json, const std::string& what) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(simdjson::padded_string(json)).get(object) != simdjson::SUCCESS)
    return destination_error(what + " answered with something other than a JSON object");
  auto text = [&object](const char* key) -> std::string {
    std::string_view value;
    if (object[key].get(value) != simdjson::SUCCESS) return "";
    return std::string(value);
  };
  if (const std::string code = text("Code"); !code.empty() && code != "Success")
    return destination_error(what + " reports " + code + ": " + text("Message"));
  Credentials c{text("AccessKeyId"), text("SecretAccessKey"), text("Token")};
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return destination_error(what + " answered without AccessKeyId and SecretAccessKey");
  if (const std::string expiration = text("Expiration"); !expiration.empty()) {
    const auto seconds = parse_expiration(expiration);
    if (!seconds) return destination_error(what + " gave an Expiration that is not an RFC 3339 time");
    c.expiration = *seconds;
  }
  return c;
}

inline Result<Credentials> fetch_container_credentials(http::HttpSender& sender, const ContainerCredentialsSource& source) {
  const std::string what = "the container credentials endpoint " + http::url_without_query(source.url);
  http::HttpRequest request;
  request.url = source.url;
  request.timeout = std::chrono::seconds(2);
  S3DEST_ASSIGN_OR_RETURN(const UrlParts parts, split_url(source.url));
  request.headers.push_back({"Host", parts.host_header()});
  std::string authorization = source.authorization;
  if (!source.authorization_file.empty()) {
    S3DEST_ASSIGN_OR_RETURN(authorization,
                            detail::read_token_file(source.authorization_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
  }
  for (const char c : authorization)
    if (c == '\r' || c == '\n') return usage_error("the container authorization token holds a line break");
  if (!authorization.empty()) request.headers.push_back({"Authorization", authorization});
  http::RetryPolicy policy;
  policy.max_attempts = 3;
  auto response = http::send_with_retries(sender, policy, [&]() -> Result<http::HttpRequest> { return request; });
  if (!response.ok()) return response.status().prefixed("no credentials from the container: ");
  if (response->status != 200)
    return destination_error(what + " answered HTTP " + std::to_string(response->status) +
                             (response->status == 401 || response->status == 403
                                  ? ": check AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)"
                                  : ": check the task's (or pod's) role"));
  return parse_credentials_json(response->body, what);
}

}  // namespace s3dest::aws
