#define BOOST_TEST_MODULE progress_text
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/destination/progress_text.hpp"

using namespace s3dest;

BOOST_AUTO_TEST_CASE(a_file_input_shows_the_share_read_and_the_time_left) {
  LoadProgress p;
  p.rows_read = 3912004;
  p.input_bytes_read = 250'000'000;
  p.input_bytes_total = 1'000'000'000;
  p.objects = {12, 120'500'000, 4};
  // A quarter in 10 s: three quarters, 30 s, to go.
  BOOST_TEST(progress_text(p, 10, true) ==
             "25% of 1.00 GB read, 30 s left; 3,912,004 rows at 391,200 rows/s; 12 objects, 120.5 MB uploaded, "
             "4 in flight");
  BOOST_TEST(progress_text(p, 10, false) ==
             "25% of 1.00 GB read, 30 s left; 3,912,004 rows at 391,200 rows/s; 12 objects, 120.5 MB written");
}

BOOST_AUTO_TEST_CASE(standard_input_has_no_share_and_no_time_left) {
  LoadProgress p;
  p.rows_read = 1000;
  p.input_bytes_read = 50'000;
  p.objects = {1, 950, 0};
  BOOST_TEST(progress_text(p, 2, false) == "1,000 rows read at 500 rows/s; 1 object, 950 B written");
}

BOOST_AUTO_TEST_CASE(the_time_left_waits_for_the_first_second) {
  LoadProgress p;
  p.input_bytes_read = 10;
  p.input_bytes_total = 1000;
  BOOST_TEST(progress_text(p, 0.5, false).rfind("1% of 1.00 kB read; 0 rows", 0) == 0);
}

BOOST_AUTO_TEST_CASE(durations_and_sizes_read_as_people_write_them) {
  BOOST_TEST(duration_text(44.6) == "45 s");
  BOOST_TEST(duration_text(83) == "1 min 23 s");
  BOOST_TEST(duration_text(7500) == "2 h 05 min");
  BOOST_TEST(byte_size_text(999) == "999 B");
  BOOST_TEST(byte_size_text(1'070'000'000) == "1.07 GB");
  BOOST_TEST(grouped_number(0) == "0");
  BOOST_TEST(grouped_number(1234567) == "1,234,567");
}
