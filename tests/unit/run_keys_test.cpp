#define BOOST_TEST_MODULE run_keys
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "s3dest/destination/run_keys.hpp"
#include "s3dest/layout/key_layout.hpp"

using namespace s3dest;

namespace {

KeyLayout daily_layout(const std::string& run_id = "") {
  LayoutOptions options;
  options.run_id = run_id;
  options.folder = "/{{YYYY}}/{{MM}}/{{DD}}";
  options.file_name = "part-{{chunk_id}}";
  options.extension = ".csv";
  options.has_size_cap = true;
  auto layout = KeyLayout::create(std::move(options));
  BOOST_TEST_REQUIRE(layout.ok(), layout.status().message());
  return std::move(*layout);
}

// Holds existing keys, and can hold back the listing of one prefix until released, as a
// slow server would. Says which thread listed each prefix.
class SlowListingSink final : public ObjectSink {
 public:
  std::vector<std::string> keys;
  std::string held_prefix;  // list() of this waits for release()

  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }
  // Releases the held listing after `timeout`, unless release() came first: a test that
  // would wait for it forever fails instead.
  void release_after(std::chrono::seconds timeout) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (changed_.wait_for(lock, timeout, [this] { return released_; })) return;
    }
    release();
  }
  bool holding() {
    std::lock_guard<std::mutex> lock(mutex_);
    return holding_;
  }
  std::thread::id lister_of(const std::string& prefix) {
    std::lock_guard<std::mutex> lock(mutex_);
    return listed_by_[prefix];
  }
  std::map<std::string, int> times_listed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return times_listed_;
  }

  Status list(const std::string& prefix, const KeyVisitor& visit) override {
    std::unique_lock<std::mutex> lock(mutex_);
    listed_by_[prefix] = std::this_thread::get_id();
    ++times_listed_[prefix];
    if (prefix == held_prefix) {
      holding_ = true;
      changed_.wait(lock, [this] { return released_; });
    }
    lock.unlock();
    for (const std::string& key : keys)
      if (key.rfind(prefix, 0) == 0) S3DEST_TRY(visit(key));
    return {};
  }
  Result<std::unique_ptr<ObjectWriter>> create(const NewObject&) override {
    return internal_error("not written to in this test");
  }
  RollbackReport rollback() override { return {}; }
  Status remove(const std::string&) override { return {}; }
  std::string describe(const std::string& key) const override { return key; }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
  bool holding_ = false;
  std::map<std::string, std::thread::id> listed_by_;
  std::map<std::string, int> times_listed_;
};

KeyParts day(int32_t record_day, uint32_t chunk_id = 1) {
  KeyParts parts;
  parts.record_day = record_day;
  parts.chunk_id = chunk_id;
  return parts;
}

constexpr int32_t k2026_01_01 = 20454;

}  // namespace

BOOST_AUTO_TEST_CASE(a_partition_about_to_be_written_is_not_kept_waiting_behind_another_partitions_listing) {
  // Input sorted by date opens each day's first chunk right after its first row: its
  // listing must not wait for a lister that is busy with another day.
  const KeyLayout layout = daily_layout();
  SlowListingSink sink;
  sink.keys = {"2026/01/02/part-00001.csv", "2026/01/02/part-00002.csv"};
  sink.held_prefix = "2026/01/01/part-";
  RunKeys keys(layout, sink, ExistingObjects::replace, /*listers=*/1);

  keys.start_listing(0, day(k2026_01_01));  // takes the only lister, which the server holds
  std::thread watchdog([&sink] { sink.release_after(std::chrono::seconds(10)); });
  while (!sink.holding()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  keys.start_listing(1, day(k2026_01_01 + 1));  // queued behind it
  auto second_day = keys.object_for(1, day(k2026_01_01 + 1, 2));
  BOOST_TEST_REQUIRE(second_day.ok(), second_day.status().message());

  const Result<bool> existed = second_day->prior.existed();  // waited for the lister before
  BOOST_TEST_REQUIRE(existed.ok(), existed.status().message());
  BOOST_TEST(*existed);  // the listing found chunk 2 of that day
  BOOST_TEST((sink.lister_of("2026/01/02/part-") == std::this_thread::get_id()));

  sink.release();
  watchdog.join();
  auto first_day = keys.object_for(0, day(k2026_01_01));
  BOOST_TEST_REQUIRE(first_day.ok(), first_day.status().message());
  const Result<bool> first_existed = first_day->prior.existed();
  BOOST_TEST_REQUIRE(first_existed.ok(), first_existed.status().message());
  BOOST_TEST(!*first_existed);
}

BOOST_AUTO_TEST_CASE(each_partition_is_listed_once_whichever_thread_lists_it) {
  const KeyLayout layout = daily_layout();
  SlowListingSink sink;
  sink.keys = {"2026/01/05/part-00001.csv"};
  RunKeys keys(layout, sink, ExistingObjects::replace, /*listers=*/4);
  for (int32_t d = 0; d < 200; ++d) keys.start_listing(static_cast<size_t>(d), day(k2026_01_01 + d));
  for (int32_t d = 0; d < 200; ++d) {
    auto object = keys.object_for(static_cast<size_t>(d), day(k2026_01_01 + d));
    BOOST_TEST_REQUIRE(object.ok(), object.status().message());
    const Result<bool> existed = object->prior.existed();
    BOOST_TEST_REQUIRE(existed.ok(), existed.status().message());
    BOOST_TEST(*existed == (d == 4), "day " << d);
  }
  auto stale = keys.stale_chunks();
  BOOST_TEST_REQUIRE(stale.ok(), stale.status().message());
  BOOST_TEST(stale->empty());
  BOOST_TEST(keys.other_runs_copies().empty());  // once the copies' listings have ended too
  // Each day's chunks, and the copies kept beside the one day that held a chunk.
  const std::map<std::string, int> listed = sink.times_listed();
  BOOST_TEST(listed.size() == 201u);
  BOOST_TEST(listed.count("2026/01/05/.part-") == 1u);
  for (const auto& [prefix, times] : listed) BOOST_TEST(times == 1, prefix);
}

BOOST_AUTO_TEST_CASE(copies_other_runs_kept_beside_the_chunks_a_run_writes_are_told_by_run) {
  // Run A was killed after it replaced two chunks of 01-01 and one of 01-02; run B after
  // it replaced one of 01-01. This run (R) writes 01-01 and 01-02, and a day with nothing.
  const std::string a = "20261130T010203Z-00ff00aa", b = "20261201T224412Z-5f3a9c1e",
                    r = "20261207T120000Z-12345678";
  const KeyLayout layout = daily_layout(r);
  SlowListingSink sink;
  sink.keys = {
      "2026/01/01/part-00001.csv",
      "2026/01/01/part-00002.csv",
      "2026/01/01/.part-00002.csv.s3dest-" + a + ".kept",
      "2026/01/01/.part-00001.csv.s3dest-" + a + ".kept",
      "2026/01/01/.part-00001.csv.s3dest-" + b + ".kept",
      "2026/01/01/.part-00001.csv.s3dest-" + r + ".kept",  // this run's own: not told
      "2026/01/01/.part-1.csv.s3dest-" + a + ".kept",      // of no chunk key
      "2026/01/01/.part-00003.csv.s3dest-" + a + ".tmp",   // no copy's name
      "2026/01/02/part-00001.csv",
      "2026/01/02/.part-00001.csv.s3dest-" + a + ".kept",
      "2026/01/03/.part-00001.csv.s3dest-" + b + ".kept",  // a day without chunks is not looked at
  };
  RunKeys keys(layout, sink, ExistingObjects::replace, /*listers=*/2);
  for (int32_t d = 0; d < 3; ++d) keys.start_listing(static_cast<size_t>(d), day(k2026_01_01 + d));

  const std::vector<OtherRunCopies> told = keys.other_runs_copies();
  BOOST_TEST_REQUIRE(told.size() == 2u);
  BOOST_TEST(told[0].run_id == a);  // the older run first
  BOOST_TEST(told[0].copies == 3u);
  BOOST_TEST(told[0].first_key == "2026/01/01/.part-00001.csv.s3dest-" + a + ".kept");
  BOOST_TEST(told[1].run_id == b);
  BOOST_TEST(told[1].copies == 1u);
  const std::map<std::string, int> listed = sink.times_listed();
  BOOST_TEST(listed.count("2026/01/01/.part-") == 1u);
  BOOST_TEST(listed.count("2026/01/03/.part-") == 0u);  // it held no chunk
}

BOOST_AUTO_TEST_CASE(a_partition_the_loading_thread_lists_itself_still_tells_of_its_copies) {
  const std::string a = "20261130T010203Z-00ff00aa";
  const KeyLayout layout = daily_layout();
  SlowListingSink sink;
  sink.keys = {"2026/01/01/part-00001.csv", "2026/01/01/.part-00001.csv.s3dest-" + a + ".kept"};
  sink.held_prefix = "2026/01/02/part-";
  RunKeys keys(layout, sink, ExistingObjects::replace, /*listers=*/1);
  keys.start_listing(1, day(k2026_01_01 + 1));  // takes the only lister, which the server holds
  std::thread watchdog([&sink] { sink.release_after(std::chrono::seconds(10)); });
  while (!sink.holding()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto object = keys.object_for(0, day(k2026_01_01));
  BOOST_TEST_REQUIRE(object.ok(), object.status().message());
  const Result<bool> existed = object->prior.existed();  // listed here: the lister is held
  BOOST_TEST_REQUIRE(existed.ok(), existed.status().message());
  BOOST_TEST(*existed);
  BOOST_TEST((sink.lister_of("2026/01/01/part-") == std::this_thread::get_id()));
  // Its copies are listed by the lister, once the server lets it go: not on this thread.
  sink.release();
  watchdog.join();
  const std::vector<OtherRunCopies> told = keys.other_runs_copies();
  BOOST_TEST((sink.lister_of("2026/01/01/.part-") != std::this_thread::get_id()));
  BOOST_TEST_REQUIRE(told.size() == 1u);
  BOOST_TEST(told[0].run_id == a);
  BOOST_TEST(told[0].copies == 1u);
}
