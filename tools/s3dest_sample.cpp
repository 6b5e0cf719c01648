// s3dest-sample: deterministic sample rows as NDJSON on stdout, for the demo, the tests
// and the benchmarks. Every run with the same flags prints the same bytes.
//
//   s3dest-sample [--rows N] [--days D] [--accounts A] [--seed S]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/numbers.hpp"
#include "s3dest/format/json_lines_encoder.hpp"

namespace {

struct Random {  // xorshift64*: fast, and the same everywhere
  uint64_t state;
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

// Notes exercise the text formats: separators, quotes, line breaks, unicode, empties.
constexpr const char* kNotes[] = {
    "spring sale",       "price, discounted", "the \"best\" offer", "two\nlines",
    "crlf\r\ninside",    "tab\tseparated",    "semi;colon",          "unicode: Zürich, 東京, 🚀",
    "",                  "back\\slash",       "trailing space ",     "plain"};

struct SampleOptions {
  uint64_t rows = 1000, days = 30, accounts = 5, seed = 42;
};

// Reads the flags into `options`; false on anything else.
bool parse_flags(int argc, char** argv, SampleOptions& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--rows")) options.rows = value;
    else if (!std::strcmp(argv[i], "--days")) options.days = value ? value : 1;
    else if (!std::strcmp(argv[i], "--accounts")) options.accounts = value ? value : 1;
    else if (!std::strcmp(argv[i], "--seed")) options.seed = value;
    else return false;
  }
  return true;
}

// Cents as a number with two decimals: "1234.05".
void append_cost(std::string& line, int64_t cents) {
  s3dest::append_int(line, cents / 100);
  line += '.';
  line += static_cast<char>('0' + cents / 10 % 10);
  line += static_cast<char>('0' + cents % 10);
}

// One of kNotes, or (as often as each) null.
void append_note(std::string& line, Random& random) {
  constexpr uint64_t kCount = sizeof kNotes / sizeof kNotes[0];
  const uint64_t pick = random.below(kCount + 1);
  if (pick == kCount) line += "null";
  else s3dest::append_json_string(line, kNotes[pick]);
}

// One row of `day` as an NDJSON line. The values are drawn in column order, so the same
// seed gives the same rows.
void append_row(std::string& line, Random& random, int64_t day, uint64_t accounts) {
  line += "{\"date\":\"";
  s3dest::append_date(line, static_cast<int32_t>(day));
  line += "\",\"account\":\"acc";
  s3dest::append_int(line, static_cast<int64_t>(random.below(accounts)));
  line += "\",\"campaign\":\"campaign-";
  s3dest::append_int(line, static_cast<int64_t>(random.below(500)));
  const int64_t impressions = static_cast<int64_t>(random.below(100000));
  const int64_t clicks = impressions ? static_cast<int64_t>(random.below(static_cast<uint64_t>(impressions) / 10 + 1)) : 0;
  line += "\",\"impressions\":";
  s3dest::append_int(line, impressions);
  line += ",\"clicks\":";
  s3dest::append_int(line, clicks);
  line += ",\"cost\":";
  append_cost(line, static_cast<int64_t>(random.below(10000000)));
  line += ",\"ctr\":";
  s3dest::append_double(line, impressions ? static_cast<double>(clicks) / static_cast<double>(impressions) : 0.5);
  line += ",\"active\":";
  line += random.below(2) ? "true" : "false";
  line += ",\"updated_at\":\"";
  s3dest::append_timestamp(line, day * s3dest::kMicrosPerDay +
                                     static_cast<int64_t>(random.below(static_cast<uint64_t>(s3dest::kMicrosPerDay))));
  line += "\",\"note\":";
  append_note(line, random);
  line += "}\n";
}

}  // namespace

int main(int argc, char** argv) {
  SampleOptions options;
  if (!parse_flags(argc, argv, options)) {
    std::fprintf(stderr, "usage: s3dest-sample [--rows N] [--days D] [--accounts A] [--seed S]\n");
    return 2;
  }
  Random random{options.seed * 0x9E3779B97F4A7C15ull + 1};
  const int64_t first_day = s3dest::days_from_civil({2026, 1, 1});
  std::string out;
  for (uint64_t r = 0; r < options.rows; ++r) {
    append_row(out, random, first_day + static_cast<int64_t>(r * options.days / options.rows), options.accounts);
    if (out.size() > (1 << 20)) {  // written a megabyte at a time
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
