#define BOOST_TEST_MODULE type_inference
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "s3dest/table/open_row_reader.hpp"
#include "s3dest/table/type_inference.hpp"

using namespace s3dest;

namespace {

std::string type_from(std::initializer_list<ValueKind> kinds) {
  TypeInference inference;
  for (ValueKind k : kinds) inference.observe(0, k);
  return inference.type_of(0).name();
}

std::string inferred_types(const std::string& text, InputFormat format) {
  auto reader = open_row_reader(ByteSource::from_string(text, "data"), format, {});
  BOOST_REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  std::string out;
  for (const Column& c : (*reader)->schema().columns) {
    out += (out.empty() ? "" : " ") + c.name + ":" + c.type.name();
    BOOST_TEST(c.nullable);  // inferred columns are always nullable
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(kinds_of_csv_text) {
  BOOST_TEST((kind_of_text("42") == ValueKind::integer));
  BOOST_TEST((kind_of_text("-9223372036854775808") == ValueKind::integer));
  BOOST_TEST((kind_of_text("+7") == ValueKind::integer));
  BOOST_TEST((kind_of_text("0") == ValueKind::integer));
  BOOST_TEST((kind_of_text("9223372036854775808") == ValueKind::real));  // past int64
  BOOST_TEST((kind_of_text("1.5") == ValueKind::real));
  BOOST_TEST((kind_of_text("-0.5e-3") == ValueKind::real));
  BOOST_TEST((kind_of_text("true") == ValueKind::boolean));
  BOOST_TEST((kind_of_text("FALSE") == ValueKind::boolean));
  BOOST_TEST((kind_of_text("2024-02-29") == ValueKind::date));
  BOOST_TEST((kind_of_text("0001-01-01") == ValueKind::date));
  BOOST_TEST((kind_of_text("2024-01-31T10:00:00Z") == ValueKind::timestamp));
  BOOST_TEST((kind_of_text("2024-01-31 10:00:00.123456-05:00") == ValueKind::timestamp));
  BOOST_TEST((kind_of_text("2024-01-31 10:00:00") == ValueKind::timestamp));  // no offset: UTC
  BOOST_TEST((kind_of_text("2012/01/01") == ValueKind::date));
  BOOST_TEST((kind_of_text("2010/01/01 00:00") == ValueKind::timestamp));
  // Text: leading zeros (codes), invalid dates, dates month or day first, spaces, words.
  for (const char* text : {"NaN", "inf", "-Infinity", "1e3", "-1.5E-7"})
    BOOST_TEST((kind_of_text(text) == ValueKind::real), "for " << text);
  for (const char* text : {"007", "-01.5", "2023-02-29", "01/31/2024", " 1", "1 ", "nanny", "info",
                           "yes", "1,5", "0x10", ""}) {
    BOOST_TEST((kind_of_text(text) == ValueKind::text), "for " << text);
  }
}

BOOST_AUTO_TEST_CASE(kinds_of_json_strings) {
  BOOST_TEST((kind_of_json_string("1969-07-20") == ValueKind::date));
  BOOST_TEST((kind_of_json_string("1969-07-20T20:17:40Z") == ValueKind::timestamp));
  BOOST_TEST((kind_of_json_string("12") == ValueKind::text));  // a number in a string stays a string
  BOOST_TEST((kind_of_json_string("true") == ValueKind::text));
  BOOST_TEST((kind_of_json_string("1969-07-20x") == ValueKind::text));
}

BOOST_AUTO_TEST_CASE(combining_kinds) {
  using K = ValueKind;
  BOOST_TEST(type_from({K::integer, K::null, K::integer}) == "int64");
  BOOST_TEST(type_from({K::integer, K::real}) == "double");
  BOOST_TEST(type_from({K::real}) == "double");
  BOOST_TEST(type_from({K::boolean, K::null}) == "bool");
  BOOST_TEST(type_from({K::date}) == "date");
  BOOST_TEST(type_from({K::timestamp, K::timestamp}) == "timestamp");
  BOOST_TEST(type_from({K::date, K::timestamp}) == "timestamp");  // a date is its midnight, as in DuckDB
  BOOST_TEST(type_from({K::integer, K::boolean}) == "string");
  BOOST_TEST(type_from({K::integer, K::text}) == "string");
  BOOST_TEST(type_from({K::null, K::null}) == "string");
  BOOST_TEST(type_from({}) == "string");
}

BOOST_AUTO_TEST_CASE(schema_names_columns_in_order) {
  TypeInference inference;
  inference.observe(1, ValueKind::integer);
  inference.observe(0, ValueKind::date);
  const Schema schema = inference.schema({"day", "clicks", "never_seen"});
  BOOST_TEST(schema.columns.size() == 3u);
  BOOST_TEST(schema.columns[0].type.name() == "date");
  BOOST_TEST(schema.columns[1].type.name() == "int64");
  BOOST_TEST(schema.columns[2].type.name() == "string");
}

BOOST_AUTO_TEST_CASE(the_same_rules_for_ndjson_and_csv) {
  const std::string csv = "i,d,b,day,ts,s,mixed,empty\n1,1.5,true,2024-01-01,2024-01-01T00:00:00Z,x,1,\n2,2,false,,,y,a,\n";
  const std::string ndjson =
      "{\"i\":1,\"d\":1.5,\"b\":true,\"day\":\"2024-01-01\",\"ts\":\"2024-01-01T00:00:00Z\",\"s\":\"x\",\"mixed\":1,\"empty\":null}\n"
      "{\"i\":2,\"d\":2,\"b\":false,\"day\":null,\"ts\":null,\"s\":\"y\",\"mixed\":\"a\"}\n";
  const std::string expected = "i:int64 d:double b:bool day:date ts:timestamp s:string mixed:string empty:string";
  BOOST_TEST(inferred_types(csv, InputFormat::csv) == expected);
  BOOST_TEST(inferred_types(ndjson, InputFormat::ndjson) == expected);
}

BOOST_AUTO_TEST_CASE(only_the_first_rows_are_looked_at) {
  ReaderOptions options;
  options.inference_rows = 3;
  auto reader = open_row_reader(ByteSource::from_string("n\n1\n2\n3\n4.5\n", "few.csv"), InputFormat::csv, options);
  BOOST_REQUIRE(reader.ok());
  BOOST_TEST((*reader)->schema().columns[0].type.name() == "int64");
  Row row;
  for (int i = 1; i <= 3; ++i) {
    auto more = (*reader)->next(row);
    BOOST_REQUIRE(more.ok() && *more);
    BOOST_TEST(row[0].integer == i);  // the buffered rows are replayed
  }
  auto bad = (*reader)->next(row);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().exit_code() == 3);
  BOOST_TEST(bad.status().message() ==
             "few.csv:5: column 'n': \"4.5\" is not an int64 (type inferred from the first 3 rows); give the "
             "column's type with --schema");
}

BOOST_AUTO_TEST_CASE(time_columns_are_dates_or_timestamps_whatever_else_they_held) {
  // A date field with a bad value among the samples stays a date, so the bad value is
  // refused at its row; one timestamp among them makes it a timestamp.
  TypeInference inference;
  inference.observe(0, ValueKind::date);
  inference.observe(0, ValueKind::text);
  inference.observe(1, ValueKind::timestamp);
  inference.observe(1, ValueKind::integer);
  inference.observe(2, ValueKind::text);
  const std::vector<Column> declared = {Column{"day", ColumnType(), true}, Column{"at", ColumnType(), true}};
  const Schema schema = inference.schema({"day", "at", "note"}, declared);
  BOOST_TEST(schema.columns[0].type.name() == "date");
  BOOST_TEST(schema.columns[1].type.name() == "timestamp");
  BOOST_TEST(schema.columns[2].type.name() == "string");
  // A declared format or unit is the type, whatever the samples looked like.
  Column epochs{"day", ColumnType(TypeId::timestamp), true};
  epochs.type.unit = EpochUnit::s;
  BOOST_TEST((inference.schema({"day"}, {epochs}).columns[0].type == epochs.type));
  BOOST_TEST(inference.schema({"day", "at", "note"}).columns[0].type.name() == "string");  // undeclared
}
