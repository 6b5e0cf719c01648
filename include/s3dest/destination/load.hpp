// The whole load: input rows -> partitions (by record date and account) -> records in a
// bounded store -> objects no bigger than the cap, named by the layout -> a sink.
//
//   1. check the config, the layout and the first input's schema (nothing written yet)
//   2. read the inputs on a thread of their own; route each row to its partition and
//      encode it as a record; live partitions stream chunks 00001, 00002, ... to the
//      sink, the rest wait in a bounded store
//   3. complete every object; on any failure, drop the open objects and delete the
//      ones already written
#pragma once

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/format/avro_format.hpp"
#include "s3dest/format/parquet_format.hpp"
#include "s3dest/format/text_format.hpp"
#include "s3dest/layout/key_layout.hpp"
#include "s3dest/layout/partitioned_writer.hpp"
#include "s3dest/table/background_reader.hpp"

namespace s3dest {

struct LoadProgress {
  uint64_t rows_read = 0;
  uint64_t objects_written = 0;
  uint64_t bytes_written = 0;
};

struct LoadOptions {
  std::vector<std::string> inputs = {"-"};  // paths; "-" is standard input
  InputFormat input_format = InputFormat::ndjson;
  std::optional<Schema> schema;  // from --schema; inferred when absent
  std::string prefix;            // key prefix from --dest s3://bucket/prefix
  int64_t run_start_micros = 0;  // "now": --now, or the clock
  // Called now and then from the loading thread; may be empty.
  std::function<void(const LoadProgress&)> on_progress;
};

struct LoadedObject {
  WrittenObject object;
  std::string format;                  // "csv+gzip", ...
  std::optional<std::string> partition;  // "YYYY-MM-DD" or "YYYY-MM"
  std::optional<std::string> account;
};

struct LoadReport {
  std::vector<LoadedObject> objects;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

Result<LoadReport> load(const Config& config, ObjectSink& sink, const LoadOptions& options);

// The config's layout as the layout layer wants it.
Result<KeyLayout> make_key_layout(const Config& config, const std::string& prefix, int64_t run_start_micros);

std::string_view file_format_name(FileFormat format);

}  // namespace s3dest

#include "s3dest/destination/load-inl.hpp"
