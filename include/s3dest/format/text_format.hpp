// csv, csv+gzip, json and json+gzip as RowFormats: records are the rows' final text, and
// a file is an optional header followed by records, optionally through gzip.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/format/gzip_writer.hpp"
#include "s3dest/format/json_lines_encoder.hpp"

namespace s3dest {

struct TextFormatOptions {
  enum class Kind { csv, json } kind = Kind::csv;
  char separator = ',';          // csv only
  std::optional<int> gzip_level;  // set: gzip the file at this level
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

 private:
  TextFormatOptions options_;
  CsvEncoder csv_;
  JsonLinesEncoder json_;
  std::string header_;
  std::string extension_;
};

namespace detail {

// Batches records so the sink (or zlib) sees large writes rather than one per row.
class TextFileEncoder final : public FileEncoder {
 public:
  TextFileEncoder(const std::string& header, std::optional<int> gzip_level)
      : header_(header), gzip_level_(gzip_level) {}

  Status begin(ByteSink& out, uint64_t cap) override {
    out_ = &out;
    cap_ = cap;
    if (gzip_level_) gzip_ = std::make_unique<GzipWriter>(out, *gzip_level_);
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

  Status finish() override {
    S3DEST_TRY(drain());
    return gzip_ ? gzip_->finish() : Status();
  }

 private:
  static constexpr size_t kBatchBytes = 256 * 1024;

  // Would the finished file fit the cap with `record` after what is pending?
  Result<bool> fits(std::string_view record) {
    if (!gzip_) return out_->size() + pending_.size() + record.size() <= cap_;
    S3DEST_ASSIGN_OR_RETURN(bool fits_now, gzip_->fits(pending_.size() + record.size(), cap_));
    if (fits_now) return true;
    // zlib can only tell the exact size of what it has been given: hand it the batch.
    S3DEST_TRY(drain());
    S3DEST_ASSIGN_OR_RETURN(fits_now, gzip_->fits(record.size(), cap_));
    if (fits_now) return true;
    // The worst case says no; the cap is on compressed bytes, so compress it to know.
    return gzip_->fits_compressed(record, cap_);
  }

  Status drain() {
    if (pending_.empty()) return {};
    S3DEST_TRY(gzip_ ? gzip_->write(pending_) : out_->write(pending_));
    pending_.clear();
    return {};
  }

  const std::string& header_;
  std::optional<int> gzip_level_;
  ByteSink* out_ = nullptr;
  uint64_t cap_ = 0;
  std::unique_ptr<GzipWriter> gzip_;
  std::string pending_;
};

}  // namespace detail

inline TextFormat::TextFormat(const Schema& schema, TextFormatOptions options)
    : options_(options), csv_(schema, options.separator), json_(schema) {
  const bool csv = options.kind == TextFormatOptions::Kind::csv;
  if (csv) csv_.append_header(header_);
  extension_ = csv ? ".csv" : ".json";
  if (options.gzip_level) extension_ += ".gz";
}

inline std::unique_ptr<FileEncoder> TextFormat::new_file() const {
  return std::make_unique<detail::TextFileEncoder>(header_, options_.gzip_level);
}

}  // namespace s3dest
