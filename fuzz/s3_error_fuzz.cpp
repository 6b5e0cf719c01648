// Any bytes as an S3 error reply: the first two bytes pick the HTTP status, the rest is
// the body, also offered as the x-amz-bucket-region and Date headers. What s3_error()
// makes of it is a destination error (exit 4) whose message is fit for a terminal: no
// control character, no escape sequence, bounded length, whatever the server sent; and
// the clock-skew reader takes the same reply without harm.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "s3dest/aws/clock_skew.hpp"
#include "s3dest/s3/object_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  s3dest::http::HttpResponse response;
  response.status = 300 + (data[0] | data[1] << 8) % 300;
  response.body.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
  response.headers.push_back({"x-amz-bucket-region", response.body});
  response.headers.push_back({"Date", response.body});
  s3dest::s3::BucketEndpoint bucket;
  bucket.bucket = "bucket";
  const s3dest::Status status =
      s3dest::s3::s3_error("PutObject", "key", {{"x-amz-tagging", "a=b"}, {"x-amz-server-side-encryption", "aws:kms"}},
                           response, "access keys from the config", bucket);
  if (status.ok() || status.exit_code() != 4) std::abort();
  const std::string& message = status.message();
  // The fixed words, three texts of at most 400 bytes (each escaped byte at most 4 times
  // longer) and the advice stay well under this.
  if (message.size() > 8000) std::abort();
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) std::abort();
  }
  s3dest::aws::ClockSkew skew;
  (void)skew.learn(response, 1700000000);
  (void)skew.now(1700000000);
  return 0;
}
