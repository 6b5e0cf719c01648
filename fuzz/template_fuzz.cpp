// Any text as folder and file name templates: a layout or a usage error, and every key
// a layout renders stays inside its prefix (no "..", no empty segment, no leading "/").
// The three views of a layout's keys agree: render(), the partition's chunk key pattern
// (key and chunk_id_of) and could_render() of the layout made for matching.
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
  if (text.find("worker") != std::string::npos) options.worker = "w-1";
  options.run_id = "20261201T224412Z-5f3a9c1e";
  for (const char* name : {"workspace_id", "workspace_title", "data_source", "data_table_title", "report_type",
                           "filename", "dataclass"})
    options.context[name] = "..";
  auto layout = s3dest::KeyLayout::create(options);
  if (!layout.ok()) return 0;
  s3dest::KeyParts parts;
  parts.record_day = 19000;
  parts.account = "../x";
  parts.chunk_id = 42;
  parts.uuid = "3f6c0b2e-8d1a-4c7e-9b0f-2a5d6e7f8091";
  std::string key;
  layout->render(parts, key);
  if (key.rfind("p/", 0) != 0 || key.find("//") != std::string::npos) std::abort();
  if (key.find("/../") != std::string::npos || key.find("/./") != std::string::npos) std::abort();

  const s3dest::ChunkKeyPattern pattern = layout->chunk_key_pattern(parts);
  if (pattern.key(42) != key) std::abort();
  if (pattern.chunk_id_of(key) != (pattern.has_chunk_id() ? 42u : 1u)) std::abort();
  if (key.compare(0, pattern.list_prefix().size(), pattern.list_prefix()) != 0) std::abort();

  options.matching_only = true;
  options.worker.clear();
  auto matching = s3dest::KeyLayout::create(options);
  if (!matching.ok() || !matching->could_render(key)) std::abort();
  if (key.compare(0, matching->fixed_prefix().size(), matching->fixed_prefix()) != 0) std::abort();
  return 0;
}
