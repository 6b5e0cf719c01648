// Whole writes and reads on a file descriptor: write(2) and pread(2) may move fewer bytes
// than asked, or none when a signal arrives first (EINTR); these go on until every byte
// has moved.
//
//   if (const int err = write_all(fd, bytes); err != 0)
//     return destination_error("writing " + path + ": " + std::strerror(err) + ": free disk space");
//
// They return an errno value rather than a Status: what a failure means, and what the
// user should do about it, depends on the file (an output, a spill file, an input).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace s3dest {

// Writes all of `bytes` at the file's position: 0, or the errno of the write that failed
// (some bytes may have been written before it).
inline int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// Flushes `folder`'s entries (a file created, renamed or removed in it) to disk: 0, or the
// errno of the open or the fsync that failed.
inline int fsync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

// Reads exactly `n` bytes at `offset` into `out`: 0, the errno of the read that failed, or
// ENODATA when the file ends first (it was cut short while being read).
inline int read_exactly_at(int fd, uint64_t offset, char* out, size_t n) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno;
    if (got == 0) return ENODATA;
    out += got;
    n -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return 0;
}

// Reads `size` bytes of `fd` from `offset`, a block of at most 1 MiB at a time, and hands
// each block to `visit`, which returns false to stop: 0 once every block was visited (or
// `visit` stopped), else what read_exactly_at returned for the block that failed.
template <class Visit>
int read_in_blocks(int fd, uint64_t offset, uint64_t size, Visit&& visit) {
  const auto capacity = static_cast<size_t>(std::min<uint64_t>(size, uint64_t{1} << 20));
  const std::unique_ptr<char[]> block(new char[capacity]);
  for (uint64_t done = 0; done < size;) {
    const auto n = static_cast<size_t>(std::min<uint64_t>(capacity, size - done));
    if (const int err = read_exactly_at(fd, offset + done, block.get(), n); err != 0) return err;
    if (!visit(std::string_view(block.get(), n))) return 0;
    done += n;
  }
  return 0;
}

// Why a read failed, for a message: "it ended early" for ENODATA, else the errno's text.
inline std::string read_failure_text(int err) {
  return err == ENODATA ? "it ended early" : std::strerror(err);
}

}  // namespace s3dest
