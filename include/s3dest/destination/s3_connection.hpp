// An S3 bucket reached the way a config says: the HTTP transport with its timeouts and
// reply cap, credentials by its connection_option, its endpoint, addressing and retries;
// and the upload settings of the sink that writes there, with the memory the uploads may
// hold taken from memory_limit_mb. The tool, the health check and the tests all connect
// through here.
//
//   auto sender = http_sender_for_config(config);
//   auto client = s3_client_for_config(config, "my-bucket", sender);
//   S3Sink sink(*client, s3_sink_options_for_config(config, run_id));
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>

#include "s3dest/aws/sse.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/destination/memory_budget.hpp"
#include "s3dest/http/curl_transport.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/http/request_log.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/sink/s3_sink.hpp"

namespace s3dest {

// libcurl with the config's idle timeout (a request that moves no byte for
// idle_timeout_seconds is abandoned, however long it has run) and a reply held in memory
// only up to the budget's share. With `log_line`, every exchange is reported in one line
// (http::RequestLog: never a header or a body).
std::shared_ptr<http::HttpSender> http_sender_for_config(const Config& config,
                                                         std::function<void(std::string_view)> log_line = nullptr);

// The bucket's endpoint, addressing, region and retries, checked for a usable URL.
Result<s3::BucketEndpoint> bucket_endpoint_for_config(const Config& config, const std::string& bucket);

// Checks the bucket name and endpoint (plain http to another machine only with
// allow_http: plain_http_warning) and builds the credentials (no request yet). A raised
// `stop` abandons the client's writes (see s3::ObjectClient).
Result<std::shared_ptr<s3::ObjectClient>> s3_client_for_config(const Config& config, const std::string& bucket,
                                                              std::shared_ptr<http::HttpSender> sender,
                                                              const StopFlag* stop = nullptr);

// Part size, uploads in flight (no more than the spare quarter of memory_limit_mb holds),
// encryption headers, checksum, and the run's id for each object's metadata. Parts are
// made big enough that an object of max_file_size_mb needs at most 10,000 of them; a cap
// that would need parts bigger than memory_limit_mb allows is refused (usage).
Result<S3SinkOptions> s3_sink_options_for_config(const Config& config, const std::string& run_id);

inline Result<std::shared_ptr<s3::ObjectClient>> s3_client_for_config(const Config& config, const std::string& bucket,
                                                                     std::shared_ptr<http::HttpSender> sender,
                                                                     const StopFlag* stop) {
  S3DEST_TRY(plain_http_warning(config).status());
  S3DEST_ASSIGN_OR_RETURN(const s3::BucketEndpoint endpoint, bucket_endpoint_for_config(config, bucket));
  S3DEST_ASSIGN_OR_RETURN(auto credentials, credentials_for_config(config, sender));
  return std::make_shared<s3::ObjectClient>(endpoint, credentials, sender, aws::unix_now, stop);
}

inline std::shared_ptr<http::HttpSender> http_sender_for_config(const Config& config,
                                                                std::function<void(std::string_view)> log_line) {
  http::CurlOptions options;
  options.low_speed_time = std::chrono::seconds(config.idle_timeout_seconds);
  options.max_response_bytes = MemoryBudget(config.memory_limit_mb).max_reply_bytes(config.concurrency);
  auto curl = std::make_shared<http::CurlTransport>(options);
  if (!log_line) return curl;
  return std::make_shared<http::RequestLog>(curl, std::move(log_line));
}

inline Result<s3::BucketEndpoint> bucket_endpoint_for_config(const Config& config, const std::string& bucket) {
  s3::BucketEndpoint endpoint;
  endpoint.bucket = bucket;
  endpoint.region = config.region;
  endpoint.endpoint = config.endpoint;
  endpoint.path_style = config.path_style;
  endpoint.retry.max_attempts = config.max_attempts;
  S3DEST_TRY(s3::object_url(endpoint, "").status());
  return endpoint;
}

inline Result<S3SinkOptions> s3_sink_options_for_config(const Config& config, const std::string& run_id) {
  S3SinkOptions options;
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  options.part_bytes = static_cast<uint64_t>(config.part_size_mb * kMiB);
  const uint64_t spare = MemoryBudget(config.memory_limit_mb).uploads_bytes();
  // The largest part the memory allows (but never under S3's minimum).
  const uint64_t largest = std::max(kMinPartBytes, std::min(spare, kMaxPartBytes));
  options.part_bytes = std::min(options.part_bytes, largest);
  if (config.max_file_size_mb) {  // 10,000 parts must hold the biggest object
    const uint64_t needed = (config.max_file_bytes() + kMaxParts - 1) / kMaxParts;
    std::ostringstream cap;
    cap << std::setprecision(15) << *config.max_file_size_mb;
    if (needed > largest)
      return usage_error("objects of max_file_size_mb " + cap.str() + " need parts of " +
                         std::to_string((needed + kMiB - 1) / kMiB) + " MiB (S3 takes at most 10,000 parts), more " +
                         "than memory_limit_mb allows (" + std::to_string(largest / kMiB) +
                         " MiB): raise memory_limit_mb or lower max_file_size_mb");
    options.part_bytes = std::max(options.part_bytes, (needed + kMiB - 1) / kMiB * kMiB);
  }
  // `concurrency` parts in flight, and as many small objects being put, each at most a part.
  options.concurrency = static_cast<int>(std::max<uint64_t>(
      1, std::min<uint64_t>(static_cast<uint64_t>(config.concurrency), spare / (2 * options.part_bytes))));
  options.max_part_bytes = std::max(options.part_bytes, std::min(kMaxPartBytes, spare / (2 * options.concurrency)));
  options.object_headers = aws::sse_request_headers(config.encryption, config.encryption_key);
  options.checksum = config.checksum;
  options.run_id = run_id;
  return options;
}

}  // namespace s3dest
