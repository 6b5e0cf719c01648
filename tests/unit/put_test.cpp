#define BOOST_TEST_MODULE put
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "s3dest/destination/put.hpp"
#include "memory_sink.hpp"
#include "temp_folder.hpp"

using namespace s3dest;
using test_helpers::MemoryBucket;
using test_helpers::MemorySink;
using test_helpers::TempFolder;

namespace {

// A daily layout under "raw/{{workspace_id}}": its fixed prefix is "raw/ws1/";
// `changes` are config keys and their JSON values.
Config config(const std::map<std::string, std::string>& changes = {}) {
  std::map<std::string, std::string> keys = {{"folder", R"("/raw/{{workspace_id}}/{{YYYY}}/{{MM}}/{{DD}}")"},
                                             {"file_name", R"("part-{{chunk_id}}")"},
                                             {"date_field", R"("date")"},
                                             {"context", R"({"workspace_id": "ws1"})"}};
  for (const auto& [key, value] : changes) keys[key] = value;
  std::string json = "{";
  for (const auto& [key, value] : keys) json += (json.size() > 1 ? ", \"" : "\"") + key + "\": " + value;
  auto parsed = parse_config(json + "}", "test.json");
  BOOST_TEST_REQUIRE(parsed.ok(), parsed.status().message());
  return *parsed;
}

std::string write_file(const TempFolder& dir, const std::string& name, const std::string& bytes) {
  const std::string path = (dir.path / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

PutOptions options_for(std::vector<std::string> files) {
  PutOptions options;
  options.files = std::move(files);
  options.run_start_micros = *parse_timestamp("2026-12-01T00:00:00Z");
  return options;
}

}  // namespace

BOOST_AUTO_TEST_CASE(files_go_under_the_fixed_prefix_with_their_base_names) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "x\n1\n");
  const std::string b = write_file(dir, "b.bin", std::string(3 << 20, 'b'));  // several read blocks
  MemorySink sink;
  PutOptions options = options_for({a, b});
  options.prefix = "landing";
  const auto report = put_files(config(), sink, options);
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  BOOST_TEST(sink.objects.at("landing/raw/ws1/a.csv") == "x\n1\n");
  BOOST_TEST(sink.objects.at("landing/raw/ws1/b.bin") == std::string(3 << 20, 'b'));
  BOOST_TEST(report->objects.size() == 2u);
  BOOST_TEST(report->objects[0].format == "csv");
  BOOST_TEST(report->objects[1].format == "");
  BOOST_TEST(report->bytes == 4u + (3u << 20));
}

BOOST_AUTO_TEST_CASE(key_names_the_whole_key_of_one_file) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "x\n");
  MemorySink sink;
  PutOptions options = options_for({a});
  options.key = "exact/name.csv";
  options.prefix = "ignored";
  BOOST_TEST_REQUIRE(put_files(config(), sink, options).ok());
  BOOST_TEST(sink.objects.count("exact/name.csv") == 1u);

  options.files = {a, a};
  const auto two = put_files(config(), sink, options);
  BOOST_TEST(two.status().exit_code() == 2);
  BOOST_TEST(two.status().message().find("--key names one object, but 2 files were given") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_bad_input_and_nothing_is_written) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "x\n");
  MemorySink sink;
  const auto report = put_files(config(), sink, options_for({a, (dir.path / "gone.csv").string()}));
  BOOST_TEST(report.status().exit_code() == 3);
  BOOST_TEST(report.status().message().find("cannot read " + (dir.path / "gone.csv").string()) != std::string::npos);
  BOOST_TEST(sink.objects.empty());

  const auto folder = put_files(config(), sink, options_for({dir.path.string()}));
  BOOST_TEST(folder.status().exit_code() == 3);
  BOOST_TEST(folder.status().message().find("is not a regular file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_files_of_one_base_name_are_refused) {
  TempFolder dir;
  std::filesystem::create_directory(dir.path / "other");
  const std::string a = write_file(dir, "a.csv", "1\n");
  const std::string b = write_file(dir, "other/a.csv", "2\n");
  MemorySink sink;
  const auto report = put_files(config(), sink, options_for({a, b}));
  BOOST_TEST(report.status().exit_code() == 2);
  BOOST_TEST(report.status().message().find("two files would go to mem://raw/ws1/a.csv") != std::string::npos);
  BOOST_TEST(sink.objects.empty());
}

BOOST_AUTO_TEST_CASE(keep_refuses_an_existing_key_before_anything_is_written) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "new\n");
  const std::string b = write_file(dir, "b.csv", "new\n");
  MemoryBucket bucket{{"raw/ws1/b.csv", "old\n"}};
  MemorySink sink(bucket);
  const auto kept = put_files(config({{"existing_objects", R"("keep")"}}), sink, options_for({a, b}));
  BOOST_TEST(kept.status().exit_code() == 4);
  BOOST_TEST(kept.status().message().find("mem://raw/ws1/b.csv already exists") != std::string::npos);
  BOOST_TEST(bucket.size() == 1u);  // a.csv was not written either
  BOOST_TEST(bucket.at("raw/ws1/b.csv") == "old\n");

  MemorySink second(bucket);
  const auto replaced = put_files(config(), second, options_for({a, b}));
  BOOST_TEST_REQUIRE(replaced.ok(), replaced.status().message());
  BOOST_TEST(!replaced->objects[0].info.replaced);
  BOOST_TEST(replaced->objects[1].info.replaced);
  BOOST_TEST(bucket.at("raw/ws1/b.csv") == "new\n");
}

BOOST_AUTO_TEST_CASE(one_listing_of_the_folder_the_keys_share_tells_which_of_them_hold_objects) {
  TempFolder dir;
  std::vector<std::string> files;
  for (int i = 0; i < 20; ++i) files.push_back(write_file(dir, "f" + std::to_string(i) + ".csv", "new\n"));
  MemoryBucket bucket{{"raw/ws1/f3.csv", "old\n"}, {"raw/ws1/f3.csv.bak", "old\n"}, {"raw/ws1/f17.csv", "old\n"}};
  MemorySink sink(bucket);
  const auto report = put_files(config(), sink, options_for(files));
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  BOOST_TEST(sink.listed_prefixes == std::vector<std::string>{"raw/ws1/f"});
  for (int i = 0; i < 20; ++i) BOOST_TEST(report->objects[i].info.replaced == (i == 3 || i == 17), "f" << i);
  BOOST_TEST(bucket.at("raw/ws1/f3.csv.bak") == "old\n");
}

BOOST_AUTO_TEST_CASE(a_folder_that_holds_more_than_a_listing_takes_is_asked_key_by_key) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "new\n");
  const std::string b = write_file(dir, "b.csv", "new\n");
  MemoryBucket bucket{{"raw/ws1/b.csv", "old\n"}};
  for (size_t i = 0; i < detail::kPutFolderListing; ++i) bucket["raw/ws1/archive/" + std::to_string(i)] = "x";
  MemorySink sink(bucket);
  const auto report = put_files(config(), sink, options_for({a, b}));
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  std::vector<std::string> listed = sink.listed_prefixes;
  std::sort(listed.begin() + 1, listed.end());  // the keys are looked up concurrently
  BOOST_TEST(listed == (std::vector<std::string>{"raw/ws1/", "raw/ws1/a.csv", "raw/ws1/b.csv"}),
             boost::test_tools::per_element());
  BOOST_TEST(!report->objects[0].info.replaced);
  BOOST_TEST(report->objects[1].info.replaced);
}

BOOST_AUTO_TEST_CASE(a_failure_after_some_objects_rolls_the_run_back) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "1\n");
  MemorySink sink;
  PutOptions options = options_for({a});
  options.on_complete = [](const PutReport&) { return destination_error("the manifest cannot be written"); };
  const auto report = put_files(config(), sink, options);
  BOOST_TEST(report.status().exit_code() == 4);
  BOOST_TEST(report.status().message().find("1 finished object of this run removed") != std::string::npos);
  BOOST_TEST(sink.objects.empty());
}

// A sink whose writers append to the file they are reading once they have read it: as a
// program still writing the file would, while its parts go up.
class WrittenWhileReadSink final : public ObjectSink {
 public:
  WrittenWhileReadSink(MemorySink& inner, std::string path) : inner_(inner), path_(std::move(path)) {}
  Result<std::unique_ptr<ObjectWriter>> create(const NewObject& object) override {
    S3DEST_ASSIGN_OR_RETURN(auto writer, inner_.create(object));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(std::move(writer), path_));
  }
  Status list(const std::string& prefix, const KeyVisitor& visit) override { return inner_.list(prefix, visit); }
  RollbackReport rollback() override { return inner_.rollback(); }
  Status remove(const std::string& key) override { return inner_.remove(key); }
  std::string describe(const std::string& key) const override { return inner_.describe(key); }

 private:
  struct Writer final : ObjectWriter {
    Writer(std::unique_ptr<ObjectWriter> inner, std::string path) : inner(std::move(inner)), path(std::move(path)) {}
    Status write(std::string_view bytes) override { return inner->write(bytes); }
    uint64_t size() const override { return inner->size(); }
    Status write_file(int fd, uint64_t offset, uint64_t size) override {
      S3DEST_TRY(inner->write_file(fd, offset, size));
      std::ofstream(path, std::ios::binary | std::ios::app) << "more";
      return {};
    }
    Result<ObjectInfo> commit() override { return inner->commit(); }
    void abort() override { inner->abort(); }
    std::unique_ptr<ObjectWriter> inner;
    std::string path;
  };
  MemorySink& inner_;
  std::string path_;
};

BOOST_AUTO_TEST_CASE(a_file_written_to_during_its_upload_is_refused_and_not_kept) {
  TempFolder dir;
  const std::string path = write_file(dir, "growing.log", std::string(100000, 'g'));
  MemorySink memory;
  WrittenWhileReadSink sink(memory, path);
  const auto report = put_files(config(), sink, options_for({path}));
  BOOST_TEST_REQUIRE(!report.ok());
  BOOST_TEST(report.status().exit_code() == 3);
  BOOST_TEST(report.status().message().find("changed while it was being uploaded") != std::string::npos,
             report.status().message());
  BOOST_TEST(memory.objects.empty());
}

BOOST_AUTO_TEST_CASE(keys_are_checked_for_what_s3_and_a_folder_take) {
  BOOST_TEST(key_problem("a/b.csv", 255) == "");
  BOOST_TEST(key_problem("", 255) == "the key is empty");
  BOOST_TEST(key_problem("/a", 255) == "the key begins with '/'");
  BOOST_TEST(key_problem("a/", 255) == "the key ends with '/', which names a folder, not a file");
  BOOST_TEST(key_problem("a/../b", 255) == "the key has an empty, \".\" or \"..\" segment");
  BOOST_TEST(key_problem("a//b", 255) == "the key has an empty, \".\" or \"..\" segment");
  BOOST_TEST(key_problem("a\nb", 255) == "the key holds a control character");
  BOOST_TEST(key_problem(std::string(1025, 'k'), SIZE_MAX).find("more than the 1024 S3 takes") != std::string::npos);
  BOOST_TEST(key_problem(std::string(256, 'k'), 255).find("more than the destination takes (255)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(content_type_follows_the_extension) {
  const Config plain = config();
  BOOST_TEST(put_content_type("a.csv", plain) == "text/csv");
  BOOST_TEST(put_content_type("a.csv.gz", plain) == "application/gzip");
  BOOST_TEST(put_content_type("a.parquet", plain) == "application/vnd.apache.parquet");
  BOOST_TEST(put_content_type("a.json", plain) == "application/x-ndjson");
  BOOST_TEST(put_content_type("a.txt", plain) == "application/octet-stream");
  BOOST_TEST(put_content_type(".csv", plain) == "application/octet-stream");  // a name that is only an extension
  // With content_encoding "gzip", a .csv.gz is csv that a client unpacks.
  BOOST_TEST(put_content_type("a.csv.gz", config({{"file_format", R"("csv+gzip")"}, {"content_encoding", R"("gzip")"}})) ==
             "text/csv");
  BOOST_TEST(format_of_file_name("a.json.gz")->name == "json+gzip");
  BOOST_TEST(format_of_file_name("a.gz") == nullptr);
}

BOOST_AUTO_TEST_CASE(the_manifest_lists_each_object) {
  TempFolder dir;
  const std::string a = write_file(dir, "a.csv", "1\n");
  MemorySink sink;
  const auto report = put_files(config(), sink, options_for({a}));
  BOOST_TEST_REQUIRE(report.ok());
  const LoadReport manifest = manifest_of(*report);
  BOOST_TEST(manifest.run_id == report->run_id);
  BOOST_TEST(manifest.objects.at(0).object.info.key == "raw/ws1/a.csv");
  BOOST_TEST(manifest.objects.at(0).format == "csv");
  BOOST_TEST(manifest.bytes == 2u);
}

BOOST_AUTO_TEST_CASE(crc32c_of_parts_combines_into_the_whole_files) {
  // S3 sends a big file's parts from several threads: the object's CRC is made of theirs.
  std::string bytes;
  for (uint32_t i = 0; i < 300000; ++i) bytes.push_back(static_cast<char>(i * 7919u % 251));
  for (const size_t cut : {size_t{0}, size_t{1}, size_t{4096}, size_t{123457}, bytes.size()}) {
    const std::string_view a = std::string_view(bytes).substr(0, cut), b = std::string_view(bytes).substr(cut);
    BOOST_TEST(crc32c_combine(crc32c(0, a), crc32c(0, b), b.size()) == crc32c(0, bytes));
    BOOST_TEST(combine_crc(ChecksumAlgorithm::crc32, continue_crc(ChecksumAlgorithm::crc32, 0, a),
                           continue_crc(ChecksumAlgorithm::crc32, 0, b), b.size()) ==
               continue_crc(ChecksumAlgorithm::crc32, 0, bytes));
  }
  BOOST_TEST(crc_text(ChecksumAlgorithm::crc32c, crc32c(0, "123456789")) == "crc32c:4waSgw==");  // 0xE3069283
}

// A sink that commits on `concurrency` threads, as S3 does, and counts the commits in
// flight: each waits (a second at most) for the others to start, so a put that commits
// one object at a time shows as one in flight.
class ConcurrentSink final : public ObjectSink {
 public:
  ConcurrentSink(MemorySink& inner, int concurrency) : inner_(inner), concurrency_(concurrency) {}
  Result<std::unique_ptr<ObjectWriter>> create(const NewObject& object) override {
    S3DEST_ASSIGN_OR_RETURN(auto writer, inner_.create(object));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(*this, std::move(writer)));
  }
  int commit_concurrency() const override { return concurrency_; }
  Status list(const std::string& prefix, const KeyVisitor& visit) override { return inner_.list(prefix, visit); }
  RollbackReport rollback() override { return inner_.rollback(); }
  Status remove(const std::string& key) override { return inner_.remove(key); }
  std::string describe(const std::string& key) const override { return inner_.describe(key); }

  int most_in_flight = 0;

 private:
  struct Writer final : ObjectWriter {
    Writer(ConcurrentSink& sink, std::unique_ptr<ObjectWriter> inner) : sink(sink), inner(std::move(inner)) {}
    Status write(std::string_view bytes) override { return inner->write(bytes); }
    uint64_t size() const override { return inner->size(); }
    Result<ObjectInfo> commit() override {
      std::unique_lock<std::mutex> lock(sink.mutex_);
      sink.most_in_flight = std::max(sink.most_in_flight, ++sink.in_flight_);
      sink.changed_.notify_all();
      sink.changed_.wait_for(lock, std::chrono::seconds(1), [this] { return sink.in_flight_ >= sink.concurrency_; });
      auto info = inner->commit();  // under the lock: MemorySink is not for threads
      --sink.in_flight_;
      return info;
    }
    void abort() override { inner->abort(); }
    ConcurrentSink& sink;
    std::unique_ptr<ObjectWriter> inner;
  };
  MemorySink& inner_;
  const int concurrency_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int in_flight_ = 0;
};

BOOST_AUTO_TEST_CASE(small_files_are_committed_several_at_once_and_reported_in_order) {
  TempFolder dir;
  std::vector<std::string> files;
  for (int i = 0; i < 9; ++i) files.push_back(write_file(dir, "f" + std::to_string(i) + ".csv", std::string(i + 1, 'x')));
  MemorySink memory;
  ConcurrentSink sink(memory, 3);
  const auto report = put_files(config(), sink, options_for(files));
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  BOOST_TEST(sink.most_in_flight == 3);
  BOOST_TEST_REQUIRE(report->objects.size() == files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    BOOST_TEST(report->objects[i].path == files[i]);
    BOOST_TEST(report->objects[i].info.key == "raw/ws1/f" + std::to_string(i) + ".csv");
    BOOST_TEST(memory.objects.at(report->objects[i].info.key) == std::string(i + 1, 'x'));
  }
  BOOST_TEST(report->bytes == 45u);
}
