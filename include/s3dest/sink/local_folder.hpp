// A local folder laid out exactly like the bucket: the object "a/b/c.csv" is the file
// DIR/a/b/c.csv. Two-phase, so a failed or interrupted run leaves the folder exactly as it
// found it: each object is written to a hidden temporary file beside its final name
// (".c.csv.s3dest-RUNID-N.tmp"), and only publish(), once the whole run has succeeded,
// renames them into place. rollback() removes the temporary files and the folders the run
// made. A temporary file in folders the run made says how many (".c.csv.s3dest-RUNID-N.made2.tmp":
// its own folder and the one above it), so that after a SIGKILL `s3dest cleanup` can
// remove those folders too, once empty, and no others. A file is whole or absent at every
// moment, even if the machine loses power: publish() flushes the files to disk before
// renaming any into place, and the renames before it returns (DiskWriteback starts the
// files on their way to disk as they are written, so that flush has little to wait for).
//
// create() returns at once: a thread of the sink's makes the new file's folders and the
// file itself, one after the other in the order asked for, while the caller goes on
// encoding. (Making a folder and a file allocates inodes, about a tenth of the loading
// thread's time in a year of daily files.) A writer holds the first few bytes it is given
// until its file is there, and then writes straight to it; a failure to make the file is
// the writer's, from its next write() or its commit().
//
// Publishing itself can be cut short (a SIGKILL, a full disk, a power cut), so it can be
// taken back too. Before the first rename, publish() writes a journal of the run's files
// (DIR/.s3dest-RUNID.publishing); a file about to be replaced is kept under a second name
// (a hard link, ".c.csv.s3dest-RUNID-N.kept.tmp") until every rename is on disk. Then the
// journal goes, which commits the run, and the kept files after it. rollback(), or
// undo_killed_publish() from `s3dest cleanup` after a kill, puts kept files back and
// removes the files the journal names that are still the run's (same inode and size).
//
// With ExistingObjects::keep, and for a key that did not exist when listed, the rename
// never replaces a file (renameat2 RENAME_NOREPLACE): a file that appeared during the run
// is replaced only with `replace`, and is then reported as replaced.
//
// A file has nowhere to keep an object's properties (NewObject::properties: Content-Type,
// storage class, ACL, tags, metadata), so they are ignored here: they matter only once the
// files reach S3.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/whole_io.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/s3/object_checksum.hpp"
#include "s3dest/sink/disk_writeback.hpp"

namespace s3dest {
namespace detail {
class LocalFileWriter;

// An object's temporary file, open for writing.
struct TempFile {
  int fd = -1;
  uint64_t inode = 0;
  uint32_t folders_made = 0;  // the folders above it that the run made
  std::string path;
};

// A TempFile that the sink's thread makes while its writer goes on, unless the writer
// needs it first: the one thread that claims it makes it and sets it, once, and the
// writer takes it, once.
class PendingTempFile {
 public:
  // True for the first caller only, who is to make the file.
  bool claim() {
    std::lock_guard<std::mutex> lock(mutex_);
    return !std::exchange(claimed_, true);
  }
  void set(Result<TempFile> made) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      made_.emplace(std::move(made));
    }
    set_.notify_all();
  }
  bool ready() {
    std::lock_guard<std::mutex> lock(mutex_);
    return made_.has_value();
  }
  Result<TempFile> take() {
    std::unique_lock<std::mutex> lock(mutex_);
    set_.wait(lock, [this] { return made_.has_value(); });
    return std::move(*made_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable set_;
  bool claimed_ = false;
  std::optional<Result<TempFile>> made_;
};
}  // namespace detail

class LocalFolderSink final : public ObjectSink {
 public:
  // `run_id` goes into the temporary files' names, so `s3dest cleanup` can find the ones
  // a killed run left; empty: a random one. `listing_bytes`: how much of the folders'
  // file names list() keeps (see there).
  static constexpr uint64_t kDefaultListingBytes = uint64_t{64} << 20;
  LocalFolderSink(std::string root, ChecksumAlgorithm checksum, std::string run_id = "",
                  uint64_t listing_bytes = kDefaultListingBytes);
  ~LocalFolderSink() override;

  Result<std::unique_ptr<ObjectWriter>> create(const NewObject& object) override;
  // A folder is read once and its file names kept, so the keys of every partition in it
  // are found without reading it again, and as they were before the run. The names kept
  // are held to `listing_bytes`: past it a folder's names are kept only if they start as
  // the prefix does up to its first digit (a layout's dates and chunk ids are digits:
  // "rows-" of "rows-20260101-"), which the next partitions' prefixes in that folder are
  // likely to share; past that again the folder is read anew for each prefix and nothing
  // of it is kept (slower, for folders of millions of files, but within memory_limit_mb).
  Status list(const std::string& prefix, const KeyVisitor& visit) override;
  // Writes the journal, then moves the files into place; on success the run is committed
  // and rollback() has nothing left to undo.
  Status publish() override;
  RollbackReport rollback() override;
  Status remove(const std::string& key) override;
  std::string describe(const std::string& key) const override { return root_ + "/" + key; }
  size_t max_name_bytes() const override { return 255; }  // NAME_MAX of Linux file systems
  // A file descriptor each: the process's limit (often 1,024) less 128 for its inputs,
  // spill files and connections.
  size_t max_open_objects() const override;
  SinkProgress progress() const override {
    return {objects_committed_.load(std::memory_order_relaxed), bytes_written_.load(std::memory_order_relaxed), 0};
  }

 private:
  // A committed object waiting for publish(). Its paths are made again when needed: a run
  // of many thousands of objects keeps only the key.
  struct Staged {
    std::string key;
    uint64_t temp_number = 0;   // of its temporary file (temp_path)
    uint32_t folders_made = 0;  // the folders above it that the run made (temp_path)
    bool existed = false;       // when the run listed it
    ExistingObjects if_exists = ExistingObjects::replace;
    uint64_t inode = 0, bytes = 0;  // of the file, which the journal names to tell it apart
    bool published = false;
    bool kept = false;  // the file it replaced is kept (kept_path) until the run is committed
  };
  friend class detail::LocalFileWriter;

  // Where the object `key` is written until publish(): a hidden file beside its place.
  std::string temp_path(const std::string& key, uint64_t temp_number, uint32_t folders_made) const;
  std::string kept_path(const Staged& staged) const;
  std::string journal_path() const;
  Status write_journal();
  // Keeps the file at `path`, which the staged file is about to replace, at kept_path.
  Status keep_replaced_file(Staged& staged, const std::string& path);
  // Ends a published run: the journal goes (durably), then the kept files.
  Status commit();
  // The temporary file of `key`, and the folders above it that are missing: on
  // file_maker_, or on the writer's thread if it needs the file first.
  Result<detail::TempFile> make_temp_file(const std::string& key, uint64_t temp_number);
  // Makes the folders above `path` that are missing, and says how many of them, from its
  // own folder up, this run made (now or for an earlier object).
  Result<uint32_t> make_parent_folders(const std::string& path);
  // Returns once every file asked for is made (or has failed): created_folders_ and
  // file_systems_ are then the calling thread's alone again.
  void wait_for_files() { file_maker_.wait(); }
  Status move_into_place(Staged& staged);
  // Flushes the file systems the run wrote to to disk (`what`: for the message).
  Status flush_to_disk(const char* what) const;

  std::string root_;
  ChecksumAlgorithm checksum_;
  std::string run_id_;
  uint64_t temp_files_ = 0;
  // Sorted, so a folder comes after the folders above it. This and file_systems_ are
  // make_temp_file's, under making_files_, while the run writes (see wait_for_files).
  std::mutex making_files_;
  std::set<std::string> created_folders_;
  std::deque<Staged> staged_;  // a deque: it grows without moving what it holds
  // The journal, open and locked (flock) while the run publishes: a lock the kernel drops
  // however the process ends tells a live publish from a killed one.
  int journal_fd_ = -1;
  std::atomic<uint64_t> objects_committed_{0}, bytes_written_{0};  // for progress()
  DiskWriteback writeback_;  // of the files being written, ahead of publish()'s flush
  // The file systems the run's files are on (a folder under the destination may be
  // another mount): device -> a folder on it, for flush_to_disk.
  std::map<dev_t, std::string> file_systems_;
  // Folder -> its file names, sorted: read once, before the run's files are in place.
  std::mutex listed_mutex_;  // list() may be called from several threads
  // (folder, what its names start with) -> those names, sorted.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> listed_;
  uint64_t listed_bytes_ = 0;  // of the names in listed_
  uint64_t listing_bytes_;     // the most listed_bytes_ may come to
  // The thread that makes the run's files, with a few waiting: each holds its key only.
  // Last, so that it stops (after what is queued) before the members its tasks use go.
  static constexpr size_t kFilesMadeAhead = 64;
  LazyTaskPool file_maker_{1, kFilesMadeAhead};
};

// What a temporary file's name tells (".NAME.s3dest-RUNID-N.tmp", or
// ".NAME.s3dest-RUNID-N.madeK.tmp" in K folders the run made, or
// ".NAME.s3dest-RUNID-N.kept.tmp" for a replaced file kept while its run publishes);
// nothing for any other name.
struct LocalTempFileName {
  std::string run_id;
  uint32_t folders_made = 0;  // its own folder and the K - 1 above it
  bool kept = false;          // a file that existed before the run, not the run's own
};
std::optional<LocalTempFileName> parse_local_temp_file_name(std::string_view name);
inline bool is_local_temp_file_name(std::string_view name) { return parse_local_temp_file_name(name).has_value(); }

// The journal a load left in the folder `root` when it was killed while publishing.
struct PublishJournal {
  enum class Lock {
    held,     // by its load, publishing now
    free,     // its load is gone: the kernel drops a lock however the process ends
    unknown,  // no flock on its file system (some network ones), or no line written yet:
              // only its age tells
  };
  std::string path;
  std::string run_id;
  int64_t modified_seconds = 0;  // since the epoch
  Lock lock = Lock::unknown;
};
// The journals in `root` (not its sub-folders: a journal is kept at the destination's top).
Result<std::vector<PublishJournal>> find_publish_journals(const std::string& root);

// Folder -> how many folders, from it up, a run made (its temporary files say: ".madeK").
using MadeFolders = std::map<std::string, uint32_t>;
// Removes the folders in `made` and those above them that their runs made, as far up as
// they are empty: what holds anything (a younger run's file, one put there since) stays.
// `removed` hears each folder removed.
void remove_made_folders(const MadeFolders& made, const std::function<void(const std::string& folder)>& removed);

// What undo_killed_publish did.
struct UndonePublish {
  size_t restored = 0;  // files the run had replaced, put back
  size_t removed = 0;   // the run's files, moved into place or not
  MadeFolders made_folders;  // to remove once empty (remove_made_folders)
};
// Takes back the publish of a load killed while it moved its files into place (`journal`,
// in the destination folder `root`): the files it had replaced are put back, its own
// files removed, and then the journal. A file is the run's only while it is the one the
// journal names (inode and size): one a later run or anyone else put there since stays,
// and the earlier file kept for it goes. `tell` hears each ("put back" or "removed", and
// the path). Safe to repeat if this too is cut short. The run's folders are left to the
// caller (made_folders): they empty only once every temporary file of the run is gone.
Result<UndonePublish> undo_killed_publish(const std::string& root, const PublishJournal& journal,
                                          const std::function<void(const char* what, const std::string& path)>& tell);

// Before a run into `root`: takes back the publish of every load killed there (a journal
// whose lock is free; one on a file system without locks is left to `s3dest cleanup`,
// which goes by its age), and the folders it made, once empty. Run id -> what was done.
Result<std::map<std::string, UndonePublish>> take_back_killed_publishes(const std::string& root);

namespace detail {

inline std::string errno_text(int err) { return std::strerror(err); }

inline bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The name of a file the run keeps beside `name` (`tag`: "" or ".madeK" for its temporary
// file, ".kept" for the file it replaces), never longer than a file name may be: a name
// too long to take the suffix is shortened (its key is known from the run, not the name).
inline std::string local_temp_name(std::string_view name, const std::string& run_id, uint64_t number,
                                   std::string_view tag) {
  constexpr size_t kMaxName = 255;
  std::string suffix = ".s3dest-" + run_id + "-" + std::to_string(number);
  suffix.append(tag);
  suffix += ".tmp";
  std::string temp = ".";
  temp.append(name.substr(0, kMaxName - 1 - suffix.size()));
  temp.append(suffix);
  return temp;
}

inline std::string made_tag(uint32_t folders_made) {
  return folders_made > 0 ? ".made" + std::to_string(folders_made) : std::string();
}
inline constexpr std::string_view kKeptTag = ".kept";

// local_temp_name's file beside the file of `key` in the folder `root`.
inline std::string local_side_path(const std::string& root, const std::string& key, const std::string& run_id,
                                   uint64_t number, std::string_view tag) {
  const std::string path = root + "/" + key;
  const size_t slash = path.rfind('/');
  return path.substr(0, slash + 1) +
         local_temp_name(std::string_view(path).substr(slash + 1), run_id, number, tag);
}

inline constexpr std::string_view kPublishJournalHeader = "s3dest publish journal 1";
inline constexpr std::string_view kPublishJournalStart = ".s3dest-", kPublishJournalEnd = ".publishing";
inline std::string publish_journal_name(const std::string& run_id) {
  return std::string(kPublishJournalStart) + run_id + std::string(kPublishJournalEnd);
}

struct FolderNames {
  std::vector<std::string> names;  // sorted
  uint64_t bytes = 0;              // what they take in memory, about
  size_t filter = 0;               // which of the filters they pass
};

// The file names in `folder` (not folders) that start with `filters[0]`, while they take
// at most `keep_bytes`; past that, those that start with the next filter, and so on; the
// last one holds whatever they take. None when the folder does not exist.
inline Result<FolderNames> read_file_names(const std::string& folder, const std::vector<std::string_view>& filters,
                                           uint64_t keep_bytes) {
  const auto cost = [](std::string_view name) { return sizeof(std::string) + name.size(); };
  FolderNames read;
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return read;
    return destination_error("listing " + folder + ": " + errno_text(errno));
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || !starts_with(name, filters[read.filter])) continue;
    bool is_folder = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat st;
      is_folder = ::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_folder) continue;
    read.names.emplace_back(name);
    read.bytes += cost(name);
    while (read.bytes > keep_bytes && read.filter + 1 < filters.size()) {
      const std::string_view narrower = filters[++read.filter];
      read.names.erase(std::remove_if(read.names.begin(), read.names.end(),
                                      [&](const std::string& kept) { return !starts_with(kept, narrower); }),
                       read.names.end());
      read.bytes = 0;
      for (const std::string& kept : read.names) read.bytes += cost(kept);
    }
  }
  ::closedir(dir);
  std::sort(read.names.begin(), read.names.end());
  return read;
}

// Closes `fd` (a journal's, and with it its lock) if it is open.
inline void close_journal(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Puts the file kept at `kept` back at `path`: 0, or the errno.
inline int put_back(const std::string& kept, const std::string& path) {
  if (::rename(kept.c_str(), path.c_str()) != 0) return errno;
  ::unlink(kept.c_str());  // still there if both names were one file's: rename() leaves them
  return 0;
}

// rename() that fails with EEXIST instead of replacing `to`.
inline int rename_no_replace(const char* from, const char* to) {
  if (::renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  // A file system without RENAME_NOREPLACE: link() never replaces either.
  if (::link(from, to) != 0) return -1;
  ::unlink(from);
  return 0;
}

class LocalFileWriter final : public ObjectWriter {
 public:
  LocalFileWriter(LocalFolderSink& sink, const NewObject& object, bool existed, uint64_t temp_number,
                  std::shared_ptr<PendingTempFile> file)
      : sink_(sink), key_(object.key), existed_(existed), if_exists_(object.if_exists), temp_number_(temp_number),
        pending_(std::move(file)), checksum_(sink.checksum_) {}
  ~LocalFileWriter() override { abort(); }

  Status write(std::string_view bytes) override {
    checksum_.update(bytes);
    size_ += bytes.size();
    sink_.bytes_written_.fetch_add(bytes.size(), std::memory_order_relaxed);
    if (pending_) {
      // What a format writes as it begins (parquet's "PAR1") need not wait for the file.
      if (early_.size() + bytes.size() <= kEarlyBytes && !pending_->ready()) {
        early_.append(bytes);
        return {};
      }
      S3DEST_TRY(open());
    }
    return write_out(bytes);
  }
  uint64_t size() const override { return size_; }

  Result<ObjectInfo> commit() override {
    if (pending_) S3DEST_TRY(open());
    if (fd_ < 0) return no_file();
    const int fd = fd_;
    fd_ = -1;
    if (written_ > writeback_from_) sink_.writeback_.start(fd, writeback_from_, 0);  // the rest of the file
    if (::close(fd) != 0) return destination_error("writing " + temp_path_ + ": " + detail::errno_text(errno));
    ObjectInfo info;
    info.key = key_;
    info.bytes = size_;
    info.checksum = checksum_.text();  // no ETag: that is an S3 server's to give
    info.replaced = existed_;
    sink_.staged_.push_back(
        LocalFolderSink::Staged{key_, temp_number_, folders_made_, existed_, if_exists_, inode_, size_});
    temp_path_.clear();
    sink_.objects_committed_.fetch_add(1, std::memory_order_relaxed);
    return info;
  }

  void abort() override {
    if (pending_) (void)take_file();  // made or not, it is gone below
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }

 private:
  // Bytes written before the file is made are held up to this many.
  static constexpr size_t kEarlyBytes = 4096;

  // Makes the file here if the sink's thread has not begun it (on a busy machine that
  // thread may wait milliseconds for a core, and this one would wait for it), else waits
  // for it; then writes what it held for it.
  Status open() {
    if (pending_->claim()) pending_->set(sink_.make_temp_file(key_, temp_number_));
    S3DEST_TRY(take_file());
    const std::string early = std::move(early_);
    early_ = std::string();
    return early.empty() ? Status() : write_out(early);
  }
  Status take_file() {
    Result<TempFile> made = pending_->take();
    pending_.reset();
    if (!made.ok()) {
      failed_ = made.status();
      return failed_;
    }
    fd_ = made->fd;
    inode_ = made->inode;
    folders_made_ = made->folders_made;
    temp_path_ = std::move(made->path);
    return {};
  }
  // Why there is no file to write to: it could not be made, or is done with.
  Status no_file() const {
    return failed_.ok() ? internal_error("writing " + key_ + " after its commit or abort") : failed_;
  }
  Status write_out(std::string_view bytes) {
    if (fd_ < 0) return no_file();
    if (const int err = write_all(fd_, bytes); err != 0)
      return destination_error("writing " + temp_path_ + ": " + detail::errno_text(err));
    written_ += bytes.size();
    if (written_ - writeback_from_ >= DiskWriteback::kStartEveryBytes) {
      sink_.writeback_.start(fd_, writeback_from_, written_ - writeback_from_);
      writeback_from_ = written_;
    }
    return {};
  }

  LocalFolderSink& sink_;
  std::string key_;
  bool existed_;
  ExistingObjects if_exists_;
  uint64_t temp_number_;
  std::shared_ptr<PendingTempFile> pending_;  // until the file is taken
  std::string early_;                         // bytes written before it was
  Status failed_;                             // why it could not be made
  // The file, once taken.
  int fd_ = -1;
  uint64_t inode_ = 0;
  uint32_t folders_made_ = 0;
  std::string temp_path_;
  ObjectChecksum checksum_;
  uint64_t size_ = 0;            // bytes given
  uint64_t written_ = 0;         // bytes in the file
  uint64_t writeback_from_ = 0;  // the bytes before it were handed to sink_.writeback_
};

}  // namespace detail

inline LocalFolderSink::LocalFolderSink(std::string root, ChecksumAlgorithm checksum, std::string run_id,
                                        uint64_t listing_bytes)
    : root_(std::move(root)), checksum_(checksum), run_id_(std::move(run_id)), listing_bytes_(listing_bytes) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (run_id_.empty()) run_id_ = random_hex(8);
}

inline LocalFolderSink::~LocalFolderSink() {
  wait_for_files();
  for (const Staged& s : staged_)
    if (!s.published) ::unlink(temp_path(s.key, s.temp_number, s.folders_made).c_str());
  detail::close_journal(journal_fd_);
}

inline size_t LocalFolderSink::max_open_objects() const {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
  return limit.rlim_cur > 256 ? static_cast<size_t>(limit.rlim_cur - 128) : static_cast<size_t>(limit.rlim_cur / 2);
}

inline Result<std::unique_ptr<ObjectWriter>> LocalFolderSink::create(const NewObject& object) {
  S3DEST_ASSIGN_OR_RETURN(const bool existed, check_prior(object, describe(object.key)));  // a listing here is quick
  const uint64_t temp_number = ++temp_files_;
  auto file = std::make_shared<detail::PendingTempFile>();
  file_maker_.get()->submit([this, file, key = object.key, temp_number] {
    if (file->claim()) file->set(make_temp_file(key, temp_number));
  });
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<detail::LocalFileWriter>(*this, object, existed, temp_number, std::move(file)));
}

inline Result<detail::TempFile> LocalFolderSink::make_temp_file(const std::string& key, uint64_t temp_number) {
  std::lock_guard<std::mutex> lock(making_files_);
  detail::TempFile file;
  S3DEST_ASSIGN_OR_RETURN(file.folders_made, make_parent_folders(describe(key)));
  file.path = temp_path(key, temp_number, file.folders_made);
  file.fd = ::open(file.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (file.fd < 0)
    return destination_error("creating " + file.path + ": " + detail::errno_text(errno) +
                             ": check that the destination folder is writable");
  struct stat st;
  if (::fstat(file.fd, &st) != 0) {
    const int err = errno;
    ::close(file.fd);
    ::unlink(file.path.c_str());
    return destination_error("reading the state of " + file.path + ": " + detail::errno_text(err));
  }
  file.inode = static_cast<uint64_t>(st.st_ino);
  if (file_systems_.count(st.st_dev) == 0)
    file_systems_.emplace(st.st_dev, file.path.substr(0, file.path.rfind('/')));
  return file;
}

inline std::string LocalFolderSink::temp_path(const std::string& key, uint64_t temp_number,
                                              uint32_t folders_made) const {
  return detail::local_side_path(root_, key, run_id_, temp_number, detail::made_tag(folders_made));
}

inline std::string LocalFolderSink::kept_path(const Staged& s) const {
  return detail::local_side_path(root_, s.key, run_id_, s.temp_number, detail::kKeptTag);
}

inline std::string LocalFolderSink::journal_path() const { return root_ + "/" + detail::publish_journal_name(run_id_); }

inline Status LocalFolderSink::list(const std::string& prefix, const KeyVisitor& visit) {
  const size_t slash = prefix.rfind('/');
  const std::string folder_key = slash == std::string::npos ? "" : prefix.substr(0, slash + 1);
  const std::string_view name_prefix = std::string_view(prefix).substr(folder_key.size());
  const std::string_view stem = name_prefix.substr(0, name_prefix.find_first_of("0123456789"));
  const std::vector<std::string_view> filters = {"", stem, name_prefix};
  std::lock_guard<std::mutex> lock(listed_mutex_);
  auto found = listed_.find({folder_key, ""});
  if (found == listed_.end()) found = listed_.find({folder_key, std::string(stem)});
  detail::FolderNames read;
  if (found == listed_.end()) {
    const uint64_t room = listing_bytes_ - std::min(listed_bytes_, listing_bytes_);
    S3DEST_ASSIGN_OR_RETURN(read, detail::read_file_names(root_ + "/" + folder_key, filters, room));
    if (read.filter + 1 < filters.size()) {  // not only this prefix's: kept for the next ones
      listed_bytes_ += read.bytes;
      std::pair<std::string, std::string> kept_as(folder_key, filters[read.filter]);
      found = listed_.emplace(std::move(kept_as), std::move(read.names)).first;
    }
  }
  const std::vector<std::string>& names = found != listed_.end() ? found->second : read.names;
  for (auto it = std::lower_bound(names.begin(), names.end(), name_prefix);
       it != names.end() && detail::starts_with(*it, name_prefix); ++it)
    S3DEST_TRY(visit(folder_key + *it));
  return {};
}

inline Status LocalFolderSink::move_into_place(Staged& s) {
  const std::string path = describe(s.key), temp = temp_path(s.key, s.temp_number, s.folders_made);
  const bool may_replace = s.if_exists == ExistingObjects::replace;
  if (!s.existed || !may_replace) {
    if (detail::rename_no_replace(temp.c_str(), path.c_str()) == 0) {
      s.published = true;
      return {};
    }
    if (errno != EEXIST)
      return destination_error("moving the finished file into place at " + path + ": " + detail::errno_text(errno));
    if (!may_replace)
      return destination_error(path + " appeared while this run was writing (another writer?), and "
                               "existing_objects is \"keep\": it was left as it is");
  }
  S3DEST_TRY(keep_replaced_file(s, path));
  if (::rename(temp.c_str(), path.c_str()) != 0)
    return destination_error("moving the finished file into place at " + path + ": " + detail::errno_text(errno));
  s.published = true;
  return {};
}

inline Status LocalFolderSink::keep_replaced_file(Staged& s, const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};  // gone since it was listed: nothing to keep
    return destination_error("reading the state of " + path + ": " + detail::errno_text(errno));
  }
  if (S_ISDIR(st.st_mode)) return {};  // never moved: the rename over it fails and says so
  const std::string kept = kept_path(s);
  if (::link(path.c_str(), kept.c_str()) == 0 ||
      // A file system without hard links: the file steps aside, and its place stays empty
      // until the rename that follows.
      ::rename(path.c_str(), kept.c_str()) == 0) {
    s.kept = true;
    return {};
  }
  if (errno == ENOENT) return {};
  return destination_error("keeping " + path + " as " + kept + " until the run is complete: " +
                           detail::errno_text(errno));
}

// The journal, one line per staged file: "INODE BYTES N FOLDERS_MADE KEY_BYTES KEY". Its
// key's length goes first, so that a key may hold any byte.
inline Status LocalFolderSink::write_journal() {
  const std::string path = journal_path();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return destination_error("creating " + path + ": " + detail::errno_text(errno) +
                             ": check that the destination folder is writable");
  ::flock(fd, LOCK_EX);  // new, so never held by another: where flock is missing, cleanup goes by age
  struct stat st;
  if (::fstat(fd, &st) == 0 && file_systems_.count(st.st_dev) == 0) file_systems_.emplace(st.st_dev, root_);
  constexpr size_t kJournalWriteBytes = 64 * 1024;  // written a piece at a time: a run may have a million files
  std::string text = std::string(detail::kPublishJournalHeader) + "\n";
  int err = 0;
  for (size_t i = 0; i < staged_.size() && err == 0; ++i) {
    const Staged& s = staged_[i];
    text += std::to_string(s.inode) + " " + std::to_string(s.bytes) + " " + std::to_string(s.temp_number) + " " +
            std::to_string(s.folders_made) + " " + std::to_string(s.key.size()) + " " + s.key + "\n";
    if (text.size() >= kJournalWriteBytes || i + 1 == staged_.size()) {
      err = write_all(fd, text);
      text.clear();
    }
  }
  if (err != 0) {
    ::unlink(path.c_str());
    ::close(fd);
    return destination_error("writing " + path + ": " + detail::errno_text(err));
  }
  journal_fd_ = fd;  // closed, and so unlocked, once the journal is gone
  return {};
}

// Durable before visible, and visible durably before the run says it is done: without the
// first flush a power cut could leave an existing file replaced by an empty one (its new
// bytes still in memory), without the second the run's files could vanish after its
// manifest said they were there. The journal is on disk with the first flush, before any
// rename; its removal, with an fsync of its folder (commit()).
inline Status LocalFolderSink::publish() {
  wait_for_files();
  if (staged_.empty()) return {};
  S3DEST_TRY(write_journal());
  S3DEST_TRY(flush_to_disk("the run's files"));
  for (Staged& s : staged_)
    if (!s.published) S3DEST_TRY(move_into_place(s));
  S3DEST_TRY(flush_to_disk("the renames that put the run's files in place"));
  return commit();
}

inline Status LocalFolderSink::commit() {
  const std::string journal = journal_path();
  if (::unlink(journal.c_str()) != 0)
    return destination_error("removing " + journal + " once the run's files were in place: " +
                             detail::errno_text(errno));
  // The journal's folder only: its entry is the one change since the last flush.
  if (const int err = fsync_folder(root_); err != 0)  // then rollback() takes the run back
    return destination_error("flushing the removal of " + journal + " to disk: " + detail::errno_text(err) +
                             ": the disk may be failing or full; check it (dmesg) and run again");
  detail::close_journal(journal_fd_);
  for (const Staged& s : staged_)
    if (s.kept) ::unlink(kept_path(s).c_str());  // one left over is removed by `s3dest cleanup`
  staged_.clear();
  created_folders_.clear();
  return {};
}

// A syncfs() of each file system the run wrote to, not an fsync() a file: with thousands
// of files those cost a journal commit each. Usually that is one, the destination's; a
// folder under it may be another mount.
inline Status LocalFolderSink::flush_to_disk(const char* what) const {
  for (const auto& device_and_folder : file_systems_) {
    const std::string& folder = device_and_folder.second;
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) continue;  // removed: none of the run's files is there now
    if (fd < 0)
      return destination_error("opening " + folder + " to flush " + what + " to disk: " + detail::errno_text(errno));
    const int flushed = ::syncfs(fd);
    const int err = errno;
    ::close(fd);
    if (flushed != 0)
      return destination_error("flushing " + std::string(what) + " to disk under " + folder + ": " +
                               detail::errno_text(err) +
                               ": the disk may be failing or full; check it (dmesg) and run again");
  }
  return {};
}

inline RollbackReport LocalFolderSink::rollback() {
  wait_for_files();
  RollbackReport report;
  for (const Staged& s : staged_) {
    const std::string path = describe(s.key), kept = s.kept ? kept_path(s) : std::string();
    if (!s.published) {
      const std::string temp = temp_path(s.key, s.temp_number, s.folders_made);
      if (::unlink(temp.c_str()) == 0 || errno == ENOENT) ++report.removed;
      else report.not_deleted.push_back(temp + ": " + detail::errno_text(errno));
      if (s.kept) detail::put_back(kept, path);  // its rename failed: the file is still in place
    } else if (s.kept) {
      if (const int err = detail::put_back(kept, path); err == 0) ++report.restored;
      else report.replaced.push_back(path + " (what it held before is in " + kept + ": " + detail::errno_text(err) + ")");
    } else if (::unlink(path.c_str()) == 0 || errno == ENOENT) {
      ++report.removed;
    } else {
      report.not_deleted.push_back(path + ": " + detail::errno_text(errno));
    }
  }
  staged_.clear();
  ::unlink(journal_path().c_str());
  detail::close_journal(journal_fd_);
  // Deepest first (a folder sorts after those above it); a folder that is not empty (it
  // holds a file that could not be deleted) stays.
  for (auto it = created_folders_.rbegin(); it != created_folders_.rend(); ++it) ::rmdir(it->c_str());
  created_folders_.clear();
  return report;
}

inline Status LocalFolderSink::remove(const std::string& key) {
  const std::string path = describe(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return destination_error("deleting " + path + ": " + detail::errno_text(errno));
  return {};
}

// Deepest first, up to the first folder that exists: most files go into a folder that
// exists or into a new one under one that does, one mkdir each. Making every folder from
// the top cost a mkdir a level and a stat for each file (1,825 mkdirs for a year of daily
// files under a folder five deep, 395 now): cheap on a local disk, a round trip each on
// a network file system.
inline Result<uint32_t> LocalFolderSink::make_parent_folders(const std::string& path) {
  std::vector<size_t> missing;  // where the folders to make end in `path`, deepest first
  for (size_t end = path.rfind('/'); end != std::string::npos && end > 0; end = path.rfind('/', end - 1)) {
    std::string folder = path.substr(0, end);
    if (::mkdir(folder.c_str(), 0755) == 0) {
      created_folders_.insert(std::move(folder));
      break;
    }
    if (errno == EEXIST) {
      struct stat st;
      if (created_folders_.count(folder) == 0 && (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
        return destination_error(folder + " exists and is not a folder: move it or choose another --dest");
      break;
    }
    // ENOTDIR: a file on the way, which the mkdir of its own name finds (EEXIST)
    if (errno != ENOENT && errno != ENOTDIR)
      return destination_error("creating folder " + folder + ": " + detail::errno_text(errno));
    missing.push_back(end);
  }
  for (auto end = missing.rbegin(); end != missing.rend(); ++end) {
    std::string folder = path.substr(0, *end);
    if (::mkdir(folder.c_str(), 0755) == 0) created_folders_.insert(std::move(folder));
    else if (errno != EEXIST) return destination_error("creating folder " + folder + ": " + detail::errno_text(errno));
    // EEXIST: another writer made it just now; it is not this run's
  }
  uint32_t made = 0;  // from the file's own folder up, the folders this run made
  for (size_t end = path.rfind('/'); end != std::string::npos && end > 0 && created_folders_.count(path.substr(0, end));
       end = path.rfind('/', end - 1))
    ++made;
  return made;
}

namespace detail {

inline bool is_local_run_id(std::string_view run_id) {
  const bool random_id = run_id.size() == 8 && run_id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  return random_id || is_run_id(run_id);
}

}  // namespace detail

inline std::optional<LocalTempFileName> parse_local_temp_file_name(std::string_view name) {
  // "." NAME ".s3dest-" RUNID "-" N [".made" K | ".kept"] ".tmp"
  constexpr std::string_view kEnd = ".tmp", kMade = ".made";
  if (name.size() < 2 + kEnd.size() || name.front() != '.' || name.substr(name.size() - kEnd.size()) != kEnd)
    return std::nullopt;
  name.remove_suffix(kEnd.size());
  LocalTempFileName parsed;
  if (name.size() > detail::kKeptTag.size() && name.substr(name.size() - detail::kKeptTag.size()) == detail::kKeptTag) {
    parsed.kept = true;
    name.remove_suffix(detail::kKeptTag.size());
  } else if (const size_t made = name.rfind(kMade); made != std::string_view::npos) {
    const char* const count = name.data() + made + kMade.size();
    const auto [end, error] = std::from_chars(count, name.data() + name.size(), parsed.folders_made);
    // Not followed by a count only, ".made" is part of NAME.
    if (error == std::errc() && end == name.data() + name.size() && end != count) name = name.substr(0, made);
    else parsed.folders_made = 0;
  }
  const size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || name.find_first_not_of("0123456789", dash + 1) != std::string_view::npos ||
      dash + 1 == name.size())
    return std::nullopt;
  name = name.substr(0, dash);
  const size_t marker = name.rfind(".s3dest-");
  if (marker == std::string_view::npos || marker == 0) return std::nullopt;
  const std::string_view run_id = name.substr(marker + 8);
  if (!detail::is_local_run_id(run_id)) return std::nullopt;
  parsed.run_id = std::string(run_id);
  return parsed;
}

inline Result<std::vector<PublishJournal>> find_publish_journals(const std::string& root) {
  std::vector<PublishJournal> journals;
  DIR* dir = ::opendir(root.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return journals;
    return destination_error("listing " + root + ": " + detail::errno_text(errno));
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    const size_t start = detail::kPublishJournalStart.size(), end = detail::kPublishJournalEnd.size();
    if (name.size() <= start + end || !detail::starts_with(name, detail::kPublishJournalStart) ||
        name.substr(name.size() - end) != detail::kPublishJournalEnd)
      continue;
    const std::string_view run_id = name.substr(start, name.size() - start - end);
    struct stat st;
    if (!detail::is_local_run_id(run_id) || ::fstatat(::dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    PublishJournal journal{root + "/" + std::string(name), std::string(run_id), st.st_mtime};
    // A load locks its journal before it writes the first line: one without it may be
    // between its creation and the lock.
    const int fd = ::openat(::dirfd(dir), entry->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat locked;
    if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      if (::fstat(fd, &locked) == 0 && static_cast<uint64_t>(locked.st_size) > detail::kPublishJournalHeader.size())
        journal.lock = PublishJournal::Lock::free;
    } else if (fd >= 0 && errno == EWOULDBLOCK) {
      journal.lock = PublishJournal::Lock::held;
    }
    if (fd >= 0) ::close(fd);
    journals.push_back(std::move(journal));
  }
  ::closedir(dir);
  return journals;
}

namespace detail {

// One line of a publish journal (see LocalFolderSink::write_journal).
struct JournalEntry {
  uint64_t inode = 0, bytes = 0, temp_number = 0;
  uint32_t folders_made = 0;
  std::string key;
};

// A key as a journal may name it: a path under the folder, never out of it.
inline bool is_journal_key(std::string_view key) {
  if (key.empty() || key.size() > 4096 || key.find('\0') != std::string_view::npos) return false;
  for (size_t at = 0; at <= key.size();) {
    const size_t slash = std::min(key.find('/', at), key.size());
    const std::string_view segment = key.substr(at, slash - at);
    if (segment.empty() || segment == "." || segment == "..") return false;
    at = slash + 1;
  }
  return true;
}

// Reads the journal's lines one at a time (it may name a million files): false at its end,
// or an error for a line that is not what s3dest writes. A journal that ends within a
// line was cut short as it was written, before any rename: its whole lines are read.
class JournalReader {
 public:
  explicit JournalReader(std::string path) : path_(std::move(path)) {}
  ~JournalReader() {
    if (file_ != nullptr) std::fclose(file_);
  }
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  Result<bool> next(JournalEntry& entry) {
    if (file_ == nullptr) {
      file_ = std::fopen(path_.c_str(), "rbe");
      if (file_ == nullptr) return destination_error("reading " + path_ + ": " + errno_text(errno));
      char header[64] = {};
      const std::string expected = std::string(kPublishJournalHeader) + "\n";
      if (std::fgets(header, sizeof header, file_) == nullptr || std::string_view(header) != expected)
        return unreadable();
    }
    uint64_t key_bytes = 0, folders_made = 0;
    for (uint64_t* number : {&entry.inode, &entry.bytes, &entry.temp_number, &folders_made, &key_bytes})
      if (!read_number(*number)) return unreadable();
    if (key_bytes > 4096 || folders_made > 4096) return malformed();
    entry.folders_made = static_cast<uint32_t>(folders_made);
    entry.key.resize(key_bytes);
    if (std::fread(entry.key.data(), 1, key_bytes, file_) != key_bytes || std::fgetc(file_) != '\n')
      return unreadable();
    if (!is_journal_key(entry.key)) return malformed();
    return true;
  }

 private:
  // Digits, then the one space after them.
  bool read_number(uint64_t& number) {
    number = 0;
    int digits = 0;
    for (int c = std::fgetc(file_); c != ' '; c = std::fgetc(file_)) {
      if (c < '0' || c > '9' || ++digits > 19) return false;
      number = number * 10 + static_cast<uint64_t>(c - '0');
    }
    return digits > 0;
  }
  // What a read that stopped short means: the journal's end, or an error.
  Result<bool> unreadable() const {
    if (std::ferror(file_)) return destination_error("reading " + path_ + ": " + errno_text(errno));
    if (std::feof(file_)) return false;
    return malformed();
  }
  Status malformed() const {
    return destination_error(path_ + " is not a journal s3dest wrote: look at it, and delete it if it is not needed");
  }

  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace detail

inline Result<UndonePublish> undo_killed_publish(const std::string& root, const PublishJournal& journal,
                                                 const std::function<void(const char*, const std::string&)>& tell) {
  UndonePublish undone;
  detail::JournalReader reader(journal.path);
  detail::JournalEntry entry;
  for (;;) {
    S3DEST_ASSIGN_OR_RETURN(const bool more, reader.next(entry));
    if (!more) break;
    const std::string path = root + "/" + entry.key;
    const std::string temp =
        detail::local_side_path(root, entry.key, journal.run_id, entry.temp_number, detail::made_tag(entry.folders_made));
    const std::string kept =
        detail::local_side_path(root, entry.key, journal.run_id, entry.temp_number, detail::kKeptTag);
    if (::unlink(temp.c_str()) == 0) {  // not moved into place yet
      tell("removed", temp);
      ++undone.removed;
    } else if (errno != ENOENT) {
      return destination_error("deleting " + temp + ": " + detail::errno_text(errno));
    }
    struct stat placed, earlier;
    const bool present = ::lstat(path.c_str(), &placed) == 0;
    const bool runs = present && S_ISREG(placed.st_mode) && static_cast<uint64_t>(placed.st_ino) == entry.inode &&
                      static_cast<uint64_t>(placed.st_size) == entry.bytes;
    if (::lstat(kept.c_str(), &earlier) == 0) {
      // Not yet replaced (the kept name is a second link to it, or it stepped aside), or
      // replaced by the run: back it goes. Replaced by someone since: it is out of date.
      if (!present || runs || placed.st_ino == earlier.st_ino) {
        if (const int err = detail::put_back(kept, path); err != 0)
          return destination_error("putting " + kept + " back at " + path + ": " + detail::errno_text(err));
        tell("put back", path);
        ++undone.restored;
      } else if (::unlink(kept.c_str()) == 0) {
        tell("removed", kept);
        ++undone.removed;
      } else {
        return destination_error("deleting " + kept + ": " + detail::errno_text(errno));
      }
    } else if (runs) {
      if (::unlink(path.c_str()) != 0)
        return destination_error("deleting " + path + ": " + detail::errno_text(errno));
      tell("removed", path);
      ++undone.removed;
    }
    if (entry.folders_made > 0) {
      const size_t slash = path.rfind('/');
      undone.made_folders[path.substr(0, slash)] = entry.folders_made;
    }
  }
  if (::unlink(journal.path.c_str()) != 0 && errno != ENOENT)
    return destination_error("deleting " + journal.path + ": " + detail::errno_text(errno));
  tell("removed", journal.path);
  return undone;
}

inline void remove_made_folders(const MadeFolders& made, const std::function<void(const std::string&)>& removed) {
  // Deepest first: a folder sorts after the folders above it.
  for (auto it = made.rbegin(); it != made.rend(); ++it) {
    std::string folder = it->first;
    for (uint32_t level = 0; level < it->second && !folder.empty(); ++level) {
      if (::rmdir(folder.c_str()) == 0) removed(folder);
      else if (errno != ENOENT) break;  // ENOENT: gone already, on the way up from a deeper one
      const size_t slash = folder.rfind('/');
      folder.resize(slash == std::string::npos ? 0 : slash);
    }
  }
}

inline Result<std::map<std::string, UndonePublish>> take_back_killed_publishes(const std::string& root) {
  std::map<std::string, UndonePublish> taken_back;
  S3DEST_ASSIGN_OR_RETURN(const std::vector<PublishJournal> journals, find_publish_journals(root));
  for (const PublishJournal& journal : journals) {
    if (journal.lock != PublishJournal::Lock::free) continue;
    S3DEST_ASSIGN_OR_RETURN(UndonePublish undone, undo_killed_publish(root, journal, [](const char*, const std::string&) {}));
    remove_made_folders(undone.made_folders, [](const std::string&) {});
    taken_back.emplace(journal.run_id, std::move(undone));
  }
  return taken_back;
}

}  // namespace s3dest
