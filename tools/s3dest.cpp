// s3dest: load tabular data into S3 or a local folder laid out like the bucket.
// The command line is DESIGN.md's contract; exit codes: 0 ok, 2 usage/config/template,
// 3 bad input data, 4 destination, 1 bug, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM. Each
// command is in commands/<command>_command.hpp.
#include <cstdio>
#include <string>
#include <vector>

#include "s3dest/version.hpp"
#include "commands/check_command.hpp"
#include "commands/cleanup_command.hpp"
#include "commands/load_command.hpp"
#include "commands/manifest_command.hpp"
#include "commands/policy_command.hpp"
#include "commands/put_command.hpp"
#include "commands/sign_command.hpp"

int main(int argc, char** argv) {
  using namespace s3dest::tool;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage("no command given");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "load") return run_load(args);
  if (command == "put") return run_put(args);
  if (command == "check") return run_check(args);
  if (command == "cleanup") return run_cleanup(args);
  if (command == "policy") return run_policy(args);
  if (command == "manifest") return run_manifest(args);
  if (command == "sign") return run_sign(args);
  if (command == "version" || command == "--version") {
    std::printf("s3dest %s (build %s)\n", s3dest::kVersion, S3DEST_BUILD);
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  return usage("unknown command \"" + command + "\"");
}
