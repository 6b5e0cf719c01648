// s3dest: load tabular data into S3 or a local folder laid out like the bucket.
// The command line is DESIGN.md's contract; exit codes: 0 ok, 2 usage/config/template,
// 3 bad input data, 4 destination, 1 bug.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "s3dest/aws/request_log.hpp"
#include "s3dest/aws/sigv4.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/destination.hpp"
#include "s3dest/destination/health_check.hpp"
#include "s3dest/http/curl_transport.hpp"
#include "s3dest/sink/s3_sink.hpp"
#include "s3dest/format/json_lines_encoder.hpp"
#include "s3dest/table/schema_file.hpp"

namespace {

using namespace s3dest;

constexpr const char* kUsage = R"(usage:
  s3dest load  --config FILE [--input PATH]... [--input-format ndjson|csv] [--schema FILE]
               [--dest URI] [--set NAME=VALUE]... [--now TIME] [--manifest FILE]
               [--dry-run] [--progress | --no-progress] [--verbose]
  s3dest check --config FILE [--dest URI] [--now TIME] [--verbose]
  s3dest sign  --method M --url URL [--header "Name: value"]... [--body-file F | --unsigned-payload]
               --region R --service S --time YYYYMMDDTHHMMSSZ --access-key K --secret-key S
               [--session-token T] [--presign SECONDS] [--no-normalize] [--format text|json]
  s3dest version

--dest is s3://bucket[/prefix], file://DIR or a folder path. --input - (or none) reads
standard input; .gz inputs are decompressed. --now fixes "now" (RFC 3339) for names.
sign prints the SigV4 canonical request, string to sign, signature and the headers to add
(or with --presign the presigned URL, valid up to 604800 seconds).
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
  bool verbose = false;
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
    else if (name == "--verbose" && !inline_value) out.verbose = true;
    else error = "unknown option \"" + args[i] + "\"";
    if (!error.empty()) return error;
  }
  if (out.config.empty()) return "--config FILE is required";
  if (out.input_format != "ndjson" && out.input_format != "csv")
    return "--input-format is ndjson or csv, not \"" + out.input_format + "\"";
  return "";
}

// Where --dest (or the config's bucket) points.
struct Destination {
  std::string folder;          // a local folder, or
  std::string bucket, prefix;  // s3://bucket/prefix
};

Result<Destination> destination_of(const std::string& dest, const Config& config) {
  Destination d;
  if (dest.rfind("s3://", 0) == 0) {
    const std::string rest = dest.substr(5);
    const size_t slash = rest.find('/');
    d.bucket = rest.substr(0, slash);
    d.prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (d.bucket.empty()) return usage_error("--dest s3:// needs a bucket, as in s3://my-bucket/prefix");
    return d;
  }
  if (dest.empty() && !config.bucket.empty()) {
    d.bucket = config.bucket;
    return d;
  }
  if (dest.empty()) return usage_error("no destination: give --dest DIR (or file://DIR, or s3://bucket/prefix)");
  d.folder = dest.rfind("file://", 0) == 0 ? dest.substr(7) : dest;
  if (d.folder.empty()) return usage_error("--dest file:// needs a folder, as in file:///tmp/lake");
  return d;
}

// The HTTP transport; with --verbose every request is reported on stderr (method, URL
// without query, status, time: never a header or a body).
std::shared_ptr<aws::HttpSender> transport(bool verbose) {
  auto curl = std::make_shared<http::CurlTransport>();
  if (!verbose) return curl;
  return std::make_shared<aws::RequestLog>(curl, [](std::string_view line) {
    std::fprintf(stderr, "s3dest: %.*s\n", static_cast<int>(line.size()), line.data());
  });
}

// The sink for an S3 destination: credentials by the config's connection_option, the
// bucket's endpoint and addressing, the encryption headers.
Result<std::unique_ptr<ObjectSink>> s3_sink_for(const Config& config, const Destination& d, bool verbose) {
  auto transport = ::transport(verbose);
  S3DEST_ASSIGN_OR_RETURN(auto credentials, credentials_for_config(config, transport));
  s3::BucketEndpoint bucket;
  bucket.bucket = d.bucket;
  bucket.region = config.region;
  bucket.endpoint = config.endpoint;
  bucket.path_style = config.path_style;
  bucket.retry.max_attempts = config.max_attempts;
  S3DEST_TRY(s3::object_url(bucket, "").status());
  S3SinkOptions options;
  options.part_bytes = static_cast<uint64_t>(config.part_size_mb * 1024 * 1024);
  // Parts in flight come out of the quarter of memory_limit_mb that neither the reader,
  // the partition store nor the open writers use.
  const auto spare = static_cast<uint64_t>(config.memory_limit_mb * 1024 * 1024 / 4);
  options.concurrency = static_cast<int>(std::max<uint64_t>(
      1, std::min<uint64_t>(static_cast<uint64_t>(config.concurrency), spare / options.part_bytes)));
  options.object_headers = aws::sse_request_headers(config.encryption, config.encryption_key);
  options.checksum = config.checksum;
  auto client = std::make_shared<s3::ObjectClient>(bucket, credentials, transport);
  return std::unique_ptr<ObjectSink>(std::make_unique<S3Sink>(client, std::move(options)));
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

  std::string where;
  std::unique_ptr<ObjectSink> sink;
  LocalFolderSink* local = nullptr;
  if (a.dry_run) {
    // A dry run checks the layout and the input but needs no reachable destination.
    sink = std::make_unique<DryRunSink>();
  } else {
    auto dest = destination_of(a.dest, *config);
    if (!dest.ok()) return fail(dest.status());
    if (dest->folder.empty()) {
      options.prefix = dest->prefix;
      where = "s3://" + dest->bucket + (dest->prefix.empty() ? "" : "/" + dest->prefix);
      auto s3 = s3_sink_for(*config, *dest, a.verbose);
      if (!s3.ok()) return fail(s3.status());
      sink = std::move(*s3);
    } else {
      where = dest->folder;
      auto owned = std::make_unique<LocalFolderSink>(dest->folder, config->checksum);
      local = owned.get();
      sink = std::move(owned);
    }
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
                 static_cast<unsigned long long>(report->bytes), where.c_str());
  return 0;
}


// ---------------------------------------------------------------------------------------
// s3dest sign: shows every step of a SigV4 signature, for when a server refuses one.

struct SignArgs {
  std::string method, url, region, service, time, access_key, secret_key, session_token, body_file;
  std::string format = "text";
  std::string presign;  // seconds, as given; empty: sign with an Authorization header
  std::vector<std::string> headers;
  bool unsigned_payload = false;
  bool no_normalize = false;
};

// Parses "--name value" and "--name=value"; returns an error message or "". Messages never
// repeat an argument that is not an option name: it may be a key.
std::string parse_sign_args(const std::vector<std::string>& args, SignArgs& out) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i], value;
    if (name.rfind("--", 0) != 0)
      return "unexpected argument in position " + std::to_string(i + 2) +
             ": every value follows its option, as in --region us-east-1";
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
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
    if (name == "--method") error = take(out.method);
    else if (name == "--url") error = take(out.url);
    else if (name == "--region") error = take(out.region);
    else if (name == "--service") error = take(out.service);
    else if (name == "--time") error = take(out.time);
    else if (name == "--access-key") error = take(out.access_key);
    else if (name == "--secret-key") error = take(out.secret_key);
    else if (name == "--session-token") error = take(out.session_token);
    else if (name == "--body-file") error = take(out.body_file);
    else if (name == "--presign") error = take(out.presign);
    else if (name == "--format") error = take(out.format);
    else if (name == "--header") {
      std::string header;
      error = take(header);
      out.headers.push_back(header);
    } else if (name == "--unsigned-payload" && !inline_value) out.unsigned_payload = true;
    else if (name == "--no-normalize" && !inline_value) out.no_normalize = true;
    else error = "unknown option \"" + name + "\" for s3dest sign";
    if (!error.empty()) return error;
  }
  const std::pair<const char*, const std::string*> required[] = {
      {"--method M", &out.method},        {"--url URL", &out.url},
      {"--region R", &out.region},        {"--service S", &out.service},
      {"--time YYYYMMDDTHHMMSSZ", &out.time}, {"--access-key K", &out.access_key},
      {"--secret-key S", &out.secret_key}};
  for (const auto& [option, field] : required)
    if (field->empty()) return std::string(option) + " is required";
  if (out.format != "text" && out.format != "json") return "--format is text or json, not \"" + out.format + "\"";
  if (!out.body_file.empty() && out.unsigned_payload)
    return "--body-file and --unsigned-payload exclude each other: the payload is either hashed or not";
  return "";
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return usage_error("cannot read --body-file " + path + ": check the path");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return usage_error("reading --body-file " + path + " failed");
  return bytes;
}

int run_sign(const std::vector<std::string>& args) {
  SignArgs a;
  if (const std::string error = parse_sign_args(args, a); !error.empty()) return usage(error);

  auto url = split_url(a.url);
  if (!url.ok()) return fail(url.status().prefixed("--url: "));
  aws::SignableRequest request;
  request.method = a.method;
  request.path = url->path;
  request.query = url->query;
  for (const std::string& header : a.headers) {
    const size_t colon = header.find(':');
    if (colon == std::string::npos || colon == 0)
      return usage("--header takes \"Name: value\" (a name, a colon, the value); one of them has no name");
    request.headers.push_back({header.substr(0, colon), header.substr(colon + 1)});
  }
  if (request.find_header("host") == nullptr) request.headers.insert(request.headers.begin(), {"Host", url->host_header()});

  const auto time = aws::parse_amz_date(a.time);
  if (!time) return usage("--time takes YYYYMMDDTHHMMSSZ in UTC, as in 20150830T123600Z, not \"" + a.time + "\"");
  const bool presign = !a.presign.empty();
  int64_t expires = 0;
  if (presign) {
    if (a.presign.size() > 12 || a.presign.find_first_not_of("0123456789") != std::string::npos)
      return usage("--presign takes the URL's lifetime in seconds (1 to 604800), not \"" + a.presign + "\"");
    expires = std::stoll(a.presign);
  }

  aws::SigningConfig config;
  config.region = a.region;
  config.service = a.service;
  config.time = *time;
  // S3 signs the path as sent; other services normalise it unless asked not to.
  const bool s3 = a.service == "s3";
  config.path_rule = s3 || a.no_normalize ? aws::PathRule::s3 : aws::PathRule::generic;
  std::optional<std::string> preset_hash;  // an x-amz-content-sha256 header given is the payload hash
  if (const std::string* value = request.find_header("x-amz-content-sha256")) {
    const size_t first = value->find_first_not_of(" \t"), last = value->find_last_not_of(" \t");
    preset_hash = first == std::string::npos ? "" : value->substr(first, last - first + 1);
  }
  if (presign && s3) {
    // S3 reads a presigned request's body as UNSIGNED-PAYLOAD: hashing one would only
    // make a URL it refuses.
    if (!a.body_file.empty())
      return usage("--body-file does not apply to a presigned S3 URL (S3 signs its body as UNSIGNED-PAYLOAD): "
                   "drop --body-file");
    config.payload_hash = preset_hash ? *preset_hash : std::string(aws::kUnsignedPayload);
  } else if (a.unsigned_payload) {
    config.payload_hash = std::string(aws::kUnsignedPayload);
  } else if (!a.body_file.empty()) {
    auto body = read_whole_file(a.body_file);
    if (!body.ok()) return fail(body.status());
    config.payload_hash = aws::payload_sha256(*body);
  } else {
    config.payload_hash = preset_hash ? *preset_hash : aws::payload_sha256("");
  }
  config.add_content_sha256_header = s3 && !presign;
  const aws::Credentials credentials{a.access_key, a.secret_key, a.session_token};

  std::string out;
  const auto field = [&](const char* key, const std::string& value, bool last) {
    out += "  \"";
    out += key;
    out += "\": ";
    append_json_string(out, value);
    out += last ? "\n" : ",\n";
  };
  const auto steps_text = [&](const aws::SignatureSteps& steps) {
    out += "Canonical request:\n" + steps.canonical_request + "\n\nString to sign:\n" + steps.string_to_sign +
           "\n\nSignature: " + steps.signature + "\n\n";
  };
  if (presign) {
    auto signed_url = aws::presign_request(request, credentials, config, expires);
    if (!signed_url.ok()) return fail(signed_url.status());
    const std::string full = url->scheme + "://" + url->authority + signed_url->target();
    if (a.format == "json") {
      out += "{\n";
      field("canonical_request", signed_url->canonical_request, false);
      field("string_to_sign", signed_url->string_to_sign, false);
      field("signature", signed_url->signature, false);
      field("url", full, true);
      out += "}\n";
    } else {
      steps_text(*signed_url);
      out += "URL: " + full + "\n";
    }
  } else {
    auto signed_request = aws::sign_request(request, credentials, config);
    if (!signed_request.ok()) return fail(signed_request.status());
    if (a.format == "json") {
      out += "{\n";
      field("canonical_request", signed_request->canonical_request, false);
      field("string_to_sign", signed_request->string_to_sign, false);
      field("signature", signed_request->signature, false);
      field("authorization", signed_request->authorization, true);
      out += "}\n";
    } else {
      steps_text(*signed_request);
      out += "Headers to add:\n";
      for (const auto& h : signed_request->headers) out += h.name + ": " + h.value + "\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

// s3dest check --config FILE [--dest s3://bucket/prefix] [--now TIME] [--verbose]
int run_check(const std::vector<std::string>& args) {
  std::string config_path, dest, now_text;
  bool verbose = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& name = args[i];
    if (name == "--verbose") {
      verbose = true;
      continue;
    }
    std::string* target = name == "--config" ? &config_path : name == "--dest" ? &dest : name == "--now" ? &now_text
                                                                                                       : nullptr;
    if (!target) return usage("unknown option \"" + name + "\" for check");
    if (i + 1 >= args.size()) return usage(name + " needs a value");
    *target = args[++i];
  }
  if (config_path.empty()) return usage("--config FILE is required");
  auto config = load_config_file(config_path);
  if (!config.ok()) return fail(config.status());

  HealthCheckOptions options;
  if (dest.empty() && config->bucket.empty())
    return usage("no bucket to check: set \"bucket\" in the config or give --dest s3://bucket[/prefix]");
  auto destination = destination_of(dest, *config);
  if (!destination.ok()) return fail(destination.status());
  if (!destination->folder.empty())
    return usage("check tests an S3 destination: give --dest s3://bucket[/prefix] or a \"bucket\" in the config "
                 "(a local folder needs no check; s3dest load --dry-run shows what would be written)");
  options.bucket = destination->bucket;
  options.prefix = destination->prefix;
  if (!now_text.empty()) {
    const auto now = parse_timestamp(now_text);
    if (!now) return usage("--now takes an RFC 3339 time such as 2026-01-31T12:00:00Z, not \"" + now_text + "\"");
    options.run_start_micros = *now;
  } else {
    options.run_start_micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  options.on_step = [](const CheckStep& step) {
    std::printf("%-5s %s\n", step.ok ? "ok" : "FAIL", step.text.c_str());
    std::fflush(stdout);
  };
  auto report = run_health_check(*config, transport(verbose), options);
  if (!report.ok()) return fail(report.status());
  if (report->ok()) return 0;
  std::fprintf(stderr, "s3dest: error: the health check failed: see the FAIL line above\n");
  return static_cast<int>(ErrorKind::destination);
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
  if (command == "sign") return run_sign(args);
  if (command == "check") return run_check(args);
  return usage("unknown command \"" + command + "\"");
}
