// The format registry (format/format_registry.hpp): one table that names every format,
// its extension and content type, and makes its RowFormat.
#define BOOST_TEST_MODULE format_registry
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "s3dest/format/format_registry.hpp"
#include "gzip_helpers.hpp"

using namespace s3dest;

namespace {

Schema two_columns() {
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, false}, {"name", {TypeId::string}, true}};
  return schema;
}

// One file of `format` holding `rows`, without a cap.
std::string one_file(const RowFormat& format, const std::vector<Row>& rows) {
  StringSink file;
  const auto encoder = format.new_file();
  BOOST_REQUIRE(encoder->begin(file, UINT64_MAX).ok());
  for (const Row& row : rows) {
    std::string record;
    format.encode_record(row, record);
    const auto added = encoder->try_add(record);
    BOOST_REQUIRE(added.ok() && *added);
  }
  BOOST_REQUIRE(encoder->finish().ok());
  return file.take();
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_format_has_its_name_extension_and_content_type) {
  struct Expected {
    FileFormat format;
    const char* name;
    const char* extension;
    const char* content_type;
    // With Content-Encoding (config "content_encoding"), only for gzip files.
    const char* content_encoding;
    const char* encoded_content_type;
  };
  const Expected expected[] = {
      {FileFormat::csv, "csv", ".csv", "text/csv", "", "text/csv"},
      {FileFormat::csv_gzip, "csv+gzip", ".csv.gz", "application/gzip", "gzip", "text/csv"},
      {FileFormat::csv_zstd, "csv+zstd", ".csv.zst", "application/zstd", "zstd", "text/csv"},
      {FileFormat::json, "json", ".json", "application/x-ndjson", "", "application/x-ndjson"},
      {FileFormat::json_gzip, "json+gzip", ".json.gz", "application/gzip", "gzip", "application/x-ndjson"},
      {FileFormat::json_zstd, "json+zstd", ".json.zst", "application/zstd", "zstd", "application/x-ndjson"},
      {FileFormat::parquet, "parquet", ".parquet", "application/vnd.apache.parquet", "", "application/vnd.apache.parquet"},
      {FileFormat::avro, "avro", ".avro", "application/avro", "", "application/avro"},
  };
  BOOST_TEST(std::size(kFormatRegistry) == std::size(expected));
  for (const Expected& e : expected) {
    BOOST_TEST_CONTEXT(e.name) {
      const FormatEntry& entry = format_entry(e.format);
      BOOST_TEST(entry.name == e.name);
      BOOST_TEST(entry.extension == e.extension);
      BOOST_TEST(entry.content_type == e.content_type);
      BOOST_TEST(file_format_extension(e.format) == e.extension);
      BOOST_TEST(file_format_content_type(e.format) == e.content_type);
      BOOST_TEST(entry.content_encoding == e.content_encoding);
      BOOST_TEST(file_format_content_type(e.format, true) == e.encoded_content_type);
      const FormatEntry* named = find_format(e.name);
      BOOST_REQUIRE(named != nullptr);
      BOOST_TEST((named->value == e.format));
    }
  }
  BOOST_TEST(find_format("CSV") == nullptr);  // names are exact
  BOOST_TEST(find_format("xml") == nullptr);
}

BOOST_AUTO_TEST_CASE(each_made_format_ends_its_files_as_the_registry_says) {
  const Schema schema = two_columns();
  for (const FormatEntry& entry : kFormatRegistry) {
    if (!kZstdAvailable && entry.content_encoding == "zstd") continue;  // refused: config_test
    BOOST_TEST_CONTEXT(entry.name) {
      const auto format = make_row_format(entry.value, schema, FormatSettings{});
      BOOST_REQUIRE_MESSAGE(format.ok(), format.status().message());
      BOOST_TEST((*format)->extension() == entry.extension);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_files_are_what_their_names_say) {
  const Schema schema = two_columns();
  const std::vector<Row> rows = {{Value::of_int(1), Value::of_bytes("a;b")}, {Value::of_int(2), Value::null()}};
  FormatSettings settings;
  settings.separator = ';';

  const auto csv_gzip = make_row_format(FileFormat::csv_gzip, schema, settings);
  BOOST_REQUIRE(csv_gzip.ok());
  BOOST_TEST(test_helpers::gunzip(one_file(**csv_gzip, rows)) == "id;name\n1;\"a;b\"\n2;\n");

  const auto json = make_row_format(FileFormat::json, schema, settings);
  BOOST_REQUIRE(json.ok());
  BOOST_TEST(one_file(**json, rows) == "{\"id\":1,\"name\":\"a;b\"}\n{\"id\":2,\"name\":null}\n");

  const auto parquet = make_row_format(FileFormat::parquet, schema, settings);
  BOOST_REQUIRE(parquet.ok());
  const std::string parquet_file = one_file(**parquet, rows);
  BOOST_TEST(parquet_file.substr(0, 4) == "PAR1");
  BOOST_TEST(parquet_file.substr(parquet_file.size() - 4) == "PAR1");

  const auto avro = make_row_format(FileFormat::avro, schema, settings);
  BOOST_REQUIRE(avro.ok());
  BOOST_TEST(one_file(**avro, rows).substr(0, 4) == std::string("Obj\x01", 4));
}

BOOST_AUTO_TEST_CASE(zstd_text_files_get_workers_only_where_a_file_share_of_memory_holds_them) {
  if (!kZstdAvailable) return;  // refused without libzstd: config_test
  const Schema schema = two_columns();
  FormatSettings settings;
  settings.compression_threads = 2;
  const auto open_file_memory = [&] {
    const auto format = make_row_format(FileFormat::csv_zstd, schema, settings);
    BOOST_REQUIRE_MESSAGE(format.ok(), format.status().message());
    return (*format)->open_file_memory();
  };
  settings.one_file_bytes = 64 << 20;  // memory_limit_mb 512's share: two workers a file
  const uint64_t with_workers = open_file_memory();
  settings.one_file_bytes = 8 << 20;  // memory_limit_mb 64's: the loading thread's stream
  const uint64_t without = open_file_memory();
  BOOST_TEST(with_workers > without);
  BOOST_TEST(with_workers <= uint64_t{64} << 20);
  BOOST_TEST(without <= uint64_t{8} << 20);
  settings.compression_threads = 1;  // none but the loading thread, whatever the memory
  settings.one_file_bytes = UINT64_MAX;
  BOOST_TEST(open_file_memory() == without);
}

BOOST_AUTO_TEST_CASE(settings_reach_the_formats_they_tune) {
  const Schema schema = two_columns();
  FormatSettings settings;
  settings.parquet_compression = ParquetOptions::Compression::gzip;
  settings.gzip_level = 9;
  settings.binary_strings = true;
  settings.held_data_bytes = 4 << 20;  // row groups fit in what open files may hold
  const auto made = make_row_format(FileFormat::parquet, schema, settings);
  BOOST_REQUIRE(made.ok());
  const auto& parquet = dynamic_cast<const ParquetFormat&>(**made);
  BOOST_TEST((parquet.options().compression == ParquetOptions::Compression::gzip));
  BOOST_TEST(parquet.options().gzip_level == 9);
  BOOST_TEST(parquet.options().binary_strings);
  BOOST_TEST(parquet.options().row_group_bytes == uint64_t{4} << 20);

  settings.held_data_bytes = 1000;  // never below 1 MiB
  BOOST_TEST(dynamic_cast<const ParquetFormat&>(**make_row_format(FileFormat::parquet, schema, settings))
                 .options()
                 .row_group_bytes == uint64_t{1} << 20);
  settings.held_data_bytes = UINT64_MAX;  // nor above parquet's own 16 MB
  BOOST_TEST(dynamic_cast<const ParquetFormat&>(**make_row_format(FileFormat::parquet, schema, settings))
                 .options()
                 .row_group_bytes == uint64_t{16} << 20);

  settings.avro_codec = AvroOptions::Codec::null;
  const auto avro = make_row_format(FileFormat::avro, schema, settings);
  BOOST_REQUIRE(avro.ok());
  const std::string avro_file = one_file(**avro, {{Value::of_int(1), Value::of_bytes("x")}});
  BOOST_TEST(avro_file.find("avro.codec\x08null") != std::string::npos);
  BOOST_TEST(avro_file.find("\"bytes\"") != std::string::npos);  // binary_strings
}

BOOST_AUTO_TEST_CASE(a_format_that_refuses_the_schema_says_so) {
  Schema clash;
  clash.columns = {{"a b", {TypeId::int64}, false}, {"a-b", {TypeId::int64}, false}};
  const auto avro = make_row_format(FileFormat::avro, clash, FormatSettings{});
  BOOST_REQUIRE(!avro.ok());
  BOOST_TEST(avro.status().exit_code() == 2);
  BOOST_TEST(avro.status().message().find("would both be the avro field \"a_b\"") != std::string::npos);
}
