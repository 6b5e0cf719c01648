// gzip on several threads, pigz-style, and still one gzip member (RFC 1952) that
// `gzip -t`, DuckDB and every other reader take as an ordinary gzip file:
//
//   header | block 1 | block 2 | ... | last block | CRC-32 and length
//
// The input is cut into blocks of 128 KiB. Each block is deflated raw (format/
// deflate_encoder.hpp) on a thread of a pool shared by every file of a load, primed with
// the 32 KiB of input before it as dictionary (so matches reach back across the cut as in
// one long stream), and ended with a sync flush: an empty stored block that leaves its
// output on a byte boundary, so the blocks' outputs simply follow each other. The last
// block ends the deflate stream. Each block's CRC-32 is computed on its thread;
// crc32_combine joins them in order. Without a pool (one core) the blocks are deflated
// on the calling thread as they fill, into the same file. The same stream without the
// gzip header and trailer is raw deflate (ZlibFraming::raw_deflate), as avro's blocks
// are; compress() makes a whole stream at once, in one deflate call.
//
// Blocks go to the sink in order as they finish; a stream holds at most
// `max_blocks_in_flight` blocks that are compressing or waiting to be passed on. flush()
// waits for all of them, so bytes_out() is then exact and the size cap (format/
// compressed_writer.hpp) works as over one zlib stream.
//
//   const CompressorFactory gzip = gzip_files(6, 0);   // one thread per core
//   std::unique_ptr<Compressor> file = gzip.make();    // one per file, the pool shared
#pragma once

#include <zlib.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "s3dest/core/little_endian.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/usable_cores.hpp"
#include "s3dest/format/compressor.hpp"
#include "s3dest/format/deflate_encoder.hpp"
#include "s3dest/format/zlib_compressor.hpp"

namespace s3dest {

class ParallelGzipCompressor final : public Compressor {
 public:
  static constexpr size_t kBlockBytes = 128 * 1024;
  static constexpr size_t kWindowBytes = DeflateEncoder::kWindowBytes;  // deflate's reach back

  // `level`: 1 (fast) .. 9 (small), as zlib's; another fails at begin(). `pool` runs the
  // blocks; it must not be the pool of a thread that calls this compressor (see
  // core/task_pool.hpp). Null: the calling thread deflates them.
  ParallelGzipCompressor(int level, std::shared_ptr<TaskPool> pool, size_t max_blocks_in_flight,
                         ZlibFraming framing = ZlibFraming::gzip);
  ~ParallelGzipCompressor() override { drop_blocks_in_flight(); }
  ParallelGzipCompressor(const ParallelGzipCompressor&) = delete;
  ParallelGzipCompressor& operator=(const ParallelGzipCompressor&) = delete;

  Status begin(ByteSink& out) override;
  Status write(std::string_view bytes) override;
  Status flush() override;
  // Sends the last block: a file's blocks compress while the caller feeds the next file.
  Status end_input(std::string_view last_bytes) override;
  Status finish() override;
  uint64_t bytes_out() const override { return bytes_out_; }

  // Stored blocks at worst (DeflateEncoder::max_encoded_size, a little less than this
  // bound, which zlib's deflate also keeps), and for each block that may start within `n`
  // bytes (a flush starts a new one) its own rounding, header and sync flush.
  uint64_t max_compressed_size(uint64_t n) const override {
    return n + ((n + 7) >> 3) + ((n + 63) >> 6) + kBlockOverheadBytes * (n / kBlockBytes + 2);
  }
  // gzip: a 10-byte header and an 8-byte trailer; raw deflate: none.
  uint64_t frame_bytes() const override { return framing_ == ZlibFraming::gzip ? 18 : 0; }

  // Exact: the blocks a write and flush would make, compressed on the calling thread.
  Result<uint64_t> size_if_flushed_with(std::string_view bytes) override;

  // On the calling thread, in one deflate call: what parquet pages and avro blocks use.
  Status compress(std::string_view in, std::string& out) override;

  // The most memory one stream holds: its blocks in flight and the one filling, with
  // their dictionaries and outputs at worst.
  static uint64_t memory_per_stream(size_t max_blocks_in_flight) {
    return (max_blocks_in_flight + 1) * (kWindowBytes + kBlockBytes + kBlockBytes + kBlockBytes / 4);
  }

 private:
  static constexpr uint64_t kBlockOverheadBytes = 16;

  struct Block {
    std::string input;        // the dictionary (up to 32 KiB before the block), then its bytes
    size_t dictionary = 0;
    bool last = false;        // ends the deflate stream
    std::string output;       // raw deflate, ending in a sync flush or the stream's end
    uint32_t crc = 0;         // CRC-32 of the block's own bytes
    Status status;
    bool done = false;        // set under mutex_ by the pool's thread
    size_t size() const { return input.size() - dictionary; }
  };

  // Hands the filling block to the pool and starts the next one, primed with its tail.
  Status send_filling_block(bool last);
  // Passes the finished blocks at the front on to the sink; with `wait`, waits for the
  // oldest first, and with `all` for every one.
  Status pass_on_finished(bool wait, bool all);
  Status pass_on(Block& block);
  void drop_blocks_in_flight();
  std::unique_ptr<Block> new_block(std::string_view dictionary);
  Status write_header();
  Status check_level() const;

  int level_;
  ZlibFraming framing_;
  std::shared_ptr<TaskPool> pool_;
  size_t max_in_flight_;
  ByteSink* out_ = nullptr;
  bool last_sent_ = false;  // end_input() sent the last block
  bool finished_ = false;
  uint64_t bytes_out_ = 0;
  uint32_t crc_ = 0;
  uint64_t bytes_in_ = 0;
  std::unique_ptr<Block> filling_;
  std::deque<std::unique_ptr<Block>> in_flight_;  // in stream order
  std::vector<std::unique_ptr<Block>> spare_;     // passed on, kept for their buffers
  std::mutex mutex_;
  std::condition_variable block_done_;
};

// gzip files at `level` on `threads` threads (0: one per core), shared by every file the
// factory makes; the threads start with the first file. With one thread each file's
// blocks are deflated on the thread that writes it. Level 0 only stores:
// zlib_gzip_files(0) (format/zlib_compressor.hpp).
CompressorFactory gzip_files(int level, int threads = 0);

// One deflate stream at a time in `framing`, on the calling thread: s3dest's encoder, or
// zlib's for level 0 (stored). Parquet's gzip pages and avro's deflate blocks use it.
std::unique_ptr<Compressor> deflate_compressor(int level, ZlibFraming framing);

namespace detail {

// One thread's deflate encoder, kept from block to block for its tables.
inline DeflateEncoder& deflate_encoder_of_this_thread() {
  thread_local DeflateEncoder encoder;
  return encoder;
}

// Deflates `input` past its first `dictionary` bytes into `out` (replacing what it held),
// ended with a sync flush or, for the `last` block, the end of the stream.
inline void deflate_block(int level, std::string_view input, size_t dictionary, bool last, std::string& out) {
  out.clear();
  deflate_encoder_of_this_thread().encode(level, input, dictionary,
                                          last ? DeflateEncoder::End::final_block : DeflateEncoder::End::sync_flush,
                                          out);
}

}  // namespace detail

inline ParallelGzipCompressor::ParallelGzipCompressor(int level, std::shared_ptr<TaskPool> pool,
                                                      size_t max_blocks_in_flight, ZlibFraming framing)
    : level_(level),
      framing_(framing),
      pool_(std::move(pool)),
      max_in_flight_(std::max<size_t>(max_blocks_in_flight, 1)) {}

inline Status ParallelGzipCompressor::check_level() const {
  if (level_ >= 1 && level_ <= 9) return {};
  return internal_error("could not set up a deflate stream: level " + std::to_string(level_) +
                        " is outside 1..9 (0 stores: deflate_compressor(0, framing))");
}

inline Status ParallelGzipCompressor::begin(ByteSink& out) {
  drop_blocks_in_flight();
  out_ = nullptr;
  S3DEST_TRY(check_level());
  out_ = &out;
  last_sent_ = false;
  finished_ = false;
  bytes_out_ = 0;
  crc_ = static_cast<uint32_t>(crc32(0, nullptr, 0));
  bytes_in_ = 0;
  if (filling_) spare_.push_back(std::move(filling_));
  filling_ = new_block({});
  return write_header();
}

namespace detail {

// RFC 1952: magic, deflate, no flags, no time (as zlib writes it), extra flags as zlib
// sets them for the level, OS 3 (Unix).
inline std::array<char, 10> gzip_header(int level) {
  const char xfl = level == 9 ? 2 : level == 1 ? 4 : 0;
  return {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, xfl, 3};
}

// The CRC-32 and the length modulo 2^32, little-endian.
inline std::array<char, 8> gzip_trailer(uint32_t crc, uint64_t length) {
  std::array<char, 8> trailer;
  store_little_endian(store_little_endian(trailer.data(), crc), static_cast<uint32_t>(length));
  return trailer;
}

}  // namespace detail

inline Status ParallelGzipCompressor::write_header() {
  if (framing_ != ZlibFraming::gzip) return {};
  const auto header = detail::gzip_header(level_);
  S3DEST_TRY(out_->write(std::string_view(header.data(), header.size())));
  bytes_out_ += header.size();
  return {};
}

inline Status ParallelGzipCompressor::write(std::string_view bytes) {
  if (out_ == nullptr) return internal_error("write before begin on a gzip stream");
  if (finished_ || last_sent_) return internal_error("write after the end of a gzip stream's input");
  while (!bytes.empty()) {
    const size_t take = std::min(bytes.size(), kBlockBytes - filling_->size());
    filling_->input.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (filling_->size() == kBlockBytes) S3DEST_TRY(send_filling_block(false));
  }
  return pass_on_finished(false, false);
}

inline Status ParallelGzipCompressor::flush() {
  if (out_ == nullptr || finished_) return {};
  if (filling_->size() > 0) S3DEST_TRY(send_filling_block(false));
  return pass_on_finished(true, true);
}

inline Status ParallelGzipCompressor::end_input(std::string_view last_bytes) {
  S3DEST_TRY(write(last_bytes));
  S3DEST_TRY(send_filling_block(true));
  last_sent_ = true;
  return pass_on_finished(false, false);
}

inline Status ParallelGzipCompressor::finish() {
  if (out_ == nullptr) return internal_error("finish before begin on a gzip stream");
  if (finished_) return {};
  if (!last_sent_) S3DEST_TRY(end_input({}));
  S3DEST_TRY(pass_on_finished(true, true));
  if (framing_ == ZlibFraming::gzip) {
    const auto trailer = detail::gzip_trailer(crc_, bytes_in_);
    S3DEST_TRY(out_->write(std::string_view(trailer.data(), trailer.size())));
    bytes_out_ += trailer.size();
  }
  finished_ = true;
  return {};
}

inline Status ParallelGzipCompressor::compress(std::string_view in, std::string& out) {
  out.clear();
  S3DEST_TRY(check_level());
  const bool gzip = framing_ == ZlibFraming::gzip;
  if (gzip) {
    const auto header = detail::gzip_header(level_);
    out.append(header.data(), header.size());
  }
  detail::deflate_encoder_of_this_thread().encode(level_, in, 0, DeflateEncoder::End::final_block, out);
  if (gzip) {
    const auto crc = static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(in.data()), in.size()));
    const auto trailer = detail::gzip_trailer(crc, in.size());
    out.append(trailer.data(), trailer.size());
  }
  return {};
}

inline std::unique_ptr<ParallelGzipCompressor::Block> ParallelGzipCompressor::new_block(std::string_view dictionary) {
  std::unique_ptr<Block> block;
  if (spare_.empty()) {
    block = std::make_unique<Block>();
    block->input.reserve(kWindowBytes + kBlockBytes);
  } else {
    block = std::move(spare_.back());
    spare_.pop_back();
  }
  block->input.assign(dictionary.data(), dictionary.size());
  block->dictionary = dictionary.size();
  block->last = false;
  block->status = Status();
  block->done = false;
  return block;
}

inline Status ParallelGzipCompressor::send_filling_block(bool last) {
  if (in_flight_.size() >= max_in_flight_) S3DEST_TRY(pass_on_finished(true, false));
  std::unique_ptr<Block> block = std::move(filling_);
  block->last = last;
  const std::string_view input = block->input;
  filling_ = new_block(input.substr(input.size() - std::min(input.size(), kWindowBytes)));
  Block* sent = block.get();
  in_flight_.push_back(std::move(block));
  const int level = level_;
  const bool gzip = framing_ == ZlibFraming::gzip;
  const auto compress = [sent, level, gzip] {
    const std::string_view data = std::string_view(sent->input).substr(sent->dictionary);
    detail::deflate_block(level, sent->input, sent->dictionary, sent->last, sent->output);
    if (gzip)
      sent->crc = static_cast<uint32_t>(
          crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  };
  if (!pool_) {
    compress();
    sent->done = true;
    return {};
  }
  pool_->submit([this, sent, compress] {
    compress();
    // Notified under the lock: once it is released the compressor may be gone.
    std::lock_guard<std::mutex> lock(mutex_);
    sent->done = true;
    block_done_.notify_all();
  });
  return {};
}

inline Status ParallelGzipCompressor::pass_on_finished(bool wait, bool all) {
  while (!in_flight_.empty()) {
    Block& oldest = *in_flight_.front();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!oldest.done) {
        if (!wait) return {};
        block_done_.wait(lock, [&oldest] { return oldest.done; });
      }
    }
    if (!all) wait = false;
    std::unique_ptr<Block> block = std::move(in_flight_.front());
    in_flight_.pop_front();
    const Status passed = pass_on(*block);
    spare_.push_back(std::move(block));
    S3DEST_TRY(passed);
  }
  return {};
}

inline Status ParallelGzipCompressor::pass_on(Block& block) {
  S3DEST_TRY(block.status);
  S3DEST_TRY(out_->write(block.output));
  bytes_out_ += block.output.size();
  if (framing_ == ZlibFraming::gzip)
    crc_ = static_cast<uint32_t>(crc32_combine(crc_, block.crc, static_cast<z_off_t>(block.size())));
  bytes_in_ += block.size();
  return {};
}

inline void ParallelGzipCompressor::drop_blocks_in_flight() {
  // The pool's threads hold pointers to these blocks until they are done.
  std::unique_lock<std::mutex> lock(mutex_);
  for (auto& block : in_flight_) {
    Block* b = block.get();
    block_done_.wait(lock, [b] { return b->done; });
    spare_.push_back(std::move(block));
  }
  in_flight_.clear();
}

inline Result<uint64_t> ParallelGzipCompressor::size_if_flushed_with(std::string_view bytes) {
  if (out_ == nullptr || finished_ || last_sent_) return internal_error("a trial on a gzip stream that is not open");
  S3DEST_TRY(pass_on_finished(true, true));
  // What a flush would send: the filling block's bytes and `bytes`, cut where write()
  // would cut them, each primed with the 32 KiB before it.
  std::string input = filling_->input;
  input.append(bytes.data(), bytes.size());
  size_t at = filling_->dictionary;
  uint64_t size = bytes_out_;
  std::string output;
  while (at < input.size()) {
    const size_t length = std::min(kBlockBytes, input.size() - at);
    const size_t dictionary = std::min(at, kWindowBytes);
    detail::deflate_block(level_, std::string_view(input).substr(at - dictionary, dictionary + length), dictionary,
                          false, output);
    size += output.size();
    at += length;
  }
  return size;
}

inline CompressorFactory gzip_files(int level, int threads) {
  // At most 16: past that a file's blocks in flight (and their memory, which the load's
  // budget counts per open file) grow faster than one stream can use them.
  if (threads <= 0) threads = std::min(usable_cores(), 16);
  if (level == 0) return zlib_gzip_files(level);  // stored: nothing to deflate
  if (threads == 1) {
    CompressorFactory factory;
    factory.file_suffix = ".gz";
    factory.make = [level] { return deflate_compressor(level, ZlibFraming::gzip); };
    factory.memory_per_stream = ParallelGzipCompressor::memory_per_stream(1);
    return factory;
  }
  // Twice as many blocks queued or running as threads, so none waits for the next; each
  // stream up to two blocks per thread and one more, so one stream alone keeps all busy
  // while its writer waits for the oldest (one per thread was 3-5% slower on two cores
  // once deflate got faster), but never more than 8, so an open file holds at most about
  // 3 MiB.
  const auto pool = std::make_shared<LazyTaskPool>(threads, static_cast<size_t>(2 * threads));
  const size_t in_flight = std::min<size_t>(static_cast<size_t>(2 * threads) + 1, 8);
  CompressorFactory factory;
  factory.file_suffix = ".gz";
  factory.make = [level, pool, in_flight] {
    return std::unique_ptr<Compressor>(new ParallelGzipCompressor(level, pool->get(), in_flight));
  };
  factory.memory_per_stream = ParallelGzipCompressor::memory_per_stream(in_flight);
  return factory;
}

inline std::unique_ptr<Compressor> deflate_compressor(int level, ZlibFraming framing) {
  if (level == 0) return std::make_unique<ZlibCompressor>(framing, 0);
  return std::make_unique<ParallelGzipCompressor>(level, nullptr, 1, framing);
}

}  // namespace s3dest
