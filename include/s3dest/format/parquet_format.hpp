// Parquet files (apache/parquet-format) as a RowFormat, for flat schemas:
//
//   "PAR1"  row group ... row group  footer (FileMetaData)  footer length (u32 LE)  "PAR1"
//
// A record is the row in a column-by-column layout the file encoder can split without
// knowing the table's types: for each column, a nullable one first has a byte, 0 for
// null and 1 for a value; then the value (if any) in its PLAIN encoding.
//
// The file encoder holds one row group at a time: each column's pages are compressed as
// they fill, and the row group is written, column chunk after column chunk, once the
// memory it holds reaches row_group_bytes (or the file ends). The footer lists every row
// group with its statistics.
//
// On several threads (ParquetOptions::threads), the encoder only splits records into
// their fields and keeps them in a batch; a full batch goes to a pool shared by the
// format's files, where every column encodes its values (dictionary, pages, compression)
// on whichever thread is free, while the next batch fills. The values and pages are those
// one thread writes; row groups end where a batch ends, so their rows may differ a little.
//
// The size cap: before each row the encoder adds up what the file would take if it ended
// with that row: bytes already written, each column chunk's bound (exact for finished
// pages, the codec's worst case for open pages and the dictionary), the footer's bound,
// and for batched rows the most their values can add. When that passes the cap, it
// waits for the batches, goes row by row, first settles the columns (closes their pages,
// finishes their dictionaries) to replace the estimates with real sizes, and only then
// refuses.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/little_endian.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/usable_cores.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/format/parquet/column_chunk_writer.hpp"
#include "s3dest/format/parquet/column_layout.hpp"
#include "s3dest/format/parquet/metadata.hpp"
#include "s3dest/format/parquet/page_codec.hpp"
#include "s3dest/format/parquet/row_batch.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"
#include "s3dest/version.hpp"

namespace s3dest {

struct ParquetOptions {
  enum class Compression { snappy, gzip, zstd, none } compression = Compression::snappy;  // parquet_compression
  int gzip_level = 6;           // zlib's 0..9, for gzip
  int zstd_level = 3;           // libzstd's 1..19 (zstd_level), for zstd
  bool binary_strings = false;  // use_binary_strings: strings without the UTF8 annotation
  // Data one open file holds before its row group is written (compressed pages, the open
  // pages' values, dictionaries): row groups are about this big in memory.
  uint64_t row_group_bytes = uint64_t{16} << 20;
  parquet::ColumnChunkLimits limits;
  // Threads that encode the columns, shared by the format's files; 1: on the thread that
  // adds the rows; 0: one per core this process may use (at most 16) where there are
  // three or more. On two, a load's readers and the adding thread already keep both
  // busy (1.8 cores), and handing rows over in batches only adds 5-10% CPU (bench/); from
  // three, the adding thread's encoding (about 40% of the work) is what the others wait for.
  int threads = 1;
  // The footer's created_by. "<app> version <x.y.z> (build <id>)" is the form Spark,
  // Hive and parquet-mr parse to decide whether to trust a writer's statistics.
  std::string created_by = std::string("s3dest version ") + S3DEST_VERSION_STRING + " (build " + S3DEST_BUILD + ")";
};

// Build with create(); the format must outlive the FileEncoders it makes.
class ParquetFormat final : public RowFormat {
 public:
  // Fails (usage error) for a schema without columns, a gzip level outside 0..9, a zstd
  // level outside 1..19, or zstd where s3dest is built without libzstd.
  static Result<std::unique_ptr<ParquetFormat>> create(const Schema& schema, ParquetOptions options);

  std::string_view extension() const override { return ".parquet"; }
  void encode_record(const Row& row, std::string& out) const override;
  std::unique_ptr<FileEncoder> new_file() const override;
  // A little per column; the row group, the batches and the columns' buffers are
  // memory_held.
  uint64_t open_file_memory() const override { return 16 * 1024 + columns_.size() * 4096; }
  // The PageWorkspace of every thread that writes pages (the adding thread and the
  // pool's): its three buffers, and the codec's own state (zstd's context: MiBs, by level).
  uint64_t shared_memory() const override;
  bool encodes_on_calling_thread() const override { return !pool_; }

  const std::vector<parquet::ColumnLayout>& columns() const { return columns_; }
  const ParquetOptions& options() const { return options_; }
  // Threads encoding columns: 1 for none but the caller's.
  int threads() const { return pool_ ? pool_->threads() : 1; }

 private:
  ParquetFormat(std::vector<parquet::ColumnLayout> columns, ParquetOptions options)
      : columns_(std::move(columns)),
        options_(std::move(options)),
        history_(new parquet::ColumnHistory[columns_.size()]) {}

  std::vector<parquet::ColumnLayout> columns_;
  ParquetOptions options_;
  // A column's, shared by the files' ColumnChunkWriters.
  std::unique_ptr<parquet::ColumnHistory[]> history_;
  uint64_t codec_memory_ = 0;
  std::shared_ptr<LazyTaskPool> pool_;  // null on one thread
};

namespace detail {

inline parquet::Codec parquet_codec(ParquetOptions::Compression compression) {
  switch (compression) {
    case ParquetOptions::Compression::snappy: return parquet::Codec::snappy;
    case ParquetOptions::Compression::gzip: return parquet::Codec::gzip;
    case ParquetOptions::Compression::zstd: return parquet::Codec::zstd;
    case ParquetOptions::Compression::none: return parquet::Codec::uncompressed;
  }
  return parquet::Codec::uncompressed;
}

class ParquetFileEncoder final : public FileEncoder {
 public:
  // `pool`: where the columns are encoded, or nullptr for the calling thread.
  // `history`: one a column, shared with the format's other files.
  ParquetFileEncoder(const ParquetFormat& format, std::shared_ptr<TaskPool> pool, parquet::ColumnHistory* history)
      : format_(format),
        codec_(parquet::PageCompression{parquet_codec(format.options().compression), format.options().gzip_level,
                                        format.options().zstd_level}),
        pool_(std::move(pool)) {
    columns_.reserve(format.columns().size());
    for (size_t i = 0; i < format.columns().size(); ++i) {
      const parquet::ColumnLayout& layout = format.columns()[i];
      columns_.emplace_back(layout, codec_, format.options().limits, &history[i]);
      names_bytes_ += layout.name.size();
    }
    fields_.resize(columns_.size());
  }
  // The pool may still be encoding a batch into these columns: wait for it.
  ~ParquetFileEncoder() override { (void)wait_for_batch(); }

  Status begin(ByteSink& out, uint64_t cap) override {
    out_ = &out;
    cap_ = cap;
    // The footer of a file without rows, plus room for num_rows and the row group list
    // to grow into longer varints.
    footer_fixed_ = parquet::encode_file_metadata(format_.columns(), 0, {}, format_.options().created_by).size() + 16;
    if (4 + footer_fixed_ + 8 > cap)
      return usage_error("max_file_size_mb is too small to hold even an empty parquet file (" +
                         std::to_string(4 + footer_fixed_ + 8) + " bytes): raise it");
    S3DEST_TRY(out.write("PAR1"));
    written_ = 4;
    new_row_group_bound_ = 64;
    for (const auto& column : columns_)
      new_row_group_bound_ += parquet::column_chunk_metadata_bound(column.layout(),
                                                                   2 * parquet::ColumnChunkWriter::kMaxStatisticBytes) +
                              3 * (parquet::ColumnChunkWriter::kMaxPageHeaderBytes + codec_.bound(0) + 8);
    measure_columns();
    return {};
  }

  Result<bool> try_add(std::string_view record) override {
    S3DEST_TRY(split(record));
    if (pool_ && record.size() < kBatchBytes && batches_fit(record.size())) {
      filling_.add(record, fields_);
      ++rows_;
      if (filling_.record_bytes() >= kBatchBytes || filling_.values() >= kBatchValues) S3DEST_TRY(send_filling(false));
      return true;
    }
    // Close to the cap (or on one thread): row by row, with exact sizes.
    S3DEST_TRY(drain(false));
    if (!surely_fits(record.size()) && !fits(record.size())) {
      if (rows_ == 0) return false;
      for (auto& column : columns_) S3DEST_TRY(column.settle());
      measure_columns();
      if (!fits(record.size())) return false;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (fields_[i]) S3DEST_TRY(columns_[i].add(*fields_[i]));
      else S3DEST_TRY(columns_[i].add_null());
    }
    ++rows_;
    ++group_rows_;
    // Measuring every column after each row would cost 5-10% of a load on one thread:
    // between measures, a row counts as the most it can add to the columns' data (its
    // PLAIN bytes, and a dictionary index and a level a value). Batches that follow start
    // from measured bounds, so with a pool every row is measured.
    unmeasured_ += record.size() + 5 * columns_.size();
    const uint64_t row_group_bytes = format_.options().row_group_bytes;
    if (pool_ || ++rows_unmeasured_ >= kRowsPerMeasure || unmeasured_ >= bytes_per_measure_ ||
        group_bytes_ + unmeasured_ >= row_group_bytes) {
      measure_columns();
      if (group_bytes_ >= row_group_bytes) {
        S3DEST_TRY(write_row_group());
        measure_columns();
      }
    }
    return true;
  }

  uint64_t memory_held() const override {
    return columns_memory_ + unmeasured_ + in_flight_growth_ + in_flight_.memory() + filling_.memory();
  }
  Status release_memory() override {
    S3DEST_TRY(drain(true));
    S3DEST_TRY(write_row_group());
    for (auto& column : columns_) column.release_buffers();
    in_flight_.release();
    filling_.release();
    measure_columns();
    return {};
  }

  // On one thread only: with the pool, the last batch settles its columns there (drain).
  Status settle() override {
    if (pool_) return {};
    for (auto& column : columns_) S3DEST_TRY(column.settle());
    return {};
  }

  Status finish() override {
    S3DEST_TRY(drain(true));
    S3DEST_TRY(write_row_group());
    std::string tail = parquet::encode_file_metadata(format_.columns(), static_cast<int64_t>(rows_), row_groups_,
                                                     format_.options().created_by);
    append_little_endian(tail, static_cast<uint32_t>(tail.size()));
    tail += "PAR1";
    S3DEST_TRY(out_->write(tail));
    written_ += tail.size();
    return {};
  }

 private:
  // A batch is sent to the pool once it holds this many record bytes or values: enough
  // work per column to outweigh handing it over, little enough to keep in every open file.
  static constexpr uint64_t kBatchBytes = 256 * 1024;
  static constexpr uint64_t kBatchValues = 32 * 1024;
  // Rows added one by one between two measures of the columns.
  static constexpr uint64_t kRowsPerMeasure = 16;
  // Or sooner, once the rows added since amount to 16 KiB and 64 bytes a column (a measure
  // costs time by the column): a row counts as its PLAIN bytes, but a long value costs
  // the columns up to twice that (a dictionary entry, a buffer's doubling), and files of
  // a few long rows each were never measured: 332 such files at memory_limit_mb 64
  // peaked at 142 MB.
  static constexpr uint64_t kBytesPerMeasure = 16 * 1024, kBytesPerMeasureAColumn = 64;
  // A row group is written in pieces of up to kGatheredBytes, but for pieces of
  // kDirectWriteBytes or more (a big file's page segments), which go as they are.
  static constexpr size_t kGatheredBytes = 64 * 1024;
  static constexpr size_t kDirectWriteBytes = 16 * 1024;

  // Cuts a record (see the top of this file) into its columns' fields.
  Status split(std::string_view record) {
    size_t at = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const parquet::ColumnLayout& layout = columns_[i].layout();
      std::optional<std::string_view>& field = fields_[i];
      if (layout.optional) {
        if (at >= record.size()) return malformed();
        if (record[at++] == '\0') {
          field.reset();
          continue;
        }
      }
      size_t size = layout.value_width;
      if (size == 0) {  // BYTE_ARRAY: a 4-byte length, then the bytes
        if (record.size() - at < 4) return malformed();
        size = 4 + load_little_endian<uint32_t>(record.substr(at, 4));
      }
      if (record.size() - at < size) return malformed();
      field = record.substr(at, size);
      at += size;
    }
    return at == record.size() ? Status() : malformed();
  }
  static Status malformed() { return internal_error("a parquet record does not match the table's columns"); }

  // --- Row by row ------------------------------------------------------------------------

  // A quick sufficient test, so fits() can be skipped while the cap is far: the columns'
  // file bytes are at most 1.3 times the memory they hold (compressed pages, raw values,
  // 4 bytes a dictionary index, the dictionary) plus a few hundred bytes each, and their
  // metadata at most a fixed size with the longest statistics.
  bool surely_fits(uint64_t record_bytes) const {
    const uint64_t columns = columns_.size();
    const uint64_t memory = columns_memory_ + unmeasured_;
    const uint64_t bound = written_ + footer_fixed_ + 8 + row_groups_bytes_ + 64 + memory + memory * 3 / 10 +
                           columns * (400 + 2 * (2 * parquet::ColumnChunkWriter::kMaxStatisticBytes + 40)) +
                           names_bytes_ + growth(record_bytes);
    return bound <= cap_;
  }

  // The most a record can add: each value at most its PLAIN bytes (or a dictionary index
  // and a level, 8 bytes) in a page that may be new, and perhaps a new min or max.
  uint64_t growth(uint64_t record_bytes) const {
    const uint64_t columns = columns_.size();
    return columns * (parquet::ColumnChunkWriter::kMaxPageHeaderBytes + 64) +
           codec_.bound(record_bytes + 8 * columns) + 2 * record_bytes + 20 * columns;
  }

  // Would the file, finished with one more record of `record_bytes`, fit the cap?
  bool fits(uint64_t record_bytes) const {
    uint64_t bound = written_ + footer_fixed_ + 8 + row_groups_bytes_ + 64;  // 64: this row group's own fields
    for (const auto& column : columns_) bound += column.file_bytes_bound() + column.metadata_bound();
    return bound + growth(record_bytes) <= cap_;
  }

  Status write_row_group() {
    if (group_rows_ == 0) return {};
    chunks_.clear();
    // Pages and headers of a few KiB go out gathered: written one by one, a year of daily
    // files took 8,120 writes into local files, each a system call.
    GatheringSink gathered(*out_, kGatheredBytes, kDirectWriteBytes);
    for (auto& column : columns_) {
      S3DEST_ASSIGN_OR_RETURN(parquet::ColumnChunkMetadata chunk, column.write(gathered, written_));
      written_ += static_cast<uint64_t>(chunk.total_compressed_size);
      chunks_.push_back(std::move(chunk));
    }
    S3DEST_TRY(gathered.flush());
    row_groups_.push_back(parquet::encode_row_group(format_.columns(), codec_.codec(), chunks_,
                                                    static_cast<int64_t>(group_rows_),
                                                    static_cast<int16_t>(row_groups_.size())));
    row_groups_bytes_ += row_groups_.back().size();
    group_rows_ = 0;
    return {};
  }

  // --- In batches, on the pool -----------------------------------------------------------
  //
  // Rows are kept in the filling batch; a full batch goes to the pool, where each column
  // takes its values on whichever thread is free, while the next batch fills. Only then
  // (join) are the columns this thread's again. A batch that ends a row group also settles
  // its columns there, so the row group's last pages are compressed on the pool too.

  // Would the file fit the cap, finished with every batched row and one more record of
  // `record_bytes`? From the columns' bounds when the pool last handed them back, and
  // what the batched values can add to them at most: each value its PLAIN bytes, an index
  // (up to 32 bits, with the runs' 3 bits) and a level, in as many pages as the page
  // limits can close, each with a header and the codec's own overhead, and the longest
  // statistics; and a row group's metadata and first pages, for batches that begin one.
  bool batches_fit(uint64_t record_bytes) const {
    const uint64_t columns = columns_.size();
    const uint64_t bytes = in_flight_.record_bytes() + filling_.record_bytes() + record_bytes;
    const uint64_t values = in_flight_.values() + filling_.values() + columns;
    const uint64_t page_bytes = format_.options().limits.page_bytes;
    const uint64_t content = bytes + 6 * values + widening_ + 32 * columns;
    const uint64_t pages = 3 * columns + values / std::max<uint64_t>(page_bytes / 4, 1) + bytes / page_bytes +
                           values / parquet::ColumnChunkWriter::kMaxPageValues + 1;
    const uint64_t growth = codec_.bound(content) + columns * (codec_.bound(0) + 8) +
                            pages * (parquet::ColumnChunkWriter::kMaxPageHeaderBytes + codec_.bound(0) + 8) +
                            columns * (2 * parquet::ColumnChunkWriter::kMaxStatisticBytes + 64) + 64;
    return columns_bound_ + growth + new_row_group_bound_ <= cap_;
  }

  // Sends the filling batch to the pool, once the one before is back. With `settle`, or
  // when the columns would reach row_group_bytes, the batch ends the row group.
  Status send_filling(bool settle) {
    S3DEST_TRY(join());
    const uint64_t growth = filling_.record_bytes() + 4 * filling_.values();
    std::swap(in_flight_, filling_);
    filling_.clear();
    in_flight_growth_ = growth;
    settle_ = settle || group_bytes_ + growth >= format_.options().row_group_bytes;
    next_column_ = 0;
    const size_t tasks = std::min<size_t>(columns_.size(), static_cast<size_t>(format_.threads()));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_left_ = tasks;
    }
    batch_sent_ = true;
    // Not under mutex_: submit waits while the pool is full, and these tasks need it to end.
    for (size_t i = 0; i < tasks; ++i) pool_->submit([this] { encode_columns(); });
    return {};
  }

  // On the pool: takes columns that no other task has taken yet, until none is left.
  void encode_columns() {
    Status status;
    for (size_t column = next_column_++; column < columns_.size() && status.ok(); column = next_column_++)
      status = encode_column(column);
    std::lock_guard<std::mutex> lock(mutex_);
    if (!status.ok() && batch_status_.ok()) batch_status_ = std::move(status);
    if (--tasks_left_ == 0) batch_done_.notify_all();
  }

  Status encode_column(size_t index) {
    parquet::ColumnChunkWriter& column = columns_[index];
    const size_t columns = columns_.size();
    for (uint64_t row = 0; row < in_flight_.rows(); ++row) {
      if (const auto value = in_flight_.field(row, index, columns)) S3DEST_TRY(column.add(*value));
      else S3DEST_TRY(column.add_null());
    }
    if (settle_) S3DEST_TRY(column.settle());
    return {};
  }

  // Waits for the batch on the pool, if any; the columns are then this thread's, with its
  // rows, and the row group is written if the batch ended it.
  Status join() {
    if (!batch_sent_) return {};
    Status status = wait_for_batch();
    group_rows_ += in_flight_.rows();
    in_flight_.clear();
    in_flight_growth_ = 0;
    if (status.ok() && settle_) status = write_row_group();
    measure_columns();
    return status;
  }

  // The batch's status, once its tasks have ended.
  Status wait_for_batch() {
    if (!batch_sent_) return {};
    std::unique_lock<std::mutex> lock(mutex_);
    batch_done_.wait(lock, [this] { return tasks_left_ == 0; });
    batch_sent_ = false;
    Status status = std::move(batch_status_);
    batch_status_ = Status();
    return status;
  }

  // Every batched row into the columns; with `settle`, settled for the row group's end.
  Status drain(bool settle) {
    S3DEST_TRY(join());
    if (!pool_ || (filling_.empty() && !(settle && group_rows_ > 0))) return {};
    S3DEST_TRY(send_filling(settle));
    return join();
  }

  // The columns' memory and bounds, read while they are this thread's.
  void measure_columns() {
    columns_memory_ = 0;
    group_bytes_ = 0;
    unmeasured_ = 0;
    rows_unmeasured_ = 0;
    widening_ = 0;
    columns_bound_ = written_ + footer_fixed_ + 8 + row_groups_bytes_ + 64 + 64;  // 64: a row group's own fields
    for (const auto& column : columns_) {
      columns_memory_ += column.memory();
      group_bytes_ += column.data_bytes();
      widening_ += column.widening_bound();
      columns_bound_ += column.file_bytes_bound() + column.metadata_bound();
    }
  }

  const ParquetFormat& format_;
  parquet::PageCodec codec_;  // for the bounds: pages are compressed in PageWorkspaces
  std::shared_ptr<TaskPool> pool_;
  std::vector<parquet::ColumnChunkWriter> columns_;
  std::vector<std::optional<std::string_view>> fields_;  // the record being added, split
  std::vector<parquet::ColumnChunkMetadata> chunks_;
  ByteSink* out_ = nullptr;
  uint64_t cap_ = 0;
  uint64_t written_ = 0;       // bytes given to out_
  uint64_t footer_fixed_ = 0;  // the footer without row groups, with room to grow
  std::vector<std::string> row_groups_;  // each finished row group's RowGroup struct
  uint64_t row_groups_bytes_ = 0;
  uint64_t rows_ = 0;          // rows taken, batched or not
  uint64_t group_rows_ = 0;    // rows in the columns, for the open row group
  uint64_t columns_memory_ = 0;  // the columns' memory()
  uint64_t group_bytes_ = 0;     // the columns' data_bytes(): the open row group's size
  // What the rows added since the columns were last measured can have added to them, at
  // most, and how many they are.
  uint64_t unmeasured_ = 0;
  uint64_t rows_unmeasured_ = 0;
  const uint64_t bytes_per_measure_ = kBytesPerMeasure + kBytesPerMeasureAColumn * format_.columns().size();
  uint64_t names_bytes_ = 0;   // the column names' lengths, all together

  // Batches. While one is sent, the columns and in_flight_ are its tasks'; tasks_left_ and
  // batch_status_ are shared under mutex_; the rest is the adding thread's alone.
  parquet::RowBatch filling_, in_flight_;
  bool batch_sent_ = false;
  uint64_t in_flight_growth_ = 0;  // what in_flight_ may add to the columns' memory
  uint64_t columns_bound_ = 0;     // the file, finished now, at most (measure_columns)
  uint64_t widening_ = 0;          // the columns' widening_bound, together
  uint64_t new_row_group_bound_ = 0;  // a row group's metadata and first pages, at most
  bool settle_ = false;
  std::atomic<size_t> next_column_{0};
  std::mutex mutex_;
  std::condition_variable batch_done_;
  size_t tasks_left_ = 0;
  Status batch_status_;
};

}  // namespace detail

inline Result<std::unique_ptr<ParquetFormat>> ParquetFormat::create(const Schema& schema, ParquetOptions options) {
  if (schema.columns.empty()) return usage_error("a parquet file needs at least one column; the input has none");
  if (options.gzip_level < 0 || options.gzip_level > 9)
    return usage_error("gzip_level " + std::to_string(options.gzip_level) + " is not in 0..9");
  uint64_t codec_memory = 0;
  if (options.compression == ParquetOptions::Compression::zstd) {
    S3DEST_ASSIGN_OR_RETURN(codec_memory, zstd_stream_memory(options.zstd_level, "parquet_compression \"zstd\""));
  }
  std::vector<parquet::ColumnLayout> columns;
  for (const Column& column : schema.columns) columns.push_back(parquet::column_layout(column, options.binary_strings));
  std::unique_ptr<ParquetFormat> format(new ParquetFormat(std::move(columns), std::move(options)));
  format->codec_memory_ = codec_memory;
  const int cores = format->options_.threads == 0 ? usable_cores() : 0;
  const int threads = format->options_.threads > 0 ? format->options_.threads : cores >= 3 ? std::min(cores, 16) : 1;
  // Each file sends at most a task per thread at once; twice the threads keeps a queue.
  if (threads > 1) format->pool_ = std::make_shared<LazyTaskPool>(threads, static_cast<size_t>(2 * threads));
  return format;
}

inline void ParquetFormat::encode_record(const Row& row, std::string& out) const {
  // Sized first and written in place: a string append per value costs more than the values.
  size_t size = 0;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const parquet::ColumnLayout& column = columns_[i];
    size += column.optional + (column.optional && row[i].is_null ? 0 : parquet::plain_size(column, row[i]));
  }
  const size_t start = out.size();
  out.resize(start + size);
  char* at = out.data() + start;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const parquet::ColumnLayout& column = columns_[i];
    const Value& value = row[i];
    if (column.optional) {
      *at++ = value.is_null ? '\0' : '\1';
      if (value.is_null) continue;
    }
    // A null in a required column cannot reach here (the readers refuse it); if one did,
    // the type's zero keeps the file readable.
    at = parquet::write_plain_value(at, column, value);
  }
}

inline uint64_t ParquetFormat::shared_memory() const {
  const uint64_t workspaces = pool_ ? static_cast<uint64_t>(pool_->threads()) + 1 : 1;
  const parquet::PageCodec codec(
      parquet::PageCompression{detail::parquet_codec(options_.compression), options_.gzip_level, options_.zstd_level});
  return workspaces * (3 * parquet::workspace_bytes(codec, options_.limits) + codec_memory_);
}

inline std::unique_ptr<FileEncoder> ParquetFormat::new_file() const {
  return std::make_unique<detail::ParquetFileEncoder>(*this, pool_ ? pool_->get() : nullptr,
                                                      history_.get());
}

}  // namespace s3dest
