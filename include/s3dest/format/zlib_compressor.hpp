// zlib's deflate as a Compressor, in the two framings s3dest writes:
//   gzip         one gzip member (RFC 1952): csv+gzip and json+gzip files, parquet's GZIP
//                pages (parquet-format's Compression.md asks for the gzip framing)
//   raw_deflate  deflate data alone (RFC 1951): avro's "deflate" blocks
// Every other file calls zlib's deflate through this one.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/format/compressor.hpp"

namespace s3dest {

enum class ZlibFraming { gzip, raw_deflate };

class ZlibCompressor final : public Compressor {
 public:
  // `level`: zlib's 0 (store) .. 9 (small); 6 is gzip's default. A level zlib refuses
  // fails at begin() or compress().
  ZlibCompressor(ZlibFraming framing, int level) : framing_(framing), level_(level) {}
  ~ZlibCompressor() override {
    if (initialised_) deflateEnd(&stream_);
  }
  ZlibCompressor(const ZlibCompressor&) = delete;
  ZlibCompressor& operator=(const ZlibCompressor&) = delete;

  Status begin(ByteSink& out) override;
  Status write(std::string_view bytes) override;
  Status flush() override;
  Status finish() override;
  uint64_t bytes_out() const override { return stream_.total_out; }

  // zlib's conservative bound (deflateBound's when it cannot assume the default memory
  // settings): stored blocks at worst, with their headers and the end of the stream.
  uint64_t max_compressed_size(uint64_t n) const override { return n + ((n + 7) >> 3) + ((n + 63) >> 6) + 5; }
  // gzip: a 10-byte header and an 8-byte trailer (CRC-32 and length); raw deflate: none.
  uint64_t frame_bytes() const override { return framing_ == ZlibFraming::gzip ? 18 : 0; }

  // What a stream holds: zlib's state at the default memLevel (about 262 KiB at any
  // level) and the 128 KiB output buffer.
  static constexpr uint64_t kMemoryPerStream = 400 * 1024;

  // On a copy of zlib's state (about 256 KiB).
  Result<uint64_t> size_if_flushed_with(std::string_view bytes) override;
  // Straight into `out`, sized by deflateBound (and a little), in one deflate call.
  Status compress(std::string_view in, std::string& out) override;

 private:
  // Sets zlib up for a new stream: deflateInit2 the first time, deflateReset after.
  Status start_stream();
  // Runs deflate with `flush` until zlib has taken all input and, when flushing, has
  // nothing left to say; passes its output on to the sink.
  Status deflate_into_sink(int flush);
  Status refused(const char* what) const;
  const char* name() const { return framing_ == ZlibFraming::gzip ? "gzip" : "deflate"; }

  ZlibFraming framing_;
  int level_;
  z_stream stream_{};
  bool initialised_ = false;
  bool finished_ = false;
  ByteSink* out_ = nullptr;
  // zlib's output on its way to the sink, for streams only (compress() needs none). Not
  // zero-filled: many small objects each get one.
  static constexpr size_t kBufferBytes = 128 * 1024;
  std::unique_ptr<char[]> buffer_;
};

// gzip files at `level`, one zlib stream each, on the calling thread. The text formats
// take gzip_files(level, threads) (format/parallel_gzip_compressor.hpp), which deflates
// with s3dest's own encoder, on several threads; this is what it gives for level 0
// (stored), and the yardstick its tests measure it against.
inline CompressorFactory zlib_gzip_files(int level) {
  return {".gz", [level] { return std::unique_ptr<Compressor>(new ZlibCompressor(ZlibFraming::gzip, level)); },
          ZlibCompressor::kMemoryPerStream};
}

inline Status ZlibCompressor::start_stream() {
  finished_ = false;
  if (initialised_) return deflateReset(&stream_) == Z_OK ? Status() : refused("reset");
  // windowBits 15 (32 KiB); + 16 asks for the gzip wrapper, negative for none.
  const int window_bits = framing_ == ZlibFraming::gzip ? 15 + 16 : -15;
  initialised_ = deflateInit2(&stream_, level_, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  if (!initialised_)
    return internal_error(std::string("zlib could not set up a ") + name() + " stream (out of memory, or level " +
                          std::to_string(level_) + " outside 0..9?)");
  return {};
}

inline Status ZlibCompressor::begin(ByteSink& out) {
  out_ = &out;
  if (!buffer_) buffer_.reset(new char[kBufferBytes]);
  return start_stream();
}

inline Status ZlibCompressor::write(std::string_view bytes) {
  if (!initialised_ || out_ == nullptr) return internal_error(std::string("write before begin on a ") + name() + " stream");
  if (finished_) return internal_error(std::string("write after finish on a ") + name() + " stream");
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream_.avail_in = static_cast<uInt>(bytes.size());
  return deflate_into_sink(Z_NO_FLUSH);
}

inline Status ZlibCompressor::flush() {
  if (!initialised_ || out_ == nullptr || finished_) return {};
  return deflate_into_sink(Z_SYNC_FLUSH);
}

inline Status ZlibCompressor::finish() {
  if (!initialised_ || out_ == nullptr) return internal_error(std::string("finish before begin on a ") + name() + " stream");
  if (finished_) return {};
  stream_.avail_in = 0;
  S3DEST_TRY(deflate_into_sink(Z_FINISH));
  finished_ = true;
  return {};
}

inline Status ZlibCompressor::deflate_into_sink(int flush) {
  for (;;) {
    stream_.next_out = reinterpret_cast<Bytef*>(buffer_.get());
    stream_.avail_out = static_cast<uInt>(kBufferBytes);
    const int rc = deflate(&stream_, flush);
    if (rc == Z_STREAM_ERROR) return refused("state");
    const size_t produced = kBufferBytes - stream_.avail_out;
    if (produced > 0) S3DEST_TRY(out_->write(std::string_view(buffer_.get(), produced)));
    if (flush == Z_FINISH ? rc == Z_STREAM_END : (stream_.avail_in == 0 && stream_.avail_out != 0)) return {};
  }
}

inline Result<uint64_t> ZlibCompressor::size_if_flushed_with(std::string_view bytes) {
  if (!initialised_ || out_ == nullptr || finished_)
    return internal_error(std::string("a trial on a ") + name() + " stream that is not open");
  z_stream trial{};
  if (deflateCopy(&trial, &stream_) != Z_OK)
    return internal_error(std::string("zlib could not copy a ") + name() + " stream (out of memory?)");
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
  if (rc == Z_STREAM_ERROR) return refused("state");
  return size;
}

inline Status ZlibCompressor::compress(std::string_view in, std::string& out) {
  out_ = nullptr;  // no stream is open on a sink after this
  S3DEST_TRY(start_stream());
  out.resize(deflateBound(&stream_, static_cast<uLong>(in.size())) + 64);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_.avail_in = static_cast<uInt>(in.size());
  stream_.next_out = reinterpret_cast<Bytef*>(out.data());
  stream_.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream_, Z_FINISH);
  if (rc != Z_STREAM_END)
    return internal_error(std::string("zlib could not ") + name() + " " + std::to_string(in.size()) + " bytes (" +
                          std::to_string(rc) + ")");
  out.resize(out.size() - stream_.avail_out);
  finished_ = true;
  return {};
}

inline Status ZlibCompressor::refused(const char* what) const {
  return internal_error(std::string("zlib refused the ") + name() + " stream's " + what);
}

}  // namespace s3dest
