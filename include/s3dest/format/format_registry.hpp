// Every file format s3dest writes, in one table: the name the config's "file_format" and
// the manifest use, the extension object keys end with, the Content-Type the objects are
// stored with (and the one under Content-Encoding, for the gzip and zstd formats), and how the
// format's RowFormat is made from a schema and the settings.
// Names, extensions, content types, the config's check of "file_format" and the making
// of formats all come from this table, so a new format, or a text format with a new codec
// (a Compressor of its own, see format/compressor.hpp), is one enum value and one entry.
//
//   const FormatEntry& csv = format_entry(FileFormat::csv_gzip);   // csv.extension == ".csv.gz"
//   const FormatEntry* named = find_format("json+gzip");           // nullptr: no such format
//   auto format = make_row_format(FileFormat::parquet, schema, FormatSettings{});
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string_view>

#include "s3dest/core/status.hpp"
#include "s3dest/core/usable_cores.hpp"
#include "s3dest/format/avro_format.hpp"
#include "s3dest/format/compressor.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/format/parquet_format.hpp"
#include "s3dest/format/text_format.hpp"
#include "s3dest/format/zlib_compressor.hpp"
#include "s3dest/format/zstd_compressor.hpp"
#include "s3dest/table/schema.hpp"

namespace s3dest {

// In the order of kFormatRegistry, which is the order messages list them in.
enum class FileFormat { csv, csv_gzip, csv_zstd, json, json_gzip, json_zstd, parquet, avro };

// What a format may be tuned by: the config keys of the same names.
struct FormatSettings {
  char separator = ',';  // separator: csv
  int gzip_level = 6;    // gzip_level: the .gz text formats, parquet's gzip pages
  int zstd_level = 3;    // zstd_level: the .zst text formats, parquet's zstd pages, avro's zstandard blocks
  // Threads that compress .gz and .zst text files and encode parquet columns, shared by
  // the load's files (0: the formats' choice, see gzip_files, zstd_text_compression and
  // ParquetOptions::threads; 1: none but the loading thread).
  int compression_threads = 0;
  ParquetOptions::Compression parquet_compression = ParquetOptions::Compression::snappy;
  AvroOptions::Codec avro_codec = AvroOptions::Codec::deflate;
  bool binary_strings = false;  // use_binary_strings: parquet and avro
  // Memory the open files may hold for their data (parquet's row groups, which are made
  // to fit in it, down to 1 MiB).
  uint64_t held_data_bytes = UINT64_MAX;
  // The most one open file may hold for itself: zstd's workers only where they fit in it.
  uint64_t one_file_bytes = UINT64_MAX;
};

using MakeRowFormat = Result<std::unique_ptr<RowFormat>> (*)(const Schema& schema, const FormatSettings& settings);

struct FormatEntry {
  std::string_view name;          // "csv+gzip": config file_format, the manifest's "format"
  FileFormat value;
  std::string_view extension;     // ".csv.gz": what object keys end with
  // "application/gzip": the objects' Content-Type. A .gz file is stored as what it is, a
  // gzip file, without Content-Encoding: browsers and CDNs would otherwise unpack it by
  // surprise (a download named .csv.gz holding plain csv).
  std::string_view content_type;
  // "gzip", "zstd": how the bytes are compressed, in HTTP's name (RFC 9110, RFC 8878),
  // when a client may unpack them (config "content_encoding": "gzip"), and then the
  // Content-Type of what it unpacks ("text/csv"). Empty for the other formats.
  std::string_view content_encoding;
  std::string_view decoded_content_type;
  MakeRowFormat make;
};

namespace detail {

// The text formats: a kind and how (if at all) each file is compressed.
inline CompressorFactory uncompressed_text(const FormatSettings&) { return {}; }
inline CompressorFactory gzip_text(const FormatSettings& settings) {
  return gzip_files(settings.gzip_level, settings.compression_threads);
}

template <TextFormatOptions::Kind Kind, CompressorFactory (*Compression)(const FormatSettings&)>
Result<std::unique_ptr<RowFormat>> make_text_format(const Schema& schema, const FormatSettings& settings) {
  TextFormatOptions options;
  options.kind = Kind;
  options.separator = settings.separator;
  options.compression = Compression(settings);
  return std::unique_ptr<RowFormat>(std::make_unique<TextFormat>(schema, options));
}

// zstd text files: workers on every core (at most 8, where libzstd has threads) where a
// file's share of memory holds them (level 3 on two cores: 15 MB a file, against 3.7 MB on one thread), else one thread
// per file. With 1 MiB beside the codec, as config's check_zstd counts a file.
inline CompressorFactory zstd_text_compression(const FormatSettings& settings) {
#if S3DEST_HAVE_ZSTD
  const int threads = std::min(settings.compression_threads > 0 ? settings.compression_threads
                                                                  : std::min(usable_cores(), 8),
                               zstd_max_workers());
  ZstdOptions options{settings.zstd_level, 0};
  if (threads > 1 &&
      ZstdCompressor::stream_memory(ZstdOptions{settings.zstd_level, threads}) + (uint64_t{1} << 20) <=
          settings.one_file_bytes)
    options.workers = threads;
  return zstd_files(options);
#else
  (void)settings;
  return {};
#endif
}

// The text formats in zstd files: one frame per file. Each open file holds a zstd
// context (its window and tables: about 3.7 MB at level 3, 94 MB at 19; more with
// workers), which the factory's memory_per_stream tells the load's memory budget.
template <TextFormatOptions::Kind Kind>
Result<std::unique_ptr<RowFormat>> make_zstd_text_format(const Schema& schema, const FormatSettings& settings) {
  S3DEST_TRY(zstd_stream_memory(settings.zstd_level, Kind == TextFormatOptions::Kind::csv ? "\"csv+zstd\""
                                                                                        : "\"json+zstd\"")
                 .status());
  TextFormatOptions options;
  options.kind = Kind;
  options.separator = settings.separator;
  options.compression = zstd_text_compression(settings);
  return std::unique_ptr<RowFormat>(std::make_unique<TextFormat>(schema, options));
}

inline Result<std::unique_ptr<RowFormat>> make_parquet_format(const Schema& schema, const FormatSettings& settings) {
  ParquetOptions options;
  options.compression = settings.parquet_compression;
  options.gzip_level = settings.gzip_level;
  options.zstd_level = settings.zstd_level;
  options.binary_strings = settings.binary_strings;
  options.threads = settings.compression_threads;
  options.row_group_bytes = std::min(options.row_group_bytes, std::max<uint64_t>(settings.held_data_bytes, 1 << 20));
  S3DEST_ASSIGN_OR_RETURN(auto format, ParquetFormat::create(schema, options));
  return std::unique_ptr<RowFormat>(std::move(format));
}

inline Result<std::unique_ptr<RowFormat>> make_avro_format(const Schema& schema, const FormatSettings& settings) {
  AvroOptions options;
  options.codec = settings.avro_codec;
  options.zstd_level = settings.zstd_level;
  options.binary_strings = settings.binary_strings;
  S3DEST_ASSIGN_OR_RETURN(auto format, AvroFormat::create(schema, options));
  return std::unique_ptr<RowFormat>(std::move(format));
}

using TextKind = TextFormatOptions::Kind;

}  // namespace detail

inline constexpr FormatEntry kFormatRegistry[] = {
    {"csv", FileFormat::csv, ".csv", "text/csv", "", "",
     &detail::make_text_format<detail::TextKind::csv, detail::uncompressed_text>},
    {"csv+gzip", FileFormat::csv_gzip, ".csv.gz", "application/gzip", "gzip", "text/csv",
     &detail::make_text_format<detail::TextKind::csv, detail::gzip_text>},
    {"csv+zstd", FileFormat::csv_zstd, ".csv.zst", "application/zstd", "zstd", "text/csv",
     &detail::make_zstd_text_format<detail::TextKind::csv>},
    {"json", FileFormat::json, ".json", "application/x-ndjson", "", "",
     &detail::make_text_format<detail::TextKind::json, detail::uncompressed_text>},
    {"json+gzip", FileFormat::json_gzip, ".json.gz", "application/gzip", "gzip", "application/x-ndjson",
     &detail::make_text_format<detail::TextKind::json, detail::gzip_text>},
    {"json+zstd", FileFormat::json_zstd, ".json.zst", "application/zstd", "zstd", "application/x-ndjson",
     &detail::make_zstd_text_format<detail::TextKind::json>},
    {"parquet", FileFormat::parquet, ".parquet", "application/vnd.apache.parquet", "", "",
     &detail::make_parquet_format},
    {"avro", FileFormat::avro, ".avro", "application/avro", "", "", &detail::make_avro_format},
};

namespace detail {
constexpr bool registry_follows_the_enum() {
  for (size_t i = 0; i < std::size(kFormatRegistry); ++i)
    if (kFormatRegistry[i].value != static_cast<FileFormat>(i)) return false;
  return true;
}
static_assert(registry_follows_the_enum(), "kFormatRegistry lists every FileFormat once, in the enum's order");
}  // namespace detail

// Every FileFormat has its entry.
inline const FormatEntry& format_entry(FileFormat format) { return kFormatRegistry[static_cast<size_t>(format)]; }

// The entry named `name` exactly ("csv+gzip"); nullptr when there is none.
inline const FormatEntry* find_format(std::string_view name) {
  for (const FormatEntry& entry : kFormatRegistry)
    if (entry.name == name) return &entry;
  return nullptr;
}

inline std::string_view file_format_extension(FileFormat format) { return format_entry(format).extension; }
// The objects' Content-Type: with `content_encoded` (sent with the format's
// Content-Encoding), the type of the unpacked bytes.
inline std::string_view file_format_content_type(FileFormat format, bool content_encoded = false) {
  const FormatEntry& entry = format_entry(format);
  return content_encoded && !entry.decoded_content_type.empty() ? entry.decoded_content_type : entry.content_type;
}

// The format's RowFormat for rows of `schema` (which it refers to: it must outlive the
// format). Fails (usage) where the format refuses the schema or the settings.
inline Result<std::unique_ptr<RowFormat>> make_row_format(FileFormat format, const Schema& schema,
                                                          const FormatSettings& settings) {
  return format_entry(format).make(schema, settings);
}

}  // namespace s3dest
