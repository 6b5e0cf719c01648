// s3dest sign: shows every step of a SigV4 signature, for when a server refuses one.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/aws/sigv4.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/crypto/digest.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/format/json_lines_encoder.hpp"
#include "common.hpp"
#include "options.hpp"

namespace s3dest::tool {

struct SignArgs {
  std::string method, url, region, service, time, access_key, secret_key, session_token, body_file;
  std::string format = "text";
  std::string presign;  // seconds, as given; empty: sign with an Authorization header
  std::vector<std::string> headers;
  bool unsigned_payload = false;
  bool no_normalize = false;
};

// A secret on the command line shows in the process list: without --secret-key it comes
// from AWS_SECRET_ACCESS_KEY, and with "--secret-key -" (or no key and standard input
// not a terminal) from the first line of standard input.
inline void take_secret_from_elsewhere(std::string& secret_key) {
  if (secret_key.empty())
    if (const char* env = std::getenv("AWS_SECRET_ACCESS_KEY"); env && *env) secret_key = env;
  if (secret_key == "-" || (secret_key.empty() && !::isatty(0))) {
    secret_key.clear();
    for (int c = std::getchar(); c != EOF && c != '\n'; c = std::getchar()) secret_key.push_back(static_cast<char>(c));
    if (!secret_key.empty() && secret_key.back() == '\r') secret_key.pop_back();
  }
}

// Every option of sign; the ones without a default are required.
inline std::string parse_sign_args(const std::vector<std::string>& args, SignArgs& out) {
  Options options;
  options.value("--method", out.method).value("--url", out.url).value("--region", out.region);
  options.value("--service", out.service).value("--time", out.time).value("--access-key", out.access_key);
  options.value("--secret-key", out.secret_key).value("--session-token", out.session_token);
  options.value("--body-file", out.body_file).value("--presign", out.presign).value("--format", out.format);
  options.values("--header", out.headers).flag("--unsigned-payload", out.unsigned_payload);
  options.flag("--no-normalize", out.no_normalize);
  if (std::string error = options.parse(args, "s3dest sign"); !error.empty()) return error;
  take_secret_from_elsewhere(out.secret_key);
  const std::pair<const char*, const std::string*> required[] = {
      {"--method M", &out.method},        {"--url URL", &out.url},
      {"--region R", &out.region},        {"--service S", &out.service},
      {"--time YYYYMMDDTHHMMSSZ", &out.time}, {"--access-key K", &out.access_key},
      {"--secret-key S", &out.secret_key}};
  for (const auto& [option, field] : required)
    if (field->empty())
      return std::string(option) + " is required" +
             (field == &out.secret_key ? " (or AWS_SECRET_ACCESS_KEY, or the key on standard input with --secret-key -, "
                                         "so that it does not show in the process list)"
                                       : "");
  if (out.format != "text" && out.format != "json") return "--format is text or json, not \"" + out.format + "\"";
  if (!out.body_file.empty() && out.unsigned_payload)
    return "--body-file and --unsigned-payload exclude each other: the payload is either hashed or not";
  return "";
}

// The payload hash of --body-file, read in slices: the body may be an object of gigabytes.
inline Result<std::string> file_sha256(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return usage_error("cannot read --body-file " + path + ": check the path");
  Digest digest = Digest::sha256();
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) digest.update(std::string_view(buf, n));
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return usage_error("reading --body-file " + path + " failed");
  return to_hex(digest.finish());
}

// The request as the signer sees it: method, path and query from --url, the --header
// lines, and Host unless one was given.
inline Result<aws::SignableRequest> signable_request(const SignArgs& a, const UrlParts& url) {
  aws::SignableRequest request;
  request.method = a.method;
  request.path = url.path;
  request.query = url.query;
  for (const std::string& header : a.headers) {
    const size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      return usage_error("--header takes \"Name: value\" (a name, a colon, the value); one of them has no name");
    request.headers.push_back({header.substr(0, colon), header.substr(colon + 1)});
  }
  if (request.find_header("host") == nullptr) request.headers.insert(request.headers.begin(), {"Host", url.host_header()});
  return request;
}

// What the payload is signed as: a presigned S3 URL's body is UNSIGNED-PAYLOAD (S3 reads
// it so), an x-amz-content-sha256 header given is the hash, else the body's hash.
inline Result<std::string> payload_hash(const SignArgs& a, const aws::SignableRequest& request, bool presigned_s3) {
  std::optional<std::string> preset;
  if (const std::string* value = request.find_header("x-amz-content-sha256")) {
    const size_t first = value->find_first_not_of(" \t"), last = value->find_last_not_of(" \t");
    preset = first == std::string::npos ? "" : value->substr(first, last - first + 1);
  }
  if (presigned_s3) {
    if (!a.body_file.empty())
      return usage_error("--body-file does not apply to a presigned S3 URL (S3 signs its body as UNSIGNED-PAYLOAD): "
                         "drop --body-file");
    return preset ? *preset : std::string(aws::kUnsignedPayload);
  }
  if (a.unsigned_payload) return std::string(aws::kUnsignedPayload);
  if (!a.body_file.empty()) return file_sha256(a.body_file);
  return preset ? *preset : aws::payload_sha256("");
}

inline Result<aws::SigningConfig> signing_config(const SignArgs& a, const aws::SignableRequest& request) {
  const auto time = aws::parse_amz_date(a.time);
  if (!time) return usage_error("--time takes YYYYMMDDTHHMMSSZ in UTC, as in 20150830T123600Z, not \"" + a.time + "\"");
  aws::SigningConfig config;
  config.region = a.region;
  config.service = a.service;
  config.time = *time;
  // S3 signs the path as sent; other services normalise it unless asked not to.
  const bool s3 = a.service == "s3";
  config.path_rule = s3 || a.no_normalize ? aws::PathRule::s3 : aws::PathRule::generic;
  const bool presign = !a.presign.empty();
  S3DEST_ASSIGN_OR_RETURN(config.payload_hash, payload_hash(a, request, presign && s3));
  config.add_content_sha256_header = s3 && !presign;
  return config;
}

inline Result<int64_t> presign_seconds(const std::string& text) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return usage_error("--presign takes the URL's lifetime in seconds (1 to 604800), not \"" + text + "\"");
  return std::stoll(text);
}

// The steps of a signature and what it yields (`result_name`: the URL, or the
// Authorization header), as text or as one JSON object.
inline std::string signature_report(const aws::SignatureSteps& steps, const std::string& format,
                                    const char* result_name, const std::string& result, const std::string& text_tail) {
  if (format == "text")
    return "Canonical request:\n" + steps.canonical_request + "\n\nString to sign:\n" + steps.string_to_sign +
           "\n\nSignature: " + steps.signature + "\n\n" + text_tail;
  std::string out = "{\n";
  const std::pair<const char*, const std::string*> fields[] = {{"canonical_request", &steps.canonical_request},
                                                               {"string_to_sign", &steps.string_to_sign},
                                                               {"signature", &steps.signature},
                                                               {result_name, &result}};
  for (const auto& [key, value] : fields) {
    out += out.size() > 2 ? ",\n  \"" : "  \"";
    out += key;
    out += "\": ";
    append_json_string(out, *value);
  }
  return out + "\n}\n";
}

inline Result<std::string> sign_or_presign(const SignArgs& a) {
  auto parsed_url = split_url(a.url);
  if (!parsed_url.ok()) return parsed_url.status().prefixed("--url: ");
  const UrlParts& url = *parsed_url;
  S3DEST_ASSIGN_OR_RETURN(const aws::SignableRequest request, signable_request(a, url));
  S3DEST_ASSIGN_OR_RETURN(const aws::SigningConfig config, signing_config(a, request));
  const aws::Credentials credentials{a.access_key, a.secret_key, a.session_token};
  if (!a.presign.empty()) {
    S3DEST_ASSIGN_OR_RETURN(const int64_t expires, presign_seconds(a.presign));
    S3DEST_ASSIGN_OR_RETURN(const aws::PresignedRequest presigned,
                            aws::presign_request(request, credentials, config, expires));
    const std::string full = url.scheme + "://" + url.authority + presigned.target();
    return signature_report(presigned, a.format, "url", full, "URL: " + full + "\n");
  }
  S3DEST_ASSIGN_OR_RETURN(const aws::HeaderSignature signature, aws::sign_request(request, credentials, config));
  std::string headers = "Headers to add:\n";
  for (const auto& h : signature.headers) headers += h.name + ": " + h.value + "\n";
  return signature_report(signature, a.format, "authorization", signature.authorization, headers);
}

inline int run_sign(const std::vector<std::string>& args) {
  SignArgs a;
  if (const std::string error = parse_sign_args(args, a); !error.empty()) return usage(error);
  auto report = sign_or_presign(a);
  if (!report.ok()) return report.status().kind() == ErrorKind::usage ? usage(report.status().message()) : fail(report.status());
  std::fwrite(report->data(), 1, report->size(), stdout);
  return 0;
}

}  // namespace s3dest::tool
