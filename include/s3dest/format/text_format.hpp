// csv and json (JSON Lines) as RowFormats, plain or compressed (csv+gzip, json+gzip):
// records are the rows' final text, and a file is an optional header followed by records,
// optionally through a compressor (format/compressor.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "s3dest/format/compressed_writer.hpp"
#include "s3dest/format/compressor_stock.hpp"
#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/format/json_lines_encoder.hpp"
#include "s3dest/format/parallel_gzip_compressor.hpp"
#include "s3dest/format/zlib_compressor.hpp"

namespace s3dest {

struct TextFormatOptions {
  enum class Kind { csv, json } kind = Kind::csv;
  char separator = ',';  // csv only
  // Set: each file goes through a compressor from this, and the extension gets its
  // suffix (gzip_files(6, 0): ".csv.gz").
  CompressorFactory compression;
  // Set (and `compression` not): gzip at this level on the writing thread, the same as
  // gzip_files(level, 1).
  std::optional<int> gzip_level;
};

class TextFormat final : public RowFormat {
 public:
  TextFormat(const Schema& schema, TextFormatOptions options);

  std::string_view extension() const override { return extension_; }
  void encode_record(const Row& row, std::string& out) const override {
    if (options_.kind == TextFormatOptions::Kind::csv) csv_.append_row(row, out);
    else json_.append_row(row, out);
  }
  std::unique_ptr<FileEncoder> new_file() const override;
  // The batch of records and the compressor's buffers; at least RowFormat's MiB.
  uint64_t open_file_memory() const override;

 private:
  TextFormatOptions options_;
  mutable CompressorStock compressors_;  // its files' compressors (new_file is const)
  CsvEncoder csv_;
  JsonLinesEncoder json_;
  std::string header_;
  std::string extension_;
};

namespace detail {

// Batches records so the sink (or the compressor) sees large writes rather than one per row.
class TextFileEncoder final : public FileEncoder {
 public:
  static constexpr size_t kBatchBytes = 256 * 1024;

  TextFileEncoder(const std::string& header, CompressorStock& compressors)
      : header_(header), compressors_(compressors) {}
  ~TextFileEncoder() override {
    if (compressed_) compressors_.give_back(compressed_->release_compressor());
  }
  TextFileEncoder(const TextFileEncoder&) = delete;
  TextFileEncoder& operator=(const TextFileEncoder&) = delete;

  Status begin(ByteSink& out, uint64_t cap) override {
    out_ = &out;
    cap_ = cap;
    if (compressors_.factory()) compressed_ = std::make_unique<CompressedWriter>(out, compressors_.take());
    S3DEST_ASSIGN_OR_RETURN(const bool header_fits, fits(header_));
    if (!header_fits)
      return usage_error("max_file_size_mb is too small to hold even the header row (" +
                         std::to_string(header_.size()) + " bytes): raise it");
    pending_ = header_;
    return {};
  }

  Result<bool> try_add(std::string_view record) override {
    S3DEST_ASSIGN_OR_RETURN(const bool record_fits, fits(record));
    if (!record_fits) return false;
    pending_.append(record);
    if (pending_.size() >= kBatchBytes) S3DEST_TRY(drain());
    return true;
  }

  Status end_input() override {
    if (!compressed_) return drain();
    S3DEST_TRY(compressed_->end_input(pending_));
    pending_.clear();
    return {};
  }

  Status finish() override {
    S3DEST_TRY(drain());
    return compressed_ ? compressed_->finish() : Status();
  }

 private:
  // Would the finished file fit the cap with `record` after what is pending?
  Result<bool> fits(std::string_view record) {
    if (!compressed_) return out_->size() + pending_.size() + record.size() <= cap_;
    S3DEST_ASSIGN_OR_RETURN(bool fits_now, compressed_->fits(pending_.size() + record.size(), cap_));
    if (fits_now) return true;
    // The codec can only tell the exact size of what it has been given: hand it the batch.
    S3DEST_TRY(drain());
    S3DEST_ASSIGN_OR_RETURN(fits_now, compressed_->fits(record.size(), cap_));
    if (fits_now) return true;
    // The worst case says no; the cap is on compressed bytes, so compress it to know.
    return compressed_->fits_compressed(record, cap_);
  }

  Status drain() {
    if (pending_.empty()) return {};
    S3DEST_TRY(compressed_ ? compressed_->write(pending_) : out_->write(pending_));
    pending_.clear();
    return {};
  }

  const std::string& header_;
  CompressorStock& compressors_;
  ByteSink* out_ = nullptr;
  uint64_t cap_ = 0;
  std::unique_ptr<CompressedWriter> compressed_;
  std::string pending_;
};

}  // namespace detail

inline TextFormat::TextFormat(const Schema& schema, TextFormatOptions options)
    : options_(options),
      compressors_(options.compression ? options.compression
                   : options.gzip_level ? gzip_files(*options.gzip_level, 1)
                                        : CompressorFactory{}),
      csv_(schema, options.separator), json_(schema) {
  const bool csv = options.kind == TextFormatOptions::Kind::csv;
  if (csv) csv_.append_header(header_);
  extension_ = csv ? ".csv" : ".json";
  extension_ += compressors_.factory().file_suffix;
}

inline uint64_t TextFormat::open_file_memory() const {
  return std::max<uint64_t>(RowFormat::open_file_memory(),
                            detail::TextFileEncoder::kBatchBytes + compressors_.factory().memory_per_stream);
}

inline std::unique_ptr<FileEncoder> TextFormat::new_file() const {
  return std::make_unique<detail::TextFileEncoder>(header_, compressors_);
}

}  // namespace s3dest
