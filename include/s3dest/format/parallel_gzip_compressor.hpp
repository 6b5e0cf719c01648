// gzip on several threads, pigz-style, and still one gzip member (RFC 1952) that
// `gzip -t`, DuckDB and every other reader take as an ordinary gzip file:
//
//   header | block 1 | block 2 | ... | last block | CRC-32 and length
//
// The input is cut into blocks of 128 KiB. Each block is deflated raw on a thread of a
// pool shared by every file of a load, primed with the 32 KiB of input before it as
// dictionary (so matches reach back across the cut as in one long stream), and ended with
// a sync flush: an empty stored block that leaves its output on a byte boundary, so the
// blocks' outputs simply follow each other. The last block ends the deflate stream. Each
// block's CRC-32 is computed on its thread; crc32_combine joins them in order.
//
// Z_SYNC_FLUSH rather than Z_FULL_FLUSH: both write the same empty stored block; a full
// flush would also reset the compressor's history for what follows in the same zlib
// stream, and nothing follows (each block is a stream of its own), so it would add
// nothing. Its use, restarting decompression at the mark, is lost anyway: a block needs
// the 32 KiB before it.
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
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/usable_cores.hpp"
#include "s3dest/format/compressor.hpp"
#include "s3dest/format/zlib_compressor.hpp"

namespace s3dest {

class ParallelGzipCompressor final : public Compressor {
 public:
  static constexpr size_t kBlockBytes = 128 * 1024;
  static constexpr size_t kWindowBytes = 32 * 1024;  // deflate's reach back

  // `level`: zlib's 1 .. 9; one zlib refuses fails at begin(). `pool` runs the blocks;
  // it must not be the pool of a thread that calls this compressor (see core/task_pool.hpp).
  ParallelGzipCompressor(int level, std::shared_ptr<TaskPool> pool, size_t max_blocks_in_flight);
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

  // zlib's conservative bound over the whole, and for each block that may start within
  // `n` bytes (a flush starts a new one) its own rounding, header and sync flush.
  uint64_t max_compressed_size(uint64_t n) const override {
    return n + ((n + 7) >> 3) + ((n + 63) >> 6) + kBlockOverheadBytes * (n / kBlockBytes + 2);
  }
  uint64_t frame_bytes() const override { return 18; }  // 10-byte header, 8-byte trailer

  // Exact: the blocks a write and flush would make, compressed on the calling thread.
  Result<uint64_t> size_if_flushed_with(std::string_view bytes) override;

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

  int level_;
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
// factory makes; the threads start with the first file. One thread, or level 0 (which
// only stores), is gzip_files(level): one zlib stream per file (format/zlib_compressor.hpp).
CompressorFactory gzip_files(int level, int threads);

namespace detail {

// One thread's zlib state for raw deflate, kept from block to block (deflateReset is far
// cheaper than deflateInit2's allocations).
class BlockDeflater {
 public:
  BlockDeflater() = default;
  ~BlockDeflater() {
    if (initialised_) deflateEnd(&stream_);
  }
  BlockDeflater(const BlockDeflater&) = delete;
  BlockDeflater& operator=(const BlockDeflater&) = delete;

  // Deflates `data` as a stream of its own primed with `dictionary`, ended by `flush`
  // (Z_SYNC_FLUSH or Z_FINISH), into `out` (replacing what it held).
  Status deflate_block(int level, std::string_view dictionary, std::string_view data, int flush, std::string& out);

  static BlockDeflater& of_this_thread() {
    thread_local BlockDeflater deflater;
    return deflater;
  }

 private:
  z_stream stream_{};
  bool initialised_ = false;
  int level_ = -1;
};

inline Status BlockDeflater::deflate_block(int level, std::string_view dictionary, std::string_view data, int flush,
                                           std::string& out) {
  if (initialised_ && level != level_) {
    deflateEnd(&stream_);
    initialised_ = false;
  }
  if (!initialised_) {
    stream_ = z_stream{};
    // -15: raw deflate with a 32 KiB window; the gzip frame is the compressor's.
    if (deflateInit2(&stream_, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return internal_error("zlib could not set up a gzip block (out of memory, or level " + std::to_string(level) +
                            " outside 1..9?)");
    initialised_ = true;
    level_ = level;
  } else if (deflateReset(&stream_) != Z_OK) {
    return internal_error("zlib refused to reset a gzip block's stream");
  }
  if (!dictionary.empty() &&
      deflateSetDictionary(&stream_, reinterpret_cast<const Bytef*>(dictionary.data()),
                           static_cast<uInt>(dictionary.size())) != Z_OK)
    return internal_error("zlib refused a gzip block's dictionary");
  // Room for the worst case at once (stored blocks and the flush), so one call does it.
  out.resize(data.size() + (data.size() >> 3) + (data.size() >> 6) + 64);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_.avail_in = static_cast<uInt>(data.size());
  size_t produced = 0;
  for (;;) {
    stream_.next_out = reinterpret_cast<Bytef*>(&out[produced]);
    stream_.avail_out = static_cast<uInt>(out.size() - produced);
    const int rc = deflate(&stream_, flush);
    if (rc == Z_STREAM_ERROR) return internal_error("zlib refused a gzip block");
    produced = out.size() - stream_.avail_out;
    const bool done = flush == Z_FINISH ? rc == Z_STREAM_END : (stream_.avail_in == 0 && stream_.avail_out != 0);
    if (done) break;
    out.resize(out.size() * 2);  // not expected: the room above is zlib's bound
  }
  out.resize(produced);
  return {};
}

}  // namespace detail

inline ParallelGzipCompressor::ParallelGzipCompressor(int level, std::shared_ptr<TaskPool> pool,
                                                      size_t max_blocks_in_flight)
    : level_(level), pool_(std::move(pool)), max_in_flight_(std::max<size_t>(max_blocks_in_flight, 1)) {}

inline Status ParallelGzipCompressor::begin(ByteSink& out) {
  drop_blocks_in_flight();
  out_ = nullptr;
  if (level_ < 1 || level_ > 9)
    return internal_error("zlib could not set up a gzip stream (level " + std::to_string(level_) +
                          " outside 1..9 for blocks on several threads)");
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

inline Status ParallelGzipCompressor::write_header() {
  // RFC 1952: magic, deflate, no flags, no time (as zlib writes it), extra flags as zlib
  // sets them for the level, OS 3 (Unix).
  const char xfl = level_ == 9 ? 2 : level_ == 1 ? 4 : 0;
  const char header[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, xfl, 3};
  S3DEST_TRY(out_->write(std::string_view(header, sizeof header)));
  bytes_out_ += sizeof header;
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
  char trailer[8];  // CRC-32 and the length modulo 2^32, little-endian
  for (int i = 0; i < 4; ++i) {
    trailer[i] = static_cast<char>(crc_ >> (8 * i));
    trailer[4 + i] = static_cast<char>(bytes_in_ >> (8 * i));
  }
  S3DEST_TRY(out_->write(std::string_view(trailer, sizeof trailer)));
  bytes_out_ += sizeof trailer;
  finished_ = true;
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
  pool_->submit([this, sent, level] {
    const std::string_view all = sent->input;
    const std::string_view data = all.substr(sent->dictionary);
    sent->status = detail::BlockDeflater::of_this_thread().deflate_block(
        level, all.substr(0, sent->dictionary), data, sent->last ? Z_FINISH : Z_SYNC_FLUSH, sent->output);
    sent->crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
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
    S3DEST_TRY(detail::BlockDeflater::of_this_thread().deflate_block(
        level_, std::string_view(input).substr(at - dictionary, dictionary), std::string_view(input).substr(at, length),
        Z_SYNC_FLUSH, output));
    size += output.size();
    at += length;
  }
  return size;
}

inline CompressorFactory gzip_files(int level, int threads) {
  // At most 16: past that a file's blocks in flight (and their memory, which the load's
  // budget counts per open file) grow faster than one stream can use them.
  if (threads <= 0) threads = std::min(usable_cores(), 16);
  if (threads == 1 || level == 0) return gzip_files(level);
  // Twice as many blocks queued or running as threads, so none waits for the next; each
  // stream up to a block per thread and one more, so one stream alone keeps all busy,
  // but never more than 8, so an open file holds at most about 3 MiB.
  const auto pool = std::make_shared<LazyTaskPool>(threads, static_cast<size_t>(2 * threads));
  const size_t in_flight = std::min<size_t>(static_cast<size_t>(threads) + 1, 8);
  CompressorFactory factory;
  factory.file_suffix = ".gz";
  factory.make = [level, pool, in_flight] {
    return std::unique_ptr<Compressor>(new ParallelGzipCompressor(level, pool->get(), in_flight));
  };
  factory.memory_per_stream = ParallelGzipCompressor::memory_per_stream(in_flight);
  return factory;
}

}  // namespace s3dest
