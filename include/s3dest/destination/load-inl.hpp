#pragma once

#include <cstring>
#include <thread>
#include <tuple>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/format/text_values.hpp"

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
  PartitionKeyer(Partitioning partitioning, std::optional<size_t> date_column,
                 std::optional<size_t> account_column, const Schema& schema)
      : partitioning_(partitioning), date_column_(date_column), account_column_(account_column), schema_(schema) {}

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
      if (partitioning_ == Partitioning::month) {
        const CivilDate civil = civil_from_days(days);
        days = days_from_civil(CivilDate{civil.year, civil.month, 1});
      }
      const auto day = static_cast<int32_t>(days);
      key.append(reinterpret_cast<const char*>(&day), sizeof day);
    }
    if (account_column_) {
      const Value& account = row[*account_column_];
      const size_t before = key.size();
      if (!account.is_null) append_value_text(schema_.columns[*account_column_].type, account, key);
      if (key.size() == before)
        return input_error("the account field \"" + schema_.columns[*account_column_].name +
                           "\" is empty: every row needs an account when use_load_by_account is on");
    }
    return {};
  }

  PartitionKey decode(std::string_view key) const {
    PartitionKey partition;
    if (partitioning_ != Partitioning::none) {
      int32_t day;
      std::memcpy(&day, key.data(), sizeof day);
      partition.day = day;
      key.remove_prefix(sizeof day);
    }
    partition.account = std::string(key);
    return partition;
  }

 private:
  Partitioning partitioning_;
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
  TextFormatOptions text;
  text.separator = config.separator;
  switch (config.file_format) {
    case FileFormat::csv_gzip: text.gzip_level = config.gzip_level; [[fallthrough]];
    case FileFormat::csv: text.kind = TextFormatOptions::Kind::csv; break;
    case FileFormat::json_gzip: text.gzip_level = config.gzip_level; [[fallthrough]];
    case FileFormat::json: text.kind = TextFormatOptions::Kind::json; break;
    case FileFormat::avro: {
      AvroOptions avro;
      avro.codec = config.avro_codec == "null" ? AvroOptions::Codec::null : AvroOptions::Codec::deflate;
      avro.binary_strings = config.use_binary_strings;
      S3DEST_ASSIGN_OR_RETURN(auto format, AvroFormat::create(schema, avro));
      return std::unique_ptr<RowFormat>(std::move(format));
    }
    case FileFormat::parquet: {
      ParquetOptions parquet;
      parquet.compression = config.parquet_compression == "gzip"   ? ParquetOptions::Compression::gzip
                            : config.parquet_compression == "none" ? ParquetOptions::Compression::none
                                                                   : ParquetOptions::Compression::snappy;
      parquet.gzip_level = config.gzip_level;
      parquet.binary_strings = config.use_binary_strings;
      // Open files hold their data in an eighth of the memory limit (a quarter for live
      // writers in load() below, half of it for held data): one row group must fit.
      const auto eighth = static_cast<uint64_t>(config.memory_limit_mb * 1024 * 1024 / 8);
      parquet.row_group_bytes = std::min(parquet.row_group_bytes, std::max<uint64_t>(eighth, 1 << 20));
      S3DEST_ASSIGN_OR_RETURN(auto format, ParquetFormat::create(schema, parquet));
      return std::unique_ptr<RowFormat>(std::move(format));
    }
  }
  return std::unique_ptr<RowFormat>(std::make_unique<TextFormat>(schema, text));
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

// Undoes a failed run: every object it completed is deleted.
inline Status undo_written(ObjectSink& sink, const std::vector<WrittenObject>& written, const Status& cause) {
  std::string left;
  for (const auto& object : written)
    if (!sink.remove(object.info.key).ok()) left += "\n  " + sink.describe(object.info.key);
  if (left.empty()) return cause;
  return Status::error(cause.kind(), cause.message() + "\nthese objects of the failed run could not be deleted:" + left);
}

}  // namespace detail

inline std::string_view file_format_name(FileFormat format) {
  for (const auto& named : detail::kFileFormats)
    if (named.value == format) return named.name;
  return "";
}

inline Result<KeyLayout> make_key_layout(const Config& config, const std::string& prefix, int64_t run_start_micros) {
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
  return KeyLayout::create(std::move(layout));
}

inline Result<LoadReport> load(const Config& config, ObjectSink& sink, const LoadOptions& options) {
  using namespace detail;
  // 1. Check everything that can be checked before reading.
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, make_key_layout(config, options.prefix, options.run_start_micros));
  if (layout.partitioning() != Partitioning::none && config.date_field.empty())
    return usage_error("\"date_field\" is missing: the layout uses {{YYYY}}/{{MM}}/{{DD}}, which come from "
                       "each row's date; name the date column, or use the _today variables");
  if (options.inputs.empty()) return usage_error("no input given");
  // Open every input first, so a missing file fails before anything is written.
  std::vector<InputPlan> plans;
  for (const auto& path : options.inputs) {
    InputPlan plan;
    S3DEST_ASSIGN_OR_RETURN(plan.source, ByteSource::open(path));
    plan.parallel = options.input_format == InputFormat::ndjson && path != "-";
    plans.push_back(std::move(plan));
  }
  // The first input decides the schema (given, or inferred from its first rows).
  ReaderOptions reader_options;
  reader_options.schema = options.schema;
  reader_options.csv_separator = config.separator;
  Schema schema;
  if (options.schema) {
    schema = *options.schema;
  } else {
    InputPlan& first = plans.front();
    S3DEST_ASSIGN_OR_RETURN(first.reader, open_row_reader(std::move(first.source), options.input_format, reader_options));
    schema = first.reader->schema();
    reader_options.schema_origin = "inferred from the first " + std::to_string(reader_options.inference_rows) +
                                   " rows of " + first.reader->name();
    if (first.parallel) {  // read the file again from its start, in parallel
      first.reader.reset();
      S3DEST_ASSIGN_OR_RETURN(first.source, ByteSource::open(options.inputs.front()));
    }
  }
  reader_options.schema = schema;  // every input must match
  S3DEST_ASSIGN_OR_RETURN(const auto format, make_row_format(config, schema));
  std::optional<size_t> date_column, account_column;
  if (layout.partitioning() != Partitioning::none) {
    S3DEST_ASSIGN_OR_RETURN(date_column, find_field(schema, config.date_field, "date_field"));
    const TypeId type = schema.columns[*date_column].type.id;
    if (type != TypeId::date && type != TypeId::timestamp)
      return usage_error("\"date_field\": column \"" + config.date_field + "\" is " +
                         schema.columns[*date_column].type.name() +
                         ", not a date or timestamp: give its type with --schema, or name another column");
  }
  if (config.use_load_by_account) {
    S3DEST_ASSIGN_OR_RETURN(account_column, find_field(schema, config.account_field, "account_field"));
  }

  // 2. Read and encode (on threads of their own), route and write.
  const PartitionKeyer keyer(layout.partitioning(), date_column, account_column, schema);
  PartitionIndex partitions;
  const uint64_t memory_limit = static_cast<uint64_t>(config.memory_limit_mb * 1024 * 1024);
  const char* tmpdir = std::getenv("TMPDIR");
  PartitionStore store(memory_limit / 4, tmpdir && *tmpdir ? tmpdir : "/tmp");
  std::string key;
  PartitionedWriter writer(sink, *format, config.max_file_bytes(),
                           memory_limit / 4, store,
                           [&](size_t partition, uint32_t chunk_id) {
                             KeyParts parts;
                             parts.record_day = partitions.key(partition).day;
                             parts.account = partitions.key(partition).account;
                             parts.chunk_id = chunk_id;
                             layout.render(parts, key);
                             return key;
                           });
  const auto fail = [&](const Status& cause) {
    writer.abort();
    return undo_written(sink, writer.written(), cause);
  };
  const EncodeRow encode = [&keyer, &format](const Row& row, std::string& key, std::string& record) {
    S3DEST_TRY(keyer.key_of(row, key));
    format->encode_record(row, record);
    return Status();
  };
  LoadProgress progress;
  {
    BackgroundReader reader(std::move(plans), options.input_format, reader_options, encode,
                            std::max(1u, std::thread::hardware_concurrency()), memory_limit / 4);
    for (;;) {
      auto batch = reader.next();
      if (!batch.ok()) return fail(batch.status());
      if (!*batch) break;
      const Status status = (*batch)->pairs.for_each([&](std::string_view key, std::string_view record) {
        const auto route = partitions.find_or_add(key, keyer);
        if (route.is_new && writer.add_partition() != route.partition)
          return internal_error("partition numbers out of step");
        return writer.add(route.partition, record);
      });
      if (!status.ok()) return fail(status);
      progress.rows_read += (*batch)->pairs.rows();
      if (options.on_progress) options.on_progress(progress);
    }
  }

  // 3. Complete every object.
  if (const Status status = writer.finish(partitions.sorted()); !status.ok()) return fail(status);
  LoadReport report;
  for (const WrittenObject& object : writer.written()) {
    LoadedObject loaded;
    loaded.object = object;
    loaded.format = std::string(file_format_name(config.file_format));
    const PartitionKey& partition = partitions.key(object.partition);
    if (partition.day) loaded.partition = partition_text(*partition.day, layout.partitioning());
    if (config.use_load_by_account) loaded.account = partition.account;
    report.rows += object.rows;
    report.bytes += object.info.bytes;
    report.objects.push_back(std::move(loaded));
  }
  std::sort(report.objects.begin(), report.objects.end(),
            [](const LoadedObject& a, const LoadedObject& b) { return a.object.info.key < b.object.info.key; });
  progress.objects_written = report.objects.size();
  progress.bytes_written = report.bytes;
  if (options.on_progress) options.on_progress(progress);
  return report;
}

}  // namespace s3dest
