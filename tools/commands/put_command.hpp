// s3dest put: existing files uploaded as they are, one object each, with everything a load
// has (destination/put.hpp). Exit codes as a load's: 3 for a file that cannot be read
// (every file is checked before anything is sent), 4 for the destination.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/destination/put.hpp"
#include "s3dest/destination/s3_connection.hpp"
#include "s3dest/sink/dry_run.hpp"
#include "s3dest/sink/local_folder.hpp"
#include "s3dest/sink/s3_sink.hpp"
#include "common.hpp"
#include "destination_sink.hpp"
#include "load_run.hpp"
#include "options.hpp"
#include "transport.hpp"

namespace s3dest::tool {

struct PutArgs {
  std::string config, dest, key, now, manifest;
  std::vector<std::string> files, sets;
  bool dry_run = false, verbose = false;
};

inline std::string parse_put_args(const std::vector<std::string>& args, PutArgs& a) {
  Options options;
  options.value("--config", a.config).value("--dest", a.dest).value("--key", a.key, Options::Empty::refused).value("--now", a.now);
  options.value("--manifest", a.manifest).values("--set", a.sets).flag("--dry-run", a.dry_run);
  options.flag("--verbose", a.verbose).arguments(a.files);
  if (std::string error = options.parse(args, "s3dest put"); !error.empty()) return error;
  if (a.config.empty()) return "--config FILE is required";
  if (a.files.empty()) return "no file given: s3dest put --config FILE [--dest URI] FILE...";
  for (const std::string& set : a.sets)
    if (set.find('=') == std::string::npos || set.front() == '=') return "--set takes NAME=VALUE, got \"" + set + "\"";
  return "";
}

inline int run_put(const std::vector<std::string>& args) {
  PutArgs a;
  if (const std::string error = parse_put_args(args, a); !error.empty()) return usage(error);
  auto config = load_config_file(a.config);
  if (!config.ok()) return fail(config.status());
  for (const std::string& set : a.sets) config->context[set.substr(0, set.find('='))] = set.substr(set.find('=') + 1);

  PutOptions options;
  options.files = a.files;
  options.key = a.key;
  auto start = run_start(a.now);
  if (!start.ok()) return fail(start.status());
  options.run_start_micros = *start;
  auto real_start = run_start("");
  options.run_id = new_run_id(*real_start);
  options.stop = &stop_on_signal();
  auto dest = destination_of(a.dest, *config);
  if (!dest.ok()) return fail(dest.status());
  options.prefix = dest->prefix;
  auto destination = open_bucket_or_folder(*config, *dest, options.run_id, a.verbose);
  if (!destination.ok()) return fail(destination.status());

  if (a.dry_run) {
    DryRunSink dry_run(destination->get());
    auto keys = put_keys(*config, dry_run, options);
    if (!keys.ok()) return fail(keys.status());
    auto existed = detail::objects_held(dry_run, *keys);
    if (!existed.ok()) return fail(existed.status());
    for (size_t i = 0; i < keys->size(); ++i)
      std::printf("%s\t%s%s\n", printable(a.files[i], 200).c_str(),
                  printable((*destination)->describe((*keys)[i]), 1100).c_str(),
                  (*existed)[i] ? "\treplaces an existing object" : "");
    return 0;
  }

  // Before put_files lists the destination.
  if (const Status taken_back = take_back_killed_loads(*dest); !taken_back.ok()) return fail(taken_back);
  stop_on_signals();
  options.on_start = [&]() -> Status {
    if (!a.manifest.empty()) remove_killed_runs_manifests(a.manifest);
    std::fprintf(stderr, "s3dest: run %s: uploading %zu file%s into %s\n", options.run_id.c_str(), a.files.size(),
                 a.files.size() == 1 ? "" : "s", dest->text().c_str());
    return {};
  };
  std::optional<ManifestFile> manifest;
  if (!a.manifest.empty()) {
    manifest.emplace(a.manifest, options.run_id);
    options.on_complete = [&manifest](const PutReport& report) { return manifest->write(manifest_of(report)); };
  }
  auto report = put_files(*config, **destination, options);
  if (!report.ok()) return fail(report.status());
  if (manifest)
    if (const Status placed = manifest->put_in_place(); !placed.ok()) return fail(placed);
  size_t replaced = 0;
  for (const PutObject& o : report->objects) {
    replaced += o.info.replaced ? 1 : 0;
    if (a.verbose)
      std::fprintf(stderr, "s3dest: %s -> %s\n", printable(o.path, 4200, Masking::none).c_str(),
                   printable((*destination)->describe(o.info.key), 1100, Masking::none).c_str());
  }
  std::fprintf(stderr, "s3dest: uploaded %zu object%s (%llu bytes) under %s%s (run %s)\n", report->objects.size(),
               report->objects.size() == 1 ? "" : "s",
               static_cast<unsigned long long>(report->bytes), dest->text().c_str(),
               replaced > 0 ? (", replacing " + std::to_string(replaced) + " that existed").c_str() : "",
               report->run_id.c_str());
  return 0;
}

}  // namespace s3dest::tool
