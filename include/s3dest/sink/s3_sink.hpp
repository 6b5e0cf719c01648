// Objects in an S3 bucket. An object that stays under the part size goes up in one
// PutObject when it is committed; one that grows past it becomes a multipart upload as it
// is written, a part at a time, so a writer holds at most about one part in memory.
// commit() completes the upload (the object appears whole); abort() aborts it (nothing
// appears, S3 frees the parts); remove() deletes a committed object, to undo a failed run.
//
// Every request is signed with its body's SHA-256, which S3 checks (a corrupted body is
// refused); the object's checksum of the `checksum` key is computed as the bytes pass and
// reported in the manifest. Parts go up one after another, on the thread that writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/aws/sse.hpp"
#include "s3dest/core/object_sink.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/sink/object_checksum.hpp"

namespace s3dest {

struct S3SinkOptions {
  uint64_t part_bytes = uint64_t{8} << 20;  // config part_size_mb; S3 wants at least 5 MiB
  std::vector<aws::HttpHeader> object_headers;  // sent with every new object: encryption
  ChecksumAlgorithm checksum = ChecksumAlgorithm::crc32c;
};

class S3Sink final : public ObjectSink {
 public:
  S3Sink(std::shared_ptr<s3::ObjectClient> client, S3SinkOptions options)
      : client_(std::move(client)), options_(std::move(options)) {}

  Result<std::unique_ptr<ObjectWriter>> create(const std::string& key) override;
  Status remove(const std::string& key) override { return client_->delete_object(key); }
  std::string describe(const std::string& key) const override { return client_->describe(key); }
  uint64_t open_object_memory() const override { return options_.part_bytes; }

 private:
  std::shared_ptr<s3::ObjectClient> client_;
  S3SinkOptions options_;
};

namespace detail {

inline std::string unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

class S3ObjectWriter final : public ObjectWriter {
 public:
  S3ObjectWriter(std::shared_ptr<s3::ObjectClient> client, const S3SinkOptions& options, std::string key)
      : client_(std::move(client)), options_(options), key_(std::move(key)), checksum_(options.checksum) {}
  ~S3ObjectWriter() override { abort(); }

  Status write(std::string_view bytes) override {
    checksum_.update(bytes);
    size_ += bytes.size();
    buffer_.append(bytes);
    if (buffer_.size() >= options_.part_bytes) return send_part();
    return {};
  }
  uint64_t size() const override { return size_; }

  Result<ObjectInfo> commit() override {
    ObjectInfo info;
    info.key = key_;
    info.bytes = size_;
    if (upload_id_.empty()) {
      S3DEST_ASSIGN_OR_RETURN(const aws::HttpResponse put, client_->put_object(key_, buffer_, options_.object_headers));
      if (const std::string* etag = put.find_header("ETag")) info.etag = unquoted(*etag);
    } else {
      if (!buffer_.empty()) S3DEST_TRY(send_part());
      S3DEST_ASSIGN_OR_RETURN(const aws::HttpResponse done,
                              client_->complete_multipart_upload(key_, upload_id_, part_etags_));
      upload_id_.clear();
      auto document = aws::parse_xml(done.body);
      if (document.ok()) info.etag = unquoted(document->child_text("ETag"));
      if (info.etag.empty()) {  // some servers (radosgw) leave it out: ask for it
        S3DEST_ASSIGN_OR_RETURN(const aws::HttpResponse head, client_->head_object(key_));
        if (const std::string* etag = head.find_header("ETag")) info.etag = unquoted(*etag);
      }
    }
    buffer_.clear();
    info.checksum = checksum_.text();
    return info;
  }

  void abort() override {
    if (!upload_id_.empty()) (void)client_->abort_multipart_upload(key_, upload_id_);
    upload_id_.clear();
    std::string().swap(buffer_);
  }

 private:
  Status send_part() {
    if (upload_id_.empty()) {
      S3DEST_ASSIGN_OR_RETURN(upload_id_, client_->create_multipart_upload(key_, options_.object_headers));
    }
    S3DEST_ASSIGN_OR_RETURN(std::string etag, client_->upload_part(key_, upload_id_,
                                                                   static_cast<int>(part_etags_.size() + 1), buffer_));
    part_etags_.push_back(std::move(etag));
    buffer_.clear();
    return {};
  }

  std::shared_ptr<s3::ObjectClient> client_;
  const S3SinkOptions& options_;
  std::string key_;
  ObjectChecksum checksum_;
  uint64_t size_ = 0;
  std::string buffer_;
  std::string upload_id_;  // set once the object became a multipart upload
  std::vector<std::string> part_etags_;
};

}  // namespace detail

inline Result<std::unique_ptr<ObjectWriter>> S3Sink::create(const std::string& key) {
  return std::unique_ptr<ObjectWriter>(std::make_unique<detail::S3ObjectWriter>(client_, options_, key));
}

}  // namespace s3dest
