#define BOOST_TEST_MODULE partitioned_writer
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/format/parquet_format.hpp"
#include "s3dest/format/text_format.hpp"
#include "s3dest/layout/key_layout.hpp"
#include "s3dest/layout/partitioned_writer.hpp"
#include "memory_sink.hpp"
#include "temp_folder.hpp"

using namespace s3dest;

namespace {

using test_helpers::MemoryBucket;
using test_helpers::MemorySink;
using test_helpers::TempFolder;

constexpr uint64_t kNoCap = uint64_t{1} << 40;

LayoutOptions daily() {
  LayoutOptions layout;
  layout.folder = "/{{YYYY}}/{{MM}}/{{DD}}";
  layout.file_name = "part-{{chunk_id}}";
  layout.extension = ".csv";
  layout.has_size_cap = true;
  return layout;
}

LayoutOptions monthly() {
  LayoutOptions layout = daily();
  layout.folder = "/{{YYYY}}/{{MM}}";
  layout.partition_by = PartitionBy::month;
  return layout;
}

Schema date_n_text() {
  Schema schema;
  schema.columns = {{"date", {TypeId::date}, true}, {"n", {TypeId::int64}, true}, {"text", {TypeId::string}, true}};
  return schema;
}

KeyLayout accepted(LayoutOptions options) {
  auto layout = KeyLayout::create(std::move(options));
  BOOST_TEST_REQUIRE(layout.ok(), layout.status().message());
  return std::move(*layout);
}

struct WritingOptions {
  LayoutOptions layout = daily();
  uint64_t cap = kNoCap;
  size_t live_writers = 100;               // how many the live memory holds
  size_t max_open_objects = SIZE_MAX;      // how many the sink may have open
  uint64_t store_memory = 64 << 20;        // the PartitionStore's budget
  std::optional<uint32_t> refused_chunk;  // the caller refuses this chunk id's key
};

// What a caller of PartitionedWriter does (load() does the same with the config's layout):
// numbers each partition when its first row comes, routes every row to its partition, and
// names a partition's chunks with the layout. Rows are csv: date,n,text.
class Writing {
 public:
  explicit Writing(WritingOptions options = {})
      : options_(std::move(options)), layout_(accepted(options_.layout)),
        sink(options_.max_open_objects),
        store(options_.store_memory, spill_root.path.string()),
        writer(sink, format, options_.cap,
               2 * options_.live_writers * (format.open_file_memory() + sink.open_object_memory()), store,
               [this](size_t partition, uint32_t chunk_id) { return object_for(partition, chunk_id); }) {}

  // Routes a row dated `date` to its partition: the one whose first chunk's key it renders.
  Status add(const std::string& date, int n, size_t text_bytes = 20) {
    KeyParts parts;
    parts.record_day = *parse_date(date);
    std::string first_key;
    layout_.render(parts, first_key);
    const auto [at, is_new] = partition_of_.emplace(first_key, days_.size());
    if (is_new) {
      days_.push_back(*parts.record_day);
      BOOST_TEST_REQUIRE(writer.add_partition() == at->second);  // numbered in order of first sight
    }
    std::string record;
    format.encode_record({Value::of_int(*parts.record_day), Value::of_int(n), Value::of_bytes(std::string(text_bytes, 'x'))},
                         record);
    return writer.add(at->second, record);
  }

  // Finishes every object, the stored partitions in key order (as load() does) unless
  // `order` is given.
  Status finish(std::vector<size_t> order = {}) {
    if (order.empty())
      for (const auto& [key, partition] : partition_of_) order.push_back(partition);
    return writer.finish(order);
  }

  // The partition number of a key's partition, as add_partition() gave it.
  size_t partition_of(const std::string& first_key) const { return partition_of_.at(first_key); }

  // The rows of object `key` as "date,n", its header row checked and dropped.
  std::vector<std::string> rows_in(const std::string& key) const {
    const std::string& bytes = sink.objects.at(key);
    BOOST_TEST_REQUIRE(bytes.rfind("date,n,text\n", 0) == 0u, key + " does not start with the header row");
    std::vector<std::string> rows;
    for (size_t at = bytes.find('\n') + 1; at < bytes.size(); at = bytes.find('\n', at) + 1) {
      const size_t second_comma = bytes.find(',', bytes.find(',', at) + 1);
      rows.push_back(bytes.substr(at, second_comma - at));
    }
    return rows;
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> keys;
    for (const auto& [key, bytes] : sink.objects) keys.push_back(key);
    return keys;
  }

 private:
  Result<NewObject> object_for(size_t partition, uint32_t chunk_id) {
    if (chunk_id == options_.refused_chunk)
      return usage_error("chunk " + std::to_string(chunk_id) + " would pass the chunks this test allows");
    KeyParts parts;
    parts.record_day = days_.at(partition);
    parts.chunk_id = chunk_id;
    NewObject object;
    layout_.render(parts, object.key);
    return object;
  }

  WritingOptions options_;
  const Schema schema_ = date_n_text();
  const KeyLayout layout_;
  std::map<std::string, size_t> partition_of_;  // first chunk's key -> partition number
  std::vector<int32_t> days_;                    // by partition number

 public:
  const TextFormat format{schema_, TextFormatOptions{}};
  MemorySink sink;
  TempFolder spill_root;  // the store's TMPDIR
  PartitionStore store;
  PartitionedWriter writer;
};

// Rows of January 2026: its day's date, its day's folder, and a row as rows_in shows it.
std::string date(int day) { return "2026-01-0" + std::to_string(day); }
std::string folder(int day) { return "2026/01/0" + std::to_string(day) + "/"; }
std::string row(int day, int n) { return date(day) + "," + std::to_string(n); }

std::string chunk_key(const std::string& folder, uint32_t chunk_id) {
  const std::string digits = std::to_string(chunk_id);
  return folder + "part-" + std::string(5 - digits.size(), '0') + digits + ".csv";
}

// The keys of a partition's chunks 1..count under `folder`.
std::vector<std::string> chunk_keys(const std::string& folder, uint32_t count) {
  std::vector<std::string> keys;
  for (uint32_t id = 1; id <= count; ++id) keys.push_back(chunk_key(folder, id));
  return keys;
}

// Every row in the objects under `folder`, chunk after chunk.
std::vector<std::string> rows_under(const Writing& w, const std::string& folder) {
  std::vector<std::string> rows;
  for (const std::string& key : w.keys())
    if (key.rfind(folder, 0) == 0) {
      const auto chunk = w.rows_in(key);
      rows.insert(rows.end(), chunk.begin(), chunk.end());
    }
  return rows;
}

// Adds rows n = 0 .. count-1, each dated January day_of(n), 2026; returns each day's rows
// as rows_in shows them.
template <class DayOf>
std::map<int, std::vector<std::string>> add_rows(Writing& w, int count, DayOf day_of, size_t text_bytes = 20) {
  std::map<int, std::vector<std::string>> by_day;
  for (int n = 0; n < count; ++n) {
    const int day = day_of(n);
    BOOST_REQUIRE(w.add(date(day), n, text_bytes).ok());
    by_day[day].push_back(row(day, n));
  }
  return by_day;
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_row_goes_to_its_days_object_in_the_order_given) {
  Writing w;
  auto by_day = add_rows(w, 300, [](int n) { return 1 + (n / 7) % 3; });  // runs of seven rows a day
  BOOST_REQUIRE(w.finish().ok());
  BOOST_TEST(w.keys() == (std::vector<std::string>{"2026/01/01/part-00001.csv", "2026/01/02/part-00001.csv",
                                                    "2026/01/03/part-00001.csv"}),
             boost::test_tools::per_element());
  for (int day = 1; day <= 3; ++day)
    BOOST_TEST(w.rows_in(chunk_key(folder(day), 1)) == by_day[day],
               boost::test_tools::per_element());
  // What was written, by partition as the caller numbered them.
  BOOST_REQUIRE(w.writer.written().size() == 3u);
  for (const WrittenObject& o : w.writer.written()) {
    BOOST_TEST(o.partition == w.partition_of(o.info.key));
    BOOST_TEST(o.chunk_id == 1u);
    BOOST_TEST(o.rows == w.rows_in(o.info.key).size());
    BOOST_TEST(o.info.bytes == w.sink.objects.at(o.info.key).size());
  }
}

BOOST_AUTO_TEST_CASE(a_month_partition_gathers_the_rows_of_every_day_of_its_month) {
  WritingOptions options;
  options.layout = monthly();
  Writing w(options);
  const std::vector<std::string> dates = {"2026-01-01", "2025-12-31", "2026-01-31", "2026-02-01", "2026-01-15"};
  for (size_t n = 0; n < dates.size(); ++n) BOOST_REQUIRE(w.add(dates[n], static_cast<int>(n)).ok());
  BOOST_REQUIRE(w.finish().ok());
  BOOST_TEST(w.keys() == (std::vector<std::string>{"2025/12/part-00001.csv", "2026/01/part-00001.csv",
                                                    "2026/02/part-00001.csv"}),
             boost::test_tools::per_element());
  // Each row keeps its own date; the month only names the object.
  BOOST_TEST(w.rows_in("2026/01/part-00001.csv") ==
                 (std::vector<std::string>{"2026-01-01,0", "2026-01-31,2", "2026-01-15,4"}),
             boost::test_tools::per_element());
  BOOST_TEST(w.rows_in("2025/12/part-00001.csv") == std::vector<std::string>{"2025-12-31,1"},
             boost::test_tools::per_element());
  BOOST_TEST(w.rows_in("2026/02/part-00001.csv") == std::vector<std::string>{"2026-02-01,3"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(each_partition_numbers_its_chunks_from_1_and_fills_each_up_to_the_cap) {
  WritingOptions options;
  options.cap = 4096;
  Writing w(options);
  auto by_day = add_rows(w, 1200, [](int n) { return 1 + n % 2; }, 30);
  BOOST_REQUIRE(w.finish().ok());
  const size_t row_bytes = std::string("2026-01-01,1199,").size() + 30 + 1;  // the longest row
  for (int day = 1; day <= 2; ++day) {
    std::vector<std::string> keys;
    for (const std::string& key : w.keys())
      if (key.rfind(folder(day), 0) == 0) keys.push_back(key);
    BOOST_TEST_CONTEXT(folder(day)) {
      BOOST_TEST_REQUIRE(keys.size() > 3u);
      BOOST_TEST(keys == chunk_keys(folder(day), static_cast<uint32_t>(keys.size())),
                 boost::test_tools::per_element());  // no gap
      for (size_t i = 0; i < keys.size(); ++i) {
        const size_t size = w.sink.objects.at(keys[i]).size();
        BOOST_TEST(size <= options.cap, keys[i]);
        if (i + 1 < keys.size()) BOOST_TEST(size + row_bytes > options.cap, keys[i] << " could hold another row");
      }
      // Each chunk goes on where the one before it stopped.
      BOOST_TEST(rows_under(w, folder(day)) == by_day[day], boost::test_tools::per_element());
    }
  }
  for (const WrittenObject& o : w.writer.written())
    BOOST_TEST(o.info.key == chunk_key(o.info.key.substr(0, o.info.key.rfind('/') + 1), o.chunk_id));
}

BOOST_AUTO_TEST_CASE(a_chunk_key_the_caller_refuses_stops_the_writer_before_that_chunk) {
  WritingOptions options;
  options.cap = 1024;
  options.refused_chunk = 3;
  Writing w(options);
  Status status;
  int n = 0;
  while (status.ok() && n < 10000) status = w.add(date(1), n++);
  BOOST_TEST_REQUIRE(!status.ok());
  BOOST_TEST(status.message() == "chunk 3 would pass the chunks this test allows");
  BOOST_TEST(status.exit_code() == 2);
  BOOST_TEST(w.writer.abort() == 0u);  // chunk 3 was never opened
  BOOST_TEST(w.keys() == chunk_keys(folder(1), 2), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(partitions_past_the_live_writers_wait_in_the_store_and_are_written_in_the_order_given) {
  WritingOptions options;
  options.cap = 2048;
  options.live_writers = 2;
  options.store_memory = 2048;  // small: the waiting rows spill to files
  Writing w(options);
  auto by_day = add_rows(w, 1500, [](int n) { return 1 + n % 5; }, 30);
  // The first two days stream into their objects; the other three have none yet.
  for (const std::string& key : w.keys())
    BOOST_TEST((key.rfind(folder(1), 0) == 0 || key.rfind(folder(2), 0) == 0), key);
  BOOST_TEST(w.keys().size() > 4u);
  BOOST_TEST(w.store.bytes_spilled() > 0u);

  const size_t before = w.writer.written().size();
  BOOST_REQUIRE(w.finish({4, 0, 2, 1, 3}).ok());  // partition numbers; the live ones (0, 1) are skipped
  // Stored partitions begin in that order (a few files are open at once at the end, so
  // their later chunks may be committed between another's).
  std::vector<size_t> stored_order;
  for (size_t i = before; i < w.writer.written().size(); ++i) {
    const size_t partition = w.writer.written()[i].partition;
    if (partition >= 2 && std::find(stored_order.begin(), stored_order.end(), partition) == stored_order.end())
      stored_order.push_back(partition);
  }
  BOOST_TEST(stored_order == (std::vector<size_t>{4, 2, 3}), boost::test_tools::per_element());
  for (int day = 1; day <= 5; ++day)
    BOOST_TEST(rows_under(w, folder(day)) == by_day[day], boost::test_tools::per_element());
  // Spill files go as their partitions are written; the folder's lock stays while the
  // store lives.
  for (const auto& [name, bytes] : test_helpers::snapshot(w.spill_root.path))
    if (std::filesystem::path(name).filename() != "lock") BOOST_TEST(bytes == "/", name << " is still there");
}

BOOST_AUTO_TEST_CASE(stored_partitions_are_written_a_few_files_at_once_within_what_live_writers_had) {
  // While one file is fed, the last blocks of the ones before it compress on the format's
  // threads; as many files as there were live writers, and no more than 4. Nine days:
  // the live writers' days stream, the rest wait in the store.
  for (const size_t live_writers : {size_t{1}, size_t{3}, size_t{5}}) {
    BOOST_TEST_CONTEXT(live_writers << " live writers") {
      WritingOptions options;
      options.live_writers = live_writers;
      Writing w(options);
      auto by_day = add_rows(w, 2000, [](int n) { return 1 + n % 9; }, 30);
      w.sink.most_open = 0;
      BOOST_REQUIRE(w.finish().ok());
      BOOST_TEST(w.sink.most_open == std::min<size_t>(live_writers, 4));  // 1, 3, 4
      BOOST_TEST(w.sink.open_now == 0u);
      for (int day = 1; day <= 9; ++day)
        BOOST_TEST(rows_under(w, folder(day)) == by_day[day], boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(no_more_partitions_are_live_than_the_sink_may_have_objects_open) {
  WritingOptions options;
  options.live_writers = 100;  // memory for many
  options.max_open_objects = 2;
  Writing w(options);
  auto by_day = add_rows(w, 1500, [](int n) { return 1 + n % 5; }, 30);
  for (const std::string& key : w.keys())
    BOOST_TEST((key.rfind(folder(1), 0) == 0 || key.rfind(folder(2), 0) == 0), key);
  BOOST_REQUIRE(w.finish().ok());
  for (int day = 1; day <= 5; ++day)
    BOOST_TEST(rows_under(w, folder(day)) == by_day[day], boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_raised_stop_ends_finish_and_abort_drops_the_open_objects) {
  Writing w;
  add_rows(w, 30, [](int n) { return 1 + n % 3; });
  StopFlag stop;
  stop.raise("SIGTERM");
  std::vector<size_t> order = {0, 1, 2};
  const Status finished = w.writer.finish(order, &stop);
  BOOST_TEST((finished.kind() == ErrorKind::interrupted));
  BOOST_TEST(finished.message() == "interrupted by SIGTERM");
  BOOST_TEST(w.writer.abort() == 3u);
  BOOST_TEST(w.sink.objects.empty());
}

namespace {

// A format whose files hold every record back until they are finished or asked to release
// their memory, as a parquet file holds its row group. Each early release is logged as
// "<first byte of the records>:<bytes released>".
class HoldingFormat final : public RowFormat {
 public:
  explicit HoldingFormat(uint64_t open_file_memory) : open_file_memory_(open_file_memory) {}
  std::shared_ptr<std::vector<std::string>> releases = std::make_shared<std::vector<std::string>>();

  std::string_view extension() const override { return ".held"; }
  void encode_record(const Row&, std::string&) const override {}
  std::unique_ptr<FileEncoder> new_file() const override { return std::make_unique<File>(releases); }
  uint64_t open_file_memory() const override { return open_file_memory_; }

 private:
  class File final : public FileEncoder {
   public:
    explicit File(std::shared_ptr<std::vector<std::string>> releases) : releases_(std::move(releases)) {}
    Status begin(ByteSink& out, uint64_t) override {
      out_ = &out;
      return {};
    }
    Result<bool> try_add(std::string_view record) override {
      held_.append(record);
      return true;
    }
    Status finish() override { return write_held(); }
    uint64_t memory_held() const override { return held_.size(); }
    Status release_memory() override {
      releases_->push_back(held_.substr(0, 1) + ":" + std::to_string(held_.size()));
      return write_held();
    }

   private:
    Status write_held() {
      S3DEST_TRY(out_->write(held_));
      held_.clear();
      return {};
    }
    std::shared_ptr<std::vector<std::string>> releases_;
    ByteSink* out_ = nullptr;
    std::string held_;
  };

  uint64_t open_file_memory_;
};

// A 100-byte record of partition `letter`: "a07 ....".
std::string record(char letter, int n) {
  std::string r = std::string(1, letter) + (n < 10 ? "0" : "") + std::to_string(n) + " ";
  return r + std::string(100 - r.size(), '.');
}

}  // namespace

BOOST_AUTO_TEST_CASE(when_the_live_files_hold_more_than_their_share_the_one_holding_most_writes_it_out) {
  const HoldingFormat format(1000);
  MemorySink sink;
  TempFolder spill_root;
  PartitionStore store(1 << 20, spill_root.path.string());
  // 6000 bytes of live memory: 3000 for three files' fixed costs, 3000 for what they hold.
  PartitionedWriter writer(sink, format, kNoCap, 6000, store, [](size_t partition, uint32_t) -> Result<NewObject> {
    NewObject object;
    object.key = std::string(1, static_cast<char>('a' + partition)) + ".held";
    return object;
  });
  for (size_t p = 0; p < 4; ++p) BOOST_REQUIRE(writer.add_partition() == p);
  std::map<char, int> added;
  const auto add = [&](char letter, int count) {
    for (int i = 0; i < count; ++i) BOOST_REQUIRE(writer.add(static_cast<size_t>(letter - 'a'), record(letter, added[letter]++)).ok());
  };
  add('a', 10);  // 1000 bytes held
  add('b', 15);  // 1500
  add('c', 5);   // 500: 3000 in all, no more than the share
  add('d', 50);  // the fourth partition waits in the store: not held by a live file
  BOOST_TEST(format.releases->empty());
  add('c', 1);  // 3100: b holds most
  BOOST_TEST(*format.releases == std::vector<std::string>{"b:1500"}, boost::test_tools::per_element());
  add('a', 14);  // a 2400 + c 600: the share again
  BOOST_TEST(format.releases->size() == 1u);
  add('a', 1);
  BOOST_TEST(*format.releases == (std::vector<std::string>{"b:1500", "a:2500"}), boost::test_tools::per_element());

  BOOST_REQUIRE(writer.finish({0, 1, 2, 3}).ok());
  for (const auto& [letter, count] : added) {
    std::string expected;
    for (int i = 0; i < count; ++i) expected += record(letter, i);
    BOOST_TEST(sink.objects.at(std::string(1, letter) + ".held") == expected, letter << ": released data out of place");
  }
}

BOOST_AUTO_TEST_CASE(stored_partitions_whose_files_hold_data_are_written_one_at_a_time) {
  // Held data (parquet's row groups) has room for one file's at the end: no window.
  const HoldingFormat format(1000);
  MemorySink sink;
  TempFolder spill_root;
  PartitionStore store(1 << 20, spill_root.path.string());
  PartitionedWriter writer(sink, format, kNoCap, 6000, store, [](size_t partition, uint32_t) -> Result<NewObject> {
    NewObject object;
    object.key = std::string(1, static_cast<char>('a' + partition)) + ".held";
    return object;
  });
  std::vector<size_t> order;
  for (size_t p = 0; p < 8; ++p) {
    BOOST_REQUIRE(writer.add_partition() == p);
    order.push_back(p);
    for (int i = 0; i < 5; ++i) BOOST_REQUIRE(writer.add(p, record(static_cast<char>('a' + p), i)).ok());
  }
  sink.most_open = 0;
  BOOST_REQUIRE(writer.finish(order).ok());
  BOOST_TEST(sink.most_open == 1u);  // the five stored ones (d to h), each alone
  BOOST_TEST(sink.objects.size() == 8u);
  for (size_t p = 0; p < 8; ++p) {
    const char letter = static_cast<char>('a' + p);
    std::string expected;
    for (int i = 0; i < 5; ++i) expected += record(letter, i);
    BOOST_TEST(sink.objects.at(std::string(1, letter) + ".held") == expected);
  }
}

BOOST_AUTO_TEST_CASE(many_parquet_files_settled_on_several_threads_are_the_bytes_one_thread_writes) {
  // Sixty days, each a live parquet file at the end: finish settles their last pages and
  // dictionaries on several threads at once, then writes the files one after the other.
  const Schema schema = date_n_text();
  auto format = ParquetFormat::create(schema, ParquetOptions{});
  BOOST_TEST_REQUIRE(format.ok(), format.status().message());
  const auto write_all = [&](int settle_threads) {
    MemorySink sink;
    TempFolder spill_root;
    PartitionStore store(64 << 20, spill_root.path.string());
    PartitionedWriter writer(sink, **format, kNoCap, uint64_t{1} << 30, store,
                             [](size_t partition, uint32_t chunk_id) -> Result<NewObject> {
                               NewObject object;
                               object.key = "day-" + std::to_string(partition) + "/part-" +
                                            std::to_string(chunk_id) + ".parquet";
                               return object;
                             },
                             settle_threads);
    std::vector<size_t> order;
    for (size_t day = 0; day < 60; ++day) order.push_back(writer.add_partition());
    std::string record;
    for (int n = 0; n < 30000; ++n) {
      const size_t day = static_cast<size_t>(n) % 60;
      record.clear();
      (*format)->encode_record({Value::of_int(20454 + static_cast<int64_t>(day)), Value::of_int(n),
                                Value::of_bytes("campaign-" + std::to_string(n % 37))},
                               record);
      BOOST_REQUIRE(writer.add(day, record).ok());
    }
    BOOST_REQUIRE(writer.finish(order).ok());
    BOOST_TEST(writer.written().size() == 60u);
    return sink.objects;
  };
  const MemoryBucket one_thread = write_all(1);
  BOOST_TEST_REQUIRE(one_thread.size() == 60u);
  BOOST_TEST((write_all(4) == one_thread), "the files settled on four threads differ from one thread's");
}
