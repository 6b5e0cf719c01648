// --manifest FILE for a load or a put: the manifest takes its name only once the run has succeeded.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

#include "s3dest/core/status.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/core/whole_io.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/destination/manifest.hpp"

namespace s3dest::tool {

// The manifest file (--manifest, "-" for standard output). It is written as the run
// completes, before the objects are published, so that one that cannot be written undoes
// the run; but it takes its name only once the run has succeeded. Until then it is
// ".NAME.s3dest-RUNID.tmp" beside it, removed if the run fails: a run that fails, or is
// killed, leaves the manifest an earlier run wrote at that path as it was. The run holds
// a lock (flock) on it while it waits, so that the next run with the same --manifest
// tells a killed run's (remove_killed_runs_manifests) from one still publishing.
class ManifestFile {
 public:
  ManifestFile(std::string path, const std::string& run_id) : path_(std::move(path)) {
    const size_t slash = path_.rfind('/');
    temp_ = path_.substr(0, slash + 1) + temp_prefix(path_.substr(slash + 1)) + run_id + ".tmp";
  }
  ~ManifestFile() {
    if (written_) ::unlink(temp_.c_str());
    if (fd_ >= 0) ::close(fd_);
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
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return failed(errno);
    written_ = true;
    (void)::flock(fd_, LOCK_EX);  // best effort: without flock a killed run's waits for the user
    int err = write_all(fd_, json);
    if (err == 0 && ::fsync(fd_) != 0) err = errno;
    return err == 0 ? Status() : failed(err);
  }
  // Once the run has succeeded: the manifest takes its name (and the rename reaches the disk).
  Status put_in_place() {
    if (!written_) return {};
    if (::rename(temp_.c_str(), path_.c_str()) != 0)
      return destination_error("the run succeeded, but its manifest could not be moved to " + path_ + ": " +
                               std::strerror(errno) + ": it is in " + temp_);
    written_ = false;
    // Best effort: the run has succeeded, and its manifest is in place for this machine.
    fsync_folder(folder_of(path_));
    return {};
  }

  // ".NAME.s3dest-": how the waiting manifests of a manifest named NAME begin.
  static std::string temp_prefix(const std::string& name) { return "." + name + ".s3dest-"; }
  static std::string folder_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  }

 private:
  Status failed(int err) const {
    return destination_error("writing the manifest to " + temp_ + " (to be renamed " + path_ +
                             ") failed: " + std::strerror(err) + ": check the path and the space left");
  }

  std::string path_, temp_;
  bool written_ = false;  // temp_ exists
  int fd_ = -1;           // temp_, open and locked until the run ends
};

// Removes the manifests that killed runs left waiting for the manifest `path`
// (".NAME.s3dest-RUNID.tmp" beside it): those whose lock is free, so that no run is
// publishing with them, and that hold the manifest (a run locks its manifest just after
// making it, before writing it: an empty one goes once it is a minute old). Says so for
// each; a failure only leaves one there.
inline void remove_killed_runs_manifests(const std::string& path) {
  if (path == "-") return;
  const std::string folder = ManifestFile::folder_of(path);
  const std::string prefix = ManifestFile::temp_prefix(path.substr(path.rfind('/') + 1));
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) return;
  const std::time_t now = std::time(nullptr);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.size() <= prefix.size() + 4 || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - 4, 4, ".tmp") != 0)
      continue;
    const std::string run_id = name.substr(prefix.size(), name.size() - prefix.size() - 4);
    if (!is_run_id(run_id)) continue;
    const std::string temp = (folder == "." ? "" : folder == "/" ? "/" : folder + "/") + name;
    const int fd = ::open(temp.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    const bool stale = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_size > 0 || now - st.st_mtime >= 60) &&
                       ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (stale && ::unlink(temp.c_str()) == 0)
      std::fprintf(stderr, "s3dest: removed the manifest that killed run %s left: %s\n", run_id.c_str(),
                   printable(temp, 4200, Masking::none).c_str());
    ::close(fd);
  }
  ::closedir(dir);
}

}  // namespace s3dest::tool
