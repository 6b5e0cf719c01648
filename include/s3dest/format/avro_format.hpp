// Avro object container files (Avro 1.11 specification, "Object Container Files") as a
// RowFormat. A record is the row's Avro binary encoding (the datum bytes, nothing else);
// a file is
//   header:  "Obj" 0x01, metadata map {avro.schema, avro.codec}, 16-byte sync marker
//   blocks:  row count (long), data size (long), data, sync marker
// where data is the block's records as they are (codec "null"), raw deflate ("deflate")
// or one zstd frame ("zstandard", the specification's name; with libzstd only),
// with blocks of about kBlockBytes of record bytes. The writer keeps the finished file
// within the cap by counting the pending block at its worst-case compressed size, and
// compresses it early to learn its real size when that bound says the cap is near.
//
// The schema is one record "s3dest.row" with a field per column, in column order:
//   string    string (bytes with binary_strings)   binary     bytes
//   bool      boolean                              int32      int
//   int64     long                                 double     double
//   date      int, logicalType date                timestamp  long, logicalType timestamp-micros
//   decimal(p,s)  bytes, logicalType decimal, precision p, scale s
// A nullable column is the union ["null", T] with default null; a non-nullable one is T.
//
// Field names: Avro allows only [A-Za-z_][A-Za-z0-9_]*. Other column names are
// sanitized, not refused (column names come from csv headers and JSON keys, where spaces
// and dashes are common): every other character becomes '_', and a leading digit (or an
// empty name) gets a '_' in front. The original name is kept in the field's "doc". Two
// columns that end up with the same field name are refused.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/format/avro/binary_encoding.hpp"
#include "s3dest/format/compressor.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/format/json_lines_encoder.hpp"
#include "s3dest/format/parallel_gzip_compressor.hpp"
#include "s3dest/format/zlib_compressor.hpp"
#include "s3dest/format/zstd_compressor.hpp"
#include "s3dest/table/row.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

struct AvroOptions {
  enum class Codec { null, deflate, zstandard } codec = Codec::deflate;  // config key avro_codec
  int deflate_level = 6;        // 0 (store) .. 9 (small), as zlib's
  int zstd_level = 3;           // libzstd's 1..19 (config key zstd_level), for zstandard
  bool binary_strings = false;  // config key use_binary_strings: string columns as bytes
  // Set: every file uses this sync marker, so equal input gives equal bytes (tests).
  // Unset: each file draws a random one, as the specification intends.
  std::optional<std::array<unsigned char, 16>> sync_marker;
};

// Build with create(); the format must outlive the FileEncoders it makes (they share its
// header bytes), as with TextFormat.
class AvroFormat final : public RowFormat {
 public:
  // Fails (usage error) when two columns map to the same Avro field name, the deflate
  // level is outside 0..9, the zstd level outside 1..19, or the codec is zstandard where
  // s3dest is built without libzstd.
  static Result<std::unique_ptr<AvroFormat>> create(const Schema& schema, AvroOptions options);

  std::string_view extension() const override { return ".avro"; }
  void encode_record(const Row& row, std::string& out) const override;
  std::unique_ptr<FileEncoder> new_file() const override;
  // The default, and the codec's state (zstd's context: MiBs, by level).
  uint64_t open_file_memory() const override { return (uint64_t{1} << 20) + codec_memory_; }
  bool encodes_on_calling_thread() const override { return options_.codec != AvroOptions::Codec::null; }

  // The writer's schema as stored in each file's avro.schema.
  const std::string& schema_json() const { return schema_json_; }

 private:
  AvroFormat(const Schema& schema, AvroOptions options) : schema_(schema), options_(options) {}

  Schema schema_;
  AvroOptions options_;
  std::string schema_json_;
  std::string header_;  // magic and metadata: everything before the sync marker
  uint64_t codec_memory_ = 0;
};

// The Avro field name for a column name (see the top of this file).
std::string avro_field_name(std::string_view column_name);

namespace detail {

// The codec's name in avro.codec, as the specification spells it.
inline const char* avro_codec_name(AvroOptions::Codec codec) {
  switch (codec) {
    case AvroOptions::Codec::null: return "null";
    case AvroOptions::Codec::deflate: return "deflate";
    case AvroOptions::Codec::zstandard: return "zstandard";
  }
  return "null";
}

// The schema's JSON text for one column's type, without the null union.
inline std::string avro_type_json(const ColumnType& type, bool binary_strings) {
  switch (type.id) {
    case TypeId::string: return binary_strings ? "\"bytes\"" : "\"string\"";
    case TypeId::binary: return "\"bytes\"";
    case TypeId::boolean: return "\"boolean\"";
    case TypeId::int32: return "\"int\"";
    case TypeId::int64: return "\"long\"";
    case TypeId::float64: return "\"double\"";
    case TypeId::date: return R"({"type":"int","logicalType":"date"})";
    case TypeId::timestamp: return R"({"type":"long","logicalType":"timestamp-micros"})";
    case TypeId::decimal:
      return R"({"type":"bytes","logicalType":"decimal","precision":)" + std::to_string(type.precision) +
             ",\"scale\":" + std::to_string(type.scale) + "}";
  }
  return "\"null\"";
}

// One value in its column's type. A null in a non-nullable column cannot reach here (the
// readers refuse it); if one did, the type's zero keeps the file readable.
inline void append_avro_value(std::string& out, const ColumnType& type, const Value& v) {
  switch (type.id) {
    case TypeId::string:
    case TypeId::binary: avro::append_bytes(out, v.bytes); break;
    case TypeId::boolean: avro::append_boolean(out, v.boolean); break;
    case TypeId::int32:
    case TypeId::int64:
    case TypeId::date:
    case TypeId::timestamp: avro::append_long(out, v.integer); break;
    case TypeId::float64: avro::append_double(out, v.real); break;
    case TypeId::decimal: avro::append_decimal(out, v.decimal); break;
  }
}

class AvroFileEncoder final : public FileEncoder {
 public:
  AvroFileEncoder(const std::string& header, const AvroOptions& options,
                  const std::array<unsigned char, 16>& sync)
      : header_(header), options_(options), sync_(reinterpret_cast<const char*>(sync.data()), sync.size()) {
    if (options.codec == AvroOptions::Codec::deflate)
      compressor_ = deflate_compressor(options.deflate_level, ZlibFraming::raw_deflate);
#if S3DEST_HAVE_ZSTD
    if (options.codec == AvroOptions::Codec::zstandard)
      compressor_ = std::make_unique<ZstdCompressor>(ZstdOptions{options.zstd_level, 0});
#endif
  }

  Status begin(ByteSink& out, uint64_t cap) override {
    out_ = &out;
    cap_ = cap;
    const uint64_t header_size = header_.size() + sync_.size();
    if (header_size > cap)
      return usage_error("max_file_size_mb is too small to hold even the avro file header (" +
                         std::to_string(header_size) + " bytes): raise it");
    std::string head = header_;
    head += sync_;
    S3DEST_TRY(out.write(head));
    written_ = head.size();
    return {};
  }

  Result<bool> try_add(std::string_view record) override {
    if (!fits(rows_ + 1, pending_.size() + record.size())) {
      if (rows_ == 0) return false;
      // The bound is pessimistic: compress the block to learn what it really takes.
      S3DEST_TRY(write_block());
      if (!fits(1, record.size())) return false;
    }
    pending_.append(record);
    ++rows_;
    if (pending_.size() >= kBlockBytes) S3DEST_TRY(write_block());
    return true;
  }

  Status finish() override { return write_block(); }

  // Record bytes per block before compression; readers hold a block in memory at once.
  static constexpr size_t kBlockBytes = 256 * 1024;

 private:
  // Would the file still fit the cap once a block of `rows` records, `bytes` in all, is
  // written and the file finished (nothing follows the last block)?
  bool fits(uint64_t rows, uint64_t bytes) const {
    const uint64_t data = compressor_ ? compressor_->max_compressed_size(bytes) + compressor_->frame_bytes() : bytes;
    const uint64_t block = avro::long_size(static_cast<int64_t>(rows)) +
                           avro::long_size(static_cast<int64_t>(data)) + data + sync_.size();
    return written_ + block <= cap_;
  }

  Status write_block() {
    if (rows_ == 0) return {};
    std::string block;
    avro::append_long(block, static_cast<int64_t>(rows_));
    if (compressor_) {
      // Each block is one whole stream of its own.
      S3DEST_TRY(compressor_->compress(pending_, compressed_));
      avro::append_bytes(block, compressed_);
    } else {
      avro::append_bytes(block, pending_);
    }
    block += sync_;
    S3DEST_TRY(out_->write(block));
    written_ += block.size();
    pending_.clear();
    rows_ = 0;
    return {};
  }

  const std::string& header_;
  AvroOptions options_;
  std::string sync_;
  ByteSink* out_ = nullptr;
  uint64_t cap_ = 0;
  uint64_t written_ = 0;  // bytes given to out_: header and finished blocks
  uint64_t rows_ = 0;     // records in pending_
  std::string pending_;
  std::string compressed_;
  std::unique_ptr<Compressor> compressor_;  // none for the null codec
};

inline std::array<unsigned char, 16> random_sync_marker() {
  std::random_device device;
  std::array<unsigned char, 16> sync{};
  for (size_t i = 0; i < sync.size(); i += 4) {
    const uint32_t r = device();
    for (size_t j = 0; j < 4; ++j) sync[i + j] = static_cast<unsigned char>(r >> (8 * j));
  }
  return sync;
}

}  // namespace detail

inline std::string avro_field_name(std::string_view column_name) {
  std::string name;
  if (column_name.empty() || (column_name[0] >= '0' && column_name[0] <= '9')) name.push_back('_');
  for (const char c : column_name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    name.push_back(ok ? c : '_');
  }
  return name;
}

inline Result<std::unique_ptr<AvroFormat>> AvroFormat::create(const Schema& schema, AvroOptions options) {
  if (options.deflate_level < 0 || options.deflate_level > 9)
    return usage_error("avro deflate level " + std::to_string(options.deflate_level) + " is not in 0..9");
  uint64_t codec_memory = 0;
  if (options.codec == AvroOptions::Codec::zstandard) {
    S3DEST_ASSIGN_OR_RETURN(codec_memory, zstd_stream_memory(options.zstd_level, "avro_codec \"zstandard\""));
  }
  std::unique_ptr<AvroFormat> format(new AvroFormat(schema, options));
  format->codec_memory_ = codec_memory;
  std::string& json = format->schema_json_;
  json = R"({"type":"record","name":"row","namespace":"s3dest","fields":[)";
  std::vector<std::string> names;
  for (const Column& column : schema.columns) {
    const std::string name = avro_field_name(column.name);
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name)
        return usage_error("columns \"" + schema.columns[i].name + "\" and \"" + column.name +
                           "\" would both be the avro field \"" + name +
                           "\" (avro names hold only letters, digits and _): rename one of them");
    if (!names.empty()) json += ',';
    names.push_back(name);
    json += "{\"name\":\"" + name + "\",";
    if (name != column.name) {
      json += "\"doc\":";
      append_json_string(json, column.name);
      json += ',';
    }
    const std::string type = detail::avro_type_json(column.type, options.binary_strings);
    json += column.nullable ? "\"type\":[\"null\"," + type + "],\"default\":null}" : "\"type\":" + type + "}";
  }
  json += "]}";

  std::string& header = format->header_;
  header.assign("Obj\x01", 4);
  avro::append_long(header, 2);  // one block of two map entries, then the empty block
  avro::append_bytes(header, "avro.schema");
  avro::append_bytes(header, json);
  avro::append_bytes(header, "avro.codec");
  avro::append_bytes(header, detail::avro_codec_name(options.codec));
  avro::append_long(header, 0);
  return format;
}

inline void AvroFormat::encode_record(const Row& row, std::string& out) const {
  for (size_t i = 0; i < schema_.columns.size(); ++i) {
    const Column& column = schema_.columns[i];
    const Value& value = row[i];
    if (column.nullable) {
      // Union branch: 0 is "null", 1 the column's type.
      out.push_back(value.is_null ? '\x00' : '\x02');
      if (value.is_null) continue;
    }
    detail::append_avro_value(out, column.type, value);
  }
}

inline std::unique_ptr<FileEncoder> AvroFormat::new_file() const {
  return std::make_unique<detail::AvroFileEncoder>(
      header_, options_, options_.sync_marker ? *options_.sync_marker : detail::random_sync_marker());
}

}  // namespace s3dest
