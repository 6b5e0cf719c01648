// A load from the command line, whatever the tool: its options, progress line, manifest,
// dry run and summary. s3dest load (load_command.hpp) writes to S3 or a local folder;
// s3dest-encode to a local folder only, built without libcurl and OpenSSL. SIGINT, SIGTERM
// and SIGHUP stop the load, undo it and exit 130/143/129.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3dest/destination/config.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/destination/manifest.hpp"
#include "s3dest/destination/memory_budget.hpp"
#include "s3dest/s3/object_property_headers.hpp"
#include "s3dest/sink/dry_run.hpp"
#include "s3dest/sink/local_folder.hpp"
#include "s3dest/table/schema_file.hpp"
#include "common.hpp"
#include "manifest_file.hpp"
#include "options.hpp"
#include "progress_line.hpp"

namespace s3dest::tool {

struct LoadArgs {
  std::string config, input_format = "ndjson", schema, dest, now, manifest, worker;
  std::vector<std::string> inputs, sets;
  bool dry_run = false, verbose = false, progress = false, no_progress = false;
};

// "workspace_id, workspace_title, ... or dataclass": what --set may give.
inline std::string context_var_names() {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < kTemplateVarCount; ++i)
    if (is_context_var(static_cast<TemplateVar>(i))) names.push_back(template_var_name(static_cast<TemplateVar>(i)));
  return join_alternatives(names);
}

inline std::string parse_load_args(const std::vector<std::string>& args, const std::string& command, LoadArgs& a) {
  Options options;
  options.value("--config", a.config).values("--input", a.inputs).value("--input-format", a.input_format);
  options.value("--schema", a.schema).value("--dest", a.dest).values("--set", a.sets).value("--now", a.now);
  options.value("--manifest", a.manifest).value("--worker", a.worker).flag("--dry-run", a.dry_run);
  options.flag("--progress", a.progress).flag("--no-progress", a.no_progress).flag("--verbose", a.verbose);
  if (std::string error = options.parse(args, command); !error.empty()) return error;
  if (a.config.empty()) return "--config FILE is required";
  // json: NDJSON or one JSON array of objects, told apart by the first byte (ndjson too).
  if (a.input_format != "ndjson" && a.input_format != "json" && a.input_format != "csv")
    return "--input-format is ndjson, json or csv, not \"" + a.input_format + "\"";
  for (const std::string& set : a.sets) {
    if (set.find('=') == std::string::npos || set.front() == '=') return "--set takes NAME=VALUE, got \"" + set + "\"";
    const std::string name = set.substr(0, set.find('='));
    const auto var = template_var_from_name(name);
    if (!var || !is_context_var(*var)) return "--set " + name + ": not a context variable; --set gives one of " + context_var_names();
  }
  if (a.worker.empty() && std::find(args.begin(), args.end(), "--worker") != args.end())
    return "--worker needs a name: letters, digits, '-' and '_'";
  return "";
}

inline Result<LoadOptions> load_options(const LoadArgs& a) {
  LoadOptions options;
  if (!a.inputs.empty()) options.inputs = a.inputs;
  options.input_format = a.input_format == "csv" ? InputFormat::csv : InputFormat::ndjson;
  if (!a.schema.empty()) {
    S3DEST_ASSIGN_OR_RETURN(options.schema, load_schema_file(a.schema));
  }
  S3DEST_ASSIGN_OR_RETURN(options.run_start_micros, run_start(a.now));
  // The run's id is taken from the real clock, even with --now: runs sort as they happened.
  S3DEST_ASSIGN_OR_RETURN(const int64_t real_start, run_start(""));
  options.run_id = new_run_id(real_start);
  options.worker = a.worker;
  options.stop = &stop_on_signal();
  return options;
}

// The headers that give an object its properties, on one line: "    Content-Type: text/csv;
// x-amz-tagging: day=2024-01-02". Nothing for none.
inline std::string object_properties_line(const ObjectProperties& properties) {
  std::string line;
  for (const http::HttpHeader& header : s3::object_property_headers(properties))
    line += (line.empty() ? "    " : "; ") + header.name + ": " + header.value;
  return line;
}

// Each object's key and rows; with `properties` (--verbose, for S3) a line under each with
// what it would carry.
inline void print_dry_run(const LoadReport& report, bool properties) {
  for (const auto& o : report.objects) {
    std::printf("%s\t%llu rows%s\n", o.object.info.key.c_str(), static_cast<unsigned long long>(o.object.rows),
                o.object.info.replaced ? "\treplaces an existing object" : "");
    const std::string line =
        properties && o.object.info.properties ? object_properties_line(*o.object.info.properties) : "";
    if (!line.empty()) std::printf("%s\n", line.c_str());
  }
  for (const auto& r : report.removed)
    std::printf("%s\tremoved\ta chunk an earlier run left above this run's last\n", r.key.c_str());
}

inline void print_summary(const LoadReport& report, const std::string& where) {
  std::string also;
  size_t replaced = 0;
  for (const auto& o : report.objects) replaced += o.object.info.replaced ? 1 : 0;
  if (replaced > 0) also += ", replacing " + std::to_string(replaced) + " that existed";
  if (!report.removed.empty())
    also += "; removed " + std::to_string(report.removed.size()) + " stale chunks of an earlier run";
  std::fprintf(stderr, "s3dest: loaded %llu rows into %zu objects (%llu bytes) under %s%s (run %s)\n",
               static_cast<unsigned long long>(report.rows), report.objects.size(),
               static_cast<unsigned long long>(report.bytes), where.c_str(), also.c_str(), report.run_id.c_str());
}

// `word` as a shell reads it back: as it is, or in single quotes.
inline std::string shell_word(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                             "0123456789_./:=@%+-") == std::string::npos;
  if (plain) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Tells of the copies other runs kept beside objects this run wrote over: each such run was
// killed (or is running now), and nothing else would ever remove them.
inline void print_other_runs_copies(const LoadReport& report, const ObjectSink& sink, const LoadArgs& a) {
  for (const OtherRunCopies& run : report.other_runs_copies) {
    std::string cleanup = "s3dest cleanup --config " + shell_word(a.config);
    if (!a.dest.empty()) cleanup += " --dest " + shell_word(a.dest);
    cleanup += " --run " + run.run_id;
    std::fprintf(stderr,
                 "s3dest: note: run %s kept %llu cop%s of objects it replaced, beside them (%s%s): it was killed, "
                 "or is running now. Once it is not, `%s` removes %s and takes back what is still that run's; this "
                 "run's objects stay\n",
                 run.run_id.c_str(), static_cast<unsigned long long>(run.copies), run.copies == 1 ? "y" : "ies",
                 printable(sink.describe(run.first_key), 1100, Masking::none).c_str(), run.copies > 1 ? ", ..." : "",
                 printable(cleanup, 4200, Masking::none).c_str(), run.copies == 1 ? "it" : "them");
  }
}

// What differs between the tools that load: the usage text, and how the sink of a
// destination is opened.
struct LoadTool {
  const char* name;  // "s3dest load", for messages
  const char* usage_text;
  std::function<Result<std::unique_ptr<ObjectSink>>(const LoadArgs&, const Config&, const Destination&,
                                                    const std::string& run_id)>
      open_destination;
};

// Before a run into a local folder: a load killed there while it published is taken back
// first (take_back_killed_publishes), so that its files are neither taken for ones that
// existed before this run nor left beside this run's.
inline Status take_back_killed_loads(const Destination& dest) {
  if (dest.is_s3() || dest.folder.empty()) return {};
  S3DEST_ASSIGN_OR_RETURN(const auto taken_back, take_back_killed_publishes(dest.folder));
  for (const auto& [run_id, undone] : taken_back)
    std::fprintf(stderr, "s3dest: run %s was killed while it published into %s: taken back first (%zu file%s put back, "
                 "%zu removed)\n", run_id.c_str(), printable(dest.folder, 4200, Masking::none).c_str(), undone.restored,
                 undone.restored == 1 ? "" : "s", undone.removed);
  return {};
}

inline std::unique_ptr<ObjectSink> open_local_folder(const Config& config, const Destination& dest,
                                                     const std::string& run_id) {
  return std::make_unique<LocalFolderSink>(dest.folder, config.checksum, run_id,
                                           MemoryBudget(config.memory_limit_mb).local_listing_bytes());
}

// The sink a load writes to; a dry run's lists the real destination, if one is given.
struct LoadSink {
  std::unique_ptr<ObjectSink> destination;
  std::unique_ptr<ObjectSink> dry_run;
  ObjectSink& sink() { return dry_run ? *dry_run : *destination; }
};

inline Result<LoadSink> open_load_sink(const LoadTool& tool, const LoadArgs& a, const Config& config,
                                       const Destination& dest, const std::string& run_id) {
  LoadSink sinks;
  if (!dest.bucket.empty() || !dest.folder.empty()) {
    S3DEST_ASSIGN_OR_RETURN(sinks.destination, tool.open_destination(a, config, dest, run_id));
  }
  if (a.dry_run) sinks.dry_run = std::make_unique<DryRunSink>(sinks.destination.get());
  return sinks;
}

inline int run_load_with(const LoadTool& tool, const std::vector<std::string>& args) {
  LoadArgs a;
  if (const std::string error = parse_load_args(args, tool.name, a); !error.empty()) return usage(error, tool.usage_text);
  auto config = load_config_file(a.config);
  if (!config.ok()) return fail(config.status());
  for (const std::string& set : a.sets) config->context[set.substr(0, set.find('='))] = set.substr(set.find('=') + 1);
  auto options = load_options(a);
  if (!options.ok()) return fail(options.status());

  // A dry run reads the destination, if one is given, to tell what it would replace.
  Destination dest;
  if (!a.dry_run || !a.dest.empty() || !config->bucket.empty()) {
    auto where = destination_of(a.dest, *config);
    if (!where.ok()) return fail(where.status());
    dest = *where;
    options->prefix = dest.prefix;
  }
  auto sinks = open_load_sink(tool, a, *config, dest, options->run_id);
  if (!sinks.ok()) return fail(sinks.status());

  stop_on_signals();
  // Once every check has passed (a bad config or template changes nothing), before the
  // destination is listed.
  options->on_start = [&]() -> Status {
    if (a.dry_run) return {};
    S3DEST_TRY(take_back_killed_loads(dest));
    if (!a.manifest.empty()) remove_killed_runs_manifests(a.manifest);
    std::fprintf(stderr, "s3dest: run %s: loading into %s\n", options->run_id.c_str(), dest.text().c_str());
    return {};
  };
  ProgressLine progress(!a.dry_run && (a.progress || (!a.no_progress && ::isatty(2))), dest.is_s3());
  options->on_progress = [&progress](const LoadProgress& p) { progress.show(p); };
  std::optional<ManifestFile> manifest;
  if (!a.manifest.empty()) {
    manifest.emplace(a.manifest, options->run_id);
    options->on_complete = [&manifest](const LoadReport& report) { return manifest->write(report); };
  }
  auto report = load(*config, sinks->sink(), *options);
  progress.end();
  if (!report.ok()) return fail(report.status());
  if (manifest)
    if (const Status placed = manifest->put_in_place(); !placed.ok()) return fail(placed);
  // A local folder keeps no object properties: only a dry run for S3 shows them.
  if (a.dry_run) print_dry_run(*report, a.verbose && dest.is_s3());
  if (!a.dry_run) print_summary(*report, dest.text());
  print_other_runs_copies(*report, sinks->sink(), a);
  return 0;
}

}  // namespace s3dest::tool
