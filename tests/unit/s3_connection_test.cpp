#define BOOST_TEST_MODULE s3_connection
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/destination/s3_connection.hpp"

using namespace s3dest;

namespace {

Config config(const std::string& extra) {
  auto parsed = parse_config(R"({"file_name": "f-{{chunk_id}}")" + extra + "}", "c.json");
  BOOST_TEST_REQUIRE(parsed.ok(), parsed.status().message());
  return *parsed;
}

constexpr uint64_t kMiB = uint64_t{1} << 20;

}  // namespace

BOOST_AUTO_TEST_CASE(parts_grow_so_that_the_biggest_object_needs_at_most_10000) {
  // 500 GiB objects: 8 MiB parts would need 64,000 of them.
  const auto options = s3_sink_options_for_config(config(R"(, "max_file_size_mb": 512000, "memory_limit_mb": 4096)"), "");
  BOOST_TEST_REQUIRE(options.ok(), options.status().message());
  BOOST_TEST(options->part_bytes == 52 * kMiB);
  BOOST_TEST(options->part_bytes * kMaxParts >= uint64_t{512000} * kMiB);
  // Small objects keep part_size_mb.
  BOOST_TEST(s3_sink_options_for_config(config(R"(, "max_file_size_mb": 100)"), "")->part_bytes == 8 * kMiB);
}

BOOST_AUTO_TEST_CASE(a_cap_that_needs_parts_bigger_than_the_memory_allows_is_refused) {
  const auto refused = s3_sink_options_for_config(config(R"(, "max_file_size_mb": 5000000, "memory_limit_mb": 64)"), "");
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().exit_code() == 2);
  BOOST_TEST(refused.status().message() ==
             "objects of max_file_size_mb 5000000 need parts of 500 MiB (S3 takes at most 10,000 parts), more than "
             "memory_limit_mb allows (16 MiB): raise memory_limit_mb or lower max_file_size_mb");
}

BOOST_AUTO_TEST_CASE(parts_and_uploads_in_flight_fit_the_spare_quarter_of_the_memory) {
  const auto options = s3_sink_options_for_config(config(R"(, "part_size_mb": 256, "memory_limit_mb": 64, "concurrency": 8)"), "");
  BOOST_TEST_REQUIRE(options.ok());
  BOOST_TEST(options->part_bytes == 16 * kMiB);  // 256 asked, a quarter of 64 allowed
  BOOST_TEST(options->concurrency == 1);
  const auto wide = s3_sink_options_for_config(config(R"(, "memory_limit_mb": 512, "concurrency": 8)"), "");
  BOOST_TEST(wide->part_bytes * wide->concurrency <= 128 * kMiB);
  BOOST_TEST(wide->max_part_bytes * wide->concurrency <= 128 * kMiB);
  BOOST_TEST(wide->max_part_bytes >= wide->part_bytes);
}
