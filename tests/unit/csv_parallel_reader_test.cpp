// csv read in blocks on several threads gives the rows, and the errors, that reading it
// row by row gives: the record scanner that finds where blocks may be cut, the blocks
// themselves (cut very small here, so that records, quotes and line breaks straddle
// every edge), and the BackgroundReader that parses them on threads.
#define BOOST_TEST_MODULE csv_parallel_reader
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "s3dest/table/background_reader.hpp"
#include "s3dest/table/csv_record_scanner.hpp"
#include "s3dest/table/record_blocks.hpp"
#include "gzip_helpers.hpp"
#include "reader_helpers.hpp"

using namespace s3dest;
using namespace test_helpers;

namespace {

// Where the scanner says the last whole record ends, and the line breaks before it
// ("<offset> after <n> lines"), with `text` handed over in pieces of `piece` bytes.
std::string last_end_of(const std::string& text, size_t piece, char separator = ',') {
  CsvRecordScanner scanner(separator);
  for (size_t i = 0; i < text.size(); i += piece) scanner.scan(text.data() + i, std::min(piece, text.size() - i));
  return std::to_string(scanner.last_end()) + " after " + std::to_string(scanner.lines_to_last_end()) + " lines";
}

// The rows a reader gives, shown, then "error: <message>" if it stops on one.
void read_into(RowReader& reader, std::vector<std::string>& out) {
  Row row;
  for (;;) {
    auto more = reader.next(row);
    if (!more.ok()) {
      out.push_back("error: " + more.status().message());
      return;
    }
    if (!*more) return;
    out.push_back(show(reader.schema(), row));
  }
}

std::vector<std::string> read_whole(const std::string& text, const ReaderOptions& options) {
  std::vector<std::string> out;
  auto reader = open_row_reader(ByteSource::from_string(text, "data.csv"), InputFormat::csv, options);
  if (!reader.ok()) return {"error: " + reader.status().message()};
  read_into(**reader, out);
  return out;
}

// As BackgroundReader reads a file: cut into blocks of `block_bytes`, each parsed alone,
// in order, until the first error.
std::vector<std::string> read_in_blocks(const std::string& text, const ReaderOptions& options, size_t block_bytes) {
  std::vector<std::string> out;
  auto source = ByteSource::from_string(text, "data.csv");
  RecordBlocks<CsvRecordScanner> blocks(*source, options, block_bytes);
  RecordBlock block;  // one buffer for every block, as the parallel reader reuses them
  for (;;) {
    auto more = blocks.next(block);
    if (!more.ok()) {
      out.push_back("error: " + more.status().message());
      return out;
    }
    if (!*more) return out;
    auto reader = open_block_reader(block, InputFormat::csv, options);
    if (!reader.ok()) {
      out.push_back("error: " + reader.status().message());
      return out;
    }
    read_into(**reader, out);
    if (!out.empty() && out.back().rfind("error: ", 0) == 0) return out;
  }
}

ReaderOptions schema_ab() { return with_schema(R"({"columns": [{"name": "a", "type": "int64"}, {"name": "b", "type": "string"}]})"); }

// The same rows and the same first error, whatever the block size.
void check_blocks_read_as_whole(const std::string& text, const ReaderOptions& options) {
  const std::vector<std::string> whole = read_whole(text, options);
  for (size_t block_bytes : {1, 2, 3, 5, 8, 13, 64, 1000}) {
    BOOST_TEST_CONTEXT("block of " << block_bytes << " bytes, text " << quote_for_message(text)) {
      BOOST_TEST(read_in_blocks(text, options, block_bytes) == whole, boost::test_tools::per_element());
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_scanner_finds_record_ends_outside_quoted_fields) {
  // Records end after "x\n", after the quoted field holding a line break, and after "\r\n".
  const std::string text = "a,b\n1,\"two\nlines\"\n2,\"x\"\"y\"\r\n3,unfinished";
  const std::string expected = std::to_string(text.find("3,")) + " after 4 lines";
  for (size_t piece = 1; piece <= text.size(); ++piece) {
    BOOST_TEST_CONTEXT("pieces of " << piece) { BOOST_TEST(last_end_of(text, piece) == expected); }
  }
}

BOOST_AUTO_TEST_CASE(the_scanner_takes_a_quote_inside_an_unquoted_field_as_data) {
  // 5"4 does not open a quoted field, so the line break after it ends the record: a count
  // of quotes would say the next two lines are one record.
  BOOST_TEST(last_end_of("a,b\n5\"4,x\ny,z\n", 1) == "14 after 3 lines");
  // Another separator: the quote after ';' opens a field, the one after ',' does not.
  BOOST_TEST(last_end_of("a;b\n1;\"x\ny\"\n1,\"x\ny\n", 1, ';') == "19 after 5 lines");
}

BOOST_AUTO_TEST_CASE(the_scanner_stops_at_a_closing_quote_followed_by_data) {
  CsvRecordScanner scanner(',');
  const std::string text = "a\n\"x\"y\nz\n";
  scanner.scan(text.data(), text.size());
  BOOST_TEST(scanner.malformed());
  BOOST_TEST(scanner.last_end() == 2u);  // the malformed record starts there
}

BOOST_AUTO_TEST_CASE(blocks_cut_at_every_edge_read_as_the_whole_file) {
  const ReaderOptions options = schema_ab();
  check_blocks_read_as_whole("a,b\n1,\"two\nlines\"\n2,plain\n", options);          // line break in quotes
  check_blocks_read_as_whole("a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", options);             // CRLF
  check_blocks_read_as_whole("a,b\n1,\"\"\"\"\n2,\"say \"\"hi\"\"\"\n", options);     // "" at the edges
  check_blocks_read_as_whole("a,b\n1,\"\"\n2,\n\n\n3,x\n\r\n", options);              // empty fields, blank lines
  check_blocks_read_as_whole("a,b\n", options);                                       // a header only
  check_blocks_read_as_whole("\n\n\na,b\n1,x", options);                              // blank lines first, no last newline
  check_blocks_read_as_whole("\xEF\xBB\xBF\"a\",b\n1,\"x\ny\"\n", options);           // byte-order mark, quoted header
  check_blocks_read_as_whole("", options);
  check_blocks_read_as_whole("b,a\n\"x\",1\n", options);                              // columns in another order
  check_blocks_read_as_whole("a\n1\n\n2\n", with_schema(R"({"columns": [{"name": "a", "type": "int64"}]})"));
  const std::string big(5000, 'q');  // a record much larger than a block
  check_blocks_read_as_whole("a,b\n1,\"" + big + "\n" + big + "\"\n2," + big + "\n3,x\n", options);
}

BOOST_AUTO_TEST_CASE(ndjson_blocks_end_at_line_breaks_and_know_the_lines_before_them) {
  // Lines of 0 to 40 bytes: several line breaks in one eight-byte word, and lines that
  // straddle words and blocks. Each block must end a line, know how many came before it,
  // how long its longest is and where its line breaks are; together the blocks are the
  // input. A byte-order mark starts it, and the first block holds it.
  std::mt19937 random(7);
  std::string text = "\xEF\xBB\xBF";
  for (int line = 0; line < 2000; ++line) text += std::string(random() % 41, 'x') + "\n";
  text += "no line break at the end";
  const ReaderOptions options;  // the blocks keep a reference to it
  for (const size_t block_bytes : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}, size_t{1} << 20}) {
    auto source = ByteSource::from_string(text, "data.ndjson");
    RecordBlocks<LineScanner> blocks(*source, options, block_bytes);
    RecordBlock block;
    std::string joined;
    for (;;) {
      auto more = blocks.next(block);
      BOOST_REQUIRE(more.ok());
      if (!*more) break;
      const std::string bytes(block.bytes.data(), block.bytes.size());
      const bool last = joined.size() + bytes.size() == text.size();
      BOOST_TEST((last || bytes.back() == '\n'), "block " << joined.size() << " of " << block_bytes);
      BOOST_TEST(block.first_line_offset == static_cast<uint64_t>(std::count(joined.begin(), joined.end(), '\n')));
      size_t longest = 0;
      for (size_t start = 0; start < bytes.size();) {
        const size_t end = std::min(bytes.find('\n', start), bytes.size() - 1) + 1;
        longest = std::max(longest, end - start);
        start = end;
      }
      BOOST_TEST(block.longest_record == longest, "block " << joined.size() << " of " << block_bytes);
      std::vector<uint32_t> line_breaks;  // the parser takes its lines from these
      for (size_t at = bytes.find('\n'); at != std::string::npos; at = bytes.find('\n', at + 1))
        line_breaks.push_back(static_cast<uint32_t>(at));
      BOOST_TEST(block.line_ends == line_breaks, boost::test_tools::per_element());
      joined += bytes;
    }
    BOOST_TEST((joined == text), "blocks of " << block_bytes);
  }
}

BOOST_AUTO_TEST_CASE(the_first_blocks_are_small_so_parsing_starts_at_once) {
  // 1 MiB blocks: the first is 64 KiB and each next one twice the one before, up to
  // 1 MiB (each cut after its last whole line, so a few bytes short of it).
  std::string text;
  for (int line = 0; line < 80000; ++line)
    text += "{\"n\":" + std::to_string(line) + ",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxx\"}\n";
  const ReaderOptions options;
  auto source = ByteSource::from_string(text, "data.ndjson");
  RecordBlocks<LineScanner> blocks(*source, options, 1 << 20);
  RecordBlock block;
  std::vector<size_t> kib;
  size_t total = 0;
  for (;;) {
    auto more = blocks.next(block);
    BOOST_REQUIRE(more.ok());
    if (!*more) break;
    kib.push_back((block.bytes.size() + 512) / 1024);
    total += block.bytes.size();
  }
  BOOST_TEST(total == text.size());
  BOOST_REQUIRE(kib.size() >= 6);
  const std::vector<size_t> ramp(kib.begin(), kib.begin() + 6);
  BOOST_TEST(ramp == (std::vector<size_t>{64, 128, 256, 512, 1024, 1024}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(errors_in_blocks_name_the_line_the_whole_file_names) {
  const ReaderOptions options = schema_ab();
  // Each message is checked against the one-piece read, at every block size.
  check_blocks_read_as_whole("a,b\n1,x\n2,\"multi\nline\"\nbad,y\n", options);  // a bad value on line 5
  check_blocks_read_as_whole("a,b\n1,x\n2,\"x\"y\n3,z\n", options);             // data after a closing quote
  check_blocks_read_as_whole("a,b\n1,x\n2,\"x\r3,z\n", options);                // a quote never closed
  check_blocks_read_as_whole("a,b\n1,\"x\"\r3\n", options);                     // '\r' not before '\n'
  check_blocks_read_as_whole("a,b\n1,x,y\n", options);                          // too many fields
  check_blocks_read_as_whole("a,b\n1,\xff\n", options);                         // not UTF-8
  check_blocks_read_as_whole("a,a\n1,x\n", options);                            // a header row at fault
  check_blocks_read_as_whole("a,c\n1,x\n", options);
  check_blocks_read_as_whole("\n\na,b\n1,x\n2,\"x\"y\n", options);

  BOOST_TEST(read_in_blocks("a,b\n1,x\n\n2,\"multi\nline\"\nbad,y\n", options, 3).back() ==
             "error: data.csv:6: column 'a': \"bad\" is not an int64 (type from the --schema file); fix the value, "
             "or the column's type in the --schema file");
}

BOOST_AUTO_TEST_CASE(a_record_longer_than_a_record_may_be_fails_as_it_does_read_whole) {
  ReaderOptions options = schema_ab();
  options.max_line_bytes = 1000;
  // Longer than the reader's first window too, so the whole-file read meets the limit.
  const std::string text = "a,b\n1,x\n2,\"" + std::string(3 << 20, 'q') + "\"\n3,y\n";
  const std::vector<std::string> whole = read_whole(text, options);
  BOOST_TEST(whole.back() ==
             "error: data.csv:3: the line is longer than 1000 bytes, the longest this load reads (it grows with "
             "memory_limit_mb); raise memory_limit_mb, or check the data: a csv quote left open, or no line breaks "
             "at all?");
  BOOST_TEST(read_in_blocks(text, options, 4096) == whole, boost::test_tools::per_element());

  // One that fits a block, or the reader's first window, is refused all the same.
  const std::string shorter = "a,b\n1,x\n\n2,\"" + std::string(1500, 'q') + "\"\n3,y\n";
  BOOST_TEST(read_whole(shorter, options).back().rfind("error: data.csv:4: the line is longer than 1000 bytes", 0) == 0);
  check_blocks_read_as_whole(shorter, options);
  options.max_line_bytes = 1504;  // the record, without its line break: read
  BOOST_TEST(read_whole(shorter, options).size() == 3u);
  check_blocks_read_as_whole(shorter, options);
  options.max_line_bytes = 1503;
  BOOST_TEST(read_whole(shorter, options).back().rfind("error: data.csv:4: the line is longer than 1503 bytes", 0) == 0);
  check_blocks_read_as_whole(shorter, options);
}

// Random csv made of the pieces that make cutting hard: quoted fields holding separators,
// line breaks, CRLF and "", quotes inside unquoted fields, empty and blank records, CRLF
// record ends, a last record without a line break, and now and then a fault.
BOOST_AUTO_TEST_CASE(random_csv_reads_the_same_in_blocks_of_any_size) {
  std::mt19937 random(20261202);
  const auto pick = [&random](size_t n) { return static_cast<size_t>(random() % n); };
  const std::vector<std::string> strings = {
      "",         "\"\"",       "x",          "\"a,b\"",     "\"two\nlines\"", "\"crlf\r\ninside\"",
      "\"\"\"\"", "\"x\"\"y\"", "5\"4",       "\"\n\"",      "\"\"\"\n\"\"\"", "unicode: Zürich",
      "a b",      "\"\r\n\"",   "\"\"\"a\"\"\"", "tab\tsep", "\",\"",         "\"\n\n\n\""};
  const std::vector<std::string> numbers = {"", "0", "-12", "7", "\"3\"", "123456789"};
  const std::vector<std::string> faults = {"\"x\"y", "\"open", "bad", "\xc3", "1,2"};
  for (int round = 0; round < 300; ++round) {
    const bool header_first = pick(4) != 0;
    std::string text = pick(5) == 0 ? "\xEF\xBB\xBF" : "";
    text += header_first ? "a,b" : "b,a";
    const bool crlf = pick(2) == 0;
    text += crlf ? "\r\n" : "\n";
    const size_t records = pick(40);
    for (size_t r = 0; r < records; ++r) {
      if (pick(10) == 0) {
        text += crlf ? "\r\n" : "\n";  // blank
        continue;
      }
      const std::string number = numbers[pick(numbers.size())];
      const std::string string = strings[pick(strings.size())];
      text += header_first ? number + "," + string : string + "," + number;
      if (pick(200) == 0) text += faults[pick(faults.size())];
      if (r + 1 < records || pick(3) != 0) text += crlf ? "\r\n" : "\n";
    }
    BOOST_TEST_CONTEXT("round " << round) { check_blocks_read_as_whole(text, schema_ab()); }
  }
}

namespace {

// Every row the BackgroundReader hands over, shown, then "error: ..." if it stops on one.
// The caller spends `work` on each batch before it asks for the next, as a parquet load
// spends it encoding the batch.
std::vector<std::string> read_in_background(std::vector<std::unique_ptr<ByteSource>> inputs,
                                            const ReaderOptions& options, unsigned threads, uint64_t memory_budget,
                                            CallerWork caller_work = CallerWork::light,
                                            std::chrono::microseconds work = {}) {
  const Schema schema = *options.schema;
  const EncodeRow encode = [&schema](const Row& row, std::string&, std::string& record) {
    record += show(schema, row);
    return Status();
  };
  BackgroundReader reader(std::move(inputs), InputFormat::csv, options, encode, threads, memory_budget, nullptr,
                          caller_work);
  std::vector<std::string> out;
  for (;;) {
    std::this_thread::sleep_for(work);
    auto batch = reader.next();
    if (!batch.ok()) {
      out.push_back("error: " + batch.status().message());
      return out;
    }
    if (*batch == nullptr) return out;
    BOOST_REQUIRE((*batch)->pairs.for_each([&out](std::string_view, std::string_view record) {
      out.emplace_back(record);
      return Status();
    }).ok());
  }
}

// A csv of `rows` rows whose notes hold quoted line breaks: several blocks of 256 KiB.
std::string many_rows(size_t rows) {
  std::string text = "a,b\n";
  for (size_t i = 0; i < rows; ++i) {
    text += std::to_string(i) + ",";
    text += i % 3 == 0 ? "\"note " + std::to_string(i) + "\r\nsecond line, \"\"quoted\"\"\"\r\n" : "plain\n";
  }
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(threads_hand_over_rows_in_input_order) {
  const ReaderOptions options = schema_ab();
  const std::string text = many_rows(60000);
  const std::vector<std::string> whole = read_whole(text, options);
  BOOST_TEST(whole.size() == 60000u);
  std::vector<std::unique_ptr<ByteSource>> inputs;
  inputs.push_back(ByteSource::from_string(text, "data.csv"));
  inputs.push_back(ByteSource::from_string(gzip(text), "data.csv.gz"));  // gzip input, cut as it is inflated
  std::vector<std::string> twice = whole;
  twice.insert(twice.end(), whole.begin(), whole.end());
  BOOST_TEST(read_in_background(std::move(inputs), options, 4, 4 << 20) == twice, boost::test_tools::per_element());
}

// With a caller that encodes each batch (CallerWork::heavy), a parser is held back while it
// works and let go when it waits: every row still comes, in input order, whatever the
// number of parsing threads (one, where none is held back, included).
BOOST_AUTO_TEST_CASE(a_caller_that_encodes_each_batch_gets_every_row_in_order) {
  const ReaderOptions options = schema_ab();
  const std::string text = many_rows(60000);
  const std::vector<std::string> whole = read_whole(text, options);
  for (const unsigned threads : {1u, 2u, 4u}) {
    std::vector<std::unique_ptr<ByteSource>> inputs;
    inputs.push_back(ByteSource::from_string(text, "data.csv"));
    inputs.push_back(ByteSource::from_string(gzip(text), "data.csv.gz"));
    std::vector<std::string> twice = whole;
    twice.insert(twice.end(), whole.begin(), whole.end());
    BOOST_TEST_CONTEXT(threads << " parsing threads") {
      BOOST_TEST(read_in_background(std::move(inputs), options, threads, 1 << 20, CallerWork::heavy,
                                    std::chrono::microseconds(500)) == twice,
                 boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(an_error_late_in_a_file_read_by_threads_names_its_line) {
  const ReaderOptions options = schema_ab();
  const std::string text = many_rows(60000) + "oops,x\n" + many_rows(10);
  const std::vector<std::string> whole = read_whole(text, options);
  for (const CallerWork caller_work : {CallerWork::light, CallerWork::heavy}) {
    std::vector<std::unique_ptr<ByteSource>> inputs;
    inputs.push_back(ByteSource::from_string(text, "data.csv"));
    const std::vector<std::string> rows = read_in_background(std::move(inputs), options, 2, 4 << 20, caller_work);
    // The rows of the batch the error is in are not handed over (the load stops anyway);
    // those before are the file's first rows.
    BOOST_TEST(rows.size() <= whole.size());
    BOOST_TEST(std::equal(rows.begin(), rows.end() - 1, whole.begin()));
    BOOST_TEST(rows.back() == whole.back());
    BOOST_TEST(rows.back().rfind("error: data.csv:80002: column 'a': \"oops\" is not an int64", 0) == 0);
  }
}

// A machine with many cores parses as many blocks at once as it has parsing threads (a
// fixed number of blocks in flight once left all but six of them idle): here each of
// eight parsers holds its first row until the eight are parsing together, or gives up
// after ten seconds.
BOOST_AUTO_TEST_CASE(every_parsing_thread_parses_a_block_at_once) {
  constexpr unsigned kThreads = 8;
  std::mutex mutex;
  std::condition_variable more_parsing;
  std::set<std::thread::id> parsing;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const EncodeRow encode = [&](const Row&, std::string&, std::string& record) {
    std::unique_lock<std::mutex> lock(mutex);
    if (parsing.insert(std::this_thread::get_id()).second) more_parsing.notify_all();
    more_parsing.wait_until(lock, deadline, [&] { return parsing.size() >= kThreads; });
    record += "row";
    return Status();
  };
  const std::string text = many_rows(400000);  // about 9 MB: blocks of 800 KiB here
  std::vector<std::unique_ptr<ByteSource>> inputs;
  inputs.push_back(ByteSource::from_string(text, "data.csv"));
  BackgroundReader reader(std::move(inputs), InputFormat::csv, schema_ab(), encode, kThreads, 16 << 20);
  size_t rows = 0;
  for (;;) {
    auto batch = reader.next();
    BOOST_REQUIRE(batch.ok());
    if (*batch == nullptr) break;
    rows += (*batch)->pairs.rows();
  }
  BOOST_TEST(rows == 400000u);
  std::lock_guard<std::mutex> lock(mutex);
  BOOST_TEST(parsing.size() == kThreads);
}
