// A local folder laid out exactly like the bucket: the object "a/b/c.csv" is the file
// DIR/a/b/c.csv. Each object is written to a hidden temporary file beside its final name
// and renamed into place on commit, so a file appears complete or not at all.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/sink/object_checksum.hpp"

namespace s3dest {

class LocalFolderSink final : public ObjectSink {
 public:
  LocalFolderSink(std::string root, ChecksumAlgorithm checksum);

  Result<std::unique_ptr<ObjectWriter>> create(const std::string& key) override;
  Status remove(const std::string& key) override;
  std::string describe(const std::string& key) const override { return root_ + "/" + key; }

  // Removes the folders this sink created that are empty again (after a failed run).
  void remove_empty_folders();

 private:
  Status make_parent_folders(const std::string& path);

  std::string root_;
  ChecksumAlgorithm checksum_;
  std::vector<std::string> created_folders_;
};

namespace detail {

inline std::string errno_text(int err) { return std::strerror(err); }

class LocalFileWriter final : public ObjectWriter {
 public:
  LocalFileWriter(std::string key, std::string path, std::string temp_path, int fd,
                  ChecksumAlgorithm checksum)
      : key_(std::move(key)), path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd),
        checksum_(checksum) {}
  ~LocalFileWriter() override { abort(); }

  Status write(std::string_view bytes) override {
    checksum_.update(bytes);
    size_ += bytes.size();
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return destination_error("writing " + path_ + ": " + errno_text(errno));
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }
  uint64_t size() const override { return size_; }

  Result<ObjectInfo> commit() override {
    if (::close(fd_) != 0) {
      fd_ = -1;
      return destination_error("writing " + path_ + ": " + errno_text(errno));
    }
    fd_ = -1;
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
      return destination_error("moving the finished file into place at " + path_ + ": " +
                               errno_text(errno));
    temp_path_.clear();
    ObjectInfo info;
    info.key = key_;
    info.bytes = size_;
    info.checksum = checksum_.text();  // no ETag: that is an S3 server's to give
    return info;
  }

  void abort() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }

 private:
  std::string key_, path_, temp_path_;
  int fd_;
  ObjectChecksum checksum_;
  uint64_t size_ = 0;
};

}  // namespace detail

inline LocalFolderSink::LocalFolderSink(std::string root, ChecksumAlgorithm checksum)
    : root_(std::move(root)), checksum_(checksum) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

inline Result<std::unique_ptr<ObjectWriter>> LocalFolderSink::create(const std::string& key) {
  const std::string path = describe(key);
  S3DEST_TRY(make_parent_folders(path));
  static std::atomic<unsigned> counter{0};
  const size_t slash = path.rfind('/');
  const std::string temp = path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".s3dest-" +
                           std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return destination_error("creating " + temp + ": " + detail::errno_text(errno) +
                             ": check that the destination folder is writable");
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<detail::LocalFileWriter>(key, path, temp, fd, checksum_));
}

inline Status LocalFolderSink::remove(const std::string& key) {
  const std::string path = describe(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return destination_error("deleting " + path + ": " + detail::errno_text(errno));
  return {};
}

inline void LocalFolderSink::remove_empty_folders() {
  // Deepest first: created_folders_ is in creation order, parents before children.
  for (auto it = created_folders_.rbegin(); it != created_folders_.rend(); ++it) ::rmdir(it->c_str());
  created_folders_.clear();
}

inline Status LocalFolderSink::make_parent_folders(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string folder = path.substr(0, slash);
    if (::mkdir(folder.c_str(), 0755) == 0) {
      created_folders_.push_back(folder);
    } else if (errno != EEXIST) {
      return destination_error("creating folder " + folder + ": " + detail::errno_text(errno));
    } else {
      struct stat st;
      if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return destination_error(folder + " exists and is not a folder: move it or choose another --dest");
    }
  }
  return {};
}

}  // namespace s3dest
