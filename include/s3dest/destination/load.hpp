// The whole load: input rows -> partitions (by record date and account) -> records in a
// bounded store -> objects no bigger than the cap, named by the layout -> a sink.
//
//   1. check the config, the layout and the first input's schema (nothing written yet)
//   2. read the inputs on threads of their own; route each row to its partition and
//      encode it as a record; live partitions stream chunks 00001, 00002, ... to the
//      sink, the rest wait in a bounded store. Each partition's first chunk lists what
//      an earlier run left there (RunKeys)
//   3. complete every object, tell the caller (on_complete: e.g. write the manifest), and
//      publish them (a local folder renames them into place)
//   4. remove the earlier runs' stale chunks above each written partition's last one
//
// Nothing that existed before the run is lost: on any failure (or a raised stop flag)
// the open objects are dropped and the sink rolls the run back: its new objects go, the
// objects it replaced are named in the message.
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
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/object_options.hpp"
#include "s3dest/destination/run_keys.hpp"
#include "s3dest/format/avro_format.hpp"
#include "s3dest/format/parquet_format.hpp"
#include "s3dest/format/text_format.hpp"
#include "s3dest/layout/key_layout.hpp"
#include "s3dest/layout/partition_runs.hpp"
#include "s3dest/layout/partitioned_writer.hpp"
#include "s3dest/table/background_reader.hpp"

namespace s3dest {

// How far a load is: what on_progress is handed, now and then while rows are read and
// once at the end (`finished`).
struct LoadProgress {
  uint64_t rows_read = 0;
  // The inputs' stored bytes read so far (gzip inputs: compressed bytes) and their total,
  // for the share done and the time left; a total of 0: not known (standard input).
  uint64_t input_bytes_read = 0;
  uint64_t input_bytes_total = 0;
  // The objects so far: committed, bytes stored, uploads on their way (S3).
  SinkProgress objects;
  bool finished = false;
};

struct LoadReport;

struct LoadOptions {
  std::vector<std::string> inputs = {"-"};  // paths; "-" is standard input
  InputFormat input_format = InputFormat::ndjson;
  std::optional<Schema> schema;  // from --schema; inferred when absent
  std::string prefix;            // key prefix from --dest s3://bucket/prefix
  int64_t run_start_micros = 0;  // "now": --now, or the clock
  std::string run_id;            // {{run_id}}; new_run_id() of the start when empty
  std::string worker;            // --worker: {{worker}}
  // Raised: the load stops at once, rolls back and fails with an `interrupted` error.
  const StopFlag* stop = nullptr;
  // Called once every check has passed, before the first row is read: a failure ends the
  // run before it writes anything. May be empty.
  std::function<Status()> on_start;
  // Called now and then from the loading thread; may be empty.
  std::function<void(const LoadProgress&)> on_progress;
  // Called once every object is complete, with the report (its `removed`: the stale chunks
  // about to go), before anything is published: a failure (a manifest that cannot be
  // written) undoes the run. May be empty.
  std::function<Status(const LoadReport&)> on_complete;
};

struct LoadedObject {
  WrittenObject object;                  // object.info.replaced: the key held an object before
  std::string format;                    // "csv+gzip", ...
  std::optional<std::string> partition;  // "YYYY-MM-DD" or "YYYY-MM"
  std::optional<std::string> account;
};

// A stale chunk of an earlier run that the run removed (a dry run: would remove).
struct RemovedObject {
  std::string key;
  uint32_t chunk_id = 0;
  std::optional<std::string> partition;
  std::optional<std::string> account;
};

struct LoadReport {
  std::string run_id;
  std::string worker;
  std::vector<LoadedObject> objects;  // sorted by key
  std::vector<RemovedObject> removed;
  // Copies other runs kept beside objects in the partitions this run wrote: those runs
  // were killed (or are running now), and the copies stay until `cleanup --run`.
  std::vector<OtherRunCopies> other_runs_copies;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

Result<LoadReport> load(const Config& config, ObjectSink& sink, const LoadOptions& options);

// The config's layout as the layout layer wants it, for a run that starts at
// `run_start_micros` (with `worker` and `run_id` for {{worker}} and {{run_id}}).
Result<KeyLayout> make_key_layout(const Config& config, const std::string& prefix, int64_t run_start_micros,
                                  const std::string& worker = "", const std::string& run_id = "");
// The config's layout made to recognise the keys of any of its runs and workers
// (KeyLayout::could_render, fixed_prefix): for `check` and `cleanup`.
Result<KeyLayout> make_matching_layout(const Config& config, const std::string& prefix);

// What the health check's test object carries (Content-Type, storage class, ACL, tags,
// metadata): the config's object options rendered as for an object of a run that starts
// at `now_micros`: the partition's date is that day (where `layout`, the config's layout
// for the check, partitions), {{account}} and {{worker}} are "check", the chunk 00001,
// and the run id and {{uuid}} fresh ones. Fails (usage) where a load would refuse them.
Result<ObjectProperties> object_properties_for_check(const Config& config, const KeyLayout& layout,
                                                     int64_t now_micros);

}  // namespace s3dest

#include "s3dest/destination/load-inl.hpp"
