#define BOOST_TEST_MODULE csv_reader
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/table/csv_reader.hpp"
#include "gzip_helpers.hpp"
#include "reader_helpers.hpp"

using namespace s3dest;
using namespace test_helpers;

namespace {

const TextInput csv{InputFormat::csv, "data.csv"};

}  // namespace

BOOST_AUTO_TEST_CASE(infers_types_from_the_text_of_fields) {
  auto reader = csv.open(
      "id,name,cost,ok,day,at,zip\n"
      "1,ann,1.5,true,2024-01-31,2024-01-31T10:00:00Z,01234\n"
      "-2,bob,2,false,1969-12-31,2024-01-31 12:00:00.25+02:00,99999\n");
  BOOST_TEST(show_types(reader->schema()) ==
             "id:int64 name:string cost:double ok:bool day:date at:timestamp zip:string");
  const std::vector<std::string> expected = {
      "id=1 name=\"ann\" cost=1.5 ok=true day=2024-01-31 at=2024-01-31T10:00:00Z zip=\"01234\"",
      "id=-2 name=\"bob\" cost=2 ok=false day=1969-12-31 at=2024-01-31T10:00:00.250000Z zip=\"99999\"",
  };
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(an_empty_unquoted_field_is_null_and_a_quoted_empty_field_is_the_empty_string) {
  auto reader = csv.open("a,b,c\n,\"\",x\n\"\",,\n");
  BOOST_TEST(show_types(reader->schema()) == "a:string b:string c:string");
  const std::vector<std::string> expected = {"a=null b=\"\" c=\"x\"", "a=\"\" b=null c=null"};
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(quoted_fields_hold_separators_quotes_and_line_breaks) {
  const std::string text =
      "k,v\n"
      "1,\"a,b\"\n"
      "2,\"say \"\"hi\"\"\"\n"
      "3,\"two\nlines\"\n"
      "4,\"crlf\r\ninside\"\r\n"
      "5,\"\"\"\"\n"
      "6,plain\"quote\n";
  const std::vector<std::string> expected = {
      "k=1 v=\"a,b\"", "k=2 v=\"say \"hi\"\"", "k=3 v=\"two\nlines\"", "k=4 v=\"crlf\r\ninside\"",
      "k=5 v=\"\"\"", "k=6 v=\"plain\"quote\"",
  };
  BOOST_TEST(csv.rows(text) == expected);
}

BOOST_AUTO_TEST_CASE(fields_read_alike_wherever_they_fall_in_the_reader_s_eight_byte_steps) {
  // Fields of every length from 0 to 17, some quoted (one right after a separator, one
  // with a separator inside) and some holding a stray quote, so that separators, quotes,
  // '\r' and line breaks fall on every byte of a word and across words.
  std::string text = "a,b,c,d\n";
  std::vector<std::string> expected;
  for (int n = 0; n < 18; ++n) {
    const std::string plain(static_cast<size_t>(n), 'p');
    const std::string stray = n == 0 ? "" : "x\"" + std::string(static_cast<size_t>(n - 1), 'y');
    const std::string shown_plain = n == 0 ? "null" : "\"" + plain + "\"";
    const std::string shown_stray = n == 0 ? "null" : "\"" + stray + "\"";
    const std::string line_end = n % 3 == 0 ? "\r\n" : "\n";
    text += plain + ",\"q," + plain + "\"," + stray + "," + plain + line_end;
    expected.push_back("a=" + shown_plain + " b=\"q," + plain + "\" c=" + shown_stray + " d=" + shown_plain);
  }
  text += "last,\"\",,no line break";
  expected.push_back("a=\"last\" b=\"\" c=null d=\"no line break\"");
  BOOST_TEST(csv.rows(text) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(line_numbers_count_physical_lines_of_the_record_start) {
  // Row "3" starts on line 5: the record before it spans lines 3 and 4.
  ReaderOptions options;
  options.inference_rows = 1;
  BOOST_TEST(csv.error_of("n,s\n1,x\n2,\"multi\nline\"\nbad,y\n", options) ==
             "data.csv:5: column 'n': \"bad\" is not an int64 (type inferred from the first 1 rows); give the "
             "column's type with --schema");
}

BOOST_AUTO_TEST_CASE(crlf_line_ends_and_a_last_line_without_newline) {
  const std::vector<std::string> expected = {"a=1 b=\"x\"", "a=2 b=\"y\""};
  BOOST_TEST(csv.rows("a,b\r\n1,x\r\n2,y") == expected);
  BOOST_TEST(csv.rows("a,b\r\n1,x\r\n2,\"y\"\r\n") == expected);
}

BOOST_AUTO_TEST_CASE(other_separators) {
  ReaderOptions semicolon;
  semicolon.csv_separator = ';';
  const std::vector<std::string> expected = {"a=1.5 b=\"x,y\""};
  BOOST_TEST(csv.rows("a;b\n1.5;x,y\n", semicolon) == expected);
  ReaderOptions tab;
  tab.csv_separator = '\t';
  BOOST_TEST(csv.rows("a\tb\n1.5\tx,y\n", tab) == expected);
  BOOST_TEST(csv.error_of("a\tb\n1\t2\t3\n", tab) ==
             "data.csv:2: this record has 3 fields but the header row has 2; quote fields that contain the "
             "separator tab or a line break");
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_skipped_and_unicode_is_kept) {
  auto reader = csv.open("\xEF\xBB\xBFnamé,日本\n\"café\",🎉\n");
  BOOST_TEST(show_types(reader->schema()) == "namé:string 日本:string");
  const std::vector<std::string> expected = {"namé=\"café\" 日本=\"🎉\""};
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(a_column_named_with_a_leading_byte_order_mark_keeps_its_name_when_written_and_read_again) {
  // Found by fuzz/csv_reader_fuzz: a mark that is not the file's first bytes is part of the
  // name. Written first in a file of our own, unquoted, it would read back as the file's
  // mark, and the column as "id".
  auto reader = csv.open("\n\xEF\xBB\xBFid,n\nx,1\n");
  BOOST_TEST(show_types(reader->schema()) == "\xEF\xBB\xBFid:string n:int64");
  const std::vector<std::string> rows = read_rows(*reader);
  std::string written;
  CsvEncoder encoder(reader->schema(), ',');
  encoder.append_header(written);
  BOOST_TEST(written == "\"\xEF\xBB\xBFid\",n\n");
  auto again = csv.open(written + "x,1\n");
  BOOST_TEST(show_types(again->schema()) == "\xEF\xBB\xBFid:string n:int64");
  BOOST_TEST(read_rows(*again) == rows);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_an_input_error) {
  BOOST_TEST(csv.error_of("a\nok\ncaf\xe9\n") ==
             "data.csv:3: the text is not valid UTF-8; convert the file to UTF-8 (for example with iconv -f "
             "latin1 -t utf-8)");
}

BOOST_AUTO_TEST_CASE(wrong_field_counts_are_input_errors) {
  BOOST_TEST(csv.error_of("a,b,c\n1,2,3\n1,2\n") ==
             "data.csv:3: this record has 2 fields but the header row has 3; quote fields that contain the "
             "separator ',' or a line break");
  BOOST_TEST(csv.error_of("a,b\n1,2,3\n").rfind("data.csv:2: this record has 3 fields", 0) == 0);
}

BOOST_AUTO_TEST_CASE(header_names_must_be_unique_and_not_empty) {
  BOOST_TEST(csv.error_of("a,b,a\n") ==
             "data.csv:1: column name 'a' appears twice in the header row; column names must be unique");
  BOOST_TEST(csv.error_of("a,,c\n") ==
             "data.csv:1: column 2 of the header row has no name; the first row must name every column");
}

BOOST_AUTO_TEST_CASE(quoting_errors_say_where_and_how_to_fix) {
  BOOST_TEST(csv.error_of("a,b\n1,\"open\n2,x\n") ==
             "data.csv:2: a quoted field starts here and is never closed; close it with a quote, and double "
             "every quote inside it (\"\")");
  BOOST_TEST(csv.error_of("a,b\n1,\"x\"y\n") ==
             "data.csv:2: unexpected \"y\" after a quoted field's closing quote; quote the whole field and "
             "double every quote inside it (\"\")");
}

BOOST_AUTO_TEST_CASE(a_schema_orders_columns_and_types_them) {
  const auto options = with_schema(R"j({"columns": [
      {"name": "id", "type": "int64", "nullable": false},
      {"name": "cost", "type": "decimal(38,4)"},
      {"name": "blob", "type": "binary"},
      {"name": "missing", "type": "string"},
      {"name": "n32", "type": "int32"}]})j");
  // Header order differs from the schema's; a nullable column may be absent.
  auto reader = csv.open(
      "blob,n32,cost,id\n"
      "aGVsbG8=,-2147483648,12345678901234567890123456789012.3456,-9223372036854775808\n"
      ",2147483647,-0.0001,9223372036854775807\n"
      "\"\",,1e3,0\n",
      options);
  const std::vector<std::string> expected = {
      "id=-9223372036854775808 cost=12345678901234567890123456789012.3456 blob=b64:aGVsbG8= missing=null "
      "n32=-2147483648",
      "id=9223372036854775807 cost=-0.0001 blob=null missing=null n32=2147483647",
      "id=0 cost=1000.0000 blob=b64: missing=null n32=null",
  };
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(schema_mismatches_are_clear) {
  const auto options = with_schema(R"j({"columns": [{"name": "id", "type": "int64", "nullable": false},
                                                    {"name": "n", "type": "int32"},
                                                    {"name": "d", "type": "date"}]})j");
  BOOST_TEST(csv.error_of("id,extra\n", options) ==
             "data.csv:1: column 'extra' of the header row is not in the --schema file; add it there");
  BOOST_TEST(csv.error_of("n\n1\n", options) ==
             "data.csv:1: the header row has no column 'id', which the schema says is not nullable; add the "
             "column or make it nullable");
  BOOST_TEST(csv.error_of("id,n\n1,2\n,3\n", options) ==
             "data.csv:3: column 'id' has no value (null or missing) but the schema says it is not nullable; "
             "give it a value, or drop \"nullable\": false from the schema");
  BOOST_TEST(csv.error_of("id,n\n1,2147483648\n", options) ==
             "data.csv:2: column 'n': \"2147483648\" is out of the int32 range (type from the --schema file); "
             "fix the value, or the column's type in the --schema file");
  BOOST_TEST(csv.error_of("id,n\n\"\",1\n", options) ==
             "data.csv:2: column 'id': \"\" is not an int64 (for null, leave the field empty without quotes) "
             "(type from the --schema file); fix the value, or the column's type in the --schema file");
  BOOST_TEST(csv.error_of("id,d\n1,1969-13-01\n", options).find("\"1969-13-01\" is not a date (YYYY-MM-DD") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(timestamps_with_offsets_and_microseconds) {
  const auto options = with_schema(R"j({"columns": [{"name": "t", "type": "timestamp"}]})j");
  const std::vector<std::string> expected = {
      "t=1969-12-31T23:59:59.999999Z", "t=2024-01-31T10:00:00.000001Z", "t=2024-01-31T23:15:00Z"};
  BOOST_TEST(csv.rows("t\n1969-12-31T23:59:59.999999Z\n2024-01-31T12:00:00.000001+02:00\n"
                       "2024-01-31T12:00:00-11:15\n",
                       options) == expected);
}

BOOST_AUTO_TEST_CASE(a_value_that_does_not_fit_the_inferred_type) {
  std::string text = "cost\n";
  for (int i = 0; i < 1500; ++i) text += std::to_string(i) + ".25\n";
  text += "abc\n";
  BOOST_TEST(csv.error_of(text) ==
             "data.csv:1502: column 'cost': \"abc\" is not a double (type inferred from the first 1000 rows); "
             "give the column's type with --schema");
}

BOOST_AUTO_TEST_CASE(blank_lines) {
  // With several columns a blank line is skipped; with one it is a null value, as the csv
  // encoder writes a one-column null.
  const std::vector<std::string> two = {"a=1 b=2", "a=3 b=4"};
  BOOST_TEST(csv.rows("a,b\n\n1,2\n\n3,4\n\n") == two);
  const std::vector<std::string> one = {"a=1", "a=null", "a=3"};
  BOOST_TEST(csv.rows("a\n1\n\n3\n") == one);
}

BOOST_AUTO_TEST_CASE(fields_longer_than_the_read_block) {
  // A quoted 3 MiB field with line breaks crosses the 1 MiB blocks of the input window.
  std::string big;
  for (int i = 0; i < (3 << 20) / 64; ++i) big += std::string(62, 'x') + "\"\n";
  std::string escaped;
  for (char c : big) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
  const std::string text = "i,s\n1,\"" + escaped + "\"\n2,short\n3,\"" + escaped + "\"\nbad,x\n";
  ReaderOptions options;
  options.inference_rows = 1;
  auto reader = csv.open(text, options);
  Row row;
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST(row[0].integer == 1);
  BOOST_TEST((row[1].bytes == big));
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST(row[1].bytes == "short");
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST((row[1].bytes == big));
  auto bad = reader->next(row);
  BOOST_REQUIRE(!bad.ok());
  // Lines: header 1; row 1 spans 2..49154 (the field holds 49152 line breaks); row 2 is
  // 49155; row 3 spans 49156..98308; "bad" is on 98309.
  const size_t big_lines = big.size() / 64;
  const std::string line = std::to_string(5 + 2 * big_lines);
  BOOST_TEST(line == "98309");
  BOOST_TEST(bad.status().message().rfind("data.csv:" + line + ": column 'i'", 0) == 0, bad.status().message());
}

BOOST_AUTO_TEST_CASE(many_rows_across_blocks) {
  std::string text = "i,s,d\n";
  const int rows = 50000;
  for (int i = 0; i < rows; ++i)
    text += std::to_string(i) + ",\"row, " + std::to_string(i) + "\",2024-01-" + (i % 2 ? "01" : "02") + "\n";
  auto reader = csv.open(text);
  BOOST_TEST(show_types(reader->schema()) == "i:int64 s:string d:date");
  Row row;
  for (int i = 0; i < rows; ++i) {
    auto more = reader->next(row);
    BOOST_REQUIRE_MESSAGE(more.ok() && *more, "row " << i);
    if (row[0].integer != i || row[1].bytes != "row, " + std::to_string(i)) BOOST_FAIL("row " << i << " read wrong");
  }
  BOOST_TEST(!*reader->next(row));
}

BOOST_AUTO_TEST_CASE(gzip_input_reads_the_same_rows) {
  std::string text = "a,b\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",\"x\ny\"\n";
  const auto plain = csv.rows(text);
  BOOST_TEST(read_rows(*csv.open(gzip(text), {}, "data.csv.gz")) == plain);
}

BOOST_AUTO_TEST_CASE(empty_input_and_header_only) {
  auto empty = csv.open("");
  BOOST_TEST(empty->schema().size() == 0u);
  BOOST_TEST(read_rows(*empty).empty());
  auto header_only = csv.open("a,b\n");
  BOOST_TEST(show_types(header_only->schema()) == "a:string b:string");
  BOOST_TEST(read_rows(*header_only).empty());
}

BOOST_AUTO_TEST_CASE(booleans_and_numbers_in_text) {
  auto reader = csv.open("b,big,exp\nTRUE,9223372036854775808,1e3\nfalse,1,-2.5E-3\n");
  BOOST_TEST(show_types(reader->schema()) == "b:bool big:double exp:double");
  const std::vector<std::string> expected = {"b=true big=9223372036854775808 exp=1000",
                                             "b=false big=1 exp=-0.0025"};
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(a_quote_never_closed_is_refused_at_max_line_bytes_not_read_whole) {
  ReaderOptions options;
  options.max_line_bytes = 1 << 20;
  std::string text = "a,b\n1,2\n3,\"";
  for (int i = 0; i < 40000; ++i) text += std::string(99, 'y') + "\n";
  BOOST_TEST(csv.error_of(text, options).rfind("data.csv:3: the line is longer than 1048576 bytes", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_header_with_more_than_max_columns_is_refused) {
  ReaderOptions options;
  options.max_columns = 2;
  BOOST_TEST(csv.rows("a,b\n1,2\n", options).size() == 1u);
  BOOST_TEST(csv.error_of("a,b,c\n1,2,3\n", options).rfind("data.csv:1: more than 2 columns", 0) == 0);
}

BOOST_AUTO_TEST_CASE(dates_by_format_and_epochs_by_unit) {
  const auto options = with_schema(R"j({"columns": [{"name": "d", "type": "date", "format": "%d.%m.%Y"},
                                                    {"name": "t", "type": "timestamp", "unit": "ms"}]})j");
  const std::vector<std::string> expected = {"d=2024-01-31 t=2025-07-01T12:00:00.123000Z"};
  BOOST_TEST(csv.rows("d,t\n31.01.2024,1751371200123\n", options) == expected);
  BOOST_TEST(csv.error_of("d,t\n2024-01-31,1\n", options).find("does not match the format \"%d.%m.%Y\"") !=
             std::string::npos);
}
