#define BOOST_TEST_MODULE snappy
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <unistd.h>

#include "s3dest/format/snappy.hpp"
#include "byte_literals.hpp"

using namespace s3dest;

namespace {

std::string compress(std::string_view input) {
  std::string out;
  snappy_compress(input, out);
  return out;
}

using test_helpers::bytes;

// Bytes with no 4-byte sequence repeated (for inputs this short), so nothing to match.
std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string csv_text(size_t approx_bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  const char* cities[] = {"Berlin", "Paris", "Lisbon", "Oslo", "Rome", "Vienna", "Madrid"};
  std::string s;
  for (int row = 0; s.size() < approx_bytes; ++row) {
    s += std::to_string(1000000 + row) + ",2026-11-" + std::to_string(10 + rng() % 20) + "T" +
         std::to_string(10 + rng() % 14) + ":" + std::to_string(10 + rng() % 50) + ":00Z," +
         cities[rng() % 7] + "," + std::to_string(rng() % 100000) + "." + std::to_string(rng() % 100) +
         ",\"customer " + std::to_string(rng() % 5000) + "\"\n";
  }
  return s;
}

void check_round_trip(const std::string& input) {
  std::string compressed = compress(input);
  BOOST_TEST_REQUIRE(compressed.size() <= snappy_max_compressed_length(input.size()));
  std::string back;
  BOOST_TEST_REQUIRE(snappy_uncompress(compressed, back));
  BOOST_TEST_REQUIRE((back == input), "round trip differs for " << input.size() << " bytes");
}

}  // namespace

// format_description.txt: the preamble is the uncompressed length as a varint.
BOOST_AUTO_TEST_CASE(empty_input_is_just_a_zero_length) { BOOST_TEST(compress("") == bytes({0x00})); }

BOOST_AUTO_TEST_CASE(short_input_is_one_literal) {
  // Literal tag: low bits 00, length-1 in the upper six bits.
  BOOST_TEST(compress("a") == bytes({0x01, 0x00, 'a'}));
  BOOST_TEST(compress("hello") == bytes({0x05, 0x10, 'h', 'e', 'l', 'l', 'o'}));
}

BOOST_AUTO_TEST_CASE(long_literals_carry_their_length_in_extra_bytes) {
  // 61 bytes: upper bits 60 say one length byte follows, holding length-1 = 60.
  std::string input = random_bytes(61, 1);
  BOOST_TEST(compress(input) == bytes({0x3D, 0xF0, 0x3C}) + input);
  // 300 bytes: 61 says two bytes follow, 299 little-endian; the varint 300 is AC 02.
  input = random_bytes(300, 2);
  BOOST_TEST(compress(input) == bytes({0xAC, 0x02, 0xF4, 0x2B, 0x01}) + input);
}

BOOST_AUTO_TEST_CASE(repeats_become_copies_with_two_byte_offset) {
  // "abcd" once as a literal, then one copy of 36 bytes from 4 back. 36 > 11 needs the
  // 2-byte-offset form: tag (36-1) << 2 | 2 = 0x8E, offset 4 little-endian.
  std::string input;
  for (int i = 0; i < 10; ++i) input += "abcd";
  BOOST_TEST(compress(input) == bytes({0x28, 0x0C, 'a', 'b', 'c', 'd', 0x8E, 0x04, 0x00}));
}

BOOST_AUTO_TEST_CASE(short_near_copies_use_one_byte_offset) {
  // An 8-byte copy from 8 back: tag 01 | (8-4) << 2 | (offset >> 8) << 5 = 0x11, then the
  // low offset byte. The last 15 bytes are never searched and stay a literal.
  std::string input = "abcdefghabcdefghijklmnopqrstuvw";
  std::string expected = bytes({31, 0x1C}) + "abcdefgh" + bytes({0x11, 0x08, 0x38}) + "ijklmnopqrstuvw";
  BOOST_TEST(compress(input) == expected);
}

BOOST_AUTO_TEST_CASE(uncompress_reads_every_element_kind) {
  // Literal "ab", then a copy with a 4-byte offset (tag 11; we never write those) of 6
  // bytes from 2 back, which overlaps itself: "ab" repeated.
  std::string out = "keep:";
  BOOST_TEST(snappy_uncompress(bytes({0x08, 0x04, 'a', 'b', 0x17, 0x02, 0x00, 0x00, 0x00}), out));
  BOOST_TEST(out == "keep:abababab");
  // 1-byte offset copy of 4 from 1 back: run-length of one byte.
  out.clear();
  BOOST_TEST(snappy_uncompress(bytes({0x05, 0x00, 'z', 0x01, 0x01}), out));
  BOOST_TEST(out == "zzzzz");
}

BOOST_AUTO_TEST_CASE(uncompress_rejects_damage_and_leaves_output_alone) {
  const std::string good = compress(csv_text(10000, 7));
  std::string out = "before";
  BOOST_TEST(!snappy_uncompress(good.substr(0, good.size() - 1), out));  // truncated
  BOOST_TEST(!snappy_uncompress("", out));                                // no length
  BOOST_TEST(!snappy_uncompress(bytes({0x04, 0x01, 0x01}), out));         // copy before any output
  BOOST_TEST(!snappy_uncompress(bytes({0x05, 0x00, 'z', 0x01, 0x00}), out));  // offset 0
  BOOST_TEST(!snappy_uncompress(bytes({0x03, 0x00, 'z'}), out));          // shorter than announced
  BOOST_TEST(!snappy_uncompress(bytes({0x01, 0x04, 'a', 'b'}), out));     // longer than announced
  BOOST_TEST(!snappy_uncompress(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 'a'}), out));  // absurd length
  BOOST_TEST(out == "before");
}

BOOST_AUTO_TEST_CASE(compress_appends) {
  std::string out = "header";
  snappy_compress("hello", out);
  BOOST_TEST(out == "header" + compress("hello"));
}

BOOST_AUTO_TEST_CASE(round_trips_text_across_fragment_boundaries) {
  for (size_t n : {size_t{14}, size_t{15}, size_t{16}, size_t{100}, size_t{65535}, size_t{65536},
                   size_t{65537}, size_t{200000}, size_t{1} << 20}) {
    check_round_trip(csv_text(n, static_cast<uint32_t>(n)).substr(0, n));
  }
  std::string text = csv_text(1 << 20, 3);
  BOOST_TEST(compress(text).size() < text.size() / 2);  // CSV like this compresses well
}

BOOST_AUTO_TEST_CASE(round_trips_runs_of_every_length_around_copy_limits) {
  // Copies are cut at 64 bytes; lengths 64..68 take the 60-byte split.
  for (size_t run = 1; run < 300; ++run) {
    check_round_trip("start-" + std::string(run, 'x') + "-middle-" + std::string(run, 'x') + "-end");
  }
  check_round_trip(std::string(5'000'000, '\0'));
}

BOOST_AUTO_TEST_CASE(random_data_stays_within_the_bound) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    std::string input = random_bytes(seed * 7919 % 300000, seed);
    std::string compressed = compress(input);
    BOOST_TEST(compressed.size() <= input.size() + input.size() / 6 + 32);
    check_round_trip(input);
  }
}

BOOST_AUTO_TEST_CASE(round_trips_mixed_random_and_repeats) {
  std::mt19937 rng(42);
  for (int iteration = 0; iteration < 200; ++iteration) {
    std::string input;
    size_t target = rng() % 150000;
    while (input.size() < target) {
      switch (rng() % 3) {
        case 0:
          input += random_bytes(rng() % 50, rng());
          break;
        case 1:
          if (!input.empty()) {
            size_t from = rng() % input.size();
            input += input.substr(from, rng() % 200);
          }
          break;
        default:
          input += std::string(rng() % 100, static_cast<char>(rng()));
      }
    }
    check_round_trip(input);
  }
}

// The reference implementation reads what we write, and we read what it writes. Needs
// Debian's python3-snappy (/usr/bin/python3, not a pyenv python); skipped without it.
BOOST_AUTO_TEST_CASE(reference_snappy_agrees) {
  if (std::system("/usr/bin/python3 -c 'import snappy' >/dev/null 2>&1") != 0) {
    BOOST_TEST_MESSAGE("skipped: /usr/bin/python3 with the snappy module (python3-snappy) is missing");
    return;
  }
  std::string dir = "/tmp/s3dest_snappy_test_" + std::to_string(getpid());
  BOOST_TEST_REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  std::string input = csv_text(3'000'000, 11) + random_bytes(100000, 12) + std::string(100000, 'q');
  {
    std::ofstream(dir + "/plain", std::ios::binary) << input;
    std::ofstream(dir + "/ours.snappy", std::ios::binary) << compress(input);
  }
  std::string script =
      "import snappy,sys\n"
      "d=sys.argv[1]\n"
      "plain=open(d+'/plain','rb').read()\n"
      "assert snappy.uncompress(open(d+'/ours.snappy','rb').read())==plain\n"
      "open(d+'/theirs.snappy','wb').write(snappy.compress(plain))\n";
  std::ofstream(dir + "/check.py") << script;
  BOOST_TEST(std::system(("/usr/bin/python3 " + dir + "/check.py " + dir).c_str()) == 0);

  std::ifstream theirs_file(dir + "/theirs.snappy", std::ios::binary);
  std::string theirs((std::istreambuf_iterator<char>(theirs_file)), std::istreambuf_iterator<char>());
  std::string back;
  BOOST_TEST(snappy_uncompress(theirs, back));
  BOOST_TEST((back == input));
  BOOST_TEST_MESSAGE("reference size " << theirs.size() << ", ours " << compress(input).size());
  BOOST_TEST(std::system(("rm -rf " + dir).c_str()) == 0);
}
