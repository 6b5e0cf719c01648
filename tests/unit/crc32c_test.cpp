#define BOOST_TEST_MODULE crc32c
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "s3dest/crypto/crc32c.hpp"

using namespace s3dest;

namespace {
// The CRC a byte at a time from the table, the definition the fast paths must keep to.
uint32_t bytewise_crc32c(std::string_view bytes) {
  return ~detail::crc32c_portable(~0u, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_check_value_of_the_standard) {
  BOOST_TEST(crc32c(0, "123456789") == 0xE3069283u);  // RFC 3720's CRC32C check value
  BOOST_TEST(crc32c(0, "") == 0u);
}

BOOST_AUTO_TEST_CASE(long_inputs_match_the_bytewise_table_whatever_their_length) {
  // Long inputs are checksummed as three streams of 8 KiB at once: lengths around
  // multiples of 24 KiB, and starts that are not 8-byte aligned, must change nothing.
  std::string bytes;
  for (uint32_t i = 0; i < 200000; ++i) bytes.push_back(static_cast<char>((i * 2654435761u) >> 24));
  for (const size_t start : {size_t{0}, size_t{3}}) {
    for (const size_t length : {size_t{24575}, size_t{24576}, size_t{24577}, size_t{49152 + 7}, size_t{100000},
                                bytes.size() - 3}) {
      const std::string_view piece = std::string_view(bytes).substr(start, length);
      BOOST_TEST(crc32c(0, piece) == bytewise_crc32c(piece), "start " << start << ", length " << length);
    }
  }
  // Fed in pieces, as a sink writes its buffers, the CRC is the whole input's.
  uint32_t crc = 0;
  for (size_t at = 0; at < bytes.size(); at += 30000)
    crc = crc32c(crc, std::string_view(bytes).substr(at, 30000));
  BOOST_TEST(crc == bytewise_crc32c(bytes));
}
