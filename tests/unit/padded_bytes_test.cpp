#define BOOST_TEST_MODULE padded_bytes
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>

#include "s3dest/table/padded_bytes.hpp"

using namespace s3dest;

BOOST_AUTO_TEST_CASE(a_block_read_in_pieces_into_reserved_room_never_moves) {
  PaddedBytes block;
  block.append("carried", 7);  // the start of a record cut off by the block before
  block.reserve(1 << 20);
  BOOST_TEST(block.capacity() >= size_t{1} << 20);
  BOOST_TEST(block.size() == 7u);
  const char* start = block.data();
  for (int piece = 0; piece < 15; ++piece) std::memset(block.grow(64 * 1024), 'a' + piece, 64 * 1024);
  BOOST_TEST(block.data() == start);
  BOOST_TEST(std::string(block.data(), 7) == "carried");
  BOOST_TEST(block.data()[7 + 64 * 1024] == 'b');

  // Reserving less than it has changes nothing; clearing keeps the room for the next block.
  block.reserve(16);
  BOOST_TEST(block.data() == start);
  block.clear();
  BOOST_TEST(block.empty());
  BOOST_TEST(block.capacity() >= size_t{1} << 20);
}

BOOST_AUTO_TEST_CASE(sealed_bytes_end_in_a_line_break_and_zeros_for_the_parser) {
  PaddedBytes bytes;
  bytes.append("{\"a\":1}", 7);
  bytes.seal();
  BOOST_TEST(bytes.size() == 7u);
  BOOST_TEST(bytes.data()[7] == '\n');
  for (size_t i = 8; i < 7 + kInputPadding; ++i) BOOST_TEST(bytes.data()[i] == '\0');

  PaddedBytes nothing;
  nothing.seal();
  BOOST_TEST(nothing.data()[0] == '\n');
}
