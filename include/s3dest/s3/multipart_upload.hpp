// One multipart upload, parts travelling in the background while the caller fills the
// next: each part goes to a TaskPool with its checksum (computed there, off the caller's
// thread); complete() waits for them all and lists them; abort() waits for the ones in
// flight (a part still travelling would outlive the abort) and aborts the upload, so S3
// frees what it holds. An upload neither completed nor aborted is aborted when destroyed.
//
//   S3DEST_ASSIGN_OR_RETURN(auto upload, s3::MultipartUpload::start(client, key, headers, checksum));
//   S3DEST_TRY(upload->send_part(std::move(first_part), pool));   // returns at once
//   S3DEST_TRY(upload->send_part(std::move(last_part), pool));
//   S3DEST_ASSIGN_OR_RETURN(auto done, upload->complete_if_absent());  // nullopt: the key exists
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/whole_io.hpp"
#include "s3dest/crypto/base64.hpp"
#include "s3dest/crypto/digest.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/s3/object_checksum.hpp"
#include "s3dest/s3/object_client.hpp"

namespace s3dest {

// S3's limits on multipart uploads.
inline constexpr uint64_t kMinPartBytes = uint64_t{5} << 20;  // all parts but the last
inline constexpr uint64_t kMaxPartBytes = uint64_t{5} << 30;
inline constexpr uint32_t kMaxParts = 10000;
inline constexpr uint64_t kMaxObjectBytes = uint64_t{5} << 40;  // 5 TiB

// `headers` with the request header that carries a body's checksum (`raw`, from
// body_checksum; none for "none").
std::vector<http::HttpHeader> with_checksum(std::vector<http::HttpHeader> headers, ChecksumAlgorithm algorithm,
                                            std::string_view raw);

}  // namespace s3dest

namespace s3dest::s3 {

// A range of an open file, sent as a part straight from the file: read once to hash it
// (SHA-256 for the signature, and the part's checksum) and again as it goes out, never
// held whole. The descriptor must stay open until the upload is completed or aborted.
struct FilePart {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// A file being uploaded from could not be read: `what` (a part of an object, or the
// object) and why, from read_in_blocks's `err`.
inline Status file_part_read_error(const std::string& what, int err) {
  return input_error(what + ": the file could not be read (" + read_failure_text(err) +
                     "): was it changed or removed while it was uploaded?");
}

class MultipartUpload {
 public:
  // CreateMultipartUpload of `key` with `headers` (and the checksum algorithm declared).
  static Result<std::unique_ptr<MultipartUpload>> start(std::shared_ptr<ObjectClient> client, std::string key,
                                                        std::vector<http::HttpHeader> headers,
                                                        ChecksumAlgorithm checksum);
  ~MultipartUpload() { abort(); }
  MultipartUpload(const MultipartUpload&) = delete;
  MultipartUpload& operator=(const MultipartUpload&) = delete;

  // Hands `body` to `pool` as the next part and returns. Fails at once when an earlier
  // part failed (the upload is lost) or when S3's 10,000 parts are spent.
  Status send_part(std::string body, TaskPool& pool);
  // The same for a part read from a file (see FilePart).
  Status send_file_part(FilePart part, TaskPool& pool);
  uint32_t parts_sent() const { return parts_sent_; }

  // Waits for every part, then CompleteMultipartUpload (with If-None-Match: * for
  // complete_if_absent, whose nullopt says the key held an object already).
  Result<http::HttpResponse> complete();
  Result<std::optional<http::HttpResponse>> complete_if_absent();

  // The checksum of the parts' checksums ("...-N"), as CompleteMultipartUpload names it.
  std::string composite_checksum() const;
  // The whole object's checksum, "crc32c:<base64>", combined from the parts' CRCs once
  // they have all gone (after complete()); empty for md5 and none.
  std::string whole_checksum() const;

  void abort();
  // The upload is known to be complete (an attempt whose reply was lost completed it):
  // nothing is left to complete or abort.
  void forget() { id_.clear(); }

 private:
  // What the upload tasks share with the upload: ETags and checksums by part number, the
  // first failure, and how many parts are still out.
  struct PartsInFlight {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<UploadedPart> parts;
    std::vector<std::string> raw_checksums;
    Status first_error;
    int pending = 0;
  };

  MultipartUpload(std::shared_ptr<ObjectClient> client, std::string key, std::string id, ChecksumAlgorithm checksum)
      : client_(std::move(client)), key_(std::move(key)), id_(std::move(id)), checksum_(checksum),
        parts_(std::make_shared<PartsInFlight>()) {}

  Status wait_for_parts();
  // Makes room for the next part; fails when an earlier one failed. Returns its number.
  Result<int> next_part(uint64_t size);
  static void upload_part(const std::shared_ptr<ObjectClient>& client, const std::string& key, const std::string& id,
                          int number, const std::string& body, ChecksumAlgorithm algorithm, PartsInFlight& parts);
  static void upload_file_part(const std::shared_ptr<ObjectClient>& client, const std::string& key,
                               const std::string& id, int number, FilePart file, ChecksumAlgorithm algorithm,
                               PartsInFlight& parts);
  // Records a part's outcome (ETag or failure) and its raw checksum.
  static void part_done(PartsInFlight& parts, int number, Result<std::string> etag, UploadedPart part,
                        std::string raw);

  std::shared_ptr<ObjectClient> client_;
  std::string key_;
  std::string id_;  // cleared once completed or aborted
  ChecksumAlgorithm checksum_;
  std::shared_ptr<PartsInFlight> parts_;
  uint32_t parts_sent_ = 0;
  std::vector<uint64_t> part_sizes_;
};

}  // namespace s3dest::s3

namespace s3dest {

inline std::vector<http::HttpHeader> with_checksum(std::vector<http::HttpHeader> headers, ChecksumAlgorithm algorithm,
                                                   std::string_view raw) {
  if (algorithm == ChecksumAlgorithm::none) return headers;
  std::string value;
  append_base64(value, raw);
  headers.push_back({std::string(s3_checksum_names(algorithm).header), std::move(value)});
  return headers;
}

}  // namespace s3dest

namespace s3dest::s3 {

inline Result<std::unique_ptr<MultipartUpload>> MultipartUpload::start(std::shared_ptr<ObjectClient> client,
                                                                       std::string key,
                                                                       std::vector<http::HttpHeader> headers,
                                                                       ChecksumAlgorithm checksum) {
  const S3ChecksumNames names = s3_checksum_names(checksum);
  if (!names.algorithm.empty()) headers.push_back({"x-amz-checksum-algorithm", std::string(names.algorithm)});
  S3DEST_ASSIGN_OR_RETURN(std::string id, client->create_multipart_upload(key, std::move(headers)));
  return std::unique_ptr<MultipartUpload>(new MultipartUpload(std::move(client), std::move(key), std::move(id), checksum));
}

inline Result<int> MultipartUpload::next_part(uint64_t size) {
  if (parts_sent_ >= kMaxParts)
    return destination_error(client_->describe(key_) + " would need more than " + std::to_string(kMaxParts) +
                             " parts, which S3 does not take: set max_file_size_mb (or raise memory_limit_mb)");
  {
    std::lock_guard<std::mutex> lock(parts_->mutex);
    if (!parts_->first_error.ok()) return parts_->first_error;  // stop early: the upload is lost
    parts_->parts.emplace_back();
    parts_->raw_checksums.emplace_back();
    ++parts_->pending;
  }
  part_sizes_.push_back(size);
  return static_cast<int>(++parts_sent_);
}

inline Status MultipartUpload::send_part(std::string body, TaskPool& pool) {
  S3DEST_ASSIGN_OR_RETURN(const int number, next_part(body.size()));
  auto shared_body = std::make_shared<std::string>(std::move(body));
  pool.submit([client = client_, key = key_, id = id_, number, shared_body, parts = parts_, algorithm = checksum_] {
    upload_part(client, key, id, number, *shared_body, algorithm, *parts);
  });
  return {};
}

inline Status MultipartUpload::send_file_part(FilePart file, TaskPool& pool) {
  S3DEST_ASSIGN_OR_RETURN(const int number, next_part(file.size));
  pool.submit([client = client_, key = key_, id = id_, number, file, parts = parts_, algorithm = checksum_] {
    upload_file_part(client, key, id, number, file, algorithm, *parts);
  });
  return {};
}

inline void MultipartUpload::upload_file_part(const std::shared_ptr<ObjectClient>& client, const std::string& key,
                                              const std::string& id, int number, FilePart file,
                                              ChecksumAlgorithm algorithm, PartsInFlight& parts) {
  // First pass: the part's checksum and, where the signature covers the body, its
  // SHA-256, a block at a time.
  const bool signed_body = client->signs_checksummed_bodies() || algorithm == ChecksumAlgorithm::none;
  Digest sha256 = Digest::sha256();
  ObjectChecksum checksum(algorithm);
  const int err = read_in_blocks(file.fd, file.offset, file.size, [&](std::string_view block) {
    if (signed_body) sha256.update(block);
    checksum.update(block);
    return true;
  });
  if (err != 0) {
    const std::string what = "part " + std::to_string(number) + " of " + client->describe(key);
    part_done(parts, number, file_part_read_error(what, err), {}, {});
    return;
  }
  const std::string raw = checksum.raw();
  const S3ChecksumNames names = s3_checksum_names(algorithm);
  UploadedPart part;
  if (!raw.empty() && !names.element.empty()) {
    part.checksum_element = std::string(names.element);
    append_base64(part.checksum, raw);
  }
  // Second pass: read into libcurl's buffer as the request goes out.
  const http::BodyReader body{file.size, [file](uint64_t offset, char* out, size_t n) {
                                return read_exactly_at(file.fd, file.offset + offset, out, n) == 0;
                              }};
  const std::string payload_hash = signed_body ? to_hex(sha256.finish()) : std::string(aws::kUnsignedPayload);
  auto etag = client->upload_part(key, id, number, body, payload_hash, with_checksum({}, algorithm, raw));
  part_done(parts, number, std::move(etag), std::move(part), raw);
}

inline void MultipartUpload::part_done(PartsInFlight& parts, int number, Result<std::string> etag, UploadedPart part,
                                       std::string raw) {
  std::lock_guard<std::mutex> lock(parts.mutex);
  const auto at = static_cast<size_t>(number - 1);
  if (etag.ok()) {
    part.etag = std::move(*etag);
    parts.parts[at] = std::move(part);
    parts.raw_checksums[at] = std::move(raw);
  } else if (parts.first_error.ok()) {
    parts.first_error = etag.status();
  }
  --parts.pending;
  parts.changed.notify_all();
}

inline void MultipartUpload::upload_part(const std::shared_ptr<ObjectClient>& client, const std::string& key,
                                         const std::string& id, int number, const std::string& body,
                                         ChecksumAlgorithm algorithm, PartsInFlight& parts) {
  const std::string raw = body_checksum(algorithm, body);
  const S3ChecksumNames names = s3_checksum_names(algorithm);
  UploadedPart part;
  if (!raw.empty() && !names.element.empty()) {
    part.checksum_element = std::string(names.element);
    append_base64(part.checksum, raw);
  }
  auto etag = client->upload_part(key, id, number, body, with_checksum({}, algorithm, raw));
  part_done(parts, number, std::move(etag), std::move(part), raw);
}

inline Status MultipartUpload::wait_for_parts() {
  std::unique_lock<std::mutex> lock(parts_->mutex);
  parts_->changed.wait(lock, [this] { return parts_->pending == 0; });
  return parts_->first_error;
}

inline Result<http::HttpResponse> MultipartUpload::complete() {
  S3DEST_TRY(wait_for_parts());
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse done, client_->complete_multipart_upload(key_, id_, parts_->parts));
  id_.clear();
  return done;
}

inline Result<std::optional<http::HttpResponse>> MultipartUpload::complete_if_absent() {
  S3DEST_TRY(wait_for_parts());
  S3DEST_ASSIGN_OR_RETURN(auto done, client_->complete_multipart_upload_if_absent(key_, id_, parts_->parts));
  if (done) id_.clear();  // else the upload stays open, for complete() or abort()
  return done;
}

inline std::string MultipartUpload::composite_checksum() const {
  return s3dest::composite_checksum(checksum_, parts_->raw_checksums);
}

inline std::string MultipartUpload::whole_checksum() const {
  if (!is_crc_checksum(checksum_)) return {};
  uint32_t whole = 0;
  std::lock_guard<std::mutex> lock(parts_->mutex);
  for (size_t i = 0; i < part_sizes_.size() && i < parts_->raw_checksums.size(); ++i)
    whole = combine_crc(checksum_, whole, crc_of_bytes(parts_->raw_checksums[i]), part_sizes_[i]);
  return crc_text(checksum_, whole);
}

inline void MultipartUpload::abort() {
  if (id_.empty()) return;
  (void)wait_for_parts();
  (void)client_->abort_multipart_upload(key_, id_);
  id_.clear();
}

}  // namespace s3dest::s3
