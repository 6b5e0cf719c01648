#define BOOST_TEST_MODULE text_encoders
#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>

#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/format/json_lines_encoder.hpp"

using namespace s3dest;

namespace {

Schema edge_schema() {
  Schema s;
  s.columns = {{"name", {TypeId::string}, true},      {"n", {TypeId::int64}, true},
               {"x", {TypeId::float64}, true},        {"ok", {TypeId::boolean}, true},
               {"day", {TypeId::date}, true},         {"at", {TypeId::timestamp}, true},
               {"cost", {TypeId::decimal, 12, 2}, true}, {"blob", {TypeId::binary}, true}};
  return s;
}

Row edge_row() {
  return {Value::of_bytes("a,\"b\"\nc"), Value::of_int(std::numeric_limits<int64_t>::min()),
          Value::of_double(0.1 + 0.2),   Value::of_bool(true),
          Value::of_int(-25567),  // 1900-01-01
          Value::of_int(-1),      // one microsecond before the epoch
          Value::of_decimal(-5),  Value::of_bytes(std::string_view("\0\xff", 2))};
}

}  // namespace

BOOST_AUTO_TEST_CASE(csv_quotes_only_where_needed_and_spells_values_exactly) {
  const Schema schema = edge_schema();
  CsvEncoder csv(schema, ',');
  std::string out;
  csv.append_header(out);
  csv.append_row(edge_row(), out);
  BOOST_CHECK_EQUAL(out,
                    "name,n,x,ok,day,at,cost,blob\n"
                    "\"a,\"\"b\"\"\nc\",-9223372036854775808,0.30000000000000004,true,1900-01-01,"
                    "1969-12-31T23:59:59.999999Z,-0.05,AP8=\n");
}

BOOST_AUTO_TEST_CASE(csv_null_is_empty_and_empty_string_is_quoted) {
  Schema schema;
  schema.columns = {{"a", {TypeId::string}, true}, {"b", {TypeId::string}, true}, {"c", {TypeId::int64}, true}};
  CsvEncoder csv(schema, ';');
  std::string out;
  csv.append_row({Value::null(), Value::of_bytes(""), Value::null()}, out);
  csv.append_row({Value::of_bytes("x;y"), Value::of_bytes("x,y"), Value::of_int(7)}, out);
  BOOST_CHECK_EQUAL(out, ";\"\";\n\"x;y\";x,y;7\n");
}

BOOST_AUTO_TEST_CASE(csv_tab_separator_quotes_tabs) {
  Schema schema;
  schema.columns = {{"a", {TypeId::string}, true}, {"b", {TypeId::string}, true}};
  CsvEncoder csv(schema, '\t');
  std::string out;
  csv.append_row({Value::of_bytes("x\ty"), Value::of_bytes("carriage\rreturn")}, out);
  BOOST_CHECK_EQUAL(out, "\"x\ty\"\t\"carriage\rreturn\"\n");
}

BOOST_AUTO_TEST_CASE(json_lines_escapes_and_types) {
  const Schema schema = edge_schema();
  JsonLinesEncoder json(schema);
  std::string out;
  json.append_row(edge_row(), out);
  BOOST_CHECK_EQUAL(out,
                    "{\"name\":\"a,\\\"b\\\"\\nc\",\"n\":-9223372036854775808,\"x\":0.30000000000000004,"
                    "\"ok\":true,\"day\":\"1900-01-01\",\"at\":\"1969-12-31T23:59:59.999999Z\","
                    "\"cost\":\"-0.05\",\"blob\":\"AP8=\"}\n");
}

BOOST_AUTO_TEST_CASE(json_lines_nulls_and_control_characters) {
  Schema schema;
  schema.columns = {{"a\"b", {TypeId::string}, true}, {"c", {TypeId::date}, true}};
  JsonLinesEncoder json(schema);
  std::string out;
  json.append_row({Value::of_bytes(std::string_view("\x01\t\\ é", 6)), Value::null()}, out);
  BOOST_CHECK_EQUAL(out, "{\"a\\\"b\":\"\\u0001\\t\\\\ é\",\"c\":null}\n");
}

BOOST_AUTO_TEST_CASE(empty_binary_is_not_null_and_negative_zero_keeps_its_sign) {
  Schema schema;
  schema.columns = {{"b", {TypeId::binary}, true}, {"d", {TypeId::float64}, true}};
  std::string csv_out, json_out;
  CsvEncoder(schema, ',').append_row({Value::of_bytes(""), Value::of_double(-0.0)}, csv_out);
  JsonLinesEncoder(schema).append_row({Value::of_bytes(""), Value::of_double(-0.0)}, json_out);
  BOOST_CHECK_EQUAL(csv_out, "\"\",-0\n");
  BOOST_CHECK_EQUAL(json_out, "{\"b\":\"\",\"d\":-0.0}\n");
}

// The encoders pass over long fields eight bytes at a time: a character that needs
// quoting or escaping is found wherever it sits, and nothing else is touched.
BOOST_AUTO_TEST_CASE(long_fields_are_quoted_and_escaped_wherever_the_character_sits) {
  Schema schema;
  schema.columns = {{"s", {TypeId::string}, true}};
  CsvEncoder csv(schema, ',');
  JsonLinesEncoder json(schema);
  const std::string plain = "abcdefghijklmnopqrstuvwx";  // three words
  for (size_t at = 0; at < plain.size(); ++at) {
    for (const char special : {',', '"', '\n', '\r', '\x1f', '\\'}) {
      std::string text = plain;
      text[at] = special;
      std::string csv_out, json_out;
      csv.append_row({Value::of_bytes(text)}, csv_out);
      json.append_row({Value::of_bytes(text)}, json_out);
      const bool quoted = special != '\x1f' && special != '\\';
      std::string csv_field = text;
      if (special == '"') csv_field.insert(at, "\"");
      if (quoted) csv_field = "\"" + csv_field + "\"";
      BOOST_CHECK_EQUAL(csv_out, csv_field + "\n");
      const std::string escape = special == ',' ? "," : special == '"' ? "\\\"" : special == '\n' ? "\\n"
                                 : special == '\r' ? "\\r" : special == '\\' ? "\\\\" : "\\u001f";
      BOOST_CHECK_EQUAL(json_out, "{\"s\":\"" + plain.substr(0, at) + escape + plain.substr(at + 1) + "\"}\n");
    }
  }
}
