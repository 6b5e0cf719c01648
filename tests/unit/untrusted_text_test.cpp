#define BOOST_TEST_MODULE untrusted_text
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/core/untrusted_text.hpp"

using s3dest::printable;

BOOST_AUTO_TEST_CASE(plain_text_and_utf8_pass_as_they_are) {
  BOOST_TEST(printable("Access Denied") == "Access Denied");
  BOOST_TEST(printable("Zürich – 東京") == "Zürich – 東京");
  BOOST_TEST(printable("etag 9b2cf535f27731c974343645a3985328") == "etag 9b2cf535f27731c974343645a3985328");
}

BOOST_AUTO_TEST_CASE(control_characters_and_bad_utf8_become_visible_escapes) {
  BOOST_TEST(printable("bell\a, escape \x1b[2J, line\nbreak") == "bell\\x07, escape \\x1B[2J, line\\x0Abreak");
  BOOST_TEST(printable("del \x7f and \xff\xfe") == "del \\x7F and \\xFF\\xFE");
  BOOST_TEST(printable("\xc0\xaf overlong") == "\\xC0\\xAF overlong");
  BOOST_TEST(printable("rtl \u202e gnp.exe, c1 \u009b") == "rtl \\u202E gnp.exe, c1 \\u009B");
}

BOOST_AUTO_TEST_CASE(whatever_looks_like_a_credential_is_masked) {
  BOOST_TEST(printable("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1&"
                       "X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7") ==
             "https://b.s3.amazonaws.com/k?X-Amz-Credential=[masked]&X-Amz-Signature=[masked]");
  BOOST_TEST(printable("Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=abc123") ==
             "Authorization: AWS4-HMAC-SHA256 Credential=[masked], SignedHeaders=host, Signature=[masked]");
  BOOST_TEST(printable("key AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE") == "key AKIA[masked] and ASIA[masked]");
  BOOST_TEST(printable("secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY!") == "secret [masked]!");
  BOOST_TEST(printable("x-amz-security-token=IQoJb3JpZ2luX2VjEJr") == "x-amz-security-token=[masked]");
}

BOOST_AUTO_TEST_CASE(long_text_is_cut) {
  std::string words;
  for (int i = 0; i < 1000; ++i) words += "word ";
  const std::string shown = printable(words, 400);
  BOOST_TEST(shown.size() < 420u);
  BOOST_TEST(shown.substr(shown.size() - 3) == "...");
  BOOST_TEST(printable(std::string(300, '-'), 400) == std::string(300, '-'));
}

BOOST_AUTO_TEST_CASE(a_name_is_escaped_but_never_masked) {
  using s3dest::Masking;
  // A key or a path of letters, digits and slashes is as long as a secret, and is no secret.
  const std::string key = "s3://lake/data/warehouse/exports/marketing/campaigns/2026/01/01/rows";
  BOOST_TEST(printable(key) == "s3:[masked]");  // as a message would show it
  BOOST_TEST(printable(key, 1100, Masking::none) == key);
  BOOST_TEST(printable("lake/acc\x1b]0;owned\a/x.csv", 1100, Masking::none) == "lake/acc\\x1B]0;owned\\x07/x.csv");
  BOOST_TEST(printable("signature=abc", 1100, Masking::none) == "signature=abc");
}
