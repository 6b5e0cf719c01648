// The sink of a destination for the commands that write objects (load, put): S3 through
// the config's credentials and transport, or a local folder.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "s3dest/destination/s3_connection.hpp"
#include "s3dest/sink/s3_sink.hpp"
#include "common.hpp"
#include "load_run.hpp"
#include "transport.hpp"

namespace s3dest::tool {

// With `verbose`, every request to S3 is reported on stderr.
inline Result<std::unique_ptr<ObjectSink>> open_bucket_or_folder(const Config& config, const Destination& dest,
                                                                 const std::string& run_id, bool verbose) {
  if (!dest.is_s3()) return open_local_folder(config, dest, run_id);
  S3DEST_TRY(warn_of_plain_http(config));
  S3DEST_ASSIGN_OR_RETURN(auto client,
                          s3_client_for_config(config, dest.bucket, transport(config, verbose), &stop_on_signal()));
  S3DEST_ASSIGN_OR_RETURN(S3SinkOptions options, s3_sink_options_for_config(config, run_id));
  return std::unique_ptr<ObjectSink>(std::make_unique<S3Sink>(client, std::move(options)));
}

}  // namespace s3dest::tool
