// gzip on several threads (format/parallel_gzip_compressor.hpp): whatever the size, one
// gzip member that zlib's inflate reads back whole, with the right CRC-32 and length,
// and the size guarantees the hard size cap rests on.
#define BOOST_TEST_MODULE parallel_gzip
#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <cstdint>
#include <future>
#include <memory>
#include <string>

#include "s3dest/format/compressed_writer.hpp"
#include "s3dest/format/parallel_gzip_compressor.hpp"
#include "gzip_helpers.hpp"
#include "test_bytes.hpp"

using namespace s3dest;

namespace {

using test_helpers::gunzip;
using test_helpers::random_bytes;
using test_helpers::text_bytes;

constexpr size_t kBlock = ParallelGzipCompressor::kBlockBytes;

// Three threads, as on a machine with more cores than the test's two.
std::unique_ptr<Compressor> parallel_gzip(int level = 6, int threads = 3) { return gzip_files(level, threads).make(); }

std::string compressed(Compressor& gzip, const std::string& plain, size_t piece = 10000) {
  StringSink file;
  BOOST_REQUIRE(gzip.begin(file).ok());
  for (size_t at = 0; at < plain.size(); at += piece) BOOST_REQUIRE(gzip.write(plain.substr(at, piece)).ok());
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_TEST(gzip.bytes_out() == file.size());
  return file.take();
}

uint32_t little_endian_32(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_back_whole_at_every_size_around_the_block_boundaries) {
  const auto gzip = parallel_gzip();
  for (const size_t n : {size_t{0}, size_t{1}, kBlock - 1, kBlock, kBlock + 1, 2 * kBlock, 3 * kBlock + 5,
                         7 * kBlock - 1}) {
    BOOST_TEST_CONTEXT(n << " bytes") {
      const std::string plain = text_bytes(n);
      const std::string file = compressed(*gzip, plain);
      // gunzip checks the CRC-32 and length, and that the member ends exactly at the end.
      BOOST_TEST(gunzip(file) == plain);
      BOOST_TEST(little_endian_32(file, file.size() - 8) ==
                 crc32(0, reinterpret_cast<const Bytef*>(plain.data()), static_cast<uInt>(plain.size())));
      BOOST_TEST(little_endian_32(file, file.size() - 4) == n);
    }
  }
}

BOOST_AUTO_TEST_CASE(ten_megabytes_of_text_and_random_bytes_in_one_member) {
  const std::string plain = text_bytes(5'000'000) + random_bytes(5'000'000) + text_bytes(300);
  const std::string file = compressed(*parallel_gzip(), plain, 65536 + 17);
  BOOST_TEST(gunzip(file) == plain);
  // One member, not a file of many: the header's magic appears once, at the start.
  BOOST_TEST(file.substr(0, 3) == "\x1f\x8b\x08");
}

BOOST_AUTO_TEST_CASE(compresses_about_as_well_as_one_stream_not_cut_in_blocks) {
  // The dictionary carries each block's history across the cut.
  const std::string plain = text_bytes(3'000'000);
  for (const int level : {1, 6, 9}) {
    BOOST_TEST_CONTEXT("level " << level) {
      const std::string parallel = compressed(*parallel_gzip(level), plain);
      std::string whole;
      DeflateEncoder().encode(level, plain, 0, DeflateEncoder::End::final_block, whole);
      BOOST_TEST(parallel.size() <= (whole.size() + 18) * 101 / 100);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_flush_makes_bytes_out_exact_and_the_stream_goes_on) {
  const auto gzip = parallel_gzip();
  StringSink file;
  BOOST_REQUIRE(gzip->begin(file).ok());
  std::string plain;
  for (const size_t n : {size_t{100}, kBlock + 3, size_t{0}, 5 * kBlock}) {
    const std::string piece = text_bytes(n);
    BOOST_REQUIRE(gzip->write(piece).ok());
    plain += piece;
    BOOST_REQUIRE(gzip->flush().ok());
    BOOST_TEST(gzip->bytes_out() == file.size());
  }
  BOOST_REQUIRE(gzip->finish().ok());
  BOOST_TEST(gzip->bytes_out() == file.size());
  BOOST_TEST(gunzip(file.data()) == plain);
}

// The contract the size cap rests on (format/compressor.hpp): from a flush point, n more
// bytes of anything and the end take at most max_compressed_size(n) + frame_bytes().
BOOST_AUTO_TEST_CASE(the_bound_holds_for_bytes_that_do_not_compress) {
  for (const int level : {1, 6, 9}) {
    for (const size_t n : {size_t{0}, size_t{1}, size_t{100}, kBlock, kBlock + 1, 5 * kBlock + 300}) {
      BOOST_TEST_CONTEXT("level " << level << ", " << n << " bytes") {
        const auto gzip = parallel_gzip(level);
        StringSink file;
        BOOST_REQUIRE(gzip->begin(file).ok());
        BOOST_TEST(file.size() + gzip->max_compressed_size(n) + gzip->frame_bytes() >= 10 + n + 8);
        BOOST_REQUIRE(gzip->write(text_bytes(5000)).ok());
        BOOST_REQUIRE(gzip->flush().ok());
        const uint64_t flushed = gzip->bytes_out();
        const std::string tail = random_bytes(n, n + 1);
        for (size_t at = 0; at < n; at += 7777) BOOST_REQUIRE(gzip->write(tail.substr(at, 7777)).ok());
        BOOST_REQUIRE(gzip->finish().ok());
        BOOST_TEST(file.size() <= flushed + gzip->max_compressed_size(n) + gzip->frame_bytes());
        BOOST_TEST(gunzip(file.data()) == text_bytes(5000) + tail);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_trial_tells_the_exact_size_and_leaves_the_stream_alone) {
  const std::string head = text_bytes(300000);
  const std::string row(3 * kBlock + 100, 'r');  // compresses to a few hundred bytes
  StringSink tried, plain;
  const auto with_trial = parallel_gzip(), without = parallel_gzip();
  for (auto [compressor, sink] : {std::pair{with_trial.get(), &tried}, std::pair{without.get(), &plain}}) {
    BOOST_REQUIRE(compressor->begin(*sink).ok());
    BOOST_REQUIRE(compressor->write(head).ok());
    BOOST_REQUIRE(compressor->flush().ok());  // as CompressedWriter does before a trial
  }
  const auto trial = with_trial->size_if_flushed_with(row);
  BOOST_REQUIRE(trial.ok());
  BOOST_TEST(*trial < with_trial->bytes_out() + 2000);  // far below the bound
  BOOST_REQUIRE(without->write(row).ok());
  BOOST_REQUIRE(without->flush().ok());
  BOOST_TEST(*trial == without->bytes_out());  // exact
  BOOST_REQUIRE(with_trial->write(row).ok());
  BOOST_REQUIRE(with_trial->flush().ok());
  BOOST_REQUIRE(with_trial->finish().ok());
  BOOST_REQUIRE(without->finish().ok());
  BOOST_TEST(tried.data() == plain.data());  // the trial changed nothing
}

BOOST_AUTO_TEST_CASE(fills_files_to_a_hard_cap_through_a_compressed_writer) {
  for (const uint64_t cap : {uint64_t{20000}, uint64_t{300000}}) {
    StringSink file;
    CompressedWriter writer(file, parallel_gzip());
    std::string plain;
    for (int i = 0;; ++i) {
      const std::string piece = i % 2 ? random_bytes(100, static_cast<uint64_t>(i) + 3) : text_bytes(300);
      const auto fits = writer.fits(piece.size(), cap);
      BOOST_REQUIRE(fits.ok());
      if (!*fits) break;
      BOOST_REQUIRE(writer.write(piece).ok());
      plain += piece;
    }
    BOOST_REQUIRE(writer.finish().ok());
    BOOST_TEST(file.size() <= cap);
    BOOST_TEST(file.size() >= cap * 9 / 10);
    BOOST_TEST(gunzip(file.data()) == plain);
  }
}

BOOST_AUTO_TEST_CASE(many_files_share_the_threads_and_each_is_whole) {
  const CompressorFactory gzip = gzip_files(6, 2);
  std::vector<std::unique_ptr<Compressor>> compressors;
  std::vector<StringSink> files(20);
  std::vector<std::string> plain(files.size());
  for (auto& file : files) {
    compressors.push_back(gzip.make());
    BOOST_REQUIRE(compressors.back()->begin(file).ok());
  }
  for (int round = 0; round < 10; ++round)  // interleaved, as partitions are
    for (size_t f = 0; f < files.size(); ++f) {
      const std::string piece = text_bytes(20000 + 9000 * f) + std::to_string(f);
      BOOST_REQUIRE(compressors[f]->write(piece).ok());
      plain[f] += piece;
    }
  for (size_t f = 0; f < files.size(); ++f) {
    BOOST_REQUIRE(compressors[f]->finish().ok());
    BOOST_TEST(gunzip(files[f].data()) == plain[f]);
  }
}

BOOST_AUTO_TEST_CASE(a_stream_dropped_mid_way_or_begun_again_leaves_nothing_behind) {
  const auto gzip = parallel_gzip();
  StringSink first, second;
  BOOST_REQUIRE(gzip->begin(first).ok());
  BOOST_REQUIRE(gzip->write(text_bytes(4 * kBlock)).ok());  // blocks still in flight
  BOOST_REQUIRE(gzip->begin(second).ok());
  BOOST_REQUIRE(gzip->write("kept").ok());
  BOOST_REQUIRE(gzip->finish().ok());
  BOOST_TEST(gunzip(second.data()) == "kept");
  BOOST_TEST(!gzip->write("more").ok());  // a finished stream takes nothing more
  // Destroyed with blocks in flight: it waits for them rather than leave threads writing.
  auto dropped = parallel_gzip();
  StringSink third;
  BOOST_REQUIRE(dropped->begin(third).ok());
  BOOST_REQUIRE(dropped->write(random_bytes(6 * kBlock)).ok());
  dropped.reset();
}

BOOST_AUTO_TEST_CASE(one_thread_makes_the_same_file_and_level_0_stores) {
  const std::string plain = text_bytes(500000) + random_bytes(3 * kBlock);
  const std::string one_thread = compressed(*gzip_files(6, 1).make(), plain);
  BOOST_TEST(one_thread == compressed(*parallel_gzip(6, 3), plain));
  BOOST_TEST(gunzip(one_thread) == plain);
  const auto stored = gzip_files(0, 4).make();
  BOOST_TEST(dynamic_cast<ZlibCompressor*>(stored.get()) != nullptr);
  const std::string file = compressed(*stored, plain);
  BOOST_TEST(file.size() > plain.size());
  BOOST_TEST(gunzip(file) == plain);
}

BOOST_AUTO_TEST_CASE(a_level_outside_1_to_9_is_an_error_not_a_crash) {
  const auto gzip = parallel_gzip(12);
  StringSink file;
  const Status begun = gzip->begin(file);
  BOOST_TEST(!begun.ok());
  BOOST_TEST(begun.message().find("level 12") != std::string::npos, begun.message());
  BOOST_TEST(!gzip->write("x").ok());
}

BOOST_AUTO_TEST_CASE(the_last_bytes_given_at_the_end_of_input_make_the_same_file) {
  // end_input(last) then finish() is write(last) then finish(), byte for byte, at sizes
  // where the last block is partial, full, and empty.
  for (const size_t n : {size_t{0}, size_t{100}, kBlock - 1, kBlock, 3 * kBlock + 5}) {
    BOOST_TEST_CONTEXT(n << " bytes") {
      const std::string plain = text_bytes(n);
      const size_t head = plain.size() / 3;
      StringSink ended;
      const auto gzip = parallel_gzip();
      BOOST_REQUIRE(gzip->begin(ended).ok());
      BOOST_REQUIRE(gzip->write(plain.substr(0, head)).ok());
      BOOST_REQUIRE(gzip->end_input(plain.substr(head)).ok());
      BOOST_TEST(!gzip->write("more").ok());  // the input has ended
      BOOST_REQUIRE(gzip->finish().ok());
      BOOST_TEST(gzip->bytes_out() == ended.size());
      BOOST_TEST(ended.data() == compressed(*parallel_gzip(), plain));
      BOOST_TEST(gunzip(ended.data()) == plain);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_end_of_input_does_not_wait_for_the_last_block) {
  // The pool's only thread is held by another task: end_input must return (its last
  // block queued), where finish() would wait. Then the block runs and finish() ends it.
  const auto pool = std::make_shared<TaskPool>(1, 4);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  pool->submit([released] { released.wait(); });
  ParallelGzipCompressor gzip(6, pool, 4);
  StringSink file;
  BOOST_REQUIRE(gzip.begin(file).ok());
  const std::string plain = text_bytes(kBlock / 2);
  BOOST_REQUIRE(gzip.end_input(plain).ok());
  BOOST_TEST(file.size() == 10u);  // the header alone: the block is still waiting
  release.set_value();
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_TEST(gunzip(file.data()) == plain);
}

BOOST_AUTO_TEST_CASE(a_whole_stream_at_once_for_pages_and_blocks) {
  // What parquet's gzip pages and avro's deflate blocks take: one call, one gzip member
  // or one raw deflate stream; level 0 stores through zlib.
  const std::string plain = text_bytes(300000) + random_bytes(5000);
  for (const int level : {0, 1, 6, 9}) {
    BOOST_TEST_CONTEXT("level " << level) {
      std::string page, block;
      BOOST_REQUIRE(deflate_compressor(level, ZlibFraming::gzip)->compress(plain, page).ok());
      BOOST_REQUIRE(deflate_compressor(level, ZlibFraming::raw_deflate)->compress(plain, block).ok());
      BOOST_TEST(gunzip(page) == plain);
      BOOST_TEST(test_helpers::inflate_raw(block) == plain);
      BOOST_TEST(page.size() == block.size() + 18);  // the same deflate, framed or not
      if (level > 0) BOOST_TEST(page.size() < plain.size() / 2);
    }
  }
  std::string out;
  BOOST_TEST(!deflate_compressor(12, ZlibFraming::gzip)->compress(plain, out).ok());
}
