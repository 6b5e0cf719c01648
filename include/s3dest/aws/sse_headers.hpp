// The request headers that ask S3 to encrypt an object at rest. They are x-amz-* headers,
// so they are signed with the request (add them before signing).
//
//   auto headers = aws::sse_headers(aws::ServerSideEncryption::kms_key, "arn:aws:kms:...:key/1111");
//   for (auto& h : *headers) request.headers.push_back(h);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest::aws {

enum class ServerSideEncryption {
  s3,       // SSE-S3: x-amz-server-side-encryption: AES256
  kms,      // SSE-KMS with the account's AWS-managed key: aws:kms
  kms_key,  // SSE-KMS with a customer-managed key: aws:kms and the key's id or ARN
  none,     // no header: the bucket's default encryption applies
};

inline constexpr std::string_view kSseHeader = "x-amz-server-side-encryption";
inline constexpr std::string_view kSseKmsKeyHeader = "x-amz-server-side-encryption-aws-kms-key-id";

// The headers for `mode`; `kms_key_id` is needed by kms_key and refused by the others.
Result<std::vector<HttpHeader>> sse_headers(ServerSideEncryption mode, std::string_view kms_key_id = "");

}  // namespace s3dest::aws

namespace s3dest::aws {

inline Result<std::vector<HttpHeader>> sse_headers(ServerSideEncryption mode, std::string_view kms_key_id) {
  if (mode != ServerSideEncryption::kms_key && !kms_key_id.empty())
    return usage_error("a KMS key id is only used with SSE-KMS and a customer-managed key (sse-kms-cmk)");
  switch (mode) {
    case ServerSideEncryption::s3:
      return std::vector<HttpHeader>{{std::string(kSseHeader), "AES256"}};
    case ServerSideEncryption::kms:
      return std::vector<HttpHeader>{{std::string(kSseHeader), "aws:kms"}};
    case ServerSideEncryption::kms_key:
      if (kms_key_id.empty()) return usage_error("SSE-KMS with a customer-managed key needs the key's id or ARN");
      for (const char c : kms_key_id) {
        const auto b = static_cast<unsigned char>(c);
        if (b <= 0x20 || b >= 0x7F)
          return usage_error("the KMS key id holds a space or a character outside printable ASCII: check it");
      }
      return std::vector<HttpHeader>{{std::string(kSseHeader), "aws:kms"},
                                     {std::string(kSseKmsKeyHeader), std::string(kms_key_id)}};
    case ServerSideEncryption::none:
      return std::vector<HttpHeader>{};
  }
  return internal_error("unknown server-side encryption mode");
}

}  // namespace s3dest::aws
