#define BOOST_TEST_MODULE base64
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/crypto/base64.hpp"

using s3dest::append_base64;
using s3dest::decode_base64;

namespace {
std::string encode(const std::string& bytes) {
  std::string out;
  append_base64(out, bytes);
  return out;
}
}  // namespace

// The test vectors of RFC 4648 section 10.
BOOST_AUTO_TEST_CASE(rfc4648_vectors_encode_and_decode) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [bytes, text] : vectors) {
    BOOST_TEST(encode(bytes) == text);
    std::string decoded = "junk that decode_base64 replaces";
    BOOST_TEST(decode_base64(text, decoded));
    BOOST_TEST(decoded == bytes);
  }
}

BOOST_AUTO_TEST_CASE(append_keeps_what_is_already_there) {
  std::string out = "data:";
  append_base64(out, "hello");
  BOOST_TEST(out == "data:aGVsbG8=");
}

BOOST_AUTO_TEST_CASE(every_byte_value_round_trips) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= bytes.size(); len += 37) {
    const std::string slice = bytes.substr(0, len);
    std::string back;
    BOOST_TEST(decode_base64(encode(slice), back));
    BOOST_TEST(back == slice);
  }
  BOOST_TEST(encode("\xff\xfe\xfd") == "//79");
  BOOST_TEST(encode(std::string("\0\0\0", 3)) == "AAAA");
}

BOOST_AUTO_TEST_CASE(strict_decoding_refuses_what_is_not_canonical_base64) {
  const char* bad[] = {
      "Zg",        // no padding
      "Zg=",       // short padding
      "Z===",      // too much padding
      "Zm9v YmFy",  // whitespace
      "Zm9v\nYmFy",
      "Zm9-",      // base64url alphabet
      "Zm_v",
      "Zg==Zg==",  // padding in the middle
      "=Zg=",
      "Zh==",      // unused bits set: "Zg==" is the one spelling of "f"
      "Zm9=",      // likewise for "fo" ("Zm8=")
      "Zm9v\xc3\xa9",
  };
  for (const char* text : bad) {
    std::string out = "x";
    BOOST_TEST(!decode_base64(text, out), "accepted " << text);
    BOOST_TEST(out.empty());
  }
}

BOOST_AUTO_TEST_CASE(decode_to_a_caller_buffer) {
  char buf[s3dest::max_decoded_base64_size(8)];
  size_t n = 0;
  BOOST_TEST(s3dest::decode_base64_to("aGVsbG8=", buf, n));
  BOOST_TEST(std::string(buf, n) == "hello");
}
