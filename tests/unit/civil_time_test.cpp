#define BOOST_TEST_MODULE civil_time
#include <boost/test/unit_test.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/table/decimal.hpp"

using namespace s3dest;

namespace {
std::string date_text(int32_t days) {
  std::string s;
  append_date(s, days);
  return s;
}
std::string timestamp_text(int64_t micros) {
  std::string s;
  append_timestamp(s, micros);
  return s;
}
std::string decimal_text(std::string_view text, unsigned precision, unsigned scale) {
  const auto v = parse_decimal(text, ColumnType{TypeId::decimal, static_cast<uint8_t>(precision),
                                                static_cast<uint8_t>(scale)});
  if (!v) return "refused";
  std::string s;
  append_decimal(s, *v, scale);
  return s;
}
}  // namespace

BOOST_AUTO_TEST_CASE(dates_round_trip_across_the_calendar) {
  // Every 997th day from 0001-01-01 to 9999-12-31, the years ISO dates spell with four digits.
  for (int32_t days = -719162; days <= 2932896; days += 997) {
    const auto parsed = parse_date(date_text(days));
    BOOST_REQUIRE(parsed);
    BOOST_CHECK_EQUAL(*parsed, days);
  }
  BOOST_CHECK_EQUAL(date_text(0), "1970-01-01");
  BOOST_CHECK_EQUAL(date_text(-1), "1969-12-31");
  BOOST_CHECK_EQUAL(*parse_date("1900-03-01") - *parse_date("1900-02-28"), 1);  // 1900 is no leap year
  BOOST_CHECK_EQUAL(*parse_date("2000-03-01") - *parse_date("2000-02-28"), 2);  // 2000 is
  BOOST_CHECK_EQUAL(date_text(*parse_date("0001-01-01")), "0001-01-01");
}

namespace {

// The day after `d` on the calendar, counted as a person would.
CivilDate next_day(CivilDate d) {
  if (d.day < days_in_month(d.year, d.month)) return {d.year, d.month, d.day + 1};
  if (d.month < 12) return {d.year, d.month + 1, 1};
  return {d.year + 1, 1, 1};
}

void check_days_from(int64_t days, CivilDate date, int64_t count) {
  for (int64_t i = 0; i < count; ++i, ++days, date = next_day(date)) {
    const CivilDate back = civil_from_days(days);
    if (days_from_civil(date) != days || back.year != date.year || back.month != date.month ||
        back.day != date.day) {
      BOOST_FAIL("day " << days << " is " << date.year << "-" << date.month << "-" << date.day << ", read as "
                        << days_from_civil(date) << " and written as " << back.year << "-" << back.month
                        << "-" << back.day);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_day_matches_a_walk_along_the_calendar) {
  // Every day of the years 1 to 9999, then across each edge of the fast unsigned paths
  // (year 1, 0000-03-01, and day 2^32 - 719468), where the general paths take over.
  check_days_from(-719162, {1, 1, 1}, 2932897 + 719162);
  check_days_from(-719162 - 366 - 30, {-1, 12, 2}, 1000);
  const CivilDate far = civil_from_days(int64_t{0xFFFFFFFF} - 719468 - 500);
  check_days_from(int64_t{0xFFFFFFFF} - 719468 - 500, far, 1000);
  const CivilDate million = {1000000, 1, 1};
  const int64_t million_days = days_from_civil({999999, 12, 31}) + 1;
  BOOST_CHECK_EQUAL(days_from_civil(million), million_days);
  check_days_from(million_days - 800, civil_from_days(million_days - 800), 1600);
}

BOOST_AUTO_TEST_CASE(dates_and_timestamps_written_in_any_order_each_spell_their_own_day) {
  // A thread remembers the last date it wrote: repeats, a change of day, a day far off
  // (longer text), timestamps of other days and before the epoch, and back again.
  const int64_t day = kMicrosPerDay;
  BOOST_CHECK_EQUAL(date_text(20454), "2026-01-01");
  BOOST_CHECK_EQUAL(date_text(20454), "2026-01-01");
  BOOST_CHECK_EQUAL(timestamp_text(20454 * day + 1), "2026-01-01T00:00:00.000001Z");
  BOOST_CHECK_EQUAL(timestamp_text(20455 * day - 1), "2026-01-01T23:59:59.999999Z");
  BOOST_CHECK_EQUAL(timestamp_text(20455 * day), "2026-01-02T00:00:00Z");
  BOOST_CHECK_EQUAL(date_text(20454), "2026-01-01");
  BOOST_CHECK_EQUAL(date_text(2932897), "10000-01-01");
  BOOST_CHECK_EQUAL(date_text(-719163), "0000-12-31");
  BOOST_CHECK_EQUAL(timestamp_text(-1), "1969-12-31T23:59:59.999999Z");
  BOOST_CHECK_EQUAL(date_text(0), "1970-01-01");
  BOOST_CHECK_EQUAL(timestamp_text(-1), "1969-12-31T23:59:59.999999Z");
}

BOOST_AUTO_TEST_CASE(impossible_dates_are_refused) {
  for (const char* text : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-01", "2024-1-01",
                           "2024-01-01x", "", "2024/01-01", "2024.1.01", "01/31/2024", "31.01.2024"})
    BOOST_CHECK_MESSAGE(!parse_date(text), text);
}

BOOST_AUTO_TEST_CASE(dates_with_slashes_or_dots_read_like_iso_dates_year_first) {
  // Year first, so the order of month and day is never a guess; 01/31/2024 is refused.
  BOOST_CHECK_EQUAL(*parse_date("2012/01/31"), *parse_date("2012-01-31"));
  BOOST_CHECK_EQUAL(*parse_date("2012.01.31"), *parse_date("2012-01-31"));
  BOOST_CHECK(!parse_date("2023/02/29"));
}

BOOST_AUTO_TEST_CASE(timestamps_take_offsets_to_utc_and_keep_microseconds) {
  BOOST_CHECK_EQUAL(*parse_timestamp("1970-01-01T00:00:00Z"), 0);
  BOOST_CHECK_EQUAL(*parse_timestamp("1970-01-01T01:00:00+01:00"), 0);
  BOOST_CHECK_EQUAL(*parse_timestamp("1969-12-31T19:00:00.000001-05:00"), 1);
  BOOST_CHECK_EQUAL(*parse_timestamp("2024-02-29 12:30:45.5z"), *parse_timestamp("2024-02-29T12:30:45.500000Z"));
  BOOST_CHECK_EQUAL(timestamp_text(-1), "1969-12-31T23:59:59.999999Z");
  BOOST_CHECK_EQUAL(timestamp_text(*parse_timestamp("2026-11-25T08:09:10.120000+00:00")),
                    "2026-11-25T08:09:10.120000Z");
  BOOST_CHECK_EQUAL(timestamp_text(*parse_timestamp("1850-06-01T00:00:00Z")), "1850-06-01T00:00:00Z");
  BOOST_CHECK(parse_timestamp("2024-01-01T00:00:00.123456000Z"));   // zeros past microseconds are exact
  BOOST_CHECK(!parse_timestamp("2024-01-01T00:00:00.1234567Z"));    // a nanosecond would be lost
  BOOST_CHECK(!parse_timestamp("2024-01-01T24:00:00Z"));
}

BOOST_AUTO_TEST_CASE(timestamps_as_databases_export_them) {
  const int64_t noon = *parse_timestamp("2025-07-01T12:00:00Z");
  // No offset is UTC (PostgreSQL's timestamp, MySQL, BigQuery, pandas' to_csv).
  for (const char* text : {"2025-07-01 12:00:00", "2025-07-01T12:00", "2025-07-01 12:00", "2025/07/01 12:00",
                           "2025.07.01 12:00:00", "2025-07-01 12:00:00 UTC", "2025-07-01 12:00:00UTC",
                           "2025-07-01 14:00:00+02", "2025-07-01 14:00:00+0200", "2025-07-01 14:00:00 +02:00",
                           "2025-07-01 10:30:00-0130", "2025-07-01 12:00:00.000000000"})
    BOOST_CHECK_MESSAGE(parse_timestamp(text) == noon, text);
  BOOST_CHECK_EQUAL(*parse_timestamp("2025-07-02 13:30:00.123") - *parse_timestamp("2025-07-02T13:30:00Z"), 123000);
  for (const char* text : {"2025-07-01 12", "2025-07-01 12:00:", "2025-07-01 12:00.5", "2025-07-01 12:00:00 EST",
                           "2025-07-01 12:00:00+2", "2025-07-01 12:00:00+02:0", "2025-07-01  12:00:00",
                           "2025-07-01 12:00:00  Z", "2025-07-01 12:00:00.", "2025/07-01 12:00:00"})
    BOOST_CHECK_MESSAGE(!parse_timestamp(text), text);
}

BOOST_AUTO_TEST_CASE(doubles_print_shortest_and_read_back_exactly) {
  for (const double d : {0.1, 1.0 / 3, 1e300, -2.5e-308, 123456789012345680.0, 5e-324}) {
    std::string s;
    append_double(s, d);
    BOOST_CHECK_EQUAL(*parse_double(s), d);
  }
  std::string s;
  append_double(s, 0.1 + 0.2);
  BOOST_CHECK_EQUAL(s, "0.30000000000000004");
  BOOST_CHECK(!parse_double("1e999"));  // too big is refused, not made infinite
  for (const char* not_a_double : {" 1", "1 ", "", "+", "-", "++1", "0x10", "1e", "1,5", "nanny", "nan(1)", "inf1"})
    BOOST_CHECK_MESSAGE(!parse_double(not_a_double), not_a_double);
}

// write_double takes a short cut for decimals of up to six places; its text must be the
// one std::to_chars gives, for every kind of double.
BOOST_AUTO_TEST_CASE(doubles_print_as_to_chars_prints_them) {
  std::mt19937_64 random(13);
  const auto random_double = [&random](int kind) {
    switch (kind) {
      case 0: return static_cast<double>(random() % 100000000) / 100;            // prices
      case 1: return static_cast<double>(random() % 2000000) / 1e6 - 1;          // rates to six places
      case 2: return static_cast<double>(random() % 1000) * 1e4;                 // round numbers
      case 3: return std::ldexp(static_cast<double>(random() >> 11), -60);       // any bits, below 1
      case 4: return std::ldexp(static_cast<double>(random() >> 11), -30);       // any bits, up to 2^23
      case 5: return static_cast<double>(random() % 10000000) / 1e7;             // seven places
      case 6: return std::nextafter(static_cast<double>(random() % 100000) / 100, 1e9);  // a price, an ulp off
      default: return static_cast<double>(random() % 4000000000000000) / 1e6;    // near the short cut's limit
    }
  };
  std::vector<double> values = {0.0,   -0.0,   1.0,   0.1,    1e-3,  1e-4, 1e-6,          1.5e-6,
                                1e4,   1e5,    1.2345e8, 4e9, 1e15,  0.3,  2.5,           1e22,
                                5e-324, 0.5,   0.25,  999999.999999, 3999999999.999999};
  for (int i = 0; i < 400000; ++i) values.push_back(random_double(i % 8) * (i % 3 == 0 ? -1 : 1));
  int mismatches = 0;
  for (const double d : values) {
    char expected[64];
    const char* end = std::to_chars(expected, expected + sizeof expected, d).ptr;
    const std::string_view want(expected, static_cast<size_t>(end - expected));
    std::string got;
    append_double(got, d);
    if (got != want && ++mismatches <= 10) BOOST_ERROR(got + " where to_chars writes " + std::string(want));
  }
  BOOST_CHECK_EQUAL(mismatches, 0);
}

BOOST_AUTO_TEST_CASE(doubles_in_every_common_spelling) {
  BOOST_CHECK_EQUAL(*parse_double("1e3"), 1000.0);
  BOOST_CHECK_EQUAL(*parse_double("-1.5E-7"), -1.5e-7);
  BOOST_CHECK_EQUAL(*parse_double("+.5"), 0.5);
  for (const char* nan : {"NaN", "nan", "NAN", "-nan", "+NaN"}) BOOST_CHECK_MESSAGE(std::isnan(*parse_double(nan)), nan);
  for (const char* inf : {"inf", "Inf", "+inf", "Infinity", "INFINITY"})
    BOOST_CHECK_MESSAGE(*parse_double(inf) == std::numeric_limits<double>::infinity(), inf);
  for (const char* inf : {"-inf", "-Infinity"})
    BOOST_CHECK_MESSAGE(*parse_double(inf) == -std::numeric_limits<double>::infinity(), inf);
  // Written as csv readers read them back.
  for (const double d : {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    std::string text;
    append_double(text, d);
    BOOST_CHECK_MESSAGE(text == "nan" || text == "inf" || text == "-inf", text);
    BOOST_CHECK(std::isnan(d) ? std::isnan(*parse_double(text)) : *parse_double(text) == d);
  }
}

BOOST_AUTO_TEST_CASE(decimals_keep_every_digit_or_refuse) {
  BOOST_CHECK_EQUAL(decimal_text("12.5", 12, 2), "12.50");
  BOOST_CHECK_EQUAL(decimal_text("-0.05", 5, 3), "-0.050");
  BOOST_CHECK_EQUAL(decimal_text("1e3", 6, 2), "1000.00");
  BOOST_CHECK_EQUAL(decimal_text("1.2e-5", 10, 6), "0.000012");
  BOOST_CHECK_EQUAL(decimal_text("12.500", 12, 2), "12.50");  // trailing zeros lose nothing
  BOOST_CHECK_EQUAL(decimal_text("12.345", 12, 2), "refused");  // would round
  BOOST_CHECK_EQUAL(decimal_text("123456", 5, 0), "refused");   // too many digits
  BOOST_CHECK_EQUAL(decimal_text("99999999999999999999999999999999999999", 38, 0),
                    "99999999999999999999999999999999999999");
  BOOST_CHECK_EQUAL(decimal_text("-1234567890123456789012345678.9012345678", 38, 10),
                    "-1234567890123456789012345678.9012345678");
  BOOST_CHECK_EQUAL(decimal_text("abc", 5, 0), "refused");
  BOOST_CHECK_EQUAL(decimal_text("0", 3, 2), "0.00");
}
