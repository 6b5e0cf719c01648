// Where input bytes come from: a file, standard input ("-") or memory. Gzip data is
// recognised by its magic bytes (1f 8b), not its name, and decompressed on the fly, so
// `zcat x | s3dest load` and `s3dest load --input x.gz` read the same rows.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "s3dest/core/status.hpp"
#include "s3dest/core/stop_flag.hpp"

namespace s3dest {

class ByteSource {
 public:
  // Opens a file, or standard input for "-". A missing or unreadable path is a usage
  // error (exit 2) that names it. While a pipe or terminal has nothing to read, a raised
  // `stop` ends the wait with an `interrupted` error (a file never makes a reader wait).
  static Result<std::unique_ptr<ByteSource>> open(const std::string& path, const StopFlag* stop = nullptr);
  // Bytes already in memory (gzip or plain); `name` is what messages call them.
  static std::unique_ptr<ByteSource> from_string(std::string bytes, std::string name);
  // Bytes a function makes, as read() hands them out (fill up to `cap`, 0 at the end):
  // for sources that transform another one. They are taken as they come (no gzip).
  using Produce = std::function<Result<size_t>(char* buf, size_t cap)>;
  static std::unique_ptr<ByteSource> from_function(Produce produce, std::string name);

  // Fills up to `cap` bytes of `buf` with decompressed data; 0 means the end. Damaged or
  // truncated gzip data is an input error (exit 3) that names the source.
  Result<size_t> read(char* buf, size_t cap);

  // The path as given ("stdin" for "-"), for messages.
  const std::string& name() const { return name_; }
  // Whether the data is gzip; known after the first read.
  bool gzip() const { return mode_ == Mode::gzip; }
  // The size of a regular file as stored (compressed, for gzip): how far reading has to
  // go. Nothing for a pipe, a terminal or a function's bytes, whose end is unknown.
  std::optional<uint64_t> stored_size() const { return stored_size_; }
  // Adds the stored bytes taken from now on (before decompression) to `counter`, which
  // must outlive the source and may be read from any thread: how a load tells how far
  // through its inputs it is.
  void count_stored_bytes_in(std::atomic<uint64_t>& counter) { stored_bytes_read_ = &counter; }

  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

 private:
  ByteSource() = default;
  enum class Mode { unknown, plain, gzip };

  // Reads stored bytes, counting them; read_stored reads them.
  Result<size_t> read_raw(char* buf, size_t cap);
  Result<size_t> read_stored(char* buf, size_t cap);
  Status wait_for_data();
  Status fill_input();
  Status detect();
  Result<size_t> read_gzip(char* buf, size_t cap);
  Result<bool> next_member();

  std::string name_;
  Produce produce_;  // from_function's
  int fd_ = -1;
  bool owns_fd_ = false;
  const StopFlag* stop_ = nullptr;  // watched while a pipe has nothing to read
  std::string memory_;  // from_string's bytes
  size_t memory_pos_ = 0;
  bool raw_eof_ = false;
  std::optional<uint64_t> stored_size_;
  std::atomic<uint64_t>* stored_bytes_read_ = nullptr;
  Mode mode_ = Mode::unknown;
  // Compressed (or peeked) bytes waiting to be used: in_[in_pos_, in_end_).
  std::unique_ptr<char[]> in_;
  size_t in_pos_ = 0, in_end_ = 0;
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
  bool gzip_done_ = false;
};

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace s3dest {
namespace detail {
// Large reads: one system call or one inflate call per MiB keeps parsing the bottleneck.
constexpr size_t kByteSourceBlock = size_t{1} << 20;
}  // namespace detail

struct ByteSource::Inflater {
  z_stream stream{};
  bool initialised = false;
  ~Inflater() {
    if (initialised) inflateEnd(&stream);
  }
};

inline Result<std::unique_ptr<ByteSource>> ByteSource::open(const std::string& path, const StopFlag* stop) {
  std::unique_ptr<ByteSource> source(new ByteSource());
  struct stat st;
  const auto watch_if_it_waits = [&source, stop](int fd) {
    struct stat st;
    if (stop && ::fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) source->stop_ = stop;
  };
  if (path == "-") {
    source->name_ = "stdin";
    source->fd_ = 0;
    watch_if_it_waits(0);
    return source;
  }
  source->name_ = path;
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return usage_error("cannot open input '" + path + "': " + std::strerror(errno) +
                       "; check the path (use - for standard input)");
  }
  source->fd_ = fd;
  source->owns_fd_ = true;
  watch_if_it_waits(fd);
  const bool known = ::fstat(fd, &st) == 0;
  if (known && S_ISDIR(st.st_mode)) {
    return usage_error("input '" + path + "' is a directory; give the path of a file");
  }
  if (known && S_ISREG(st.st_mode)) source->stored_size_ = static_cast<uint64_t>(st.st_size);
  return source;
}

inline std::unique_ptr<ByteSource> ByteSource::from_string(std::string bytes, std::string name) {
  std::unique_ptr<ByteSource> source(new ByteSource());
  source->memory_ = std::move(bytes);
  source->stored_size_ = source->memory_.size();
  source->name_ = std::move(name);
  return source;
}

inline std::unique_ptr<ByteSource> ByteSource::from_function(Produce produce, std::string name) {
  std::unique_ptr<ByteSource> source(new ByteSource());
  source->produce_ = std::move(produce);
  source->name_ = std::move(name);
  return source;
}

inline ByteSource::~ByteSource() {
  if (owns_fd_) ::close(fd_);
}

inline Result<size_t> ByteSource::read_raw(char* buf, size_t cap) {
  S3DEST_ASSIGN_OR_RETURN(const size_t n, read_stored(buf, cap));
  if (stored_bytes_read_ != nullptr) stored_bytes_read_->fetch_add(n, std::memory_order_relaxed);
  return n;
}

inline Result<size_t> ByteSource::read_stored(char* buf, size_t cap) {
  if (raw_eof_ || cap == 0) return size_t{0};
  if (fd_ < 0) {
    const size_t n = std::min(cap, memory_.size() - memory_pos_);
    std::memcpy(buf, memory_.data() + memory_pos_, n);
    memory_pos_ += n;
    if (n == 0) raw_eof_ = true;
    return n;
  }
  S3DEST_TRY(wait_for_data());
  for (;;) {
    const ssize_t n = ::read(fd_, buf, cap);
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) {
      raw_eof_ = true;
      return size_t{0};
    }
    if (errno != EINTR) return input_error("reading '" + name_ + "': " + std::strerror(errno));
  }
}

// A pipe may have nothing to read for a long time: wait in short slices, watching stop_.
inline Status ByteSource::wait_for_data() {
  if (stop_ == nullptr) return {};
  for (;;) {
    if (stop_->raised()) return interrupted_error(*stop_);
    pollfd ready{fd_, POLLIN, 0};
    const int n = ::poll(&ready, 1, 100);
    if (n > 0 || (n < 0 && errno != EINTR)) return {};  // data, an end, or an error read() will report
  }
}

// Moves unused input to the front of in_ and reads more behind it.
inline Status ByteSource::fill_input() {
  if (!in_) in_.reset(new char[detail::kByteSourceBlock]);
  if (in_pos_ > 0) {
    std::memmove(in_.get(), in_.get() + in_pos_, in_end_ - in_pos_);
    in_end_ -= in_pos_;
    in_pos_ = 0;
  }
  S3DEST_ASSIGN_OR_RETURN(const size_t n, read_raw(in_.get() + in_end_, detail::kByteSourceBlock - in_end_));
  in_end_ += n;
  return {};
}

// Peeks at the first two bytes to choose plain or gzip.
inline Status ByteSource::detect() {
  while (in_end_ - in_pos_ < 2 && !raw_eof_) S3DEST_TRY(fill_input());
  const auto* p = reinterpret_cast<const unsigned char*>(in_.get() + in_pos_);
  if (in_end_ - in_pos_ >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    mode_ = Mode::gzip;
    inflater_.reset(new Inflater());
    // 15 + 16: a gzip wrapper around a deflate stream with a 32 KiB window.
    if (inflateInit2(&inflater_->stream, 15 + 16) != Z_OK)
      return internal_error("zlib could not start decompressing '" + name_ + "'");
    inflater_->initialised = true;
  } else {
    mode_ = Mode::plain;
  }
  return {};
}

inline Result<size_t> ByteSource::read(char* buf, size_t cap) {
  if (produce_) return cap == 0 ? Result<size_t>(size_t{0}) : produce_(buf, cap);
  if (mode_ == Mode::unknown) S3DEST_TRY(detect());
  if (cap == 0) return size_t{0};
  if (mode_ == Mode::gzip) return read_gzip(buf, cap);
  if (in_pos_ < in_end_) {  // the peeked bytes first
    const size_t n = std::min(cap, in_end_ - in_pos_);
    std::memcpy(buf, in_.get() + in_pos_, n);
    in_pos_ += n;
    return n;
  }
  return read_raw(buf, cap);
}

// After a member's end: another member (concatenated gzip files are one stream, as for
// gzip -d), zero padding (tape archives), or the end.
inline Result<bool> ByteSource::next_member() {
  for (;;) {
    while (in_end_ - in_pos_ < 2 && !raw_eof_) S3DEST_TRY(fill_input());
    const size_t avail = in_end_ - in_pos_;
    if (avail == 0) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(in_.get() + in_pos_);
    if (avail >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
      inflateReset(&inflater_->stream);
      return true;
    }
    size_t zeros = 0;
    while (zeros < avail && p[zeros] == 0) ++zeros;
    if (zeros < avail) {
      return input_error(name_ + ": unexpected data after the end of the gzip stream; the file "
                                 "may be damaged: check it with gzip -t");
    }
    in_pos_ = in_end_;
  }
}

inline Result<size_t> ByteSource::read_gzip(char* buf, size_t cap) {
  z_stream& zs = inflater_->stream;
  size_t produced = 0;
  while (produced == 0 && !gzip_done_) {
    if (in_pos_ == in_end_) {
      S3DEST_TRY(fill_input());
      if (in_pos_ == in_end_) {
        return input_error(name_ + ": the gzip data ends early (truncated file?); check it "
                                   "with gzip -t");
      }
    }
    zs.next_in = reinterpret_cast<Bytef*>(in_.get() + in_pos_);
    zs.avail_in = static_cast<uInt>(in_end_ - in_pos_);
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(cap, 1u << 30));
    const uInt out_before = zs.avail_out;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_pos_ = in_end_ - zs.avail_in;
    produced = out_before - zs.avail_out;
    if (rc == Z_STREAM_END) {
      S3DEST_ASSIGN_OR_RETURN(const bool more, next_member());
      gzip_done_ = !more;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return input_error(name_ + ": not valid gzip data (" + (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) +
                         "); the file may be damaged: check it with gzip -t");
    }
  }
  return produced;
}

}  // namespace s3dest
