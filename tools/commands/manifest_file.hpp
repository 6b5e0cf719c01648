// --manifest FILE for a load or a put: the manifest takes its name only once the run has succeeded.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "s3dest/core/status.hpp"
#include "s3dest/core/whole_io.hpp"
#include "s3dest/destination/manifest.hpp"

namespace s3dest::tool {

// The manifest file (--manifest, "-" for standard output). It is written as the run
// completes, before the objects are published, so that one that cannot be written undoes
// the run; but it takes its name only once the run has succeeded. Until then it is
// ".NAME.s3dest-RUNID.tmp" beside it, removed if the run fails: a run that fails, or is
// killed, leaves the manifest an earlier run wrote at that path as it was.
class ManifestFile {
 public:
  ManifestFile(std::string path, const std::string& run_id) : path_(std::move(path)) {
    const size_t slash = path_.rfind('/');
    temp_ = path_.substr(0, slash + 1) + "." + path_.substr(slash + 1) + ".s3dest-" + run_id + ".tmp";
  }
  ~ManifestFile() {
    if (written_) ::unlink(temp_.c_str());
  }
  ManifestFile(const ManifestFile&) = delete;
  ManifestFile& operator=(const ManifestFile&) = delete;

  // Writes it where it waits for put_in_place(), flushed to disk.
  Status write(const LoadReport& report) {
    const std::string json = manifest_json(report);
    if (path_ == "-") {
      std::fwrite(json.data(), 1, json.size(), stdout);
      return {};
    }
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return failed(errno);
    written_ = true;
    int err = write_all(fd, json);
    if (err == 0 && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    return err == 0 ? Status() : failed(err);
  }
  // Once the run has succeeded: the manifest takes its name (and the rename reaches the disk).
  Status put_in_place() {
    if (!written_) return {};
    if (::rename(temp_.c_str(), path_.c_str()) != 0)
      return destination_error("the run succeeded, but its manifest could not be moved to " + path_ + ": " +
                               std::strerror(errno) + ": it is in " + temp_);
    written_ = false;
    const size_t slash = path_.rfind('/');
    // Best effort: the run has succeeded, and its manifest is in place for this machine.
    fsync_folder(slash == std::string::npos ? "." : slash == 0 ? "/" : path_.substr(0, slash));
    return {};
  }

 private:
  Status failed(int err) const {
    return destination_error("writing the manifest to " + temp_ + " (to be renamed " + path_ +
                             ") failed: " + std::strerror(err) + ": check the path and the space left");
  }

  std::string path_, temp_;
  bool written_ = false;  // temp_ exists
};

}  // namespace s3dest::tool
