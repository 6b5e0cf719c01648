// Holds the records of every partition of a run until they are written out, in memory
// while the total stays under a budget, and spilled to temporary files beyond it, so
// memory stays bounded whatever the number of partitions open at once.
//
// The spill files (rows of the user's data) live in a private folder, s3dest-spill-XXXXXX
// under $TMPDIR, removed with the store. A process killed outright (SIGKILL, the OOM
// killer) cannot remove it, so the store holds an flock on the folder's "lock" file for
// as long as it lives; the kernel drops that lock however the process ends, even in
// another PID namespace, and remove_abandoned (s3dest cleanup) removes every folder whose
// lock it can take.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/segmented_bytes.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/whole_io.hpp"

namespace s3dest {

class PartitionStore {
 public:
  // `memory_budget`: bytes of records held in memory before the largest partitions are
  // spilled (in segments that grow by doubling, so the memory used stays under twice
  // that). Spill files live in a private folder under `temp_root` ($TMPDIR or /tmp).
  PartitionStore(uint64_t memory_budget, std::string temp_root);
  ~PartitionStore();
  PartitionStore(const PartitionStore&) = delete;
  PartitionStore& operator=(const PartitionStore&) = delete;

  // Returns the index of a new, empty partition.
  size_t add_partition();
  Status append(size_t partition, std::string_view record);
  uint64_t rows(size_t partition) const { return partitions_[partition].rows; }

  // Calls `visit(std::string_view record) -> Status` for each record of `partition` in
  // the order appended, then frees the partition's memory and spill file.
  template <class Visit>
  Status drain(size_t partition, Visit&& visit);

  // A new budget (what else the run holds grew); the next append spills down to it.
  void set_memory_budget(uint64_t memory_budget) { memory_budget_ = memory_budget; }

  uint64_t bytes_spilled() const { return bytes_spilled_; }
  // The spill folder, once the first spill made it ("" before).
  const std::string& spill_folder() const { return spill_folder_; }

  // Removes the spill folders under `temp_root` that no live store holds, with their
  // files; returns how many. A folder without a lock file (left by a build before the
  // lock, or caught in the instant between its making and its lock) goes only once it is
  // an hour old. Folders of other users are left alone.
  static Result<size_t> remove_abandoned(const std::string& temp_root);

 private:
  // A partition's first segment: one record's room, for loads of thousands of
  // partitions that hold a few records each.
  static constexpr size_t kFirstSegmentBytes = 256;
  struct Partition {
    // Framed records not yet spilled. Segments, not a string grown by doubling: its
    // copies and fresh pages cost a csv+zstd load by day, whose later days wait here,
    // 1-2% of its CPU and 8 MB of its peak memory.
    SegmentedBytes memory{kFirstSegmentBytes};
    std::string spill_path;
    uint64_t rows = 0;
  };
  static constexpr const char* kFolderPrefix = "s3dest-spill-";
  static constexpr int64_t kUnlockedFolderSeconds = 3600;

  Status spill_largest();
  Status spill(Partition& partition);
  Status make_spill_folder();

  std::vector<Partition> partitions_;
  uint64_t memory_budget_;
  uint64_t bytes_in_memory_ = 0;
  uint64_t bytes_spilled_ = 0;
  std::string temp_root_;
  std::string spill_folder_;
  int lock_fd_ = -1;  // held (flock) while the store lives
};

namespace detail {
// Records are framed by a 4-byte little-endian length.
inline void append_frame(SegmentedBytes& out, std::string_view record) {
  const auto n = static_cast<uint32_t>(record.size());
  const char length[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                          static_cast<char>(n >> 24)};
  out.append(std::string_view(length, 4));
  out.append(record);
}
inline uint32_t read_frame_length(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
}

// Framed records from bytes that come in pieces (a spill file's reads, a partition's
// segments), where a frame may begin in one piece and end in a later one: its bytes are
// carried over and visited once whole. Records inside one piece are visited where they lie.
class FrameReader {
 public:
  template <class Visit>
  Status feed(std::string_view piece, Visit& visit);
  // A frame was begun and not ended: the bytes fed were cut short.
  bool in_a_frame() const { return !carry_.empty(); }

 private:
  std::string carry_;
};

template <class Visit>
Status FrameReader::feed(std::string_view piece, Visit& visit) {
  if (!carry_.empty()) {
    const auto take = [&](size_t whole) {
      const size_t n = std::min(whole - carry_.size(), piece.size());
      carry_.append(piece.data(), n);
      piece.remove_prefix(n);
      return carry_.size() == whole;
    };
    if (carry_.size() < 4 && !take(4)) return {};
    if (!take(4 + size_t{read_frame_length(carry_.data())})) return {};
    S3DEST_TRY(visit(std::string_view(carry_).substr(4)));
    carry_.clear();
  }
  while (piece.size() >= 4) {
    const uint32_t n = read_frame_length(piece.data());
    if (piece.size() - 4 < n) break;
    S3DEST_TRY(visit(piece.substr(4, n)));
    piece.remove_prefix(4 + size_t{n});
  }
  carry_.assign(piece);
  return {};
}
}  // namespace detail

inline PartitionStore::PartitionStore(uint64_t memory_budget, std::string temp_root)
    : memory_budget_(memory_budget), temp_root_(std::move(temp_root)) {}

inline PartitionStore::~PartitionStore() {
  for (const Partition& p : partitions_)
    if (!p.spill_path.empty()) ::unlink(p.spill_path.c_str());
  if (spill_folder_.empty()) return;
  ::unlink((spill_folder_ + "/lock").c_str());
  ::unlink((spill_folder_ + "/lock.new").c_str());
  if (lock_fd_ >= 0) ::close(lock_fd_);
  ::rmdir(spill_folder_.c_str());
}

inline size_t PartitionStore::add_partition() {
  partitions_.emplace_back();
  return partitions_.size() - 1;
}

inline Status PartitionStore::append(size_t partition, std::string_view record) {
  detail::append_frame(partitions_[partition].memory, record);
  ++partitions_[partition].rows;
  bytes_in_memory_ += 4 + record.size();
  if (bytes_in_memory_ > memory_budget_) return spill_largest();
  return {};
}

inline Status PartitionStore::spill_largest() {
  // Spill the biggest buffers first: fewest writes for the most memory back. Stop at
  // half the budget so spilling does not happen again on the very next record.
  std::vector<Partition*> by_size;
  for (Partition& p : partitions_)
    if (!p.memory.empty()) by_size.push_back(&p);
  std::sort(by_size.begin(), by_size.end(),
            [](const Partition* a, const Partition* b) { return a->memory.size() > b->memory.size(); });
  for (Partition* p : by_size) {
    if (bytes_in_memory_ <= memory_budget_ / 2) break;
    S3DEST_TRY(spill(*p));
  }
  return {};
}

inline Status PartitionStore::make_spill_folder() {
  std::string pattern = temp_root_ + "/" + kFolderPrefix + "XXXXXX";
  if (!::mkdtemp(pattern.data()))
    return destination_error("creating a folder for spill files under " + temp_root_ + ": " + std::strerror(errno) +
                             ": set TMPDIR to a writable folder");
  spill_folder_ = pattern;
  // Locked before it takes its name, so remove_abandoned never finds it unlocked. Where
  // the file system refuses locks it refuses remove_abandoned's too, which then keeps the
  // folder: so a refused lock leaves a folder to remove by hand, never a load that fails.
  const std::string unnamed = spill_folder_ + "/lock.new";
  lock_fd_ = ::open(unnamed.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (lock_fd_ >= 0) (void)::flock(lock_fd_, LOCK_EX);
  if (lock_fd_ < 0 || ::rename(unnamed.c_str(), (spill_folder_ + "/lock").c_str()) != 0)
    return destination_error("making the lock file of the spill folder " + spill_folder_ + ": " +
                             std::strerror(errno) + ": set TMPDIR to a writable folder");
  return {};
}

inline Status PartitionStore::spill(Partition& partition) {
  if (spill_folder_.empty()) S3DEST_TRY(make_spill_folder());
  if (partition.spill_path.empty())
    partition.spill_path = spill_folder_ + "/" + std::to_string(&partition - partitions_.data());
  const int fd = ::open(partition.spill_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return destination_error("opening spill file " + partition.spill_path + ": " + std::strerror(errno));
  const Status written = partition.memory.visit_segments([&](std::string_view bytes) {
    if (const int err = write_all(fd, bytes); err != 0)
      return destination_error("writing spill file " + partition.spill_path + ": " + std::strerror(err) +
                               ": free disk space under TMPDIR or raise memory_limit_mb");
    return Status();
  });
  ::close(fd);
  S3DEST_TRY(written);
  bytes_spilled_ += partition.memory.size();
  bytes_in_memory_ -= partition.memory.size();
  partition.memory.clear();
  return {};
}

template <class Visit>
Status PartitionStore::drain(size_t partition_index, Visit&& visit) {
  Partition& partition = partitions_[partition_index];
  detail::FrameReader frames;
  if (!partition.spill_path.empty()) {
    const int fd = ::open(partition.spill_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return destination_error("reading spill file " + partition.spill_path + ": " + std::strerror(errno));
    constexpr size_t kReadBytes = 1 << 20;
    const std::unique_ptr<char[]> block(new char[kReadBytes]);
    for (;;) {
      const ssize_t n = ::read(fd, block.get(), kReadBytes);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(fd);
        return destination_error("reading spill file " + partition.spill_path + ": " + std::strerror(errno));
      }
      if (n == 0) break;
      const Status status = frames.feed(std::string_view(block.get(), static_cast<size_t>(n)), visit);
      if (!status.ok()) {
        ::close(fd);
        return status;
      }
    }
    ::close(fd);
    ::unlink(partition.spill_path.c_str());
    partition.spill_path.clear();
  }
  S3DEST_TRY(partition.memory.visit_segments([&](std::string_view bytes) { return frames.feed(bytes, visit); }));
  if (frames.in_a_frame())
    return internal_error("a partition's stored records end in the middle of one (was its spill file changed?)");
  bytes_in_memory_ -= partition.memory.size();
  partition.memory.clear();
  return {};
}

inline Result<size_t> PartitionStore::remove_abandoned(const std::string& temp_root) {
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(temp_root.c_str())) {
    while (const dirent* entry = ::readdir(dir))
      if (std::strncmp(entry->d_name, kFolderPrefix, std::strlen(kFolderPrefix)) == 0) names.emplace_back(entry->d_name);
    ::closedir(dir);
  } else if (errno != ENOENT) {
    return destination_error("listing " + temp_root + " for abandoned spill folders: " + std::strerror(errno));
  }
  size_t removed = 0;
  for (const std::string& name : names) {
    const std::string folder = temp_root + "/" + name;
    struct stat info {};
    if (::lstat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid()) continue;
    const int lock = ::open((folder + "/lock").c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (lock >= 0 && ::flock(lock, LOCK_EX | LOCK_NB) != 0) {  // a live store's
      ::close(lock);
      continue;
    }
    if (lock < 0 && (errno != ENOENT || std::time(nullptr) - info.st_mtime < kUnlockedFolderSeconds)) continue;
    if (DIR* dir = ::opendir(folder.c_str())) {
      while (const dirent* entry = ::readdir(dir))
        if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
          ::unlink((folder + "/" + entry->d_name).c_str());
      ::closedir(dir);
    }
    if (lock >= 0) ::close(lock);
    if (::rmdir(folder.c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace s3dest
