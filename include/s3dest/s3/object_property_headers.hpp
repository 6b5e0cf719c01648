// The request headers that give a new object its properties (core/object_properties.hpp):
// sent on PutObject and CreateMultipartUpload, which is where S3 takes them for the whole
// object; never on UploadPart.
//
//   Content-Type: text/csv
//   Content-Encoding: gzip
//   x-amz-storage-class: STANDARD_IA
//   x-amz-acl: bucket-owner-full-control
//   x-amz-tagging: dataset=ds1&day=2024-01-02      (names and values URI-encoded)
//   x-amz-meta-team: data                          (one per metadata name)
//
// Only what is set is sent: empty properties give no header at all.
#pragma once

#include <string>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/core/object_properties.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::s3 {

std::vector<http::HttpHeader> object_property_headers(const ObjectProperties& properties);

// The x-amz-tagging value: "k=v&k2=v2", each name and value URI-encoded.
std::string tagging_header_value(const std::vector<std::pair<std::string, std::string>>& tags);

// ---------------------------------------------------------------------------------------
// Implementation.

inline std::string tagging_header_value(const std::vector<std::pair<std::string, std::string>>& tags) {
  std::string value;
  for (const auto& [name, text] : tags) {
    if (!value.empty()) value.push_back('&');
    aws::append_uri_encoded(value, name);
    value.push_back('=');
    aws::append_uri_encoded(value, text);
  }
  return value;
}

inline std::vector<http::HttpHeader> object_property_headers(const ObjectProperties& properties) {
  std::vector<http::HttpHeader> headers;
  const auto add = [&headers](const char* name, const std::string& value) {
    if (!value.empty()) headers.push_back({name, value});
  };
  add("Content-Type", properties.content_type);
  add("Content-Encoding", properties.content_encoding);
  add("x-amz-storage-class", properties.storage_class);
  add("x-amz-acl", properties.canned_acl);
  add("x-amz-tagging", tagging_header_value(properties.tags));
  for (const auto& [name, value] : properties.metadata) headers.push_back({"x-amz-meta-" + name, value});
  return headers;
}

}  // namespace s3dest::s3
