// s3dest's own deflate (format/deflate_encoder.hpp): whatever the bytes, level and
// dictionary, zlib's inflate gives them back; on export-like text it is as small as
// zlib's deflate at the same level; and a block ended with a sync flush can be followed.
#define BOOST_TEST_MODULE deflate_encoder
#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <cstdint>
#include <string>

#include "s3dest/format/deflate_encoder.hpp"
#include "gzip_helpers.hpp"
#include "test_bytes.hpp"

using namespace s3dest;
using test_helpers::inflate_raw;
using test_helpers::random_bytes;
using test_helpers::text_bytes;

namespace {

std::string deflated(int level, const std::string& bytes, size_t dictionary = 0,
                     DeflateEncoder::End end = DeflateEncoder::End::final_block) {
  DeflateEncoder encoder;
  std::string out;
  encoder.encode(level, bytes, dictionary, end, out);
  BOOST_TEST(out.size() <= DeflateEncoder::max_encoded_size(bytes.size() - dictionary));
  return out;
}

// zlib's raw deflate of `bytes` at `level`, for comparison.
std::string zlib_deflated(int level, const std::string& bytes) {
  z_stream s{};
  BOOST_REQUIRE_EQUAL(deflateInit2(&s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&s, static_cast<uLong>(bytes.size())), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  s.avail_in = static_cast<uInt>(bytes.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE_EQUAL(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// Rows like an export's: dates, ids, names from a few hundred, counts, prices, ratios
// and timestamps, drawn from a fixed sequence.
std::string export_rows(size_t rows) {
  std::string out = "date,account,campaign,impressions,clicks,cost,ctr,updated_at\n";
  uint64_t seed = 42;
  const auto next = [&seed] {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    return seed;
  };
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t impressions = next() % 100000, clicks = next() % 5000;
    out += "2026-01-" + std::to_string(10 + i / 5000 % 20) + ",acc" + std::to_string(next() % 5) + ",campaign-" +
           std::to_string(next() % 500) + "," + std::to_string(impressions) + "," + std::to_string(clicks) + "," +
           std::to_string(next() % 30000) + "." + std::to_string(next() % 100) + ",0." +
           std::to_string(next() % 1000000000000ull) + ",2026-01-01T" + std::to_string(10 + next() % 14) + ":" +
           std::to_string(10 + next() % 50) + ":" + std::to_string(10 + next() % 50) + "Z\n";
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(inflates_back_at_every_level_and_size) {
  const std::string text = export_rows(3000);
  for (int level = 1; level <= 9; ++level) {
    for (const size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{300}, size_t{70000},
                           text.size()}) {
      BOOST_TEST_CONTEXT("level " << level << ", " << n << " bytes") {
        const std::string bytes = text.substr(0, n);
        BOOST_TEST(inflate_raw(deflated(level, bytes)) == bytes);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_bytes_are_stored_within_the_bound) {
  for (const size_t n : {size_t{1}, size_t{65535}, size_t{65536}, size_t{200000}}) {
    const std::string bytes = random_bytes(n);
    const std::string out = deflated(6, bytes);
    BOOST_TEST(out.size() <= n + n / 1000 + 16);  // stored blocks: 5 bytes each 64 KiB
    BOOST_TEST(inflate_raw(out) == bytes);
  }
}

BOOST_AUTO_TEST_CASE(the_longest_matches_and_the_farthest_distances) {
  // Runs (distance 1, length 258 over and over), and repeats 32767 bytes back: the
  // window's far end, where a hash slot is reused.
  const std::string noise = random_bytes(32767, 7);
  for (const std::string& bytes :
       {std::string(100000, 'a'), noise + noise + noise, std::string(1000, 'x') + noise + std::string(1000, 'x')}) {
    for (const int level : {1, 4, 6, 9}) {
      const std::string out = deflated(level, bytes);
      BOOST_TEST(inflate_raw(out) == bytes);
      BOOST_TEST(out.size() < bytes.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(matches_reach_into_the_dictionary) {
  // The block repeats the dictionary's last 32 KiB: it costs a few hundred bytes, not 32 KiB.
  const std::string history = random_bytes(40000, 3);
  const std::string block = history.substr(history.size() - 32000);
  const std::string out = deflated(6, history + block, history.size(), DeflateEncoder::End::final_block);
  BOOST_TEST(out.size() < 1000u);
  // Inflated with the same dictionary, it gives the block back.
  z_stream s{};
  BOOST_REQUIRE_EQUAL(inflateInit2(&s, -15), Z_OK);
  BOOST_REQUIRE_EQUAL(inflateSetDictionary(&s, reinterpret_cast<const Bytef*>(history.data()),
                                           static_cast<uInt>(history.size())),
                      Z_OK);
  std::string back(block.size() + 100, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(out.data()));
  s.avail_in = static_cast<uInt>(out.size());
  s.next_out = reinterpret_cast<Bytef*>(back.data());
  s.avail_out = static_cast<uInt>(back.size());
  BOOST_TEST(inflate(&s, Z_FINISH) == Z_STREAM_END);
  back.resize(s.total_out);
  inflateEnd(&s);
  BOOST_TEST(back == block);
}

BOOST_AUTO_TEST_CASE(blocks_ended_with_a_sync_flush_follow_each_other) {
  // What parallel gzip does: each piece primed with the bytes before it, the pieces'
  // outputs put end to end, the last one final: one deflate stream of the whole.
  const std::string text = export_rows(20000) + random_bytes(100000) + text_bytes(50000);
  std::string stream;
  DeflateEncoder encoder;
  const size_t piece = 131072;
  for (size_t at = 0; at < text.size(); at += piece) {
    const size_t dictionary = std::min<size_t>(at, DeflateEncoder::kWindowBytes);
    const size_t n = std::min(piece, text.size() - at);
    const bool last = at + n == text.size();
    const size_t before = stream.size();
    encoder.encode(6, std::string_view(text).substr(at - dictionary, dictionary + n), dictionary,
                   last ? DeflateEncoder::End::final_block : DeflateEncoder::End::sync_flush, stream);
    if (!last) BOOST_TEST(stream.substr(stream.size() - 4) == std::string("\x00\x00\xff\xff", 4));
    BOOST_TEST(stream.size() > before);
  }
  BOOST_TEST(inflate_raw(stream) == text);
}

BOOST_AUTO_TEST_CASE(export_like_text_is_as_small_as_zlibs_at_the_same_level) {
  const std::string text = export_rows(20000);
  for (const int level : {1, 3, 4, 6, 9}) {
    BOOST_TEST_CONTEXT("level " << level) {
      const std::string ours = deflated(level, text), zlibs = zlib_deflated(level, text);
      BOOST_TEST(ours.size() <= zlibs.size() * 101 / 100, ours.size() << " bytes against zlib's " << zlibs.size());
      BOOST_TEST(inflate_raw(ours) == text);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_level_outside_1_to_9_is_the_nearest_one) {
  const std::string text = export_rows(100);
  BOOST_TEST(deflated(0, text) == deflated(1, text));
  BOOST_TEST(deflated(12, text) == deflated(9, text));
}
