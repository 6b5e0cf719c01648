#define BOOST_TEST_MODULE sse
#include <boost/test/unit_test.hpp>

#include "s3dest/aws/sse.hpp"

using namespace s3dest;
using http::HttpHeader;

namespace {
const std::string kKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";

std::string headers_text(const std::vector<http::HttpHeader>& headers) {
  std::string text;
  for (const auto& h : headers) text += h.name + ": " + h.value + "\n";
  return text;
}
}  // namespace

BOOST_AUTO_TEST_CASE(each_setting_sends_the_headers_of_the_putobject_reference) {
  BOOST_TEST(headers_text(aws::sse_request_headers(Encryption::sse_s3, "")) == "x-amz-server-side-encryption: AES256\n");
  BOOST_TEST(headers_text(aws::sse_request_headers(Encryption::sse_kms, "")) == "x-amz-server-side-encryption: aws:kms\n");
  BOOST_TEST(headers_text(aws::sse_request_headers(Encryption::sse_kms_cmk, kKeyArn)) ==
             "x-amz-server-side-encryption: aws:kms\nx-amz-server-side-encryption-aws-kms-key-id: " + kKeyArn + "\n");
  BOOST_TEST(aws::sse_request_headers(Encryption::none, "").empty());
}

BOOST_AUTO_TEST_CASE(a_response_confirms_what_was_asked) {
  BOOST_TEST(aws::check_sse_response(Encryption::sse_s3, "", {{"X-Amz-Server-Side-Encryption", "AES256"}}).ok());
  BOOST_TEST(aws::check_sse_response(Encryption::sse_kms, "", {{"x-amz-server-side-encryption", "aws:kms"}}).ok());
  BOOST_TEST(aws::check_sse_response(Encryption::sse_kms_cmk, kKeyArn,
                                     {{"x-amz-server-side-encryption", "aws:kms"},
                                      {"x-amz-server-side-encryption-aws-kms-key-id", kKeyArn}})
                 .ok());
  // A bare key id matches the ARN S3 answers with.
  BOOST_TEST(aws::check_sse_response(Encryption::sse_kms_cmk, "1111-2222",
                                     {{"x-amz-server-side-encryption", "aws:kms"},
                                      {"x-amz-server-side-encryption-aws-kms-key-id", kKeyArn}})
                 .ok());
  BOOST_TEST(aws::check_sse_response(Encryption::none, "", {}).ok());
}

BOOST_AUTO_TEST_CASE(a_response_that_differs_says_what_came_back_and_what_to_check) {
  const Status missing = aws::check_sse_response(Encryption::sse_s3, "", {});
  BOOST_TEST(!missing.ok());
  BOOST_TEST(missing.message().find("did not confirm") != std::string::npos);
  BOOST_TEST(missing.exit_code() == 4);

  const Status other = aws::check_sse_response(Encryption::sse_kms, "", {{"x-amz-server-side-encryption", "AES256"}});
  BOOST_TEST(other.message().find("encrypted with AES256, not aws:kms") != std::string::npos);

  const Status wrong_key = aws::check_sse_response(
      Encryption::sse_kms_cmk, kKeyArn,
      {{"x-amz-server-side-encryption", "aws:kms"},
       {"x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:us-east-1:123456789012:key/9999"}});
  BOOST_TEST(!wrong_key.ok());
  BOOST_TEST(wrong_key.message().find("key/9999") != std::string::npos);
  // "9999" must not pass for a key whose id merely ends the same way.
  BOOST_TEST(!aws::check_sse_response(Encryption::sse_kms_cmk, "2222",
                                      {{"x-amz-server-side-encryption", "aws:kms"},
                                       {"x-amz-server-side-encryption-aws-kms-key-id", kKeyArn}})
                  .ok());
}
