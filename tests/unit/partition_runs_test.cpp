#define BOOST_TEST_MODULE partition_runs
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/layout/partition_runs.hpp"

using namespace s3dest;

namespace {

using Batch = std::vector<std::pair<size_t, std::string>>;  // partition, record

// What the partitions' files receive, and in which order the writes came.
struct Files {
  std::map<size_t, std::vector<std::string>> rows;
  std::vector<size_t> writes;  // the partition of each write
  Status write(size_t partition, std::string_view record) {
    rows[partition].emplace_back(record);
    writes.push_back(partition);
    return {};
  }
};

// Feeds the batch through `runs` as the load does; returns the partitions written, in
// order.
std::vector<size_t> feed(PartitionRuns& runs, const Batch& batch, Files& files) {
  const size_t before = files.writes.size();
  const auto write = [&files](size_t partition, std::string_view record) { return files.write(partition, record); };
  for (const auto& [partition, record] : batch) BOOST_REQUIRE(runs.add(partition, record, write).ok());
  BOOST_REQUIRE(runs.end_batch(write).ok());
  return std::vector<size_t>(files.writes.begin() + static_cast<std::ptrdiff_t>(before), files.writes.end());
}

// `rows` rows cycling over `partitions` partitions, numbered by partition and row.
Batch shuffled(size_t rows, size_t partitions, size_t first_row = 0) {
  Batch batch;
  for (size_t i = first_row; i < first_row + rows; ++i)
    batch.emplace_back((i * 7) % partitions, std::to_string((i * 7) % partitions) + ":" + std::to_string(i));
  return batch;
}

// Whether a file's rows ("partition:row") came in input order.
bool in_input_order(const std::vector<std::string>& rows) {
  const auto row_of = [](const std::string& record) { return std::stoul(record.substr(record.find(':') + 1)); };
  for (size_t i = 1; i < rows.size(); ++i)
    if (row_of(rows[i - 1]) >= row_of(rows[i])) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sorted_batches_go_through_as_they_come) {
  PartitionRuns runs;
  Files files;
  Batch day_after_day;
  for (size_t i = 0; i < 3000; ++i) day_after_day.emplace_back(i / 1000, std::to_string(i));
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<size_t> expected;
    for (const auto& row : day_after_day) expected.push_back(row.first);
    BOOST_TEST(feed(runs, day_after_day, files) == expected);
  }
}

BOOST_AUTO_TEST_CASE(after_a_batch_of_short_runs_rows_come_grouped_each_partition_in_order) {
  PartitionRuns runs;
  Files files;
  // The first batch goes through as it comes (nothing tells yet that the input is not
  // sorted); its runs are one row long, so the next ones are grouped.
  const Batch first = shuffled(1000, 10);
  std::vector<size_t> as_they_come;
  for (const auto& row : first) as_they_come.push_back(row.first);
  BOOST_TEST(feed(runs, first, files) == as_they_come);

  const std::vector<size_t> written = feed(runs, shuffled(1000, 10, 1000), files);
  // Ten runs, one a partition, in the order the partitions came first in the batch.
  std::vector<size_t> groups;
  for (size_t i = 0; i < written.size(); ++i)
    if (i == 0 || written[i] != written[i - 1]) groups.push_back(written[i]);
  BOOST_TEST(groups == (std::vector<size_t>{0, 7, 4, 1, 8, 5, 2, 9, 6, 3}));

  // Every file got its rows in input order.
  for (const auto& [partition, rows] : files.rows) {
    BOOST_TEST(rows.size() == 200u);
    BOOST_TEST(in_input_order(rows), "partition " << partition);
  }
}

BOOST_AUTO_TEST_CASE(a_batch_of_long_runs_after_short_ones_ends_the_grouping) {
  PartitionRuns runs;
  Files files;
  feed(runs, shuffled(1000, 10), files);
  Batch sorted;
  for (size_t i = 0; i < 1000; ++i) sorted.emplace_back(i / 100, std::to_string(i));
  feed(runs, sorted, files);  // grouped: already in groups
  const Batch mixed = shuffled(1000, 10);
  std::vector<size_t> as_they_come;
  for (const auto& row : mixed) as_they_come.push_back(row.first);
  BOOST_TEST(feed(runs, mixed, files) == as_they_come);  // long runs before it: not grouped
}

BOOST_AUTO_TEST_CASE(a_batch_past_the_rows_held_at_most_is_written_a_part_at_a_time) {
  PartitionRuns runs;
  Files files;
  const size_t rows = 2 * PartitionRuns::kMaxHeldRows + 10;
  feed(runs, shuffled(rows, 3), files);
  files = Files();
  const auto write = [&files](size_t partition, std::string_view record) { return files.write(partition, record); };
  size_t held_at_most = 0;
  size_t added = 0;
  const Batch batch = shuffled(rows, 3, rows);  // the rows held point into it
  for (const auto& [partition, record] : batch) {
    BOOST_REQUIRE(runs.add(partition, record, write).ok());
    held_at_most = std::max(held_at_most, ++added - files.writes.size());
  }
  BOOST_TEST(held_at_most == PartitionRuns::kMaxHeldRows);
  BOOST_REQUIRE(runs.end_batch(write).ok());
  BOOST_TEST(files.writes.size() == rows);
  size_t groups = 0;
  for (size_t i = 0; i < files.writes.size(); ++i) groups += i == 0 || files.writes[i] != files.writes[i - 1];
  BOOST_TEST(groups <= 9u);  // three parts of three partitions each, at most
  for (const auto& [partition, got] : files.rows) BOOST_TEST(in_input_order(got), "partition " << partition);
}
