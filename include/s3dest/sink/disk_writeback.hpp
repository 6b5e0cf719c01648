// Starts writing files' new bytes to disk while a run goes on, so that the flush before
// publish() (LocalFolderSink::flush_to_disk) finds little left to wait for. Without it that
// flush waited for a whole load's output at the end: 0.11 s of a 0.5 s load of 220 MB.
//
// A start is only a hint: it asks the kernel to begin writing a range of a file
// (sync_file_range SYNC_FILE_RANGE_WRITE) on a thread of its own, because that call blocks
// while the disk's queue is full. Nothing depends on it being done: the flush still waits
// for every byte. So a start is dropped, rather than queued, when the thread is behind.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace s3dest {

class DiskWriteback {
 public:
  // How far a file may run ahead of its writeback before the next start.
  static constexpr uint64_t kStartEveryBytes = uint64_t{1} << 20;

  DiskWriteback() = default;
  DiskWriteback(const DiskWriteback&) = delete;
  DiskWriteback& operator=(const DiskWriteback&) = delete;
  // Drops the starts still queued: they were only hints.
  ~DiskWriteback();

  // Asks for `length` bytes of the file open as `fd` from `offset` (0: to its end) to be
  // written to disk soon. The file may be closed at once: the thread works on a copy of
  // the descriptor.
  void start(int fd, uint64_t offset, uint64_t length);

 private:
  struct Range {
    int fd;  // a dup() of the caller's, closed once started
    uint64_t offset, length;
  };
  // Each queued range holds a descriptor, so few are let wait.
  static constexpr size_t kMostWaiting = 16;

  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Range> waiting_;
  bool stopping_ = false;
  std::thread thread_;  // started with the first range
};

inline DiskWriteback::~DiskWriteback() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  for (const Range& range : waiting_) ::close(range.fd);
}

inline void DiskWriteback::start(int fd, uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (waiting_.size() >= kMostWaiting) return;
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return;
  waiting_.push_back({copy, offset, length});
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  wake_.notify_one();
}

inline void DiskWriteback::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (stopping_) return;
    const Range range = waiting_.front();
    waiting_.pop_front();
    lock.unlock();
    ::sync_file_range(range.fd, static_cast<off_t>(range.offset), static_cast<off_t>(range.length),
                      SYNC_FILE_RANGE_WRITE);
    ::close(range.fd);
    lock.lock();
  }
}

}  // namespace s3dest
