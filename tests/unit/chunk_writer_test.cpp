#define BOOST_TEST_MODULE chunk_writer
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <map>
#include <string>

#include "s3dest/format/text_format.hpp"
#include "s3dest/layout/chunk_writer.hpp"
#include "gzip_helpers.hpp"
#include "memory_sink.hpp"

using namespace s3dest;

namespace {

using test_helpers::gunzip;
using test_helpers::MemorySink;

NewObject named(std::string key) {
  NewObject object;
  object.key = std::move(key);
  return object;
}

Schema two_columns() {
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, true}, {"text", {TypeId::string}, true}};
  return schema;
}

// Writes `rows` rows through a ChunkWriter; returns the objects written.
std::deque<WrittenObject> write_rows(MemorySink& sink, const TextFormat& format, uint64_t cap, int rows) {
  Committer committer(0);
  ChunkWriter writer(sink, format, cap, [](uint32_t chunk) -> Result<NewObject> { return named("part-" + std::to_string(10000 + chunk)); },
                     committer);
  std::string record;
  const std::string text = "some words that repeat, as real data does";
  for (int i = 0; i < rows; ++i) {
    record.clear();
    format.encode_record({Value::of_int(i), Value::of_bytes(text)}, record);
    BOOST_REQUIRE(writer.add(record).ok());
  }
  BOOST_REQUIRE(writer.finish().ok());
  BOOST_REQUIRE(committer.wait().ok());
  return committer.take_written();
}

}  // namespace

BOOST_AUTO_TEST_CASE(data_that_fits_compressed_stays_in_one_gzip_object) {
  // ~60 KB of JSON that compresses far below the 52 KB cap: one object, not two.
  const Schema schema = two_columns();
  TextFormatOptions options;
  options.kind = TextFormatOptions::Kind::json;
  options.gzip_level = 6;
  const TextFormat format(schema, options);
  MemorySink sink;
  const auto written = write_rows(sink, format, 52428, 1000);
  BOOST_CHECK_EQUAL(written.size(), 1u);
  BOOST_CHECK_EQUAL(written[0].rows, 1000u);
}

BOOST_AUTO_TEST_CASE(chunks_respect_the_cap_fill_it_and_lose_nothing) {
  const Schema schema = two_columns();
  for (const bool gzip : {false, true}) {
    TextFormatOptions options;
    options.kind = TextFormatOptions::Kind::csv;
    if (gzip) options.gzip_level = 6;
    const TextFormat format(schema, options);
    MemorySink sink;
    const uint64_t cap = 20000;
    const auto written = write_rows(sink, format, cap, 20000);
    BOOST_TEST_CONTEXT((gzip ? "csv+gzip" : "csv")) {
      BOOST_REQUIRE_GT(written.size(), 2u);
      uint64_t rows = 0;
      int next_id = 0;
      for (size_t i = 0; i < written.size(); ++i) {
        const std::string& bytes = sink.objects.at(written[i].info.key);
        BOOST_CHECK_EQUAL(written[i].chunk_id, i + 1);
        BOOST_CHECK_LE(bytes.size(), cap);
        if (i + 1 < written.size()) BOOST_CHECK_GE(bytes.size(), cap * 9 / 10);
        const std::string text = gzip ? gunzip(bytes) : bytes;
        BOOST_REQUIRE_EQUAL(text.substr(0, 8), "id,text\n");  // every chunk has the header
        // Rows continue exactly where the previous chunk stopped.
        size_t pos = 8;
        while (pos < text.size()) {
          const size_t comma = text.find(',', pos);
          BOOST_REQUIRE_EQUAL(std::stoi(text.substr(pos, comma - pos)), next_id);
          ++next_id;
          pos = text.find('\n', pos) + 1;
        }
        rows += written[i].rows;
      }
      BOOST_CHECK_EQUAL(rows, 20000u);
      BOOST_CHECK_EQUAL(next_id, 20000);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_row_bigger_than_the_cap_is_a_clear_error) {
  const Schema schema = two_columns();
  const TextFormat format(schema, TextFormatOptions{});
  MemorySink sink;
  Committer committer(0);
  ChunkWriter writer(sink, format, 100, [](uint32_t) -> Result<NewObject> { return named("k"); }, committer);
  std::string record;
  format.encode_record({Value::of_int(1), Value::of_bytes(std::string(200, 'x'))}, record);
  const Status status = writer.add(record);
  BOOST_REQUIRE(!status.ok());
  BOOST_CHECK_EQUAL(status.exit_code(), 2);
  BOOST_CHECK(status.message().find("raise max_file_size_mb") != std::string::npos);
}
