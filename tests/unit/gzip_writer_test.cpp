#define BOOST_TEST_MODULE gzip_writer
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <string>

#include "s3dest/format/gzip_writer.hpp"
#include "gzip_helpers.hpp"

using namespace s3dest;

namespace {

using test_helpers::gunzip;


std::string sample_line(int i) {
  return "2026-01-" + std::to_string(10 + i % 20) + ",acc" + std::to_string(i % 7) + ",campaign " +
         std::to_string(i * 7919 % 1000) + "," + std::to_string(i * 31 % 977) + "\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trips_through_gunzip) {
  StringSink file;
  GzipWriter gzip(file, 6);
  std::string plain;
  for (int i = 0; i < 20000; ++i) {
    plain += sample_line(i);
    BOOST_REQUIRE(gzip.write(sample_line(i)).ok());
  }
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_CHECK_EQUAL(gzip.size(), plain.size());
  BOOST_CHECK_LT(file.size(), plain.size() / 3);  // it does compress
  BOOST_CHECK(gunzip(file.data()) == plain);
}

// Fill files up to a cap the way the chunk writer does: ask fits() before each write.
// The finished file must never pass the cap, and must come close to it.
BOOST_AUTO_TEST_CASE(fits_keeps_the_finished_file_within_the_cap) {
  for (const uint64_t cap : {200u, 4096u, 10000u, 65536u, 1000000u}) {
    for (const int level : {1, 6, 9}) {
      StringSink file;
      GzipWriter gzip(file, level);
      std::string plain;
      int i = 0;
      for (;; ++i) {
        const std::string line = sample_line(i);
        auto fits = gzip.fits(line.size(), cap);
        BOOST_REQUIRE(fits.ok());
        if (!*fits) break;
        BOOST_REQUIRE(gzip.write(line).ok());
        plain += line;
      }
      BOOST_REQUIRE(gzip.finish().ok());
      BOOST_TEST_CONTEXT("cap " << cap << ", level " << level) {
        BOOST_CHECK_LE(file.size(), cap);
        // Near the cap only once a row is small beside it (the bound keeps ~50 bytes spare).
        if (cap >= 4096) BOOST_CHECK_GE(file.size(), cap * 9 / 10);
        BOOST_CHECK(gunzip(file.data()) == plain);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_bytes_that_do_not_compress_still_respect_the_cap) {
  uint64_t x = 88172645463325252ull;
  StringSink file;
  GzipWriter gzip(file, 6);
  const uint64_t cap = 50000;
  for (;;) {
    std::string chunk(100, '\0');
    for (char& c : chunk) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      c = static_cast<char>(x);
    }
    auto fits = gzip.fits(chunk.size(), cap);
    BOOST_REQUIRE(fits.ok());
    if (!*fits) break;
    BOOST_REQUIRE(gzip.write(chunk).ok());
  }
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_CHECK_LE(file.size(), cap);
  BOOST_CHECK_GE(file.size(), cap * 9 / 10);
}

BOOST_AUTO_TEST_CASE(fits_compressed_judges_by_the_compressed_size) {
  const uint64_t cap = 31457;  // max_file_size_mb 0.03
  const std::string repeated(70025, 'r');  // far over the cap, a few hundred bytes compressed
  std::string random(70025, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : random) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  StringSink file;
  GzipWriter gzip(file, 6);
  BOOST_REQUIRE(gzip.write("id,text\n").ok());
  BOOST_TEST(!*gzip.fits(repeated.size(), cap));  // the worst case cannot tell
  BOOST_TEST(*gzip.fits_compressed(repeated, cap));
  BOOST_TEST(!*gzip.fits_compressed(random, cap));
  // The trial left the stream as it was: the row then goes in for real, within the cap.
  BOOST_REQUIRE(gzip.write(repeated).ok());
  BOOST_REQUIRE(gzip.finish().ok());
  BOOST_TEST(file.size() <= cap);
  BOOST_TEST(gunzip(file.data()) == "id,text\n" + repeated);
}
