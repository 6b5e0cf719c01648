// s3dest load: input rows into objects, in a local folder or S3 (DESIGN.md, "The command
// line"). Prints the run's id at the start and a summary at the end (load_run.hpp).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/destination/s3_connection.hpp"
#include "s3dest/sink/s3_sink.hpp"
#include "common.hpp"
#include "load_run.hpp"
#include "transport.hpp"

namespace s3dest::tool {

inline Result<std::unique_ptr<ObjectSink>> open_bucket_or_folder(const LoadArgs& a, const Config& config,
                                                                 const Destination& dest, const std::string& run_id) {
  if (!dest.is_s3()) return open_local_folder(config, dest, run_id);
  S3DEST_TRY(warn_of_plain_http(config));
  S3DEST_ASSIGN_OR_RETURN(auto client,
                          s3_client_for_config(config, dest.bucket, transport(config, a.verbose), &stop_on_signal()));
  S3DEST_ASSIGN_OR_RETURN(S3SinkOptions options, s3_sink_options_for_config(config, run_id));
  return std::unique_ptr<ObjectSink>(std::make_unique<S3Sink>(client, std::move(options)));
}

inline int run_load(const std::vector<std::string>& args) {
  return run_load_with(LoadTool{"s3dest load", kUsage, open_bucket_or_folder}, args);
}

}  // namespace s3dest::tool
