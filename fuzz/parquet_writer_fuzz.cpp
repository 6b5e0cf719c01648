// Random schemas, rows, size caps, codecs and page/dictionary/row-group limits through
// the parquet writer: every file stays within its cap, and reading the files back (with
// the tests' reader, written from the specification) gives every value that went in.
// This is where the size-cap bounds and the dictionary fallbacks meet odd data.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../tests/unit/parquet_reader.hpp"
#include "s3dest/format/parquet_format.hpp"

using namespace s3dest;

namespace {

// Takes bytes off the front of the fuzz input; zeros once it runs out.
struct Bytes {
  const uint8_t* p;
  size_t n;
  uint64_t take(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      v = v << 8 | (n > 0 ? *p : 0);
      if (n > 0) ++p, --n;
    }
    return v;
  }
};

ColumnType type_of(uint64_t pick) {
  static const char* const kTypes[] = {"string", "binary", "bool", "int32", "int64", "double", "date",
                                       "timestamp", "decimal(4,1)", "decimal(16,2)", "decimal(30,5)"};
  return *ColumnType::parse(kTypes[pick % (sizeof kTypes / sizeof kTypes[0])]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in{data, size};
  Schema schema;
  const int columns = 1 + static_cast<int>(in.take(1) % 6);
  for (int c = 0; c < columns; ++c) {
    const uint64_t pick = in.take(1);
    schema.columns.push_back(Column{"c" + std::to_string(c), type_of(pick), (pick & 0x80) == 0});
  }
  ParquetOptions options;
  // Every codec this build has: zstd only with libzstd.
  constexpr ParquetOptions::Compression kCodecs[] = {ParquetOptions::Compression::snappy, ParquetOptions::Compression::gzip,
                                                     ParquetOptions::Compression::none, ParquetOptions::Compression::zstd};
  options.compression = kCodecs[in.take(1) % (kZstdAvailable ? 4 : 3)];
  options.limits.page_bytes = 64 + in.take(2) % 4096;
  options.limits.dictionary_bytes = 16 + in.take(2) % 8192;
  options.row_group_bytes = 256 + in.take(2) * 4;
  const uint64_t cap = 600 + in.take(2) * 8;
  auto format = ParquetFormat::create(schema, options);
  if (!format.ok()) std::abort();

  // Rows: values drawn from a small pool now and then, so dictionaries get repeats.
  std::vector<std::string> text;
  std::vector<Row> rows;
  const size_t row_count = in.take(2) % 3000;
  text.reserve(row_count * schema.size());
  for (size_t r = 0; r < row_count; ++r) {
    Row row(schema.size());
    for (size_t c = 0; c < schema.size(); ++c) {
      const uint64_t pick = in.take(1);
      if (schema.columns[c].nullable && pick % 7 == 0) continue;
      const uint64_t raw = (pick & 1) ? in.take(8) : pick % 5;
      switch (schema.columns[c].type.id) {
        case TypeId::string:
        case TypeId::binary:
          text.push_back(std::string(raw % 40, static_cast<char>('a' + raw % 26)));
          row[c] = Value::of_bytes(text.back());
          break;
        case TypeId::boolean: row[c] = Value::of_bool(raw & 1); break;
        case TypeId::int32:
        case TypeId::date: row[c] = Value::of_int(static_cast<int32_t>(raw)); break;
        case TypeId::int64:
        case TypeId::timestamp: row[c] = Value::of_int(static_cast<int64_t>(raw)); break;
        case TypeId::float64: {
          double d;
          std::memcpy(&d, &raw, 8);
          row[c] = Value::of_double(d);
          break;
        }
        case TypeId::decimal: {
          int128_t limit = 1;
          for (int i = 0; i < schema.columns[c].type.precision; ++i) limit *= 10;
          row[c] = Value::of_decimal(static_cast<int128_t>(static_cast<int64_t>(raw)) % limit);
          break;
        }
      }
    }
    rows.push_back(std::move(row));
  }

  // Write as ChunkWriter does: a new file whenever one is full.
  std::vector<std::string> files;
  std::vector<std::vector<std::string>> expected(schema.size());
  std::unique_ptr<FileEncoder> encoder;
  StringSink sink;
  std::string record;
  uint64_t rows_in_file = 0;
  for (const Row& row : rows) {
    record.clear();
    (*format)->encode_record(row, record);
    for (int attempt = 0;; ++attempt) {
      if (!encoder) {
        encoder = (*format)->new_file();
        if (!encoder->begin(sink, cap).ok()) return 0;  // cap below an empty file: refused, fine
        rows_in_file = 0;
      }
      auto added = encoder->try_add(record);
      if (!added.ok()) std::abort();
      if (*added) break;
      if (rows_in_file == 0) return 0;  // one row bigger than the cap: the caller refuses it
      if (!encoder->finish().ok()) std::abort();
      files.push_back(sink.take());
      encoder.reset();
      if (attempt > 0) std::abort();
    }
    ++rows_in_file;
  }
  if (encoder) {
    if (!encoder->finish().ok()) std::abort();
    files.push_back(sink.take());
  }

  std::vector<parquet_test::ColumnValues> read(schema.size());
  for (const std::string& file : files) {
    if (file.size() > cap) std::abort();
    const parquet_test::ParquetFile parsed = parquet_test::read_parquet(file);
    for (size_t c = 0; c < schema.size(); ++c)
      read[c].insert(read[c].end(), parsed.columns[c].begin(), parsed.columns[c].end());
  }
  for (size_t c = 0; c < schema.size(); ++c) {
    if (read[c].size() != rows.size()) std::abort();
    for (size_t r = 0; r < rows.size(); ++r) {
      std::optional<std::string> want;
      if (!rows[r][c].is_null) {
        want.emplace();
        parquet::append_plain_value(*want, (*format)->columns()[c], rows[r][c]);
      }
      if (read[c][r] != want) std::abort();
    }
  }
  return 0;
}
