#define BOOST_TEST_MODULE sigv4
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "s3dest/aws/sigv4.hpp"
#include "s3dest/aws/streaming_payload.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/crypto/hmac.hpp"

namespace fs = std::filesystem;
using namespace s3dest;
using namespace s3dest::aws;

namespace {

// tests/data/: ctest says where (S3DEST_TEST_DATA_DIR); run by hand, it is found next to
// this source file.
fs::path test_data_dir() {
  if (const char* dir = std::getenv("S3DEST_TEST_DATA_DIR")) return dir;
  return fs::path(__FILE__).parent_path().parent_path() / "data";
}

// The official vectors (aws-c-auth's copy, see its README).
const fs::path kSuite = test_data_dir() / "aws-sigv4-test-suite" / "v4";
// The number of case folders in the suite as copied; a case lost or added shows here.
constexpr size_t kSuiteCases = 38;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A request as the suite writes it: "METHOD target HTTP/1.1", header lines ("Name:value",
// a line starting with a space continues the previous value), a blank line and the body.
struct SuiteRequest {
  std::string method, target;
  std::vector<http::HttpHeader> headers;
  std::string body;
};

SuiteRequest parse_suite_request(const std::string& text) {
  SuiteRequest r;
  size_t pos = text.find('\n');
  const std::string line = text.substr(0, pos);
  const size_t first = line.find(' '), last = line.rfind(' ');
  BOOST_REQUIRE(first != std::string::npos && last > first);
  r.method = line.substr(0, first);
  r.target = line.substr(first + 1, last - first - 1);  // may hold spaces: "/example space/"
  while (pos != std::string::npos && pos + 1 <= text.size()) {
    const size_t start = pos + 1;
    pos = text.find('\n', start);
    const std::string h = text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (h.empty()) {
      if (pos != std::string::npos) r.body = text.substr(pos + 1);
      break;
    }
    if (h.front() == ' ' || h.front() == '\t') {
      BOOST_REQUIRE(!r.headers.empty());
      r.headers.back().value += " " + h;  // obs-fold: the signer folds the spaces
      continue;
    }
    const size_t colon = h.find(':');
    BOOST_REQUIRE(colon != std::string::npos);
    r.headers.push_back({h.substr(0, colon), h.substr(colon + 1)});
  }
  return r;
}

std::pair<std::string, std::string> split_target(const std::string& target) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return {target, ""};
  return {target.substr(0, q), target.substr(q + 1)};
}

// Query parameters decoded, sorted: two spellings of one query compare equal.
std::vector<std::string> decoded_query(const std::string& query) {
  std::vector<std::string> out;
  for (const auto& p : parse_query(query)) out.push_back(percent_decode(p.name) + "=" + percent_decode(p.value));
  std::sort(out.begin(), out.end());
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The headers the signed request has beyond the original ones, as "name:value".
std::vector<std::string> added_headers(const std::vector<http::HttpHeader>& original, std::vector<http::HttpHeader> signed_headers) {
  for (const auto& h : original) {
    auto it = std::find_if(signed_headers.begin(), signed_headers.end(),
                           [&](const http::HttpHeader& s) { return s.name == h.name && s.value == h.value; });
    BOOST_REQUIRE_MESSAGE(it != signed_headers.end(), "the signed request lost header " << h.name);
    signed_headers.erase(it);
  }
  std::vector<std::string> out;
  for (const auto& h : signed_headers) out.push_back(lower(h.name) + ":" + h.value);
  std::sort(out.begin(), out.end());
  return out;
}

struct SuiteContext {
  Credentials credentials;
  SigningConfig config;
  int64_t expires = 0;
  bool sign_body = false;
};

SuiteContext parse_context(const fs::path& file) {
  simdjson::dom::parser parser;
  const simdjson::padded_string json(read_file(file));
  simdjson::dom::element root = parser.parse(json).value();
  SuiteContext c;
  auto credentials = root["credentials"];
  c.credentials.access_key_id = std::string(credentials["access_key_id"].get_string().value());
  c.credentials.secret_access_key = std::string(credentials["secret_access_key"].get_string().value());
  std::string_view token;
  if (credentials["token"].get_string().get(token) == simdjson::SUCCESS) c.credentials.session_token = token;
  c.config.region = std::string(root["region"].get_string().value());
  c.config.service = std::string(root["service"].get_string().value());
  const auto time = parse_timestamp(root["timestamp"].get_string().value());
  BOOST_REQUIRE(time);
  c.config.time = *time / kMicrosPerSecond;
  c.config.path_rule = root["normalize"].get_bool().value() ? PathRule::generic : PathRule::s3;
  c.sign_body = root["sign_body"].get_bool().value();
  bool omit_token = false;
  if (root["omit_session_token"].get_bool().get(omit_token) == simdjson::SUCCESS)
    c.config.sign_session_token = !omit_token;
  c.expires = root["expiration_in_seconds"].get_int64().value();
  return c;
}

const Credentials kDocsCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

SignableRequest get_request(std::string path, std::string query = "") {
  SignableRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// The official suite: every case, Authorization header and presigned forms.

BOOST_AUTO_TEST_CASE(official_suite_every_case_in_both_forms) {
  BOOST_REQUIRE_MESSAGE(fs::is_directory(kSuite), kSuite << " is missing");
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(kSuite))
    if (entry.is_directory()) cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  BOOST_TEST(cases.size() == kSuiteCases);

  size_t header_checked = 0, query_checked = 0, normalized = 0, unnormalized = 0;
  for (const fs::path& dir : cases) {
    BOOST_TEST_CONTEXT("case " << dir.filename().string()) {
      const SuiteContext context = parse_context(dir / "context.json");
      const SuiteRequest raw = parse_suite_request(read_file(dir / "request.txt"));
      SignableRequest request;
      request.method = raw.method;
      std::tie(request.path, request.query) = split_target(raw.target);
      request.headers = raw.headers;
      SigningConfig config = context.config;
      config.payload_hash = payload_sha256(raw.body);
      (config.path_rule == PathRule::generic ? normalized : unnormalized) += 1;

      // Authorization header.
      SigningConfig header_config = config;
      header_config.add_content_sha256_header = context.sign_body;
      const auto header = sign_request(request, context.credentials, header_config);
      BOOST_REQUIRE_MESSAGE(header.ok(), header.status().message());
      BOOST_TEST(header->canonical_request == read_file(dir / "header-canonical-request.txt"));
      BOOST_TEST(header->string_to_sign == read_file(dir / "header-string-to-sign.txt"));
      BOOST_TEST(header->signature == read_file(dir / "header-signature.txt"));
      const SuiteRequest expected_header = parse_suite_request(read_file(dir / "header-signed-request.txt"));
      BOOST_TEST(expected_header.target == raw.target);
      std::vector<std::string> mine;
      for (const auto& h : header->headers) mine.push_back(lower(h.name) + ":" + h.value);
      std::sort(mine.begin(), mine.end());
      BOOST_TEST(mine == added_headers(raw.headers, expected_header.headers), boost::test_tools::per_element());
      const SignableRequest expected_signed{raw.method, "/", "", expected_header.headers};
      BOOST_TEST(header->authorization == *expected_signed.find_header("authorization"));
      ++header_checked;

      // Presigned URL.
      const auto query = presign_request(request, context.credentials, config, context.expires);
      BOOST_REQUIRE_MESSAGE(query.ok(), query.status().message());
      BOOST_TEST(query->canonical_request == read_file(dir / "query-canonical-request.txt"));
      BOOST_TEST(query->string_to_sign == read_file(dir / "query-string-to-sign.txt"));
      BOOST_TEST(query->signature == read_file(dir / "query-signature.txt"));
      const SuiteRequest expected_query = parse_suite_request(read_file(dir / "query-signed-request.txt"));
      const auto [expected_path, expected_params] = split_target(expected_query.target);
      BOOST_TEST(percent_decode(query->path) == expected_path);
      BOOST_TEST(decoded_query(query->query) == decoded_query(expected_params), boost::test_tools::per_element());
      BOOST_TEST(query->query.substr(query->query.rfind('&')) == "&X-Amz-Signature=" + query->signature);
      ++query_checked;
    }
  }
  // None skipped: every case checked in both forms, and both path rules exercised.
  BOOST_TEST(header_checked == kSuiteCases);
  BOOST_TEST(query_checked == kSuiteCases);
  BOOST_TEST(normalized == 31u);
  BOOST_TEST(unnormalized == 7u);
}

// ---------------------------------------------------------------------------------------
// The S3 chunked upload example of the AWS documentation ("Signature Calculations for the
// Authorization Header: Transferring Payload in Multiple Chunks", sigv4-streaming):
// 66,560 bytes of 'a' in 64 KiB chunks.

BOOST_AUTO_TEST_CASE(s3_chunked_upload_example_of_the_aws_documentation) {
  SignableRequest request;
  request.method = "PUT";
  request.path = "/examplebucket/chunkObject.txt";
  request.headers = {{"Host", "s3.amazonaws.com"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  const uint64_t size = 65 * 1024, chunk = 64 * 1024;
  BOOST_REQUIRE(prepare_signed_streaming(request, config, size, chunk).ok());
  BOOST_TEST(*request.find_header("content-length") == "66824");
  BOOST_TEST(*request.find_header("x-amz-decoded-content-length") == "66560");
  BOOST_TEST(*request.find_header("content-encoding") == "aws-chunked");

  const auto seed = sign_request(request, kDocsCredentials, config);
  BOOST_REQUIRE(seed.ok());
  BOOST_TEST(seed->signed_headers ==
             "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
             "x-amz-storage-class");
  BOOST_TEST(seed->signature == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  BOOST_TEST(seed->authorization ==
             "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
             "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
             "x-amz-decoded-content-length;x-amz-storage-class, "
             "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");

  auto signer = ChunkSigner::start(kDocsCredentials, config, seed->signature);
  BOOST_REQUIRE(signer.ok());
  const std::string data(size, 'a');
  std::string body;
  signer->append_chunk(body, std::string_view(data).substr(0, chunk));
  BOOST_TEST(signer->previous_signature() == "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
  signer->append_chunk(body, std::string_view(data).substr(chunk));
  BOOST_TEST(signer->previous_signature() == "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
  signer->append_chunk(body, "");
  BOOST_TEST(signer->previous_signature() == "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");

  BOOST_TEST(body.size() == 66824u);
  BOOST_TEST(body.size() == signed_chunked_length(size, chunk));
  BOOST_TEST(body.substr(0, 88) ==
             "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
  BOOST_TEST(body.substr(body.size() - 86) ==
             "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(unsigned_streaming_with_a_checksum_trailer) {
  SignableRequest request = get_request("/bucket/key");
  request.method = "PUT";
  SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  BOOST_REQUIRE(prepare_unsigned_streaming_with_trailer(request, config, 10, 4, "x-amz-checksum-crc32c", 8).ok());
  BOOST_TEST(config.payload_hash == "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  BOOST_TEST(*request.find_header("x-amz-trailer") == "x-amz-checksum-crc32c");
  BOOST_TEST(*request.find_header("content-encoding") == "aws-chunked");
  BOOST_TEST(*request.find_header("x-amz-decoded-content-length") == "10");

  std::string body;
  append_unsigned_chunk(body, "0123");
  append_unsigned_chunk(body, "4567");
  append_unsigned_chunk(body, "89");
  append_final_chunk_with_trailer(body, "x-amz-checksum-crc32c", "AAAAAA==");
  BOOST_TEST(body == "4\r\n0123\r\n4\r\n4567\r\n2\r\n89\r\n0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n");
  BOOST_TEST(*request.find_header("content-length") == std::to_string(body.size()));

  const auto signed_request = sign_request(request, kDocsCredentials, config);
  BOOST_REQUIRE(signed_request.ok());
  BOOST_TEST(signed_request->canonical_request.find("x-amz-content-sha256:STREAMING-UNSIGNED-PAYLOAD-TRAILER\n") !=
             std::string::npos);
  BOOST_TEST(signed_request->canonical_request.find("x-amz-trailer:x-amz-checksum-crc32c\n") != std::string::npos);

  const Status bad = prepare_unsigned_streaming_with_trailer(request, config, 10, 4, "content-md5", 24);
  BOOST_TEST(!bad.ok());
  BOOST_TEST(bad.message().find("x-amz-checksum-") != std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Targeted cases.

BOOST_AUTO_TEST_CASE(presigned_urls_last_at_most_seven_days) {
  const SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  const auto week = presign_request(get_request("/test.txt"), kDocsCredentials, config, 604800);
  BOOST_REQUIRE(week.ok());
  BOOST_TEST(week->query.find("X-Amz-Expires=604800") != std::string::npos);
  for (const int64_t seconds : {604801LL, 0LL, -1LL}) {
    const auto refused = presign_request(get_request("/test.txt"), kDocsCredentials, config, seconds);
    BOOST_REQUIRE(!refused.ok());
    BOOST_TEST(refused.status().exit_code() == 2);
    BOOST_TEST(refused.status().message().find("604800 seconds (7 days)") != std::string::npos);
  }
}

// The presigned GET example of the S3 documentation ("Authenticating Requests: Using
// Query Parameters").
BOOST_AUTO_TEST_CASE(s3_presigned_get_example_of_the_aws_documentation) {
  SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  const auto url = presign_request(get_request("/test.txt"), kDocsCredentials, config, 86400);
  BOOST_REQUIRE(url.ok());
  BOOST_TEST(url->signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  BOOST_TEST(url->target() ==
             "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%"
             "2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-"
             "Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// The GET Object example of the S3 documentation ("Authenticating Requests: Using the
// Authorization Header").
BOOST_AUTO_TEST_CASE(s3_get_object_example_of_the_aws_documentation) {
  SignableRequest request = get_request("/test.txt");
  request.headers.push_back({"Range", "bytes=0-9"});
  SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  config.payload_hash = payload_sha256("");
  const auto signed_request = sign_request(request, kDocsCredentials, config);
  BOOST_REQUIRE(signed_request.ok());
  BOOST_TEST(signed_request->signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

BOOST_AUTO_TEST_CASE(query_canonicalisation) {
  // Empty values as "key=", with or without '='; sorted by key, then value; byte order
  // puts upper case first.
  BOOST_TEST(canonical_query(parse_query("b=&acl&c=1")) == "acl=&b=&c=1");
  BOOST_TEST(canonical_query(parse_query("a=2&a=1&B=x")) == "B=x&a=1&a=2");
  BOOST_TEST(canonical_query(parse_query("&&a=1&")) == "a=1");
  // One encoding whatever the spelling: decoded, then encoded strictly.
  BOOST_TEST(canonical_query(parse_query("k=a b&j=a%20b&i=%2f&h=a+b&g=~-._")) ==
             "g=~-._&h=a%2Bb&i=%2F&j=a%20b&k=a%20b");
  BOOST_TEST(canonical_query(parse_query("prefix=a/b&x=%")) == "prefix=a%2Fb&x=%25");
}

BOOST_AUTO_TEST_CASE(header_canonicalisation) {
  const auto headers = canonical_headers({{"X-Multi", "a"},
                                          {"Host", "example.com"},
                                          {"x-multi", "  b   c  "},
                                          {"My-Header", "\t\"x   y\"\t"},
                                          {"User-Agent", "left out"},
                                          {"Empty", ""}});
  BOOST_REQUIRE(headers.ok());
  BOOST_TEST(headers->block == "empty:\nhost:example.com\nmy-header:\"x y\"\nx-multi:a,b c\n");
  BOOST_TEST(headers->signed_headers == "empty;host;my-header;x-multi");

  const auto bad_name = canonical_headers({{"Bad Name", "v"}});
  BOOST_TEST(!bad_name.ok());
  const auto injected = canonical_headers({{"X-Evil", "a\r\nHost: other"}});
  BOOST_REQUIRE(!injected.ok());
  BOOST_TEST(injected.status().message().find("X-Evil") != std::string::npos);
  BOOST_TEST(injected.status().message().find("Host: other") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(s3_signs_the_path_as_given_and_others_normalise_and_encode_twice) {
  // S3: %XX kept (an encoded '/' stays one key character), the rest encoded once, dots
  // and double slashes are part of the key.
  BOOST_TEST(canonical_path("/bucket/a%2Fb/c d", PathRule::s3) == "/bucket/a%2Fb/c%20d");
  BOOST_TEST(canonical_path("/bucket/./a/../b//c", PathRule::s3) == "/bucket/./a/../b//c");
  BOOST_TEST(canonical_path("/b/\xE1\x88\xB4+=", PathRule::s3) == "/b/%E1%88%B4%2B%3D");
  BOOST_TEST(canonical_path("/b/100%", PathRule::s3) == "/b/100%25");
  // Generic: normalised, and "%2F" encoded again.
  BOOST_TEST(canonical_path("/bucket/a%2Fb/c d", PathRule::generic) == "/bucket/a%252Fb/c%20d");
  BOOST_TEST(canonical_path("/bucket/./a/../b//c/", PathRule::generic) == "/bucket/b/c/");
  BOOST_TEST(canonical_path("/a/..", PathRule::generic) == "/");
  BOOST_TEST(canonical_path("/../..", PathRule::generic) == "/");

  // The signature covers the key as given, and the URL carries it unchanged.
  const SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  const auto url = presign_request(get_request("/bucket/a%2Fb"), kDocsCredentials, config, 60);
  BOOST_REQUIRE(url.ok());
  BOOST_TEST(url->path == "/bucket/a%2Fb");
  BOOST_TEST(url->canonical_request.substr(0, 18) == "GET\n/bucket/a%2Fb\n");
}

BOOST_AUTO_TEST_CASE(session_tokens_in_both_forms) {
  Credentials credentials = kDocsCredentials;
  credentials.session_token = "token/with+chars=";
  const SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));

  const auto header = sign_request(get_request("/k"), credentials, config);
  BOOST_REQUIRE(header.ok());
  BOOST_TEST(header->signed_headers == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  BOOST_TEST(header->headers.size() == 4u);
  BOOST_TEST(header->headers[0].name == "X-Amz-Date");
  BOOST_TEST(header->headers[1].name == "X-Amz-Security-Token");
  BOOST_TEST(header->headers[1].value == credentials.session_token);
  BOOST_TEST(header->headers[2].name == "x-amz-content-sha256");
  BOOST_TEST(header->headers[2].value == "UNSIGNED-PAYLOAD");
  BOOST_TEST(header->headers[3].name == "Authorization");

  const auto url = presign_request(get_request("/k"), credentials, config, 60);
  BOOST_REQUIRE(url.ok());
  BOOST_TEST(url->query.find("&X-Amz-Security-Token=token%2Fwith%2Bchars%3D&") != std::string::npos);
  BOOST_TEST(url->canonical_request.find("X-Amz-Security-Token=token%2Fwith%2Bchars%3D") != std::string::npos);
  // Presigned URLs carry no x-amz-content-sha256: S3 reads them as UNSIGNED-PAYLOAD.
  BOOST_TEST(url->signed_headers == "host");
  BOOST_TEST(url->canonical_request.substr(url->canonical_request.size() - 17) == "\nUNSIGNED-PAYLOAD");
}

BOOST_AUTO_TEST_CASE(requests_that_cannot_be_signed_are_refused_without_showing_secrets) {
  Credentials credentials = kDocsCredentials;
  credentials.session_token = "SESSION-TOKEN-VALUE";
  const SigningConfig config = s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z"));
  const auto refused = [&](const SignableRequest& request, const SigningConfig& c, const std::string& words) {
    const auto r = sign_request(request, credentials, c);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.status().exit_code() == 2);
    BOOST_TEST(r.status().message().find(words) != std::string::npos, r.status().message());
    BOOST_TEST(r.status().message().find(credentials.secret_access_key) == std::string::npos);
    BOOST_TEST(r.status().message().find(credentials.session_token) == std::string::npos);
  };
  SignableRequest no_host = get_request("/k");
  no_host.headers.clear();
  refused(no_host, config, "Host");
  SignableRequest authorized = get_request("/k");
  authorized.headers.push_back({"Authorization", credentials.secret_access_key});
  refused(authorized, config, "Authorization");
  SignableRequest other_hash = get_request("/k");
  other_hash.headers.push_back({"x-amz-content-sha256", payload_sha256("x")});
  refused(other_hash, config, "x-amz-content-sha256");
  SignableRequest other_date = get_request("/k");
  other_date.headers.push_back({"X-Amz-Date", "20200101T000000Z"});
  refused(other_date, config, "x-amz-date");
  SignableRequest token = get_request("/k");
  token.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  refused(token, config, "X-Amz-Security-Token");
  SignableRequest bad_value = get_request("/k");
  bad_value.headers.push_back({"X-Secret", credentials.secret_access_key + "\n"});
  refused(bad_value, config, "X-Secret");
  SignableRequest relative = get_request("k");
  refused(relative, config, "'/'");
  SigningConfig no_region = config;
  no_region.region.clear();
  refused(get_request("/k"), no_region, "region");

  const auto presigned = get_request("/k", "X-Amz-Signature=abc");
  const auto twice = presign_request(presigned, credentials, config, 60);
  BOOST_REQUIRE(!twice.ok());
  BOOST_TEST(twice.status().message().find("X-Amz-Signature") != std::string::npos);

  // Keys given the wrong way round: the secret (with its '/') is refused as an access key
  // id, without being shown.
  const Credentials swapped{kDocsCredentials.secret_access_key, kDocsCredentials.access_key_id, ""};
  const auto wrong_way = sign_request(get_request("/k"), swapped, config);
  BOOST_REQUIRE(!wrong_way.ok());
  BOOST_TEST(wrong_way.status().message().find("access key id") != std::string::npos);
  BOOST_TEST(wrong_way.status().message().find(kDocsCredentials.secret_access_key) == std::string::npos);

  Credentials no_secret = kDocsCredentials;
  no_secret.secret_access_key.clear();
  const auto r = sign_request(get_request("/k"), no_secret, config);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.status().message().find("secret access key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_preset_matching_header_is_signed_not_duplicated) {
  SignableRequest request = get_request("/k");
  request.headers.push_back({"X-Amz-Date", "20130524T000000Z"});
  request.headers.push_back({"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"});
  const auto r = sign_request(request, kDocsCredentials, s3_signing_config("us-east-1", *parse_amz_date("20130524T000000Z")));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->headers.size() == 1u);  // Authorization only
  BOOST_TEST(r->signed_headers == "host;x-amz-content-sha256;x-amz-date");
}

BOOST_AUTO_TEST_CASE(signing_keys_are_derived_once_and_shared_between_threads) {
  // The derivation example of the AWS documentation ("Create a signature: derive a signing key").
  BOOST_TEST(to_hex(derive_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")) ==
             "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");

  SigningKeyCache cache(2);
  const std::string a = cache.get("secret-a", "20130524", "us-east-1", "s3");
  BOOST_TEST(cache.get("secret-b", "20130524", "us-east-1", "s3") != a);
  BOOST_TEST(cache.get("secret-a", "20130524", "us-east-1", "s3") == a);
  BOOST_TEST(cache.derivations() == 2u);
  // A new day's key evicts secret-b's, the least recently used.
  BOOST_TEST(cache.get("secret-a", "20130525", "us-east-1", "s3") != a);
  BOOST_TEST(cache.size() == 2u);
  BOOST_TEST(cache.derivations() == 3u);
  BOOST_TEST(cache.get("secret-a", "20130524", "us-east-1", "s3") == a);
  BOOST_TEST(cache.derivations() == 3u);

  // Many threads signing at once agree, and derive each key at most once per thread.
  SigningKeyCache shared;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  const std::string expected = derive_signing_key("secret-c", "20130524", "eu-west-1", "s3");
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string region = (i + t) % 2 ? "eu-west-1" : "us-east-1";
        const std::string key = shared.get("secret-c", "20130524", region, "s3");
        if (region == "eu-west-1" && key != expected) ++mismatches;
      }
    });
  for (auto& thread : threads) thread.join();
  BOOST_TEST(mismatches.load() == 0);
  BOOST_TEST(shared.size() == 2u);
  BOOST_TEST(shared.derivations() <= 16u);
}

BOOST_AUTO_TEST_CASE(hmac_sha256_rfc4231_vectors) {
  BOOST_TEST(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  BOOST_TEST(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  BOOST_TEST(to_hex(hmac_sha256("", "")) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

BOOST_AUTO_TEST_CASE(amz_dates) {
  BOOST_TEST(format_amz_date(1440938160) == "20150830T123600Z");
  BOOST_TEST(*parse_amz_date("20150830T123600Z") == 1440938160);
  BOOST_TEST(*parse_amz_date("19700101T000000Z") == 0);
  for (const char* bad : {"20150231T000000Z", "20151301T000000Z", "20150830T246000Z", "2015-08-30T12:36:00Z",
                          "20150830T123600", "20150830 123600Z"})
    BOOST_TEST(!parse_amz_date(bad), bad);
}

BOOST_AUTO_TEST_CASE(urls_split_into_request_parts) {
  const auto url = split_url("HTTPS://user:pw@bucket.s3.amazonaws.com:443/a%2Fb/c?x=1&y#frag");
  BOOST_REQUIRE(url.ok());
  BOOST_TEST(url->scheme == "https");
  BOOST_TEST(url->authority == "bucket.s3.amazonaws.com:443");
  BOOST_TEST(url->host_header() == "bucket.s3.amazonaws.com");
  BOOST_TEST(url->path == "/a%2Fb/c");
  BOOST_TEST(url->query == "x=1&y");
  const auto local = split_url("http://127.0.0.1:7480");
  BOOST_REQUIRE(local.ok());
  BOOST_TEST(local->host_header() == "127.0.0.1:7480");
  BOOST_TEST(local->path == "/");
  BOOST_TEST(!split_url("ftp://host/x").ok());
  BOOST_TEST(!split_url("host/x").ok());
  BOOST_TEST(!split_url("https:///x").ok());
  BOOST_TEST(!split_url("https://host/a b").ok());
}
