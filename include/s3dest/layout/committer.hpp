// Commits finished objects: on threads of its own when the sink's commit is a round trip
// (S3's PutObject of a small object), so many small objects do not go up one after
// another; or on the caller's thread (a local file is renamed later anyway). At most
// `threads` commits are in flight, which bounds the memory their buffers hold.
//
//   Committer committer(sink.commit_concurrency());
//   S3DEST_TRY(committer.commit(std::move(object), WrittenObject{{}, rows, chunk_id, partition}));
//   ...
//   S3DEST_TRY(committer.wait());          // every object committed, or the first failure
//   for (const WrittenObject& w : committer.written()) ...
//
// The committed list is a deque: with many thousands of objects it grows without holding
// two copies while it moves, and take_written() hands it on without a copy.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/task_pool.hpp"

namespace s3dest {

struct WrittenObject {
  ObjectInfo info;
  uint64_t rows = 0;
  uint32_t chunk_id = 0;
  size_t partition = 0;  // the caller's partition number
};

class Committer {
 public:
  // `threads`: commits in flight at once; 0 commits on the caller's thread.
  explicit Committer(int threads) : pool_(threads > 0 ? std::make_unique<TaskPool>(threads) : nullptr) {}
  ~Committer() { (void)wait(); }

  // Commits `object` and keeps `written` with its ObjectInfo. Fails at once (without
  // committing) when an earlier commit failed: the run is lost anyway.
  Status commit(std::unique_ptr<ObjectWriter> object, WrittenObject written);
  // Waits until no commit is in flight; the first failure.
  Status wait();
  // What was committed, in the order commits ended. Complete after wait().
  const std::deque<WrittenObject>& written() const { return written_; }
  // The same, moved out (after wait()).
  std::deque<WrittenObject> take_written() { return std::move(written_); }

 private:
  void done(Result<ObjectInfo> info, WrittenObject written);

  std::unique_ptr<TaskPool> pool_;
  std::mutex mutex_;
  std::deque<WrittenObject> written_;
  Status first_error_;
};

inline Status Committer::commit(std::unique_ptr<ObjectWriter> object, WrittenObject written) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!first_error_.ok()) return first_error_;
  }
  if (!pool_) {
    done(object->commit(), std::move(written));
    std::lock_guard<std::mutex> lock(mutex_);
    return first_error_;
  }
  std::shared_ptr<ObjectWriter> shared(std::move(object));
  pool_->submit([this, shared, written = std::move(written)]() mutable { done(shared->commit(), std::move(written)); });
  return {};
}

inline void Committer::done(Result<ObjectInfo> info, WrittenObject written) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!info.ok()) {
    if (first_error_.ok()) first_error_ = info.status();
    return;
  }
  written.info = std::move(*info);
  written_.push_back(std::move(written));
}

inline Status Committer::wait() {
  if (pool_) pool_->wait();
  std::lock_guard<std::mutex> lock(mutex_);
  return first_error_;
}

}  // namespace s3dest
