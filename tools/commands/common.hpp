// What the s3dest tools' commands share: the usage text, error reporting, where --dest
// points, --now, and stopping on SIGINT/SIGTERM/SIGHUP. Nothing here reaches a network
// (s3dest-encode builds on it without libcurl); transport.hpp does.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/layout/key_layout.hpp"

namespace s3dest::tool {

inline constexpr const char* kUsage = R"(usage:
  s3dest load  --config FILE [--input PATH]... [--input-format ndjson|json|csv] [--schema FILE]
               [--dest URI] [--set NAME=VALUE]... [--now TIME] [--manifest FILE] [--worker ID]
               [--dry-run] [--progress | --no-progress] [--verbose]
  s3dest check --config FILE [--dest URI] [--now TIME] [--verbose]
  s3dest policy --config FILE [--dest s3://BUCKET[/PREFIX]] [--for role|bucket|kms|trust|all]
               [--principal ARN]
  s3dest put   --config FILE [--dest URI] [--key KEY] [--set NAME=VALUE]... [--now TIME]
               [--manifest FILE] [--dry-run] [--verbose] FILE...
  s3dest cleanup --config FILE [--dest URI] [--older-than DURATION] [--run RUNID] [--key KEY] [--verbose]
  s3dest manifest merge FILE...
  s3dest sign  --method M --url URL [--header "Name: value"]... [--body-file F | --unsigned-payload]
               --region R --service S --time YYYYMMDDTHHMMSSZ --access-key K --secret-key S
               [--session-token T] [--presign SECONDS] [--no-normalize] [--format text|json]
  s3dest version

--dest is s3://bucket[/prefix], file://DIR or a folder path. --input - (or none) reads
standard input; .gz inputs are decompressed; JSON input is NDJSON or one array of objects.
--now fixes "now" (RFC 3339) for names.
--worker names this writer when several load one dataset ({{worker}} in the layout).
A load never deletes what existed before it; SIGINT/SIGTERM/SIGHUP stop it and undo it.
A local load killed while it published is taken back by the next run into its folder.
put uploads files as they are, one object each, under the folder's fixed prefix (the
folder up to its first variable) with the file's base name, or under --key (the whole key,
one file only); what exists is replaced or kept as existing_objects says.
cleanup aborts the multipart uploads and removes the temporary files that killed loads
left (DURATION: 30s, 15m, 2h, 7d; default 0: all of them), and the spill folders in
$TMPDIR that no running load holds; it takes back a local load killed in the middle of
its renames, putting back the files it replaced; --run RUNID also takes back the objects
that killed run finished in S3: in a versioned bucket it deletes the run's versions
(what they replaced is current again), elsewhere it deletes the objects where {{run_id}}
or {{uuid}} makes every key new in each run, or from the copies the run kept of what it
replaced; --key KEY also looks at that key and its copies (a put --key's), wherever it is.
policy prints the JSON policies the bucket owner pastes (default all that apply): the
writer's IAM policy, the bucket policy, the KMS key statement, the roles' trust policies;
--principal is the ARN s3dest runs as (else STS GetCallerIdentity finds it).
manifest merge joins several workers' manifests, refusing a key written twice.
sign prints the SigV4 canonical request, string to sign, signature and the headers to add
(or with --presign the presigned URL, valid up to 604800 seconds); without --secret-key
the secret comes from AWS_SECRET_ACCESS_KEY, or with --secret-key - from standard input.
)";

// SIGINT, SIGTERM and SIGHUP (its terminal closed) raise stop_on_signal(): the work in
// progress notices, undoes itself and ends with 128 + the signal's number; a second one
// ends the process at once. SIGPIPE is ignored: when whoever reads s3dest's messages goes
// away (`2>&1 | head`), a load killed between two commits would leave half a run behind,
// so it goes on to its end unheard instead; and a connection closed under a write is then
// an error libcurl reports (and s3dest retries), never the end of the process.
inline StopFlag& stop_on_signal() {
  static StopFlag stop;
  return stop;
}

inline volatile sig_atomic_t g_stop_signal = 0;

inline void on_stop_signal(int signal) {
  if (g_stop_signal != 0) _exit(128 + signal);  // asked twice: leave now
  g_stop_signal = signal;
  stop_on_signal().raise(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "SIGHUP");
}

inline void stop_on_signals() {
  struct sigaction action = {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (const int number : {SIGINT, SIGTERM, SIGHUP}) sigaction(number, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// The exit code of a failure: 128 + the signal's number when a signal stopped the work.
inline int exit_code_of(const Status& status) {
  if (status.kind() == ErrorKind::interrupted && g_stop_signal != 0) return 128 + g_stop_signal;
  return status.exit_code();
}

inline int fail(const Status& status) {
  std::fprintf(stderr, "s3dest: error: %s\n", status.message().c_str());
  return exit_code_of(status);
}

inline int usage(const std::string& message, const char* usage_text = kUsage) {
  std::fprintf(stderr, "s3dest: error: %s\n%s", message.c_str(), usage_text);
  return 2;
}

// Where --dest (or the config's bucket) points.
struct Destination {
  std::string folder;          // a local folder, or
  std::string bucket, prefix;  // s3://bucket/prefix

  bool is_s3() const { return folder.empty(); }
  std::string text() const { return is_s3() ? "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix) : folder; }
};

inline Result<Destination> destination_of(const std::string& dest, const Config& config) {
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

// Refuses endpoints over plain http to another machine unless allow_http, and then
// warns on stderr: every run says it.
inline Status warn_of_plain_http(const Config& config) {
  S3DEST_ASSIGN_OR_RETURN(const auto warning, plain_http_warning(config));
  if (warning) std::fprintf(stderr, "s3dest: warning: %s\n", warning->c_str());
  return {};
}

// The run's start: --now (RFC 3339, years 0001-9999) or the clock.
inline Result<int64_t> run_start(const std::string& now_text) {
  if (now_text.empty())
    return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  const auto now = parse_timestamp(now_text);
  if (!now || *now < int64_t{kFirstRecordDay} * kMicrosPerDay || *now >= (int64_t{kLastRecordDay} + 1) * kMicrosPerDay)
    return usage_error("--now takes an RFC 3339 time in years 0001-9999, such as 2026-01-31T12:00:00Z, not \"" +
                       now_text + "\"");
  return *now;
}

}  // namespace s3dest::tool
