#define BOOST_TEST_MODULE segmented_bytes
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/core/segmented_bytes.hpp"

using namespace s3dest;

BOOST_AUTO_TEST_CASE(bytes_are_written_out_in_the_order_appended_across_segments) {
  SegmentedBytes pages;
  std::string expected;
  // Pieces from one byte to past the largest segment, so some span two or three segments.
  for (size_t n : {1u, 100u, 4095u, 5000u, 70000u, 3u, 200000u}) {
    const std::string piece(n, static_cast<char>('a' + n % 26));
    pages.append(piece);
    expected += piece;
  }
  StringSink out;
  BOOST_REQUIRE(pages.write_to(out).ok());
  BOOST_TEST(out.data() == expected);
  BOOST_TEST(pages.size() == expected.size());
}

BOOST_AUTO_TEST_CASE(memory_stays_close_to_what_is_held_small_or_large) {
  SegmentedBytes small;
  small.append(std::string(100, 'x'));
  BOOST_TEST(small.memory() <= SegmentedBytes::kFirstSegmentBytes + 64);  // a small file's column chunk
  SegmentedBytes large;
  for (int page = 0; page < 100; ++page) large.append(std::string(30000, 'p'));
  BOOST_TEST(large.memory() <= large.size() + SegmentedBytes::kLargestSegmentBytes + 4096);
  large.clear();
  BOOST_TEST(large.empty());
  BOOST_TEST(large.memory() == 0u);
}

// The partition store's use: thousands of partitions may hold one short record each, so
// their first segment is one record's room, and a reader takes the bytes segment by
// segment (a record may be cut between two).
BOOST_AUTO_TEST_CASE(a_smaller_first_segment_and_the_bytes_visited_segment_by_segment) {
  SegmentedBytes one_record(256);
  one_record.append(std::string(200, 'r'));
  BOOST_TEST(one_record.memory() <= 256 + 64);

  SegmentedBytes records(256);
  std::string expected;
  for (int i = 0; i < 500; ++i) {
    const std::string record(static_cast<size_t>(i * 7 % 1000), static_cast<char>('a' + i % 26));
    records.append(record);
    expected += record;
  }
  std::string visited;
  size_t segments = 0;
  BOOST_REQUIRE(records
                    .visit_segments([&](std::string_view bytes) {
                      visited.append(bytes);
                      ++segments;
                      return Status();
                    })
                    .ok());
  BOOST_TEST(visited == expected);
  BOOST_TEST(segments > 1u);
  // A failing visit stops the walk and is returned.
  size_t calls = 0;
  const Status stopped = records.visit_segments([&](std::string_view) {
    ++calls;
    return internal_error("stop here");
  });
  BOOST_TEST(!stopped.ok());
  BOOST_TEST(calls == 1u);
}
