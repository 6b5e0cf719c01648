// Any bytes as ~/.aws/credentials or ~/.aws/config: sections and settings, or an error
// naming the file and line, never a crash; no section or setting name is empty.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "s3dest/aws/profile_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool config_file : {false, true}) {
    auto sections = s3dest::aws::parse_profile_file(text, config_file, "fuzz");
    if (!sections.ok()) {
      if (sections.status().message().rfind("fuzz:", 0) != 0) std::abort();
      continue;
    }
    for (const auto& [name, settings] : *sections) {
      if (name.empty()) std::abort();
      for (const auto& [key, value] : settings)
        if (key.empty()) std::abort();
    }
  }
  return 0;
}
