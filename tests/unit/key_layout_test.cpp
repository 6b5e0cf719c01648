#define BOOST_TEST_MODULE key_layout
#include <boost/test/unit_test.hpp>

#include <string>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/layout/key_layout.hpp"

using namespace s3dest;

namespace {

// The DESIGN.md example: daily partitions, loaded by account, split at a size cap.
LayoutOptions design_options() {
  LayoutOptions options;
  options.folder = "/{{workspace_id}}/{{data_source}}/{{report_type}}/{{YYYY}}/{{MM}}/{{DD}}";
  options.file_name = "{{filename}}-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}";
  options.extension = ".csv.gz";
  options.has_size_cap = true;
  options.context = {{"workspace_id", "ws1"},      {"workspace_title", "main_group"},
                     {"data_source", "ds1"},       {"data_table_title", "campaigns"},
                     {"report_type", "rt1"},       {"filename", "some_name"},
                     {"dataclass", "stats"}};
  options.run_start_micros = *parse_timestamp("2024-03-05T10:20:30Z");
  return options;
}

int32_t day(const char* text) { return *parse_date(text); }

std::string render(const KeyLayout& layout, const KeyParts& parts) {
  std::string key;
  layout.render(parts, key);
  return key;
}

KeyLayout accepted(LayoutOptions options) {
  Result<KeyLayout> layout = KeyLayout::create(std::move(options));
  BOOST_TEST_REQUIRE(layout.ok(), layout.status().message());
  return std::move(*layout);
}

// The message of a refused layout; fails the test if it was accepted.
std::string refusal(LayoutOptions options) {
  const Result<KeyLayout> layout = KeyLayout::create(std::move(options));
  BOOST_TEST_REQUIRE(!layout.ok(), "expected the layout to be refused");
  BOOST_TEST(layout.status().exit_code() == 2);
  return layout.status().message();
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(renders_the_design_layout) {
  const KeyLayout layout = accepted(design_options());
  BOOST_TEST((layout.partitioning() == Partitioning::day));
  BOOST_TEST(!layout.uses_account());
  BOOST_TEST(layout.uses_chunk_id());

  KeyParts parts;
  parts.record_day = day("2024-02-29");
  BOOST_TEST(render(layout, parts) == "ws1/ds1/rt1/2024/02/29/some_name-2024-02-29-00001.csv.gz");
  parts.chunk_id = 2;
  BOOST_TEST(render(layout, parts) == "ws1/ds1/rt1/2024/02/29/some_name-2024-02-29-00002.csv.gz");
}

BOOST_AUTO_TEST_CASE(renders_by_account_and_month) {
  LayoutOptions options = design_options();
  options.folder = "{{workspace_id}}/{{account}}/{{YYYY}}-{{MM}}";
  options.file_name = "{{dataclass}}_{{chunk_id}}";
  options.extension = ".parquet";
  options.partition_by = PartitionBy::month;
  options.load_by_account = true;
  const KeyLayout layout = accepted(options);
  BOOST_TEST((layout.partitioning() == Partitioning::month));
  BOOST_TEST(layout.uses_account());

  KeyParts parts;
  parts.record_day = day("2023-12-01");
  parts.account = "acme-7";
  BOOST_TEST(render(layout, parts) == "ws1/acme-7/2023-12/stats_00001.parquet");
}

BOOST_AUTO_TEST_CASE(the_key_reuses_the_callers_string) {
  const KeyLayout layout = accepted(design_options());
  std::string key = "left over from the previous object";
  KeyParts parts;
  parts.record_day = day("2024-01-02");
  layout.render(parts, key);
  BOOST_TEST(key == "ws1/ds1/rt1/2024/01/02/some_name-2024-01-02-00001.csv.gz");
}

BOOST_AUTO_TEST_CASE(prefix_leading_slash_and_double_slashes) {
  LayoutOptions options = design_options();
  options.folder = "//{{workspace_id}}//daily/";
  options.file_name = "/{{filename}}_{{YYYY}}{{MM}}{{DD}}_{{chunk_id}}";
  options.extension = ".json";
  KeyParts parts;
  parts.record_day = day("2024-03-01");

  BOOST_TEST(render(accepted(options), parts) == "ws1/daily/some_name_20240301_00001.json");
  options.prefix = "lake/raw";
  BOOST_TEST(render(accepted(options), parts) == "lake/raw/ws1/daily/some_name_20240301_00001.json");
  options.prefix = "/lake/raw/";
  BOOST_TEST(render(accepted(options), parts) == "lake/raw/ws1/daily/some_name_20240301_00001.json");
  options.folder = "";
  BOOST_TEST(render(accepted(options), parts) == "lake/raw/some_name_20240301_00001.json");
}

BOOST_AUTO_TEST_CASE(today_forms_come_from_the_run_start_not_the_record) {
  LayoutOptions options = design_options();
  options.folder = "{{YYYY}}/{{MM}}/{{DD}}";
  options.file_name =
      "{{YYYY_today}}{{MM_today}}{{DD_today}}T{{H}}{{M}}{{S}}-{{timestamp}}-{{chunk_id}}";
  options.extension = ".avro";
  KeyParts parts;
  parts.record_day = day("1999-12-31");
  BOOST_TEST(render(accepted(options), parts) ==
             "1999/12/31/20240305T102030-1709634030-00001.avro");
}

BOOST_AUTO_TEST_CASE(a_layout_without_record_dates_does_not_partition) {
  LayoutOptions options = design_options();
  options.folder = "/{{workspace_id}}/{{YYYY_today}}/{{MM_today}}/{{DD_today}}";
  options.file_name = "{{filename}}-{{chunk_id}}";
  options.extension = ".csv";
  options.partition_by = PartitionBy::month;  // DD_today is fine: it is not a partition
  const KeyLayout layout = accepted(options);
  BOOST_TEST((layout.partitioning() == Partitioning::none));
  BOOST_TEST(render(layout, KeyParts{}) == "ws1/2024/03/05/some_name-00001.csv");
}

BOOST_AUTO_TEST_CASE(chunk_ids_are_five_digits) {
  LayoutOptions options = design_options();
  options.folder = "out";
  options.file_name = "part-{{chunk_id}}";
  const KeyLayout layout = accepted(options);
  KeyParts parts;
  for (auto [chunk, expected] : {std::pair{1u, "out/part-00001.csv.gz"},
                                 std::pair{42u, "out/part-00042.csv.gz"},
                                 std::pair{99999u, "out/part-99999.csv.gz"}}) {
    parts.chunk_id = chunk;
    BOOST_TEST(render(layout, parts) == expected);
  }
}

BOOST_AUTO_TEST_CASE(years_are_four_digits) {
  LayoutOptions options = design_options();
  options.folder = "{{YYYY}}/{{MM}}/{{DD}}";
  options.file_name = "x";
  options.has_size_cap = false;
  options.run_start_micros = *parse_timestamp("0987-01-02T03:04:05Z");
  const KeyLayout layout = accepted(options);
  KeyParts parts;
  parts.record_day = day("0042-07-04");
  BOOST_TEST(render(layout, parts) == "0042/07/04/x.csv.gz");
}

BOOST_AUTO_TEST_CASE(context_values_cannot_add_path_segments) {
  LayoutOptions options = design_options();
  options.folder = "{{workspace_id}}/{{data_source}}/{{report_type}}/{{YYYY}}/{{MM}}/{{DD}}";
  options.context["workspace_id"] = "..";
  options.context["data_source"] = "a/b\\c";
  options.context["report_type"] = ".";
  options.context["filename"] = "50%\ttab\nline\x7f";
  KeyParts parts;
  parts.record_day = day("2024-03-05");
  BOOST_TEST(render(accepted(options), parts) ==
             "%2E%2E/a%2Fb%5Cc/%2E/2024/03/05/50%25%09tab%0Aline%7F-2024-03-05-00001.csv.gz");
}

BOOST_AUTO_TEST_CASE(account_values_cannot_add_path_segments) {
  LayoutOptions options = design_options();
  options.folder = "{{account}}";
  options.file_name = "{{account}}-{{YYYY}}{{MM}}{{DD}}-{{chunk_id}}";
  options.load_by_account = true;
  const KeyLayout layout = accepted(options);
  KeyParts parts;
  parts.record_day = day("2024-03-05");

  parts.account = "..";
  BOOST_TEST(render(layout, parts) == "%2E%2E/%2E%2E-20240305-00001.csv.gz");
  parts.account = "../../etc";
  BOOST_TEST(render(layout, parts) == "..%2F..%2Fetc/..%2F..%2Fetc-20240305-00001.csv.gz");
  parts.account = std::string_view("a\0b\\c", 5);
  BOOST_TEST(render(layout, parts) == "a%00b%5Cc/a%00b%5Cc-20240305-00001.csv.gz");
  parts.account = "...";  // not a path step: kept
  BOOST_TEST(render(layout, parts) == ".../...-20240305-00001.csv.gz");
  parts.account = "ACME Corp é";  // spaces and UTF-8 are fine in keys
  BOOST_TEST(render(layout, parts) == "ACME Corp é/ACME Corp é-20240305-00001.csv.gz");
}

BOOST_AUTO_TEST_CASE(append_key_value_encodes_only_what_could_escape) {
  std::string out;
  append_key_value(out, "plain-value_1.2");
  BOOST_TEST(out == "plain-value_1.2");
  out.clear();
  append_key_value(out, ".");
  BOOST_TEST(out == "%2E");
  out.clear();
  append_key_value(out, "\x1f/%");
  BOOST_TEST(out == "%1F%2F%25");
}

BOOST_AUTO_TEST_CASE(fixed_prefix_stops_at_the_first_varying_variable) {
  LayoutOptions options = design_options();
  BOOST_TEST(accepted(options).fixed_prefix() == "ws1/ds1/rt1/");

  options.prefix = "lake";
  options.folder = "/{{workspace_id}}/run-{{YYYY_today}}/{{YYYY}}/{{MM}}/{{DD}}";
  BOOST_TEST(accepted(options).fixed_prefix() == "lake/ws1/");

  options.folder = "/exports/{{workspace_id}}";  // no varying variable: the whole folder
  BOOST_TEST(accepted(options).fixed_prefix() == "lake/exports/ws1/");

  options.prefix = "";
  options.folder = "{{YYYY}}/{{MM}}/{{DD}}";
  BOOST_TEST(accepted(options).fixed_prefix() == "");
}

// --- Refusals: each says what to change. -------------------------------------------------

BOOST_AUTO_TEST_CASE(template_errors_name_the_field_and_column) {
  LayoutOptions options = design_options();
  options.file_name = "{{filename}}-{{chunkid}}";
  std::string message = refusal(options);
  BOOST_TEST(contains(message, "file_name, column 14"), message);
  BOOST_TEST(contains(message, "unknown template variable \"chunkid\""), message);
  BOOST_TEST(contains(message, "chunk_id"), message);

  options = design_options();
  options.folder = "/{{workspace_id}}/{{YYYY";
  message = refusal(options);
  BOOST_TEST(contains(message, "folder, column 19"), message);
  BOOST_TEST(contains(message, "not closed"), message);
}

BOOST_AUTO_TEST_CASE(day_with_month_partitions_is_refused) {
  LayoutOptions options = design_options();
  options.partition_by = PartitionBy::month;
  const std::string message = refusal(options);
  BOOST_TEST(contains(message, "{{DD}} in folder (column 67)"), message);
  BOOST_TEST(contains(message, "\"partition_by\": \"day\""), message);
  BOOST_TEST(contains(message, "remove {{DD}}"), message);
}

BOOST_AUTO_TEST_CASE(day_partitions_need_year_month_and_day) {
  LayoutOptions options = design_options();
  options.folder = "{{workspace_id}}/{{YYYY}}/{{MM}}";
  options.file_name = "{{filename}}-{{chunk_id}}";
  std::string message = refusal(options);
  BOOST_TEST(contains(message, "no {{DD}}"), message);
  BOOST_TEST(contains(message, "overwrite"), message);
  BOOST_TEST(contains(message, "add {{DD}} to folder or file_name"), message);
  BOOST_TEST(contains(message, "\"partition_by\": \"month\""), message);

  options.folder = "{{workspace_id}}/{{DD}}";
  message = refusal(options);
  BOOST_TEST(contains(message, "add {{YYYY}} and {{MM}}"), message);

  // Split across folder and file_name is fine.
  options.folder = "{{YYYY}}";
  options.file_name = "{{MM}}{{DD}}-{{chunk_id}}";
  BOOST_TEST(KeyLayout::create(options).ok());
}

BOOST_AUTO_TEST_CASE(month_partitions_need_year_and_month) {
  LayoutOptions options = design_options();
  options.partition_by = PartitionBy::month;
  options.folder = "{{workspace_id}}/{{YYYY}}";
  options.file_name = "{{filename}}-{{chunk_id}}";
  std::string message = refusal(options);
  BOOST_TEST(contains(message, "add {{MM}} to folder or file_name"), message);
  BOOST_TEST(contains(message, "overwrite"), message);

  options.folder = "{{workspace_id}}/{{MM}}";
  message = refusal(options);
  BOOST_TEST(contains(message, "add {{YYYY}}"), message);
}

BOOST_AUTO_TEST_CASE(account_needs_load_by_account_and_the_reverse) {
  LayoutOptions options = design_options();
  options.file_name = "{{account}}-{{chunk_id}}";
  std::string message = refusal(options);
  BOOST_TEST(contains(message, "{{account}} in file_name (column 1)"), message);
  BOOST_TEST(contains(message, "\"use_load_by_account\": true"), message);

  options = design_options();
  options.load_by_account = true;
  message = refusal(options);
  BOOST_TEST(contains(message, "neither folder nor file_name has {{account}}"), message);
  BOOST_TEST(contains(message, "add {{account}}"), message);
}

BOOST_AUTO_TEST_CASE(a_size_cap_needs_chunk_id_in_the_file_name) {
  LayoutOptions options = design_options();
  options.folder = "{{YYYY}}/{{MM}}/{{DD}}/{{chunk_id}}";  // in the folder is not enough
  options.file_name = "{{filename}}";
  const std::string message = refusal(options);
  BOOST_TEST(contains(message, "\"max_file_size_mb\""), message);
  BOOST_TEST(contains(message, "add {{chunk_id}} to file_name"), message);

  options.has_size_cap = false;  // without a cap there is one chunk per partition
  BOOST_TEST(KeyLayout::create(options).ok());
}

BOOST_AUTO_TEST_CASE(used_context_variables_must_be_given) {
  LayoutOptions options = design_options();
  options.context.erase("report_type");
  std::string message = refusal(options);
  BOOST_TEST(contains(message, "{{report_type}} in folder (column 35) has no value"), message);
  BOOST_TEST(contains(message, "\"context\""), message);
  BOOST_TEST(contains(message, "--set report_type=VALUE"), message);

  options.context["report_type"] = "";  // an empty value would drop a path segment
  message = refusal(options);
  BOOST_TEST(contains(message, "--set report_type=VALUE"), message);

  // Variables the layout does not use need no value.
  options = design_options();
  options.context.erase("workspace_title");
  BOOST_TEST(KeyLayout::create(options).ok());
}

BOOST_AUTO_TEST_CASE(an_empty_file_name_is_refused) {
  for (const char* name : {"", "/", " // "}) {
    LayoutOptions options = design_options();
    options.has_size_cap = false;
    options.file_name = name;
    const std::string message = refusal(options);
    BOOST_TEST(contains(message, "file_name"), message);
    BOOST_TEST(contains(message, "renders no name"), message);
  }
}

BOOST_AUTO_TEST_CASE(dot_folders_in_the_template_text_are_refused) {
  for (const char* folder : {"/../{{data_source}}", "/a/./b", "..", "/x/.."}) {
    LayoutOptions options;
    options.folder = folder;
    options.file_name = "f";
    options.extension = ".csv";
    const auto layout = KeyLayout::create(options);
    BOOST_TEST_CONTEXT(folder) {
      BOOST_REQUIRE(!layout.ok());
      BOOST_CHECK_EQUAL(layout.status().exit_code(), 2);
      BOOST_CHECK(layout.status().message().find("folder: remove it") != std::string::npos);
    }
  }
  LayoutOptions fine;
  fine.folder = "/a.b/...x/.hidden";
  fine.file_name = "f";
  BOOST_CHECK(KeyLayout::create(fine).ok());
}

// ---------------------------------------------------------------------------------------
// A partition's chunk keys, and telling a layout's keys from everyone else's.

BOOST_AUTO_TEST_CASE(a_partitions_chunk_pattern_renders_and_recognises_exactly_its_chunk_keys) {
  const KeyLayout layout = accepted(design_options());
  KeyParts parts;
  parts.record_day = day("2026-01-05");
  const ChunkKeyPattern pattern = layout.chunk_key_pattern(parts);
  BOOST_TEST(pattern.has_chunk_id());
  BOOST_TEST(pattern.list_prefix() == "ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-");
  parts.chunk_id = 7;
  BOOST_TEST(pattern.key(7) == render(layout, parts));
  BOOST_TEST(*pattern.chunk_id_of("ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-00007.csv.gz") == 7u);
  BOOST_TEST(*pattern.chunk_id_of(pattern.key(kMaxChunkId)) == kMaxChunkId);
  // What only looks like a chunk of the partition is not one.
  for (const char* other : {"ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-00007.csv.gz.bak",
                            "ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-7.csv.gz",
                            "ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-000007.csv.gz",
                            "ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-0000x.csv.gz",
                            "ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-00000.csv.gz",
                            "ws1/ds1/rt1/2026/01/05/some_name-2026-01-05-00007.csv",
                            "ws1/ds1/rt1/2026/01/06/some_name-2026-01-06-00007.csv.gz"})
    BOOST_TEST(!pattern.chunk_id_of(other), other);
}

BOOST_AUTO_TEST_CASE(a_chunk_id_used_twice_must_be_the_same_number_at_both_places) {
  LayoutOptions options = design_options();
  options.folder = "/c{{chunk_id}}";
  options.file_name = "part-{{chunk_id}}";
  const KeyLayout layout = accepted(options);
  const ChunkKeyPattern pattern = layout.chunk_key_pattern(KeyParts{});
  BOOST_TEST(pattern.list_prefix() == "c");
  BOOST_TEST(pattern.key(3) == "c00003/part-00003.csv.gz");
  BOOST_TEST(*pattern.chunk_id_of("c00003/part-00003.csv.gz") == 3u);
  BOOST_TEST(!pattern.chunk_id_of("c00003/part-00004.csv.gz"));
}

BOOST_AUTO_TEST_CASE(without_chunk_id_the_pattern_is_the_one_key) {
  LayoutOptions options = design_options();
  options.file_name = "{{filename}}";
  options.has_size_cap = false;
  const KeyLayout layout = accepted(options);
  KeyParts parts;
  parts.record_day = day("2026-01-05");
  const ChunkKeyPattern pattern = layout.chunk_key_pattern(parts);
  BOOST_TEST(!pattern.has_chunk_id());
  BOOST_TEST(pattern.list_prefix() == "ws1/ds1/rt1/2026/01/05/some_name.csv.gz");
  BOOST_TEST(*pattern.chunk_id_of(pattern.list_prefix()) == 1u);
  BOOST_TEST(!pattern.chunk_id_of(pattern.list_prefix() + ".old"));
}

BOOST_AUTO_TEST_CASE(workers_run_ids_and_uuids_render_where_the_layout_puts_them) {
  LayoutOptions options = design_options();
  options.file_name = "{{filename}}-{{worker}}-{{run_id}}-{{uuid}}-{{chunk_id}}";
  options.worker = "shard-7";
  options.run_id = "20261201T224412Z-5f3a9c1e";
  const KeyLayout layout = accepted(options);
  BOOST_TEST(layout.keys_unique_to_run());
  KeyParts parts;
  parts.record_day = day("2026-01-05");
  parts.uuid = "3f6c0b2e-8d1a-4c7e-9b0f-2a5d6e7f8091";
  BOOST_TEST(render(layout, parts) == "ws1/ds1/rt1/2026/01/05/some_name-shard-7-20261201T224412Z-5f3a9c1e-"
                                      "3f6c0b2e-8d1a-4c7e-9b0f-2a5d6e7f8091-00001.csv.gz");
}

BOOST_AUTO_TEST_CASE(worker_refusals_keep_writers_apart) {
  LayoutOptions options = design_options();
  options.worker = "w1";
  BOOST_TEST(contains(refusal(options), "neither folder nor file_name has {{worker}}"));
  options.file_name = "{{filename}}-{{worker}}-{{chunk_id}}";
  options.worker = "";
  BOOST_TEST(contains(refusal(options), "pass --worker ID"));
  options.worker = "w/1";
  BOOST_TEST(contains(refusal(options), "letters, digits"));
  options.worker = "w1";
  accepted(options);
  options.file_name = "{{filename}}-{{uuid}}-{{chunk_id}}";  // random per object: also apart
  accepted(options);
}

BOOST_AUTO_TEST_CASE(control_characters_in_a_template_are_refused) {
  LayoutOptions options = design_options();
  options.file_name = std::string("a\x01{{chunk_id}}");
  BOOST_TEST(contains(refusal(options), "control character"));
  options = design_options();
  options.folder = std::string("/ws\0x", 4);
  BOOST_TEST(contains(refusal(options), "control character (byte 0)"));
}

BOOST_AUTO_TEST_CASE(could_render_knows_this_layouts_keys_of_any_run_and_no_others) {
  LayoutOptions options = design_options();
  options.folder = "/{{workspace_id}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}";
  options.file_name = "{{filename}}-{{worker}}-{{chunk_id}}";
  options.load_by_account = true;
  options.prefix = "team//a";
  options.matching_only = true;  // any worker
  const KeyLayout layout = accepted(options);
  BOOST_TEST(layout.could_render("team/a/ws1/acme%2Fx/2026/01/05/some_name-w-3-00002.csv.gz"));
  BOOST_TEST(layout.could_render("team/a/ws1/b/1999/12/31/some_name-7-00001.csv.gz"));
  BOOST_TEST(layout.could_render("team/a/ws1/ACME Corp é%25%1B/1999/12/31/some_name-7-00001.csv.gz"));
  for (const char* other : {"team/a/ws2/b/1999/12/31/some_name-7-00001.csv.gz",      // another workspace
                            "team/a/ws1/b/1999/12/31/other-7-00001.csv.gz",          // another file name
                            "team/a/ws1/b/c/1999/12/31/some_name-7-00001.csv.gz",    // a folder more
                            "team/a/ws1/b/99/12/31/some_name-7-00001.csv.gz",        // two-digit year
                            "team/a/ws1/b/1999/12/31/some_name-7-00001.csv",         // another extension
                            "team/a/ws1/b/1999/12/31/some_name-7-0001.csv.gz",       // four-digit chunk
                            "team/a/ws1/b/1999/12/31/some_name-w.x-00001.csv.gz",    // not a worker name
                            "team/a/ws1/b/1999/12/31/.some_name-7-00001.csv.gz",
                            // accounts s3dest would have written with %XX: a control
                            // character, a bare '%', a backslash, a dot folder
                            "team/a/ws1/a\x1b]0;x\x07b/1999/12/31/some_name-7-00001.csv.gz",
                            "team/a/ws1/50%/1999/12/31/some_name-7-00001.csv.gz",
                            "team/a/ws1/a%2g/1999/12/31/some_name-7-00001.csv.gz",
                            "team/a/ws1/a\\b/1999/12/31/some_name-7-00001.csv.gz",
                            "team/a/ws1/../1999/12/31/some_name-7-00001.csv.gz"})
    BOOST_TEST(!layout.could_render(other), other);
  BOOST_TEST(layout.fixed_prefix() == "team/a/ws1/");
}

BOOST_AUTO_TEST_CASE(dot_folders_in_the_dest_prefix_are_refused) {
  for (const char* prefix : {"..", "../other", "a/../b", "a/./b", "a/."}) {
    LayoutOptions options = design_options();
    options.prefix = prefix;
    BOOST_TEST(contains(refusal(options), "folder: give the prefix without it"), prefix);
  }
  LayoutOptions options = design_options();
  options.prefix = "a/..b/.c";  // names that only start with dots are names
  accepted(options);
}

BOOST_AUTO_TEST_CASE(render_value_gives_a_text_the_objects_values_as_they_are) {
  LayoutOptions options = design_options();
  options.context["data_source"] = "ds/1";  // made safe in the key, not in a tag
  options.folder = "/{{workspace_id}}/{{data_source}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}";
  options.load_by_account = true;
  options.run_id = "20240305T102030Z-0123abcd";
  const KeyLayout layout = accepted(options);
  KeyParts parts;
  parts.record_day = day("2024-02-29");
  parts.account = "acme/7";
  parts.chunk_id = 3;
  BOOST_TEST(render(layout, parts) == "ws1/ds%2F1/acme%2F7/2024/02/29/some_name-2024-02-29-00003.csv.gz");
  const auto value = Template::parse("tags.x", "{{data_source}} {{account}} {{YYYY}}-{{MM}}-{{DD}} {{chunk_id}} "
                                               "{{YYYY_today}} {{H}} {{run_id}}");
  BOOST_TEST_REQUIRE(value.ok());
  std::string text = "replaced";
  layout.render_value(*value, parts, text);
  BOOST_TEST(text == "ds/1 acme/7 2024-02-29 00003 2024 10 20240305T102030Z-0123abcd");
  // Each variable's value may go in made safe for where the text goes; the literal as it is.
  const auto dotted = Template::parse("tags.y", "{{account}}; {{data_source}}");
  BOOST_TEST_REQUIRE(dotted.ok());
  layout.render_value(*dotted, parts, text, [](std::string& out, std::string_view value) {
    for (const char c : value) out.push_back(c == '/' ? '.' : c);
  });
  BOOST_TEST(text == "acme.7; ds.1");
  BOOST_TEST(layout.run_value(TemplateVar::data_source) == "ds/1");
  BOOST_TEST(layout.run_value(TemplateVar::worker).empty());
}
