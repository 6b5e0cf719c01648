// s3dest-encode: s3dest load into a local folder, for constrained builds. The same config
// file, layout, formats, manifest, dry run and exit codes, built from the same code
// (commands/load_run.hpp), with nothing of S3: it links neither libcurl nor OpenSSL
// (S3DEST_NO_OPENSSL; the checksum "md5" is then refused), so S3DEST_STATIC_TOOLS can link
// it into a small static binary. A bucket is copied to later with any S3 tool.
#include <string>
#include <vector>

#include "s3dest/version.hpp"
#include "commands/load_run.hpp"

namespace {

constexpr const char* kEncodeUsage = R"(usage:
  s3dest-encode --config FILE --dest DIR [--input PATH]... [--input-format ndjson|json|csv]
                [--schema FILE] [--set NAME=VALUE]... [--now TIME] [--manifest FILE]
                [--worker ID] [--dry-run] [--progress | --no-progress]
  s3dest-encode version

Loads rows into DIR laid out as s3dest load lays out a bucket (file://DIR works too),
with the config's formats, layout and size caps; s3dest load's options and exit codes.
It has no S3: use s3dest load for s3:// destinations.
)";

s3dest::Result<std::unique_ptr<s3dest::ObjectSink>> open_folder_only(const s3dest::tool::LoadArgs&,
                                                                     const s3dest::Config& config,
                                                                     const s3dest::tool::Destination& dest,
                                                                     const std::string& run_id) {
  if (dest.is_s3())
    return s3dest::usage_error("s3dest-encode writes to a local folder, not " + dest.text() +
                               ": give --dest DIR, or load into S3 with s3dest load");
  return s3dest::tool::open_local_folder(config, dest, run_id);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace s3dest::tool;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args.front() == "version" || args.front() == "--version")) {
    std::printf("s3dest-encode %s (build %s)\n", s3dest::kVersion, S3DEST_BUILD);
    return 0;
  }
  if (!args.empty() && (args.front() == "--help" || args.front() == "-h" || args.front() == "help")) {
    std::fputs(kEncodeUsage, stdout);
    return 0;
  }
  return run_load_with(LoadTool{"s3dest-encode", kEncodeUsage, open_folder_only}, args);
}
