#define BOOST_TEST_MODULE parquet_format
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "parquet_reader.hpp"
#include "s3dest/format/parquet_format.hpp"

using namespace s3dest;
using parquet_test::ParquetFile;
using parquet_test::read_parquet;
using parquet_test::Thrift;

namespace {

int128_t nines(int digits) {
  int128_t v = 0;
  for (int i = 0; i < digits; ++i) v = v * 10 + 9;
  return v;
}

Column column(std::string name, std::string_view type, bool nullable = true) {
  auto parsed = ColumnType::parse(type);
  BOOST_REQUIRE(parsed.ok());
  return Column{std::move(name), *parsed, nullable};
}

std::unique_ptr<ParquetFormat> make_format(const Schema& schema, ParquetOptions options = {}) {
  auto format = ParquetFormat::create(schema, std::move(options));
  BOOST_REQUIRE_MESSAGE(format.ok(), format.status().message());
  return std::move(*format);
}

// Rows as the tests hold them: values whose strings live in `text`.
struct Table {
  Schema schema;
  std::vector<Row> rows;
  std::vector<std::string> text;  // owns the bytes the rows' strings point to
};

// Encodes `row` and adds it to `encoder`, which must take it (its file is far from full).
void add_row(const ParquetFormat& format, FileEncoder& encoder, const Row& row) {
  std::string record;
  format.encode_record(row, record);
  const auto added = encoder.try_add(record);
  BOOST_REQUIRE_MESSAGE(added.ok(), added.status().message());
  BOOST_REQUIRE(*added);
}

// Writes `rows` as parquet files of at most `cap` bytes, starting a new file whenever
// one is full, as ChunkWriter does. Returns the files.
std::vector<std::string> write_files(const ParquetFormat& format, const std::vector<Row>& rows,
                                     uint64_t cap = UINT64_MAX) {
  std::vector<std::string> files;
  std::unique_ptr<FileEncoder> encoder;
  StringSink sink;
  std::string record;
  for (const Row& row : rows) {
    record.clear();
    format.encode_record(row, record);
    for (int attempt = 0;; ++attempt) {
      BOOST_REQUIRE_LT(attempt, 2);
      if (!encoder) {
        encoder = format.new_file();
        BOOST_REQUIRE(encoder->begin(sink, cap).ok());
      }
      auto added = encoder->try_add(record);
      BOOST_REQUIRE_MESSAGE(added.ok(), added.status().message());
      if (*added) break;
      BOOST_REQUIRE(encoder->finish().ok());
      files.push_back(sink.take());
      encoder.reset();
    }
  }
  if (encoder) {
    BOOST_REQUIRE(encoder->finish().ok());
    files.push_back(sink.take());
  }
  return files;
}

// The PLAIN bytes each value should read back as.
std::vector<parquet_test::ColumnValues> expected_columns(const ParquetFormat& format, const std::vector<Row>& rows) {
  std::vector<parquet_test::ColumnValues> columns(format.columns().size());
  for (const Row& row : rows)
    for (size_t c = 0; c < columns.size(); ++c) {
      if (row[c].is_null) {
        columns[c].emplace_back(std::nullopt);
        continue;
      }
      std::string plain;
      parquet::append_plain_value(plain, format.columns()[c], row[c]);
      columns[c].emplace_back(plain);
    }
  return columns;
}

// Every type, nullable and not, with edge values and nulls.
Table every_type_table(size_t rows, uint32_t seed) {
  Table t;
  t.schema.columns = {column("s", "string"),          column("b", "binary"),           column("flag", "bool"),
                      column("i32", "int32"),         column("i64", "int64", false),   column("d", "double"),
                      column("day", "date"),          column("ts", "timestamp"),       column("d5", "decimal(5,2)"),
                      column("d15", "decimal(15,3)"), column("d38", "decimal(38,10)"), column("cat", "string", false)};
  std::mt19937 random(seed);
  t.text.reserve(rows * 3);
  const int128_t d38 = nines(38);
  for (size_t r = 0; r < rows; ++r) {
    Row row(t.schema.size());
    const auto pick = [&](uint32_t n) { return random() % n; };
    const bool nulls = pick(5) == 0;
    t.text.push_back(pick(7) == 0 ? "" : "ünï-" + std::to_string(pick(1000000)));
    row[0] = nulls ? Value::null() : Value::of_bytes(t.text.back());
    t.text.push_back(std::string(pick(20), static_cast<char>(pick(256))));
    row[1] = nulls ? Value::null() : Value::of_bytes(t.text.back());
    row[2] = nulls ? Value::null() : Value::of_bool(pick(2) == 0);
    const int64_t int32_value = r % 3 == 0 ? INT32_MIN + static_cast<int64_t>(pick(3)) : static_cast<int32_t>(random());
    row[3] = nulls ? Value::null() : Value::of_int(int32_value);
    row[4] = Value::of_int(r % 2 == 0 ? INT64_MAX - static_cast<int64_t>(r) : INT64_MIN + static_cast<int64_t>(r));
    const double doubles[] = {0.0, -0.0, 1.5, -2.25e300, 5e-324, std::nan("")};
    row[5] = nulls ? Value::null() : Value::of_double(doubles[pick(6)]);
    // Days before and after 1970.
    row[6] = nulls ? Value::null() : Value::of_int(static_cast<int64_t>(pick(200000)) - 100000);
    row[7] = nulls ? Value::null() : Value::of_int(static_cast<int64_t>(random()) * 1000003 - (int64_t{1} << 40));
    row[8] = nulls ? Value::null() : Value::of_decimal(pick(2) ? nines(5) : -nines(5));
    row[9] = nulls ? Value::null() : Value::of_decimal(static_cast<int128_t>(random()) * 1000 - 999999999);
    row[10] = nulls ? Value::null() : Value::of_decimal(pick(3) == 0 ? d38 : pick(2) ? -d38 : int128_t{pick(100)} - 50);
    t.text.push_back("category-" + std::to_string(pick(12)));
    row[11] = Value::of_bytes(t.text.back());
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::vector<parquet_test::ColumnValues> read_all(const std::vector<std::string>& files, size_t columns) {
  std::vector<parquet_test::ColumnValues> all(columns);
  for (const std::string& file : files) {
    const ParquetFile parsed = read_parquet(file);
    for (size_t c = 0; c < columns; ++c)
      all[c].insert(all[c].end(), parsed.columns[c].begin(), parsed.columns[c].end());
  }
  return all;
}

const Thrift& column_meta(const ParquetFile& file, size_t row_group, size_t column) {
  return file.footer.at(4).list.at(row_group).at(1).list.at(column).at(3);
}

std::vector<int64_t> encodings(const Thrift& meta) {
  std::vector<int64_t> list;
  for (const Thrift& e : meta.at(2).list) list.push_back(e.i);
  return list;
}

bool has(const std::vector<int64_t>& list, int64_t v) { return std::find(list.begin(), list.end(), v) != list.end(); }

template <typename T>
T load(const std::string& bytes) {
  BOOST_REQUIRE_EQUAL(bytes.size(), sizeof(T));
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(decimal_widths_are_the_fewest_bytes_for_the_precision) {
  // 10^p - 1 must fit in two's complement: 99 needs 1 byte, 999 two, 38 digits 16.
  const std::pair<int, int32_t> widths[] = {{1, 1}, {2, 1}, {3, 2}, {4, 2}, {9, 4},  {10, 5},
                                            {18, 8}, {19, 9}, {20, 9}, {28, 12}, {38, 16}};
  for (const auto& [precision, bytes] : widths) BOOST_TEST(parquet::decimal_byte_width(precision) == bytes);
}

BOOST_AUTO_TEST_CASE(plain_values_follow_the_specification) {
  const auto plain = [](std::string_view type, const Value& v) {
    std::string out;
    parquet::append_plain_value(out, parquet::column_layout(column("c", type), false), v);
    return out;
  };
  BOOST_TEST(plain("int32", Value::of_int(-2)) == std::string("\xfe\xff\xff\xff", 4));
  BOOST_TEST(plain("string", Value::of_bytes("ab")) == std::string("\x02\0\0\0ab", 6));
  BOOST_TEST(plain("decimal(9,2)", Value::of_decimal(-1)) == std::string("\xff\xff\xff\xff", 4));
  // FIXED_LEN_BYTE_ARRAY decimals are big-endian two's complement: 9 bytes for 20 digits.
  BOOST_TEST(plain("decimal(20,0)", Value::of_decimal(258)) == std::string("\0\0\0\0\0\0\0\x01\x02", 9));
  BOOST_TEST(plain("decimal(20,0)", Value::of_decimal(-1)) == std::string(9, '\xff'));
}

BOOST_AUTO_TEST_CASE(schema_carries_each_type_and_its_annotations) {
  const Table t = every_type_table(10, 1);
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  const std::vector<Thrift>& schema = file.footer.at(2).list;
  BOOST_REQUIRE_EQUAL(schema.size(), t.schema.size() + 1);
  BOOST_TEST(schema[0].at(5).i == static_cast<int64_t>(t.schema.size()));  // the root's children
  struct Expected {
    int64_t physical;
    int64_t converted;  // -1: none
    int logical;        // LogicalType union field, 0: none
  };
  const Expected expected[] = {{6, 0, 1},  {6, -1, 0}, {0, -1, 0}, {1, -1, 0}, {2, -1, 0}, {5, -1, 0},
                               {1, 6, 6},  {2, 10, 8}, {1, 5, 5},  {2, 5, 5},  {7, 5, 5},  {6, 0, 1}};
  for (size_t c = 0; c < t.schema.size(); ++c) {
    const Thrift& element = schema[c + 1];
    BOOST_TEST_CONTEXT("column " << t.schema.columns[c].name) {
      BOOST_TEST(element.at(4).bin == t.schema.columns[c].name);
      BOOST_TEST(element.at(1).i == expected[c].physical);
      BOOST_TEST(element.at(3).i == (t.schema.columns[c].nullable ? 1 : 0));
      BOOST_TEST(element.has(6) == (expected[c].converted >= 0));
      if (expected[c].converted >= 0) BOOST_TEST(element.at(6).i == expected[c].converted);
      BOOST_TEST(element.has(10) == (expected[c].logical != 0));
      if (expected[c].logical != 0) BOOST_TEST(element.at(10).has(expected[c].logical));
    }
  }
  // Timestamps are adjusted to UTC, in microseconds.
  const Thrift& timestamp = schema[8].at(10).at(8);
  BOOST_TEST(timestamp.at(1).i == 1);
  BOOST_TEST(timestamp.at(2).has(2));
  // decimal(38,10): 16 bytes, precision and scale in both annotations.
  BOOST_TEST(schema[11].at(2).i == 16);
  BOOST_TEST(schema[11].at(7).i == 10);
  BOOST_TEST(schema[11].at(8).i == 38);
  BOOST_TEST(schema[11].at(10).at(5).at(1).i == 10);
  BOOST_TEST(schema[11].at(10).at(5).at(2).i == 38);
  BOOST_TEST(file.footer.at(6).bin.rfind("s3dest version " S3DEST_VERSION_STRING " (build ", 0) == 0);
  BOOST_TEST(file.footer.at(7).list.size() == t.schema.size());  // a column order each
}

BOOST_AUTO_TEST_CASE(every_value_reads_back_with_each_codec) {
  const Table t = every_type_table(20000, 2);
  for (const auto compression : {ParquetOptions::Compression::snappy, ParquetOptions::Compression::gzip,
                                 ParquetOptions::Compression::none}) {
    ParquetOptions options;
    options.compression = compression;
    options.limits.page_bytes = 16 * 1024;  // many pages
    const auto format = make_format(t.schema, options);
    const auto files = write_files(*format, t.rows);
    BOOST_REQUIRE_EQUAL(files.size(), 1u);
    const ParquetFile file = read_parquet(files[0]);
    BOOST_TEST(file.footer.at(3).i == 20000);
    const auto expected = expected_columns(*format, t.rows);
    for (size_t c = 0; c < expected.size(); ++c)
      BOOST_TEST_CONTEXT("column " << t.schema.columns[c].name) { BOOST_TEST((file.columns[c] == expected[c])); }
    const int64_t codec = compression == ParquetOptions::Compression::snappy ? 1
                          : compression == ParquetOptions::Compression::gzip ? 2
                                                                              : 0;
    BOOST_TEST(column_meta(file, 0, 0).at(4).i == codec);
    BOOST_TEST(file.page_headers.size() > 2 * t.schema.size());
  }
}

BOOST_AUTO_TEST_CASE(repeating_values_are_dictionary_encoded_distinct_ones_plain) {
  const Table t = every_type_table(20000, 3);
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  // "cat" holds 12 values: a dictionary page, then RLE_DICTIONARY data pages.
  const Thrift& cat = column_meta(file, 0, 11);
  BOOST_TEST(cat.has(11));
  BOOST_TEST(has(encodings(cat), 8));
  // "i64" is distinct in every row: the dictionary does not pay, so PLAIN and no dictionary.
  const Thrift& i64 = column_meta(file, 0, 4);
  BOOST_TEST(!i64.has(11));
  BOOST_TEST(!has(encodings(i64), 8));
  BOOST_TEST(has(encodings(i64), 0));
  // Booleans are never dictionary-encoded.
  BOOST_TEST(!column_meta(file, 0, 2).has(11));
  // encoding_stats count the pages of each kind: one dictionary page, data pages.
  const std::vector<Thrift>& counts = cat.at(13).list;
  BOOST_REQUIRE_EQUAL(counts.size(), 2u);
  BOOST_TEST(counts[0].at(1).i == 0);  // DATA_PAGE (closed first; the dictionary page is written last)
  BOOST_TEST(counts[0].at(2).i == 8);  // RLE_DICTIONARY
  BOOST_TEST(counts[1].at(1).i == 2);  // DICTIONARY_PAGE
  BOOST_TEST(counts[1].at(3).i == 1);
  BOOST_TEST(cat.fields.size() == 11u);  // and nothing unknown: every field id is parquet.thrift's
}

BOOST_AUTO_TEST_CASE(values_drawn_from_a_few_thousand_keep_their_dictionary) {
  // Most of the first thousand values are new, as for ids (whose dictionary is dropped
  // early), but some repeat: the dictionary pays once the chunk has seen them all.
  Table t;
  t.schema.columns = {column("id", "int64")};
  std::mt19937 random(11);
  for (int i = 0; i < 30000; ++i) t.rows.push_back({Value::of_int(1000000 + static_cast<int64_t>(random() % 3000))});
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  const Thrift& meta = column_meta(file, 0, 0);
  BOOST_TEST(meta.has(11));  // a dictionary page
  for (const Thrift& count : meta.at(13).list)  // and every data page RLE_DICTIONARY, none PLAIN
    if (count.at(1).i == 0) BOOST_TEST(count.at(2).i == 8);
  BOOST_TEST((file.columns[0] == expected_columns(*format, t.rows)[0]));
}

BOOST_AUTO_TEST_CASE(a_dictionary_told_what_to_expect_starts_at_that_size) {
  parquet::Dictionary grown, sized;
  sized.expect(3000);
  // The table and the entries' offsets; the page grows with the entries' bytes.
  const auto table_bytes = [](const parquet::Dictionary& d) { return d.memory() - d.page().capacity(); };
  size_t sized_at_first = 0, grown_at_first = 0;
  for (uint64_t i = 0; i < 3000; ++i) {
    std::string plain(8, '\0');
    std::memcpy(plain.data(), &i, 8);
    bool added = false;
    BOOST_TEST(grown.find_or_add(plain, SIZE_MAX, added) == i);
    BOOST_TEST(sized.find_or_add(plain, SIZE_MAX, added) == i);
    BOOST_TEST(added);
    if (i == 0) {
      sized_at_first = table_bytes(sized);
      grown_at_first = table_bytes(grown);
    }
  }
  // Its table was as big at the first entry as at the last; the other grew to it.
  BOOST_TEST(table_bytes(sized) == sized_at_first);
  BOOST_TEST(grown_at_first < sized_at_first);
  BOOST_TEST(table_bytes(grown) >= sized_at_first);
  BOOST_TEST(grown.page() == sized.page());
}

// Two values whose slots are alike (the same first eight bytes, the same hash) are told
// apart by the rest. The pairs are found by trying random values of one head until two
// hashes meet (about 80,000 tries for 32 bits), so they stay such pairs whatever the
// hash is.
BOOST_AUTO_TEST_CASE(values_with_the_same_head_and_hash_are_told_apart) {
  std::mt19937_64 random(7);
  for (const size_t width : {size_t{16}, size_t{23}}) {  // PLAIN bytes
    BOOST_TEST_CONTEXT("width " << width) {
      std::unordered_map<uint32_t, std::string> by_hash;
      std::string first, second;
      for (int tries = 0; first.empty() && tries < (1 << 24); ++tries) {
        std::string plain(4, '\0');  // the length, then a name's start: the head
        const auto length = static_cast<uint32_t>(width - 4);
        std::memcpy(plain.data(), &length, 4);
        plain += "id-0";
        while (plain.size() < width) plain += static_cast<char>('a' + random() % 26);
        const uint32_t hash = parquet::detail::dictionary_hash(parquet::detail::dictionary_head(plain), plain);
        const auto [it, added] = by_hash.emplace(hash, plain);
        if (!added && it->second != plain) {
          first = it->second;
          second = plain;
        }
      }
      BOOST_REQUIRE_MESSAGE(!first.empty(), "no two values' hashes met in 2^24 tries");
      parquet::Dictionary dictionary;
      bool added = false;
      BOOST_TEST(dictionary.find_or_add(first, SIZE_MAX, added) == 0u);
      BOOST_TEST(dictionary.find_or_add(second, SIZE_MAX, added) == 1u);
      BOOST_TEST(added);
      BOOST_TEST(dictionary.find_or_add(first, SIZE_MAX, added) == 0u);
      BOOST_TEST(!added);
      BOOST_TEST(dictionary.find_or_add(second, SIZE_MAX, added) == 1u);
      BOOST_TEST(!added);
    }
  }
}

BOOST_AUTO_TEST_CASE(small_files_after_the_first_read_back_with_dictionaries_sized_by_it) {
  // A day of a year-long load: each file's dictionaries start at the size the last
  // file's ended with, kept (a few thousand values) or dropped (distinct ones).
  Table t;
  t.schema.columns = {column("clicks", "int64"), column("id", "int64"), column("campaign", "string")};
  std::mt19937 random(5);
  t.text.reserve(5 * 2700);
  for (int i = 0; i < 5 * 2700; ++i) {
    t.text.push_back("campaign-" + std::to_string(random() % 500));
    t.rows.push_back({Value::of_int(random() % 3000), Value::of_int(i), Value::of_bytes(t.text.back())});
  }
  const auto format = make_format(t.schema);
  for (size_t day = 0; day < 5; ++day) {
    const std::vector<Row> rows(t.rows.begin() + static_cast<ptrdiff_t>(day * 2700),
                                t.rows.begin() + static_cast<ptrdiff_t>((day + 1) * 2700));
    const ParquetFile file = read_parquet(write_files(*format, rows).at(0));
    BOOST_TEST(column_meta(file, 0, 2).has(11));   // campaign keeps its dictionary
    BOOST_TEST(!column_meta(file, 0, 1).has(11));  // the ids drop theirs
    BOOST_TEST((file.columns == expected_columns(*format, rows)));
  }
}

BOOST_AUTO_TEST_CASE(a_column_whose_values_start_repeating_gets_its_dictionary_back) {
  // Daily files of one column: distinct values for a while (each file drops its
  // dictionary, and later ones start PLAIN without hashing), then values drawn from ten.
  // Within kReprobeChunks files of the change, a file tries a dictionary again and keeps
  // it, and so do the files after it.
  Table t;
  t.schema.columns = {column("n", "int64")};
  const auto format = make_format(t.schema);
  const int distinct_days = 6;
  const int days = distinct_days + static_cast<int>(parquet::ColumnChunkWriter::kReprobeChunks) + 2;
  int first_with_dictionary = -1;
  for (int day = 0; day < days; ++day) {
    std::vector<Row> rows;
    for (int i = 0; i < 3000; ++i) rows.push_back({Value::of_int(day < distinct_days ? day * 3000 + i : i % 10)});
    const ParquetFile file = read_parquet(write_files(*format, rows).at(0));
    BOOST_TEST((file.columns == expected_columns(*format, rows)));
    const bool dictionary = column_meta(file, 0, 0).has(11);
    if (day < distinct_days) BOOST_TEST(!dictionary);
    else if (first_with_dictionary >= 0) BOOST_TEST(dictionary, "day " << day);
    else if (dictionary) first_with_dictionary = day;
  }
  BOOST_TEST(first_with_dictionary >= distinct_days);
  BOOST_TEST(first_with_dictionary <= distinct_days + static_cast<int>(parquet::ColumnChunkWriter::kReprobeChunks));
}

BOOST_AUTO_TEST_CASE(a_file_open_before_its_column_turned_plain_turns_with_it) {
  // Unsorted input opens hundreds of files at once, before any has learned anything: a
  // year of daily files, shuffled, hashed a thousand distinct values into each file's
  // dictionary only to drop it, 14% of the load. Here the first file is open and using
  // its dictionary when two others, of distinct values, drop theirs; from its next look
  // at the column's history it goes PLAIN too, as a file opened then would start.
  Table t;
  t.schema.columns = {column("n", "int64")};
  const auto format = make_format(t.schema);
  struct OpenFile {
    std::unique_ptr<FileEncoder> encoder;
    StringSink sink;
    std::vector<Row> rows;
  };
  std::array<OpenFile, 3> files;
  const auto add = [&](OpenFile& file, int64_t value) {
    file.rows.push_back({Value::of_int(value)});
    add_row(*format, *file.encoder, file.rows.back());
  };
  for (OpenFile& file : files) {
    file.encoder = format->new_file();
    BOOST_REQUIRE(file.encoder->begin(file.sink, UINT64_MAX).ok());
  }
  OpenFile& early = files[0];
  for (int i = 0; i < 300; ++i) add(early, i % 10);
  for (int f = 1; f <= 2; ++f)
    for (int i = 0; i < 2000; ++i) add(files[f], f * 10000 + i);
  for (int i = 300; i < 600; ++i) add(early, i % 10);
  for (OpenFile& file : files) {
    BOOST_REQUIRE(file.encoder->finish().ok());
    const ParquetFile written = read_parquet(file.sink.take());
    BOOST_TEST(!column_meta(written, 0, 0).has(11));  // no dictionary page
    BOOST_TEST((written.columns == expected_columns(*format, file.rows)));
  }
}

BOOST_AUTO_TEST_CASE(runs_of_one_value_read_back_as_written) {
  // Runs of strings that share their first bytes ("category-1", "category-2": the
  // dictionary compares their heads first), runs of numbers, and single values between
  // them each keep their own index.
  Table t;
  t.schema.columns = {column("s", "string"), column("n", "int64")};
  t.text.reserve(20000);  // rows view their strings
  for (int i = 0; i < 20000; ++i) {
    t.text.push_back("category-" + std::to_string(i % 50 == 0 ? 9 : i / 37 % 3));
    t.rows.push_back({Value::of_bytes(t.text.back()), Value::of_int(i % 60 == 0 ? 7 : i / 11 % 5)});
  }
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  BOOST_TEST(column_meta(file, 0, 0).has(11));  // dictionary-encoded
  BOOST_TEST((file.columns == expected_columns(*format, t.rows)));
}

BOOST_AUTO_TEST_CASE(a_full_dictionary_falls_back_to_plain_for_the_rest_of_the_chunk) {
  Table t;
  t.schema.columns = {column("s", "string")};
  // 50 values at first, so the dictionary pays; then 3000, more than it may hold.
  for (int i = 0; i < 30000; ++i) t.text.push_back("value-" + std::to_string(i % (i < 5000 ? 50 : 3000)));
  for (const auto& s : t.text) t.rows.push_back({Value::of_bytes(s)});
  ParquetOptions options;
  options.limits.dictionary_bytes = 8 * 1024;  // about 600 entries
  options.limits.page_bytes = 4 * 1024;
  const auto format = make_format(t.schema, options);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  const Thrift& meta = column_meta(file, 0, 0);
  BOOST_TEST(meta.has(11));
  BOOST_TEST(has(encodings(meta), 8));  // the pages before the dictionary filled up
  BOOST_TEST(has(encodings(meta), 0));  // and PLAIN after
  BOOST_TEST((file.columns[0] == expected_columns(*format, t.rows)[0]));
  const Thrift& dictionary_page = file.page_headers.at(0);
  BOOST_TEST(dictionary_page.at(1).i == 2);
  BOOST_TEST(dictionary_page.at(2).i <= 8 * 1024);
}

BOOST_AUTO_TEST_CASE(statistics_hold_each_chunks_min_max_and_nulls) {
  const Table t = every_type_table(5000, 4);
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  const Thrift& i64 = column_meta(file, 0, 4).at(12);
  int64_t min = INT64_MAX, max = INT64_MIN;
  for (const Row& row : t.rows) {
    min = std::min(min, row[4].integer);
    max = std::max(max, row[4].integer);
  }
  BOOST_TEST(load<int64_t>(i64.at(6).bin) == min);
  BOOST_TEST(load<int64_t>(i64.at(5).bin) == max);
  BOOST_TEST(load<int64_t>(i64.at(2).bin) == min);  // the deprecated fields agree for signed types
  BOOST_TEST(i64.at(3).i == 0);

  int64_t nulls = 0;
  for (const Row& row : t.rows) nulls += row[0].is_null;
  BOOST_TEST(column_meta(file, 0, 0).at(12).at(3).i == nulls);
  BOOST_TEST(nulls > 0);

  // Strings: unsigned byte order, no deprecated fields (their order was signed).
  const Thrift& s = column_meta(file, 0, 0).at(12);
  std::string smin, smax;
  bool first = true;
  for (const Row& row : t.rows) {
    if (row[0].is_null) continue;
    const std::string v(row[0].bytes);
    if (first || v < smin) smin = v;
    if (first || v > smax) smax = v;
    first = false;
  }
  BOOST_TEST(s.at(6).bin == smin);
  BOOST_TEST(s.at(5).bin == smax);
  BOOST_TEST(!s.has(1));

  // Doubles: NaN ignored, a zero min is -0.0 and a zero max +0.0.
  const Thrift& d = column_meta(file, 0, 5).at(12);
  BOOST_TEST(load<double>(d.at(6).bin) == -2.25e300);
  BOOST_TEST(load<double>(d.at(5).bin) == 1.5);

  // decimal(38,10) in 16 bytes: signed order over big-endian bytes.
  const Thrift& d38 = column_meta(file, 0, 10).at(12);
  std::string lowest, highest;
  parquet::append_plain_value(lowest, format->columns()[10], Value::of_decimal(-nines(38)));
  parquet::append_plain_value(highest, format->columns()[10], Value::of_decimal(nines(38)));
  BOOST_TEST(d38.at(6).bin == lowest);
  BOOST_TEST(d38.at(5).bin == highest);
}

// A string longer than 1 KiB leaves a chunk's bounds out only if it is still the least or
// the greatest value at the end: one that a shorter value passes later leaves them in,
// and long values that share their first kilobyte still compare by what follows it.
BOOST_AUTO_TEST_CASE(long_strings_leave_the_bounds_out_only_while_they_are_the_bounds) {
  const std::string long_m(2000, 'm'), shared(1500, 'q');
  const auto bounds_of = [](const std::vector<std::string>& values) {
    Table t;
    t.schema.columns = {column("s", "string")};
    t.text = values;
    for (const std::string& value : t.text) t.rows.push_back(Row{Value::of_bytes(value)});
    const auto format = make_format(t.schema);
    const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
    const Thrift& statistics = column_meta(file, 0, 0).at(12);
    BOOST_TEST(statistics.at(3).i == 0);  // the null count stays in any case
    return statistics.has(6) && statistics.has(5) ? statistics.at(6).bin + " .. " + statistics.at(5).bin
                                                  : std::string("none");
  };
  BOOST_TEST(bounds_of({long_m, "a", "z"}) == "a .. z");
  BOOST_TEST(bounds_of({"b", long_m}) == "none");
  BOOST_TEST(bounds_of({shared + "b", shared + "a", "c"}) == "none");
  BOOST_TEST(bounds_of({shared + "b", shared + "a", "a", "r"}) == "a .. r");
}

BOOST_AUTO_TEST_CASE(bounds_of_plain_numbers_cover_every_page) {
  // Distinct numbers: the dictionary does not pay, the pages are PLAIN (several a chunk),
  // and their bounds are taken a page at a time, NaN and nulls left out.
  Table t;
  t.schema.columns = {column("i64", "int64"), column("f64", "double"), column("i32", "int32")};
  std::mt19937_64 random(7);
  int64_t min64 = INT64_MAX, max64 = INT64_MIN;
  int32_t min32 = INT32_MAX, max32 = INT32_MIN;
  double min_double = INFINITY, max_double = -INFINITY;
  for (int r = 0; r < 100000; ++r) {
    const auto i = static_cast<int64_t>(random());
    const auto i32 = static_cast<int32_t>(i >> 32);
    const double d = r % 1000 == 0 ? NAN : static_cast<double>(i) / 7;
    const bool null = r % 97 == 0;
    t.rows.push_back({null ? Value::null() : Value::of_int(i), Value::of_double(d), Value::of_int(i32)});
    if (!null) {
      min64 = std::min(min64, i);
      max64 = std::max(max64, i);
    }
    min32 = std::min(min32, i32);
    max32 = std::max(max32, i32);
    if (!std::isnan(d)) {
      min_double = std::min(min_double, d);
      max_double = std::max(max_double, d);
    }
  }
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  for (int c = 0; c < 3; ++c) BOOST_TEST(!column_meta(file, 0, c).has(11));  // no dictionary page
  const Thrift& i64 = column_meta(file, 0, 0).at(12);
  BOOST_TEST(load<int64_t>(i64.at(6).bin) == min64);
  BOOST_TEST(load<int64_t>(i64.at(5).bin) == max64);
  BOOST_TEST(i64.at(3).i == 1031);  // nulls
  const Thrift& f64 = column_meta(file, 0, 1).at(12);
  BOOST_TEST(load<double>(f64.at(6).bin) == min_double);
  BOOST_TEST(load<double>(f64.at(5).bin) == max_double);
  const Thrift& i32 = column_meta(file, 0, 2).at(12);
  BOOST_TEST(load<int32_t>(i32.at(6).bin) == min32);
  BOOST_TEST(load<int32_t>(i32.at(5).bin) == max32);
}

BOOST_AUTO_TEST_CASE(zero_bounds_are_signed_zeros_and_all_null_chunks_have_no_bounds) {
  Table t;
  t.schema.columns = {column("d", "double"), column("n", "string")};
  t.rows = {{Value::of_double(0.0), Value::null()}, {Value::of_double(-0.0), Value::null()}};
  const auto format = make_format(t.schema);
  const ParquetFile file = read_parquet(write_files(*format, t.rows).at(0));
  const Thrift& d = column_meta(file, 0, 0).at(12);
  BOOST_TEST(std::signbit(load<double>(d.at(6).bin)));
  BOOST_TEST(!std::signbit(load<double>(d.at(5).bin)));
  const Thrift& n = column_meta(file, 0, 1).at(12);
  BOOST_TEST(n.at(3).i == 2);
  BOOST_TEST(!n.has(5));
  BOOST_TEST(!n.has(6));
}

BOOST_AUTO_TEST_CASE(row_groups_are_written_when_their_memory_fills) {
  const Table t = every_type_table(30000, 5);
  ParquetOptions options;
  options.row_group_bytes = 256 * 1024;
  const auto format = make_format(t.schema, options);
  const auto files = write_files(*format, t.rows);
  BOOST_REQUIRE_EQUAL(files.size(), 1u);
  const ParquetFile file = read_parquet(files[0]);
  const std::vector<Thrift>& groups = file.footer.at(4).list;
  BOOST_TEST(groups.size() > 3);
  int64_t rows = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    rows += groups[g].at(3).i;
    BOOST_TEST(groups[g].at(7).i == static_cast<int64_t>(g));  // ordinal
    // Full row groups: the room dictionaries keep from the group before is not data.
    if (g + 1 < groups.size()) BOOST_TEST(groups[g].at(3).i > 1000);
  }
  BOOST_TEST(rows == 30000);
  BOOST_TEST((file.columns == expected_columns(*format, t.rows)));
}

// PartitionedWriter frees the memory of the open file that holds most once their share
// of memory_limit_mb is spent; what a file keeps after that is counted as kept. A long
// value stayed behind in its released column's dictionary (a string assigned an empty
// one keeps its buffer), so hundreds of open files each kept one.
BOOST_AUTO_TEST_CASE(a_released_file_gives_back_its_long_values_and_reads_back_whole) {
  Table t;
  t.schema.columns = {column("n", "int64"), column("s", "string")};
  t.text = {std::string(200000, 'a'), std::string(200000, 'b')};
  for (int64_t i = 0; i < 4; ++i) t.rows.push_back(Row{Value::of_int(i), Value::of_bytes(t.text[i % 2])});
  const auto format = make_format(t.schema);
  auto encoder = format->new_file();
  StringSink sink;
  BOOST_REQUIRE(encoder->begin(sink, UINT64_MAX).ok());
  for (const Row& row : t.rows) {
    add_row(*format, *encoder, row);
    BOOST_TEST(encoder->memory_held() > 200000u);  // its value, at least
    BOOST_REQUIRE(encoder->release_memory().ok());
    BOOST_TEST(encoder->memory_held() < 1024u);
  }
  BOOST_REQUIRE(encoder->finish().ok());
  const ParquetFile file = read_parquet(sink.take());
  BOOST_TEST(file.footer.at(4).list.size() == 4u);  // a row group each release
  BOOST_TEST((file.columns == expected_columns(*format, t.rows)));
}

BOOST_AUTO_TEST_CASE(a_small_files_pages_go_out_in_a_few_writes) {
  // Each write into a local file is a system call: a row group's page headers and pages
  // (dozens, of a few KiB each here) are gathered into pieces of up to 64 KiB.
  struct CountingSink final : ByteSink {
    Status write(std::string_view bytes) override {
      sizes.push_back(bytes.size());
      data.append(bytes);
      return {};
    }
    uint64_t size() const override { return data.size(); }
    std::vector<size_t> sizes;
    std::string data;
  };
  const Table t = every_type_table(2000, 9);
  const auto format = make_format(t.schema);
  CountingSink sink;
  const auto encoder = format->new_file();
  BOOST_REQUIRE(encoder->begin(sink, UINT64_MAX).ok());
  for (const Row& row : t.rows) add_row(*format, *encoder, row);
  BOOST_REQUIRE(encoder->finish().ok());
  // "PAR1", the row group's pieces, the footer.
  const size_t pieces = (sink.data.size() - 4) / (64 * 1024) + 1;
  BOOST_TEST(sink.sizes.size() <= 2 + pieces + 1, sink.sizes.size() << " writes for " << sink.data.size() << " bytes");
  BOOST_TEST((read_parquet(sink.data).columns == expected_columns(*format, t.rows)));
}

BOOST_AUTO_TEST_CASE(files_keep_to_the_size_cap_and_fill_it) {
  const Table t = every_type_table(60000, 6);
  for (const auto compression : {ParquetOptions::Compression::snappy, ParquetOptions::Compression::gzip,
                                 ParquetOptions::Compression::none}) {
    for (const uint64_t cap : {uint64_t{40} * 1024, uint64_t{300} * 1024, uint64_t{1} << 20}) {
      ParquetOptions options;
      options.compression = compression;
      options.row_group_bytes = 512 * 1024;
      const auto format = make_format(t.schema, options);
      const auto files = write_files(*format, t.rows, cap);
      BOOST_TEST_CONTEXT("cap " << cap << ", codec " << static_cast<int>(compression)) {
        BOOST_TEST(files.size() > 1u);
        for (size_t i = 0; i < files.size(); ++i) {
          BOOST_TEST(files[i].size() <= cap);
          if (i + 1 < files.size()) BOOST_TEST(files[i].size() >= cap * 85 / 100);
        }
        BOOST_TEST((read_all(files, t.schema.size()) == expected_columns(*format, t.rows)));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(columns_encoded_on_several_threads_read_back_as_on_one_and_keep_to_the_cap) {
  const Table t = every_type_table(60000, 8);
  std::vector<ParquetOptions::Compression> compressions = {
      ParquetOptions::Compression::snappy, ParquetOptions::Compression::gzip, ParquetOptions::Compression::none};
  if (kZstdAvailable) compressions.push_back(ParquetOptions::Compression::zstd);
  for (const auto compression : compressions) {
    for (const uint64_t cap : {uint64_t{300} * 1024, uint64_t{2} << 20, UINT64_MAX}) {
      ParquetOptions options;
      options.compression = compression;
      options.row_group_bytes = 512 * 1024;
      options.threads = 1;
      const auto one = make_format(t.schema, options);
      options.threads = 3;
      const auto three = make_format(t.schema, options);
      BOOST_REQUIRE_EQUAL(three->threads(), 3);
      const auto on_one = write_files(*one, t.rows, cap);
      const auto on_three = write_files(*three, t.rows, cap);
      BOOST_TEST_CONTEXT("cap " << cap << ", codec " << static_cast<int>(compression)) {
        BOOST_TEST((read_all(on_three, t.schema.size()) == read_all(on_one, t.schema.size())));
        BOOST_TEST((read_all(on_three, t.schema.size()) == expected_columns(*three, t.rows)));
        uint64_t bytes_one = 0, bytes_three = 0;
        for (const std::string& file : on_one) bytes_one += file.size();
        for (size_t i = 0; i < on_three.size(); ++i) {
          bytes_three += on_three[i].size();
          BOOST_TEST(on_three[i].size() <= cap);
          if (i + 1 < on_three.size()) BOOST_TEST(on_three[i].size() >= cap * 85 / 100);
        }
        // The same values; only where row groups end may differ, and with them which
        // chunks see enough values to drop a dictionary that does not pay (threads
        // write smaller row groups: up to 2.3% larger files here).
        BOOST_TEST(bytes_three <= bytes_one * 103 / 100);
        BOOST_TEST(bytes_three >= bytes_one * 98 / 100);
        if (cap == UINT64_MAX) BOOST_TEST(read_parquet(on_three[0]).footer.at(4).list.size() > 3u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(long_records_between_batched_ones_keep_files_to_the_cap) {
  // Records of 256 KiB or more are added row by row, even beside a pool; the batches after
  // them must count them.
  for (const size_t every : {2500, 4100, 6700}) {
  Table t;
  t.schema.columns = {column("s", "string"), column("n", "int64", false)};
  std::mt19937 random(10);
  t.text.reserve(40000);
  for (size_t r = 0; r < 40000; ++r) {
    const size_t length = r % every == every / 2 ? 300 * 1024 : 20 + random() % 40;
    std::string text(length, ' ');
    for (char& c : text) c = static_cast<char>('a' + random() % 26);  // distinct values: no dictionary
    t.text.push_back(std::move(text));
    t.rows.push_back({Value::of_bytes(t.text.back()), Value::of_int(static_cast<int64_t>(random()))});
  }
  for (const auto compression : {ParquetOptions::Compression::none, ParquetOptions::Compression::snappy}) {
    for (const uint64_t cap : {uint64_t{1} << 20, uint64_t{3} << 19}) {
      ParquetOptions options;
      options.compression = compression;
      options.threads = 3;
      const auto format = make_format(t.schema, options);
      const auto files = write_files(*format, t.rows, cap);
      BOOST_TEST_CONTEXT("a long record every " << every << " rows, cap " << cap << ", codec "
                                                 << static_cast<int>(compression)) {
        BOOST_TEST(files.size() > 1u);
        for (const std::string& file : files) BOOST_TEST(file.size() <= cap);
        BOOST_TEST((read_all(files, t.schema.size()) == expected_columns(*format, t.rows)));
      }
    }
  }
  }
}

BOOST_AUTO_TEST_CASE(a_file_dropped_while_its_columns_are_encoded_on_other_threads_waits_for_them) {
  const Table t = every_type_table(20000, 9);
  ParquetOptions options;
  options.threads = 2;
  const auto format = make_format(t.schema, options);
  StringSink sink;
  auto encoder = format->new_file();
  BOOST_REQUIRE(encoder->begin(sink, UINT64_MAX).ok());
  for (const Row& row : t.rows) add_row(*format, *encoder, row);
  BOOST_TEST(encoder->memory_held() > 0u);
  encoder.reset();  // a load that stops: no finish, and the pool may be mid-batch
  BOOST_TEST(sink.take() == "PAR1");
}

BOOST_AUTO_TEST_CASE(a_cap_too_small_for_an_empty_file_is_refused_with_what_to_do) {
  const Table t = every_type_table(1, 7);
  const auto format = make_format(t.schema);
  StringSink sink;
  const auto encoder = format->new_file();
  const Status status = encoder->begin(sink, 100);
  BOOST_TEST(!status.ok());
  BOOST_TEST(status.message().find("raise it") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_schema_without_columns_is_refused) {
  BOOST_TEST(!ParquetFormat::create(Schema{}, {}).ok());
}
