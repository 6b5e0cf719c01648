// s3dest check: the health check of DESIGN.md, one ok / warn / FAIL line per step.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "s3dest/destination/health_check.hpp"
#include "common.hpp"
#include "options.hpp"
#include "transport.hpp"

namespace s3dest::tool {

inline int run_check(const std::vector<std::string>& args) {
  std::string config_path, dest, now_text;
  bool verbose = false;
  Options parser;
  parser.value("--config", config_path).value("--dest", dest).value("--now", now_text).flag("--verbose", verbose);
  if (const std::string error = parser.parse(args, "s3dest check"); !error.empty()) return usage(error);
  if (config_path.empty()) return usage("--config FILE is required");
  auto config = load_config_file(config_path);
  if (!config.ok()) return fail(config.status());

  if (dest.empty() && config->bucket.empty())
    return usage("no bucket to check: set \"bucket\" in the config or give --dest s3://bucket[/prefix]");
  auto destination = destination_of(dest, *config);
  if (!destination.ok()) return fail(destination.status());
  if (!destination->is_s3())
    return usage("check tests an S3 destination: give --dest s3://bucket[/prefix] or a \"bucket\" in the config "
                 "(a local folder needs no check; s3dest load --dry-run shows what would be written)");
  if (const Status http = warn_of_plain_http(*config); !http.ok()) return fail(http);
  HealthCheckOptions options;
  options.bucket = destination->bucket;
  options.prefix = destination->prefix;
  auto start = run_start(now_text);
  if (!start.ok()) return fail(start.status());
  options.run_start_micros = *start;
  options.on_step = [](const CheckStep& step) {
    std::printf("%-5s %s\n", !step.ok ? "FAIL" : step.warning ? "warn" : "ok", step.text.c_str());
    std::fflush(stdout);
  };
  auto report = run_health_check(*config, transport(*config, verbose), options);
  if (!report.ok()) return fail(report.status());
  if (report->ok()) return 0;
  std::fprintf(stderr, "s3dest: error: the health check failed: see the FAIL line above\n");
  return static_cast<int>(ErrorKind::destination);
}

}  // namespace s3dest::tool
