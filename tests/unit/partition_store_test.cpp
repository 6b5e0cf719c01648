#define BOOST_TEST_MODULE partition_store
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "s3dest/layout/partition_store.hpp"
#include "temp_folder.hpp"

using namespace s3dest;

namespace {
std::vector<std::string> drain_all(PartitionStore& store, size_t partition) {
  std::vector<std::string> records;
  const Status status = store.drain(partition, [&](std::string_view r) {
    records.emplace_back(r);
    return Status();
  });
  BOOST_REQUIRE(status.ok());
  return records;
}
}  // namespace

BOOST_AUTO_TEST_CASE(keeps_records_in_order_per_partition) {
  PartitionStore store(1 << 20, "/tmp");
  const size_t a = store.add_partition(), b = store.add_partition();
  BOOST_REQUIRE(store.append(a, "a1").ok());
  BOOST_REQUIRE(store.append(b, "b1").ok());
  BOOST_REQUIRE(store.append(a, "").ok());  // an empty record is still a record
  BOOST_REQUIRE(store.append(a, "a3").ok());
  BOOST_CHECK_EQUAL(store.rows(a), 3u);
  BOOST_CHECK((drain_all(store, a) == std::vector<std::string>{"a1", "", "a3"}));
  BOOST_CHECK((drain_all(store, b) == std::vector<std::string>{"b1"}));
  BOOST_CHECK_EQUAL(store.bytes_spilled(), 0u);
}

// Thousands of partitions and a small budget: records spill to disk and come back
// whole and in order, and memory held stays near the budget.
BOOST_AUTO_TEST_CASE(spills_beyond_the_budget_and_reads_back_everything) {
  const uint64_t budget = 256 * 1024;
  PartitionStore store(budget, "/tmp");
  const size_t partitions = 3000;
  for (size_t p = 0; p < partitions; ++p) BOOST_REQUIRE_EQUAL(store.add_partition(), p);
  for (int round = 0; round < 20; ++round)
    for (size_t p = 0; p < partitions; ++p)
      BOOST_REQUIRE(store.append(p, "partition " + std::to_string(p) + " round " + std::to_string(round)).ok());
  BOOST_CHECK_GT(store.bytes_spilled(), 0u);
  for (size_t p = 0; p < partitions; p += 97) {
    const auto records = drain_all(store, p);
    BOOST_REQUIRE_EQUAL(records.size(), 20u);
    for (int round = 0; round < 20; ++round)
      BOOST_CHECK_EQUAL(records[round], "partition " + std::to_string(p) + " round " + std::to_string(round));
  }
}

BOOST_AUTO_TEST_CASE(records_larger_than_a_read_block_survive_spilling) {
  PartitionStore store(1024, "/tmp");
  const size_t p = store.add_partition();
  const std::string big(5 << 20, 'x');
  BOOST_REQUIRE(store.append(p, big).ok());
  BOOST_REQUIRE(store.append(p, "tail").ok());
  const auto records = drain_all(store, p);
  BOOST_REQUIRE_EQUAL(records.size(), 2u);
  BOOST_CHECK(records[0] == big);
  BOOST_CHECK_EQUAL(records[1], "tail");
}

// Records are kept in segments of up to 64 KiB and spilled in whatever pieces those
// are: a record (and its 4-byte length) may be cut anywhere between two of them, or
// between two reads of a spill file, and must come back whole.
BOOST_AUTO_TEST_CASE(records_cut_between_segments_and_spills_come_back_whole) {
  PartitionStore store(1 << 20, "/tmp");  // spills once a megabyte is held
  const size_t p = store.add_partition();
  std::vector<std::string> appended;
  uint32_t state = 12345;
  for (size_t total = 0; total < (3 << 20);) {
    state = state * 1103515245 + 12345;
    // Mostly short records, some of tens of KiB, one in a hundred past a segment.
    const size_t size = state % 100 == 0 ? 70000 + state % 50000 : state % 7 == 0 ? state % 40000 : state % 300;
    std::string record(size, static_cast<char>('a' + appended.size() % 26));
    if (!record.empty()) record.front() = '<', record.back() = '>';
    BOOST_REQUIRE(store.append(p, record).ok());
    appended.push_back(std::move(record));
    total += size + 4;
  }
  BOOST_CHECK_GT(store.bytes_spilled(), 0u);
  const auto drained = drain_all(store, p);
  BOOST_REQUIRE_EQUAL(drained.size(), appended.size());
  for (size_t i = 0; i < appended.size(); ++i) BOOST_REQUIRE(drained[i] == appended[i]);
}

// A load killed outright cannot remove its spill folder; remove_abandoned (s3dest cleanup)
// does, and never a live store's.
namespace {
std::vector<std::string> spill_folders(const test_helpers::TempFolder& root) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(root.path)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_spill_folder_of_a_process_that_was_killed_is_removed_and_a_live_one_kept) {
  test_helpers::TempFolder root;
  // A child process spills and ends without its destructors, as SIGKILL would end it.
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    auto* store = new PartitionStore(0, root.path.string());  // never deleted
    const size_t p = store->add_partition();
    ::_exit(store->append(p, "the killed load's row").ok() ? 0 : 1);
  }
  int child_status = 0;
  BOOST_REQUIRE(::waitpid(child, &child_status, 0) == child);
  BOOST_REQUIRE(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0);
  const std::vector<std::string> left = spill_folders(root);
  BOOST_REQUIRE_EQUAL(left.size(), 1u);

  PartitionStore live(0, root.path.string());
  const size_t p = live.add_partition();
  BOOST_REQUIRE(live.append(p, "a live load's row").ok());
  BOOST_REQUIRE_EQUAL(spill_folders(root).size(), 2u);

  const auto removed = PartitionStore::remove_abandoned(root.path.string());
  BOOST_REQUIRE(removed.ok());
  BOOST_CHECK_EQUAL(*removed, 1u);
  const std::vector<std::string> kept = spill_folders(root);
  BOOST_REQUIRE_EQUAL(kept.size(), 1u);
  BOOST_CHECK(kept[0] != left[0]);
  BOOST_CHECK_EQUAL(root.path / kept[0], std::filesystem::path(live.spill_folder()));
  BOOST_CHECK((drain_all(live, p) == std::vector<std::string>{"a live load's row"}));
  // Nothing else under the root is touched, and a second sweep finds nothing.
  std::filesystem::create_directory(root.path / "s3dest-other");
  BOOST_CHECK_EQUAL(*PartitionStore::remove_abandoned(root.path.string()), 0u);
  BOOST_CHECK(std::filesystem::exists(root.path / "s3dest-other"));
}

BOOST_AUTO_TEST_CASE(a_spill_folder_without_a_lock_goes_only_once_an_hour_old) {
  test_helpers::TempFolder root;
  const auto folder = root.path / "s3dest-spill-legacy";
  std::filesystem::create_directory(folder);
  std::ofstream(folder / "0") << "rows";
  BOOST_CHECK_EQUAL(*PartitionStore::remove_abandoned(root.path.string()), 0u);
  BOOST_CHECK(std::filesystem::exists(folder / "0"));
  std::filesystem::last_write_time(folder, std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
  BOOST_CHECK_EQUAL(*PartitionStore::remove_abandoned(root.path.string()), 1u);
  BOOST_CHECK(!std::filesystem::exists(folder));
}
