#define BOOST_TEST_MODULE partition_store
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "s3dest/layout/partition_store.hpp"

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
