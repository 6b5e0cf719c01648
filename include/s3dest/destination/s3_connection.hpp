// An S3 bucket reached the way a config says: credentials by its connection_option, its
// endpoint, addressing and retries; and the upload settings of the sink that writes
// there, with the memory the uploads may hold taken from memory_limit_mb.
//
//   auto client = s3_client_for_config(config, "my-bucket", transport);
//   S3Sink sink(*client, s3_sink_options_for_config(config, run_id));
#pragma once

#include <algorithm>
#include <memory>
#include <string>

#include "s3dest/aws/http_exchange.hpp"
#include "s3dest/aws/sse.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/sink/s3_sink.hpp"

namespace s3dest {

// Checks the bucket name and endpoint (plain http to another machine only with
// allow_http: plain_http_warning) and builds the credentials (no request yet). A raised
// `stop` abandons the client's writes (see s3::ObjectClient).
Result<std::shared_ptr<s3::ObjectClient>> s3_client_for_config(const Config& config, const std::string& bucket,
                                                              std::shared_ptr<aws::HttpSender> sender,
                                                              const StopFlag* stop = nullptr);

// Part size, uploads in flight (no more than the spare quarter of memory_limit_mb holds),
// encryption headers, checksum, and the run's id for each object's metadata.
S3SinkOptions s3_sink_options_for_config(const Config& config, const std::string& run_id);

inline Result<std::shared_ptr<s3::ObjectClient>> s3_client_for_config(const Config& config, const std::string& bucket,
                                                                     std::shared_ptr<aws::HttpSender> sender,
                                                                     const StopFlag* stop) {
  S3DEST_TRY(plain_http_warning(config).status());
  S3DEST_ASSIGN_OR_RETURN(auto credentials, credentials_for_config(config, sender));
  s3::BucketEndpoint endpoint;
  endpoint.bucket = bucket;
  endpoint.region = config.region;
  endpoint.endpoint = config.endpoint;
  endpoint.path_style = config.path_style;
  endpoint.retry.max_attempts = config.max_attempts;
  S3DEST_TRY(s3::object_url(endpoint, "").status());
  return std::make_shared<s3::ObjectClient>(endpoint, credentials, sender, aws::unix_now, stop);
}

inline S3SinkOptions s3_sink_options_for_config(const Config& config, const std::string& run_id) {
  S3SinkOptions options;
  options.part_bytes = static_cast<uint64_t>(config.part_size_mb * 1024 * 1024);
  // Parts in flight come out of the quarter of memory_limit_mb that neither the reader,
  // the partition store nor the open writers use.
  const auto spare = static_cast<uint64_t>(config.memory_limit_mb * 1024 * 1024 / 4);
  options.concurrency = static_cast<int>(std::max<uint64_t>(
      1, std::min<uint64_t>(static_cast<uint64_t>(config.concurrency), spare / options.part_bytes)));
  options.object_headers = aws::sse_request_headers(config.encryption, config.encryption_key);
  options.checksum = config.checksum;
  options.run_id = run_id;
  return options;
}

}  // namespace s3dest
