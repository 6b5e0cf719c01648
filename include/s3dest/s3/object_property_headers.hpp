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
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/core/object_properties.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::s3 {

// A user metadata NAME goes as the header x-amz-meta-NAME.
inline constexpr std::string_view kMetadataHeaderPrefix = "x-amz-meta-";

// The metadata header that names the run that wrote an object: the name the config may
// not take (core/object_properties.hpp), as a header.
inline constexpr std::string_view kRunMetadataHeader = "x-amz-meta-s3dest-run";
static_assert(kRunMetadataHeader.substr(0, kMetadataHeaderPrefix.size()) == kMetadataHeaderPrefix &&
                  kRunMetadataHeader.substr(kMetadataHeaderPrefix.size()) == kRunMetadataName,
              "the run's metadata header is x-amz-meta- and kRunMetadataName");
static_assert(kRunMetadataBytes == kRunMetadataName.size() + kRunIdBytes, "its value is a run id");

// Whether the object a HEAD describes was written by run `run_id` (its metadata says so).
inline bool written_by_run(const http::HttpResponse& head, const std::string& run_id) {
  const std::string* run = head.find_header(kRunMetadataHeader);
  return !run_id.empty() && run != nullptr && *run == run_id;
}

std::vector<http::HttpHeader> object_property_headers(const ObjectProperties& properties);

// The x-amz-tagging value: "k=v&k2=v2", each name and value URI-encoded.
std::string tagging_header_value(const std::vector<std::pair<std::string, std::string>>& tags);

// S3 refuses a request whose headers pass 8 KB. The config and the data decide the size of
// two of them, the tags (up to 10 x 384 characters, each byte beyond ASCII sent as 3) and
// the user metadata (2 KB of names and values, but each name also costs a header line):
// together they get at most this many bytes, as tag_and_metadata_header_bytes counts them.
// The 2 KB left over hold s3dest's own headers: Host, Authorization (which lists every
// signed header's name), x-amz-date, x-amz-content-sha256, a checksum, encryption, storage
// class, ACL, Content-Type and Content-Encoding.
inline constexpr size_t kMaxTagAndMetadataHeaderBytes = 6144;

// The bytes the x-amz-tagging and x-amz-meta-* headers of an object with these tags and
// metadata (names without "x-amz-meta-") add to its PutObject or CreateMultipartUpload:
// each header as sent, "name: value\r\n", the tags URI-encoded, and its name again in
// the signature's list of signed headers. s3dest's own x-amz-meta-s3dest-run included.
size_t tag_and_metadata_header_bytes(const std::vector<std::pair<std::string, std::string>>& tags,
                                     const std::vector<std::pair<std::string, std::string>>& metadata);

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

namespace detail {

// A header as sent ("name: value\r\n") and its name in SignedHeaders ("name;").
constexpr size_t signed_header_bytes(size_t name_bytes, size_t value_bytes) {
  return name_bytes + 2 + value_bytes + 2 + name_bytes + 1;
}

}  // namespace detail

inline size_t tag_and_metadata_header_bytes(const std::vector<std::pair<std::string, std::string>>& tags,
                                            const std::vector<std::pair<std::string, std::string>>& metadata) {
  constexpr size_t run_name = kMetadataHeaderPrefix.size() + kRunMetadataName.size();
  size_t bytes = detail::signed_header_bytes(run_name, kRunMetadataBytes - kRunMetadataName.size());
  if (!tags.empty()) bytes += detail::signed_header_bytes(13, tagging_header_value(tags).size());  // x-amz-tagging
  for (const auto& [name, value] : metadata)
    bytes += detail::signed_header_bytes(kMetadataHeaderPrefix.size() + name.size(), value.size());
  return bytes;
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
  for (const auto& [name, value] : properties.metadata) headers.push_back({std::string(kMetadataHeaderPrefix) + name, value});
  return headers;
}

}  // namespace s3dest::s3
