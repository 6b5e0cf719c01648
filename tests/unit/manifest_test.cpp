#define BOOST_TEST_MODULE manifest
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "s3dest/destination/manifest.hpp"

using namespace s3dest;

namespace {

LoadedObject loaded(std::string key, uint64_t rows, uint64_t bytes, uint32_t chunk_id = 1) {
  LoadedObject o;
  o.object.info.key = std::move(key);
  o.object.info.bytes = bytes;
  o.object.rows = rows;
  o.object.chunk_id = chunk_id;
  o.format = "csv+gzip";
  o.partition = "2026-01-05";
  return o;
}

RemovedObject removed(std::string key, uint32_t chunk_id) {
  RemovedObject r;
  r.key = std::move(key);
  r.chunk_id = chunk_id;
  r.partition = "2026-01-05";
  return r;
}

// What worker `worker` of a four-worker load reports: its two chunks of 2026-01-05.
LoadReport worker_run(const std::string& worker) {
  LoadReport report;
  report.run_id = "20261201T224412Z-5f3a9c1e";
  report.worker = worker;
  report.objects = {loaded("lake/2026/01/05/part-" + worker + "-00001.csv.gz", 70, 1000),
                    loaded("lake/2026/01/05/part-" + worker + "-00002.csv.gz", 30, 400, 2)};
  report.rows = 100;
  report.bytes = 1400;
  return report;
}

LoadReport read_back(const std::string& json, const std::string& name = "manifest.json") {
  auto report = parse_manifest(json, name);
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  return std::move(*report);
}

// The message parse_manifest refuses `json` with, as the file bad.json; it must be an input
// error (exit 3).
std::string refusal(const std::string& json) {
  const auto report = parse_manifest(json, "bad.json");
  BOOST_TEST_REQUIRE(!report.ok(), "accepted: " << json);
  BOOST_TEST(report.status().exit_code() == 3);
  return report.status().message();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(a_manifest_reads_back_as_the_report_it_was_written_from) {
  LoadReport report = worker_run("w1");
  report.objects[0].account = "acme \"7\"";
  report.objects[0].object.info.etag = "9b2cf535f27731c974343645a3985328";
  report.objects[0].object.info.version_id = "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrH";  // a versioned bucket's
  report.objects[0].object.info.checksum = "crc32c:mnG7TA==";
  report.objects[0].object.info.replaced = true;
  report.objects[1].partition.reset();  // a layout without dates
  report.objects[1].object.info.key = "lake/odd \\ key\twith \xE6\x97\xA5\xE6\x9C\xAC";
  report.removed = {removed("lake/2026/01/05/part-w1-00003.csv.gz", 3)};

  const std::string json = manifest_json(report);
  // What a reader of the file sees: text in JSON strings, nothing where there is nothing.
  BOOST_TEST(contains(json, R"("worker": "w1")"), json);
  BOOST_TEST(contains(json, R"("account": "acme \"7\"")"), json);
  BOOST_TEST(contains(json, R"("etag": null, "version_id": null, "checksum": null, "replaced": false)"), json);
  BOOST_TEST(contains(json, R"("rows": 100, "bytes": 1400})"), json);

  const LoadReport back = read_back(json);
  BOOST_TEST(back.run_id == report.run_id);
  BOOST_TEST(back.worker == "w1");
  BOOST_TEST(back.rows == 100u);
  BOOST_TEST(back.bytes == 1400u);
  BOOST_REQUIRE(back.objects.size() == 2u);
  for (size_t i = 0; i < 2; ++i) {
    const LoadedObject &was = report.objects[i], &is = back.objects[i];
    BOOST_TEST_CONTEXT("object " << i) {
      BOOST_TEST(is.object.info.key == was.object.info.key);
      BOOST_TEST(is.object.info.bytes == was.object.info.bytes);
      BOOST_TEST(is.object.rows == was.object.rows);
      BOOST_TEST(is.object.chunk_id == was.object.chunk_id);
      BOOST_TEST(is.object.info.etag == was.object.info.etag);
      BOOST_TEST(is.object.info.version_id == was.object.info.version_id);
      BOOST_TEST(is.object.info.checksum == was.object.info.checksum);
      BOOST_TEST(is.object.info.replaced == was.object.info.replaced);
      BOOST_TEST(is.format == was.format);
      BOOST_TEST((is.partition == was.partition));
      BOOST_TEST((is.account == was.account));
    }
  }
  BOOST_REQUIRE(back.removed.size() == 1u);
  BOOST_TEST(back.removed[0].key == "lake/2026/01/05/part-w1-00003.csv.gz");
  BOOST_TEST(back.removed[0].chunk_id == 3u);
  BOOST_TEST((back.removed[0].partition == std::optional<std::string>("2026-01-05")));
  BOOST_TEST(!back.removed[0].account);
  BOOST_TEST(manifest_json(back) == json);  // nothing lost, nothing added

  report.worker.clear();  // a load without --worker
  BOOST_TEST(contains(manifest_json(report), R"("worker": null)"));
  BOOST_TEST(read_back(manifest_json(report)).worker.empty());
}

BOOST_AUTO_TEST_CASE(fields_a_later_version_adds_are_passed_over) {
  const LoadReport back = read_back(
      R"({"run_id": "r", "worker": null, "format_version": 2,
          "objects": [{"key": "k", "bytes": 3, "rows": 1, "format": "csv", "partition": null, "account": null,
                       "chunk_id": 1, "etag": null, "checksum": null, "replaced": false, "storage_class": "GLACIER"}],
          "removed": [], "rows": 1, "bytes": 3})");
  BOOST_REQUIRE(back.objects.size() == 1u);
  BOOST_TEST(back.objects[0].object.info.key == "k");
  BOOST_TEST(back.objects[0].object.info.bytes == 3u);
}

BOOST_AUTO_TEST_CASE(workers_manifests_merge_into_one_with_every_run_and_object) {
  LoadReport a = worker_run("a"), b = worker_run("b");
  b.run_id = "20261201T224413Z-0c1d2e3f";
  b.removed = {removed("lake/2026/01/05/part-b-00003.csv.gz", 3)};
  auto merged = merge_manifests({{"b.json", b}, {"a.json", a}});
  BOOST_TEST_REQUIRE(merged.ok(), merged.status().message());
  // Each run, as the files were given.
  BOOST_TEST(contains(*merged, R"({"runs": [
  {"run_id": "20261201T224413Z-0c1d2e3f", "worker": "b", "manifest": "b.json"},
  {"run_id": "20261201T224412Z-5f3a9c1e", "worker": "a", "manifest": "a.json"}
],)"),
             *merged);
  // The objects read back like a single run's manifest: sorted by key, the totals theirs.
  const LoadReport all = read_back(*merged, "merged.json");
  std::vector<std::string> keys;
  for (const LoadedObject& o : all.objects) keys.push_back(o.object.info.key);
  BOOST_TEST(keys == (std::vector<std::string>{"lake/2026/01/05/part-a-00001.csv.gz", "lake/2026/01/05/part-a-00002.csv.gz",
                                               "lake/2026/01/05/part-b-00001.csv.gz", "lake/2026/01/05/part-b-00002.csv.gz"}),
             boost::test_tools::per_element());
  BOOST_TEST(all.rows == a.rows + b.rows);
  BOOST_TEST(all.bytes == a.bytes + b.bytes);
  BOOST_REQUIRE(all.removed.size() == 1u);
  BOOST_TEST(all.removed[0].key == "lake/2026/01/05/part-b-00003.csv.gz");
}

BOOST_AUTO_TEST_CASE(a_key_two_workers_wrote_is_refused_naming_both_manifests) {
  // Two workers without {{worker}} in file_name: the same keys, one worker's rows lost.
  LoadReport a = worker_run("a"), b = worker_run("b");
  b.objects[1].object.info.key = a.objects[1].object.info.key;
  auto merged = merge_manifests({{"a.json", a}, {"b.json", b}});
  BOOST_TEST_REQUIRE(!merged.ok());
  BOOST_TEST(merged.status().exit_code() == 3);
  BOOST_TEST(merged.status().message() ==
             "manifest merge: lake/2026/01/05/part-a-00002.csv.gz was written by both a.json and b.json: one "
             "worker's object replaced the other's; give each worker its own --worker and {{worker}} in file_name, "
             "and load the lost rows again");
}

BOOST_AUTO_TEST_CASE(a_key_one_worker_wrote_and_another_removed_is_refused) {
  // Worker b's run took a's chunk for a stale one of its own partition and deleted it.
  LoadReport a = worker_run("a"), b = worker_run("b");
  b.removed = {removed(a.objects[1].object.info.key, 2)};
  for (const auto& order : {std::vector<std::pair<std::string, LoadReport>>{{"a.json", a}, {"b.json", b}},
                            std::vector<std::pair<std::string, LoadReport>>{{"b.json", b}, {"a.json", a}}}) {
    auto merged = merge_manifests(order);
    BOOST_TEST_REQUIRE(!merged.ok());
    BOOST_TEST(merged.status().exit_code() == 3);
    BOOST_TEST(merged.status().message() ==
               "manifest merge: lake/2026/01/05/part-a-00002.csv.gz was written by a.json and removed as a stale "
               "chunk by another worker's run: load it again");
  }
}

BOOST_AUTO_TEST_CASE(what_is_not_a_manifest_is_refused_naming_the_file_and_the_problem) {
  const std::string hint = ": is it a manifest written by s3dest load --manifest?";
  const std::string cut_short = refusal("{\"objects\": [");  // simdjson's reason in brackets
  BOOST_TEST(cut_short.rfind("bad.json: not valid JSON (", 0) == 0u, cut_short);
  BOOST_TEST(cut_short.substr(cut_short.size() - hint.size() - 1) == ")" + hint);
  BOOST_TEST(refusal(R"({"run_id": "r", "rows": 0})") == "bad.json: it has no \"objects\"" + hint);
  BOOST_TEST(refusal(R"({"objects": {}})") == "bad.json: \"objects\" is not a list" + hint);
  BOOST_TEST(refusal(R"({"objects": [], "removed": 3})") == "bad.json: \"removed\" is not a list" + hint);
  BOOST_TEST(refusal(R"({"objects": [{"key": 7}]})") == "bad.json: \"key\" is not text" + hint);
  BOOST_TEST(refusal(R"({"objects": [{"key": "k", "bytes": -1}]})") == "bad.json: \"bytes\" is not a count" + hint);
  BOOST_TEST(refusal(R"({"objects": [{"key": "k", "rows": "12"}]})") == "bad.json: \"rows\" is not a count" + hint);
  BOOST_TEST(refusal(R"({"objects": [{"key": "k", "replaced": "no"}]})") ==
             "bad.json: \"replaced\" is not true or false" + hint);
  BOOST_TEST(refusal(R"({"objects": [], "removed": [{"key": "k", "chunk_id": 1.5}]})") ==
             "bad.json: \"chunk_id\" is not a count" + hint);
  // Not an object where one belongs: the message still starts with the file.
  BOOST_TEST(refusal("[]").rfind("bad.json", 0) == 0u);
  BOOST_TEST(refusal(R"({"objects": [1]})").rfind("bad.json", 0) == 0u);
}

// A manifest object without its key would merge as an object at "" (and two of them as
// "  was written by both ..."): s3dest never writes one, so it is not a manifest.
BOOST_AUTO_TEST_CASE(an_object_without_its_key_is_refused) {
  const std::string message = refusal(R"({"objects": [{"bytes": 3, "rows": 1, "chunk_id": 1}]})");
  BOOST_TEST(contains(message, "\"key\""), message);
}

// Chunk ids are 32 bits: a bigger count must not wrap around to another chunk's id.
BOOST_AUTO_TEST_CASE(a_chunk_id_too_big_for_a_chunk_is_refused_not_wrapped) {
  const std::string message = refusal(R"({"objects": [{"key": "k", "chunk_id": 4294967297}]})");
  BOOST_TEST(contains(message, "\"chunk_id\""), message);
}
