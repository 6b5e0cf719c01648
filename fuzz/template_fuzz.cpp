// Any text as folder and file name templates: a layout or a usage error, and every key
// a layout renders stays inside its prefix (no "..", no empty segment, no leading "/").
#include <cstdlib>
#include <string>

#include "s3dest/layout/key_layout.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t split = text.find('\n');
  s3dest::LayoutOptions options;
  options.folder = text.substr(0, split);
  options.file_name = split == std::string::npos ? "f" : text.substr(split + 1);
  options.extension = ".csv";
  options.prefix = "p";
  options.load_by_account = text.find("account") != std::string::npos;
  for (const char* name : {"workspace_id", "workspace_title", "data_source", "data_table_title", "report_type",
                           "filename", "dataclass"})
    options.context[name] = "..";
  auto layout = s3dest::KeyLayout::create(options);
  if (!layout.ok()) return 0;
  s3dest::KeyParts parts;
  parts.record_day = 19000;
  parts.account = "../x";
  std::string key;
  layout->render(parts, key);
  if (key.rfind("p/", 0) != 0 || key.find("//") != std::string::npos) std::abort();
  if (key.find("/../") != std::string::npos || key.find("/./") != std::string::npos) std::abort();
  return 0;
}
