#pragma once

#include <atomic>
#include <cstring>
#include <deque>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <thread>
#include <tuple>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/little_endian.hpp"
#include "s3dest/core/rereadable_source.hpp"
#include "s3dest/core/usable_cores.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/destination/bookkeeping_meter.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/destination/memory_budget.hpp"
#include "s3dest/format/text_values.hpp"
#include "s3dest/table/json_lines.hpp"

namespace s3dest {
namespace detail {

struct PartitionKey {
  std::optional<int32_t> day;  // first day of the month for month partitions
  std::string account;
};

// The bytes that decide a row's partition: its record date's day (or month's first
// day) and its account, as far as the layout splits by them. Used from several threads.
class PartitionKeyer {
 public:
  // `layout` and `max_name_bytes`: an account that would make a key too long for the sink
  // is the row's error.
  PartitionKeyer(const KeyLayout& layout, size_t max_name_bytes, std::optional<size_t> date_column,
                 std::optional<size_t> account_column, const Schema& schema)
      : layout_(layout), partitioning_(layout.partitioning()), max_name_bytes_(max_name_bytes),
        account_fits_(layout.account_bytes_that_always_fit(max_name_bytes)), date_column_(date_column),
        account_column_(account_column), schema_(schema) {}

  Status key_of(const Row& row, std::string& key) const {
    if (partitioning_ != Partitioning::none) {
      const Value& date = row[*date_column_];
      if (date.is_null)
        return input_error("the date field \"" + schema_.columns[*date_column_].name +
                           "\" is null, so the row has no partition: give every row a date, or use "
                           "the _today variables in the layout");
      int64_t days = schema_.columns[*date_column_].type.id == TypeId::timestamp
                         ? floor_div(date.integer, kMicrosPerDay)
                         : date.integer;
      if (days < kFirstRecordDay || days > kLastRecordDay) {
        std::string value;
        append_value_text(schema_.columns[*date_column_].type, date, value);
        return input_error("the date field \"" + schema_.columns[*date_column_].name + "\" is " + value +
                           ", outside the years 0001 to 9999 (in UTC) that {{YYYY}} can name: correct the value");
      }
      if (partitioning_ == Partitioning::month) {
        const CivilDate civil = civil_from_days(days);
        days = days_from_civil(CivilDate{civil.year, civil.month, 1});
      }
      append_little_endian(key, static_cast<int32_t>(days));
    }
    if (account_column_) {
      const Value& account = row[*account_column_];
      const size_t before = key.size();
      if (!account.is_null) append_value_text(schema_.columns[*account_column_].type, account, key);
      if (key.size() == before)
        return input_error("the account field \"" + schema_.columns[*account_column_].name +
                           "\" is empty: every row needs an account when use_load_by_account is on");
      const std::string_view text = std::string_view(key).substr(before);
      if (key_value_size(text) > account_fits_)
        if (const auto problem = layout_.key_size_problem(text, max_name_bytes_))
          return input_error("the account \"" + std::string(text.substr(0, 40)) + (text.size() > 40 ? "..." : "") +
                             "\" (" + std::to_string(text.size()) + " bytes): " + *problem +
                             ": shorten the account values (or drop {{account}} from the layout)");
    }
    return {};
  }

  PartitionKey decode(std::string_view key) const {
    PartitionKey partition;
    if (partitioning_ != Partitioning::none) {
      partition.day = load_little_endian<int32_t>(key);
      key.remove_prefix(sizeof(int32_t));
    }
    partition.account = std::string(key);
    return partition;
  }

 private:
  const KeyLayout& layout_;
  Partitioning partitioning_;
  size_t max_name_bytes_;
  size_t account_fits_;  // safe-form bytes below which no check is needed
  std::optional<size_t> date_column_, account_column_;
  const Schema& schema_;
};

// Numbers partitions in order of first sight.
class PartitionIndex {
 public:
  struct Route {
    size_t partition;
    bool is_new;
  };
  Route find_or_add(std::string_view key, const PartitionKeyer& keyer) {
    if (has_last_ && last_key_ == key) return Route{last_partition_, false};  // rows come in runs
    auto it = index_.find(std::string(key));
    const bool is_new = it == index_.end();
    if (is_new) {
      partitions_.push_back(keyer.decode(key));
      it = index_.emplace(std::string(key), partitions_.size() - 1).first;
    }
    has_last_ = true;
    last_key_.assign(key.data(), key.size());
    last_partition_ = it->second;
    return Route{it->second, is_new};
  }

  const PartitionKey& key(size_t partition) const { return partitions_[partition]; }

  // Partition numbers in key order (date, then account), so output is reproducible.
  std::vector<size_t> sorted() const {
    std::vector<size_t> order(partitions_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [this](size_t a, size_t b) {
      return std::tie(partitions_[a].day, partitions_[a].account) <
             std::tie(partitions_[b].day, partitions_[b].account);
    });
    return order;
  }

 private:
  std::unordered_map<std::string, size_t> index_;
  std::vector<PartitionKey> partitions_;
  std::string last_key_;
  bool has_last_ = false;
  size_t last_partition_ = 0;
};

inline Result<std::unique_ptr<RowFormat>> make_row_format(const Config& config, const Schema& schema) {
  return s3dest::make_row_format(config.file_format, schema, format_settings(config));
}

inline Result<std::optional<size_t>> find_field(const Schema& schema, const std::string& field,
                                                const std::string& config_key) {
  if (const auto index = schema.find(field)) return std::optional<size_t>(index);
  std::vector<std::string> names;
  for (const auto& c : schema.columns) names.push_back(c.name);
  return usage_error("\"" + config_key + "\": \"" + field + "\" is not a column of the input (columns: " +
                     join_alternatives(names) + ")");
}

inline std::string partition_text(int32_t day, Partitioning partitioning) {
  std::string text;
  append_date(text, day);
  if (partitioning == Partitioning::month) text.resize(text.size() - 3);
  return text;
}

// What step 1 settles before anything is read or written.
struct InputsPlan {
  std::vector<std::unique_ptr<ByteSource>> inputs;  // each to be read from its start
  ReaderOptions reader_options;
  Schema schema;
  std::optional<size_t> date_column, account_column;
};

// How far through its inputs a load is: their stored bytes read so far (the readers'
// threads add to it) and their total, 0 when one has no known end (standard input).
struct InputMeter {
  std::atomic<uint64_t> bytes_read{0};
  uint64_t bytes_total = 0;
  bool total_known = true;
};

// An input as its format reads it: JSON (NDJSON, or one array of objects) as lines. Its
// bytes count in `meter`; `add_to_total`: its size too (it is opened for the first time).
inline Result<std::unique_ptr<ByteSource>> open_input(const std::string& path, const LoadOptions& options,
                                                      InputMeter& meter, bool add_to_total) {
  S3DEST_ASSIGN_OR_RETURN(auto source, ByteSource::open(path, options.stop));
  source->count_stored_bytes_in(meter.bytes_read);
  if (add_to_total) {
    const std::optional<uint64_t> size = source->stored_size();
    meter.bytes_total += size.value_or(0);
    meter.total_known = meter.total_known && size.has_value();
  }
  if (options.input_format == InputFormat::ndjson) source = json_lines(std::move(source));
  return source;
}

// The date field as the config declares it: a timestamp if it is a number in a unit, a
// date or timestamp by its format (whether the format reads a time of day), else either,
// which inference decides.
inline Column date_field_column(const Config& config) {
  Column column{config.date_field, ColumnType(TypeId::timestamp), true};
  column.type.unit = config.date_field_unit;
  column.type.format = config.date_format;
  if (!config.date_format.empty() && !format_has_time(config.date_format)) column.type.id = TypeId::date;
  return column;
}

// How inputs are read: the separator, the date field's type, and the bounds the memory
// limit sets on a line and a row.
inline ReaderOptions reader_options_for(const Config& config, const KeyLayout& layout, const LoadOptions& options) {
  const MemoryBudget memory(config.memory_limit_mb);
  ReaderOptions reader;
  reader.schema = options.schema;
  reader.csv_separator = config.separator;
  // Parsing a line takes about six times its size (simdjson's index and strings beside
  // the line), within the reader's quarter.
  reader.max_line_bytes = memory.max_line_bytes();
  // Each column costs a few KiB in every open file (a parquet column's page, dictionary
  // and statistics).
  reader.max_columns = memory.max_columns();
  if (layout.partitioning() != Partitioning::none) reader.time_columns = {date_field_column(config)};
  return reader;
}

// The --schema given, with date_format / date_field_unit applied to the date field unless
// the schema gives that column a format or unit of its own.
inline Result<Schema> given_schema(const Schema& schema, const Config& config, const KeyLayout& layout,
                                   size_t max_columns) {
  if (schema.columns.size() > max_columns)
    return usage_error("the --schema file has " + std::to_string(schema.columns.size()) +
                       " columns, more than memory_limit_mb allows (" + std::to_string(max_columns) +
                       "): raise memory_limit_mb");
  Schema out = schema;
  const ColumnType declared = date_field_column(config).type;
  const auto date = out.find(config.date_field);
  if (date && layout.partitioning() != Partitioning::none &&
      (!declared.format.empty() || declared.unit != EpochUnit::none)) {
    ColumnType& type = out.columns[*date].type;
    if (type.format.empty() && type.unit == EpochUnit::none) type = declared;
  }
  return out;
}

// The schema inferred from the first input's first rows, which is then read again from
// its start: a file is opened again; standard input, which cannot be, is read again
// from the bytes inference took (its sample of up to 2 x max_line_bytes, and a read-ahead).
inline Status infer_schema(InputsPlan& plan, const LoadOptions& options, InputMeter& meter) {
  std::unique_ptr<ByteSource>& first = plan.inputs.front();
  const bool standard_input = options.inputs.front() == "-";
  std::optional<RereadableSource> rereadable;
  if (standard_input) first = rereadable.emplace(std::move(first)).first_reading();
  S3DEST_ASSIGN_OR_RETURN(const auto reader, open_row_reader(std::move(first), options.input_format, plan.reader_options));
  plan.schema = reader->schema();
  plan.reader_options.schema_origin = "inferred from the first " + std::to_string(plan.reader_options.inference_rows) +
                                      " rows of " + reader->name();
  if (standard_input) {
    first = rereadable->second_reading();
  } else {
    meter.bytes_read = 0;  // only the first input was read, and is read again from its start
    S3DEST_ASSIGN_OR_RETURN(first, open_input(options.inputs.front(), options, meter, false));
  }
  return {};
}

// The columns that decide partitions: the date field (a date or timestamp) and the account.
inline Status find_partition_columns(InputsPlan& plan, const Config& config, const KeyLayout& layout) {
  if (layout.partitioning() != Partitioning::none) {
    S3DEST_ASSIGN_OR_RETURN(plan.date_column, find_field(plan.schema, config.date_field, "date_field"));
    const TypeId type = plan.schema.columns[*plan.date_column].type.id;
    if (type != TypeId::date && type != TypeId::timestamp)
      return usage_error("\"date_field\": column \"" + config.date_field + "\" is " +
                         plan.schema.columns[*plan.date_column].type.name() +
                         ", not a date or timestamp: give its type with --schema, or name another column");
  }
  if (config.use_load_by_account) {
    S3DEST_ASSIGN_OR_RETURN(plan.account_column, find_field(plan.schema, config.account_field, "account_field"));
  }
  return {};
}

// Opens every input (a missing file fails before anything is written) and settles the
// schema (given, or inferred from the first input) and the columns that decide
// partitions.
inline Result<InputsPlan> plan_inputs(const Config& config, const KeyLayout& layout, const LoadOptions& options,
                                       InputMeter& meter) {
  if (layout.partitioning() != Partitioning::none && config.date_field.empty())
    return usage_error("\"date_field\" is missing: the layout uses {{YYYY}}/{{MM}}/{{DD}}, which come from "
                       "each row's date; name the date column, or use the _today variables");
  if (options.inputs.empty()) return usage_error("no input given");
  InputsPlan plan;
  for (const auto& path : options.inputs) {
    S3DEST_ASSIGN_OR_RETURN(auto input, open_input(path, options, meter, true));
    plan.inputs.push_back(std::move(input));
  }
  plan.reader_options = reader_options_for(config, layout, options);
  if (options.schema) {
    S3DEST_ASSIGN_OR_RETURN(plan.schema, given_schema(*options.schema, config, layout, plan.reader_options.max_columns));
  } else {
    S3DEST_TRY(infer_schema(plan, options, meter));
  }
  plan.reader_options.schema = plan.schema;  // every input must match
  S3DEST_TRY(find_partition_columns(plan, config, layout));
  return plan;
}

// The key parts of a partition, for the layout.
inline KeyParts key_parts(const PartitionKey& partition, uint32_t chunk_id = 1) {
  KeyParts parts;
  parts.record_day = partition.day;
  parts.account = partition.account;
  parts.chunk_id = chunk_id;
  return parts;
}

// What a load keeps track of: its partitions, what they held before it, and the
// bookkeeping of both in memory_limit_mb.
struct RunState {
  PartitionIndex& partitions;
  PartitionedWriter& writer;
  RunKeys& keys;
  BookkeepingMeter& bookkeeping;
};

// The partition of a row's key. One new to the run is numbered and counted, and what it
// held is listed from now on, in the background, while its first objects fill.
inline Result<size_t> route_row(std::string_view key, const PartitionKeyer& keyer, RunState& run) {
  const auto route = run.partitions.find_or_add(key, keyer);
  if (!route.is_new) return route.partition;
  if (run.writer.add_partition() != route.partition) return internal_error("partition numbers out of step");
  S3DEST_TRY(run.bookkeeping.add_partition());
  run.keys.start_listing(route.partition, key_parts(run.partitions.key(route.partition)));
  return route.partition;
}

// Tells on_progress how far the load is.
inline void report_progress(const LoadOptions& options, const InputMeter& meter, const ObjectSink& sink,
                            LoadProgress& progress) {
  if (!options.on_progress) return;
  progress.input_bytes_read = meter.bytes_read.load(std::memory_order_relaxed);
  progress.input_bytes_total = meter.total_known ? meter.bytes_total : 0;
  progress.objects = sink.progress();
  options.on_progress(progress);
}

// Step 2: reads every input, routes each row to its partition and hands it to the writer.
inline Status write_inputs(InputsPlan& plan, const RowFormat& format, const Config& config,
                           const PartitionKeyer& keyer, RunState& run, const LoadOptions& options,
                           const InputMeter& meter, const ObjectSink& sink, LoadProgress& progress) {
  const EncodeRow encode = [&keyer, &format](const Row& row, std::string& key, std::string& record) {
    S3DEST_TRY(keyer.key_of(row, key));
    format.encode_record(row, record);
    return Status();
  };
  const CallerWork work = format.encodes_on_calling_thread() ? CallerWork::heavy : CallerWork::light;
  BackgroundReader reader(std::move(plan.inputs), options.input_format, plan.reader_options, encode, usable_cores(),
                          MemoryBudget(config.memory_limit_mb).reader_bytes(), options.stop, work);
  PartitionRuns runs;
  const auto write = [&run](size_t partition, std::string_view record) { return run.writer.add(partition, record); };
  for (;;) {
    S3DEST_ASSIGN_OR_RETURN(const InputBatch* batch, reader.next());
    if (!batch) return {};
    if (stop_requested(options.stop)) return interrupted_error(*options.stop);
    // One pass over the batch unless it is grouped: a pass reads it from the parsers'
    // cores' caches, which for one stream was a tenth of the loading thread's time.
    S3DEST_TRY(batch->pairs.for_each([&](std::string_view key, std::string_view record) {
      S3DEST_ASSIGN_OR_RETURN(const size_t partition, route_row(key, keyer, run));
      return runs.add(partition, record, write);
    }));
    S3DEST_TRY(runs.end_batch(write));
    progress.rows_read += batch->pairs.rows();
    report_progress(options, meter, sink, progress);
  }
}

// Takes a failed run back: open objects dropped, the sink's rollback for the rest.
inline Status roll_back(ObjectSink& sink, PartitionedWriter& writer, const Status& cause) {
  const size_t unfinished = writer.abort();
  RollbackReport undone = sink.rollback();
  undone.unfinished += unfinished;
  // An interruption is told in one line: what stopped the run and what was undone.
  const char* joint = cause.kind() == ErrorKind::interrupted ? ": " : "\n";
  return Status::error(cause.kind(), cause.message() + joint + undone.text());
}

// The partition's date ("YYYY-MM-DD" or "YYYY-MM") and account, for the manifest.
inline void describe_partition(const PartitionKey& partition, const KeyLayout& layout, const Config& config,
                               std::optional<std::string>& date, std::optional<std::string>& account) {
  if (partition.day) date = partition_text(*partition.day, layout.partitioning());
  if (config.use_load_by_account) account = partition.account;
}

// With existing_objects "replace", the chunks of earlier runs above the last one this run
// wrote in each of its partitions, so that a partition holds one run's data.
inline Result<std::vector<RemovedObject>> stale_objects(const RunKeys& keys, const PartitionIndex& partitions,
                                                        const KeyLayout& layout, const Config& config) {
  std::vector<RemovedObject> stale;
  S3DEST_ASSIGN_OR_RETURN(const std::vector<StaleChunk> chunks, keys.stale_chunks());
  for (const StaleChunk& chunk : chunks) {
    RemovedObject object;
    object.key = chunk.key;
    object.chunk_id = chunk.chunk_id;
    describe_partition(partitions.key(chunk.partition), layout, config, object.partition, object.account);
    stale.push_back(std::move(object));
  }
  std::sort(stale.begin(), stale.end(), [](const RemovedObject& a, const RemovedObject& b) { return a.key < b.key; });
  return stale;
}

// Step 4: the stale chunks go, once the run's objects are in place.
inline Status remove_stale_chunks(ObjectSink& sink, const std::vector<RemovedObject>& stale) {
  std::vector<std::string> keys;
  for (const RemovedObject& object : stale) keys.push_back(object.key);
  std::string left;
  for (const Status& removed : sink.remove_all(keys))
    if (!removed.ok()) left += "\n  " + removed.message();
  if (left.empty()) return {};
  return destination_error("the run's objects are in place, but chunks an earlier run left above them could not be "
                           "removed (delete them by hand, or run the load again):" + left);
}

inline Result<LoadReport> report_of(const ObjectSink& sink, PartitionedWriter& writer,
                                    const PartitionIndex& partitions, const KeyLayout& layout, const Config& config) {
  LoadReport report;
  // The committed list is taken, not copied, and emptied as the report fills: with many
  // thousands of objects, their keys and checksums are never held twice.
  std::deque<WrittenObject> written = writer.take_written();
  report.objects.reserve(written.size());
  for (; !written.empty(); written.pop_front()) {
    LoadedObject loaded;
    loaded.object = std::move(written.front());
    loaded.format = std::string(format_entry(config.file_format).name);
    describe_partition(partitions.key(loaded.object.partition), layout, config, loaded.partition, loaded.account);
    report.rows += loaded.object.rows;
    report.bytes += loaded.object.info.bytes;
    report.objects.push_back(std::move(loaded));
  }
  std::sort(report.objects.begin(), report.objects.end(),
            [](const LoadedObject& a, const LoadedObject& b) { return a.object.info.key < b.object.info.key; });
  const auto twice = std::adjacent_find(report.objects.begin(), report.objects.end(),
                                        [](const LoadedObject& a, const LoadedObject& b) {
                                          return a.object.info.key == b.object.info.key;
                                        });
  if (twice != report.objects.end())
    return internal_error("two objects of this run were both named " + sink.describe(twice->object.info.key) +
                          " (nothing is published): this is a bug in s3dest; please report it with the config");
  return report;
}

}  // namespace detail

namespace detail {

inline LayoutOptions layout_options(const Config& config, const std::string& prefix, int64_t run_start_micros) {
  LayoutOptions layout;
  layout.folder = config.folder;
  layout.file_name = config.file_name;
  layout.extension = std::string(file_format_extension(config.file_format));
  layout.prefix = prefix;
  layout.partition_by = config.partition_by;
  layout.load_by_account = config.use_load_by_account;
  layout.has_size_cap = config.max_file_size_mb.has_value();
  layout.context = config.context;
  layout.run_start_micros = run_start_micros;
  return layout;
}

}  // namespace detail

inline Result<KeyLayout> make_key_layout(const Config& config, const std::string& prefix, int64_t run_start_micros,
                                         const std::string& worker, const std::string& run_id) {
  LayoutOptions layout = detail::layout_options(config, prefix, run_start_micros);
  layout.worker = worker;
  layout.run_id = run_id;
  return KeyLayout::create(std::move(layout));
}

inline Result<KeyLayout> make_matching_layout(const Config& config, const std::string& prefix) {
  LayoutOptions layout = detail::layout_options(config, prefix, 0);
  layout.matching_only = true;
  return KeyLayout::create(std::move(layout));
}

inline Result<ObjectProperties> object_properties_for_check(const Config& config, const KeyLayout& layout,
                                                            int64_t now_micros) {
  // A matching layout has no run start, worker or run id: the check's run gets its own.
  LayoutOptions options = detail::layout_options(config, "", now_micros);
  options.run_id = new_run_id(now_micros);
  // A worker's name only where the layout takes one (it refuses --worker otherwise).
  if (layout.uses(TemplateVar::worker) || layout.uses(TemplateVar::uuid)) options.worker = "check";
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout check_layout, KeyLayout::create(std::move(options)));
  S3DEST_ASSIGN_OR_RETURN(const ObjectOptions object_options, ObjectOptions::create(config, check_layout));
  KeyParts parts;
  if (layout.partitioning() != Partitioning::none)
    parts.record_day = static_cast<int32_t>(floor_div(now_micros, kMicrosPerDay));
  parts.account = "check";
  const std::string uuid = random_uuid();
  parts.uuid = uuid;
  return object_options.render(parts);
}

namespace detail {

// The run's layout, refused when even its shortest keys are longer than the sink takes.
inline Result<KeyLayout> run_layout(const Config& config, const ObjectSink& sink, const LoadOptions& options,
                                    const std::string& run_id) {
  S3DEST_ASSIGN_OR_RETURN(KeyLayout layout, make_key_layout(config, options.prefix, options.run_start_micros,
                                                            options.worker, run_id));
  if (const auto problem = layout.key_size_problem("a", sink.max_name_bytes()))
    return usage_error("the layout renders keys too long: " + *problem +
                       "; shorten folder, file_name, the context values or the --dest prefix");
  return layout;
}

// Where partitions that wait for their writer spill: $TMPDIR, else /tmp.
inline std::string spill_folder() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir && *tmpdir ? tmpdir : "/tmp";
}

// The writers' buffers are freed by now, but glibc keeps freed memory in each thread's
// arena; the report (a few hundred bytes an object, for thousands of objects) would come
// on top of it, so it goes back to the system first.
inline void give_back_freed_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// Step 3: what the run wrote, the stale chunks it will remove, and the caller's say
// (on_complete) before anything is published.
inline Result<LoadReport> completed_report(const ObjectSink& sink, PartitionedWriter& writer,
                                           const PartitionIndex& partitions,
                                           const RunKeys& keys, const KeyLayout& layout, const Config& config,
                                           const std::string& run_id, const LoadOptions& options) {
  S3DEST_ASSIGN_OR_RETURN(LoadReport report, report_of(sink, writer, partitions, layout, config));
  report.run_id = run_id;
  report.worker = options.worker;
  S3DEST_ASSIGN_OR_RETURN(report.removed, stale_objects(keys, partitions, layout, config));
  report.other_runs_copies = keys.other_runs_copies();
  if (options.on_complete) S3DEST_TRY(options.on_complete(report));
  return report;
}

}  // namespace detail

inline Result<LoadReport> load(const Config& config, ObjectSink& sink, const LoadOptions& options) {
  using namespace detail;
  // 1. Check everything that can be checked before reading.
  const std::string run_id = options.run_id.empty() ? new_run_id(options.run_start_micros) : options.run_id;
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, run_layout(config, sink, options, run_id));
  InputMeter meter;
  S3DEST_ASSIGN_OR_RETURN(InputsPlan plan, plan_inputs(config, layout, options, meter));
  // The format refers to the schema: made once the plan is where it stays.
  S3DEST_ASSIGN_OR_RETURN(const std::unique_ptr<RowFormat> format, make_row_format(config, plan.schema));

  // 2. Read, route and write.
  const PartitionKeyer keyer(layout, sink.max_name_bytes(), plan.date_column, plan.account_column, plan.schema);
  PartitionIndex partitions;
  S3DEST_ASSIGN_OR_RETURN(const ObjectOptions object_options, ObjectOptions::create(config, layout));
  RunKeys keys(layout, sink, config.existing_objects, std::clamp(config.concurrency, 1, 16),
               sink.keeps_properties() ? &object_options : nullptr);
  const MemoryBudget memory(config.memory_limit_mb);
  PartitionStore store(memory.partition_store_bytes(), spill_folder());
  BookkeepingMeter bookkeeping(memory, store);
  const auto object_for = [&](size_t partition, uint32_t chunk_id) -> Result<NewObject> {
    const KeyParts parts = key_parts(partitions.key(partition), chunk_id);
    S3DEST_ASSIGN_OR_RETURN(NewObject object, keys.object_for(partition, parts));
    S3DEST_TRY(bookkeeping.add_object(object.key));
    return object;
  };
  PartitionedWriter writer(sink, *format, config.max_file_bytes(), memory.open_files_bytes(), store, object_for);
  if (options.on_start) S3DEST_TRY(options.on_start());
  LoadProgress progress;
  RunState run{partitions, writer, keys, bookkeeping};
  Status status = write_inputs(plan, *format, config, keyer, run, options, meter, sink, progress);
  if (status.ok()) status = writer.finish(partitions.sorted(), options.stop);
  // A stop raised by now undoes the run, and whatever failed since failed because of it (a
  // listing cut short). Once publishing has begun, the run completes.
  if (stop_requested(options.stop)) status = interrupted_error(*options.stop);
  give_back_freed_memory();

  // 3. Complete and publish every object, or undo the run.
  Result<LoadReport> report =
      status.ok() ? completed_report(sink, writer, partitions, keys, layout, config, run_id, options) : status;
  status = report.ok() ? sink.publish() : report.status();
  if (!status.ok()) return roll_back(sink, writer, status);

  // 4. The run has succeeded: the stale chunks go, and what was kept to take it back
  // (whatever became of the stale chunks: the copies' threads use this run's listings).
  Status finished = remove_stale_chunks(sink, report->removed);
  if (const Status dropped = sink.drop_kept_copies(); finished.ok()) finished = dropped;
  S3DEST_TRY(finished);
  progress.finished = true;
  report_progress(options, meter, sink, progress);
  return report;
}

}  // namespace s3dest
