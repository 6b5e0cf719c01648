// Objects in an S3 bucket. An object that stays under the part size goes up in one
// PutObject when it is committed; one that grows past it becomes a multipart upload as it
// is written: each full part is handed to the sink's upload threads (`concurrency` of
// them, shared by every object), so parts of one object, and of several, travel at once
// while the writer fills the next. commit() waits for its parts and completes the upload
// (the object appears whole); abort() aborts it (nothing appears, S3 frees the parts);
// remove() deletes a committed object, to undo a failed run.
//
// Memory: a writer fills one part; at most `concurrency` more are queued or in flight for
// the whole sink. Every request is signed with its body's SHA-256, which S3 checks (a
// corrupted body is refused); the object's checksum of the `checksum` key is computed as
// the bytes pass and reported in the manifest.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "s3dest/aws/sse.hpp"
#include "s3dest/core/object_sink.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/sink/object_checksum.hpp"

namespace s3dest {

struct S3SinkOptions {
  uint64_t part_bytes = uint64_t{8} << 20;  // config part_size_mb; S3 wants at least 5 MiB
  int concurrency = 4;                       // parts uploaded at once (config concurrency)
  std::vector<aws::HttpHeader> object_headers;  // sent with every new object: encryption
  ChecksumAlgorithm checksum = ChecksumAlgorithm::crc32c;
};

// Runs tasks on a fixed set of threads; submit() waits while `threads` tasks are already
// queued or running, so the work (and the parts it holds) handed over stays bounded.
class TaskPool {
 public:
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;
  void submit(std::function<void()> task);

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  size_t unfinished_ = 0;  // queued or running
  size_t limit_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

class S3Sink final : public ObjectSink {
 public:
  S3Sink(std::shared_ptr<s3::ObjectClient> client, S3SinkOptions options)
      : client_(std::move(client)), options_(std::move(options)), uploads_(options_.concurrency) {}

  Result<std::unique_ptr<ObjectWriter>> create(const std::string& key) override;
  Status remove(const std::string& key) override { return client_->delete_object(key); }
  std::string describe(const std::string& key) const override { return client_->describe(key); }
  uint64_t open_object_memory() const override { return options_.part_bytes; }

 private:
  std::shared_ptr<s3::ObjectClient> client_;
  S3SinkOptions options_;
  TaskPool uploads_;
};

inline TaskPool::TaskPool(int threads) : limit_(static_cast<size_t>(std::max(threads, 1))) {
  for (size_t i = 0; i < limit_; ++i) threads_.emplace_back([this] { work(); });
}

inline TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

inline void TaskPool::submit(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return unfinished_ < limit_; });
  queue_.push_back(std::move(task));
  ++unfinished_;
  changed_.notify_all();
}

inline void TaskPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
    --unfinished_;
    changed_.notify_all();
  }
}

namespace detail {

// The parts of one multipart upload on their way: ETags by part number, the first
// failure, and how many are still out. Shared with the upload tasks.
struct PartsInFlight {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> etags;
  Status first_error;
  int pending = 0;

  Status wait() {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [this] { return pending == 0; });
    return first_error;
  }
};

inline std::string unquoted(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

class S3ObjectWriter final : public ObjectWriter {
 public:
  S3ObjectWriter(std::shared_ptr<s3::ObjectClient> client, const S3SinkOptions& options, TaskPool& uploads,
                 std::string key)
      : client_(std::move(client)), options_(options), uploads_(uploads), key_(std::move(key)),
        checksum_(options.checksum) {}
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
      S3DEST_TRY(parts_->wait());
      S3DEST_ASSIGN_OR_RETURN(const aws::HttpResponse done,
                              client_->complete_multipart_upload(key_, upload_id_, parts_->etags));
      upload_id_.clear();
      auto document = aws::parse_xml(done.body);
      if (document.ok()) info.etag = unquoted(document->child_text("ETag"));
      if (info.etag.empty()) {  // some servers (radosgw) leave it out: ask for it
        // The object exists now, so a failure here must not fail the commit (the run
        // would not know to delete it): the manifest just shows no ETag.
        const auto head = client_->head_object(key_);
        const std::string* etag = head.ok() ? head->find_header("ETag") : nullptr;
        if (etag) info.etag = unquoted(*etag);
      }
    }
    buffer_.clear();
    info.checksum = checksum_.text();
    return info;
  }

  void abort() override {
    if (!upload_id_.empty()) {
      (void)parts_->wait();  // a part still travelling would outlive the abort
      (void)client_->abort_multipart_upload(key_, upload_id_);
    }
    upload_id_.clear();
    std::string().swap(buffer_);
  }

 private:
  // Hands the buffer to the upload threads as the next part.
  Status send_part() {
    if (upload_id_.empty()) {
      S3DEST_ASSIGN_OR_RETURN(upload_id_, client_->create_multipart_upload(key_, options_.object_headers));
      parts_ = std::make_shared<PartsInFlight>();
    }
    {
      std::lock_guard<std::mutex> lock(parts_->mutex);
      if (!parts_->first_error.ok()) return parts_->first_error;  // stop early: the upload is lost
      parts_->etags.emplace_back();
      ++parts_->pending;
    }
    const int number = static_cast<int>(++parts_sent_);
    auto body = std::make_shared<std::string>(std::move(buffer_));
    buffer_ = std::string();
    uploads_.submit([client = client_, key = key_, id = upload_id_, number, body, parts = parts_] {
      auto etag = client->upload_part(key, id, number, *body);
      std::lock_guard<std::mutex> lock(parts->mutex);
      if (etag.ok()) parts->etags[static_cast<size_t>(number - 1)] = std::move(*etag);
      else if (parts->first_error.ok()) parts->first_error = etag.status();
      --parts->pending;
      parts->changed.notify_all();
    });
    return {};
  }

  std::shared_ptr<s3::ObjectClient> client_;
  const S3SinkOptions& options_;
  TaskPool& uploads_;
  std::string key_;
  ObjectChecksum checksum_;
  uint64_t size_ = 0;
  std::string buffer_;
  std::string upload_id_;  // set once the object became a multipart upload
  std::shared_ptr<PartsInFlight> parts_;
  uint64_t parts_sent_ = 0;
};

}  // namespace detail

inline Result<std::unique_ptr<ObjectWriter>> S3Sink::create(const std::string& key) {
  return std::unique_ptr<ObjectWriter>(std::make_unique<detail::S3ObjectWriter>(client_, options_, uploads_, key));
}

}  // namespace s3dest
