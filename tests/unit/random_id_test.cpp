#define BOOST_TEST_MODULE random_id
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/crypto/random_id.hpp"

using namespace s3dest;

BOOST_AUTO_TEST_CASE(run_ids_start_with_the_utc_second_and_differ_between_runs) {
  const int64_t start = *parse_timestamp("2026-12-01T22:44:12.123456Z");
  const std::string a = new_run_id(start), b = new_run_id(start);
  BOOST_TEST(a.substr(0, 17) == "20261201T224412Z-");
  BOOST_TEST(a != b);
  BOOST_TEST(is_run_id(a));
  BOOST_TEST(!is_run_id("20261201T224412Z-5f3a9c1"));
  BOOST_TEST(!is_run_id("20261201T224412Z-5F3A9C1E"));
  BOOST_TEST(!is_run_id("2026-12-01T22:44:12Z-5f3a"));
  // Ids sort by start time.
  BOOST_TEST(new_run_id(start) < new_run_id(start + 1000000));
}

BOOST_AUTO_TEST_CASE(a_run_id_tells_when_its_run_began_to_the_second) {
  const int64_t start = *parse_timestamp("2026-12-01T22:44:12.123456Z");
  BOOST_TEST(*run_start_micros(new_run_id(start)) == *parse_timestamp("2026-12-01T22:44:12Z"));
  BOOST_TEST(!run_start_micros("20261201T224412Z-5f3a9c1"));   // not a run id
  BOOST_TEST(!run_start_micros("20261341T224412Z-5f3a9c1e"));  // no such day
}

BOOST_AUTO_TEST_CASE(uuids_are_version_4_and_unique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = random_uuid();
    BOOST_REQUIRE_EQUAL(id.size(), 36u);
    BOOST_TEST(id[8] == '-');
    BOOST_TEST(id[14] == '4');
    BOOST_TEST(std::string("89ab").find(id[19]) != std::string::npos);
    seen.insert(id);
  }
  BOOST_TEST(seen.size() == 1000u);
}
