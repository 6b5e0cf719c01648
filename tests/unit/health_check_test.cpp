#define BOOST_TEST_MODULE health_check
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "s3dest/core/civil_time.hpp"
#include "s3dest/destination/health_check.hpp"
#include "s3dest/http/curl_transport.hpp"
#include "loopback_http_server.hpp"

using namespace s3dest;
using s3dest::testing::LoopbackHttpServer;
using s3dest::testing::ReceivedRequest;
using s3dest::testing::Reply;

namespace {

// Bucket "lake", path-style, as far as the health check uses it: HeadBucket (naming
// `region` when set), PutObject (echoing the encryption asked for, keeping the object's
// headers), HeadObject, GetObjectTagging, GetObjectAcl, ListObjectsV2, GetObject,
// DeleteObject and ListMultipartUploads; with `versioned`, each PutObject names a version
// and DeleteObjectVersion deletes it, while a plain delete leaves it behind a marker. An
// operation in `refused` gets S3's AccessDenied document.
class FakeBucket {
 public:
  struct OpenUpload {
    std::string key;
    std::string initiated;  // as S3 writes it: 2026-11-30T08:00:00.000Z
  };

  std::set<std::string> refused;         // "PutObject", "GetObject", "DeleteObject", ...
  std::vector<OpenUpload> open_uploads;  // what ListMultipartUploads answers
  std::string region;                    // HeadBucket's x-amz-bucket-region; empty: not sent
  bool drops_storage_class = false;      // a server that ignores x-amz-storage-class
  bool versioned = false;
  std::set<std::string> behind_markers;  // keys whose versions a plain delete left (versioned)

  // DeleteObjects: as S3 answers it, a refusal per key inside a 200 reply.
  Reply delete_objects(const std::string& body) {
    const auto document = aws::parse_xml(body);
    BOOST_REQUIRE(document.ok());
    std::string reply = "<DeleteResult>";
    for (const aws::XmlElement& object : document->children) {
      if (object.local_name() != "Object") continue;
      const std::string key = object.child_text("Key");
      if (refused.count("DeleteObject")) {
        reply += "<Error><Key>" + key + "</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        continue;
      }
      if (versioned) behind_markers.insert(key);
      objects.erase(key);
    }
    return Reply{200, {}, reply + "</DeleteResult>"};
  }

  Reply handle(const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::map<std::string, std::string> query = query_of(r.query());
    const std::string key = r.path().substr(std::string("/lake/").size());
    std::string operation = r.method == "PUT" ? "PutObject" : r.method == "HEAD" ? "HeadObject"
                          : r.method == "DELETE" ? "DeleteObject" : "GetObject";
    if (key.empty() && query.count("list-type")) operation = "ListObjectsV2";
    if (key.empty() && query.count("uploads")) operation = "ListMultipartUploads";
    if (key.empty() && r.method == "HEAD") operation = "HeadBucket";
    if (key.empty() && query.count("versioning")) operation = "GetBucketVersioning";
    if (query.count("tagging")) operation = "GetObjectTagging";
    if (query.count("acl")) operation = "GetObjectAcl";
    if (r.method == "DELETE" && query.count("versionId")) operation = "DeleteObjectVersion";
    if (r.method == "POST" && query.count("delete")) return delete_objects(r.body);
    if (refused.count(operation))
      return Reply{403, {}, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                            "<Message>Access Denied by the bucket policy</Message></Error>"};
    if (operation == "HeadBucket") {
      Reply ok{200, {}, ""};
      if (!region.empty()) ok.headers.push_back({"x-amz-bucket-region", region});
      return ok;
    }
    if (operation == "GetBucketVersioning")
      return Reply{200, {}, versioned ? "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
                                      : "<VersioningConfiguration/>"};
    if (operation == "PutObject") {
      objects[key] = r.body;
      headers_of[key].clear();
      for (const auto& header : r.headers) {
        const std::string name = lower(header.name);
        if (name == "content-type" || name == "x-amz-tagging" || name == "x-amz-acl" ||
            name.rfind("x-amz-meta-", 0) == 0 || (name == "x-amz-storage-class" && !drops_storage_class))
          headers_of[key].push_back({name, header.value});
      }
      Reply ok{200, {{"ETag", "\"0123\""}}, ""};
      if (versioned) ok.headers.push_back({"x-amz-version-id", "v-" + key});
      if (const std::string* sse = r.header("x-amz-server-side-encryption"))
        ok.headers.push_back({"x-amz-server-side-encryption", *sse});
      return ok;
    }
    if (operation == "ListObjectsV2") {
      std::string xml = "<ListBucketResult><IsTruncated>false</IsTruncated>";
      for (const auto& [k, body] : objects)
        if (k.rfind(query.at("prefix"), 0) == 0) xml += "<Contents><Key>" + k + "</Key></Contents>";
      return Reply{200, {}, xml + "</ListBucketResult>"};
    }
    if (operation == "ListMultipartUploads") {
      std::string xml = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>";
      for (const OpenUpload& u : open_uploads)
        if (u.key.rfind(query.at("prefix"), 0) == 0)
          xml += "<Upload><Key>" + u.key + "</Key><UploadId>u-" + u.key + "</UploadId><Initiated>" + u.initiated +
                 "</Initiated></Upload>";
      return Reply{200, {}, xml + "</ListMultipartUploadsResult>"};
    }
    const auto object = objects.find(key);
    if (object == objects.end())
      return Reply{404, {}, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"};
    if (operation == "DeleteObject") {
      if (versioned) behind_markers.insert(key);
      objects.erase(object);
      return Reply{204, {}, ""};
    }
    if (operation == "DeleteObjectVersion") {
      BOOST_TEST(query.at("versionId") == "v-" + key);
      objects.erase(object);
      return Reply{204, {}, ""};
    }
    if (operation == "GetObjectTagging") return Reply{200, {}, tagging_xml(header_of(key, "x-amz-tagging"))};
    if (operation == "GetObjectAcl")
      return Reply{200, {},
                   "<AccessControlPolicy><AccessControlList><Grant><Grantee><ID>owner</ID></Grantee>"
                   "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>"};
    Reply ok{200, {{"x-amz-server-side-encryption", "AES256"}}, object->second};
    for (const auto& [name, value] : headers_of[key])
      if (name != "x-amz-tagging" && name != "x-amz-acl") ok.headers.push_back({name, value});
    return ok;
  }

  std::map<std::string, std::string> stored() {
    std::lock_guard<std::mutex> lock(mutex_);
    return objects;
  }

 private:
  static std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }
  std::string header_of(const std::string& key, const std::string& name) {
    for (const auto& [n, value] : headers_of[key])
      if (n == name) return value;
    return "";
  }
  // "a=b&c=d" (values with no escapes, as the tests write them) as GetObjectTagging's reply.
  static std::string tagging_xml(const std::string& tagging) {
    std::string xml = "<Tagging><TagSet>";
    for (const auto& [name, value] : query_of(tagging))
      xml += "<Tag><Key>" + name + "</Key><Value>" + value + "</Value></Tag>";
    return xml + "</TagSet></Tagging>";
  }

  // name -> value, percent-decoded ("prefix=exports%2F&uploads=").
  static std::map<std::string, std::string> query_of(const std::string& text) {
    std::map<std::string, std::string> query;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('&', start);
      if (end == std::string::npos) end = text.size();
      const std::string pair = text.substr(start, end - start);
      const size_t equals = pair.find('=');
      std::string value;
      const std::string encoded = equals == std::string::npos ? "" : pair.substr(equals + 1);
      for (size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '%' && i + 2 < encoded.size()) {
          value.push_back(static_cast<char>(std::stoi(encoded.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          value.push_back(encoded[i]);
        }
      }
      query[pair.substr(0, equals)] = value;
      start = end + 1;
    }
    return query;
  }

  std::mutex mutex_;
  std::map<std::string, std::string> objects;  // key -> bytes
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> headers_of;  // key -> kept headers
};

// A bucket on loopback and a config that writes exports/{{YYYY}}/{{MM}}/part-NNNNN.csv
// there with the config's own keys and SSE-S3 (the default).
struct Destination {
  FakeBucket bucket;
  LoopbackHttpServer server{[this](const ReceivedRequest& r) { return bucket.handle(r); }};
  Config config;
  HealthCheckOptions options;
  std::vector<CheckStep> seen;  // as on_step showed them

  Destination() {
    auto parsed = parse_config(R"({"connection_option": "access_key", "access_key_id": "AKIDEXAMPLE",
                                   "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                   "endpoint": ")" + server.origin() + R"(", "path_style": true,
                                   "bucket": "lake", "folder": "/exports/{{YYYY}}/{{MM}}",
                                   "file_name": "part-{{chunk_id}}", "partition_by": "month", "date_field": "date",
                                   "max_attempts": 1})",
                               "check.json");
    BOOST_TEST_REQUIRE(parsed.ok(), parsed.status().message());
    config = *parsed;
    options.run_start_micros = *parse_timestamp("2026-12-01T22:44:12Z");
    options.on_step = [this](const CheckStep& step) { seen.push_back(step); };
  }

  // Where the check writes its test object: the folder's part before its first date.
  std::string test_object() const {
    return "s3://lake/exports/s3dest-check-" + std::to_string(options.run_start_micros / 1000000) + ".txt";
  }

  HealthCheckReport check() {
    auto report = run_health_check(config, std::make_shared<http::CurlTransport>(), options);
    BOOST_TEST_REQUIRE(report.ok(), report.status().message());
    BOOST_TEST_REQUIRE(seen.size() == report->steps.size());  // each step shown as it ended
    for (size_t i = 0; i < seen.size(); ++i) BOOST_TEST(seen[i].text == report->steps[i].text);
    return *report;
  }
};

// The report as `s3dest check` prints it: "ok", "warn" or "FAIL", then the step.
std::vector<std::string> lines(const HealthCheckReport& report) {
  std::vector<std::string> out;
  for (const CheckStep& s : report.steps) out.push_back(std::string(!s.ok ? "FAIL " : s.warning ? "warn " : "ok ") + s.text);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(a_bucket_that_allows_everything_passes_every_step_and_keeps_nothing) {
  Destination d;
  const HealthCheckReport report = d.check();
  const std::string object = d.test_object();
  BOOST_TEST(lines(report) == (std::vector<std::string>{
                                  "ok credentials: from the config's access_key_id",
                                  "ok region: us-east-1 (the server does not name the bucket's region)",
                                  "ok s3:PutObject " + object + " (sse-s3)",
                                  "ok encryption: sse-s3 confirmed by the server",
                                  "ok object options: Content-Type text/csv confirmed by the server",
                                  "ok s3:ListBucket s3://lake/exports/",
                                  "ok s3:GetObject " + object,
                                  "ok s3:DeleteObject " + object,
                                  "ok s3:GetBucketVersioning s3://lake/: the bucket keeps no versions: a run keeps "
                                  "a copy of each object it replaces, and a failed one copies them back",
                                  "ok open uploads under s3://lake/exports/: none of s3dest's",
                              }),
             boost::test_tools::per_element());
  BOOST_TEST(report.ok());
  BOOST_TEST(d.bucket.stored().empty());  // the test object is gone
  for (const ReceivedRequest& r : d.server.requests()) {
    BOOST_REQUIRE(r.header("Authorization"));
    BOOST_TEST(contains(*r.header("Authorization"), "Credential=AKIDEXAMPLE/"), r.method << " " << r.target);
  }
}

BOOST_AUTO_TEST_CASE(in_a_versioned_bucket_the_test_objects_version_is_deleted_so_nothing_is_left) {
  Destination d;
  d.bucket.versioned = true;
  const HealthCheckReport report = d.check();
  BOOST_TEST(report.ok());
  const std::vector<std::string> shown = lines(report);
  BOOST_REQUIRE(shown.size() == 10u);
  BOOST_TEST(shown[8] == "ok s3:GetBucketVersioning s3://lake/: the bucket keeps versions: a failed run deletes its "
                         "own, so what it replaced is current again");
  BOOST_TEST(shown[7] == "ok s3:DeleteObjectVersion " + d.test_object() + " (version v-exports/s3dest-check-" +
                             std::to_string(d.options.run_start_micros / 1000000) +
                             ".txt): the bucket keeps versions; the test object's is gone");
  BOOST_TEST(d.bucket.stored().empty());
  BOOST_TEST(d.bucket.behind_markers.empty());  // no version of it left behind a delete marker
}

BOOST_AUTO_TEST_CASE(a_refused_version_delete_is_a_warning_and_the_plain_delete_follows) {
  Destination d;
  d.bucket.versioned = true;
  d.bucket.refused = {"DeleteObjectVersion"};
  const HealthCheckReport report = d.check();
  BOOST_TEST(report.ok());  // loads work; they cannot put back what they replace
  const std::vector<std::string> shown = lines(report);
  BOOST_REQUIRE(shown.size() == 11u);
  BOOST_TEST(shown[7].rfind("warn s3:DeleteObjectVersion " + d.test_object() + " (version ", 0) == 0u, shown[7]);
  BOOST_TEST(contains(shown[7], "Add to the writer's policy: " +
                                    statement_to_add(d.config, "exports/", "DeleteObjectVersion")), shown[7]);
  BOOST_TEST(contains(shown[7], "without it a failed run cannot put back the objects it replaced"), shown[7]);
  BOOST_TEST(shown[8] == "ok s3:DeleteObject " + d.test_object());
  BOOST_TEST(d.bucket.behind_markers.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_refused_versioning_question_is_a_warning_runs_then_keep_copies) {
  Destination d;
  d.bucket.refused = {"GetBucketVersioning"};
  const HealthCheckReport report = d.check();
  BOOST_TEST(report.ok());
  const std::vector<std::string> shown = lines(report);
  BOOST_REQUIRE(shown.size() == 10u);
  BOOST_TEST(shown[8].rfind("warn s3:GetBucketVersioning s3://lake/: cannot tell whether the bucket keeps versions: ",
                            0) == 0u, shown[8]);
  BOOST_TEST(contains(shown[8], "Add to the writer's policy: " +
                                    statement_to_add(d.config, "exports/", "GetBucketVersioning")), shown[8]);
  BOOST_TEST(contains(shown[8], "; runs keep a copy of each object they replace, as without versions"), shown[8]);
}

BOOST_AUTO_TEST_CASE(a_refused_put_fails_its_step_with_the_servers_answer_and_ends_the_check) {
  Destination d;
  d.bucket.refused = {"PutObject"};
  const HealthCheckReport report = d.check();
  BOOST_TEST(!report.ok());
  BOOST_REQUIRE(report.steps.size() == 3u);
  BOOST_TEST(report.steps[0].ok);
  const CheckStep& put = report.steps[2];
  BOOST_TEST(!put.ok);
  BOOST_TEST(put.text.rfind("s3:PutObject " + d.test_object() + " (sse-s3): ", 0) == 0u, put.text);
  BOOST_TEST(contains(put.text, "HTTP 403 AccessDenied (Access Denied by the bucket policy)"), put.text);
  BOOST_TEST(contains(put.text, "not allowed to do s3:PutObject on arn:aws:s3:::lake/exports/s3dest-check-"),
             put.text);
  // The statement to add is the one s3dest policy prints for the action.
  BOOST_TEST(contains(put.text, ". Add to the writer's policy: " + statement_to_add(d.config, "exports/", "PutObject")),
             put.text);
  for (const ReceivedRequest& r : d.server.requests()) BOOST_TEST(r.method != "DELETE");  // nothing to delete
}

BOOST_AUTO_TEST_CASE(a_refused_delete_says_where_the_test_object_was_left) {
  Destination d;
  d.bucket.refused = {"DeleteObject"};
  const HealthCheckReport report = d.check();
  BOOST_TEST(!report.ok());
  std::vector<const CheckStep*> failed;
  for (const CheckStep& s : report.steps)
    if (!s.ok) failed.push_back(&s);
  BOOST_REQUIRE(failed.size() == 1u);
  const std::string& text = failed[0]->text;
  BOOST_TEST(text.rfind("s3:DeleteObject " + d.test_object() + ": ", 0) == 0u, text);
  BOOST_TEST(contains(text, "AccessDenied"), text);
  BOOST_TEST(contains(text, "Add to the writer's policy: " + statement_to_add(d.config, "exports/", "DeleteObject")),
             text);
  BOOST_TEST(contains(text, "the test object was left at " + d.test_object() + ": delete it by hand"), text);
  BOOST_TEST(d.bucket.stored().size() == 1u);  // it was indeed left there
  BOOST_TEST(contains(report.steps.back().text, "open uploads under"));  // the check went on to the end
}

BOOST_AUTO_TEST_CASE(a_failed_step_after_the_put_skips_the_rest_but_still_deletes_the_test_object) {
  Destination d;
  d.bucket.refused = {"ListObjectsV2"};
  const HealthCheckReport report = d.check();
  BOOST_TEST(!report.ok());
  const std::vector<std::string> shown = lines(report);
  BOOST_REQUIRE(shown.size() == 9u);  // no GetObject
  BOOST_TEST(shown[5].rfind("FAIL s3:ListBucket s3://lake/exports/: ListObjectsV2 s3://lake/exports/ was refused: "
                            "HTTP 403 AccessDenied",
                            0) == 0u,
             shown[5]);
  BOOST_TEST(shown[6] == "ok s3:DeleteObject " + d.test_object());
  BOOST_TEST(shown[8].rfind("ok open uploads under", 0) == 0u, shown[8]);
  BOOST_TEST(d.bucket.stored().empty());
}

BOOST_AUTO_TEST_CASE(uploads_s3dest_left_open_are_a_warning_that_names_cleanup) {
  Destination d;
  d.bucket.open_uploads = {{"exports/2026/01/part-00003.csv", "2026-11-30T08:00:00.000Z"},
                           {"exports/2026/01/part-00004.csv", "2026-11-30T08:01:00.000Z"},
                           {"exports/backup/dump.tar", "2026-11-29T00:00:00.000Z"}};  // not this layout's
  const HealthCheckReport report = d.check();
  BOOST_TEST(report.ok());  // a warning does not fail the check
  const CheckStep& uploads = report.steps.back();
  BOOST_TEST(uploads.ok);
  BOOST_TEST(uploads.warning);
  const std::string& text = uploads.text;
  BOOST_TEST(text.rfind("open uploads under s3://lake/exports/: 2 left by s3dest runs", 0) == 0u, text);
  BOOST_TEST(contains(text, "exports/2026/01/part-00003.csv, started 2026-11-30T08:00:00Z"), text);
  BOOST_TEST(contains(text, "1 more that s3dest did not start (left alone)"), text);
  BOOST_TEST(contains(text, "run s3dest cleanup with this config"), text);
  for (size_t i = 0; i + 1 < report.steps.size(); ++i) BOOST_TEST(!report.steps[i].warning);
}

BOOST_AUTO_TEST_CASE(uploads_that_may_not_be_listed_fail_with_the_permission_cleanup_needs) {
  Destination d;
  d.bucket.refused = {"ListMultipartUploads"};
  const HealthCheckReport report = d.check();
  BOOST_TEST(!report.ok());
  const std::string& text = report.steps.back().text;
  BOOST_TEST(text.rfind("s3:ListBucketMultipartUploads open uploads under s3://lake/exports/: cannot list them", 0) ==
                 0u,
             text);
  BOOST_TEST(contains(text, statement_to_add(d.config, "exports/", "ListMultipartUploads")), text);
}

BOOST_AUTO_TEST_CASE(a_bucket_in_another_region_is_named_and_ends_the_check_before_any_write) {
  Destination d;
  d.bucket.region = "eu-west-1";
  const HealthCheckReport report = d.check();
  BOOST_TEST(!report.ok());
  BOOST_REQUIRE(report.steps.size() == 2u);
  BOOST_TEST(report.steps[1].text == "region: the bucket is in eu-west-1, not us-east-1: set \"region\": \"eu-west-1\" "
                                     "in the config");
  BOOST_TEST(d.bucket.stored().empty());
  d.bucket.region = "us-east-1";
  d.seen.clear();
  BOOST_TEST(d.check().steps[1].text == "region: us-east-1, as configured");
}

BOOST_AUTO_TEST_CASE(object_options_are_written_and_confirmed_tags_and_acl_read_back) {
  Destination d;
  d.config.storage_class = "STANDARD_IA";
  d.config.canned_acl = "bucket-owner-full-control";
  d.config.tags = {{"dataset", "costs"}, {"year", "{{YYYY}}"}};
  d.config.metadata = {{"team", "data"}};
  d.config.content_type = "text/plain";
  const std::vector<std::string> shown = lines(d.check());
  const std::string object = d.test_object();
  BOOST_TEST(shown[2] == "ok s3:PutObject " + object + " (sse-s3, STANDARD_IA, 2 tags, ACL bucket-owner-full-control, "
                         "1 metadata)");
  BOOST_TEST(shown[4] == "ok object options: Content-Type text/plain, storage class STANDARD_IA, x-amz-meta-team data "
                         "confirmed by the server");
  BOOST_TEST(shown[5] == "ok s3:GetObjectTagging " + object + ": 2 tags, as configured");
  BOOST_TEST(shown[6] == "ok s3:GetObjectAcl " + object + ": bucket-owner-full-control (FULL_CONTROL to owner)");

  Destination ignoring;  // a server that drops the storage class
  ignoring.config.storage_class = "GLACIER";
  ignoring.bucket.drops_storage_class = true;
  const HealthCheckReport report = ignoring.check();
  BOOST_TEST(!report.ok());
  BOOST_TEST(lines(report)[4] == "FAIL object options: storage class is missing, not GLACIER: the server did not keep "
                                 "them as sent; check that it supports them");
  BOOST_TEST(ignoring.bucket.stored().empty());  // deleted all the same
}

BOOST_AUTO_TEST_CASE(a_refused_write_with_tags_prints_the_tagging_statement_too) {
  Destination d;
  d.config.tags = {{"dataset", "costs"}};
  d.bucket.refused = {"PutObject"};
  const std::string put = lines(d.check())[2];
  BOOST_TEST(contains(put, statement_to_add(d.config, "exports/", "PutObject") + ", " +
                               statement_to_add(d.config, "exports/", "s3:PutObjectTagging")),
             put);
}

BOOST_AUTO_TEST_CASE(a_glacier_test_object_is_not_read_back) {
  Destination d;
  d.config.storage_class = "GLACIER";
  const HealthCheckReport report = d.check();
  BOOST_TEST(report.ok());
  BOOST_TEST(lines(report)[6] == "ok s3:GetObject " + d.test_object() +
                                     ": not tried: GLACIER objects are read only once restored");
  for (const ReceivedRequest& r : d.server.requests())
    BOOST_TEST(!(r.method == "GET" && r.query().empty()), r.target);  // no GetObject went out
}

BOOST_AUTO_TEST_CASE(a_refused_tagging_read_names_its_action) {
  Destination d;
  d.config.tags = {{"dataset", "costs"}};
  d.bucket.refused = {"GetObjectTagging"};
  const std::vector<std::string> shown = lines(d.check());
  BOOST_TEST(shown[5].rfind("FAIL s3:GetObjectTagging " + d.test_object() + ": ", 0) == 0u, shown[5]);
  BOOST_TEST(contains(shown[5], statement_to_add(d.config, "exports/", "GetObjectTagging")), shown[5]);
}

BOOST_AUTO_TEST_CASE(no_bucket_keeps_the_check_from_starting) {
  Destination d;
  d.config.bucket.clear();
  auto report = run_health_check(d.config, std::make_shared<http::CurlTransport>(), d.options);
  BOOST_TEST_REQUIRE(!report.ok());
  BOOST_TEST(report.status().exit_code() == 2);
  BOOST_TEST(contains(report.status().message(), "give --dest s3://bucket/prefix"), report.status().message());
  BOOST_TEST(d.server.requests().empty());
}
