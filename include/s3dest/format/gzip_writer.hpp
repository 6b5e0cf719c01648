// A gzip stream (one member) over a ByteSink, that can answer "would the finished file
// still fit in N bytes if I wrote this too?" exactly enough to fill objects to a hard
// size cap. zlib holds back output it has not decided yet; a sync flush makes every byte
// written so far appear, so the size is known exactly at that point. Between flushes we
// rely on a worst-case bound and only flush when the bound says the cap is near.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest {

class GzipWriter final : public ByteSink {
 public:
  // `level`: zlib's 1 (fast) .. 9 (small); 6 is gzip's default.
  GzipWriter(ByteSink& out, int level);
  ~GzipWriter() override;
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  Status write(std::string_view bytes) override;
  // Uncompressed bytes accepted.
  uint64_t size() const override { return uncompressed_; }

  // True if writing `more` bytes then finishing keeps the whole file within `cap` bytes,
  // whatever they are (zlib's worst case). May sync-flush to learn the exact size, which is
  // why it is not const.
  Result<bool> fits(uint64_t more, uint64_t cap);
  // Exactly: compresses `bytes` on a copy of the stream and says whether they would fit.
  // For what the worst case refuses (a long row of repeated text compresses to little);
  // costs a copy of zlib's state (about 256 KiB).
  Result<bool> fits_compressed(std::string_view bytes, uint64_t cap);

  // Ends the member (trailer with CRC-32 and length) and passes on every byte.
  Status finish();

 private:
  Status deflate_into_sink(int flush);
  // Largest compressed size of `n` new bytes, whatever the data (zlib's own safe bound).
  static uint64_t deflate_bound(uint64_t n) { return n + ((n + 7) >> 3) + ((n + 63) >> 6) + 5; }

  // gzip header (10) + empty final block (2) + trailer (8), rounded up for safety.
  static constexpr uint64_t kFrameBytes = 32;

  ByteSink& out_;
  z_stream stream_{};
  bool initialised_ = false;
  bool finished_ = false;
  uint64_t uncompressed_ = 0;
  uint64_t unflushed_ = 0;     // uncompressed bytes since the last sync flush
  uint64_t flushed_size_ = 0;  // compressed bytes out at the last sync flush: exact
  // zlib's output, passed on when full. Not zero-filled: many small objects each get one.
  static constexpr size_t kBufferBytes = 128 * 1024;
  std::unique_ptr<char[]> buffer_;
};

inline GzipWriter::GzipWriter(ByteSink& out, int level) : out_(out), buffer_(new char[kBufferBytes]) {
  // windowBits 15 + 16 asks zlib for a gzip wrapper rather than zlib's own.
  initialised_ = deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

inline GzipWriter::~GzipWriter() {
  if (initialised_) deflateEnd(&stream_);
}

inline Status GzipWriter::write(std::string_view bytes) {
  if (!initialised_) return internal_error("zlib could not set up a gzip stream (out of memory?)");
  if (finished_) return internal_error("write after finish on a gzip stream");
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream_.avail_in = static_cast<uInt>(bytes.size());
  uncompressed_ += bytes.size();
  unflushed_ += bytes.size();
  return deflate_into_sink(Z_NO_FLUSH);
}

inline Result<bool> GzipWriter::fits(uint64_t more, uint64_t cap) {
  if (flushed_size_ + deflate_bound(unflushed_ + more) + kFrameBytes <= cap) return true;
  if (unflushed_ == 0) return false;
  S3DEST_TRY(deflate_into_sink(Z_SYNC_FLUSH));
  flushed_size_ = stream_.total_out;
  unflushed_ = 0;
  return flushed_size_ + deflate_bound(more) + kFrameBytes <= cap;
}

inline Result<bool> GzipWriter::fits_compressed(std::string_view bytes, uint64_t cap) {
  if (!initialised_) return internal_error("zlib could not set up a gzip stream (out of memory?)");
  if (unflushed_ > 0) {  // the copy must start from an exactly known size
    S3DEST_TRY(deflate_into_sink(Z_SYNC_FLUSH));
    flushed_size_ = stream_.total_out;
    unflushed_ = 0;
  }
  z_stream trial{};
  if (deflateCopy(&trial, &stream_) != Z_OK) return internal_error("zlib could not copy a gzip stream (out of memory?)");
  trial.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  trial.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  do {  // the output only counts: it goes to the buffer and is dropped
    trial.next_out = reinterpret_cast<Bytef*>(buffer_.get());
    trial.avail_out = static_cast<uInt>(kBufferBytes);
    rc = deflate(&trial, Z_SYNC_FLUSH);
  } while (rc != Z_STREAM_ERROR && (trial.avail_in != 0 || trial.avail_out == 0));
  const uint64_t size = trial.total_out;
  deflateEnd(&trial);
  if (rc == Z_STREAM_ERROR) return internal_error("zlib refused the gzip stream's state");
  return size + kFrameBytes <= cap;
}

inline Status GzipWriter::finish() {
  if (!initialised_) return internal_error("zlib could not set up a gzip stream (out of memory?)");
  if (finished_) return {};
  stream_.avail_in = 0;
  S3DEST_TRY(deflate_into_sink(Z_FINISH));
  finished_ = true;
  return {};
}

inline Status GzipWriter::deflate_into_sink(int flush) {
  // Loop until zlib has taken all input and, when flushing, has nothing left to say.
  for (;;) {
    stream_.next_out = reinterpret_cast<Bytef*>(buffer_.get());
    stream_.avail_out = static_cast<uInt>(kBufferBytes);
    const int rc = deflate(&stream_, flush);
    if (rc == Z_STREAM_ERROR) return internal_error("zlib refused the gzip stream's state");
    const size_t produced = kBufferBytes - stream_.avail_out;
    if (produced > 0) S3DEST_TRY(out_.write(std::string_view(buffer_.get(), produced)));
    if (flush == Z_FINISH ? rc == Z_STREAM_END : (stream_.avail_in == 0 && stream_.avail_out != 0))
      return {};
  }
}

}  // namespace s3dest
