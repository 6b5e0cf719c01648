// STS: AssumeRole and GetCallerIdentity (signed, service "sts") and
// AssumeRoleWithWebIdentity (unsigned), as form-encoded POSTs to the regional endpoint
// https://sts.{region}.amazonaws.com or to an endpoint given; role chains of any length;
// providers that renew the sessions.
//
//   aws::StsSettings sts{"eu-west-1", ""};
//   auto chain = aws::make_role_chain(base, {{"arn:aws:iam::111111111111:role/broker", "s3dest", "ext-1"},
//                                            {"arn:aws:iam::222222222222:role/writer", "s3dest", "ext-2"}},
//                                     transport, sts);
//   auto credentials = chain->credentials();   // base -> broker -> writer, renewed in time
//
// Errors say what to fix: a refused AssumeRole names the role and points at its trust
// policy and the ExternalId; both error shapes (STS's <ErrorResponse><Error> and the
// S3-style <Error> that radosgw and others send) are read. Messages never hold a secret.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/refreshing_credentials.hpp"
#include "s3dest/aws/service_error.hpp"
#include "s3dest/aws/signed_exchange.hpp"
#include "s3dest/aws/sigv4.hpp"
#include "s3dest/aws/xml.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::aws {

inline constexpr std::string_view kStsApiVersion = "2011-06-15";
// STS caps a session reached through another role's session (role chaining) at one hour.
inline constexpr int kMaxChainedSessionSeconds = 3600;

struct StsSettings {
  std::string region = "us-east-1";  // signs the requests, and names the regional endpoint
  std::string endpoint;              // "http://127.0.0.1:7480"; empty: https://sts.{region}.amazonaws.com
  http::RetryPolicy retry;
  std::chrono::milliseconds timeout{30000};  // each attempt
};

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name = "s3dest";
  std::string external_id;     // empty: none sent
  int duration_seconds = 3600;  // 900 to 43200; chained sessions are capped at 3600
};

// The URL STS requests go to; refuses a region that could not be part of a host name.
Result<std::string> sts_endpoint_url(const StsSettings& settings);

// Refuses (usage error, exit 2) what STS would refuse for its form: a role ARN that is not
// one, a session name or ExternalId with characters STS does not take, a duration out of
// range.
Status check_assume_role_params(const AssumeRoleParams& params);

// The form body of AssumeRole and of AssumeRoleWithWebIdentity.
std::string assume_role_form(const AssumeRoleParams& params);
std::string web_identity_form(const AssumeRoleParams& params, std::string_view token);

// Assumes `params.role_arn` with `caller`'s credentials. `caller_description` (where
// those came from) goes into error messages. The request is signed at clock()'s time, and
// signed afresh for each retry.
Result<Credentials> assume_role(http::HttpSender& sender, const Credentials& caller, const AssumeRoleParams& params,
                                const StsSettings& settings, std::string_view caller_description = "",
                                const std::function<int64_t()>& clock = unix_now);

// AssumeRoleWithWebIdentity: the OIDC token is the proof, so the request is not signed.
// `token_source` names where the token came from, for messages.
Result<Credentials> assume_role_with_web_identity(http::HttpSender& sender, std::string_view token,
                                                  const AssumeRoleParams& params, const StsSettings& settings,
                                                  std::string_view token_source = "");

// Credentials from a successful reply of `action` ("AssumeRole", ...).
Result<Credentials> parse_sts_credentials(std::string_view body, std::string_view action);

// Who a set of credentials is (GetCallerIdentity), for `s3dest policy`'s principals.
struct CallerIdentity {
  std::string arn;      // "arn:aws:iam::111111111111:user/loader", or a role session's
                        // "arn:aws:sts::111111111111:assumed-role/NAME/SESSION"
  std::string account;  // "111111111111"
  std::string user_id;  // "AIDA...", or "AROA...:SESSION" for a role session
};

// GetCallerIdentity with `caller`'s credentials, signed like AssumeRole. STS lets any
// valid credentials ask it: no IAM permission is needed.
Result<CallerIdentity> get_caller_identity(http::HttpSender& sender, const Credentials& caller,
                                           const StsSettings& settings, std::string_view caller_description = "",
                                           const std::function<int64_t()>& clock = unix_now);

// The identity in a successful GetCallerIdentity reply.
Result<CallerIdentity> parse_caller_identity(std::string_view body);

// A provider that assumes a role with the credentials `source` gives and renews the
// session before it expires. When the source credentials carry a session token (the
// caller is itself a role session: a chained session), the duration is capped at one
// hour, as STS requires.
std::shared_ptr<CredentialsProvider> make_assume_role_provider(std::shared_ptr<CredentialsProvider> source,
                                                               AssumeRoleParams params,
                                                               std::shared_ptr<http::HttpSender> sender,
                                                               StsSettings settings,
                                                               std::function<int64_t()> clock = unix_now);

// source -> hops[0] -> hops[1] -> ...: each hop assumed with the previous hop's session,
// each with its own ExternalId. With no hops, `source` itself. Every hop is checked now.
Result<std::shared_ptr<CredentialsProvider>> make_role_chain(std::shared_ptr<CredentialsProvider> source,
                                                             std::vector<AssumeRoleParams> hops,
                                                             std::shared_ptr<http::HttpSender> sender, StsSettings settings,
                                                             std::function<int64_t()> clock = unix_now);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline bool is_sts_id_char(char c, std::string_view extra) {
  const auto b = static_cast<unsigned char>(c);
  if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || c == '_') return true;
  return extra.find(c) != std::string_view::npos;
}

// What a server said, fit for a message (printable()), with the caller's own secrets cut
// out first should a server ever echo them.
inline std::string server_text(std::string text, const Credentials* caller) {
  if (caller != nullptr)
    for (const std::string* secret : {&caller->secret_access_key, &caller->session_token}) {
      if (secret->size() < 8) continue;
      for (size_t at; (at = text.find(*secret)) != std::string::npos;) text.replace(at, secret->size(), "[redacted]");
    }
  return printable(text);
}

inline std::string describe_reply(int status, const ServiceError& error, const Credentials* caller) {
  std::string out = "HTTP " + std::to_string(status);
  if (!error.code.empty()) out += " " + printable(error.code, 64);
  const std::string message = server_text(error.message, caller);
  if (!message.empty()) out += ": " + message;
  return out;
}

// The message for an STS error reply: what happened, and what to change.
inline Status sts_error(std::string_view action, const http::HttpResponse& response, const AssumeRoleParams& params,
                        const Credentials* caller, std::string_view caller_description, std::string_view token_source) {
  const ServiceError error = parse_service_error(response.body);
  const std::string reply = describe_reply(response.status, error, caller);
  const std::string role = "role " + params.role_arn;
  const std::string from = caller_description.empty() ? "" : " (credentials from " + std::string(caller_description) + ")";
  const std::string& code = error.code;
  const bool web = action == "AssumeRoleWithWebIdentity";
  if (code == "AccessDenied" || (code.empty() && response.status == 403)) {
    if (web)
      return destination_error(std::string(action) + " of " + role + " was refused (" + reply +
                               "): check that the role's trust policy allows the web identity provider that issued "
                               "the token" + (token_source.empty() ? "" : " in " + std::string(token_source)) +
                               ", and the token's audience and subject");
    return destination_error(
        "AssumeRole of " + role + " was refused" + from + " (" + reply +
        "): check that the role's trust policy allows this caller to assume it (sts:AssumeRole), and that its "
        "sts:ExternalId condition matches the external_id given (" +
        (params.external_id.empty() ? "no ExternalId was sent" : "an ExternalId was sent") + ")");
  }
  if (code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "IncompleteSignature" ||
      code == "MissingAuthenticationToken" || code == "UnrecognizedClientException" || code == "InvalidAccessKeyId")
    return destination_error(std::string(action) + " of " + role + ": STS refused the caller's credentials" + from +
                             " (" + reply + "): check the access key id and secret access key (and session token)");
  if (code == "ExpiredToken" || code == "ExpiredTokenException" || code == "RequestExpired")
    return destination_error(std::string(action) + " of " + role + ": the " +
                             (web ? "web identity token" : std::string("caller's session")) + " has expired" + from +
                             " (" + reply + "): get fresh credentials" +
                             (web ? "" : ", and check that this machine's clock is right"));
  if (code == "InvalidIdentityToken" || code == "IDPRejectedClaim")
    return destination_error(std::string(action) + " of " + role + ": the web identity token" +
                             (token_source.empty() ? "" : " in " + std::string(token_source)) + " was refused (" +
                             reply + "): check the token file and the role's OIDC provider");
  if (code == "RegionDisabledException")
    return destination_error(std::string(action) + " of " + role + " (" + reply +
                             "): STS is not activated in this region; activate it in the IAM account settings, or "
                             "set region or sts_endpoint to a region where it is");
  if (code == "ValidationError" || code == "MalformedPolicyDocument" || code == "PackedPolicyTooLarge")
    return destination_error(std::string(action) + " of " + role + " was refused as invalid (" + reply +
                             "): check the role ARN, the session name and the duration (at most the role's maximum "
                             "session duration, and 3600 s for a chained role)");
  if (is_throttling_code(code) || http::is_retryable_status(response.status))
    return destination_error(std::string(action) + " of " + role + ": STS is busy or unavailable (" + reply +
                             "), even after retries: try again later");
  if (code.empty())
    return destination_error(std::string(action) + " of " + role + ": the server answered " + reply.substr(0, 8) +
                             " without an STS error document: check that sts_endpoint points at an STS service");
  return destination_error(std::string(action) + " of " + role + " failed (" + reply + ")");
}

inline Result<http::HttpRequest> sts_request(const StsSettings& settings, std::string body) {
  S3DEST_ASSIGN_OR_RETURN(const std::string url, sts_endpoint_url(settings));
  S3DEST_ASSIGN_OR_RETURN(const UrlParts parts, split_url(url));
  http::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {{"Host", parts.host_header()},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = std::move(body);
  request.timeout = settings.timeout;
  return request;
}

inline bool sts_retryable(const http::HttpResponse& response) {
  if (response.status < 400) return false;
  const std::string code = parse_service_error(response.body).code;
  return is_throttling_code(code) || code == "IDPCommunicationError";
}

// POSTs `body` to STS signed with `caller`'s credentials (service "sts"), signed afresh
// for each retry.
inline Result<http::HttpResponse> send_signed_sts(http::HttpSender& sender, const Credentials& caller,
                                                  const StsSettings& settings, const std::string& body,
                                                  const std::function<int64_t()>& clock) {
  S3DEST_ASSIGN_OR_RETURN(const http::HttpRequest request, sts_request(settings, body));
  SigningConfig signing;
  signing.region = settings.region;
  signing.service = "sts";
  signing.path_rule = PathRule::generic;
  signing.payload_hash = payload_sha256(body);
  const SignedSender signed_sender{sender, settings.retry, [&]() -> Result<Credentials> { return caller; }, clock,
                                   nullptr, sts_retryable};
  return signed_sender.send(request, signing);
}

}  // namespace detail

inline Result<std::string> sts_endpoint_url(const StsSettings& settings) {
  if (!settings.endpoint.empty()) {
    S3DEST_TRY(split_url(settings.endpoint).status());
    return settings.endpoint;
  }
  if (settings.region.empty()) return usage_error("no region for STS: set region (as in us-east-1) or sts_endpoint");
  for (const char c : settings.region)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return usage_error("the region \"" + settings.region + "\" is not a region name (as in us-east-1)");
  const bool china = settings.region.rfind("cn-", 0) == 0;
  return "https://sts." + settings.region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

inline Status check_assume_role_params(const AssumeRoleParams& p) {
  if (p.role_arn.rfind("arn:", 0) != 0 || p.role_arn.find(":role/") == std::string::npos)
    return usage_error("\"" + p.role_arn + "\" is not a role ARN: it looks like arn:aws:iam::123456789012:role/NAME");
  if (p.session_name.size() < 2 || p.session_name.size() > 64)
    return usage_error("the role session name \"" + p.session_name + "\" must be 2 to 64 characters long");
  for (const char c : p.session_name)
    if (!detail::is_sts_id_char(c, "+=,.@-"))
      return usage_error("the role session name \"" + p.session_name +
                         "\" may hold only letters, digits and _+=,.@-");
  if (!p.external_id.empty()) {
    // Not shown: an ExternalId is a shared secret of sorts, kept out of output.
    if (p.external_id.size() < 2 || p.external_id.size() > 1224)
      return usage_error("the external_id for " + p.role_arn + " must be 2 to 1224 characters long");
    for (const char c : p.external_id)
      if (!detail::is_sts_id_char(c, "+=,.@:/-"))
        return usage_error("the external_id for " + p.role_arn + " may hold only letters, digits and _+=,.@:/-");
  }
  if (p.duration_seconds < 900 || p.duration_seconds > 43200)
    return usage_error("a role session lasts 900 to 43200 seconds, not " + std::to_string(p.duration_seconds));
  return {};
}

inline std::string assume_role_form(const AssumeRoleParams& p) {
  std::string body = "Action=AssumeRole&Version=" + std::string(kStsApiVersion) + "&RoleArn=" + uri_encode(p.role_arn) +
                     "&RoleSessionName=" + uri_encode(p.session_name) +
                     "&DurationSeconds=" + std::to_string(p.duration_seconds);
  if (!p.external_id.empty()) body += "&ExternalId=" + uri_encode(p.external_id);
  return body;
}

inline std::string web_identity_form(const AssumeRoleParams& p, std::string_view token) {
  return "Action=AssumeRoleWithWebIdentity&Version=" + std::string(kStsApiVersion) +
         "&RoleArn=" + uri_encode(p.role_arn) + "&RoleSessionName=" + uri_encode(p.session_name) +
         "&DurationSeconds=" + std::to_string(p.duration_seconds) + "&WebIdentityToken=" + uri_encode(token);
}

inline Result<Credentials> parse_sts_credentials(std::string_view body, std::string_view action) {
  const std::string what = "the STS " + std::string(action) + " reply";
  auto document = parse_xml(body);
  if (!document.ok()) return document.status().prefixed(what + " is ");
  const XmlElement* c = document->find({std::string(action) + "Result", "Credentials"});
  if (c == nullptr) return destination_error(what + " holds no credentials");
  Credentials out{c->child_text("AccessKeyId"), c->child_text("SecretAccessKey"), c->child_text("SessionToken")};
  if (out.access_key_id.empty() || out.secret_access_key.empty() || out.session_token.empty())
    return destination_error(what + " lacks the access key id, secret key or session token");
  const auto expiration = parse_expiration(c->child_text("Expiration"));
  if (!expiration) return destination_error(what + " has no readable Expiration");
  out.expiration = *expiration;
  return out;
}

inline Result<Credentials> assume_role(http::HttpSender& sender, const Credentials& caller, const AssumeRoleParams& params,
                                       const StsSettings& settings, std::string_view caller_description,
                                       const std::function<int64_t()>& clock) {
  S3DEST_TRY(check_assume_role_params(params));
  auto response = detail::send_signed_sts(sender, caller, settings, assume_role_form(params), clock);
  if (!response.ok())
    return response.status().prefixed("AssumeRole of role " + params.role_arn + ": cannot reach STS: ");
  if (response->status != 200)
    return detail::sts_error("AssumeRole", *response, params, &caller, caller_description, "");
  return parse_sts_credentials(response->body, "AssumeRole");
}

inline Result<CallerIdentity> parse_caller_identity(std::string_view body) {
  const std::string what = "the STS GetCallerIdentity reply";
  auto document = parse_xml(body);
  if (!document.ok()) return document.status().prefixed(what + " is ");
  const XmlElement* result = document->find({"GetCallerIdentityResult"});
  if (result == nullptr) return destination_error(what + " holds no GetCallerIdentityResult");
  CallerIdentity out{result->child_text("Arn"), result->child_text("Account"), result->child_text("UserId")};
  if (out.arn.rfind("arn:", 0) != 0) return destination_error(what + " holds no Arn");
  return out;
}

inline Result<CallerIdentity> get_caller_identity(http::HttpSender& sender, const Credentials& caller,
                                                  const StsSettings& settings, std::string_view caller_description,
                                                  const std::function<int64_t()>& clock) {
  const std::string body = "Action=GetCallerIdentity&Version=" + std::string(kStsApiVersion);
  auto response = detail::send_signed_sts(sender, caller, settings, body, clock);
  const std::string from = caller_description.empty() ? "" : " (credentials from " + std::string(caller_description) + ")";
  if (!response.ok()) return response.status().prefixed("GetCallerIdentity" + from + ": cannot reach STS: ");
  if (response->status != 200) {
    const ServiceError error = parse_service_error(response->body);
    return destination_error("GetCallerIdentity" + from + " failed (" +
                             detail::describe_reply(response->status, error, &caller) + ")");
  }
  return parse_caller_identity(response->body);
}

inline Result<Credentials> assume_role_with_web_identity(http::HttpSender& sender, std::string_view token,
                                                         const AssumeRoleParams& params, const StsSettings& settings,
                                                         std::string_view token_source) {
  S3DEST_TRY(check_assume_role_params(params));
  if (token.empty() || token.size() > 20000)
    return usage_error("the web identity token" + (token_source.empty() ? "" : " in " + std::string(token_source)) +
                       " is empty or longer than 20000 characters");
  S3DEST_ASSIGN_OR_RETURN(const http::HttpRequest request, detail::sts_request(settings, web_identity_form(params, token)));
  auto response = http::send_with_retries(sender, settings.retry, [&]() -> Result<http::HttpRequest> { return request; },
                                    detail::sts_retryable);
  if (!response.ok())
    return response.status().prefixed("AssumeRoleWithWebIdentity of role " + params.role_arn + ": cannot reach STS: ");
  if (response->status != 200)
    return detail::sts_error("AssumeRoleWithWebIdentity", *response, params, nullptr, "", token_source);
  return parse_sts_credentials(response->body, "AssumeRoleWithWebIdentity");
}

inline std::shared_ptr<CredentialsProvider> make_assume_role_provider(std::shared_ptr<CredentialsProvider> source,
                                                                      AssumeRoleParams params,
                                                                      std::shared_ptr<http::HttpSender> sender,
                                                                      StsSettings settings,
                                                                      std::function<int64_t()> clock) {
  std::string description = "role " + params.role_arn + " (AssumeRole with credentials from " + source->describe() + ")";
  auto fetch = [source, params, sender, settings, clock]() -> Result<Credentials> {
    S3DEST_ASSIGN_OR_RETURN(const Credentials caller, source->credentials());
    AssumeRoleParams hop = params;
    if (!caller.session_token.empty()) hop.duration_seconds = std::min(hop.duration_seconds, kMaxChainedSessionSeconds);
    return assume_role(*sender, caller, hop, settings, source->describe(), clock);
  };
  return std::make_shared<RefreshingCredentialsProvider>(std::move(description), std::move(fetch), clock);
}

inline Result<std::shared_ptr<CredentialsProvider>> make_role_chain(std::shared_ptr<CredentialsProvider> source,
                                                                    std::vector<AssumeRoleParams> hops,
                                                                    std::shared_ptr<http::HttpSender> sender,
                                                                    StsSettings settings,
                                                                    std::function<int64_t()> clock) {
  S3DEST_TRY(sts_endpoint_url(settings).status());
  std::shared_ptr<CredentialsProvider> at = std::move(source);
  for (size_t i = 0; i < hops.size(); ++i) {
    AssumeRoleParams& hop = hops[i];
    // Every hop after the first is assumed with a role session: a chained session.
    if (i > 0) hop.duration_seconds = std::min(hop.duration_seconds, kMaxChainedSessionSeconds);
    S3DEST_TRY(check_assume_role_params(hop));
    at = make_assume_role_provider(at, std::move(hop), sender, settings, clock);
  }
  return at;
}

}  // namespace s3dest::aws
