// Server-side encryption for S3 writes: the request headers each `encryption` setting
// of the config sends with PutObject / CreateMultipartUpload, and the check of the
// headers S3 answers with, which say what was really applied.
//
//   sse-s3       x-amz-server-side-encryption: AES256
//   sse-kms      x-amz-server-side-encryption: aws:kms           (the AWS-managed key)
//   sse-kms-cmk  x-amz-server-side-encryption: aws:kms
//                x-amz-server-side-encryption-aws-kms-key-id: <the key's ARN or id>
//   none         no header: the bucket's default encryption applies
// (Amazon S3 API reference, PutObject.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/untrusted_text.hpp"

namespace s3dest {

// The config's `encryption`.
enum class Encryption { sse_s3, sse_kms, sse_kms_cmk, none };

}  // namespace s3dest

namespace s3dest::aws {

// The headers a write sends; `kms_key_id` is used by sse-kms-cmk only.
std::vector<http::HttpHeader> sse_request_headers(Encryption encryption, std::string_view kms_key_id);

// Checks a write's (or HEAD's) response headers against the setting: ok if the object is
// encrypted as asked; otherwise an error that says what came back and what to check.
// With `none` anything is accepted. A KMS key given as an ARN matches a response naming
// the same ARN; one given as a bare id matches an ARN ending in "key/<id>".
Status check_sse_response(Encryption encryption, std::string_view kms_key_id,
                          const std::vector<http::HttpHeader>& response_headers);

namespace detail {

constexpr std::string_view kSseHeader = "x-amz-server-side-encryption";
constexpr std::string_view kSseKmsKeyHeader = "x-amz-server-side-encryption-aws-kms-key-id";

inline bool same_kms_key(std::string_view asked, std::string_view answered) {
  if (asked == answered) return true;
  const std::string suffix = "key/" + std::string(asked);
  return asked.find(':') == std::string_view::npos && answered.size() > suffix.size() &&
         answered.substr(answered.size() - suffix.size()) == suffix;
}

}  // namespace detail

inline std::vector<http::HttpHeader> sse_request_headers(Encryption encryption, std::string_view kms_key_id) {
  switch (encryption) {
    case Encryption::sse_s3: return {{std::string(detail::kSseHeader), "AES256"}};
    case Encryption::sse_kms: return {{std::string(detail::kSseHeader), "aws:kms"}};
    case Encryption::sse_kms_cmk:
      return {{std::string(detail::kSseHeader), "aws:kms"},
              {std::string(detail::kSseKmsKeyHeader), std::string(kms_key_id)}};
    case Encryption::none: return {};
  }
  return {};
}

inline Status check_sse_response(Encryption encryption, std::string_view kms_key_id,
                                 const std::vector<http::HttpHeader>& response_headers) {
  if (encryption == Encryption::none) return {};
  const std::string* algorithm = http::find_header(response_headers, detail::kSseHeader);
  const std::string_view wanted = encryption == Encryption::sse_s3 ? "AES256" : "aws:kms";
  if (!algorithm)
    return destination_error("the server did not confirm server-side encryption (no x-amz-server-side-encryption "
                             "header in its answer; asked for " + std::string(wanted) +
                             "): check that the endpoint supports SSE, or set \"encryption\": \"none\"");
  if (*algorithm != wanted)
    return destination_error("the server encrypted with " + printable(*algorithm, 64) + ", not " + std::string(wanted) +
                             " as \"encryption\" asks: check the bucket's encryption settings");
  if (encryption != Encryption::sse_kms_cmk) return {};
  const std::string* key = http::find_header(response_headers, detail::kSseKmsKeyHeader);
  if (!key || !detail::same_kms_key(kms_key_id, *key))
    return destination_error("the server encrypted with KMS key " + (key ? printable(*key, 256) : std::string("(none named)")) +
                             ", not \"" + std::string(kms_key_id) +
                             "\" from \"encryption_key\": check the key's ARN and the bucket's policy");
  return {};
}

}  // namespace s3dest::aws
