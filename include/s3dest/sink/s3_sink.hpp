// Objects in an S3 bucket. An object that stays under the part size goes up in one
// PutObject when it is committed; one that grows past it becomes a multipart upload as it
// is written: each full part is handed to the sink's upload threads (`concurrency` of
// them, shared by every object), so parts of one object, and of several, travel at once
// while the writer fills the next. commit() waits for its parts and completes the upload
// (the object appears whole); abort() aborts it (nothing appears, S3 frees the parts).
//
// Nothing that existed before the run is deleted by it: a key the run believes new is
// written with If-None-Match: * (PutObject, CompleteMultipartUpload), so an object that
// appeared since the listing is noticed where the server honours the header. rollback()
// takes back only what the run wrote. In a versioned bucket (S3 names each write's
// x-amz-version-id) it deletes the run's own versions: an object it replaced is as it was
// before, and a new key is gone without a delete marker. Elsewhere the run keeps a copy of
// each object before it replaces it (sink/kept_copy.hpp; made on copy threads from when
// the run knows it will write the key, will_write, so that commits seldom wait for it):
// rollback() copies them back and deletes the run's new objects, and drop_kept_copies()
// deletes the copies once the run has succeeded. Every object
// carries the run's id as metadata (x-amz-meta-s3dest-run), so it can be traced back, and
// the properties its NewObject names (Content-Type, storage class, ACL, tags, metadata:
// s3/object_property_headers.hpp) on PutObject or CreateMultipartUpload, never on a part.
//
// Memory: a writer fills one part; at most `concurrency` more are queued or in flight for
// the whole sink. Every request is signed with its body's SHA-256, which S3 checks (a
// corrupted body is refused), and every PutObject and UploadPart also carries the body's
// checksum of the `checksum` key (x-amz-checksum-crc32c / -crc32, or Content-MD5), so
// buckets that demand one (Object Lock) take the objects; a multipart upload declares its
// x-amz-checksum-algorithm and lists each part's checksum. What S3 answers is checked: the
// checksum a PutObject echoes must be ours, and the composite one CompleteMultipartUpload
// names (the checksum of the parts' checksums, "-N") too, and then goes to the manifest;
// elsewhere the manifest has the whole object's checksum, computed as the bytes pass.
#pragma once

#include <algorithm>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/aws/sse.hpp"
#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/whole_io.hpp"
#include "s3dest/s3/multipart_upload.hpp"
#include "s3dest/s3/object_checksum.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/s3/object_property_headers.hpp"
#include "s3dest/sink/kept_copy.hpp"

namespace s3dest {
namespace detail {
class S3ObjectWriter;
}  // namespace detail

struct S3SinkOptions {
  // The first parts' size (config part_size_mb; at least 5 MiB). Every 1,000 parts the
  // size doubles, up to max_part_bytes, so an object whose size nobody knew in advance can
  // still grow far before it would need more than 10,000 parts.
  uint64_t part_bytes = uint64_t{8} << 20;
  uint64_t max_part_bytes = uint64_t{8} << 20;
  int concurrency = 4;                       // parts uploaded at once (config concurrency)
  std::vector<http::HttpHeader> object_headers;  // sent with every new object: encryption
  ChecksumAlgorithm checksum = ChecksumAlgorithm::crc32c;
  // x-amz-meta-s3dest-run on every object and upload, and the name of the copies the run
  // keeps of what it replaces; empty: none, and no copies (a rollback names those objects)
  std::string run_id;
};

// Deletes version `version_id` of `key`, which run `run_id` wrote, then each version
// current after it that the run wrote too (a retried write whose first reply was lost
// made one more), so the key is as it was before the run. Whether an object (one from
// before the run) is current after, as far as S3 says. Fails only when the first delete
// does: what follows it is done as far as it can be.
Result<bool> delete_run_versions(s3::ObjectClient& client, const std::string& key, std::string version_id,
                                 const std::string& run_id);

class S3Sink final : public ObjectSink {
 public:
  // The client's stop flag, if any, abandons the run's uploads at once.
  S3Sink(std::shared_ptr<s3::ObjectClient> client, S3SinkOptions options);

  Result<std::unique_ptr<ObjectWriter>> create(const NewObject& object) override;
  // Starts the copy of what `object`'s key holds, if anything (keep_copy_ahead).
  void will_write(const NewObject& object) override;
  Status list(const std::string& prefix, const KeyVisitor& visit) override {
    return client_->visit_keys(prefix, visit);
  }
  Result<std::vector<std::string>> list_first(const std::string& prefix, size_t limit) override {
    return client_->list_keys(prefix, limit);
  }
  RollbackReport rollback() override;
  Status drop_kept_copies() override;
  Status remove(const std::string& key) override { return client_->delete_object(key); }
  std::vector<Status> remove_all(const std::vector<std::string>& keys) override;
  std::string describe(const std::string& key) const override { return client_->describe(key); }
  uint64_t open_object_memory() const override { return options_.part_bytes; }
  bool keeps_properties() const override { return true; }
  uint64_t max_object_bytes() const override { return kMaxObjectBytes; }
  // Small objects go up on their own threads, `concurrency` at once, as parts do.
  int commit_concurrency() const override { return options_.concurrency; }
  SinkProgress progress() const override;

 private:
  friend class detail::S3ObjectWriter;
  struct Committed {
    std::string key;
    bool replaced;
    std::string version_id;  // the run's version, in a versioned bucket; else empty
  };
  // A copy of an object the run replaces, and what the object gets back when put back
  // (its headers are made then: thousands of copies need not hold them).
  struct Kept {
    KeptCopy copy;
    std::string storage_class;
    std::string canned_acl;
  };

  // Whether the bucket keeps versions, asked once. Where S3 does not say (no
  // s3:GetBucketVersioning, or a server without the call), the run keeps copies, as it
  // would without versions: a copy too many costs less than an object lost.
  bool keeps_versions();
  // Keeps a copy of `key`'s object, which the run is about to replace, where the bucket
  // keeps no versions (sink/kept_copy.hpp); it gets `properties`' storage class and ACL
  // back when it is put back.
  Status keep_copy_of(const std::string& key, const ObjectProperties& properties);
  // The same on the copy threads, as soon as a writer is made, if the key held an object
  // when the run listed it: the copy's round trips overlap the writing of the object, and
  // its commit waits only for what is left. Whether the key held one.
  std::future<Result<bool>> keep_copy_ahead(const NewObject& object);
  // What keep_copy_ahead is doing for `object`: started by will_write, else now.
  std::future<Result<bool>> take_copy_ahead(const NewObject& object);
  // Waits for every copy under way (each is in kept_ when done) and forgets the ones no
  // writer took: before kept_ is put back or dropped.
  void settle_copies();

  std::shared_ptr<s3::ObjectClient> client_;
  S3SinkOptions options_;
  TaskPool uploads_;
  std::mutex versioning_mutex_;
  std::optional<bool> keeps_versions_;
  mutable std::mutex committed_mutex_;
  std::vector<Committed> committed_;
  std::vector<Kept> kept_;  // under committed_mutex_
  std::map<std::string, std::string> not_copied_;  // key -> why no copy of it was kept; the same
  std::mutex ahead_mutex_;
  std::map<std::string, std::future<Result<bool>>> copies_ahead_;  // will_write's, until the key's writer takes it
  // A copy is the server's work, the client only waits for it: many at once. Last, so
  // that its threads end before what they use.
  static constexpr int kCopyThreads = 16;
  LazyTaskPool copies_{kCopyThreads, SIZE_MAX};
};

namespace detail {

inline std::string unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

class S3ObjectWriter final : public ObjectWriter {
 public:
  S3ObjectWriter(S3Sink& sink, NewObject object)
      : sink_(sink), client_(sink.client_), options_(sink.options_), object_(std::move(object)),
        checksum_(options_.checksum) {
    if (!options_.run_id.empty() && object_.if_exists == ExistingObjects::replace)
      copy_ahead_ = sink_.take_copy_ahead(object_);
  }
  ~S3ObjectWriter() override { abort(); }

  // The buffer never holds more than a part, nor more capacity: a string left to grow by
  // itself would take up to twice the part (and, while it moves, three times).
  Status write(std::string_view bytes) override {
    if (from_file_) return internal_error("bytes written after the file that ends the object");
    checksum_.update(bytes);
    size_ += bytes.size();
    while (!bytes.empty()) {
      const uint64_t part = part_size(parts_sent() + 1);
      const size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), part - buffer_.size()));
      if (buffer_.size() + take > buffer_.capacity()) {
        // The first part grows as it fills (most objects are small); later ones are parts.
        const uint64_t wanted = parts_sent() > 0 ? part : std::max<uint64_t>(2 * buffer_.capacity(), buffer_.size() + take);
        buffer_.reserve(static_cast<size_t>(std::min(wanted, part)));
      }
      buffer_.append(bytes.data(), take);
      bytes.remove_prefix(take);
      if (buffer_.size() >= part) S3DEST_TRY(send_part());
    }
    return {};
  }
  uint64_t size() const override { return size_; }

  // A file bigger than a part goes up as parts read from the file as they are sent
  // (s3/multipart_upload.hpp FilePart): memory holds no part, only the blocks in flight.
  // Smaller ones are written as any bytes are.
  Status write_file(int fd, uint64_t offset, uint64_t size) override {
    if (from_file_ || !buffer_.empty() || size_ != 0 || size <= part_size(1))
      return ObjectWriter::write_file(fd, offset, size);
    from_file_ = true;
    // A part read from the file costs no memory, so the parts are as big as the file
    // needs to fit S3's 10,000 (in whole MiB), whatever the memory budget made part_size.
    const uint64_t mib = uint64_t{1} << 20;
    const uint64_t fitting = ((size + kMaxParts - 1) / kMaxParts + mib - 1) / mib * mib;
    while (size > 0) {
      const uint64_t part = std::min({size, std::max(part_size(parts_sent() + 1), fitting), kMaxPartBytes});
      S3DEST_TRY(start_part());
      S3DEST_TRY(upload_->send_file_part(s3::FilePart{fd, offset, part}, sink_.uploads_));
      // The whole object's MD5 cannot be made of its parts' as a CRC can: it is taken
      // here, reading the part once more while the upload threads send it.
      if (options_.checksum == ChecksumAlgorithm::md5) {
        const int err = read_in_blocks(fd, offset, part, [this](std::string_view block) {
          checksum_.update(block);
          return true;
        });
        if (err != 0) return s3::file_part_read_error(client_->describe(object_.key), err);
      }
      offset += part;
      size -= part;
      size_ += part;
    }
    return {};
  }

  Result<ObjectInfo> commit() override {
    ObjectInfo info;
    info.key = object_.key;
    info.bytes = size_;
    info.checksum = checksum_.text();
    Status confirmed;
    if (!upload_) {
      S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse put, put_whole(info.replaced));
      info.version_id = s3::version_id_of(put);
      if (const std::string* etag = put.find_header("ETag")) info.etag = unquoted(*etag);
      confirmed = confirm_checksum(put.find_header(s3_checksum_names(options_.checksum).header), info);
    } else {
      if (!buffer_.empty()) S3DEST_TRY(send_part());
      S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse done, complete(info.replaced));
      info.version_id = s3::version_id_of(done);
      // A file's parts passed checksum_ only for md5; a CRC is joined from the parts'.
      if (from_file_ && is_crc_checksum(options_.checksum)) info.checksum = upload_->whole_checksum();
      auto document = aws::parse_xml(done.body);
      if (document.ok()) info.etag = unquoted(document->child_text("ETag"));
      if (const std::string* etag = done.find_header("ETag"); info.etag.empty() && etag)  // a HEAD's
        info.etag = unquoted(*etag);
      if (info.etag.empty()) {  // some servers (radosgw) leave it out: ask for it
        // The object exists now, so a failure here must not fail the commit (the run
        // would not know to delete it): the manifest just shows no ETag.
        const auto head = client_->head_object(object_.key);
        const std::string* etag = head.ok() ? head->find_header("ETag") : nullptr;
        if (etag) info.etag = unquoted(*etag);
      }
      const std::string element = document.ok() ? document->child_text(s3_checksum_names(options_.checksum).element)
                                                : std::string();
      confirmed = confirm_composite_checksum(element, info);
    }
    buffer_.clear();
    {  // the object exists now: whatever follows, a rollback must know it is the run's
      std::lock_guard<std::mutex> lock(sink_.committed_mutex_);
      sink_.committed_.push_back(S3Sink::Committed{object_.key, info.replaced, info.version_id});
    }
    S3DEST_TRY(confirmed);
    return info;
  }

  void abort() override {
    if (upload_) upload_->abort();
    std::string().swap(buffer_);
  }

 private:
  Status checksum_mismatch(std::string_view ours, std::string_view theirs) const {
    return destination_error(client_->describe(object_.key) + ": S3 stored bytes whose checksum (" +
                             printable(theirs, 64) + ") is not that of the bytes sent (" + std::string(ours) +
                             "): the data was damaged on the way; load it again");
  }

  // A PutObject's reply names the checksum S3 computed (where it does): it must be ours.
  Status confirm_checksum(const std::string* echoed, const ObjectInfo& info) const {
    if (!echoed || options_.checksum == ChecksumAlgorithm::md5 || options_.checksum == ChecksumAlgorithm::none)
      return {};
    const std::string ours = info.checksum.substr(info.checksum.find(':') + 1);
    return *echoed == ours ? Status() : checksum_mismatch(ours, *echoed);
  }

  // CompleteMultipartUpload's reply names the composite checksum (where the server keeps
  // checksums): it must be the one of the parts sent, and is then the manifest's.
  Status confirm_composite_checksum(const std::string& confirmed, ObjectInfo& info) const {
    if (confirmed.empty()) return {};
    const std::string ours = upload_->composite_checksum();
    if (confirmed != ours) return checksum_mismatch(ours, confirmed);
    info.checksum = info.checksum.substr(0, info.checksum.find(':') + 1) + ours;
    return {};
  }

  // The headers of a new object: the sink's (encryption), the object's properties and the
  // run's marker.
  std::vector<http::HttpHeader> object_headers() const {
    std::vector<http::HttpHeader> headers = options_.object_headers;
    for (http::HttpHeader& header : s3::object_property_headers(object_.properties)) headers.push_back(std::move(header));
    if (!options_.run_id.empty()) headers.push_back({std::string(s3::kRunMetadataHeader), options_.run_id});
    return headers;
  }

  // A key believed new that holds an object when the write's If-None-Match is refused:
  // another writer's, or this very object, written by an attempt whose reply was lost
  // (the retry then met the object it had made). The run's id on it tells them apart, as
  // a run renders each key once. This object's: the HEAD's reply, which stands in for
  // the write's (ETag, version); another's: nothing.
  Result<std::optional<http::HttpResponse>> written_by_an_earlier_attempt() const {
    if (options_.run_id.empty()) return std::optional<http::HttpResponse>();
    S3DEST_ASSIGN_OR_RETURN(http::HttpResponse head, client_->head_object(object_.key));
    if (!s3::written_by_run(head, options_.run_id)) return std::optional<http::HttpResponse>();
    return std::optional<http::HttpResponse>(std::move(head));
  }

  Status appeared_during_the_run() const {
    return destination_error(client_->describe(object_.key) +
                             " appeared while this run was writing (another writer?), and existing_objects is "
                             "\"keep\": it was left as it is");
  }

  // Before the write that replaces the key's object, where the bucket keeps no versions:
  // a copy of that object, which a rollback (or cleanup --run) puts back. The one made
  // ahead, or, for an object that appeared after the listing, one made now.
  Status keep_what_it_replaces() {
    if (copy_ahead_.valid()) {
      S3DEST_ASSIGN_OR_RETURN(const bool kept_ahead, copy_ahead_.get());
      if (kept_ahead) return {};
    }
    return sink_.keep_copy_of(object_.key, object_.properties);
  }

  // Whether the key held an object before the run, asked once, just before the first
  // write: the run's listing may still have been on its way when the object was created.
  Result<bool> existed() {
    if (!existed_) {
      S3DEST_ASSIGN_OR_RETURN(const bool existed, check_prior(object_, client_->describe(object_.key)));
      existed_ = existed;
    }
    return *existed_;
  }

  // PutObject of the whole buffer. A key believed new goes up with If-None-Match, so an
  // object that appeared since the listing is never mistaken for this run's own.
  Result<http::HttpResponse> put_whole(bool& replaced) {
    S3DEST_ASSIGN_OR_RETURN(const bool existed, this->existed());
    const auto headers = with_checksum(object_headers(), options_.checksum, body_checksum(options_.checksum, buffer_));
    if (!existed) {
      S3DEST_ASSIGN_OR_RETURN(auto put, client_->put_object_if_absent(object_.key, buffer_, headers));
      if (put) return std::move(*put);
      S3DEST_ASSIGN_OR_RETURN(auto earlier, written_by_an_earlier_attempt());
      if (earlier) return std::move(*earlier);
      if (object_.if_exists == ExistingObjects::keep) return appeared_during_the_run();
    }
    S3DEST_TRY(keep_what_it_replaces());
    replaced = true;
    return client_->put_object(object_.key, buffer_, headers);
  }

  Result<http::HttpResponse> complete(bool& replaced) {
    S3DEST_ASSIGN_OR_RETURN(const bool existed, this->existed());
    if (!existed) {
      S3DEST_ASSIGN_OR_RETURN(auto done, upload_->complete_if_absent());
      if (done) return std::move(*done);
      S3DEST_ASSIGN_OR_RETURN(auto earlier, written_by_an_earlier_attempt());
      if (earlier) {
        upload_->forget();  // completed by that attempt: nothing to abort
        return std::move(*earlier);
      }
      if (object_.if_exists == ExistingObjects::keep) return appeared_during_the_run();
    }
    S3DEST_TRY(keep_what_it_replaces());
    replaced = true;
    return upload_->complete();
  }

  uint64_t parts_sent() const { return upload_ ? upload_->parts_sent() : 0; }

  // The size of part `number` (from 1): see S3SinkOptions::part_bytes.
  uint64_t part_size(uint64_t number) const {
    const uint64_t doublings = std::min<uint64_t>((number - 1) / 1000, 20);
    return std::max(options_.part_bytes, std::min(options_.max_part_bytes, options_.part_bytes << doublings));
  }

  // Before a part: S3's limit on parts checked, and the multipart upload started with the
  // first one.
  Status start_part() {
    if (upload_ && upload_->parts_sent() >= kMaxParts)
      return destination_error(client_->describe(object_.key) + " would need more than " + std::to_string(kMaxParts) +
                               " parts of at most " + std::to_string(options_.max_part_bytes >> 20) +
                               " MiB, which S3 does not take: set max_file_size_mb (or raise memory_limit_mb)");
    if (!upload_) {
      S3DEST_TRY(existed().status());  // "keep" refuses before anything of the object is sent
      S3DEST_ASSIGN_OR_RETURN(upload_,
                              s3::MultipartUpload::start(client_, object_.key, object_headers(), options_.checksum));
    }
    return {};
  }

  // Hands the buffer to the upload threads as the next part; the object becomes a
  // multipart upload with its first part.
  Status send_part() {
    S3DEST_TRY(start_part());
    S3DEST_TRY(upload_->send_part(std::move(buffer_), sink_.uploads_));
    buffer_ = std::string();
    return {};
  }

  S3Sink& sink_;
  std::shared_ptr<s3::ObjectClient> client_;
  const S3SinkOptions& options_;
  NewObject object_;
  std::optional<bool> existed_;  // once asked
  std::future<Result<bool>> copy_ahead_;  // S3Sink::keep_copy_ahead's
  ObjectChecksum checksum_;
  uint64_t size_ = 0;
  std::string buffer_;
  std::unique_ptr<s3::MultipartUpload> upload_;  // once the object outgrew a part
  bool from_file_ = false;                       // its parts are read from a file (write_file)
};

}  // namespace detail

inline S3Sink::S3Sink(std::shared_ptr<s3::ObjectClient> client, S3SinkOptions options)
    : client_(std::move(client)), options_(std::move(options)), uploads_(options_.concurrency) {}

inline Result<std::unique_ptr<ObjectWriter>> S3Sink::create(const NewObject& object) {
  return std::unique_ptr<ObjectWriter>(std::make_unique<detail::S3ObjectWriter>(*this, object));
}

inline SinkProgress S3Sink::progress() const {
  SinkProgress progress;
  {
    std::lock_guard<std::mutex> lock(committed_mutex_);
    progress.objects_committed = committed_.size();
  }
  progress.bytes_stored = client_->uploads().bytes_stored.load(std::memory_order_relaxed);
  progress.uploads_in_flight = client_->uploads().in_flight.load(std::memory_order_relaxed);
  return progress;
}

inline Result<bool> delete_run_versions(s3::ObjectClient& client, const std::string& key, std::string version_id,
                                        const std::string& run_id) {
  S3DEST_TRY(client.delete_object_version(key, version_id));
  for (int more = 0; more < 8; ++more) {  // a handful at most: each retry of a write makes one
    const auto current = client.head_object_if_any(key);
    if (current.ok() && !*current) return false;
    if (!current.ok()) return true;
    version_id = s3::version_id_of(**current);
    if (!s3::written_by_run(**current, run_id) || version_id.empty()) return true;
    if (!client.delete_object_version(key, version_id).ok()) return true;
  }
  return true;
}

inline bool S3Sink::keeps_versions() {
  std::lock_guard<std::mutex> lock(versioning_mutex_);
  if (!keeps_versions_) {
    const auto asked = client_->keeps_versions();
    keeps_versions_ = asked.ok() && *asked;
  }
  return *keeps_versions_;
}

inline Status S3Sink::keep_copy_of(const std::string& key, const ObjectProperties& properties) {
  if (options_.run_id.empty() || keeps_versions()) return {};
  S3DEST_ASSIGN_OR_RETURN(CopyKept kept, keep_copy(*client_, key, options_.run_id,
                                                   kept_copy_headers(options_.object_headers, "", properties.canned_acl)));
  std::lock_guard<std::mutex> lock(committed_mutex_);
  if (kept.copy) {
    kept_.push_back(Kept{std::move(*kept.copy), properties.storage_class, properties.canned_acl});
  } else if (!kept.not_copied.empty()) {
    // The run goes on, as before copies were kept: a rollback names the object instead.
    not_copied_.emplace(key, std::move(kept.not_copied));
  }  // else gone since the listing: nothing to keep
  return {};
}

inline void S3Sink::will_write(const NewObject& object) {
  if (options_.run_id.empty() || object.if_exists != ExistingObjects::replace) return;
  std::lock_guard<std::mutex> lock(ahead_mutex_);
  if (copies_ahead_.count(object.key) == 0) copies_ahead_.emplace(object.key, keep_copy_ahead(object));
}

inline std::future<Result<bool>> S3Sink::take_copy_ahead(const NewObject& object) {
  {
    std::lock_guard<std::mutex> lock(ahead_mutex_);
    if (const auto ahead = copies_ahead_.find(object.key); ahead != copies_ahead_.end()) {
      std::future<Result<bool>> taken = std::move(ahead->second);
      copies_ahead_.erase(ahead);
      return taken;
    }
  }
  return keep_copy_ahead(object);
}

inline std::future<Result<bool>> S3Sink::keep_copy_ahead(const NewObject& object) {
  auto promise = std::make_shared<std::promise<Result<bool>>>();
  std::future<Result<bool>> kept = promise->get_future();
  copies_.get()->submit([this, promise, object] {
    Result<bool> existed = object.prior.existed();
    if (existed.ok() && *existed) {
      const Status copied = keep_copy_of(object.key, object.properties);
      if (!copied.ok()) existed = copied;
    }
    promise->set_value(std::move(existed));
  });
  return kept;
}

inline void S3Sink::settle_copies() {
  copies_.wait();  // a copy still on its way is kept_'s too, to put back or delete
  std::lock_guard<std::mutex> lock(ahead_mutex_);
  copies_ahead_.clear();
}

inline RollbackReport S3Sink::rollback() {
  RollbackReport report;
  settle_copies();
  std::lock_guard<std::mutex> lock(committed_mutex_);
  std::set<std::string> copied;  // keys whose earlier object is in a kept copy
  for (const Kept& kept : kept_) copied.insert(kept.copy.key);
  // The run's versions, kCopyThreads at once: each takes two round trips or more (the
  // delete, then a HEAD to find a second version a retried write made).
  std::vector<Result<bool>> versions_deleted(committed_.size(), Result<bool>(false));
  {
    LazyTaskPool deleting(kCopyThreads, SIZE_MAX);  // threads only where the bucket keeps versions
    for (size_t i = 0; i < committed_.size(); ++i) {
      if (committed_[i].version_id.empty()) continue;
      deleting.get()->submit([this, &versions_deleted, i] {
        const Committed& object = committed_[i];
        versions_deleted[i] = delete_run_versions(*client_, object.key, object.version_id, options_.run_id);
      });
    }
    deleting.wait();
  }
  std::vector<s3::ObjectToDelete> new_objects;  // the run's, where nothing was before
  for (size_t i = 0; i < committed_.size(); ++i) {
    const Committed& object = committed_[i];
    std::string replaced_note;
    if (!object.version_id.empty()) {
      const Result<bool>& deleted = versions_deleted[i];
      if (deleted.ok()) {
        ++(object.replaced ? report.restored : report.removed);
        continue;
      }
      // Refused (no s3:DeleteObjectVersion): a new key still goes with a plain delete,
      // which leaves its version behind a delete marker; a replaced one is reported with
      // the version whose deletion puts the earlier one back.
      replaced_note = " (its version " + object.version_id + " is this run's: delete that version to put back the "
                      "one before it; " + deleted.status().message() + ")";
    }
    if (const auto why = not_copied_.find(object.key); why != not_copied_.end())
      replaced_note += " (no copy of it was kept: " + why->second + ")";
    if (object.replaced && copied.count(object.key) > 0) {
      continue;  // put back from its copy, below
    } else if (object.replaced) {
      report.replaced.push_back(describe(object.key) + replaced_note);
    } else {
      new_objects.push_back(s3::ObjectToDelete{object.key, {}});
    }
  }
  const std::vector<Status> deleted = client_->delete_objects(new_objects);
  for (size_t i = 0; i < new_objects.size(); ++i) {
    if (deleted[i].ok()) ++report.removed;
    else report.not_deleted.push_back(describe(new_objects[i].key) + ": " + deleted[i].message());
  }
  // After the versions: an object they put back is not the run's, and its copy just goes.
  std::vector<KeptCopy> copies;
  for (const Kept& kept : kept_) copies.push_back(kept.copy);
  const std::vector<Result<bool>> put_back = put_back_kept_copies(
      *client_, copies, options_.run_id,
      [this](size_t i) { return kept_copy_headers(options_.object_headers, kept_[i].storage_class, kept_[i].canned_acl); },
      kCopyThreads);
  for (size_t i = 0; i < kept_.size(); ++i) {
    if (put_back[i].ok()) {
      report.restored += *put_back[i] ? 1 : 0;
    } else {
      report.replaced.push_back(describe(kept_[i].copy.key) + " (what it held before is in " +
                                describe(kept_[i].copy.copy_key) + ": copy that back; " +
                                put_back[i].status().message() + ")");
    }
  }
  committed_.clear();
  kept_.clear();
  not_copied_.clear();
  return report;
}

inline std::vector<Status> S3Sink::remove_all(const std::vector<std::string>& keys) {
  std::vector<s3::ObjectToDelete> objects;
  for (const std::string& key : keys) objects.push_back(s3::ObjectToDelete{key, {}});
  return client_->delete_objects(objects);
}

inline Status S3Sink::drop_kept_copies() {
  settle_copies();
  std::lock_guard<std::mutex> lock(committed_mutex_);
  if (kept_.empty()) return {};
  std::vector<s3::ObjectToDelete> copies;
  for (const Kept& kept : kept_) copies.push_back(s3::ObjectToDelete{kept.copy.copy_key, kept.copy.copy_version});
  const std::vector<Status> deleted = client_->delete_objects(copies);
  std::string left;
  for (const Status& status : deleted)
    if (!status.ok()) left += "\n  " + status.message();
  kept_.clear();
  if (left.empty()) return {};
  return destination_error("the run's objects are in place, but copies it kept of the objects it replaced could not "
                           "be deleted (delete them by hand):" + left);
}

}  // namespace s3dest
