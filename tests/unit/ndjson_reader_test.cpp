#define BOOST_TEST_MODULE ndjson_reader
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "s3dest/table/ndjson_reader.hpp"
#include "gzip_helpers.hpp"
#include "reader_helpers.hpp"

using namespace s3dest;
using namespace test_helpers;

namespace {

const TextInput ndjson{InputFormat::ndjson, "data.ndjson"};

}  // namespace

BOOST_AUTO_TEST_CASE(infers_one_type_per_key_from_the_first_rows) {
  auto reader = ndjson.open(
      "{\"id\": 1, \"name\": \"ann\", \"cost\": 1.5, \"ok\": true, \"day\": \"2024-01-31\","
      " \"at\": \"2024-01-31T10:00:00Z\", \"tags\": [\"a\", \"b\"], \"extra\": {\"k\": 1}}\n"
      "{\"id\": 2, \"name\": \"bob\", \"cost\": 2, \"ok\": false, \"day\": \"1969-12-31\","
      " \"at\": \"2024-01-31T12:00:00.5+02:00\", \"tags\": [], \"extra\": null}\n");
  BOOST_TEST(show_types(reader->schema()) ==
             "id:int64 name:string cost:double ok:bool day:date at:timestamp tags:string extra:string");
  const std::vector<std::string> expected = {
      "id=1 name=\"ann\" cost=1.5 ok=true day=2024-01-31 at=2024-01-31T10:00:00Z tags=\"[\"a\",\"b\"]\" "
      "extra=\"{\"k\":1}\"",
      "id=2 name=\"bob\" cost=2 ok=false day=1969-12-31 at=2024-01-31T10:00:00.500000Z tags=\"[]\" extra=null",
  };
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(columns_are_the_union_of_keys_in_first_seen_order) {
  auto reader = ndjson.open("{\"a\": 1, \"b\": \"x\"}\n{\"c\": true, \"a\": 2}\n{}\n");
  BOOST_TEST(show_types(reader->schema()) == "a:int64 b:string c:bool");
  const std::vector<std::string> expected = {"a=1 b=\"x\" c=null", "a=2 b=null c=true", "a=null b=null c=null"};
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(missing_keys_and_null_are_null_but_an_empty_string_is_not) {
  const std::vector<std::string> expected = {"s=\"\"", "s=null", "s=null", "s=\"x\""};
  BOOST_TEST(ndjson.rows("{\"s\": \"\"}\n{\"s\": null}\n{}\n{\"s\": \"x\"}\n") == expected);
}

BOOST_AUTO_TEST_CASE(mixed_values_infer_the_wider_type) {
  auto reader = ndjson.open(
      "{\"i_and_d\": 1, \"i_and_s\": 1, \"nulls\": null, \"d_and_ts\": \"2024-01-01\"}\n"
      "{\"i_and_d\": 2.25, \"i_and_s\": \"one\", \"nulls\": null, \"d_and_ts\": \"2024-01-01T00:00:00Z\"}\n");
  BOOST_TEST(show_types(reader->schema()) == "i_and_d:double i_and_s:string nulls:string d_and_ts:timestamp");
  const std::vector<std::string> expected = {
      "i_and_d=1 i_and_s=\"1\" nulls=null d_and_ts=2024-01-01T00:00:00Z",
      "i_and_d=2.25 i_and_s=\"one\" nulls=null d_and_ts=2024-01-01T00:00:00Z",
  };
  BOOST_TEST(read_rows(*reader) == expected);
}

BOOST_AUTO_TEST_CASE(extreme_int64_values_are_exact) {
  const std::vector<std::string> expected = {"n=-9223372036854775808", "n=9223372036854775807", "n=0"};
  BOOST_TEST(ndjson.rows("{\"n\": -9223372036854775808}\n{\"n\": 9223372036854775807}\n{\"n\": -0}\n") == expected);
  BOOST_TEST(ndjson.error_of("{\"n\": 9223372036854775808}\n",
                      with_schema(R"j({"columns": [{"name": "n", "type": "int64"}]})j")) ==
             "data.ndjson:1: column 'n': 9223372036854775808 is out of the int64 range (type from the --schema "
             "file); fix the value, or the column's type in the --schema file");
}

BOOST_AUTO_TEST_CASE(int32_columns_check_their_range) {
  const auto options = with_schema(R"j({"columns": [{"name": "n", "type": "int32"}]})j");
  const std::vector<std::string> expected = {"n=-2147483648", "n=2147483647"};
  BOOST_TEST(ndjson.rows("{\"n\": -2147483648}\n{\"n\": 2147483647}\n", options) == expected);
  BOOST_TEST(ndjson.error_of("{\"n\": 2147483648}\n", options).find("2147483648 is out of the int32 range") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(decimals_keep_every_digit_of_the_number_text) {
  const auto options = with_schema(
      R"j({"columns": [{"name": "cost", "type": "decimal(38,10)"}, {"name": "price", "type": "decimal(12,2)"}]})j");
  const std::vector<std::string> expected = {
      "cost=1234567890123456789012345678.0123456789 price=0.10",
      "cost=-0.0000000001 price=100.00",
      "cost=0.0000000000 price=12.50",  // a JSON string holding a decimal is accepted too
  };
  BOOST_TEST(ndjson.rows("{\"cost\": 1234567890123456789012345678.0123456789, \"price\": 0.1}\n"
                       "{\"cost\": -1e-10, \"price\": 1E2}\n"
                       "{\"cost\": 0, \"price\": \"12.50\"}\n",
                       options) == expected);
  BOOST_TEST(ndjson.error_of("{\"cost\": 1, \"price\": 0.125}\n", options) ==
             "data.ndjson:1: column 'price': 0.125 does not fit decimal(12,2) without rounding (type from the "
             "--schema file); fix the value, or the column's type in the --schema file");
  BOOST_TEST(ndjson.error_of("{\"price\": \"12,50\"}\n", options).find("\"12,50\" is not a decimal number") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(doubles_accept_any_number) {
  const auto options = with_schema(R"j({"columns": [{"name": "x", "type": "double"}]})j");
  const std::vector<std::string> expected = {"x=3", "x=-0.1", "x=1e+300", "x=18446744073709551616"};
  BOOST_TEST(ndjson.rows("{\"x\": 3}\n{\"x\": -0.1}\n{\"x\": 1e300}\n{\"x\": 18446744073709551616}\n", options) ==
             expected);
}

BOOST_AUTO_TEST_CASE(dates_and_timestamps_are_read_from_strings) {
  const auto options = with_schema(
      R"j({"columns": [{"name": "d", "type": "date"}, {"name": "t", "type": "timestamp"}]})j");
  const std::vector<std::string> expected = {
      "d=1969-12-31 t=1969-12-31T23:59:59.999999Z",
      "d=1900-02-28 t=2024-01-31T10:00:00.123456Z",
      "d=0001-01-01 t=2024-02-29T23:30:00Z",
  };
  BOOST_TEST(ndjson.rows("{\"d\": \"1969-12-31\", \"t\": \"1969-12-31T23:59:59.999999Z\"}\n"
                       "{\"d\": \"1900-02-28\", \"t\": \"2024-01-31T12:00:00.123456+02:00\"}\n"
                       "{\"d\": \"0001-01-01\", \"t\": \"2024-03-01T00:00:00+00:30\"}\n",
                       options) == expected);
  BOOST_TEST(ndjson.error_of("{\"d\": \"2023-02-29\"}\n", options) ==
             "data.ndjson:1: column 'd': \"2023-02-29\" is not a date (YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD) (type "
             "from the --schema file); fix the value, or the column's type in the --schema file");
  BOOST_TEST(ndjson.error_of("{\"t\": \"2024-01-31T10:00:00.1234567\"}\n", options).find("is not a timestamp") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(binary_columns_decode_base64) {
  const auto options = with_schema(R"j({"columns": [{"name": "b", "type": "binary"}]})j");
  auto reader = ndjson.open("{\"b\": \"aGVsbG8=\"}\n{\"b\": \"AP8=\"}\n{\"b\": \"\"}\n", options);
  Row row;
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST(row[0].bytes == "hello");
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST(row[0].bytes == std::string("\x00\xff", 2));
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST(!row[0].is_null);
  BOOST_TEST(row[0].bytes.empty());
  BOOST_TEST(ndjson.error_of("{\"b\": \"aGVsbG8\"}\n", options).find("\"aGVsbG8\" is not base64") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nested_values_become_minified_json_text) {
  const std::vector<std::string> expected = {
      "x=\"{\"a\":[1,2.50,{\"b\":\"x y\"}],\"c\":null}\"",
      "x=\"[\"\\u00e9\",true]\"",
  };
  BOOST_TEST(ndjson.rows("{\"x\": { \"a\" : [1, 2.50, {\"b\": \"x y\"}] , \"c\": null } }\n"
                       "{\"x\": [ \"\\u00e9\" , true ]}\n") == expected);
  BOOST_TEST(ndjson.error_of("{\"x\": [1, tru]}\n").rfind("data.ndjson:1: not valid JSON", 0) == 0);
}

BOOST_AUTO_TEST_CASE(unicode_and_escapes_in_keys_and_values) {
  auto reader = ndjson.open("{\"caf\\u00e9\": \"\\u65e5\\u672c \\\"q\\\" \\n\", \"名前\": \"日本語 🎉\"}\n");
  BOOST_TEST(show_types(reader->schema()) == "café:string 名前:string");
  Row row;
  BOOST_REQUIRE(*reader->next(row));
  BOOST_TEST(row[0].bytes == "日本 \"q\" \n");
  BOOST_TEST(row[1].bytes == "日本語 🎉");
  BOOST_TEST(ndjson.error_of("{\"s\": \"\xff\"}\n").rfind("data.ndjson:1: not valid JSON", 0) == 0);
}

BOOST_AUTO_TEST_CASE(blank_lines_are_skipped_but_counted_and_crlf_is_accepted) {
  const std::string text = "\r\n{\"n\": 1}\r\n   \n\n{\"n\": 2}\r\n{\"n\": \"x\"}\r\n";
  const std::vector<std::string> expected = {"n=\"1\"", "n=\"2\"", "n=\"x\""};
  BOOST_TEST(ndjson.rows(text) == expected);
  ReaderOptions options;
  options.inference_rows = 2;
  BOOST_TEST(ndjson.error_of(text, options) ==
             "data.ndjson:6: column 'n': \"x\" is not an int64 (type inferred from the first 2 rows); give the "
             "column's type with --schema");
}

BOOST_AUTO_TEST_CASE(a_value_that_does_not_fit_the_inferred_type_names_line_column_and_remedy) {
  std::string text;
  for (int i = 0; i < 1501; ++i) text += "{\"cost\": " + std::to_string(i) + ".5}\n";
  text += "{\"cost\": \"abc\"}\n";
  BOOST_TEST(ndjson.error_of(text) ==
             "data.ndjson:1502: column 'cost': \"abc\" is not a double (type inferred from the first 1000 rows); "
             "give the column's type with --schema");
  ReaderOptions options;
  options.inference_rows = 1;
  BOOST_TEST(ndjson.error_of("{\"n\": 1}\n{\"n\": 1.5}\n", options) ==
             "data.ndjson:2: column 'n': 1.5 is not an int64 (type inferred from the first 1 rows); give the "
             "column's type with --schema");
  BOOST_TEST(ndjson.error_of("{\"n\": 1}\n{\"n\": \"7\"}\n", options) ==
             "data.ndjson:2: column 'n': \"7\" is a string: write it without quotes for a int64 column (type "
             "inferred from the first 1 rows); give the column's type with --schema");
}

BOOST_AUTO_TEST_CASE(a_schema_from_an_earlier_file_is_named_in_messages) {
  ReaderOptions options = with_schema(R"j({"columns": [{"name": "n", "type": "int64"}]})j");
  options.schema_origin = "inferred from the first 1000 rows of a.ndjson";
  BOOST_TEST(ndjson.error_of("{\"n\": true}\n", options) ==
             "data.ndjson:1: column 'n': true is not an int64 (type inferred from the first 1000 rows of "
             "a.ndjson); give the column's type with --schema");
  BOOST_TEST(ndjson.error_of("{\"m\": 1}\n", options) ==
             "data.ndjson:1: key 'm' is not a column (columns inferred from the first 1000 rows of a.ndjson); "
             "list every column with --schema");
}

BOOST_AUTO_TEST_CASE(wrong_kinds_of_values_are_input_errors) {
  const auto options = with_schema(
      R"j({"columns": [{"name": "b", "type": "bool"}, {"name": "i", "type": "int64"}, {"name": "d", "type": "date"}]})j");
  BOOST_TEST(ndjson.error_of("{\"b\": 1}\n", options).find("column 'b': 1 is not a bool (true or false)") != std::string::npos);
  BOOST_TEST(ndjson.error_of("{\"b\": \"true\"}\n", options).find("\"true\" is a string: write it without quotes") !=
             std::string::npos);
  BOOST_TEST(ndjson.error_of("{\"i\": {\"x\": 1}}\n", options).find("column 'i': {\"x\":1} is an object, which only a "
                                                            "string column can hold") != std::string::npos);
  BOOST_TEST(ndjson.error_of("{\"d\": 20240131}\n", options).find("20240131 is not a date") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(keys_outside_the_columns_are_errors_unless_null) {
  ReaderOptions options;
  options.inference_rows = 1;
  BOOST_TEST(ndjson.error_of("{\"a\": 1}\n{\"a\": 2, \"b\": 3}\n", options) ==
             "data.ndjson:2: key 'b' is not a column (the columns are the keys of the first 1 rows); list every "
             "column with --schema");
  const std::vector<std::string> expected = {"a=1", "a=2"};
  BOOST_TEST(ndjson.rows("{\"a\": 1}\n{\"a\": 2, \"b\": null}\n", options) == expected);
  BOOST_TEST(ndjson.error_of("{\"z\": 1}\n", with_schema(R"j({"columns": [{"name": "a", "type": "int64"}]})j")) ==
             "data.ndjson:1: key 'z' is not a column of the --schema file; add it there");
}

BOOST_AUTO_TEST_CASE(non_nullable_columns_refuse_null_and_missing_keys) {
  const auto options = with_schema(R"j({"columns": [{"name": "id", "type": "int64", "nullable": false},
                                                   {"name": "note", "type": "string"}]})j");
  BOOST_TEST(ndjson.error_of("{\"id\": 1}\n{\"note\": \"x\"}\n", options) ==
             "data.ndjson:2: column 'id' has no value (null or missing) but the schema says it is not nullable; "
             "give it a value, or drop \"nullable\": false from the schema");
  BOOST_TEST(ndjson.error_of("{\"id\": null}\n", options).rfind("data.ndjson:1: column 'id' has no value", 0) == 0);
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_input_errors_with_their_line) {
  const std::string prefix = "{\"a\": 1}\n";
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": 1\n").rfind("data.ndjson:2: not valid JSON", 0) == 0);
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": tru}\n").rfind("data.ndjson:2: not valid JSON", 0) == 0);
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": \"open}\n").rfind("data.ndjson:2: not valid JSON", 0) == 0);
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": 01}\n").rfind("data.ndjson:2: not valid JSON", 0) == 0);
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": 2}}\n") ==
             "data.ndjson:2: more than one JSON value on the line; put each object on its own line");
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": 2} {\"a\": 3}\n") ==
             "data.ndjson:2: more than one JSON value on the line; put each object on its own line");
  BOOST_TEST(ndjson.error_of(prefix + "[1, 2]\n") ==
             "data.ndjson:2: each line must hold one JSON object, and this one holds an array [1, 2]");
  BOOST_TEST(ndjson.error_of(prefix + "{\"a\": 2, \"a\": 3}\n") ==
             "data.ndjson:2: key 'a' appears twice in the object; keep one of them");
  // A JSON object spread over lines is not NDJSON.
  BOOST_TEST(ndjson.error_of("{\"a\":\n1}\n").rfind("data.ndjson:1: not valid JSON", 0) == 0);
}

BOOST_AUTO_TEST_CASE(the_last_line_needs_no_newline) {
  const std::vector<std::string> expected = {"a=1", "a=2"};
  BOOST_TEST(ndjson.rows("{\"a\": 1}\n{\"a\": 2}") == expected);
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_at_the_start_is_skipped) {
  const std::vector<std::string> expected = {"a=1"};
  BOOST_TEST(ndjson.rows("\xEF\xBB\xBF{\"a\": 1}\n") == expected);
}

BOOST_AUTO_TEST_CASE(lines_longer_than_the_read_block) {
  // Lines of 3 MiB cross the 1 MiB blocks of the input window; short lines around them too.
  const std::string big(3 << 20, 'x');
  std::string text;
  for (int i = 0; i < 3; ++i) text += "{\"i\": " + std::to_string(i) + ", \"s\": \"" + big + "\"}\n{\"i\": 100, \"s\": \"short\"}\n";
  auto reader = ndjson.open(text);
  Row row;
  for (int i = 0; i < 3; ++i) {
    BOOST_REQUIRE(*reader->next(row));
    BOOST_TEST(row[0].integer == i);
    BOOST_TEST(row[1].bytes == big);
    BOOST_REQUIRE(*reader->next(row));
    BOOST_TEST(row[1].bytes == "short");
  }
  BOOST_TEST(!*reader->next(row));
}

BOOST_AUTO_TEST_CASE(many_rows_across_blocks_keep_their_values_and_line_numbers) {
  std::string text;
  const int rows = 60000;  // about 3 MiB
  for (int i = 0; i < rows; ++i)
    text += "{\"i\": " + std::to_string(i) + ", \"s\": \"row " + std::to_string(i) + " padding padding\"}\n";
  text += "{\"i\": \"oops\"}\n";
  auto reader = ndjson.open(text, {}, "big.ndjson");
  Row row;
  for (int i = 0; i < rows; ++i) {
    auto more = reader->next(row);
    BOOST_REQUIRE_MESSAGE(more.ok() && *more, "row " << i);
    if (row[0].integer != i || row[1].bytes != "row " + std::to_string(i) + " padding padding")
      BOOST_FAIL("row " << i << " read wrong");
  }
  auto bad = reader->next(row);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message().rfind("big.ndjson:60001: column 'i'", 0) == 0);
}

BOOST_AUTO_TEST_CASE(gzip_input_reads_the_same_rows) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"i\": " + std::to_string(i) + ", \"day\": \"2024-01-01\"}\n";
  auto plain = ndjson.rows(text);
  auto reader = ndjson.open(gzip(text), {}, "data.ndjson.gz");
  BOOST_TEST(show_types(reader->schema()) == "i:int64 day:date");
  BOOST_TEST(read_rows(*reader) == plain);
}

BOOST_AUTO_TEST_CASE(empty_input_has_no_columns_and_no_rows) {
  auto reader = ndjson.open("");
  BOOST_TEST(reader->schema().size() == 0u);
  BOOST_TEST(read_rows(*reader).empty());
  auto with = ndjson.open("\n\n", with_schema(R"j({"columns": [{"name": "a", "type": "int64"}]})j"));
  BOOST_TEST(with->schema().size() == 1u);
  BOOST_TEST(read_rows(*with).empty());
}

BOOST_AUTO_TEST_CASE(numbers_in_string_columns_keep_their_text) {
  const auto options = with_schema(R"j({"columns": [{"name": "s", "type": "string"}]})j");
  const std::vector<std::string> expected = {"s=\"12345678901234567890123\"", "s=\"1.50\"", "s=\"true\"",
                                             "s=\"{\"a\":1}\""};
  BOOST_TEST(ndjson.rows("{\"s\": 12345678901234567890123}\n{\"s\": 1.50}\n{\"s\": true}\n{\"s\": {\"a\": 1}}\n",
                       options) == expected);
}

BOOST_AUTO_TEST_CASE(a_line_longer_than_max_line_bytes_is_refused_at_its_line) {
  ReaderOptions options;
  options.max_line_bytes = 1 << 20;
  const std::string fits = "{\"s\": \"" + std::string((1 << 20) - 10, 'x') + "\"}\n";
  BOOST_TEST(ndjson.rows(fits, options).size() == 1u);
  // A file without line breaks (1 GiB of zeros, gzipped, is 1 MB) is refused when the
  // limit is reached, not read whole.
  const std::string endless = "{\"s\": \"a\"}\n" + std::string(3 << 20, 'x');
  BOOST_TEST(ndjson.error_of(endless, options).rfind("data.ndjson:2: the line is longer than 1048576 bytes", 0) == 0);
  BOOST_TEST(ndjson.error_of(gzip(endless), options).rfind("data.ndjson:2: the line is longer than", 0) == 0);
}

BOOST_AUTO_TEST_CASE(more_keys_than_max_columns_are_refused_at_the_row_that_brings_them) {
  ReaderOptions options;
  options.max_columns = 3;
  BOOST_TEST(ndjson.rows("{\"a\": 1, \"b\": 2}\n{\"c\": 3}\n", options).size() == 2u);
  BOOST_TEST(ndjson.error_of("{\"a\": 1, \"b\": 2}\n{\"c\": 3, \"d\": 4}\n", options)
                 .rfind("data.ndjson:2: more than 3 columns, the most this load takes", 0) == 0);
}

BOOST_AUTO_TEST_CASE(inference_stops_once_its_samples_hold_twice_max_line_bytes) {
  // Rows near the longest a line may be: inference keeps two lines' worth, not 1000 rows.
  ReaderOptions options;
  options.max_line_bytes = 1000;
  std::string text;
  for (int i = 0; i < 5; ++i) text += "{\"n\": 1, \"s\": \"" + std::string(900, 'x') + "\"}\n";
  text += "{\"n\": 1.5, \"s\": \"y\"}\n";  // seen by inference only if it read all rows
  const auto reader = ndjson.open(text, options);
  BOOST_TEST(show_types(reader->schema()) == "n:int64 s:string");
}

BOOST_AUTO_TEST_CASE(timestamps_by_format_and_epochs_by_unit) {
  const auto options = with_schema(R"j({"columns": [
      {"name": "s", "type": "timestamp", "unit": "s"}, {"name": "ns", "type": "timestamp", "unit": "ns"},
      {"name": "us_date", "type": "date", "format": "%m/%d/%Y"},
      {"name": "when", "type": "timestamp", "format": "%b %e %Y %I:%M %p"}]})j");
  const std::vector<std::string> expected = {
      "s=2025-07-01T12:00:00Z ns=2025-07-01T12:00:00.123456Z us_date=2024-01-31 when=2000-01-01T13:05:00Z",
      "s=2025-07-01T12:00:00.500000Z ns=null us_date=null when=null"};
  BOOST_TEST(ndjson.rows("{\"s\": 1751371200, \"ns\": 1751371200123456000, \"us_date\": \"01/31/2024\", "
                       "\"when\": \"Jan  1 2000 01:05 PM\"}\n"
                       "{\"s\": \"1751371200.5\"}\n",
                       options) == expected);
  BOOST_TEST(ndjson.error_of("{\"ns\": 1751371200123456789}\n", options) ==
             "data.ndjson:1: column 'ns': 1751371200123456789 is not a number of nanoseconds since 1970-01-01 in "
             "the years 0001-9999 (with no digit finer than a microsecond) (type from the --schema file); fix the "
             "value, or the column's type in the --schema file");
  BOOST_TEST(ndjson.error_of("{\"us_date\": \"31/01/2024\"}\n", options).find("\"31/01/2024\" does not match the format "
                                                                     "\"%m/%d/%Y\"") != std::string::npos);
}
