// s3dest manifest merge FILE...: the manifests of several workers' runs as one, on
// standard output; a key two of them wrote is refused (exit 3), naming both files.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/core/settings_file.hpp"
#include "s3dest/destination/manifest.hpp"
#include "common.hpp"
#include "options.hpp"

namespace s3dest::tool {

inline int run_manifest(const std::vector<std::string>& args) {
  if (args.empty() || args.front() != "merge")
    return usage(args.empty() ? "manifest needs a subcommand: s3dest manifest merge FILE..."
                              : "unknown subcommand for manifest: use s3dest manifest merge FILE...");
  std::vector<std::string> files;
  Options parser;
  parser.arguments(files);
  if (const std::string error = parser.parse({args.begin() + 1, args.end()}, "s3dest manifest merge"); !error.empty())
    return usage(error);
  if (files.empty()) return usage("manifest merge needs the manifests to merge: s3dest manifest merge FILE...");
  std::vector<std::pair<std::string, LoadReport>> manifests;
  for (const std::string& file : files) {
    // A manifest lists at most a few hundred bytes per object; a bigger file is no manifest.
    constexpr size_t kMaxManifestBytes = size_t{1} << 30;
    auto json = read_settings_file(file, kMaxManifestBytes, "manifest", "give the files that s3dest load --manifest wrote");
    if (!json.ok()) return fail(json.status());
    auto manifest = parse_manifest(*json, file);
    if (!manifest.ok()) return fail(manifest.status());
    manifests.emplace_back(file, std::move(*manifest));
  }
  auto merged = merge_manifests(manifests);
  if (!merged.ok()) return fail(merged.status());
  std::fwrite(merged->data(), 1, merged->size(), stdout);
  return 0;
}

}  // namespace s3dest::tool
