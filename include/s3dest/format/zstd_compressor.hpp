// libzstd as a Compressor: csv+zstd and json+zstd files (one zstd frame per file, with
// the content checksum), parquet's ZSTD pages and avro's "zstandard" blocks (a whole frame
// each). Only built where CMake found libzstd (it defines S3DEST_HAVE_ZSTD=1); without it
// this header declares only kZstdAvailable and kZstdMissing, and s3dest refuses the zstd
// names at config time with that message.
//
// The size bound, on which the hard file-size cap rests (format/compressor.hpp): zstd
// writes a frame as blocks of at most 128 KiB of input, each behind a 3-byte header, and
// stores a block raw (its input as is) whenever compressing would not make it smaller; a
// flush ends the current block. So n bytes written after a flush point, up to and
// including the next flush, take at most n plus 3 bytes per block. Levels 16 and up may
// split a block into up to 196 partitions (ZSTD_MAX_NB_BLOCK_SPLITS), each of which can
// fall back to raw with a header of its own, and newer libzstd versions may cut blocks
// smaller than 128 KiB before compressing them; the bound allows 8 bytes per KiB of
// input for block headers (1 KiB of output per 128 KiB block), which covers both, plus
// 64 for a short piece. That is above libzstd's own ZSTD_COMPRESSBOUND (n + n/256 + up to
// 64), which is only stated for one-pass compression.
//
// Threads: libzstd compresses one frame on worker threads (ZSTD_c_nbWorkers), pigz-style:
// the input is cut into jobs, each compressed on a worker with the tail of the job before
// it as its history, and the jobs' blocks follow each other in the one frame, so readers
// see an ordinary frame. The bound and flush semantics hold with them (a job is a run of
// blocks; a flush waits until every job is out). libzstd's defaults suit one big file,
// not a load's open files: jobs of 4 windows (8 MiB of input at level 3, 45 MB a stream).
// So streams with workers get jobs of 1 MiB (ZstdCompressor::kJobBytes: about 11 MB held
// and 15 MB counted a stream at level 3 with two workers, where one thread holds 3.7 MB;
// the output no bigger). Each such stream has threads of its own: libzstd's shared
// ZSTD_threadPool is missing from builds without threads, such as Debian's libzstd.a,
// which the static tools link (zstd_max_workers() is 0 there).
#pragma once

#ifndef S3DEST_HAVE_ZSTD
#define S3DEST_HAVE_ZSTD 0
#endif

#include <string>

#include "s3dest/core/status.hpp"

namespace s3dest {

inline constexpr bool kZstdAvailable = S3DEST_HAVE_ZSTD;
// The highest zstd_level: 19's window is the 8 MiB RFC 8878 asks every decoder to take.
inline constexpr int kMaxZstdLevel = 19;
// What the zstd names are refused with where libzstd is missing.
inline constexpr const char* kZstdMissing =
    "needs libzstd, which this s3dest was built without: install libzstd-dev (Debian, Ubuntu; "
    "libzstd-devel elsewhere) and run cmake again, which then builds the zstd formats";

}  // namespace s3dest

#if S3DEST_HAVE_ZSTD

// ZSTD_estimateCStreamSize is in zstd.h's section for static linking, which Debian's
// shared libzstd exports too; zstd.h adds that section when included again with the macro.
#ifndef ZSTD_STATIC_LINKING_ONLY
#define ZSTD_STATIC_LINKING_ONLY
#endif
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/format/compressor.hpp"

namespace s3dest {

struct ZstdOptions {
  // libzstd's levels; 3 is its default. Checked by the config (zstd_level: 1..19).
  int level = 3;
  // Worker threads compressing one frame's jobs; 0: compress on the caller's thread.
  int workers = 0;
};

// The most workers this libzstd takes for a frame: 0 where it is built without threads.
inline int zstd_max_workers() { return ZSTD_cParam_getBounds(ZSTD_c_nbWorkers).upperBound; }

class ZstdCompressor final : public Compressor {
 public:
  // Input per job with workers: libzstd's smallest, so a stream's memory stays a few
  // times a single thread's (see the top of this file).
  static constexpr size_t kJobBytes = size_t{1} << 20;

  // Workers beyond zstd_max_workers() are refused when the stream begins.
  explicit ZstdCompressor(ZstdOptions options = {}) : options_(options) {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(context_); }
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  Status begin(ByteSink& out) override;
  Status write(std::string_view bytes) override;
  Status flush() override;
  // With workers, hands the last job to them and returns: a small file's one job
  // compresses while the caller feeds the next file.
  Status end_input(std::string_view last_bytes) override;
  Status finish() override;
  uint64_t bytes_out() const override { return bytes_out_; }

  // See the top of this file.
  uint64_t max_compressed_size(uint64_t n) const override { return n + (n >> 7) + 64; }
  // The largest frame header (magic, descriptor, window byte, dictionary id, content
  // size: 18), the content checksum (4) and the empty last block that ends a frame after
  // a flush (3).
  uint64_t frame_bytes() const override { return 18 + 4 + 3; }

  // libzstd cannot copy a compression context cheaply: the bound from bytes_out().
  Result<uint64_t> size_if_flushed_with(std::string_view bytes) override;
  // One frame (content size in its header, and the checksum) straight into `out`.
  Status compress(std::string_view in, std::string& out) override;

  // The most memory one stream at `options` holds: its context, window and buffers and,
  // with workers, their contexts and the jobs' input and output.
  static uint64_t stream_memory(ZstdOptions options);
  // What this stream holds now, by libzstd's own accounting: never above stream_memory.
  uint64_t memory() const { return (context_ ? ZSTD_sizeof_CCtx(context_) : 0) + buffer_bytes_; }

 private:
  // A context set to the options, with any earlier stream dropped.
  Status start_stream();
  // libzstd's code for the first setting it refused, or 0.
  size_t set_up_workers();
  // Runs ZSTD_compressStream2 with `mode` until the input is taken and, for a flush or
  // end, until libzstd has nothing left to say; passes its output on to the sink.
  Status compress_into_sink(ZSTD_inBuffer& in, ZSTD_EndDirective mode);
  static Status refused(const char* what, size_t code);

  ZstdOptions options_;
  ZSTD_CCtx* context_ = nullptr;
  ByteSink* out_ = nullptr;
  uint64_t bytes_out_ = 0;
  bool input_ended_ = false;  // end_input() started the frame's end
  std::string end_rest_;      // the last bytes end_input() left to finish()
  bool finished_ = false;
  std::unique_ptr<char[]> buffer_;  // libzstd's output on its way to the sink
  size_t buffer_bytes_ = 0;
};

// zstd files at `options`: what TextFormatOptions::compression takes for ".zst".
inline CompressorFactory zstd_files(ZstdOptions options) {
  return {".zst", [options] { return std::unique_ptr<Compressor>(new ZstdCompressor(options)); },
          ZstdCompressor::stream_memory(options)};
}

inline Status ZstdCompressor::refused(const char* what, size_t code) {
  return internal_error(std::string("zstd could not ") + what + ": " + ZSTD_getErrorName(code));
}

inline Status ZstdCompressor::start_stream() {
  // A frame left unfinished with jobs on the workers: resetting the context under them
  // crashed libzstd 1.5.4 now and then (zstd_compressor_test), so it is freed, which
  // waits for the jobs, and made anew.
  if (context_ != nullptr && !finished_ && options_.workers > 0) {
    ZSTD_freeCCtx(context_);
    context_ = nullptr;
  }
  input_ended_ = false;
  end_rest_.clear();
  finished_ = false;
  bytes_out_ = 0;
  if (context_ == nullptr) {
    context_ = ZSTD_createCCtx();
    if (context_ == nullptr) return internal_error("zstd could not set up a stream (out of memory?)");
  }
  // A reset keeps the allocations; the parameters are set again (they survive it, but a
  // failed earlier call may have left them half set).
  size_t rc = ZSTD_CCtx_reset(context_, ZSTD_reset_session_and_parameters);
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, options_.level);
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(context_, ZSTD_c_checksumFlag, 1);
  if (!ZSTD_isError(rc) && options_.workers > 0) rc = set_up_workers();
  if (ZSTD_isError(rc)) return refused(("set up level " + std::to_string(options_.level)).c_str(), rc);
  return {};
}

inline size_t ZstdCompressor::set_up_workers() {
  size_t rc = ZSTD_CCtx_setParameter(context_, ZSTD_c_nbWorkers, options_.workers);
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(context_, ZSTD_c_jobSize, static_cast<int>(kJobBytes));
  // History carried into a job: a sixteenth of the window (128 KiB at level 3). libzstd's
  // default for the fast levels, an eighth, would spend a quarter of a 1 MiB job's work
  // on history; on the bench's data the size stays within 0.5% either way.
  if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(context_, ZSTD_c_overlapLog, 5);
  return ZSTD_isError(rc) ? rc : 0;
}

inline Status ZstdCompressor::begin(ByteSink& out) {
  out_ = &out;
  if (!buffer_) {
    buffer_bytes_ = ZSTD_CStreamOutSize();  // one whole block and its header
    buffer_.reset(new char[buffer_bytes_]);
  }
  return start_stream();
}

inline Status ZstdCompressor::compress_into_sink(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
  for (;;) {
    ZSTD_outBuffer output{buffer_.get(), buffer_bytes_, 0};
    const size_t left = ZSTD_compressStream2(context_, &output, &in, mode);
    if (ZSTD_isError(left)) return refused("compress", left);
    if (output.pos > 0) S3DEST_TRY(out_->write(std::string_view(buffer_.get(), output.pos)));
    bytes_out_ += output.pos;
    // e_continue is done once the input is taken; a flush or end once nothing is left.
    if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0) return {};
  }
}

inline Status ZstdCompressor::write(std::string_view bytes) {
  if (context_ == nullptr || out_ == nullptr) return internal_error("write before begin on a zstd stream");
  if (finished_ || input_ended_) return internal_error("write after the end of a zstd stream's input");
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  return compress_into_sink(in, ZSTD_e_continue);
}

inline Status ZstdCompressor::flush() {
  if (context_ == nullptr || out_ == nullptr || finished_ || input_ended_) return {};
  ZSTD_inBuffer none{nullptr, 0, 0};
  return compress_into_sink(none, ZSTD_e_flush);
}

inline Status ZstdCompressor::end_input(std::string_view last_bytes) {
  if (options_.workers <= 0 || last_bytes.empty()) {
    S3DEST_TRY(write(last_bytes));
    input_ended_ = true;
    return {};
  }
  // All but the last byte as usual; then one call that ends the frame with that byte and
  // no room for output: libzstd takes the byte, queues the last job on its workers and
  // returns at once. (Without input it would wait for the job's first output, and with
  // room for output it would wait to pass it all on.) What it did not take, finish()
  // passes again, as libzstd asks.
  S3DEST_TRY(write(last_bytes.substr(0, last_bytes.size() - 1)));
  ZSTD_inBuffer last{last_bytes.data() + last_bytes.size() - 1, 1, 0};
  ZSTD_outBuffer no_room{buffer_.get(), 0, 0};
  const size_t left = ZSTD_compressStream2(context_, &no_room, &last, ZSTD_e_end);
  if (ZSTD_isError(left)) return refused("end a frame", left);
  end_rest_.assign(last_bytes.substr(last_bytes.size() - 1 + last.pos));
  input_ended_ = true;
  return {};
}

inline Status ZstdCompressor::finish() {
  if (context_ == nullptr || out_ == nullptr) return internal_error("finish before begin on a zstd stream");
  if (finished_) return {};
  ZSTD_inBuffer rest{end_rest_.data(), end_rest_.size(), 0};
  S3DEST_TRY(compress_into_sink(rest, ZSTD_e_end));
  finished_ = true;
  return {};
}

inline Result<uint64_t> ZstdCompressor::size_if_flushed_with(std::string_view bytes) {
  if (context_ == nullptr || out_ == nullptr || finished_ || input_ended_)
    return internal_error("a trial on a zstd stream that is not open");
  return bytes_out_ + max_compressed_size(bytes.size());
}

inline Status ZstdCompressor::compress(std::string_view in, std::string& out) {
  out_ = nullptr;  // no stream is open on a sink after this
  S3DEST_TRY(start_stream());
  out.resize(ZSTD_compressBound(in.size()) + frame_bytes());
  const size_t size = ZSTD_compress2(context_, out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(size)) return refused(("compress " + std::to_string(in.size()) + " bytes").c_str(), size);
  out.resize(size);
  finished_ = true;
  return {};
}

inline uint64_t ZstdCompressor::stream_memory(ZstdOptions options) {
  // libzstd's estimate for a stream of unknown length (the same number a flushed stream's
  // ZSTD_sizeof_CCtx gives), so that judging level 19 does not allocate its 90 MB.
  const uint64_t out_buffer = ZSTD_CStreamOutSize();
  if (options.workers <= 0) return ZSTD_estimateCStreamSize(options.level) + out_buffer;
  // With workers, what libzstd (as of 1.5) allocates at most: a context per worker (its
  // tables; the window lives in the input ring), the ring (a job per worker, two spare
  // and one for the history), and output buffers for up to 2 x workers + 3 jobs.
  // zstd_compressor_test holds a stream's ZSTD_sizeof_CCtx to it.
  const auto workers = static_cast<uint64_t>(options.workers);
  return workers * ZSTD_estimateCCtxSize(options.level) + (workers + 3) * kJobBytes +
         (2 * workers + 3) * ZSTD_compressBound(kJobBytes) + out_buffer + 64 * 1024;
}

}  // namespace s3dest

#endif  // S3DEST_HAVE_ZSTD

namespace s3dest {

// What one zstd stream at `level` holds, for a format's open_file_memory; a usage error
// that starts with `what` ("parquet_compression \"zstd\"") where libzstd is missing or
// the level is outside 1..19.
inline Result<uint64_t> zstd_stream_memory(int level, const std::string& what) {
#if S3DEST_HAVE_ZSTD
  if (level < 1 || level > kMaxZstdLevel)
    return usage_error(what + ": zstd_level " + std::to_string(level) + " is not in 1.." +
                       std::to_string(kMaxZstdLevel));
  return ZstdCompressor::stream_memory(ZstdOptions{level, 0});
#else
  (void)level;
  return usage_error(what + " " + kZstdMissing);
#endif
}

}  // namespace s3dest
