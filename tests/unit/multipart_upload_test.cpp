#define BOOST_TEST_MODULE multipart_upload
#include <boost/test/unit_test.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "s3dest/s3/multipart_upload.hpp"

using namespace s3dest;

namespace {

// A bucket that answers the multipart calls: parts take an ETag of their number ("e3"),
// part `failing_part` is refused, CompleteMultipartUpload with If-None-Match is refused
// when `key_exists`. Records each call as "METHOD query" (the query's first name).
class MultipartBucket final : public http::HttpSender {
 public:
  std::mutex mutex;
  std::vector<std::string> calls;
  std::string complete_body;
  int failing_part = 0;
  bool key_exists = false;

  Result<http::HttpResponse> send(const http::HttpRequest& r) override {
    std::lock_guard<std::mutex> lock(mutex);
    const size_t q = r.url.find('?');
    const std::string query = q == std::string::npos ? "" : r.url.substr(q + 1);
    calls.push_back(r.method + " " + query.substr(0, query.find_first_of("=&")));
    if (r.method == "POST" && query.rfind("uploadId=", 0) != 0)
      return http::HttpResponse{200, {}, "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"};
    if (r.method == "PUT") {
      const int number = std::stoi(query.substr(query.find("partNumber=") + 11));
      if (number == failing_part) return http::HttpResponse{403, {}, "<Error><Code>AccessDenied</Code></Error>"};
      return http::HttpResponse{200, {{"ETag", "\"e" + std::to_string(number) + "\""}}, ""};
    }
    if (r.method == "POST") {
      if (key_exists && r.find_header("If-None-Match"))
        return http::HttpResponse{412, {}, "<Error><Code>PreconditionFailed</Code></Error>"};
      complete_body = std::string(r.payload());
      return http::HttpResponse{200, {}, "<CompleteMultipartUploadResult><ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>"};
    }
    return http::HttpResponse{204, {}, ""};  // AbortMultipartUpload
  }

  size_t count(const std::string& call) {
    std::lock_guard<std::mutex> lock(mutex);
    return static_cast<size_t>(std::count(calls.begin(), calls.end(), call));
  }
};

struct Fixture {
  std::shared_ptr<MultipartBucket> bucket = std::make_shared<MultipartBucket>();
  std::shared_ptr<s3::ObjectClient> client;
  TaskPool pool{3};
  Fixture() {
    s3::BucketEndpoint endpoint;
    endpoint.bucket = "lake";
    endpoint.endpoint = "http://127.0.0.1:9";
    endpoint.path_style = true;
    endpoint.retry.max_attempts = 1;
    client = std::make_shared<s3::ObjectClient>(
        endpoint,
        std::make_shared<aws::StaticCredentialsProvider>(aws::Credentials{"AKIDEXAMPLE", "secret-secret", "", std::nullopt},
                                                         "the test"),
        bucket);
  }
  std::unique_ptr<s3::MultipartUpload> start() {
    auto upload = s3::MultipartUpload::start(client, "day=1/part-00001.csv", {}, ChecksumAlgorithm::crc32c);
    BOOST_REQUIRE_MESSAGE(upload.ok(), upload.status().message());
    return std::move(*upload);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(parts_sent_in_the_background_are_completed_in_order_with_their_checksums, Fixture) {
  auto upload = start();
  for (const char* part : {"first part", "second part", "third"}) BOOST_TEST(upload->send_part(part, pool).ok());
  BOOST_TEST(upload->parts_sent() == 3u);

  auto done = upload->complete_if_absent();
  BOOST_REQUIRE(done.ok());
  BOOST_TEST(done->has_value());
  const std::string& listed = bucket->complete_body;
  const size_t one = listed.find("<PartNumber>1</PartNumber>"), two = listed.find("<PartNumber>2</PartNumber>"),
               three = listed.find("<PartNumber>3</PartNumber>");
  BOOST_TEST((one < two && two < three && three != std::string::npos));
  BOOST_TEST(listed.find("e2") != std::string::npos);
  std::string crc;
  append_base64(crc, body_checksum(ChecksumAlgorithm::crc32c, "second part"));
  BOOST_TEST(listed.find("<ChecksumCRC32C>" + crc + "</ChecksumCRC32C>") != std::string::npos);
  const std::vector<std::string> raw = {body_checksum(ChecksumAlgorithm::crc32c, "first part"),
                                        body_checksum(ChecksumAlgorithm::crc32c, "second part"),
                                        body_checksum(ChecksumAlgorithm::crc32c, "third")};
  BOOST_TEST(upload->composite_checksum() == composite_checksum(ChecksumAlgorithm::crc32c, raw));

  upload.reset();  // completed: nothing to abort
  BOOST_TEST(bucket->count("DELETE uploadId") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_refused_part_fails_the_completion_and_the_upload_is_aborted, Fixture) {
  bucket->failing_part = 2;
  auto upload = start();
  for (const char* part : {"a", "b", "c"}) (void)upload->send_part(part, pool);
  auto done = upload->complete();
  BOOST_TEST(!done.ok());
  BOOST_TEST(done.status().message().find("AccessDenied") != std::string::npos);
  BOOST_TEST(bucket->count("POST uploadId") == 0u);  // never completed
  upload.reset();
  BOOST_TEST(bucket->count("DELETE uploadId") == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_key_that_exists_is_not_completed_over_unless_asked, Fixture) {
  bucket->key_exists = true;
  auto upload = start();
  BOOST_TEST(upload->send_part("rows", pool).ok());
  auto done = upload->complete_if_absent();
  BOOST_REQUIRE(done.ok());
  BOOST_TEST(!done->has_value());
  // Still open: the caller decides, replace (complete) or leave it (abort).
  auto replaced = upload->complete();
  BOOST_TEST(replaced.ok());
  upload.reset();
  BOOST_TEST(bucket->count("DELETE uploadId") == 0u);
}

BOOST_FIXTURE_TEST_CASE(an_upload_dropped_unfinished_is_aborted, Fixture) {
  {
    auto upload = start();
    BOOST_TEST(upload->send_part("half a file", pool).ok());
  }
  BOOST_TEST(bucket->count("PUT partNumber") == 1u);  // the part in flight was waited for
  BOOST_TEST(bucket->count("DELETE uploadId") == 1u);
}
