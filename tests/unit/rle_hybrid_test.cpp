#define BOOST_TEST_MODULE rle_hybrid
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "s3dest/format/parquet/rle_hybrid.hpp"
#include "byte_literals.hpp"

using namespace s3dest::parquet;

namespace {

using test_helpers::bytes;

std::string encode(const std::vector<uint32_t>& values, int bit_width, RlePrefix prefix = RlePrefix::none) {
  std::string out;
  rle_hybrid_encode(values.data(), values.size(), bit_width, prefix, out);
  return out;
}

std::vector<uint32_t> repeat(uint32_t value, size_t n) { return std::vector<uint32_t>(n, value); }

std::vector<uint32_t> concat(std::vector<uint32_t> a, const std::vector<uint32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

// Encodings.md: "dec value 0 1 2 3 4 5 6 7 / bit value 000 001 010 ... / bit label ABC DEF
// GHI ... -> 10001000 11000110 11111010". One group: header (1 << 1) | 1.
BOOST_AUTO_TEST_CASE(bit_packing_example_from_the_spec) {
  BOOST_TEST(encode({0, 1, 2, 3, 4, 5, 6, 7}, 3) == bytes({0x03, 0x88, 0xC6, 0xFA}));
}

BOOST_AUTO_TEST_CASE(repeats_become_rle_runs) {
  // Header count << 1, then the value in ceil(bit_width / 8) bytes, little-endian.
  BOOST_TEST(encode(repeat(1, 10), 1) == bytes({0x14, 0x01}));
  BOOST_TEST(encode(repeat(300, 8), 9) == bytes({0x10, 0x2C, 0x01}));
  BOOST_TEST(encode(repeat(0xDEADBEEF, 100), 32) == bytes({0xC8, 0x01, 0xEF, 0xBE, 0xAD, 0xDE}));
  BOOST_TEST(encode(repeat(0, 20), 0) == bytes({0x28}));  // a one-entry dictionary
}

BOOST_AUTO_TEST_CASE(short_repeats_stay_bit_packed_and_the_last_group_is_padded) {
  // 1,0,1,2,2,2,2,2 | 2,2,2,2,2 + three zeros of padding; width 2, LSB first.
  std::vector<uint32_t> values = concat({1, 0, 1}, repeat(2, 10));
  BOOST_TEST(encode(values, 2) == bytes({0x05, 0x91, 0xAA, 0xAA, 0x02}));
}

BOOST_AUTO_TEST_CASE(a_run_starting_inside_a_group_becomes_rle_after_it) {
  // 0 then 20 ones: the first group takes 0 and seven ones; the 13 left are a run.
  BOOST_TEST(encode(concat({0}, repeat(1, 20)), 1) == bytes({0x03, 0xFE, 0x1A, 0x01}));
  // A run in the middle closes the bit-packed run before it and opens a new one after.
  std::vector<uint32_t> values = concat(concat({1, 0, 1, 0, 1, 0, 1, 0}, repeat(1, 9)), {0, 1, 0});
  BOOST_TEST(encode(values, 1) == bytes({0x03, 0x55, 0x12, 0x01, 0x03, 0x02}));
}

BOOST_AUTO_TEST_CASE(bit_packed_runs_hold_at_most_63_groups) {
  std::vector<uint32_t> values;
  for (int i = 0; i < 64 * 8; ++i) values.push_back(i % 2);
  std::string expected = bytes({0x7F}) + std::string(63, static_cast<char>(0xAA)) + bytes({0x03, 0xAA});
  BOOST_TEST(encode(values, 1) == expected);
}

BOOST_AUTO_TEST_CASE(prefixes) {
  // Data page v1 levels: the byte length as u32 little-endian.
  BOOST_TEST(encode(repeat(1, 100), 1, RlePrefix::length_4_bytes) ==
             bytes({0x03, 0x00, 0x00, 0x00, 0xC8, 0x01, 0x01}));
  BOOST_TEST(encode({}, 1, RlePrefix::length_4_bytes) == bytes({0x00, 0x00, 0x00, 0x00}));
  // Dictionary indices: one byte of bit width first.
  BOOST_TEST(encode(repeat(5, 8), 3, RlePrefix::bit_width_byte) == bytes({0x03, 0x10, 0x05}));
}

BOOST_AUTO_TEST_CASE(encoder_is_reusable) {
  RleHybridEncoder encoder(1, RlePrefix::length_4_bytes);
  for (int i = 0; i < 10; ++i) encoder.put(1);
  BOOST_TEST(encoder.finish() == bytes({0x02, 0x00, 0x00, 0x00, 0x14, 0x01}));
  encoder.reset();
  for (int i = 0; i < 10; ++i) encoder.put(0);
  BOOST_TEST(encoder.finish() == bytes({0x02, 0x00, 0x00, 0x00, 0x14, 0x00}));
}

BOOST_AUTO_TEST_CASE(bit_width_for_a_maximum) {
  BOOST_TEST(rle_bit_width(0) == 0);
  BOOST_TEST(rle_bit_width(1) == 1);
  BOOST_TEST(rle_bit_width(7) == 3);
  BOOST_TEST(rle_bit_width(8) == 4);
  BOOST_TEST(rle_bit_width(0xFFFFFFFF) == 32);
}

BOOST_AUTO_TEST_CASE(random_round_trips_for_every_width) {
  std::mt19937 rng(1);
  for (int width = 0; width <= 32; ++width) {
    const uint32_t mask = width == 32 ? 0xFFFFFFFFu : (1u << width) - 1;
    for (int iteration = 0; iteration < 30; ++iteration) {
      std::vector<uint32_t> values;
      size_t target = rng() % 3000;
      while (values.size() < target) {
        // Mix of single values and runs of 1..40, so every transition happens.
        uint32_t v = rng() & mask;
        size_t run = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
        values.insert(values.end(), run, v);
      }
      std::string encoded = encode(values, width);
      std::vector<uint32_t> decoded;
      BOOST_TEST_REQUIRE(rle_hybrid_decode(encoded, width, values.size(), decoded));
      BOOST_TEST_REQUIRE((decoded == values), "width " << width << ", " << values.size() << " values");
    }
  }
}

BOOST_AUTO_TEST_CASE(definition_levels_of_a_mostly_present_column_are_small) {
  // 100000 rows with a null every 1000: runs of ones, a group around each null.
  std::vector<uint32_t> levels(100000, 1);
  for (size_t i = 500; i < levels.size(); i += 1000) levels[i] = 0;
  std::string encoded = encode(levels, 1);
  BOOST_TEST(encoded.size() < 100u * 8);
  std::vector<uint32_t> decoded;
  BOOST_TEST(rle_hybrid_decode(encoded, 1, levels.size(), decoded));
  BOOST_TEST((decoded == levels));
}

BOOST_AUTO_TEST_CASE(decode_rejects_malformed_input) {
  std::vector<uint32_t> out;
  BOOST_TEST(!rle_hybrid_decode(bytes({0x03, 0x88}), 3, 8, out));  // group cut short
  BOOST_TEST(!rle_hybrid_decode(bytes({0x14}), 1, 10, out));       // run without its value
  BOOST_TEST(!rle_hybrid_decode(bytes({0x14, 0x02}), 1, 10, out)); // value wider than the width
  BOOST_TEST(!rle_hybrid_decode(bytes({0x14, 0x01}), 1, 11, out)); // fewer values than asked
}

BOOST_AUTO_TEST_CASE(put_repeated_writes_what_single_puts_write) {
  std::mt19937 rng(5);
  for (int iteration = 0; iteration < 300; ++iteration) {
    RleHybridEncoder one_by_one(3), in_runs(3);
    for (int run = 0; run < 20; ++run) {
      uint32_t value = rng() % 3;  // few values, so runs join their neighbours
      size_t count = rng() % 4 == 0 ? rng() % 100 : rng() % 4;
      for (size_t i = 0; i < count; ++i) one_by_one.put(value);
      in_runs.put_repeated(value, count);
    }
    BOOST_TEST_REQUIRE((one_by_one.finish() == in_runs.finish()));
  }
  // A million present values: one RLE run, whatever the count.
  RleHybridEncoder levels(1, RlePrefix::length_4_bytes);
  levels.put_repeated(1, 1'000'000);
  BOOST_TEST(levels.finish() == bytes({0x04, 0x00, 0x00, 0x00, 0x80, 0x89, 0x7A, 0x01}));
}
