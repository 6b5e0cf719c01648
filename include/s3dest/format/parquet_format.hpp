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
// The size cap: before each row the encoder adds up what the file would take if it ended
// with that row: bytes already written, each column chunk's bound (exact for finished
// pages, the codec's worst case for open pages and the dictionary), the footer's bound.
// When that passes the cap, it first settles the columns (closes their pages, finishes
// their dictionaries) to replace the estimates with real sizes, and only then refuses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/little_endian.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/format/parquet/column_chunk_writer.hpp"
#include "s3dest/format/parquet/column_layout.hpp"
#include "s3dest/format/parquet/metadata.hpp"
#include "s3dest/format/parquet/page_codec.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"
#include "s3dest/version.hpp"

namespace s3dest {

struct ParquetOptions {
  enum class Compression { snappy, gzip, zstd, none } compression = Compression::snappy;  // parquet_compression
  int gzip_level = 6;           // zlib's 0..9, for gzip
  int zstd_level = 3;           // libzstd's 1..19 (zstd_level), for zstd
  bool binary_strings = false;  // use_binary_strings: strings without the UTF8 annotation
  // Memory one open file holds before its row group is written: row groups are about
  // this big in memory, which is mostly compressed pages.
  uint64_t row_group_bytes = uint64_t{16} << 20;
  parquet::ColumnChunkLimits limits;
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
  // A page on its way out (content, compressed, indices), and a little per column, and
  // the codec's own state (zstd's context: MiBs, by level); the row group and the
  // columns' buffers are memory_held.
  uint64_t open_file_memory() const override {
    return 3 * options_.limits.page_bytes + columns_.size() * 4096 + codec_memory_;
  }

  const std::vector<parquet::ColumnLayout>& columns() const { return columns_; }
  const ParquetOptions& options() const { return options_; }

 private:
  ParquetFormat(std::vector<parquet::ColumnLayout> columns, ParquetOptions options)
      : columns_(std::move(columns)), options_(std::move(options)) {}

  std::vector<parquet::ColumnLayout> columns_;
  ParquetOptions options_;
  uint64_t codec_memory_ = 0;
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
  explicit ParquetFileEncoder(const ParquetFormat& format)
      : format_(format),
        codec_(parquet_codec(format.options().compression), format.options().gzip_level, format.options().zstd_level) {
    columns_.reserve(format.columns().size());
    for (const parquet::ColumnLayout& layout : format.columns()) {
      columns_.emplace_back(layout, codec_, scratch_, format.options().limits);
      names_bytes_ += layout.name.size();
    }
    fields_.resize(columns_.size());
  }

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
    return {};
  }

  Result<bool> try_add(std::string_view record) override {
    S3DEST_TRY(split(record));
    if (!surely_fits(record.size()) && !fits(record.size())) {
      if (rows_ == 0) return false;
      for (auto& column : columns_) S3DEST_TRY(column.settle());
      if (!fits(record.size())) return false;
    }
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (fields_[i].null) S3DEST_TRY(columns_[i].add_null());
      else S3DEST_TRY(columns_[i].add(fields_[i].plain));
    }
    ++rows_;
    ++group_rows_;
    memory_ = 0;
    for (const auto& column : columns_) memory_ += column.memory();
    if (memory_ >= format_.options().row_group_bytes) S3DEST_TRY(write_row_group());
    return true;
  }

  uint64_t memory_held() const override { return memory_; }
  Status release_memory() override {
    S3DEST_TRY(write_row_group());
    for (auto& column : columns_) column.release_buffers();
    memory_ = 0;
    for (const auto& column : columns_) memory_ += column.memory();
    return {};
  }

  Status finish() override {
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
  struct Field {
    bool null = false;
    std::string_view plain;
  };

  // Cuts a record (see the top of this file) into its columns' fields.
  Status split(std::string_view record) {
    size_t at = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const parquet::ColumnLayout& layout = columns_[i].layout();
      Field& field = fields_[i];
      field.null = false;
      if (layout.optional) {
        if (at >= record.size()) return malformed();
        field.null = record[at++] == '\0';
        if (field.null) continue;
      }
      size_t size = layout.value_width;
      if (size == 0) {  // BYTE_ARRAY: a 4-byte length, then the bytes
        if (record.size() - at < 4) return malformed();
        size = 4 + load_little_endian<uint32_t>(record.substr(at, 4));
      }
      if (record.size() - at < size) return malformed();
      field.plain = record.substr(at, size);
      at += size;
    }
    return at == record.size() ? Status() : malformed();
  }
  static Status malformed() { return internal_error("a parquet record does not match the table's columns"); }

  // A quick sufficient test, so fits() can be skipped while the cap is far: the columns'
  // file bytes are at most 1.3 times the memory they hold (compressed pages, raw values,
  // 4 bytes a dictionary index, the dictionary) plus a few hundred bytes each, and their
  // metadata at most a fixed size with the longest statistics.
  bool surely_fits(uint64_t record_bytes) const {
    const uint64_t columns = columns_.size();
    const uint64_t bound = written_ + footer_fixed_ + 8 + row_groups_bytes_ + 64 + memory_ + memory_ * 3 / 10 +
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
    for (auto& column : columns_) {
      S3DEST_ASSIGN_OR_RETURN(parquet::ColumnChunkMetadata chunk, column.write(*out_, written_));
      written_ += static_cast<uint64_t>(chunk.total_compressed_size);
      chunks_.push_back(std::move(chunk));
    }
    row_groups_.push_back(parquet::encode_row_group(format_.columns(), codec_.codec(), chunks_,
                                                    static_cast<int64_t>(group_rows_),
                                                    static_cast<int16_t>(row_groups_.size())));
    row_groups_bytes_ += row_groups_.back().size();
    group_rows_ = 0;
    return {};
  }

  const ParquetFormat& format_;
  parquet::PageCodec codec_;
  parquet::PageScratch scratch_;
  std::vector<parquet::ColumnChunkWriter> columns_;
  std::vector<Field> fields_;
  std::vector<parquet::ColumnChunkMetadata> chunks_;
  ByteSink* out_ = nullptr;
  uint64_t cap_ = 0;
  uint64_t written_ = 0;       // bytes given to out_
  uint64_t footer_fixed_ = 0;  // the footer without row groups, with room to grow
  std::vector<std::string> row_groups_;  // each finished row group's RowGroup struct
  uint64_t row_groups_bytes_ = 0;
  uint64_t rows_ = 0;
  uint64_t group_rows_ = 0;
  uint64_t memory_ = 0;       // the columns' memory after the last record
  uint64_t names_bytes_ = 0;  // the column names' lengths, all together
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
  return format;
}

inline void ParquetFormat::encode_record(const Row& row, std::string& out) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    const parquet::ColumnLayout& column = columns_[i];
    const Value& value = row[i];
    if (column.optional) {
      out.push_back(value.is_null ? '\0' : '\1');
      if (value.is_null) continue;
    }
    // A null in a required column cannot reach here (the readers refuse it); if one did,
    // the type's zero keeps the file readable.
    parquet::append_plain_value(out, column, value);
  }
}

inline std::unique_ptr<FileEncoder> ParquetFormat::new_file() const {
  return std::make_unique<detail::ParquetFileEncoder>(*this);
}

}  // namespace s3dest
