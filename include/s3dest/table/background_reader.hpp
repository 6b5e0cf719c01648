// Reads every input on threads of their own, turns each row into a (key, record) pair
// with the caller's function, and hands the pairs over in batches, in input order. So
// parsing and encoding run on every core while the caller routes and writes. Every input
// (a file or a pipe, as its bytes come) is cut into blocks of whole records (NDJSON lines;
// csv records, whose quoted fields may hold line breaks: record_blocks.hpp) that several
// threads parse at once. Only a few batches are ever in flight, which bounds memory.
// When the caller's own work sets the pace (CallerWork::heavy), the parsers leave its
// thread a core while it works.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/little_endian.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/table/csv_record_scanner.hpp"
#include "s3dest/table/open_row_reader.hpp"
#include "s3dest/table/padded_bytes.hpp"
#include "s3dest/table/record_blocks.hpp"
#include "s3dest/table/row_reader.hpp"

namespace s3dest {

// Turns a row into the bytes of its key (what decides where it goes), into `key` (empty),
// and its record (what is written), appended to `record`, which may hold other records
// before it. Called from several threads at once. An error is about that row; the reader
// puts "file:line: " in front.
using EncodeRow = std::function<Status(const Row& row, std::string& key, std::string& record)>;

// Pairs of (key, record), each a record and then its key, framed by 32-bit lengths.
class EncodedBatch {
 public:
  void clear() {
    bytes_.clear();
    rows_ = 0;
  }
  size_t rows() const { return rows_; }
  size_t bytes() const { return bytes_.size(); }
  size_t capacity() const { return bytes_.capacity(); }
  // Adds a pair whose record is encoded straight into the batch, not copied there:
  // encode(key, record) -> Status, as EncodeRow. On failure nothing is added.
  template <class Encode>
  Status add_encoded(std::string& key, Encode&& encode) {
    const size_t start = bytes_.size();
    bytes_.resize(start + sizeof(uint32_t));
    key.clear();
    Status status = encode(key, bytes_);
    if (!status.ok()) {
      bytes_.resize(start);
      return status;
    }
    store_little_endian(&bytes_[start], static_cast<uint32_t>(bytes_.size() - start - sizeof(uint32_t)));
    put(key);
    ++rows_;
    return {};
  }
  // Visits each pair in order: visit(key, record) -> Status.
  template <class Visit>
  Status for_each(Visit&& visit) const {
    const char* p = bytes_.data();
    const char* end = p + bytes_.size();
    while (p < end) {
      const std::string_view record = take(p), key = take(p);
      S3DEST_TRY(visit(key, record));
    }
    return {};
  }

 private:
  void put(std::string_view bytes) {
    append_little_endian(bytes_, static_cast<uint32_t>(bytes.size()));
    bytes_.append(bytes);
  }
  static std::string_view take(const char*& p) {
    const auto n = load_little_endian<uint32_t>(std::string_view(p, sizeof(uint32_t)));
    const std::string_view bytes(p + sizeof n, n);
    p += sizeof n + n;
    return bytes;
  }
  std::string bytes_;
  size_t rows_ = 0;
};

// What the caller does with each batch besides taking it.
enum class CallerWork {
  // Routing and copying records (text formats): the parsers set the pace, and all of
  // them work all the time.
  light,
  // Encoding them as well (parquet's pages and a codec's blocks, on the caller's thread):
  // the caller sets the pace, so while it works on a batch one parser fewer works than
  // there are parsers. The scheduler gives every runnable thread its share: with two
  // parsers beside it on two cores, a parquet load's loading thread waited a fifth of the
  // load for a core its parsers held, parsing batches it could not take yet.
  heavy,
};

struct InputBatch {
  std::string file;  // the input the rows came from
  EncodedBatch pairs;
};

class BackgroundReader {
 public:
  // Every input is read from its start, and its rows must follow `options.schema`.
  // `memory_budget` bounds the input blocks and batches in flight, and the parsers' memory
  // for their lines. A raised `stop` makes next() fail at once with an `interrupted` error.
  BackgroundReader(std::vector<std::unique_ptr<ByteSource>> inputs, InputFormat format, ReaderOptions options,
                   EncodeRow encode, unsigned parse_threads, uint64_t memory_budget,
                   const StopFlag* stop = nullptr, CallerWork caller_work = CallerWork::light);
  ~BackgroundReader();
  BackgroundReader(const BackgroundReader&) = delete;
  BackgroundReader& operator=(const BackgroundReader&) = delete;

  // The next batch (valid until the next call), or nullptr after the last one.
  Result<const InputBatch*> next();

 private:
  // Blocks in flight (queued, parsed, or parsed and waiting to be handed over): one for
  // each parser, and two more so that none waits while the next block in order is
  // handed over and the one after it is read. A fixed six kept all but six parsers of a
  // larger machine idle; on two cores four are as fast as six and touch about 10 MB less
  // fresh memory, which costs 3-5 us a page on a virtual machine (bench/history.md).
  const uint64_t max_in_flight_;
  // Parsers that may work at once while the caller works on a batch (CallerWork).
  const unsigned parsers_while_caller_works_;
  // A block is this big: blocks of 4 MiB parse fastest, smaller ones within the budget.
  size_t block_bytes_;
  const uint64_t memory_budget_;

  // What a block costs until its batch is consumed: its bytes, its batch, the parser's
  // index and strings (about six times the line it parses), and its lines' ends.
  static uint64_t cost_of_block(const RecordBlock& block) {
    return 2 * block.bytes.size() + 6 * block.longest_record + sizeof(uint32_t) * block.line_ends.size();
  }

  struct Block {  // whole records waiting for a parser
    uint64_t sequence;
    uint64_t cost;
    RecordBlock records;
  };
  struct Done {
    std::unique_ptr<InputBatch> batch;
    Status status;
    uint64_t cost;
  };

  void produce();
  // Encodes `row` into `batch`, naming the row's place in an error.
  Status add_row(const RowReader& reader, const Row& row, InputBatch& batch, std::string& key) const;
  template <class Scanner>
  Status cut_blocks(ByteSource& source);
  void parse_blocks();
  Status parse_block(Block& block, InputBatch& batch);

  // Waits until fewer than max_in_flight_ sequences are unconsumed and `cost` more fits the
  // budget (or nothing is in flight), and counts it in; false if cancelled.
  bool wait_for_room(std::unique_lock<std::mutex>& lock, uint64_t cost);
  std::unique_ptr<InputBatch> recycled_batch();  // call with the lock held
  PaddedBytes recycled_block_bytes();             // call with the lock held
  // Hands in a parsed block's batch, and its bytes for a later block.
  void finish(uint64_t sequence, Done done, PaddedBytes block_bytes);

  std::vector<std::unique_ptr<ByteSource>> inputs_;
  const InputFormat format_;
  const ReaderOptions options_;
  const EncodeRow encode_;
  const StopFlag* stop_;

  std::mutex mutex_;
  // One condition for each kind of waiter, so that each change wakes only the threads it
  // concerns: with one for all, every batch handed over woke the reading thread and every
  // parser, which on a small machine took the loading thread's core from it.
  std::condition_variable block_cut_;    // parsers wait for a block
  std::condition_variable room_;         // the reading thread waits for room in flight
  std::condition_variable batch_ready_;  // next() waits for the next batch in order
  uint64_t produced_ = 0;   // sequences handed out
  uint64_t consumed_ = 0;   // sequences given to next()
  std::map<uint64_t, Done> done_;
  std::deque<Block> blocks_;
  std::vector<std::unique_ptr<InputBatch>> spare_;
  std::vector<PaddedBytes> spare_block_bytes_;  // of blocks parsed, for the next blocks
  std::unique_ptr<InputBatch> in_use_;
  uint64_t in_use_cost_ = 0;
  uint64_t cost_in_flight_ = 0;  // of the sequences produced and not yet recycled
  unsigned parsing_ = 0;         // parsers working on a block
  bool caller_waiting_ = false;  // next() waits for a batch
  bool producer_done_ = false;
  bool cancelled_ = false;
  Status producer_status_;
  std::vector<std::thread> threads_;
};

inline BackgroundReader::BackgroundReader(std::vector<std::unique_ptr<ByteSource>> inputs, InputFormat format,
                                          ReaderOptions options, EncodeRow encode, unsigned parse_threads,
                                          uint64_t memory_budget, const StopFlag* stop, CallerWork caller_work)
    : max_in_flight_(uint64_t{std::max(1u, parse_threads)} + 2),
      parsers_while_caller_works_(caller_work == CallerWork::heavy && parse_threads > 1 ? parse_threads - 1
                                                                                         : std::max(1u, parse_threads)),
      block_bytes_(static_cast<size_t>(
          std::clamp<uint64_t>(memory_budget / (2 * max_in_flight_), 256 << 10, 4 << 20))),
      memory_budget_(memory_budget),
      inputs_(std::move(inputs)), format_(format), options_(std::move(options)), encode_(std::move(encode)),
      stop_(stop) {
  threads_.emplace_back([this] { produce(); });
  for (unsigned i = 0; i < std::max(1u, parse_threads); ++i) threads_.emplace_back([this] { parse_blocks(); });
}

inline BackgroundReader::~BackgroundReader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = true;
  }
  block_cut_.notify_all();
  room_.notify_all();
  for (auto& thread : threads_) thread.join();
}

inline Result<const InputBatch*> BackgroundReader::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (in_use_) {
    // A batch that held long rows is let go rather than kept at that size.
    if (in_use_->pairs.capacity() <= 2 * block_bytes_) {
      in_use_->pairs.clear();
      spare_.push_back(std::move(in_use_));
    }
    in_use_.reset();
    cost_in_flight_ -= in_use_cost_;
    in_use_cost_ = 0;
    room_.notify_one();
  }
  const auto ready = [this] { return done_.count(consumed_) > 0 || (producer_done_ && produced_ == consumed_); };
  if (!ready()) {
    caller_waiting_ = true;
    if (!blocks_.empty()) block_cut_.notify_all();  // parsers held back while it worked
  }
  // Nothing notifies on a stop (a signal handler cannot): look at the flag now and then.
  bool stopped = false;
  while (!stopped && !batch_ready_.wait_for(lock, std::chrono::milliseconds(50), ready))
    stopped = stop_requested(stop_);
  caller_waiting_ = false;
  if (stopped || stop_requested(stop_)) return interrupted_error(*stop_);
  const auto it = done_.find(consumed_);
  if (it == done_.end()) {  // everything consumed
    if (!producer_status_.ok()) return producer_status_;
    return static_cast<const InputBatch*>(nullptr);
  }
  Done done = std::move(it->second);
  done_.erase(it);
  ++consumed_;
  room_.notify_one();
  if (!done.status.ok()) return done.status;
  in_use_ = std::move(done.batch);
  in_use_cost_ = done.cost;
  return static_cast<const InputBatch*>(in_use_.get());
}

inline void BackgroundReader::produce() {
  Status status;
  for (auto& input : inputs_) {
    status = format_ == InputFormat::csv ? cut_blocks<CsvRecordScanner>(*input) : cut_blocks<LineScanner>(*input);
    input.reset();  // close it
    if (!status.ok()) break;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  producer_status_ = status;
  producer_done_ = true;
  block_cut_.notify_all();
  batch_ready_.notify_one();
}

inline bool BackgroundReader::wait_for_room(std::unique_lock<std::mutex>& lock, uint64_t cost) {
  room_.wait(lock, [this, cost] {
    return cancelled_ || (produced_ - consumed_ < max_in_flight_ &&
                          (cost_in_flight_ == 0 || cost_in_flight_ + cost <= memory_budget_));
  });
  if (cancelled_) return false;
  cost_in_flight_ += cost;
  return true;
}

inline std::unique_ptr<InputBatch> BackgroundReader::recycled_batch() {
  if (spare_.empty()) return std::make_unique<InputBatch>();
  auto batch = std::move(spare_.back());
  spare_.pop_back();
  return batch;
}

inline PaddedBytes BackgroundReader::recycled_block_bytes() {
  if (spare_block_bytes_.empty()) return {};
  PaddedBytes bytes = std::move(spare_block_bytes_.back());
  spare_block_bytes_.pop_back();
  return bytes;
}

inline void BackgroundReader::finish(uint64_t sequence, Done done, PaddedBytes block_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_.emplace(sequence, std::move(done));
  --parsing_;
  // One held back while the caller works may start in its place.
  if (!blocks_.empty()) block_cut_.notify_one();
  // A block that held long records is let go rather than kept at that size. No more are
  // kept than can be in flight, each counted in a block's cost while it is.
  if (block_bytes.capacity() <= 2 * block_bytes_ && spare_block_bytes_.size() < max_in_flight_)
    spare_block_bytes_.push_back(std::move(block_bytes));
  if (sequence == consumed_) batch_ready_.notify_one();  // the batch next() waits for
}

template <class Scanner>
inline Status BackgroundReader::cut_blocks(ByteSource& source) {
  RecordBlocks<Scanner> blocks(source, options_, block_bytes_);
  for (;;) {
    Block block;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      block.records.bytes = recycled_block_bytes();
    }
    S3DEST_ASSIGN_OR_RETURN(const bool more, blocks.next(block.records));
    if (!more) return {};
    block.cost = cost_of_block(block.records);
    std::unique_lock<std::mutex> lock(mutex_);
    if (!wait_for_room(lock, block.cost)) return {};
    block.sequence = produced_++;
    blocks_.push_back(std::move(block));
    block_cut_.notify_one();
  }
}

inline void BackgroundReader::parse_blocks() {
  for (;;) {
    Block block;
    std::unique_ptr<InputBatch> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      block_cut_.wait(lock, [this] {
        if (cancelled_) return true;
        if (blocks_.empty()) return producer_done_;
        return caller_waiting_ || parsing_ < parsers_while_caller_works_;
      });
      if (cancelled_ || blocks_.empty()) return;
      block = std::move(blocks_.front());
      blocks_.pop_front();
      batch = recycled_batch();
      ++parsing_;
    }
    batch->file = block.records.file;
    const Status status = parse_block(block, *batch);
    finish(block.sequence, Done{std::move(batch), status, block.cost}, std::move(block.records.bytes));
  }
}

inline Status BackgroundReader::parse_block(Block& block, InputBatch& batch) {
  S3DEST_ASSIGN_OR_RETURN(auto reader, open_block_reader(block.records, format_, options_));
  Row row;
  std::string key;
  for (;;) {
    S3DEST_ASSIGN_OR_RETURN(const bool more, reader->next(row));
    if (!more) return {};
    S3DEST_TRY(add_row(*reader, row, batch, key));
  }
}

inline Status BackgroundReader::add_row(const RowReader& reader, const Row& row, InputBatch& batch,
                                        std::string& key) const {
  const Status status =
      batch.pairs.add_encoded(key, [this, &row](std::string& row_key, std::string& record) {
        return encode_(row, row_key, record);
      });
  if (!status.ok()) return status.prefixed(reader.name() + ":" + std::to_string(reader.line()) + ": ");
  return {};
}

}  // namespace s3dest
