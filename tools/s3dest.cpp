// s3dest: load tabular data into S3 or a local folder laid out like the bucket.
// The command line is DESIGN.md's contract; exit codes: 0 ok, 2 usage/config/template,
// 3 bad input data, 4 destination, 1 bug.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "s3dest/destination.hpp"
#include "s3dest/table/schema_file.hpp"

namespace {

using namespace s3dest;

constexpr const char* kUsage = R"(usage:
  s3dest load  --config FILE [--input PATH]... [--input-format ndjson|csv] [--schema FILE]
               [--dest URI] [--set NAME=VALUE]... [--now TIME] [--manifest FILE]
               [--dry-run] [--progress | --no-progress]
  s3dest check --config FILE [--dest URI] [--now TIME]
  s3dest sign  ... (not available in this version yet)
  s3dest version

--dest is s3://bucket[/prefix], file://DIR or a folder path. --input - (or none) reads
standard input; .gz inputs are decompressed. --now fixes "now" (RFC 3339) for names.
)";

int fail(const Status& status) {
  std::fprintf(stderr, "s3dest: error: %s\n", status.message().c_str());
  return status.exit_code();
}

int usage(const std::string& message) {
  std::fprintf(stderr, "s3dest: error: %s\n%s", message.c_str(), kUsage);
  return 2;
}

struct LoadArgs {
  std::string config;
  std::vector<std::string> inputs;
  std::string input_format = "ndjson";
  std::string schema;
  std::string dest;
  std::vector<std::pair<std::string, std::string>> sets;
  std::string now;
  std::string manifest;
  bool dry_run = false;
  int progress = -1;  // -1: when stderr is a terminal
};

// Parses "--name value" and "--name=value" options; returns an error message or "".
std::string parse_load_args(const std::vector<std::string>& args, LoadArgs& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    const size_t eq = name.find('=');
    const bool inline_value = name.rfind("--", 0) == 0 && eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto take = [&](std::string& field) -> std::string {
      if (inline_value) {
        field = value;
        return "";
      }
      if (i + 1 >= args.size()) return name + " needs a value";
      field = args[++i];
      return "";
    };
    std::string error;
    if (name == "--config") error = take(out.config);
    else if (name == "--input") {
      std::string path;
      error = take(path);
      out.inputs.push_back(path);
    } else if (name == "--input-format") error = take(out.input_format);
    else if (name == "--schema") error = take(out.schema);
    else if (name == "--dest") error = take(out.dest);
    else if (name == "--now") error = take(out.now);
    else if (name == "--manifest") error = take(out.manifest);
    else if (name == "--set") {
      std::string pair;
      error = take(pair);
      const size_t sep = pair.find('=');
      if (error.empty() && (sep == std::string::npos || sep == 0))
        error = "--set takes NAME=VALUE, got \"" + pair + "\"";
      else if (error.empty()) out.sets.emplace_back(pair.substr(0, sep), pair.substr(sep + 1));
    } else if (name == "--dry-run" && !inline_value) out.dry_run = true;
    else if (name == "--progress" && !inline_value) out.progress = 1;
    else if (name == "--no-progress" && !inline_value) out.progress = 0;
    else error = "unknown option \"" + args[i] + "\"";
    if (!error.empty()) return error;
  }
  if (out.config.empty()) return "--config FILE is required";
  if (out.input_format != "ndjson" && out.input_format != "csv")
    return "--input-format is ndjson or csv, not \"" + out.input_format + "\"";
  return "";
}

// The folder of --dest (file://DIR or a plain path), or an error for what is not built yet.
Result<std::string> local_folder_of(const std::string& dest, const Config& config) {
  if (dest.rfind("s3://", 0) == 0 || (dest.empty() && !config.bucket.empty()))
    return usage_error("uploading to S3 is not available in this version yet: load into a local folder "
                       "with --dest DIR");
  if (dest.empty()) return usage_error("no destination: give --dest DIR (or file://DIR)");
  std::string folder = dest.rfind("file://", 0) == 0 ? dest.substr(7) : dest;
  if (folder.empty()) return usage_error("--dest file:// needs a folder, as in file:///tmp/lake");
  return folder;
}

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void show(const LoadProgress& p) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(250) && p.objects_written == 0) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    if (p.objects_written == 0)
      std::fprintf(stderr, "\rs3dest: %llu rows read, %.0f rows/s   ", static_cast<unsigned long long>(p.rows_read),
                   seconds > 0 ? p.rows_read / seconds : 0.0);
    else
      std::fprintf(stderr, "\rs3dest: %llu rows, %llu objects, %.1f MB written in %.1f s   ",
                   static_cast<unsigned long long>(p.rows_read), static_cast<unsigned long long>(p.objects_written),
                   p.bytes_written / 1e6, seconds);
    shown_ = true;
  }
  // Ends the line, so later messages start on their own.
  void end() {
    if (shown_) std::fputc('\n', stderr);
    shown_ = false;
    enabled_ = false;
  }
  ~ProgressLine() { end(); }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

int run_load(const std::vector<std::string>& args) {
  LoadArgs a;
  if (const std::string error = parse_load_args(args, a); !error.empty()) return usage(error);

  auto config = load_config_file(a.config);
  if (!config.ok()) return fail(config.status());
  for (const auto& [name, value] : a.sets) config->context[name] = value;

  LoadOptions options;
  if (!a.inputs.empty()) options.inputs = a.inputs;
  options.input_format = a.input_format == "csv" ? InputFormat::csv : InputFormat::ndjson;
  if (!a.schema.empty()) {
    auto schema = load_schema_file(a.schema);
    if (!schema.ok()) return fail(schema.status());
    options.schema = *schema;
  }
  if (!a.now.empty()) {
    const auto now = parse_timestamp(a.now);
    if (!now) return usage("--now takes an RFC 3339 time such as 2026-01-31T12:00:00Z, not \"" + a.now + "\"");
    options.run_start_micros = *now;
  } else {
    options.run_start_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  }
  const bool show_progress = a.progress == 1 || (a.progress == -1 && ::isatty(2));
  ProgressLine progress(show_progress && !a.dry_run);
  options.on_progress = [&progress](const LoadProgress& p) { progress.show(p); };

  std::string folder;
  std::unique_ptr<ObjectSink> sink;
  LocalFolderSink* local = nullptr;
  if (a.dry_run) {
    // A dry run checks the layout and the input but needs no reachable destination.
    sink = std::make_unique<DryRunSink>();
  } else {
    auto dest = local_folder_of(a.dest, *config);
    if (!dest.ok()) return fail(dest.status());
    folder = *dest;
    auto owned = std::make_unique<LocalFolderSink>(folder, config->checksum);
    local = owned.get();
    sink = std::move(owned);
  }

  auto report = load(*config, *sink, options);
  progress.end();
  if (!report.ok()) {
    if (local) local->remove_empty_folders();
    return fail(report.status());
  }
  if (a.dry_run) {
    for (const auto& o : report->objects)
      std::printf("%s\t%llu rows\n", o.object.info.key.c_str(), static_cast<unsigned long long>(o.object.rows));
  }
  if (!a.manifest.empty()) {
    const std::string json = manifest_json(*report);
    if (a.manifest == "-") {
      std::fwrite(json.data(), 1, json.size(), stdout);
    } else {
      std::ofstream out(a.manifest, std::ios::binary);
      out << json;
      if (!out.flush())
        return fail(destination_error("writing the manifest to " + a.manifest + " failed: check the path"));
    }
  }
  if (!a.dry_run)
    std::fprintf(stderr, "s3dest: loaded %llu rows into %zu objects (%llu bytes) under %s\n",
                 static_cast<unsigned long long>(report->rows), report->objects.size(),
                 static_cast<unsigned long long>(report->bytes), folder.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage("no command given");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "load") return run_load(args);
  if (command == "version" || command == "--version") {
    std::printf("s3dest %s (build %s)\n", kVersion, S3DEST_BUILD);
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "check" || command == "sign")
    return usage("\"s3dest " + command + "\" is not available in this version yet");
  return usage("unknown command \"" + command + "\"");
}
