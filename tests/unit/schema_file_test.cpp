#define BOOST_TEST_MODULE schema_file
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "s3dest/table/schema_file.hpp"

using namespace s3dest;

namespace {
std::string error_of(const std::string& json) {
  auto schema = parse_schema_json(json, "schema.json");
  BOOST_REQUIRE(!schema.ok());
  BOOST_TEST(schema.status().exit_code() == 2);
  return schema.status().message();
}
}  // namespace

BOOST_AUTO_TEST_CASE(reads_names_types_and_nullability_in_order) {
  auto schema = parse_schema_json(R"j({"columns": [
      {"name": "date", "type": "date", "nullable": false},
      {"name": "cost", "type": "decimal(12,2)", "nullable": true},
      {"type": "timestamp", "name": "at"},
      {"name": "raw", "type": "binary"}, {"name": "n", "type": "int32"}, {"name": "big", "type": "int64"},
      {"name": "x", "type": "double"}, {"name": "ok", "type": "bool"}, {"name": "s", "type": "string"}]})j",
                                  "schema.json");
  BOOST_REQUIRE_MESSAGE(schema.ok(), schema.status().message());
  const Schema& s = *schema;
  BOOST_TEST(s.size() == 9u);
  BOOST_TEST(s.columns[0].name == "date");
  BOOST_TEST(s.columns[0].type.name() == "date");
  BOOST_TEST(!s.columns[0].nullable);
  BOOST_TEST(s.columns[1].type.name() == "decimal(12,2)");
  BOOST_TEST(s.columns[1].type.precision == 12);
  BOOST_TEST(s.columns[1].type.scale == 2);
  BOOST_TEST(s.columns[2].name == "at");
  BOOST_TEST(s.columns[2].nullable);  // nullable unless said otherwise
  std::string types;
  for (const Column& c : s.columns) types += c.type.name() + " ";
  BOOST_TEST(types == "date decimal(12,2) timestamp binary int32 int64 double bool string ");
}

BOOST_AUTO_TEST_CASE(unknown_keys_suggest_the_nearest_known_one) {
  BOOST_TEST(error_of(R"j({"columns": [{"name": "a", "type": "string", "nulable": false}]})j") ==
             "schema.json: column 1: unknown key 'nulable'; did you mean 'nullable'?");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "a", "type": "string", "comment": "x"}]})j") ==
             "schema.json: column 1: unknown key 'comment'; the known keys are 'name', 'type', 'nullable', 'format', "
             "'unit'");
  BOOST_TEST(error_of(R"j({"colums": []})j") == "schema.json: unknown key 'colums'; did you mean 'columns'?");
}

BOOST_AUTO_TEST_CASE(unknown_types_list_the_valid_ones) {
  BOOST_TEST(error_of(R"j({"columns": [{"name": "cost", "type": "float"}]})j") ==
             "schema.json: column 'cost': unknown type 'float': use string, binary, bool, int32, int64, double, "
             "date, timestamp or decimal(p,s)");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "cost", "type": "decimal(40,2)"}]})j").find(
                 "schema.json: column 'cost': type 'decimal(40,2)': decimal needs a precision from 1 to 38") == 0);
}

BOOST_AUTO_TEST_CASE(duplicate_and_missing_names) {
  BOOST_TEST(error_of(R"j({"columns": [{"name": "a", "type": "int64"}, {"name": "a", "type": "string"}]})j") ==
             "schema.json: column name 'a' appears twice; column names must be unique");
  BOOST_TEST(error_of(R"j({"columns": [{"type": "int64"}]})j") ==
             "schema.json: column 1 has no \"name\"; give each column a name");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "", "type": "int64"}]})j") ==
             "schema.json: column 1: \"name\" must be a non-empty string");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "a"}]})j").rfind("schema.json: column 'a' has no \"type\"", 0) == 0);
}

BOOST_AUTO_TEST_CASE(shape_errors) {
  BOOST_TEST(error_of("{\"columns\": [") .rfind("schema.json: not valid JSON (", 0) == 0);
  BOOST_TEST(error_of("[]").rfind("schema.json: a schema file is a JSON object like", 0) == 0);
  BOOST_TEST(error_of("{}").rfind("schema.json: no \"columns\"", 0) == 0);
  BOOST_TEST(error_of(R"j({"columns": {}})j").rfind("schema.json: \"columns\" must be an array", 0) == 0);
  BOOST_TEST(error_of(R"j({"columns": []})j") == "schema.json: \"columns\" is empty; list at least one column");
  BOOST_TEST(error_of(R"j({"columns": ["id"]})j") ==
             "schema.json: column 1 must be an object like {\"name\": \"id\", \"type\": \"int64\"}");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "a", "type": "int64", "nullable": "no"}]})j") ==
             "schema.json: column 1: \"nullable\" must be true or false");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "a", "type": "int64", "type": "string"}]})j") ==
             "schema.json: column 1: \"type\" is given twice");
}

BOOST_AUTO_TEST_CASE(loads_a_file) {
  const std::string path = (std::filesystem::temp_directory_path() / "s3dest_schema_file_test.json").string();
  std::ofstream(path) << R"j({"columns": [{"name": "id", "type": "int64", "nullable": false}]})j";
  auto schema = load_schema_file(path);
  std::remove(path.c_str());
  BOOST_REQUIRE_MESSAGE(schema.ok(), schema.status().message());
  BOOST_TEST(schema->columns[0].name == "id");

  auto missing = load_schema_file("/nonexistent/schema.json");
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.status().exit_code() == 2);
  BOOST_TEST(missing.status().message() ==
             "cannot open schema file '/nonexistent/schema.json': No such file or directory; check the path "
             "given with --schema");
}

BOOST_AUTO_TEST_CASE(dates_and_timestamps_may_say_how_they_are_spelled) {
  auto schema = parse_schema_json(R"j({"columns": [
      {"name": "booked", "type": "date", "format": "%m/%d/%Y"},
      {"name": "seen_at", "type": "timestamp", "unit": "ms"},
      {"name": "at", "type": "timestamp", "format": "%d.%m.%Y %H:%M"}]})j", "schema.json");
  BOOST_REQUIRE_MESSAGE(schema.ok(), schema.status().message());
  BOOST_TEST(schema->columns[0].type.format == "%m/%d/%Y");
  BOOST_TEST((schema->columns[1].type.unit == EpochUnit::ms));
  BOOST_TEST(schema->columns[2].type.format == "%d.%m.%Y %H:%M");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "d", "type": "date", "format": "%m/%d"}]})j") ==
             "schema.json: column 'd': \"format\" \"%m/%d\" has no %Y: a date needs its four-digit year");
  BOOST_TEST(error_of(R"j({"columns": [{"name": "d", "type": "date", "format": "%Y %q"}]})j").find("has %q") !=
             std::string::npos);
  BOOST_TEST(error_of(R"j({"columns": [{"name": "n", "type": "int64", "format": "%Y"}]})j") ==
             "schema.json: column 'n': \"format\" is for date and timestamp columns");
  for (const char* bad : {R"j({"columns": [{"name": "t", "type": "timestamp", "unit": "h"}]})j",
                          R"j({"columns": [{"name": "t", "type": "date", "unit": "s"}]})j",
                          R"j({"columns": [{"name": "t", "type": "timestamp", "unit": "s", "format": "%Y"}]})j"})
    BOOST_TEST(error_of(bad).find("\"unit\" is for a timestamp given as a number since 1970") != std::string::npos);
}
