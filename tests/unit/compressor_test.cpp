// The Compressor interface (format/compressor.hpp) through its zlib implementation, read
// back with zlib's inflate; and a codec of the test's own, to show what a new codec needs.
#define BOOST_TEST_MODULE compressor
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "s3dest/format/compressed_writer.hpp"
#include "s3dest/format/text_format.hpp"
#include "s3dest/format/zlib_compressor.hpp"
#include "gzip_helpers.hpp"
#include "test_bytes.hpp"

using namespace s3dest;

namespace {

using test_helpers::gunzip;
using test_helpers::inflate_raw;
using test_helpers::random_bytes;
using test_helpers::text_lines;

}  // namespace

BOOST_AUTO_TEST_CASE(a_gzip_stream_written_in_pieces_reads_back_whole) {
  StringSink file;
  ZlibCompressor gzip(ZlibFraming::gzip, 6);
  BOOST_REQUIRE(gzip.begin(file).ok());
  const std::string plain = text_lines(20000);
  for (size_t at = 0; at < plain.size(); at += 1000) BOOST_REQUIRE(gzip.write(plain.substr(at, 1000)).ok());
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_TEST(gzip.bytes_out() == file.size());
  BOOST_TEST(file.size() < plain.size() / 3);
  BOOST_TEST(gunzip(file.data()) == plain);
}

BOOST_AUTO_TEST_CASE(whole_streams_at_once_in_both_framings) {
  const std::string plain = text_lines(3000);
  ZlibCompressor gzip(ZlibFraming::gzip, 6);
  ZlibCompressor deflate(ZlibFraming::raw_deflate, 6);
  std::string out;
  BOOST_REQUIRE(gzip.compress(plain, out).ok());
  BOOST_TEST(gunzip(out) == plain);  // a parquet GZIP page
  BOOST_REQUIRE(deflate.compress(plain, out).ok());
  BOOST_TEST(inflate_raw(out) == plain);  // an avro deflate block
  // The same compressor serves stream after stream; an empty one is valid too.
  BOOST_REQUIRE(deflate.compress("", out).ok());
  BOOST_TEST(inflate_raw(out).empty());
  BOOST_REQUIRE(gzip.compress("second", out).ok());
  BOOST_TEST(gunzip(out) == "second");
}

BOOST_AUTO_TEST_CASE(a_compressor_begun_again_makes_a_new_stream) {
  ZlibCompressor gzip(ZlibFraming::gzip, 1);
  StringSink first, second;
  BOOST_REQUIRE(gzip.begin(first).ok());
  BOOST_REQUIRE(gzip.write("abandoned").ok());  // never finished: dropped by the next begin
  BOOST_REQUIRE(gzip.begin(second).ok());
  BOOST_REQUIRE(gzip.write("kept").ok());
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_TEST(gunzip(second.data()) == "kept");
  BOOST_TEST(!gzip.write("more").ok());  // a finished stream takes nothing more
}

// The contract the size cap rests on: from a flush point, n more bytes of anything and
// the end of the stream take at most max_compressed_size(n) + frame_bytes().
BOOST_AUTO_TEST_CASE(the_bound_holds_for_bytes_that_do_not_compress) {
  for (const ZlibFraming framing : {ZlibFraming::gzip, ZlibFraming::raw_deflate}) {
    for (const int level : {0, 1, 6, 9}) {
      for (const size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{65536}, size_t{300000}}) {
        BOOST_TEST_CONTEXT("framing " << static_cast<int>(framing) << ", level " << level << ", " << n << " bytes") {
          ZlibCompressor compressor(framing, level);
          std::string whole;
          BOOST_REQUIRE(compressor.compress(random_bytes(n), whole).ok());
          BOOST_TEST(whole.size() <= compressor.max_compressed_size(n) + compressor.frame_bytes());

          StringSink file;
          BOOST_REQUIRE(compressor.begin(file).ok());
          BOOST_REQUIRE(compressor.write(text_lines(500)).ok());
          BOOST_REQUIRE(compressor.flush().ok());
          const uint64_t flushed = compressor.bytes_out();
          BOOST_TEST(flushed == file.size());  // a flush makes the size exact
          BOOST_REQUIRE(compressor.write(random_bytes(n, n + 1)).ok());
          BOOST_REQUIRE(compressor.finish().ok());
          BOOST_TEST(file.size() <= flushed + compressor.max_compressed_size(n) + compressor.frame_bytes());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_trial_tells_the_exact_size_and_leaves_the_stream_alone) {
  const std::string head = text_lines(2000);
  const std::string row(70000, 'r');  // compresses to a few hundred bytes
  StringSink tried, plain;
  ZlibCompressor with_trial(ZlibFraming::gzip, 6), without(ZlibFraming::gzip, 6);
  for (auto [compressor, sink] : {std::pair{&with_trial, &tried}, std::pair{&without, &plain}}) {
    BOOST_REQUIRE(compressor->begin(*sink).ok());
    BOOST_REQUIRE(compressor->write(head).ok());
    BOOST_REQUIRE(compressor->flush().ok());
  }
  const auto trial = with_trial.size_if_flushed_with(row);
  BOOST_REQUIRE(trial.ok());
  BOOST_TEST(*trial < with_trial.bytes_out() + 1000);  // far below the bound of 70,000 bytes
  BOOST_REQUIRE(without.write(row).ok());
  BOOST_REQUIRE(without.flush().ok());
  BOOST_TEST(*trial == without.bytes_out());  // exact
  // Both streams go on the same way: the trial changed nothing.
  BOOST_REQUIRE(with_trial.write(row).ok());
  BOOST_REQUIRE(with_trial.flush().ok());
  BOOST_REQUIRE(with_trial.finish().ok());
  BOOST_REQUIRE(without.finish().ok());
  BOOST_TEST(tried.data() == plain.data());
}

BOOST_AUTO_TEST_CASE(a_level_zlib_refuses_is_an_error_not_a_crash) {
  ZlibCompressor compressor(ZlibFraming::gzip, 12);
  StringSink file;
  const Status begun = compressor.begin(file);
  BOOST_TEST(!begun.ok());
  BOOST_TEST(begun.message().find("level 12") != std::string::npos, begun.message());
  BOOST_TEST(!compressor.write("x").ok());
  std::string out;
  BOOST_TEST(!compressor.compress("x", out).ok());
}

namespace {

// A codec of its own in a few lines: "store" passes bytes through with a 4-byte trailer.
// This is all a new codec (zstd, say) implements to serve text files with a size cap.
class StoreCompressor final : public Compressor {
 public:
  Status begin(ByteSink& out) override {
    out_ = &out;
    written_ = 0;
    return {};
  }
  Status write(std::string_view bytes) override {
    written_ += bytes.size();
    return out_->write(bytes);
  }
  Status flush() override { return {}; }
  Status finish() override {
    written_ += 4;
    return out_->write("END\n");
  }
  uint64_t bytes_out() const override { return written_; }
  uint64_t max_compressed_size(uint64_t n) const override { return n; }
  uint64_t frame_bytes() const override { return 4; }
  Result<uint64_t> size_if_flushed_with(std::string_view bytes) override { return written_ + bytes.size(); }

 private:
  ByteSink* out_ = nullptr;
  uint64_t written_ = 0;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_codec_serves_text_files_and_their_size_cap) {
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, false}, {"text", {TypeId::string}, true}};
  TextFormatOptions options;
  options.compression = {".store", [] { return std::unique_ptr<Compressor>(new StoreCompressor()); }};
  const TextFormat format(schema, options);
  BOOST_TEST(format.extension() == ".csv.store");

  StringSink file;
  const auto encoder = format.new_file();
  const uint64_t cap = 1000;
  BOOST_REQUIRE(encoder->begin(file, cap).ok());
  std::string expected = "id,text\n";
  for (int i = 0;; ++i) {
    std::string record;
    format.encode_record({Value::of_int(i), Value::of_bytes("row")}, record);
    const auto added = encoder->try_add(record);
    BOOST_REQUIRE(added.ok());
    if (!*added) break;
    expected += record;
  }
  BOOST_REQUIRE(encoder->finish().ok());
  BOOST_TEST(file.data() == expected + "END\n");
  BOOST_TEST(file.size() <= cap);
  // The writer keeps 14 bytes for the end of a stream beyond the codec's frame: the file
  // ends within one row (at most 10 bytes here) and those 14 bytes of the cap.
  BOOST_TEST(file.size() + 10 + 14 >= cap);
}

BOOST_AUTO_TEST_CASE(a_compressed_writer_over_raw_deflate_fills_to_its_cap) {
  StringSink file;
  CompressedWriter writer(file, std::make_unique<ZlibCompressor>(ZlibFraming::raw_deflate, 6));
  const uint64_t cap = 20000;
  std::string plain;
  for (int i = 0;; ++i) {
    const std::string piece = random_bytes(100, static_cast<uint64_t>(i) + 7);
    const auto fits = writer.fits(piece.size(), cap);
    BOOST_REQUIRE(fits.ok());
    if (!*fits) break;
    BOOST_REQUIRE(writer.write(piece).ok());
    plain += piece;
  }
  BOOST_REQUIRE(writer.finish().ok());
  BOOST_TEST(file.size() <= cap);
  BOOST_TEST(file.size() >= cap * 9 / 10);
  BOOST_TEST(writer.size() == plain.size());
  BOOST_TEST(inflate_raw(file.data()) == plain);
}

BOOST_AUTO_TEST_CASE(a_text_format_begins_its_compressors_again_for_later_files) {
  // As a load writes one small partition after another: files that are done give their
  // compressor to the next file (a few are kept), and a file dropped mid-stream leaves
  // none of its bytes in the next one.
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, false}};
  int made = 0;
  TextFormatOptions options;
  options.compression = {".gz", [&made] {
                           ++made;
                           return std::unique_ptr<Compressor>(new ZlibCompressor(ZlibFraming::gzip, 6));
                         }};
  const TextFormat format(schema, options);
  const auto write_file = [&format](int rows, bool finish) {
    StringSink file;
    std::string expected = "id\n";
    {
      const auto encoder = format.new_file();
      BOOST_REQUIRE(encoder->begin(file, 1 << 20).ok());
      for (int i = 0; i < rows; ++i) {
        std::string record;
        format.encode_record({Value::of_int(i)}, record);
        BOOST_REQUIRE(*encoder->try_add(record));
        expected += record;
      }
      if (finish) BOOST_REQUIRE(encoder->end_input().ok() && encoder->finish().ok());
    }
    if (finish) BOOST_TEST(gunzip(file.data()) == expected);
  };
  for (int f = 0; f < 10; ++f) write_file(100 + f, f != 3);  // the fourth one dropped
  BOOST_TEST(made == 1);

  // Files open at once need a compressor each; four are kept for the files after them.
  const auto open_at_once = [&format](size_t count) {
    std::vector<std::unique_ptr<FileEncoder>> open;
    std::vector<StringSink> files(count);
    for (StringSink& file : files) {
      open.push_back(format.new_file());
      BOOST_REQUIRE(open.back()->begin(file, 1 << 20).ok());
    }
  };
  open_at_once(6);
  BOOST_TEST(made == 6);
  open_at_once(4);
  BOOST_TEST(made == 6);
  open_at_once(5);
  BOOST_TEST(made == 7);
}
