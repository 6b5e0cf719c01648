#define BOOST_TEST_MODULE template
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/layout/template.hpp"

using namespace s3dest;

namespace {

// The message of a refused template; fails the test if it was accepted.
std::string refusal(std::string_view field, std::string_view text) {
  const Result<Template> parsed = Template::parse(field, text);
  BOOST_TEST_REQUIRE(!parsed.ok(), "expected \"" << text << "\" to be refused");
  BOOST_TEST(parsed.status().exit_code() == 2);
  return parsed.status().message();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(renders_the_design_folder) {
  const Result<Template> folder = Template::parse(
      "folder", "/{{workspace_id}}/{{data_source}}/{{report_type}}/{{YYYY}}/{{MM}}/{{DD}}");
  BOOST_TEST_REQUIRE(folder.ok());

  TemplateValues values;
  values.set(TemplateVar::workspace_id, "ws1");
  values.set(TemplateVar::data_source, "ds1");
  values.set(TemplateVar::report_type, "rt1");
  values.set(TemplateVar::YYYY, "2024");
  values.set(TemplateVar::MM, "03");
  values.set(TemplateVar::DD, "05");
  BOOST_TEST(folder->render(values) == "/ws1/ds1/rt1/2024/03/05");
}

BOOST_AUTO_TEST_CASE(knows_which_variables_it_uses) {
  const Result<Template> name =
      Template::parse("file_name", "{{filename}}-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}");
  BOOST_TEST_REQUIRE(name.ok());
  BOOST_TEST(name->uses(TemplateVar::filename));
  BOOST_TEST(name->uses(TemplateVar::chunk_id));
  BOOST_TEST(name->uses(TemplateVar::DD));
  BOOST_TEST(!name->uses(TemplateVar::account));
  BOOST_TEST(!name->uses(TemplateVar::YYYY_today));
  BOOST_TEST(name->column_of(TemplateVar::YYYY) == 14u);
  BOOST_TEST(name->column_of(TemplateVar::account) == 0u);
}

BOOST_AUTO_TEST_CASE(spaces_inside_braces_are_allowed) {
  const Result<Template> t = Template::parse("file_name", "{{ filename }}_{{chunk_id }}_{{\tH}}");
  BOOST_TEST_REQUIRE(t.ok());
  TemplateValues values;
  values.set(TemplateVar::filename, "report");
  values.set(TemplateVar::chunk_id, "00001");
  values.set(TemplateVar::H, "07");
  BOOST_TEST(t->render(values) == "report_00001_07");
}

BOOST_AUTO_TEST_CASE(text_without_variables_and_single_braces_are_literal) {
  const Result<Template> t = Template::parse("folder", "exports/{json}/x}y{");
  BOOST_TEST_REQUIRE(t.ok());
  BOOST_TEST(t->render(TemplateValues{}) == "exports/{json}/x}y{");
  BOOST_TEST(t->pieces().size() == 1u);

  const Result<Template> empty = Template::parse("folder", "");
  BOOST_TEST_REQUIRE(empty.ok());
  BOOST_TEST(empty->render(TemplateValues{}) == "");
}

BOOST_AUTO_TEST_CASE(every_variable_is_known_by_its_name) {
  for (const char* name : {"workspace_id", "workspace_title", "data_source", "data_table_title",
                           "report_type", "filename", "account", "dataclass", "YYYY", "MM", "DD",
                           "YYYY_today", "MM_today", "DD_today", "H", "M", "S", "timestamp",
                           "chunk_id"}) {
    const auto var = template_var_from_name(name);
    BOOST_TEST_REQUIRE(var.has_value(), name);
    BOOST_TEST(template_var_name(*var) == name);
    BOOST_TEST(Template::parse("folder", std::string("{{") + name + "}}").ok(), name);
  }
  BOOST_TEST(!template_var_from_name("yyyy").has_value());  // names are case-sensitive
  BOOST_TEST(is_context_var(TemplateVar::data_table_title));
  BOOST_TEST(!is_context_var(TemplateVar::account));
  BOOST_TEST(!is_context_var(TemplateVar::YYYY));
}

BOOST_AUTO_TEST_CASE(unknown_variable_names_field_column_and_valid_ones) {
  const std::string message = refusal("folder", "/{{workspace_id}}/{{ year }}");
  BOOST_TEST(contains(message, "folder, column 19"), message);
  BOOST_TEST(contains(message, "unknown template variable \"year\""), message);
  BOOST_TEST(contains(message, "workspace_id, workspace_title, data_source"), message);
  BOOST_TEST(contains(message, "YYYY, MM, DD, YYYY_today"), message);
  BOOST_TEST(contains(message, "timestamp, chunk_id"), message);
}

BOOST_AUTO_TEST_CASE(near_misses_get_a_suggestion) {
  BOOST_TEST(contains(refusal("folder", "{{yyyy}}"), "\"yyyy\" (did you mean YYYY?)"));
  BOOST_TEST(contains(refusal("file_name", "{{chunkid}}"), "(did you mean chunk_id?)"));
  BOOST_TEST(!contains(refusal("folder", "{{region}}"), "did you mean"));
}

BOOST_AUTO_TEST_CASE(columns_count_characters_not_bytes) {
  // "données/" is 8 characters but 9 bytes.
  const std::string message = refusal("folder", "données/{{jour}}");
  BOOST_TEST(contains(message, "column 9"), message);
}

BOOST_AUTO_TEST_CASE(unclosed_braces_are_refused) {
  std::string message = refusal("file_name", "{{filename}}-{{chunk_id");
  BOOST_TEST(contains(message, "file_name, column 14"), message);
  BOOST_TEST(contains(message, "not closed"), message);

  // A second "{{" before any "}}" means the first was left open.
  message = refusal("folder", "{{YYYY/{{MM}}");
  BOOST_TEST(contains(message, "folder, column 1"), message);
  BOOST_TEST(contains(message, "not closed"), message);
}

BOOST_AUTO_TEST_CASE(empty_braces_are_refused) {
  for (const char* text : {"a/{{}}", "a/{{ }}", "a/{{   }}"}) {
    const std::string message = refusal("folder", text);
    BOOST_TEST(contains(message, "folder, column 3"), message);
    BOOST_TEST(contains(message, "empty"), message);
    BOOST_TEST(contains(message, "chunk_id"), message);  // says what may go inside
  }
}

BOOST_AUTO_TEST_CASE(stray_closing_braces_are_refused) {
  std::string message = refusal("file_name", "name}}");
  BOOST_TEST(contains(message, "file_name, column 5"), message);
  BOOST_TEST(contains(message, "without an opening"), message);

  message = refusal("folder", "{{YYYY}}/MM}}");
  BOOST_TEST(contains(message, "folder, column 12"), message);
}
