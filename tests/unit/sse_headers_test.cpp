#define BOOST_TEST_MODULE sse_headers
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "s3dest/aws/sse_headers.hpp"
#include "s3dest/aws/sigv4.hpp"

using namespace s3dest;
using namespace s3dest::aws;

namespace {

std::vector<std::string> lines(const std::vector<HttpHeader>& headers) {
  std::vector<std::string> out;
  for (const auto& h : headers) out.push_back(h.name + ": " + h.value);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_mode_asks_for_its_encryption) {
  BOOST_TEST(lines(*sse_headers(ServerSideEncryption::s3)) == std::vector<std::string>{"x-amz-server-side-encryption: AES256"});
  BOOST_TEST(lines(*sse_headers(ServerSideEncryption::kms)) == std::vector<std::string>{"x-amz-server-side-encryption: aws:kms"});
  BOOST_TEST(lines(*sse_headers(ServerSideEncryption::kms_key, "arn:aws:kms:us-east-1:123456789012:key/1111-2222")) ==
             (std::vector<std::string>{"x-amz-server-side-encryption: aws:kms",
                                       "x-amz-server-side-encryption-aws-kms-key-id: arn:aws:kms:us-east-1:123456789012:key/1111-2222"}));
  BOOST_TEST(sse_headers(ServerSideEncryption::none)->empty());
}

BOOST_AUTO_TEST_CASE(a_key_id_goes_with_kms_key_only) {
  BOOST_TEST(sse_headers(ServerSideEncryption::kms_key).status().exit_code() == 2);
  BOOST_TEST(!sse_headers(ServerSideEncryption::kms_key, "key with space").ok());
  BOOST_TEST(!sse_headers(ServerSideEncryption::kms_key, "key\r\nX-Injected: 1").ok());
  BOOST_TEST(!sse_headers(ServerSideEncryption::kms, "stray-key").ok());
  BOOST_TEST(!sse_headers(ServerSideEncryption::none, "stray-key").ok());
}

BOOST_AUTO_TEST_CASE(the_headers_are_signed_with_the_request) {
  SignableRequest request{"PUT", "/bucket/key", "", {{"Host", "bucket.s3.amazonaws.com"}}};
  const auto sse = sse_headers(ServerSideEncryption::kms_key, "testkey");
  for (const auto& h : *sse) request.headers.push_back(h);
  auto signature = sign_request(request, Credentials{"AKIDEXAMPLE", "secret", ""}, s3_signing_config("us-east-1", 1440938160));
  BOOST_REQUIRE_MESSAGE(signature.ok(), signature.status().message());
  BOOST_TEST(signature->signed_headers ==
             "host;x-amz-content-sha256;x-amz-date;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id");
}
