// gzip in and out for tests: compression through s3dest's own GzipWriter, and
// decompression through zlib's inflate, which reads every member and checks the CRC.
#pragma once

#include <boost/test/unit_test.hpp>
#include <zlib.h>

#include <string>

#include "s3dest/format/gzip_writer.hpp"

namespace test_helpers {

inline std::string gzip(const std::string& data) {
  s3dest::StringSink file;
  s3dest::GzipWriter writer(file, 6);
  BOOST_REQUIRE(writer.write(data).ok());
  BOOST_REQUIRE(writer.finish().ok());
  return file.take();
}

// The uncompressed bytes of a one-member gzip file; fails the test on anything else.
inline std::string gunzip(const std::string& compressed) {
  z_stream s{};
  BOOST_REQUIRE_EQUAL(inflateInit2(&s, 15 + 16), Z_OK);
  std::string block(1 << 20, '\0');
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
  BOOST_CHECK_EQUAL(s.avail_in, 0u);  // one member, nothing after it
  inflateEnd(&s);
  return result;
}

}  // namespace test_helpers
