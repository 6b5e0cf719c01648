// The error document an AWS service answers with, in both shapes: STS's
// <ErrorResponse><Error><Code/><Message/></Error></ErrorResponse> and S3's bare <Error>
// (which radosgw and the other S3-compatible servers send too).
//
//   const aws::ServiceError error = aws::parse_service_error(response.body);
//   if (error.code == "NoSuchBucket") ...
#pragma once

#include <string>
#include <string_view>

#include "s3dest/aws/xml.hpp"

namespace s3dest::aws {

// Code and message as the server wrote them (untrusted: printable() before showing them).
struct ServiceError {
  std::string code;     // empty when the body is no error document
  std::string message;
};

ServiceError parse_service_error(std::string_view body);

// The error codes AWS services use for "slow down": worth a retry after a wait.
bool is_throttling_code(std::string_view code);

}  // namespace s3dest::aws

namespace s3dest::aws {

inline ServiceError parse_service_error(std::string_view body) {
  auto document = parse_xml(body);
  if (!document.ok()) return {};
  const XmlElement* error = document->local_name() == "Error" ? &*document : document->child("Error");
  if (error == nullptr) return {};
  return {error->child_text("Code"), error->child_text("Message")};
}

inline bool is_throttling_code(std::string_view code) {
  for (const std::string_view c : {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
                                   "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
                                   "SlowDown", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded",
                                   "PriorRequestNotComplete", "EC2ThrottledException"})
    if (code == c) return true;
  return false;
}

}  // namespace s3dest::aws
