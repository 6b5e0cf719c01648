// gzip in and out for tests: compression through s3dest's own GzipWriter, and
// decompression (gzip, and the raw deflate of avro blocks) through zlib's inflate.
#pragma once

#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <string>
#include <string_view>

#include "s3dest/format/gzip_writer.hpp"

namespace test_helpers {

inline std::string gzip(const std::string& data) {
  s3dest::StringSink file;
  s3dest::GzipWriter writer(file, 6);
  BOOST_REQUIRE(writer.write(data).ok());
  BOOST_REQUIRE(writer.finish().ok());
  return file.take();
}

// zlib's inflate over `compressed` in the framing `window_bits` names (15 + 16: gzip,
// which checks the CRC; -15: raw deflate); fails the test unless it is one complete stream
// with nothing after it.
inline std::string inflate_all(std::string_view compressed, int window_bits) {
  z_stream s{};
  BOOST_REQUIRE_EQUAL(inflateInit2(&s, window_bits), Z_OK);
  std::string block(1 << 16, '\0');
  std::string result;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  s.avail_in = static_cast<uInt>(compressed.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    s.next_out = reinterpret_cast<Bytef*>(block.data());
    s.avail_out = static_cast<uInt>(block.size());
    rc = inflate(&s, Z_NO_FLUSH);
    BOOST_REQUIRE(rc == Z_OK || rc == Z_STREAM_END);
    result.append(block.data(), block.size() - s.avail_out);
  }
  BOOST_CHECK_EQUAL(s.avail_in, 0u);
  inflateEnd(&s);
  return result;
}

// The uncompressed bytes of a one-member gzip file.
inline std::string gunzip(std::string_view compressed) { return inflate_all(compressed, 15 + 16); }

// Raw deflate data (no header, no trailer) back to its bytes, as avro readers do.
inline std::string inflate_raw(std::string_view compressed) { return inflate_all(compressed, -15); }

}  // namespace test_helpers
