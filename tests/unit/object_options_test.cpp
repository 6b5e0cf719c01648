// Object options (destination/object_options.hpp): the config's storage class, ACL, tags,
// metadata, Content-Type and Content-Encoding, rendered for each object with its key's
// values, made to fit S3's rules, and checked before anything is written.
#define BOOST_TEST_MODULE object_options
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/destination.hpp"
#include "s3dest/destination/object_options.hpp"

using namespace s3dest;

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Config config(const std::string& json) {
  auto parsed = parse_config(json, "c.json");
  BOOST_TEST_REQUIRE(parsed.ok(), parsed.status().message());
  return *parsed;
}

KeyLayout layout_of(const Config& c, const std::string& worker = "") {
  auto layout = make_key_layout(c, "", *parse_timestamp("2024-05-06T07:08:09Z"), worker, "20240506T070809Z-0123abcd");
  BOOST_TEST_REQUIRE(layout.ok(), layout.status().message());
  return std::move(*layout);
}

// The message ObjectOptions::create refuses `c` with.
std::string refusal(const Config& c, const std::string& worker = "") {
  const KeyLayout layout = layout_of(c, worker);
  const auto options = ObjectOptions::create(c, layout);
  BOOST_TEST_REQUIRE(!options.ok(), "expected the options to be refused");
  BOOST_TEST(options.status().exit_code() == 2);
  return options.status().message();
}

const char* kDaily = R"("folder": "{{data_source}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}", "file_name": "f-{{chunk_id}}",
  "use_load_by_account": true, "account_field": "acct", "date_field": "date")";

}  // namespace

BOOST_AUTO_TEST_CASE(tags_and_metadata_take_each_objects_values) {
  const Config c = config(std::string("{") + kDaily + R"(, "file_format": "csv+gzip",
    "storage_class": "STANDARD_IA", "canned_acl": "bucket-owner-full-control",
    "context": {"data_source": "ds/1"},
    "tags": {"dataset": "{{data_source}}", "day": "{{YYYY}}-{{MM}}-{{DD}}", "who": "{{account}}", "chunk": "{{chunk_id}}"},
    "metadata": {"Run-Day": "{{YYYY_today}}{{MM_today}}{{DD_today}} {{run_id}}"}})");
  const KeyLayout layout = layout_of(c);
  const auto options = ObjectOptions::create(c, layout);
  BOOST_TEST_REQUIRE(options.ok(), options.status().message());
  KeyParts parts;
  parts.record_day = *parse_date("2024-01-02");
  parts.account = "acme";
  parts.chunk_id = 2;
  const auto first = options->render(parts);
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST(first->content_type == "application/gzip");  // a gzip file, not unpacked by browsers
  BOOST_TEST(first->content_encoding.empty());
  BOOST_TEST(first->storage_class == "STANDARD_IA");
  BOOST_TEST(first->canned_acl == "bucket-owner-full-control");
  BOOST_TEST((first->tags == Pairs{{"dataset", "ds/1"}, {"day", "2024-01-02"}, {"who", "acme"}, {"chunk", "00002"}}));
  BOOST_TEST((first->metadata == Pairs{{"run-day", "20240506 20240506T070809Z-0123abcd"}}));
  parts.record_day = *parse_date("2024-12-31");
  parts.account = "other";
  const auto second = options->render(parts);
  BOOST_TEST((second->tags[1] == std::pair<std::string, std::string>{"day", "2024-12-31"}));
  BOOST_TEST((second->tags[2] == std::pair<std::string, std::string>{"who", "other"}));
}

BOOST_AUTO_TEST_CASE(values_from_variables_are_made_to_fit_s3s_rules) {
  const Config c = config(std::string("{") + kDaily + R"(, "context": {"data_source": "a;b\u00e9c"},
    "tags": {"who": "{{account}}", "ds": "{{data_source}}"}, "metadata": {"who": "{{account}}", "ds": "{{data_source}}"}})");
  const KeyLayout layout = layout_of(c);
  const auto options = ObjectOptions::create(c, layout);
  BOOST_TEST_REQUIRE(options.ok(), options.status().message());
  KeyParts parts;
  parts.record_day = 0;
  const std::string long_account = std::string(300, 'x') + "#";
  parts.account = long_account;
  const auto rendered = options->render(parts);
  BOOST_TEST_REQUIRE(rendered.ok());
  BOOST_TEST(rendered->tags[0].second == std::string(256, 'x'));  // cut to 256 characters
  BOOST_TEST(rendered->tags[1].second == "a_b_c");  // beyond ASCII, even a letter: one '_' a character
  BOOST_TEST(rendered->metadata[0].second == std::string(300, 'x') + "#");
  BOOST_TEST(rendered->metadata[1].second == "a;b_c");  // printable ASCII only, one '_' a character
  // Only the account, which comes from the data, can make the metadata too long: the row's error.
  const std::string longer_account(2100, 'y');
  parts.account = longer_account;
  const auto too_long = options->render(parts);
  BOOST_TEST_REQUIRE(!too_long.ok());
  BOOST_TEST(too_long.status().exit_code() == 3);
  BOOST_TEST(too_long.status().message().find("makes the object's metadata") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_tag_takes_only_ascii_from_a_variable_and_the_configs_own_letters) {
  const Config c = config(std::string("{") + kDaily + R"(, "context": {"data_source": "ds"}, "tags": {"who": "K\u00f6ln {{account}}"}})");
  const KeyLayout layout = layout_of(c);
  const auto options = ObjectOptions::create(c, layout);
  BOOST_TEST_REQUIRE(options.ok(), options.status().message());
  const auto tag_of = [&](const std::string& account) {
    KeyParts parts;
    parts.record_day = 0;
    parts.account = account;
    return options->render(parts)->tags[0].second;
  };
  // The config's "ö" is sent as written; each character the account brings that AWS's
  // [\p{L}\p{Z}\p{N}_.:/=+\-@] may refuse is one '_'.
  BOOST_TEST(tag_of("Acme Inc. a+b=c:d/e@f_g-h") == "K\u00f6ln Acme Inc. a+b=c:d/e@f_g-h");
  BOOST_TEST(tag_of("Acme\u2122") == "K\u00f6ln Acme_");           // ™, a symbol
  BOOST_TEST(tag_of("caf\u00e9") == "K\u00f6ln caf_");             // é: without a Unicode table, a letter too
  BOOST_TEST(tag_of("ab\u202Ecd") == "K\u00f6ln ab_cd");           // RIGHT-TO-LEFT OVERRIDE
  BOOST_TEST(tag_of("x\U0001F600y") == "K\u00f6ln x_y");           // an emoji: four bytes, one '_'
  BOOST_TEST(tag_of("a\x80\x80" "b\xC3") == "K\u00f6ln a__b_");   // bytes that begin no character
  BOOST_TEST(tag_of("\xE2\x82" "z") == "K\u00f6ln __z");          // a sequence cut short
  BOOST_TEST(tag_of("a\r\nb;c") == "K\u00f6ln a__b_c");
}

BOOST_AUTO_TEST_CASE(an_account_that_makes_the_headers_too_long_is_the_rows_error) {
  // Ten tags of the account: '@' is sent as %40, so 256 of them take 768 bytes a tag.
  std::string tags;
  for (int i = 0; i < 10; ++i) tags += (i ? ", \"t" : "\"t") + std::to_string(i) + "\": \"{{account}}\"";
  const Config c = config(std::string("{") + kDaily + R"(, "context": {"data_source": "ds"}, "tags": {)" + tags + "}}");
  const KeyLayout layout = layout_of(c);
  const auto options = ObjectOptions::create(c, layout);
  BOOST_TEST_REQUIRE(options.ok(), options.status().message());
  KeyParts parts;
  parts.record_day = 0;
  const std::string short_account(100, '@'), long_account(256, '@');
  parts.account = short_account;
  BOOST_TEST(options->render(parts).ok());
  parts.account = long_account;
  const auto too_long = options->render(parts);
  BOOST_TEST_REQUIRE(!too_long.ok());
  BOOST_TEST(too_long.status().exit_code() == 3);
  BOOST_TEST(too_long.status().message().find("makes the object's tags and metadata headers") != std::string::npos,
             too_long.status().message());
  BOOST_TEST(too_long.status().message().find("past the 6144") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(content_type_follows_the_format_and_the_config) {
  const auto type_of = [](const std::string& keys) {
    const Config c = config(R"({"file_name": "f", )" + keys + "}");
    const KeyLayout layout = layout_of(c);
    const auto options = ObjectOptions::create(c, layout);
    BOOST_TEST_REQUIRE(options.ok(), options.status().message());
    const ObjectProperties p = *options->render(KeyParts{});
    return p.content_type + "|" + p.content_encoding;
  };
  BOOST_TEST(type_of(R"("file_format": "csv")") == "text/csv|");
  BOOST_TEST(type_of(R"("file_format": "json")") == "application/x-ndjson|");
  BOOST_TEST(type_of(R"("file_format": "parquet")") == "application/vnd.apache.parquet|");
  BOOST_TEST(type_of(R"("file_format": "avro")") == "application/avro|");
  BOOST_TEST(type_of(R"("file_format": "json+gzip")") == "application/gzip|");
  BOOST_TEST(type_of(R"("file_format": "json+gzip", "content_encoding": "gzip")") == "application/x-ndjson|gzip");
  BOOST_TEST(type_of(R"("file_format": "csv+gzip", "content_encoding": "gzip")") == "text/csv|gzip");
  BOOST_TEST(type_of(R"("file_format": "csv", "content_type": "text/plain; charset=utf-8")") ==
             "text/plain; charset=utf-8|");
}

BOOST_AUTO_TEST_CASE(variables_without_a_value_are_refused_before_anything_is_written) {
  BOOST_TEST(refusal(config(R"({"file_name": "f-{{uuid}}", "tags": {"w": "{{worker}}"}})")).find(
                 "{{worker}} in tags.w has no value: pass --worker ID") != std::string::npos);
  BOOST_TEST(refusal(config(R"({"file_name": "f", "metadata": {"s": "{{report_type}}"}})")).find(
                 "{{report_type}} in metadata.s has no value; add \"report_type\" to the config's \"context\"") !=
             std::string::npos);
  // Long context values are measured as rendered.
  const Config long_context = config(R"({"file_name": "f", "metadata": {"s": "{{filename}}"}, "context": {"filename": ")" +
                                     std::string(2040, 'n') + "\"}}");
  BOOST_TEST(refusal(long_context).find("\"tags\" and \"metadata\" as rendered make the object's metadata 2076 bytes") !=
             std::string::npos);
  // Context values that make the tags too long are the config's error too.
  std::string tags;  // nine tags of 250 '/' each, sent as %2F: 6,750 bytes
  for (int i = 0; i < 9; ++i) tags += (i ? ", \"t" : "\"t") + std::to_string(i) + "\": \"{{filename}}\"";
  const Config long_tags = config(R"({"file_name": "f", "tags": {)" + tags + R"(}, "context": {"filename": ")" +
                                  std::string(250, '/') + "\"}}");
  BOOST_TEST(refusal(long_tags).find("tags and metadata headers") != std::string::npos);
  // With the worker given, {{worker}} has its value.
  const Config with_worker = config(R"({"file_name": "f-{{worker}}", "tags": {"w": "{{worker}}"}})");
  const KeyLayout layout = layout_of(with_worker, "w7");
  const auto options = ObjectOptions::create(with_worker, layout);
  BOOST_TEST_REQUIRE(options.ok());
  BOOST_TEST(options->render(KeyParts{})->tags[0].second == "w7");
}

BOOST_AUTO_TEST_CASE(the_health_checks_object_carries_the_options_of_its_start) {
  const Config c = config(std::string("{") + kDaily + R"(, "context": {"data_source": "ds1"}, "file_format": "parquet",
    "tags": {"day": "{{YYYY}}-{{MM}}-{{DD}}", "who": "{{account}}"}, "metadata": {"w": "{{worker}}"},
    "canned_acl": "private"})");
  // --worker's value is only known to loads: the check names itself.
  const Config with_worker = [&] {
    Config copy = c;
    copy.file_name = "f-{{worker}}-{{chunk_id}}";
    return copy;
  }();
  auto layout = make_matching_layout(with_worker, "");
  BOOST_TEST_REQUIRE(layout.ok(), layout.status().message());
  const auto p = object_properties_for_check(with_worker, *layout, *parse_timestamp("2024-05-06T07:08:09Z"));
  BOOST_TEST_REQUIRE(p.ok(), p.status().message());
  BOOST_TEST(p->content_type == "application/vnd.apache.parquet");
  BOOST_TEST(p->canned_acl == "private");
  BOOST_TEST((p->tags == Pairs{{"day", "2024-05-06"}, {"who", "check"}}));
  BOOST_TEST((p->metadata == Pairs{{"w", "check"}}));
}

BOOST_AUTO_TEST_CASE(a_load_gives_each_object_its_own_properties) {
  char name[] = "/tmp/s3dest-object-options-XXXXXX";
  ::close(::mkstemp(name));
  const std::string input = name;
  std::ofstream(input) << "{\"date\": \"2024-01-02\"}\n{\"date\": \"2024-01-03\"}\n";
  const Config c = config(R"({"folder": "{{YYYY}}/{{MM}}/{{DD}}", "file_name": "f-{{uuid}}", "date_field": "date",
    "tags": {"day": "{{DD}}", "id": "{{uuid}}"}})");
  DryRunSink sink;
  LoadOptions options;
  options.inputs = {input};
  const auto report = load(c, sink, options);
  ::unlink(input.c_str());
  BOOST_TEST_REQUIRE(report.ok(), report.status().message());
  BOOST_TEST_REQUIRE(report->objects.size() == 2u);
  for (const LoadedObject& o : report->objects) {
    const ObjectInfo& info = o.object.info;
    BOOST_TEST_REQUIRE(info.properties);
    BOOST_TEST_REQUIRE(info.properties->tags.size() == 2u);
    BOOST_TEST(info.key.substr(8, 2) == info.properties->tags[0].second);  // "2024/01/02/f-..."
    // One {{uuid}} per object, the same in its key and its tags.
    BOOST_TEST(info.key.substr(13, 36) == info.properties->tags[1].second);
  }
}
