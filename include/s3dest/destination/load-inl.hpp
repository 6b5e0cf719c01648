#pragma once

#include <tuple>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/format/text_values.hpp"

namespace s3dest {
namespace detail {

struct PartitionKey {
  std::optional<int32_t> day;  // first day of the month for month partitions
  std::string account;
  size_t store_index = 0;
};

// Decides each row's partition and remembers the partitions seen.
class PartitionRouter {
 public:
  PartitionRouter(Partitioning partitioning, std::optional<size_t> date_column,
                  std::optional<size_t> account_column, const Schema& schema)
      : partitioning_(partitioning), date_column_(date_column), account_column_(account_column), schema_(schema) {}

  // The store index for `row`, adding a partition on first sight.
  Result<size_t> route(const Row& row, PartitionStore& store) {
    key_.clear();
    std::optional<int32_t> day;
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
      day = static_cast<int32_t>(days);
      key_.append(reinterpret_cast<const char*>(&*day), sizeof(int32_t));
    }
    if (account_column_) {
      const Value& account = row[*account_column_];
      if (account.is_null)
        return input_error("the account field \"" + schema_.columns[*account_column_].name +
                           "\" is null: every row needs an account when use_load_by_account is on");
      append_value_text(schema_.columns[*account_column_].type, account, key_);
    }
    if (last_ && last_key_ == key_) return last_index_;  // rows often come in runs
    auto it = index_.find(key_);
    if (it == index_.end()) {
      PartitionKey partition;
      partition.day = day;
      if (account_column_) partition.account = key_.substr(day ? sizeof(int32_t) : 0);
      partition.store_index = store.add_partition();
      partitions_.push_back(partition);
      it = index_.emplace(key_, partition.store_index).first;
    }
    last_ = true;
    last_key_ = key_;
    last_index_ = it->second;
    return it->second;
  }

  // Partitions in key order (date, then account), so runs are reproducible.
  std::vector<PartitionKey> sorted() const {
    std::vector<PartitionKey> out = partitions_;
    std::sort(out.begin(), out.end(), [](const PartitionKey& a, const PartitionKey& b) {
      return std::tie(a.day, a.account) < std::tie(b.day, b.account);
    });
    return out;
  }

 private:
  Partitioning partitioning_;
  std::optional<size_t> date_column_, account_column_;
  const Schema& schema_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<PartitionKey> partitions_;
  std::string key_, last_key_;
  bool last_ = false;
  size_t last_index_ = 0;
};

inline Result<std::unique_ptr<RowFormat>> make_row_format(const Config& config, const Schema& schema) {
  TextFormatOptions text;
  text.separator = config.separator;
  switch (config.file_format) {
    case FileFormat::csv_gzip: text.gzip_level = config.gzip_level; [[fallthrough]];
    case FileFormat::csv: text.kind = TextFormatOptions::Kind::csv; break;
    case FileFormat::json_gzip: text.gzip_level = config.gzip_level; [[fallthrough]];
    case FileFormat::json: text.kind = TextFormatOptions::Kind::json; break;
    case FileFormat::parquet:
    case FileFormat::avro:
      return usage_error("file_format \"" + std::string(file_format_name(config.file_format)) +
                         "\" is not available in this version yet: use csv, csv+gzip, json or json+gzip");
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
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, make_key_layout(config, options.prefix, options.run_start_micros));
  if (layout.partitioning() != Partitioning::none && config.date_field.empty())
    return usage_error("\"date_field\" is missing: the layout uses {{YYYY}}/{{MM}}/{{DD}}, which come from "
                       "each row's date; name the date column, or use the _today variables");
  if (options.inputs.empty()) return usage_error("no input given");

  // Open every input first, so a missing file fails before anything is written.
  std::vector<std::unique_ptr<ByteSource>> sources;
  for (const auto& path : options.inputs) {
    S3DEST_ASSIGN_OR_RETURN(auto source, ByteSource::open(path));
    sources.push_back(std::move(source));
  }

  const char* tmpdir = std::getenv("TMPDIR");
  PartitionStore store(static_cast<uint64_t>(config.memory_limit_mb * 1024 * 1024 / 4),
                       tmpdir && *tmpdir ? tmpdir : "/tmp");
  ReaderOptions reader_options;
  reader_options.schema = options.schema;
  reader_options.csv_separator = config.separator;
  std::optional<Schema> schema;
  std::unique_ptr<RowFormat> format;
  std::optional<PartitionRouter> router;
  LoadProgress progress;
  Row row;
  std::string record;

  // 2. Read and route.
  for (auto& source : sources) {
    S3DEST_ASSIGN_OR_RETURN(auto reader, open_row_reader(std::move(source), options.input_format, reader_options));
    if (!schema) {
      schema = reader->schema();
      if (!reader_options.schema) {  // later inputs must match what the first one showed
        reader_options.schema_origin = "inferred from the first " +
                                       std::to_string(reader_options.inference_rows) + " rows of " +
                                       options.inputs.front();
      }
      reader_options.schema = schema;
      S3DEST_ASSIGN_OR_RETURN(format, make_row_format(config, *schema));
      std::optional<size_t> date_column, account_column;
      if (layout.partitioning() != Partitioning::none) {
        S3DEST_ASSIGN_OR_RETURN(date_column, find_field(*schema, config.date_field, "date_field"));
        const TypeId type = schema->columns[*date_column].type.id;
        if (type != TypeId::date && type != TypeId::timestamp)
          return usage_error("\"date_field\": column \"" + config.date_field + "\" is " +
                             schema->columns[*date_column].type.name() +
                             ", not a date or timestamp: give its type with --schema, or name another column");
      }
      if (config.use_load_by_account) {
        S3DEST_ASSIGN_OR_RETURN(account_column, find_field(*schema, config.account_field, "account_field"));
      }
      router.emplace(layout.partitioning(), date_column, account_column, *schema);
    }
    for (;;) {
      S3DEST_ASSIGN_OR_RETURN(const bool more, reader->next(row));
      if (!more) break;
      auto partition = router->route(row, store);
      if (!partition.ok()) return partition.status().prefixed(reader->location() + ": ");
      record.clear();
      format->encode_record(row, record);
      S3DEST_TRY(store.append(*partition, record));
      if ((++progress.rows_read & 0xFFFF) == 0 && options.on_progress) options.on_progress(progress);
    }
  }
  if (!schema) return input_error("no input rows: nothing to load");

  // 3. Write each partition as chunks.
  LoadReport report;
  std::vector<WrittenObject> written;
  std::string key;
  for (const PartitionKey& partition : router->sorted()) {
    const size_t first_object = written.size();
    ChunkWriter writer(
        sink, *format, config.max_file_bytes(),
        [&](uint32_t chunk_id) {
          KeyParts parts;
          parts.record_day = partition.day;
          parts.account = partition.account;
          parts.chunk_id = chunk_id;
          layout.render(parts, key);
          return key;
        },
        written);
    Status status = store.drain(partition.store_index, [&](std::string_view r) { return writer.add(r); });
    if (status.ok()) status = writer.finish();
    if (!status.ok()) {
      writer.abort();
      return undo_written(sink, written, status);
    }
    for (size_t i = first_object; i < written.size(); ++i) {
      LoadedObject loaded;
      loaded.object = written[i];
      loaded.format = std::string(file_format_name(config.file_format));
      if (partition.day) loaded.partition = partition_text(*partition.day, layout.partitioning());
      if (config.use_load_by_account) loaded.account = partition.account;
      report.rows += loaded.object.rows;
      report.bytes += loaded.object.info.bytes;
      report.objects.push_back(std::move(loaded));
      progress.objects_written = report.objects.size();
      progress.bytes_written = report.bytes;
    }
    if (options.on_progress) options.on_progress(progress);
  }
  return report;
}

}  // namespace s3dest
