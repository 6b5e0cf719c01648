// s3dest sign: shows every step of a SigV4 signature, for when a server refuses one.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/aws/sigv4.hpp"
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
  if (std::string error = options.parse(args, "sign"); !error.empty()) return error;
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

inline Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage_error("cannot read --body-file " + path + ": check the path");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return usage_error("reading --body-file " + path + " failed");
  return bytes;
}

inline int run_sign(const std::vector<std::string>& args) {
  SignArgs a;
  if (const std::string error = parse_sign_args(args, a); !error.empty()) return usage(error);

  auto url = split_url(a.url);
  if (!url.ok()) return fail(url.status().prefixed("--url: "));
  aws::SignableRequest request;
  request.method = a.method;
  request.path = url->path;
  request.query = url->query;
  for (const std::string& header : a.headers) {
    const size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      return usage("--header takes \"Name: value\" (a name, a colon, the value); one of them has no name");
    request.headers.push_back({header.substr(0, colon), header.substr(colon + 1)});
  }
  if (request.find_header("host") == nullptr) request.headers.insert(request.headers.begin(), {"Host", url->host_header()});

  const auto time = aws::parse_amz_date(a.time);
  if (!time) return usage("--time takes YYYYMMDDTHHMMSSZ in UTC, as in 20150830T123600Z, not \"" + a.time + "\"");
  const bool presign = !a.presign.empty();
  int64_t expires = 0;
  if (presign) {
    if (a.presign.size() > 12 || a.presign.find_first_not_of("0123456789") != std::string::npos)
      return usage("--presign takes the URL's lifetime in seconds (1 to 604800), not \"" + a.presign + "\"");
    expires = std::stoll(a.presign);
  }

  aws::SigningConfig config;
  config.region = a.region;
  config.service = a.service;
  config.time = *time;
  // S3 signs the path as sent; other services normalise it unless asked not to.
  const bool s3 = a.service == "s3";
  config.path_rule = s3 || a.no_normalize ? aws::PathRule::s3 : aws::PathRule::generic;
  std::optional<std::string> preset_hash;  // an x-amz-content-sha256 header given is the payload hash
  if (const std::string* value = request.find_header("x-amz-content-sha256")) {
    const size_t first = value->find_first_not_of(" \t"), last = value->find_last_not_of(" \t");
    preset_hash = first == std::string::npos ? "" : value->substr(first, last - first + 1);
  }
  if (presign && s3) {
    // S3 reads a presigned request's body as UNSIGNED-PAYLOAD: hashing one would only
    // make a URL it refuses.
    if (!a.body_file.empty())
      return usage("--body-file does not apply to a presigned S3 URL (S3 signs its body as UNSIGNED-PAYLOAD): "
                   "drop --body-file");
    config.payload_hash = preset_hash ? *preset_hash : std::string(aws::kUnsignedPayload);
  } else if (a.unsigned_payload) {
    config.payload_hash = std::string(aws::kUnsignedPayload);
  } else if (!a.body_file.empty()) {
    auto body = read_whole_file(a.body_file);
    if (!body.ok()) return fail(body.status());
    config.payload_hash = aws::payload_sha256(*body);
  } else {
    config.payload_hash = preset_hash ? *preset_hash : aws::payload_sha256("");
  }
  config.add_content_sha256_header = s3 && !presign;
  const aws::Credentials credentials{a.access_key, a.secret_key, a.session_token};

  std::string out;
  const auto field = [&](const char* key, const std::string& value, bool last) {
    out += "  \"";
    out += key;
    out += "\": ";
    append_json_string(out, value);
    out += last ? "\n" : ",\n";
  };
  const auto steps_text = [&](const aws::SignatureSteps& steps) {
    out += "Canonical request:\n" + steps.canonical_request + "\n\nString to sign:\n" + steps.string_to_sign +
           "\n\nSignature: " + steps.signature + "\n\n";
  };
  if (presign) {
    auto signed_url = aws::presign_request(request, credentials, config, expires);
    if (!signed_url.ok()) return fail(signed_url.status());
    const std::string full = url->scheme + "://" + url->authority + signed_url->target();
    if (a.format == "json") {
      out += "{\n";
      field("canonical_request", signed_url->canonical_request, false);
      field("string_to_sign", signed_url->string_to_sign, false);
      field("signature", signed_url->signature, false);
      field("url", full, true);
      out += "}\n";
    } else {
      steps_text(*signed_url);
      out += "URL: " + full + "\n";
    }
  } else {
    auto signed_request = aws::sign_request(request, credentials, config);
    if (!signed_request.ok()) return fail(signed_request.status());
    if (a.format == "json") {
      out += "{\n";
      field("canonical_request", signed_request->canonical_request, false);
      field("string_to_sign", signed_request->string_to_sign, false);
      field("signature", signed_request->signature, false);
      field("authorization", signed_request->authorization, true);
      out += "}\n";
    } else {
      steps_text(*signed_request);
      out += "Headers to add:\n";
      for (const auto& h : signed_request->headers) out += h.name + ": " + h.value + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace s3dest::tool
