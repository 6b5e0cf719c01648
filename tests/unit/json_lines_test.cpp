#define BOOST_TEST_MODULE json_lines
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/table/json_lines.hpp"
#include "gzip_helpers.hpp"

using namespace s3dest;

namespace {

// What json_lines makes of `text`, read `chunk` bytes at a time (so element ends fall at
// every place of a read), or the error's message.
std::string lines_of(const std::string& text, size_t chunk = 1 << 16) {
  auto source = json_lines(ByteSource::from_string(text, "data.json"));
  std::string out, buf(chunk, '\0');
  for (;;) {
    auto n = source->read(buf.data(), buf.size());
    if (!n.ok()) return "error: " + n.status().message();
    if (*n == 0) return out;
    out.append(buf, 0, *n);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(ndjson_passes_through_unchanged) {
  for (const std::string text : {"{\"a\": 1}\n{\"a\": 2}\n", "\xEF\xBB\xBF{\"a\": 1}", "", "  \n{\"a\": 1}"})
    BOOST_TEST(lines_of(text) == text);
}

BOOST_AUTO_TEST_CASE(an_array_becomes_one_line_an_element_whatever_the_read_size) {
  const std::string pretty =
      "\xEF\xBB\xBF [\n  {\n    \"a\": 1,\n    \"s\": \"x, ] } [ \\\" \\\\\",\n    \"list\": [1, [2, {\"b\": null}]]\n  },\n"
      "  {\"a\": 2}\r\n,{}\n]\n";
  const std::string expected =
      "{     \"a\": 1,     \"s\": \"x, ] } [ \\\" \\\\\",     \"list\": [1, [2, {\"b\": null}]]   }\n{\"a\": 2}\n{}\n";
  for (const size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{1} << 16}) BOOST_TEST(lines_of(pretty, chunk) == expected);
  BOOST_TEST(lines_of("[]") == "");
  BOOST_TEST(lines_of("[1, \"two\", true]", 3) == "1\n\"two\"\ntrue\n");  // the reader refuses these: not objects
  BOOST_TEST(lines_of(test_helpers::gzip("[{\"a\": 1}]")) == "{\"a\": 1}\n");
}

BOOST_AUTO_TEST_CASE(a_broken_array_is_bad_input_that_says_where) {
  BOOST_TEST(lines_of("[{\"a\": 1}, {\"a\": 2}") ==
             "error: data.json: the JSON array is not closed (a truncated file?) (after element 2); check the file, or "
             "give NDJSON: one object a line");
  BOOST_TEST(lines_of("[{\"a\": 1} {\"a\": 2}]").find("a comma is missing between two elements") != std::string::npos);
  BOOST_TEST(lines_of("[{\"a\": 1},]").find("a ']' where an element of the JSON array should be") != std::string::npos);
  BOOST_TEST(lines_of("[,{\"a\": 1}]").find("a comma where an element") != std::string::npos);
  BOOST_TEST(lines_of("[{\"a\": 1}] [").find("data after the end of the JSON array") != std::string::npos);
  BOOST_TEST(lines_of("[{\"s\": \"never closed}]").find("not closed") != std::string::npos);
}
