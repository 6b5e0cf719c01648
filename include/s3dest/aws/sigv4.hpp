// AWS Signature Version 4: signs a request with an Authorization header, or presigns it
// as a URL whose query carries the signature.
//
//   aws::SignableRequest request{"GET", "/my-bucket/key.csv", "", {{"Host", "s3.us-east-1.amazonaws.com"}}};
//   aws::SigningConfig config = aws::s3_signing_config("us-east-1", now_seconds);
//   auto signed_request = aws::sign_request(request, credentials, config);
//   if (!signed_request.ok()) return signed_request.status();
//   for (const auto& h : signed_request->headers) add_header(h.name, h.value);
//
// Signing takes four steps (aws-c-auth's names): canonical request (canonical_request.hpp),
// string to sign, signing key (signing_key.hpp, cached), signature. Every intermediate is
// returned, so a refused signature can be compared with what the server says it expected.
// Streaming uploads (aws-chunked bodies) are in streaming_payload.hpp. Signing functions
// may run on many threads at once: they share only the key cache, which locks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/signing_key.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/crypto/digest.hpp"
#include "s3dest/crypto/hmac.hpp"

namespace s3dest::aws {

inline constexpr std::string_view kSigningAlgorithm = "AWS4-HMAC-SHA256";
// The payload hash of a request whose body is not signed (S3 over TLS, presigned URLs).
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// A presigned URL lasts at most seven days: SigV4 refuses a longer X-Amz-Expires.
inline constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;
// The last second X-Amz-Date can name, 9999-12-31T23:59:59Z: it has four digits for the
// year. Signing times run from 0 to this.
inline constexpr int64_t kLastAmzSecond = 253402300799;

// What varies between signatures besides the request and the keys.
struct SigningConfig {
  std::string region;   // "us-east-1"
  std::string service;  // "s3", "sts", ...
  int64_t time = 0;     // the signing time in Unix seconds (UTC): X-Amz-Date and the key's day
  PathRule path_rule = PathRule::generic;
  // The body's SHA-256 in lower-case hex (payload_sha256), or kUnsignedPayload, or one
  // of the streaming values of streaming_payload.hpp. Empty: the hash of an empty body.
  std::string payload_hash;
  // Send the payload hash as x-amz-content-sha256 (and sign it). S3 requires it on every
  // Authorization-header request; presigned URLs never carry it.
  bool add_content_sha256_header = false;
  // False: X-Amz-Security-Token is added after signing, outside the signature, for the
  // few services that want it so. S3 and STS sign it.
  bool sign_session_token = true;
};

// S3's rules: the path as given, x-amz-content-sha256 sent, UNSIGNED-PAYLOAD until the
// caller sets payload_hash to the body's hash.
SigningConfig s3_signing_config(std::string region, int64_t time);

// The steps of one signature, each as the server rebuilds it.
struct SignatureSteps {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // 64 lower-case hex digits
  std::string amz_date;          // "20150830T123600Z"
  std::string credential_scope;  // "20150830/us-east-1/service/aws4_request"
  std::string signed_headers;    // "host;x-amz-date"
};

struct HeaderSignature : SignatureSteps {
  std::string authorization;  // the Authorization header's value
  // Headers to add to the request, in this order: X-Amz-Date, X-Amz-Security-Token (with
  // a session token), x-amz-content-sha256 (when asked for), Authorization.
  std::vector<http::HttpHeader> headers;
};

struct PresignedRequest : SignatureSteps {
  std::string path;   // for the request line: the path as given, percent-encoded where needed
  std::string query;  // the request's parameters and the X-Amz-* ones, X-Amz-Signature last
  std::string target() const { return path + "?" + query; }
};

// Signs with an Authorization header. The request must carry Host and no Authorization;
// X-Amz-Date, X-Amz-Security-Token or x-amz-content-sha256 already present must match
// what the signer would add.
Result<HeaderSignature> sign_request(const SignableRequest& request, const Credentials& credentials,
                                     const SigningConfig& config);

// Signs into the query (a presigned URL) valid for `expires_seconds`, 1 to
// kMaxPresignSeconds. The request's headers (Host at least) are signed and must be sent
// as they are; its query must not already hold X-Amz-* signing parameters.
Result<PresignedRequest> presign_request(const SignableRequest& request, const Credentials& credentials,
                                         const SigningConfig& config, int64_t expires_seconds);

// The lower-case hex SHA-256 of a body, as payload_hash wants it.
std::string payload_sha256(std::string_view body);

// "YYYYMMDDTHHMMSSZ" (X-Amz-Date) from Unix seconds (0 to kLastAmzSecond), and back;
// nullopt for text that is not such a time.
std::string format_amz_date(int64_t unix_seconds);
std::optional<int64_t> parse_amz_date(std::string_view text);

// The credential scope, "20150830/us-east-1/s3/aws4_request": the X-Amz-Date's day, the
// config's region and service. Both signatures and streaming chunk signatures name it.
std::string credential_scope(std::string_view amz_date, const SigningConfig& config);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline constexpr std::string_view kSigningQueryParameters[] = {
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",           "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"};

// `what` goes into the scope, where '/' separates the parts. The value is shown only
// when `show` is set: keys given in the wrong order would put the secret in the message.
inline Status check_scope_part(std::string_view what, std::string_view value, bool show) {
  for (const char c : value) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F || c == '/')
      return usage_error(std::string(what) + (show ? " \"" + std::string(value) + "\"" : std::string()) +
                         " holds a space, '/' or a character outside printable ASCII: check it");
  }
  return {};
}

// Everything that would make a signature no server accepts, refused before signing.
// Messages never show the secret key or the session token.
inline Status check_signing_inputs(const SignableRequest& request, const Credentials& credentials,
                                   const SigningConfig& config) {
  if (!http::is_token(request.method))
    return usage_error("the HTTP method \"" + request.method + "\" is not a method name (GET, PUT, POST, ...)");
  if (request.path.empty() || request.path.front() != '/')
    return usage_error("the request path \"" + request.path + "\" must begin with '/'");
  if (config.region.empty()) return usage_error("no region to sign for: give one, as in us-east-1");
  if (config.service.empty()) return usage_error("no service to sign for: give one, as in s3 or sts");
  S3DEST_TRY(check_scope_part("the region", config.region, true));
  S3DEST_TRY(check_scope_part("the service", config.service, true));
  if (credentials.access_key_id.empty()) return usage_error("no access key id to sign with");
  S3DEST_TRY(check_scope_part("the access key id", credentials.access_key_id, false));
  if (credentials.secret_access_key.empty()) return usage_error("no secret access key to sign with");
  if (config.time < 0 || config.time > kLastAmzSecond)
    return usage_error("the signing time must lie between 1970 and 9999");
  if (request.find_header("host") == nullptr)
    return usage_error("the request has no Host header: add it (SigV4 always signs the host)");
  if (request.find_header("authorization") != nullptr)
    return usage_error("the request already has an Authorization header: remove it, the signer makes it");
  for (const char c : config.payload_hash) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x21 || b > 0x7E) return usage_error("the payload hash holds a space or a control character");
  }
  for (const char c : credentials.session_token) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) return usage_error("the session token holds a control character: check how it was copied");
  }
  return {};
}

// A header the signer adds must agree with one the caller already set.
inline Status check_preset_header(const SignableRequest& request, std::string_view name, std::string_view expected,
                                  std::string_view what) {
  const std::string* value = request.find_header(name);
  if (value && http::fold_header_value(*value) != expected)
    return usage_error("the request's " + std::string(name) + " header differs from " + std::string(what) +
                       ": remove it and let the signer add it");
  return {};
}

inline std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                                  std::string_view canonical_request) {
  std::string out(kSigningAlgorithm);
  out.push_back('\n');
  out.append(amz_date).push_back('\n');
  out.append(scope).push_back('\n');
  append_hex(out, sha256(canonical_request));
  return out;
}

// The steps shared by both forms, from the headers and query parameters to sign.
inline SignatureSteps sign_steps(const SignableRequest& request, const CanonicalHeaders& canonical,
                                 std::vector<QueryParameter> parameters, const Credentials& credentials,
                                 const SigningConfig& config, std::string_view payload_hash, std::string amz_date,
                                 std::string scope) {
  SignatureSteps steps;
  steps.canonical_request = canonical_request(request.method, canonical_path(request.path, config.path_rule),
                                              canonical_query(std::move(parameters)), canonical, payload_hash);
  steps.string_to_sign = string_to_sign(amz_date, scope, steps.canonical_request);
  const std::string key = signing_key_cache().get(credentials.secret_access_key, std::string_view(amz_date).substr(0, 8),
                                                  config.region, config.service);
  steps.signature = to_hex(hmac_sha256(key, steps.string_to_sign));
  steps.amz_date = std::move(amz_date);
  steps.credential_scope = std::move(scope);
  steps.signed_headers = canonical.signed_headers;
  return steps;
}

}  // namespace detail

inline std::string credential_scope(std::string_view amz_date, const SigningConfig& config) {
  return std::string(amz_date.substr(0, 8)) + "/" + config.region + "/" + config.service + "/aws4_request";
}

inline SigningConfig s3_signing_config(std::string region, int64_t time) {
  SigningConfig config;
  config.region = std::move(region);
  config.service = "s3";
  config.time = time;
  config.path_rule = PathRule::s3;
  config.payload_hash = std::string(kUnsignedPayload);
  config.add_content_sha256_header = true;
  return config;
}

inline std::string payload_sha256(std::string_view body) { return to_hex(sha256(body)); }

inline std::string format_amz_date(int64_t unix_seconds) {
  const CivilDateTime t = civil_from_micros(unix_seconds * kMicrosPerSecond);
  std::string out;
  out.reserve(16);
  append_zero_padded(out, t.date.year, 4);
  for (const unsigned v : {t.date.month, t.date.day}) append_zero_padded(out, v, 2);
  out.push_back('T');
  for (const unsigned v : {t.hour, t.minute, t.second}) append_zero_padded(out, v, 2);
  out.push_back('Z');
  return out;
}

inline std::optional<int64_t> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  int64_t fields[6] = {};
  const size_t starts[6] = {0, 4, 6, 9, 11, 13};
  const size_t widths[6] = {4, 2, 2, 2, 2, 2};
  for (int f = 0; f < 6; ++f) {
    for (size_t i = starts[f]; i < starts[f] + widths[f]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > 31 || fields[3] > 23 || fields[4] > 59 ||
      fields[5] > 59)
    return std::nullopt;
  const int64_t days =
      days_from_civil(CivilDate{fields[0], static_cast<unsigned>(fields[1]), static_cast<unsigned>(fields[2])});
  const int64_t seconds = days * 86400 + fields[3] * 3600 + fields[4] * 60 + fields[5];
  // Formatting back catches days past the month's end (20150231 would become March 3rd).
  if (seconds < 0 || format_amz_date(seconds) != text) return std::nullopt;
  return seconds;
}

inline Result<HeaderSignature> sign_request(const SignableRequest& request, const Credentials& credentials,
                                            const SigningConfig& config) {
  S3DEST_TRY(detail::check_signing_inputs(request, credentials, config));
  const std::string amz_date = format_amz_date(config.time);
  const std::string payload_hash = config.payload_hash.empty() ? payload_sha256("") : config.payload_hash;
  S3DEST_TRY(detail::check_preset_header(request, "x-amz-date", amz_date, "the signing time"));
  if (!credentials.session_token.empty() && request.find_header("x-amz-security-token") != nullptr)
    return usage_error("the request already has an X-Amz-Security-Token header: remove it, the signer adds the "
                       "credentials' session token");
  if (config.add_content_sha256_header)
    S3DEST_TRY(detail::check_preset_header(request, "x-amz-content-sha256", payload_hash, "the payload hash signed"));

  // The headers the signer adds, and the ones it signs.
  std::vector<http::HttpHeader> added;
  if (request.find_header("x-amz-date") == nullptr) added.push_back({"X-Amz-Date", amz_date});
  const bool token = !credentials.session_token.empty();
  if (token) added.push_back({"X-Amz-Security-Token", credentials.session_token});
  if (config.add_content_sha256_header && request.find_header("x-amz-content-sha256") == nullptr)
    added.push_back({"x-amz-content-sha256", payload_hash});
  std::vector<http::HttpHeader> to_sign = request.headers;
  for (const http::HttpHeader& h : added)
    if (config.sign_session_token || h.name != "X-Amz-Security-Token") to_sign.push_back(h);

  S3DEST_ASSIGN_OR_RETURN(const CanonicalHeaders headers, canonical_headers(to_sign));
  HeaderSignature out;
  static_cast<SignatureSteps&>(out) =
      detail::sign_steps(request, headers, parse_query(request.query), credentials, config, payload_hash, amz_date,
                         credential_scope(amz_date, config));
  out.authorization = std::string(kSigningAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      out.credential_scope + ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
  out.headers = std::move(added);
  out.headers.push_back({"Authorization", out.authorization});
  return out;
}

inline Result<PresignedRequest> presign_request(const SignableRequest& request, const Credentials& credentials,
                                                const SigningConfig& config, int64_t expires_seconds) {
  if (expires_seconds < 1 || expires_seconds > kMaxPresignSeconds)
    return usage_error("a presigned URL lasts from 1 to 604800 seconds (7 days), not " +
                       std::to_string(expires_seconds) + ": SigV4 refuses longer; ask for 604800 or less");
  S3DEST_TRY(detail::check_signing_inputs(request, credentials, config));
  std::vector<QueryParameter> parameters = parse_query(request.query);
  for (const QueryParameter& p : parameters)
    for (const std::string_view name : detail::kSigningQueryParameters)
      if (http::equals_ignoring_case(p.name, name))
        return usage_error("the URL already holds " + std::string(name) +
                           ": it is presigned already; give the URL without its X-Amz-* parameters");

  const std::string amz_date = format_amz_date(config.time);
  const std::string payload_hash = config.payload_hash.empty() ? payload_sha256("") : config.payload_hash;
  std::string scope = credential_scope(amz_date, config);
  // The signed header names go into the query, so they are worked out first.
  S3DEST_ASSIGN_OR_RETURN(const CanonicalHeaders headers, canonical_headers(request.headers));
  const bool token = !credentials.session_token.empty();
  parameters.push_back({"X-Amz-Algorithm", std::string(kSigningAlgorithm)});
  parameters.push_back({"X-Amz-Credential", uri_encode(credentials.access_key_id + "/" + scope)});
  parameters.push_back({"X-Amz-Date", amz_date});
  parameters.push_back({"X-Amz-Expires", std::to_string(expires_seconds)});
  parameters.push_back({"X-Amz-SignedHeaders", uri_encode(headers.signed_headers)});
  if (token && config.sign_session_token)
    parameters.push_back({"X-Amz-Security-Token", uri_encode(credentials.session_token)});

  PresignedRequest out;
  static_cast<SignatureSteps&>(out) =
      detail::sign_steps(request, headers, parameters, credentials, config, payload_hash, amz_date, std::move(scope));
  // The path goes out as S3 signs it: as given, encoded only where it must be.
  out.path = canonical_path(request.path, PathRule::s3);
  out.query = canonical_query(std::move(parameters));
  if (token && !config.sign_session_token) out.query += "&X-Amz-Security-Token=" + uri_encode(credentials.session_token);
  out.query += "&X-Amz-Signature=" + out.signature;
  return out;
}

}  // namespace s3dest::aws
