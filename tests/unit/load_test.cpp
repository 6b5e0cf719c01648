#define BOOST_TEST_MODULE load
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "s3dest/destination.hpp"
#include "memory_sink.hpp"

using namespace s3dest;
using test_helpers::MemoryBucket;
using test_helpers::MemorySink;

namespace {

// An NDJSON input file with `rows` rows over `days` days from 2026-01-01, removed at the
// end of the test; `bad_last` adds a row whose date is not one.
struct Input {
  std::string path;
  Input(int rows, int days, bool bad_last = false, size_t text_bytes = 15) {
    char name[] = "/tmp/s3dest-load-input-XXXXXX";
    const int fd = ::mkstemp(name);
    ::close(fd);
    path = name;
    std::ofstream out(path);
    for (int i = 0; i < rows; ++i)
      out << "{\"date\": \"2026-01-0" << 1 + i % days << "\", \"n\": " << i << ", \"text\": \""
          << std::string(text_bytes, 'w') << "\"}\n";
    if (bad_last) out << "{\"date\": \"not a date\", \"n\": 0, \"text\": \"\"}\n";
  }
  ~Input() { ::unlink(path.c_str()); }
};

// A daily layout in chunks of about 1 KB; `changes` are config keys and their JSON values.
Config config(const std::map<std::string, std::string>& changes = {}) {
  std::map<std::string, std::string> keys = {{"folder", R"("/{{YYYY}}/{{MM}}/{{DD}}")"},
                                             {"file_name", R"("part-{{chunk_id}}")"},
                                             {"max_file_size_mb", "0.001"},
                                             {"date_field", R"("date")"}};
  for (const auto& [key, value] : changes) keys[key] = value;
  std::string json = "{";
  for (const auto& [key, value] : keys) json += (json.size() > 1 ? ", \"" : "\"") + key + "\": " + value;
  auto parsed = parse_config(json + "}", "test.json");
  BOOST_TEST_REQUIRE(parsed.ok(), parsed.status().message());
  return *parsed;
}

LoadOptions options_for(const Input& input) {
  LoadOptions options;
  options.inputs = {input.path};
  options.run_start_micros = *parse_timestamp("2026-12-01T00:00:00Z");
  return options;
}

LoadReport loaded(const Config& c, ObjectSink& sink, const LoadOptions& options) {
  auto report = load(c, sink, options);
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  return std::move(*report);
}

size_t count_under(const MemoryBucket& bucket, const std::string& prefix) {
  size_t n = 0;
  for (const auto& [key, bytes] : bucket) n += key.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_rerun_with_fewer_rows_replaces_its_partitions_whole) {
  MemoryBucket bucket;
  MemorySink first_run(bucket), sink(bucket);
  const Input first(300, 2), second(60, 1);
  const LoadReport one = loaded(config(), first_run, options_for(first));
  const size_t day1_before = count_under(bucket, "2026/01/01/"), day2_before = count_under(bucket, "2026/01/02/");
  BOOST_REQUIRE_GT(day1_before, 3u);
  bucket["2026/01/01/part-00099.csv.bak"] = "not a chunk";  // only looks like one
  const std::string killed = "20261130T010203Z-00ff00aa";     // a run killed after it replaced chunk 2
  bucket["2026/01/01/.part-00002.csv.s3dest-" + killed + ".kept"] = "what chunk 2 held before it";

  const LoadReport two = loaded(config(), sink, options_for(second));
  const size_t written = two.objects.size();
  BOOST_TEST(count_under(bucket, "2026/01/01/part-") == written + 1);  // its own chunks and the look-alike
  BOOST_TEST(count_under(bucket, "2026/01/02/") == day2_before);      // a partition it did not write
  BOOST_TEST(two.removed.size() == day1_before - written);
  for (const RemovedObject& r : two.removed) {
    BOOST_TEST(r.chunk_id > written);
    BOOST_TEST(*r.partition == "2026-01-01");
  }
  for (const LoadedObject& o : two.objects) BOOST_TEST(o.object.info.replaced);
  BOOST_TEST(one.run_id != two.run_id);
  // One listing of the partition's chunks, then one of the copies other runs kept beside them.
  BOOST_TEST((sink.listed_prefixes == std::vector<std::string>{"2026/01/01/part-", "2026/01/01/.part-"}));
  BOOST_TEST_REQUIRE(two.other_runs_copies.size() == 1u);  // told of, and left to cleanup --run
  BOOST_TEST(two.other_runs_copies[0].run_id == killed);
  BOOST_TEST(two.other_runs_copies[0].copies == 1u);
  BOOST_TEST(bucket.count("2026/01/01/.part-00002.csv.s3dest-" + killed + ".kept") == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_rerun_deletes_only_its_new_objects_and_names_the_replaced_ones) {
  MemoryBucket bucket;
  MemorySink first_run(bucket), sink(bucket);
  const Input first(100, 1), second(20000, 1, true);
  loaded(config(), first_run, options_for(first));
  const auto before = bucket;
  // Small blocks, so rows are written before the reader reaches the last one.
  auto failed = load(config({{"memory_limit_mb", "16"}}), sink, options_for(second));
  BOOST_TEST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.status().exit_code() == 3);
  const std::string& message = failed.status().message();
  BOOST_TEST(message.find("removed; nothing that existed before was deleted") != std::string::npos, message);
  BOOST_TEST(message.find("mem://2026/01/01/part-00001.csv") != std::string::npos);
  // Every earlier key is still there; no key of the failed run's own is.
  BOOST_TEST(bucket.size() == before.size());
  for (const auto& [key, bytes] : before) BOOST_TEST(bucket.count(key) == 1u, key);
}

BOOST_AUTO_TEST_CASE(keep_refuses_before_writing_an_existing_key) {
  MemoryBucket bucket;
  MemorySink first_run(bucket), sink(bucket);
  const Input input(100, 2);
  loaded(config(), first_run, options_for(input));
  const auto before = bucket;
  auto refused = load(config({{"existing_objects", R"("keep")"}}), sink, options_for(input));
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().exit_code() == 4);
  BOOST_TEST(refused.status().message().find("mem://2026/01/01/part-00001.csv already exists") != std::string::npos,
             refused.status().message());
  BOOST_TEST((bucket == before));
}

BOOST_AUTO_TEST_CASE(a_raised_stop_flag_ends_the_load_and_undoes_it) {
  MemorySink sink;
  const Input input(20000, 3);
  StopFlag stop;
  LoadOptions options = options_for(input);
  options.stop = &stop;
  options.on_progress = [&stop](const LoadProgress&) { stop.raise("SIGTERM"); };
  auto stopped = load(config(), sink, options);
  BOOST_TEST_REQUIRE(!stopped.ok());
  BOOST_TEST((stopped.status().kind() == ErrorKind::interrupted));
  BOOST_TEST(stopped.status().message().rfind("interrupted by SIGTERM: undone: ", 0) == 0, stopped.status().message());
  BOOST_TEST(stopped.status().message().find('\n') == std::string::npos);  // one line
  BOOST_TEST(sink.objects.empty());
}

// The share read is measured in the input's stored bytes: a gzip input's compressed ones.
BOOST_AUTO_TEST_CASE(progress_tells_how_far_through_the_input_the_load_is) {
  const Input plain(20000, 3);
  std::ifstream in(plain.path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string gzipped;
  BOOST_TEST_REQUIRE(ZlibCompressor(ZlibFraming::gzip, 6).compress(text, gzipped).ok());
  const std::string gz_path = plain.path + ".gz";
  std::ofstream(gz_path, std::ios::binary) << gzipped;

  for (const auto& [path, size] : {std::pair{plain.path, text.size()}, std::pair{gz_path, gzipped.size()}}) {
    MemorySink sink;
    LoadOptions options = options_for(plain);
    options.inputs = {path};
    std::vector<LoadProgress> seen;
    options.on_progress = [&seen](const LoadProgress& p) { seen.push_back(p); };
    const LoadReport report = loaded(config(), sink, options);
    BOOST_TEST_REQUIRE(seen.size() >= 2u);
    for (size_t i = 1; i < seen.size(); ++i) {
      BOOST_TEST(seen[i].input_bytes_read >= seen[i - 1].input_bytes_read);
      BOOST_TEST(seen[i].rows_read >= seen[i - 1].rows_read);
      BOOST_TEST(seen[i].input_bytes_total == size, i << "/" << seen.size() << " read " << seen[i].input_bytes_read);
    }
    BOOST_TEST(seen.back().finished);
    BOOST_TEST(seen.back().input_bytes_read == size, path);
    BOOST_TEST(seen.back().rows_read == report.rows);
  }
  ::unlink(gz_path.c_str());
}

BOOST_AUTO_TEST_CASE(layouts_with_a_uuid_write_new_keys_without_listing) {
  MemoryBucket bucket;
  MemorySink first_run(bucket), sink(bucket);
  const Input input(200, 2);
  const Config c = config({{"file_name", R"("part-{{uuid}}-{{chunk_id}}")"}});
  const LoadReport one = loaded(c, first_run, options_for(input));
  const LoadReport two = loaded(c, sink, options_for(input));
  BOOST_TEST(sink.listed_prefixes.empty());
  BOOST_TEST(bucket.size() == one.objects.size() + two.objects.size());
  BOOST_TEST(two.removed.empty());
}

BOOST_AUTO_TEST_CASE(more_chunks_than_five_digits_hold_are_refused) {
  MemorySink sink;
  const Input input(100000 * 3, 1, false, 300);  // three rows a chunk
  auto refused = load(config(), sink, options_for(input));
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().exit_code() == 2);
  BOOST_TEST(refused.status().message().find("would pass 99999") != std::string::npos, refused.status().message());
  BOOST_TEST(sink.objects.empty());
}

BOOST_AUTO_TEST_CASE(the_manifest_reads_back_and_merges_refusing_a_key_written_twice) {
  MemorySink a_sink, b_sink;
  const Input input(100, 2);
  LoadOptions a = options_for(input), b = options_for(input);
  a.worker = "a";
  b.worker = "b";
  const Config c = config({{"file_name", R"("part-{{worker}}-{{chunk_id}}")"}});
  const LoadReport ra = loaded(c, a_sink, a), rb = loaded(c, b_sink, b);
  auto read_a = parse_manifest(manifest_json(ra), "a.json");
  BOOST_TEST_REQUIRE(read_a.ok(), read_a.status().message());
  BOOST_TEST(read_a->worker == "a");
  BOOST_TEST(read_a->objects.size() == ra.objects.size());
  BOOST_TEST(manifest_json(*read_a) == manifest_json(ra));
  auto merged = merge_manifests({{"a.json", ra}, {"b.json", rb}});
  BOOST_TEST_REQUIRE(merged.ok(), merged.status().message());
  BOOST_TEST(merged->find("\"rows\": 200, ") != std::string::npos);
  auto twice = merge_manifests({{"a.json", ra}, {"again.json", ra}});
  BOOST_TEST_REQUIRE(!twice.ok());
  BOOST_TEST(twice.status().exit_code() == 3);
  BOOST_TEST(twice.status().message().find("written by both a.json and again.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failure_of_on_complete_undoes_the_run_before_anything_is_removed) {
  MemoryBucket bucket;
  MemorySink first_run(bucket), sink(bucket);
  const Input first(300, 1), second(30, 1);
  loaded(config(), first_run, options_for(first));
  const auto before = bucket.size();
  LoadOptions options = options_for(second);
  size_t planned = 0;
  options.on_complete = [&planned](const LoadReport& report) {
    planned = report.removed.size();  // the stale chunks about to go
    return destination_error("writing the manifest to /full/disk.json failed");
  };
  auto failed = load(config(), sink, options);
  BOOST_TEST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.status().message().rfind("writing the manifest to /full/disk.json failed\nundone: ", 0) == 0,
             failed.status().message());
  BOOST_TEST(planned > 0u);
  BOOST_TEST(bucket.size() == before);  // stale chunks still there
}

BOOST_AUTO_TEST_CASE(bookkeeping_takes_the_partition_stores_memory_first_then_stops_the_load) {
  const MemoryBudget memory(16);
  PartitionStore store(memory.partition_store_bytes(), "/tmp");
  BookkeepingMeter bookkeeping(memory, store);
  const std::string key = "2026/01/01/part-00001.csv";
  Status added;
  uint64_t objects = 0;
  while (added.ok() && objects < 1'000'000) {
    added = bookkeeping.add_object(key);
    ++objects;
    // The store gives way, down to a sixteenth of the limit.
    BOOST_TEST_REQUIRE(memory.partition_store_bytes(bookkeeping.bytes()) >= memory.total_bytes() / 16);
  }
  BOOST_TEST_REQUIRE(!added.ok());
  BOOST_TEST(added.exit_code() == 2);
  BOOST_TEST(added.message().find("raise memory_limit_mb to") != std::string::npos, added.message());
  // 3 MiB of 16, at 612 bytes an object with this key (its partition is counted apart).
  BOOST_TEST(objects == 3u * 1024 * 1024 / (512 + 4 * key.size()) + 1);
  BOOST_TEST(memory.partition_store_bytes(bookkeeping.bytes()) == memory.total_bytes() / 16);
}

BOOST_AUTO_TEST_CASE(a_load_of_more_objects_than_memory_limit_mb_keeps_track_of_is_undone) {
  MemoryBucket bucket;
  MemorySink sink(bucket);
  bucket["2025/12/31/part-00001.csv"] = "there before";
  const auto before = bucket;
  // Objects of about 1 KB: 200,000 rows make some 7,000, past what 16 MB keeps track of.
  auto refused = load(config({{"memory_limit_mb", "16"}}), sink, options_for(Input(200'000, 1)));
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().exit_code() == 2);
  BOOST_TEST(refused.status().message().find("load the input in parts") != std::string::npos,
             refused.status().message());
  BOOST_TEST((bucket == before));  // nothing of the run is left, nothing that was there is lost
}
