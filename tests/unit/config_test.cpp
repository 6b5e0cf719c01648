#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/destination/config.hpp"

using namespace s3dest;

namespace {
bool mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(reads_the_design_example) {
  const auto config = parse_config(R"({
    "title": "Marketing lake", "connection_option": "assume_role",
    "access_key_id": "AKIAEXAMPLE", "secret_access_key": "secret",
    "assume_role_arn": "arn:aws:iam::123456789012:role/s3dest-writer", "external_id": "agency42_ws1",
    "role_chain": [{"role_arn": "arn:aws:iam::111111111111:role/broker", "external_id": "x"}],
    "region": "us-east-1", "bucket": "my-bucket",
    "folder": "/{{workspace_id}}/{{data_source}}/{{YYYY}}/{{MM}}/{{DD}}",
    "file_format": "csv+gzip", "file_name": "{{filename}}-{{chunk_id}}", "max_file_size_mb": 0.5,
    "separator": "semicolon", "partition_by": "month", "encryption": "sse-kms-cmk",
    "encryption_key": "arn:aws:kms:us-east-1:123456789012:key/1111", "use_load_by_account": true,
    "date_field": "date", "account_field": "account", "gzip_level": 9, "checksum": "md5",
    "context": {"workspace_id": "ws1", "data_source": "ds1", "filename": "f"}})",
                                   "c.json");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  BOOST_CHECK(config->connection_option == ConnectionOption::assume_role);
  BOOST_CHECK(config->file_format == FileFormat::csv_gzip);
  BOOST_CHECK_EQUAL(config->separator, ';');
  BOOST_CHECK(config->partition_by == PartitionBy::month);
  BOOST_CHECK_EQUAL(config->max_file_bytes(), 524288u);
  BOOST_CHECK_EQUAL(config->role_chain.size(), 1u);
  BOOST_CHECK_EQUAL(config->role_chain[0].external_id, "x");
  BOOST_CHECK_EQUAL(config->context.at("data_source"), "ds1");
  BOOST_CHECK_EQUAL(config->gzip_level, 9);
  BOOST_CHECK(config->checksum == ChecksumAlgorithm::md5);
}

BOOST_AUTO_TEST_CASE(defaults_when_keys_are_left_out) {
  const auto config = parse_config(R"({"file_name": "x-{{chunk_id}}"})", "c.json");
  BOOST_REQUIRE(config.ok());
  BOOST_CHECK(config->encryption == Encryption::sse_s3);
  BOOST_CHECK(config->partition_by == PartitionBy::day);
  BOOST_CHECK_EQUAL(config->separator, ',');
  BOOST_CHECK(config->checksum == ChecksumAlgorithm::crc32c);
  BOOST_CHECK_EQUAL(config->max_file_bytes(), UINT64_MAX);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_the_nearest_known_key) {
  const auto config = parse_config(R"({"file_name": "x", "max_file_size": 10})", "c.json");
  BOOST_REQUIRE(!config.ok());
  BOOST_CHECK_EQUAL(config.status().exit_code(), 2);
  BOOST_CHECK_EQUAL(config.status().message(),
                    "c.json: \"max_file_size\": unknown key: did you mean \"max_file_size_mb\"?");
}

BOOST_AUTO_TEST_CASE(wrong_values_say_what_is_allowed) {
  struct Case {
    const char* json;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"file_name": "x", "file_format": "xml"})", "\"xml\" is not one of csv, csv+gzip, csv+zstd, json, json+gzip, json+zstd, parquet or avro"},
      {R"({"file_name": "x", "separator": "pipe"})", "\"pipe\" is not one of comma, semicolon or tab"},
      {R"({"file_name": "x", "partition_by": "week"})", "is not one of day or month"},
      {R"({"file_name": "x", "gzip_level": 12})", "\"gzip_level\": must be a whole number from 1 to 9"},
      {R"({"file_name": "x", "max_file_size_mb": -1})", "\"max_file_size_mb\": must be a number from"},
      {R"({"file_name": "x", "use_load_by_account": "yes"})", "must be true or false"},
      {R"({"file_name": "x", "context": {"a": 1}})", "\"context.a\": must be a string"},
      {R"({"file_name": "x", "encryption": "sse-kms-cmk"})", "\"encryption_key\": is missing"},
      {R"({"file_name": "x", "connection_option": "assume_role"})", "\"assume_role_arn\": is missing"},
      {R"({"file_name": "x", "use_load_by_account": true})", "\"account_field\": is missing"},
      {R"({"file_name": "x", "access_key_id": "AKIA"})", "access keys come in pairs"},
      {R"({"folder": "/a"})", "\"file_name\": is missing"},
      {R"([1, 2])", "must be a JSON object"},
      {R"({"file_name": )", "not valid JSON"},
  };
  for (const Case& c : cases) {
    const auto config = parse_config(c.json, "c.json");
    BOOST_TEST_CONTEXT(c.json) {
      BOOST_REQUIRE(!config.ok());
      BOOST_CHECK_EQUAL(config.status().exit_code(), 2);
      BOOST_CHECK_MESSAGE(mentions(config.status(), c.expected), config.status().message());
    }
  }
}

BOOST_AUTO_TEST_CASE(secrets_never_appear_in_messages) {
  const auto config = parse_config(R"({"file_name": "x", "secret_access_key": "s3cr3tVALUE"})", "c.json");
  BOOST_REQUIRE(!config.ok());
  BOOST_CHECK(!mentions(config.status(), "s3cr3tVALUE"));
}

BOOST_AUTO_TEST_CASE(a_key_given_twice_is_refused_with_both_lines) {
  const auto twice = parse_config("{\"file_name\": \"f\",\n \"encryption\": \"sse-kms\",\n \"folder\": \"x\",\n"
                                  " \"encryption\": \"none\"}",
                                  "c.json");
  BOOST_REQUIRE(!twice.ok());
  BOOST_TEST(twice.status().exit_code() == 2);
  BOOST_TEST(twice.status().message() ==
             "c.json: \"encryption\" is given twice (lines 2 and 4): keep one of them (which one counts would "
             "depend on the reader)");
  const auto in_context = parse_config(
      "{\"file_name\": \"f\", \"context\": {\"filename\": \"a\",\n \"filename\": \"b\"}, \"filename\": 1}", "c.json");
  BOOST_REQUIRE(!in_context.ok());
  BOOST_TEST(mentions(in_context.status(), "\"filename\" is given twice (lines 1 and 2)"));
  const auto in_hop = parse_config(R"({"file_name": "f", "role_chain": [{"role_arn": "a", "role_arn": "b"}]})", "c.json");
  BOOST_REQUIRE(!in_hop.ok());
  BOOST_TEST(mentions(in_hop.status(), "\"role_arn\" is given twice"));
}

BOOST_AUTO_TEST_CASE(a_nul_in_any_text_is_refused) {
  const auto nul = parse_config(R"({"file_name": "f\u0000-{{chunk_id}}"})", "c.json");
  BOOST_REQUIRE(!nul.ok());
  BOOST_TEST(nul.status().exit_code() == 2);
  BOOST_TEST(mentions(nul.status(), "\"file_name\": holds a NUL character"));
  const auto raw = parse_config(std::string("{\"file_name\":\n \"f\0\"}", 19), "c.json");
  BOOST_REQUIRE(!raw.ok());
  BOOST_TEST(mentions(raw.status(), "c.json, line 2: a NUL byte"));
}

BOOST_AUTO_TEST_CASE(plain_http_endpoints_to_another_machine_need_allow_http_and_then_warn) {
  const auto local = parse_config(R"({"file_name": "f", "endpoint": "http://127.0.0.1:7480",
                                      "sts_endpoint": "http://localhost:7480"})", "c.json");
  BOOST_REQUIRE(local.ok());
  BOOST_TEST(!plain_http_warning(*local)->has_value());
  const auto tls = parse_config(R"({"file_name": "f", "endpoint": "https://minio.example.com"})", "c.json");
  BOOST_TEST(!plain_http_warning(*tls)->has_value());
  for (const char* remote : {"http://10.1.2.3:9000", "http://127.attacker.invalid:9000", "http://[::ffff:10.0.0.1]"}) {
    const auto config = parse_config(std::string(R"({"file_name": "f", "sts_endpoint": ")") + remote + "\"}", "c.json");
    BOOST_REQUIRE(config.ok());
    const auto refused = plain_http_warning(*config);
    BOOST_REQUIRE(!refused.ok());
    BOOST_TEST(refused.status().exit_code() == 2);
    BOOST_TEST(mentions(refused.status(), "\"sts_endpoint\" " + std::string(remote) + " is plain http to another machine"));
    BOOST_TEST(mentions(refused.status(), "\"allow_http\": true"));
  }
  const auto allowed = parse_config(R"({"file_name": "f", "endpoint": "http://10.1.2.3:9000", "allow_http": true})",
                                    "c.json");
  BOOST_REQUIRE(allowed.ok());
  const auto warned = plain_http_warning(*allowed);
  BOOST_REQUIRE(warned.ok() && warned->has_value());
  BOOST_TEST(**warned == "allow_http: credentials, session tokens and data go unencrypted over plain http to 10.1.2.3:9000");
}

BOOST_AUTO_TEST_CASE(a_config_file_too_big_to_be_one_is_refused_before_it_is_read) {
  // A data file given by mistake, or /dev/zero: refused without being read whole.
  const std::string path = "/tmp/s3dest-config-test-" + std::to_string(::getpid()) + ".json";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    BOOST_REQUIRE(f);
    const std::string chunk(1 << 16, ' ');
    for (int i = 0; i < 17; ++i) std::fwrite(chunk.data(), 1, chunk.size(), f);
    std::fclose(f);
  }
  const auto big = load_config_file(path);
  std::remove(path.c_str());
  BOOST_REQUIRE(!big.ok());
  BOOST_TEST(big.status().exit_code() == 2);
  BOOST_TEST(big.status().message().find("is 1114112 bytes, more than a config file may be") != std::string::npos);
  const auto endless = load_config_file("/dev/zero");
  BOOST_REQUIRE(!endless.ok());
  BOOST_TEST(endless.status().message().find("more than a config file may be") != std::string::npos);
  const auto missing = load_config_file("/nonexistent/config.json");
  BOOST_TEST(missing.status().message() == "cannot open config file '/nonexistent/config.json': No such file or "
                                           "directory; check the path given to --config");
}

BOOST_AUTO_TEST_CASE(codecs_and_how_the_date_field_is_spelled) {
  const auto config = parse_config(R"({"file_name": "x", "parquet_compression": "gzip", "avro_codec": "null",
                                       "date_field": "ts", "date_format": "%m/%d/%Y", "idle_timeout_seconds": 5})",
                                   "c.json");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  BOOST_TEST((config->parquet_compression == ParquetOptions::Compression::gzip));
  BOOST_TEST((config->avro_codec == AvroOptions::Codec::null));
  BOOST_TEST(config->date_format == "%m/%d/%Y");
  BOOST_TEST(config->idle_timeout_seconds == 5);
  const auto epochs = parse_config(R"({"file_name": "x", "date_field": "ts", "date_field_unit": "ms"})", "c.json");
  BOOST_REQUIRE(epochs.ok());
  BOOST_TEST((epochs->date_field_unit == EpochUnit::ms));
  for (const auto& [json, words] : std::vector<std::pair<std::string, std::string>>{
           {R"({"file_name": "x", "parquet_compression": "lzo"})", "\"lzo\" is not one of snappy, gzip, zstd or none"},
           {R"({"file_name": "x", "avro_codec": "snappy"})", "\"snappy\" is not one of deflate, zstandard or null"},
           {R"({"file_name": "x", "date_field": "ts", "date_format": "%d.%m"})", "has no %Y"},
           {R"({"file_name": "x", "date_field": "ts", "date_field_unit": "h"})", "\"h\" is not one of s, ms, us or ns"},
           {R"({"file_name": "x", "date_format": "%Y"})", "set \"date_field\" too"},
           {R"({"file_name": "x", "date_field": "t", "date_format": "%Y", "date_field_unit": "s"})", "keep one"},
           {R"({"file_name": "x", "idle_timeout_seconds": 0})", "must be a whole number from 1 to 3600"}}) {
    const auto refused = parse_config(json, "c.json");
    BOOST_REQUIRE_MESSAGE(!refused.ok(), json);
    BOOST_TEST(refused.status().exit_code() == 2);
    BOOST_TEST(mentions(refused.status(), words), refused.status().message());
  }
}

BOOST_AUTO_TEST_CASE(the_tuning_keys_reach_the_format) {
  const auto config = parse_config(R"({"file_name": "x", "file_format": "parquet", "separator": "tab",
                                       "gzip_level": 3, "parquet_compression": "gzip", "avro_codec": "null",
                                       "use_binary_strings": true, "memory_limit_mb": 64})",
                                   "c.json");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  const FormatSettings settings = format_settings(*config);
  BOOST_TEST(settings.separator == '\t');
  BOOST_TEST(settings.gzip_level == 3);
  BOOST_TEST((settings.parquet_compression == ParquetOptions::Compression::gzip));
  BOOST_TEST((settings.avro_codec == AvroOptions::Codec::null));
  BOOST_TEST(settings.binary_strings);
  BOOST_TEST(settings.held_data_bytes == uint64_t{8} << 20);  // an eighth of the memory limit
  BOOST_TEST(file_format_extension(config->file_format) == ".parquet");
}

BOOST_AUTO_TEST_CASE(the_zstd_names_reach_the_format_or_say_how_to_build_with_libzstd) {
  const std::vector<std::pair<std::string, int>> zstd_configs = {
      {R"({"file_name": "x", "file_format": "csv+zstd", "zstd_level": 19, "memory_limit_mb": 1024,
           "content_encoding": "zstd"})", 19},
      {R"({"file_name": "x", "file_format": "json+zstd"})", 3},
      {R"({"file_name": "x", "file_format": "parquet", "parquet_compression": "zstd", "zstd_level": 1})", 1},
      {R"({"file_name": "x", "file_format": "avro", "avro_codec": "zstandard"})", 3}};
  for (const auto& [json, level] : zstd_configs) {
    BOOST_TEST_CONTEXT(json) {
      const auto config = parse_config(json, "c.json");
      if (kZstdAvailable) {
        BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
        const FormatSettings settings = format_settings(*config);
        BOOST_TEST(settings.zstd_level == level);
        Schema schema;
        schema.columns = {{"a", {TypeId::string}, true}};
        const auto format = make_row_format(config->file_format, schema, settings);
        BOOST_REQUIRE_MESSAGE(format.ok(), format.status().message());
        // Each zstd context (1.4 MiB at level 1, 3.6 at 3) counts against the memory budget,
        // beyond the 1 MiB a plain file costs: one per open file (text, avro) or one per
        // thread that writes pages (parquet).
        BOOST_TEST((*format)->open_file_memory() + (*format)->shared_memory() > uint64_t{3} << 19);
      } else {
        BOOST_REQUIRE(!config.ok());
        BOOST_TEST(config.status().exit_code() == 2);
        BOOST_TEST(mentions(config.status(), "install libzstd-dev"), config.status().message());
      }
    }
  }
  if (kZstdAvailable) {
    const auto csv = parse_config(R"({"file_name": "x", "file_format": "csv+zstd"})", "c.json");
    BOOST_REQUIRE(csv.ok());
    BOOST_TEST(file_format_extension(csv->file_format) == ".csv.zst");
    // Every open file holds a level's context: level 19's (about 95 MiB) needs more than the
    // eighth of the default memory_limit_mb 512 that one open file may take.
    const auto greedy = parse_config(R"({"file_name": "x", "file_format": "csv+zstd", "zstd_level": 19})", "c.json");
    BOOST_REQUIRE(!greedy.ok());
    BOOST_TEST(greedy.status().exit_code() == 2);
    BOOST_TEST(mentions(greedy.status(), "c.json: \"zstd_level\": 19 holds "), greedy.status().message());
    BOOST_TEST(mentions(greedy.status(), "per open file, more than memory_limit_mb 512 gives one (an eighth, 64 MiB): "
                                         "raise memory_limit_mb to "), greedy.status().message());
    BOOST_TEST(mentions(greedy.status(), "or use zstd_level "), greedy.status().message());
    const auto encoded = parse_config(R"({"file_name": "x", "file_format": "csv+zstd", "content_encoding": "gzip"})", "c.json");
    BOOST_REQUIRE(!encoded.ok());
    BOOST_TEST(mentions(encoded.status(), "\"csv+zstd\" files are zstd files: use \"zstd\" or leave the key out"),
               encoded.status().message());
  }
  // Without a zstd format the key is allowed (a config shared by loads), and checked.
  for (const char* level : {"0", "20", "2.5"}) {
    const auto refused = parse_config(std::string(R"({"file_name": "x", "zstd_level": )") + level + "}", "c.json");
    BOOST_REQUIRE(!refused.ok());
    BOOST_TEST(refused.status().exit_code() == 2);
    BOOST_TEST(mentions(refused.status(), "\"zstd_level\": must be a whole number from 1 to 19"), refused.status().message());
  }
}

BOOST_AUTO_TEST_CASE(every_key_is_read_and_an_unknown_one_names_the_nearest) {
  // Each key of the config, given a value of the wrong kind, is refused under its own name.
  for (const char* key : {"title", "bucket", "path_style", "gzip_level", "part_size_mb", "file_format", "role_chain",
                          "context", "date_field_unit", "allow_http", "storage_class", "canned_acl", "tags", "metadata",
                          "content_type", "content_encoding"}) {
    const auto refused = parse_config(std::string(R"({"file_name": "x", ")") + key + R"(": [[]]})", "c.json");
    BOOST_REQUIRE(!refused.ok());
    BOOST_TEST(refused.status().exit_code() == 2);
    BOOST_TEST(mentions(refused.status(), std::string("c.json: \"") + key + "\": "), refused.status().message());
  }
  const auto typo = parse_config(R"({"file_name": "x", "avro_codecs": "null"})", "c.json");
  BOOST_TEST(typo.status().message() == "c.json: \"avro_codecs\": unknown key: did you mean \"avro_codec\"?");
}

BOOST_AUTO_TEST_CASE(object_options_are_read_in_the_files_order) {
  const auto config = parse_config(R"({"folder": "{{data_source}}/{{YYYY}}/{{MM}}/{{DD}}", "file_name": "f",
    "file_format": "csv+gzip", "storage_class": "STANDARD_IA", "canned_acl": "bucket-owner-full-control",
    "tags": {"dataset": "{{data_source}}", "day": "{{YYYY}}-{{MM}}-{{DD}}", "Owner Name": "a+b=c.d_e:f/g@h"},
    "metadata": {"Team": "data", "loaded-by": "s3dest {{run_id}}"},
    "content_type": "text/csv; charset=utf-8", "content_encoding": "gzip"})",
                                   "c.json");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  BOOST_TEST(config->storage_class == "STANDARD_IA");
  BOOST_TEST(config->canned_acl == "bucket-owner-full-control");
  BOOST_REQUIRE(config->tags.size() == 3u);
  BOOST_TEST(config->tags[0].first == "dataset");
  BOOST_TEST(config->tags[1].second == "{{YYYY}}-{{MM}}-{{DD}}");
  BOOST_TEST(config->tags[2].first == "Owner Name");
  BOOST_REQUIRE(config->metadata.size() == 2u);
  BOOST_TEST(config->metadata[0].first == "Team");  // lower-cased when sent
  BOOST_TEST(config->content_type == "text/csv; charset=utf-8");
  BOOST_TEST(config->content_encoding == "gzip");
}

BOOST_AUTO_TEST_CASE(object_options_default_to_sending_nothing) {
  const auto config = parse_config(R"({"file_name": "f", "canned_acl": "none", "storage_class": ""})", "c.json");
  BOOST_REQUIRE(config.ok());
  BOOST_TEST(config->canned_acl.empty());
  BOOST_TEST(config->storage_class.empty());
  BOOST_TEST(config->tags.empty());
  BOOST_TEST(config->content_encoding.empty());
  // S3-compatible servers name classes of their own.
  BOOST_TEST(parse_config(R"({"file_name": "f", "storage_class": "COLD_2"})", "c.json").ok());
}

BOOST_AUTO_TEST_CASE(wrong_object_options_say_what_to_fix) {
  struct Case {
    std::string json;
    const char* expected;
  };
  const std::string eleven_tags = [] {
    std::string tags;
    for (int i = 0; i < 11; ++i) tags += (i ? ", \"t" : "\"t") + std::to_string(i) + "\": \"v\"";
    return R"({"file_name": "f", "tags": {)" + tags + "}}";
  }();
  // Five tags of 256 "é" each: 1,536 bytes a value once URI-encoded, past the headers' budget.
  const std::string encoded_tags_too_long = [] {
    std::string letters;
    for (int i = 0; i < 256; ++i) letters += "\u00e9";
    std::string tags;
    for (int i = 0; i < 5; ++i) tags += (i ? ", \"t" : "\"t") + std::to_string(i) + "\": \"" + letters + "\"";
    return R"({"file_name": "f", "tags": {)" + tags + "}}";
  }();
  const std::string long_metadata = R"({"file_name": "f", "metadata": {"a": ")" + std::string(2020, 'x') + "\"}}";
  const Case cases[] = {
      {R"({"file_name": "f", "storage_class": "standard_ia"})",
       "\"storage_class\": \"standard_ia\" is not a storage class: use one of STANDARD, STANDARD_IA, ONEZONE_IA, "
       "INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE or REDUCED_REDUNDANCY (or another upper-case name"},
      {R"({"file_name": "f", "canned_acl": "owner-full"})",
       "\"canned_acl\": \"owner-full\" is not one of none, private, public-read, public-read-write, "
       "authenticated-read, aws-exec-read, bucket-owner-read or bucket-owner-full-control"},
      {R"({"file_name": "f", "tags": ["a"]})", "\"tags\": must be an object of names to values"},
      {R"({"file_name": "f", "tags": {"a": 1}})", "\"tags.a\": must be a string"},
      {eleven_tags, "\"tags\": S3 takes at most 10 tags per object, not 11"},
      {R"({"file_name": "f", "tags": {"aws:owner": "x"}})", "\"tags.aws:owner\": names that begin with \"aws:\""},
      {R"({"file_name": "f", "tags": {"AWS:owner": "x"}})", "names that begin with \"aws:\""},
      {R"({"file_name": "f", "tags": {"": "x"}})", "a tag's name has 1 to 128 characters"},
      {R"({"file_name": "f", "tags": {")" + std::string(129, 'k') + R"(": "x"}})", "1 to 128 characters"},
      {R"({"file_name": "f", "tags": {"a#b": "x"}})", "a tag's name may hold letters, digits, spaces and + - = . _ : / @"},
      {R"({"file_name": "f", "tags": {"a": "x;y"}})", "\"tags.a\": a tag's value may hold letters"},
      {R"({"file_name": "f", "tags": {"a": ")" + std::string(257, 'v') + R"("}})", "at most 256 characters"},
      {R"({"file_name": "f", "tags": {"a": "{{data_sorce}}"}})",
       "c.json: tags.a, column 1: unknown template variable \"data_sorce\" (did you mean data_source?)"},
      {R"({"file_name": "f", "tags": {"a": "x", "a": "y"}})", "\"a\" is given twice"},
      {R"({"file_name": "f", "tags": {"day": "{{DD}}"}})",
       "c.json: {{DD}} in tags.day is the date of the rows' partition, but the layout does not split rows by date"},
      {R"({"folder": "{{YYYY}}/{{MM}}", "partition_by": "month", "file_name": "f", "metadata": {"d": "{{DD}}"}})",
       "c.json: {{DD}} in metadata.d has no value with \"partition_by\": \"month\""},
      {R"({"file_name": "f", "tags": {"who": "{{account}}"}})", "c.json: {{account}} in tags.who needs \"use_load_by_account\""},
      {R"({"file_name": "f", "metadata": {"a b": "x"}})", "\"metadata.a b\": a metadata name is sent as the header"},
      {R"({"file_name": "f", "metadata": {"S3dest-Run": "x"}})", "s3dest puts the run's id under this name itself"},
      {R"({"file_name": "f", "metadata": {"Team": "a", "team": "b"}})", "names differ only in case"},
      {R"({"file_name": "f", "metadata": {"a": "caf\u00e9"}})", "printable ASCII only"},
      {R"({"file_name": "f", "metadata": {"a": "x\ty"}})", "printable ASCII only"},
      {long_metadata, "\"metadata\": S3 takes at most 2048 bytes of metadata names and values"},
      {encoded_tags_too_long,
       "c.json: \"tags\" and \"metadata\" take 7802 bytes of request headers (tags URI-encoded, each byte beyond "
       "ASCII as 3; s3dest's own metadata included), past the 6144 s3dest allows them within S3's 8 KB: shorten the "
       "tags or the metadata"},
      {R"({"file_name": "f", "content_type": "text/csv\r\nX-Evil: 1"})", "\"content_type\": is sent as a header"},
      {R"({"file_name": "f", "content_encoding": "gzip"})", "\"csv\" files are not compressed for HTTP"},
      {R"({"file_name": "f", "file_format": "json+gzip", "content_encoding": "br"})",
       "\"json+gzip\" files are gzip files: use \"gzip\" or leave the key out"},
  };
  for (const Case& c : cases) {
    const auto config = parse_config(c.json, "c.json");
    BOOST_TEST_CONTEXT(c.json.substr(0, 200)) {
      BOOST_REQUIRE(!config.ok());
      BOOST_TEST(config.status().exit_code() == 2);
      BOOST_TEST(mentions(config.status(), c.expected), config.status().message());
    }
  }
}
