// A copy of an object, made on the server, whatever its size: CopyObject up to 5 GiB;
// above, a multipart upload whose parts are copied from ranges of the source
// (UploadPartCopy), created with the source's Content-* headers and metadata as its HEAD
// shows them, which is what CopyObject carries over. S3 copies no tags into a multipart
// upload, so a copy above 5 GiB has none.
//
//   auto head = client.head_object("day/a.csv");
//   auto copied = s3::copy_whole_object(client, "day/a.csv", *head, "day/.a.csv.kept", headers);
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/numbers.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/s3/object_property_headers.hpp"

namespace s3dest::s3 {

// The largest object CopyObject copies in one request.
inline constexpr uint64_t kMaxCopyBytes = uint64_t{5} << 30;
// Each part of a larger copy: 5 TiB, S3's largest object, in 5,120 parts.
inline constexpr uint64_t kCopyPartBytes = uint64_t{1} << 30;

// Copies `source`, whose HEAD is `source_head`, to `key`; `headers` add what a copy does
// not carry over (encryption, storage class, ACL). The reply of the request that made
// the copy (its x-amz-version-id, in a versioned bucket); nothing where the server cannot
// copy that object (ObjectClient::copy_object).
Result<std::optional<http::HttpResponse>> copy_whole_object(ObjectClient& client, std::string_view source,
                                                            const http::HttpResponse& source_head,
                                                            std::string_view key,
                                                            std::vector<http::HttpHeader> headers);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {

// The headers of a HEAD that a CopyObject would carry to the copy: the object's Content-*
// and Cache-Control, and its metadata.
inline std::vector<http::HttpHeader> carried_headers(const http::HttpResponse& head) {
  static constexpr std::string_view kCarried[] = {"Content-Type", "Content-Encoding", "Content-Disposition",
                                                  "Content-Language", "Cache-Control", "Expires"};
  std::vector<http::HttpHeader> headers;
  for (const http::HttpHeader& header : head.headers) {
    bool carried = http::equals_ignoring_case(std::string_view(header.name).substr(0, kMetadataHeaderPrefix.size()),
                                              kMetadataHeaderPrefix);
    for (const std::string_view name : kCarried) carried = carried || http::equals_ignoring_case(header.name, name);
    if (carried) headers.push_back(header);
  }
  return headers;
}

inline Result<std::optional<http::HttpResponse>> copy_in_parts(ObjectClient& client, std::string_view source, uint64_t size,
                                                std::string_view key, std::vector<http::HttpHeader> headers) {
  S3DEST_ASSIGN_OR_RETURN(const std::string upload_id, client.create_multipart_upload(key, std::move(headers)));
  const auto abandon = [&](const Status& failure) {
    (void)client.abort_multipart_upload(key, upload_id);  // the failure is what is told
    return failure;
  };
  std::vector<UploadedPart> parts;
  for (uint64_t first = 0; first < size; first += kCopyPartBytes) {
    const uint64_t last = std::min(size, first + kCopyPartBytes) - 1;
    auto etag = client.upload_part_copy(key, upload_id, static_cast<int>(parts.size() + 1), source, first, last);
    if (!etag.ok()) return abandon(etag.status());
    parts.push_back(UploadedPart{*etag, {}, {}});
  }
  auto done = client.complete_multipart_upload(key, upload_id, parts);
  if (!done.ok()) return abandon(done.status());
  return std::optional<http::HttpResponse>(std::move(*done));
}

}  // namespace detail

inline Result<std::optional<http::HttpResponse>> copy_whole_object(ObjectClient& client, std::string_view source,
                                                                   const http::HttpResponse& source_head,
                                                                   std::string_view key,
                                                                   std::vector<http::HttpHeader> headers) {
  const std::string* length = source_head.find_header("Content-Length");
  const std::optional<int64_t> size = length ? parse_int64(*length) : std::nullopt;
  if (!size || *size < 0)
    return destination_error("HeadObject " + client.describe(source) +
                             ": the reply names no size (Content-Length): check that the endpoint is an S3 server");
  if (static_cast<uint64_t>(*size) <= kMaxCopyBytes) return client.copy_object(source, key, std::move(headers));
  for (http::HttpHeader& header : detail::carried_headers(source_head)) headers.push_back(std::move(header));
  return detail::copy_in_parts(client, source, static_cast<uint64_t>(*size), key, std::move(headers));
}

}  // namespace s3dest::s3
