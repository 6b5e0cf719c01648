// s3dest load: input rows into objects, in a local folder or S3 (DESIGN.md, "The command
// line"). Prints the run's id at the start and a summary at the end (load_run.hpp).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "destination_sink.hpp"
#include "load_run.hpp"

namespace s3dest::tool {

inline int run_load(const std::vector<std::string>& args) {
  return run_load_with(LoadTool{"s3dest load", kUsage,
                                [](const LoadArgs& a, const Config& config, const Destination& dest,
                                   const std::string& run_id) {
                                  return open_bucket_or_folder(config, dest, run_id, a.verbose);
                                }},
                       args);
}

}  // namespace s3dest::tool
