#define BOOST_TEST_MODULE s3_sink
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "s3dest/sink/s3_sink.hpp"
#include "sink_helpers.hpp"
#include "temp_folder.hpp"

using namespace s3dest;

namespace {

using test_helpers::new_object;
using test_helpers::put;

// Answers S3 calls just enough for the sink's decisions: which keys exist (PutObject
// honours If-None-Match), multipart calls, copies, deletes, and with `versioned` each
// key's versions; and records what was asked. The real server is in the e2e tests (radosgw).
class AnsweringSender final : public http::HttpSender {
 public:
  std::mutex mutex;
  std::map<std::string, size_t> objects;  // path -> size
  std::map<std::string, std::string> bodies;  // path -> bytes, of objects put whole or copied
  std::vector<std::string> calls;         // "PUT /lake/k", ...
  std::map<int, size_t> part_sizes;  // part number -> size
  std::vector<http::HttpRequest> requests;  // headers and owned bodies (not parts)
  std::string composite_reply;             // the checksum CompleteMultipartUpload names
  std::string echoed_checksum;             // the x-amz-checksum-crc32c a PutObject names
  bool versioned = false;                  // each write makes a version, named in its reply
  std::string version_reply;               // the x-amz-version-id to name instead ("null")
  std::map<std::string, std::vector<std::string>> versions;  // path -> its versions, the current last
  bool version_deletes_refused = false;    // DELETE ?versionId= is AccessDenied
  bool copies_not_implemented = false;     // CopyObject is 501 NotImplemented (radosgw 16 with SSE-KMS)
  bool multi_deletes_not_implemented = false;  // DeleteObjects is 501 NotImplemented
  std::set<std::string> deletes_refused;   // paths DeleteObjects answers AccessDenied for
  int replies_to_lose = 0;                 // writes done, whose replies are lost (a dropped connection)
  std::map<std::string, std::string> run_of;  // path -> the x-amz-meta-s3dest-run it was written with
  std::map<std::string, std::string> run_of_version;  // the same per version, in a versioned bucket

  Result<http::HttpResponse> send(const http::HttpRequest& r) override {
    std::lock_guard<std::mutex> lock(mutex);
    const std::string path = r.url.substr(r.url.find("/lake/"), r.url.find('?') - r.url.find("/lake/"));
    const std::string query = r.url.find('?') == std::string::npos ? "" : r.url.substr(r.url.find('?') + 1);
    calls.push_back(r.method + " " + path + (query.empty() ? "" : "?" + query.substr(0, query.find('='))));
    const bool conditional = r.find_header("If-None-Match") != nullptr;
    http::HttpRequest copy = r;
    copy.borrowed_body = {};
    copy.body = r.url.find("partNumber=") == std::string::npos ? std::string(r.payload()) : std::string();
    requests.push_back(std::move(copy));
    if (r.method == "GET" && query == "versioning=")
      return http::HttpResponse{200, {}, versioned ? "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
                                                   : "<VersioningConfiguration/>"};
    if (const std::string* source = r.find_header("x-amz-copy-source"); r.method == "PUT" && source) {
      if (copies_not_implemented) return http::HttpResponse{501, {}, "<Error><Code>NotImplemented</Code></Error>"};
      if (!objects.count(*source)) return http::HttpResponse{404, {}, "<Error><Code>NoSuchKey</Code></Error>"};
      objects[path] = objects[*source];
      bodies[path] = bodies[*source];
      run_of[path] = run_of[*source];
      return http::HttpResponse{200, {}, "<CopyObjectResult><ETag>\"c\"</ETag></CopyObjectResult>"};
    }
    if (r.method == "POST" && query == "delete=") {  // DeleteObjects
      if (multi_deletes_not_implemented) return http::HttpResponse{501, {}, "<Error><Code>NotImplemented</Code></Error>"};
      if (!r.find_header("Content-MD5")) return http::HttpResponse{400, {}, "<Error><Code>InvalidRequest</Code></Error>"};
      const auto document = aws::parse_xml(r.payload());
      if (!document.ok()) return http::HttpResponse{400, {}, "<Error><Code>MalformedXML</Code></Error>"};
      std::string reply = "<DeleteResult>";
      for (const aws::XmlElement& object : document->children) {
        if (object.local_name() != "Object") continue;
        const std::string key = object.child_text("Key");
        std::string key_path = "/lake/";  // as the key's URL spells it
        for (const char c : key) {
          if (c == '/') key_path.push_back('/');
          else aws::append_uri_encoded(key_path, std::string_view(&c, 1));
        }
        if (deletes_refused.count(key_path)) {
          reply += "<Error><Key>";
          aws::append_xml_escaped(reply, key);
          reply += "</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        } else if (const std::string version = object.child_text("VersionId"); !version.empty()) {
          delete_version(key_path, version);
        } else {
          delete_current(key_path);
        }
      }
      return http::HttpResponse{200, {}, reply + "</DeleteResult>"};
    }
    if (r.method == "PUT" && query.rfind("partNumber=", 0) == 0) {
      part_sizes[std::stoi(query.substr(std::string("partNumber=").size()))] = r.payload().size();
      return http::HttpResponse{200, {{"ETag", "\"p\""}}, ""};
    }
    if (r.method == "PUT" || (r.method == "POST" && query.rfind("uploadId=", 0) == 0)) {
      if (conditional && objects.count(path)) return http::HttpResponse{412, {}, "<Error><Code>PreconditionFailed</Code></Error>"};
      objects[path] = r.payload().size();
      if (r.method == "PUT") bodies[path] = std::string(r.payload());
      if (const std::string* run = r.find_header("x-amz-meta-s3dest-run"); r.method == "PUT")
        run_of[path] = run ? *run : "";
      else
        run_of[path] = upload_run_[path];  // the object the upload makes carries what it was created with
      std::string id;
      if (versioned) {
        id = "v" + std::to_string(++versions_made_);
        versions[path].push_back(id);
        run_of_version[id] = run_of[path];
      }
      if (replies_to_lose > 0) {
        --replies_to_lose;
        return destination_error("the connection was reset");
      }
      http::HttpResponse ok{200, {{"ETag", "\"e\""}}, "<CompleteMultipartUploadResult><ETag>\"e-2\"</ETag>"};
      if (versioned) ok.headers.push_back({"x-amz-version-id", version_reply.empty() ? id : version_reply});
      if (!composite_reply.empty()) ok.body += "<ChecksumCRC32C>" + composite_reply + "</ChecksumCRC32C>";
      ok.body += "</CompleteMultipartUploadResult>";
      if (!echoed_checksum.empty()) ok.headers.push_back({"x-amz-checksum-crc32c", echoed_checksum});
      return ok;
    }
    if (r.method == "POST") {
      if (const std::string* run = r.find_header("x-amz-meta-s3dest-run")) upload_run_[path] = *run;
      return http::HttpResponse{200, {}, "<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"};
    }
    if (r.method == "HEAD") {
      if (!objects.count(path)) return http::HttpResponse{404, {}, ""};
      const std::string size = std::to_string(objects[path]);
      if (!versioned || versions[path].empty())
        return http::HttpResponse{
            200, {{"ETag", "\"e\""}, {"Content-Length", size}, {"x-amz-meta-s3dest-run", run_of[path]}}, ""};
      const std::string& current = versions[path].back();
      return http::HttpResponse{200,
                                {{"ETag", "\"e\""},
                                 {"Content-Length", size},
                                 {"x-amz-meta-s3dest-run", run_of_version[current]},
                                 {"x-amz-version-id", current}},
                                ""};
    }
    if (r.method == "DELETE" && query.rfind("versionId=", 0) == 0) {
      if (version_deletes_refused)
        return http::HttpResponse{403, {}, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"};
      delete_version(path, query.substr(std::string("versionId=").size()));
      return http::HttpResponse{204, {}, ""};
    }
    if (r.method == "DELETE") {
      if (query.empty()) delete_current(path);
      return http::HttpResponse{204, {}, ""};
    }
    return http::HttpResponse{200, {}, ""};
  }

 private:
  void delete_version(const std::string& path, const std::string& id) {
    std::vector<std::string>& kept = versions[path];
    kept.erase(std::remove(kept.begin(), kept.end(), id), kept.end());
    if (kept.empty()) objects.erase(path);
  }
  void delete_current(const std::string& path) {  // in a versioned bucket: a delete marker
    objects.erase(path);
    bodies.erase(path);
  }

  int versions_made_ = 0;
  std::map<std::string, std::string> upload_run_;  // path -> the run id its open upload was created with
};

struct Fixture {
  std::shared_ptr<AnsweringSender> sender = std::make_shared<AnsweringSender>();
  std::shared_ptr<s3::ObjectClient> client;
  explicit Fixture(std::string endpoint = "http://127.0.0.1:9") {
    s3::BucketEndpoint bucket;
    bucket.bucket = "lake";
    bucket.endpoint = std::move(endpoint);
    bucket.path_style = true;
    client = std::make_shared<s3::ObjectClient>(
        bucket,
        std::make_shared<aws::StaticCredentialsProvider>(aws::Credentials{"AKIDEXAMPLE", "secret-secret", "", std::nullopt},
                                                         "the test"),
        sender);
  }
};

const std::string kRun = "20261201T224412Z-5f3a9c1e";
const std::string kEarlierRun = "20261130T000000Z-00000000";

std::vector<std::string> keys_of(const AnsweringSender& sender) {
  std::vector<std::string> keys;
  for (const auto& [path, size] : sender.objects) keys.push_back(path);
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_CASE(rollback_deletes_the_runs_new_objects_and_names_the_replaced_ones) {
  Fixture f;
  f.sender->objects["/lake/old"] = 3;
  S3Sink sink(f.client, S3SinkOptions{});
  BOOST_REQUIRE(put(sink, new_object("old", true), "new data").ok());
  BOOST_REQUIRE(put(sink, new_object("new"), "n").ok());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 1u);
  BOOST_TEST((undone.replaced == std::vector<std::string>{"s3://lake/old"}));
  BOOST_TEST(f.sender->objects.count("/lake/old") == 1u);
  BOOST_TEST(f.sender->objects.count("/lake/new") == 0u);
}

BOOST_AUTO_TEST_CASE(rollback_deletes_the_runs_new_objects_a_thousand_a_request) {
  Fixture f;
  S3Sink sink(f.client, S3SinkOptions{});
  for (int i = 0; i < 1500; ++i) BOOST_REQUIRE(put(sink, new_object("new/" + std::to_string(i)), "n").ok());
  BOOST_REQUIRE(put(sink, new_object("new/a&b <c>"), "n").ok());  // XML escapes it
  f.sender->deletes_refused = {"/lake/new/7"};
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 1500u);
  BOOST_REQUIRE(undone.not_deleted.size() == 1u);
  BOOST_TEST(undone.not_deleted[0].rfind("s3://lake/new/7: DeleteObjects s3://lake/new/7 was refused: AccessDenied "
                                         "(Access Denied): these credentials are not allowed to do s3:DeleteObject "
                                         "on arn:aws:s3:::lake/new/7", 0) == 0u,
             undone.not_deleted[0]);
  BOOST_TEST((keys_of(*f.sender) == std::vector<std::string>{"/lake/new/7"}));
  BOOST_TEST(std::count(f.sender->calls.begin(), f.sender->calls.end(), "POST /lake/?delete") == 2);
  BOOST_TEST(std::count_if(f.sender->calls.begin(), f.sender->calls.end(),
                           [](const std::string& call) { return call.rfind("DELETE", 0) == 0; }) == 0);
}

BOOST_AUTO_TEST_CASE(a_server_without_delete_objects_gets_one_delete_an_object) {
  Fixture f;
  f.sender->multi_deletes_not_implemented = true;
  S3Sink sink(f.client, S3SinkOptions{});
  for (const std::string key : {"a", "b", "c"}) BOOST_REQUIRE(put(sink, new_object(key), "n").ok());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 3u);
  BOOST_TEST(f.sender->objects.empty());
  BOOST_TEST(std::count(f.sender->calls.begin(), f.sender->calls.end(), "POST /lake/?delete") == 1);  // asked once
}

BOOST_AUTO_TEST_CASE(in_a_versioned_bucket_rollback_deletes_the_runs_versions_so_replaced_objects_are_as_before) {
  Fixture f;
  f.sender->versioned = true;
  f.sender->objects["/lake/old"] = 3;
  f.sender->versions["/lake/old"] = {"v0"};
  S3SinkOptions options;
  options.part_bytes = 6;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  BOOST_REQUIRE(put(sink, new_object("old", true), "new data").ok());
  BOOST_REQUIRE(put(sink, new_object("new"), "n").ok());
  BOOST_REQUIRE(put(sink, new_object("big"), {"012345", "6789"}).ok());  // a multipart upload
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.restored == 1u);
  BOOST_TEST(undone.removed == 2u);
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST((f.sender->versions["/lake/old"] == std::vector<std::string>{"v0"}));  // current again
  BOOST_TEST(f.sender->versions["/lake/new"].empty());
  BOOST_TEST(f.sender->versions["/lake/big"].empty());
  BOOST_TEST(f.sender->objects.count("/lake/new") == 0u);
  // Each version deleted by its id: no plain DELETE, which would leave a delete marker.
  BOOST_TEST(std::count(f.sender->calls.begin(), f.sender->calls.end(), "DELETE /lake/new") == 0);
  BOOST_TEST(std::count(f.sender->calls.begin(), f.sender->calls.end(), "DELETE /lake/old?versionId") == 1);
  for (const http::HttpRequest& request : f.sender->requests)  // the versions keep what was there: no copy
    BOOST_TEST(!request.find_header("x-amz-copy-source"));
  BOOST_TEST(undone.text() == "undone: 2 finished objects of this run removed, 1 replaced object put back as it was; "
                              "nothing that existed before was lost");
}

BOOST_AUTO_TEST_CASE(without_versions_a_copy_of_each_replaced_object_is_kept_and_a_rollback_puts_it_back) {
  Fixture f;
  for (const std::string path : {"/lake/day/old", "/lake/big"}) {
    f.sender->objects[path] = 6;
    f.sender->bodies[path] = "before";
    f.sender->run_of[path] = kEarlierRun;
  }
  S3SinkOptions options;
  options.part_bytes = 6;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  BOOST_REQUIRE(put(sink, new_object("day/old", true), "new").ok());
  BOOST_TEST(f.sender->bodies["/lake/day/.old.s3dest-" + kRun + ".kept"] == "before");  // made before the write
  BOOST_TEST(f.sender->bodies["/lake/day/old"] == "new");
  BOOST_REQUIRE(put(sink, new_object("big", true), {"012345", "6789"}).ok());  // a multipart upload
  BOOST_REQUIRE(put(sink, new_object("new"), "n").ok());

  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.text() == "undone: 1 finished object of this run removed, 2 replaced objects put back as they "
                              "were; nothing that existed before was lost");
  BOOST_TEST((keys_of(*f.sender) == std::vector<std::string>{"/lake/big", "/lake/day/old"}));  // no copy left
  BOOST_TEST(f.sender->bodies["/lake/day/old"] == "before");
  BOOST_TEST(f.sender->run_of["/lake/day/old"] == kEarlierRun);
  BOOST_TEST(f.sender->run_of["/lake/big"] == kEarlierRun);
}

BOOST_AUTO_TEST_CASE(a_copy_started_ahead_by_will_write_is_the_one_the_write_waits_for) {
  Fixture f;
  f.sender->objects["/lake/old"] = 6;
  f.sender->bodies["/lake/old"] = "before";
  S3SinkOptions options;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  sink.will_write(new_object("old", true));  // the run has rows for its partition
  sink.will_write(new_object("new"));        // nothing there: nothing to copy
  BOOST_REQUIRE(put(sink, new_object("old", true), "new").ok());
  BOOST_REQUIRE(put(sink, new_object("new"), "n").ok());
  BOOST_TEST(std::count_if(f.sender->requests.begin(), f.sender->requests.end(), [](const http::HttpRequest& r) {
               return r.find_header("x-amz-copy-source") != nullptr;
             }) == 1);
  BOOST_TEST(f.sender->bodies["/lake/.old.s3dest-" + kRun + ".kept"] == "before");
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.restored == 1u);
  BOOST_TEST(undone.removed == 1u);
  BOOST_TEST(f.sender->bodies["/lake/old"] == "before");
  BOOST_TEST((keys_of(*f.sender) == std::vector<std::string>{"/lake/old"}));
}

BOOST_AUTO_TEST_CASE(where_the_server_cannot_copy_the_run_goes_on_and_a_rollback_names_what_it_replaced) {
  Fixture f;
  f.sender->copies_not_implemented = true;
  f.sender->objects["/lake/old"] = 6;
  S3SinkOptions options;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  const auto replaced = put(sink, new_object("old", true), "new data");
  BOOST_TEST_REQUIRE(replaced.ok(), replaced.status().message());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST((undone.replaced == std::vector<std::string>{
                  "s3://lake/old (no copy of it was kept: the server cannot copy it (CopyObject: HTTP 501 "
                  "NotImplemented))"}));
}

BOOST_AUTO_TEST_CASE(once_the_run_has_succeeded_its_kept_copies_are_deleted) {
  Fixture f;
  f.sender->objects["/lake/old"] = 6;
  f.sender->bodies["/lake/old"] = "before";
  S3SinkOptions options;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  BOOST_REQUIRE(put(sink, new_object("old", true), "new data").ok());
  BOOST_REQUIRE(sink.publish().ok());
  BOOST_REQUIRE(sink.drop_kept_copies().ok());
  BOOST_TEST((keys_of(*f.sender) == std::vector<std::string>{"/lake/old"}));
  BOOST_TEST(f.sender->bodies["/lake/old"] == "new data");
}

BOOST_AUTO_TEST_CASE(a_kept_copy_is_named_after_its_object_and_run_beside_it) {
  BOOST_TEST(kept_copy_key("ws9/2026/01/x-00001.csv", kRun) == "ws9/2026/01/.x-00001.csv.s3dest-" + kRun + ".kept");
  BOOST_TEST(kept_copy_key("x.csv", kRun) == ".x.csv.s3dest-" + kRun + ".kept");
  for (const std::string key : {"ws9/2026/01/x-00001.csv", "x.csv", "a/.hidden"}) {
    const auto parsed = parse_kept_copy_key(kept_copy_key(key, kRun));
    BOOST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->key == key);
    BOOST_TEST(parsed->run_id == kRun);
  }
  for (const std::string& other : std::vector<std::string>{"a/x.csv", "a/.x.csv.s3dest-not-a-run-id-at-all-x.kept", "a/x.csv.s3dest-" + kRun + ".kept",
                                  "a/..s3dest-" + kRun + ".kept", ".x.s3dest-" + kRun + ".tmp"})
    BOOST_TEST(!parse_kept_copy_key(other).has_value(), other);
}

BOOST_AUTO_TEST_CASE(every_version_the_run_made_of_a_key_goes_even_one_whose_reply_was_lost) {
  Fixture f;
  f.sender->versioned = true;
  f.sender->objects["/lake/old"] = 3;
  f.sender->versions["/lake/old"] = {"v0"};
  f.sender->run_of_version["v0"] = kEarlierRun;  // an earlier run's
  S3SinkOptions options;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  f.sender->replies_to_lose = 1;  // the first PUT makes v1, unheard of; its retry makes v2
  BOOST_REQUIRE(put(sink, new_object("old", true), "new data").ok());
  BOOST_TEST((f.sender->versions["/lake/old"] == std::vector<std::string>{"v0", "v1", "v2"}));
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.restored == 1u);
  BOOST_TEST((f.sender->versions["/lake/old"] == std::vector<std::string>{"v0"}));
}

BOOST_AUTO_TEST_CASE(where_the_runs_versions_cannot_be_deleted_the_replaced_objects_name_them) {
  Fixture f;
  f.sender->versioned = true;
  f.sender->version_deletes_refused = true;  // no s3:DeleteObjectVersion
  f.sender->objects["/lake/old"] = 3;
  f.sender->versions["/lake/old"] = {"v0"};
  S3Sink sink(f.client, S3SinkOptions{});
  BOOST_REQUIRE(put(sink, new_object("old", true), "new data").ok());
  BOOST_REQUIRE(put(sink, new_object("new"), "n").ok());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 1u);  // a plain delete: the key is gone (behind a delete marker)
  BOOST_TEST(f.sender->objects.count("/lake/new") == 0u);
  BOOST_REQUIRE_EQUAL(undone.replaced.size(), 1u);
  const std::string& named = undone.replaced.front();
  BOOST_TEST(named.rfind("s3://lake/old (its version v1 is this run's: delete that version to put back the one before it; ",
                         0) == 0u, named);
  BOOST_TEST(named.find("s3:DeleteObjectVersion") != std::string::npos, named);
}

BOOST_AUTO_TEST_CASE(a_null_version_is_never_deleted) {
  // Versioning suspended: a write replaces the key's "null" version in place, so deleting
  // it would bring back an older version than the one the run replaced.
  Fixture f;
  f.sender->versioned = true;
  f.sender->version_reply = "null";
  f.sender->objects["/lake/old"] = 3;
  S3Sink sink(f.client, S3SinkOptions{});
  BOOST_REQUIRE(put(sink, new_object("old", true), "new data").ok());
  BOOST_REQUIRE(put(sink, new_object("new"), "n").ok());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST((undone.replaced == std::vector<std::string>{"s3://lake/old"}));
  BOOST_TEST(undone.removed == 1u);
  for (const std::string& call : f.sender->calls) BOOST_TEST(call.find("versionId") == std::string::npos, call);
}

BOOST_AUTO_TEST_CASE(a_write_whose_reply_was_lost_is_the_runs_own_new_object_not_one_it_replaced) {
  // The first attempt wrote the object; its retry meets If-None-Match on it. The run's id
  // on the object says it is this run's, so it is new (and a rollback deletes it), not
  // another writer's that the run would then overwrite and report as replaced.
  Fixture f;
  S3SinkOptions options;
  options.part_bytes = 6;
  options.run_id = kRun;
  S3Sink sink(f.client, options);
  f.sender->replies_to_lose = 1;
  const auto small = put(sink, new_object("small"), "hello");
  BOOST_TEST_REQUIRE(small.ok(), small.status().message());
  BOOST_TEST(!small->replaced);
  BOOST_TEST(small->etag == "e");
  f.sender->replies_to_lose = 1;
  const auto big = put(sink, new_object("big"), {"012345", "6789"});  // the lost reply is CompleteMultipartUpload's
  BOOST_TEST_REQUIRE(big.ok(), big.status().message());
  BOOST_TEST(!big->replaced);
  // Written once each: no second, unconditional write over them.
  BOOST_TEST(std::count(f.sender->calls.begin(), f.sender->calls.end(), "PUT /lake/small") == 2);  // the retry: 412
  BOOST_TEST(std::count(f.sender->calls.begin(), f.sender->calls.end(), "DELETE /lake/big?uploadId") == 0);
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 2u);
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST(f.sender->objects.empty());

  // Another writer's object (another run's id) is still told from the run's own.
  f.sender->objects["/lake/raced"] = 1;
  f.sender->run_of["/lake/raced"] = kEarlierRun;
  const auto raced = put(sink, new_object("raced"), "mine");
  BOOST_REQUIRE(raced.ok());
  BOOST_TEST(raced->replaced);
}

BOOST_AUTO_TEST_CASE(a_key_that_appears_during_the_run_is_replaced_and_reported_or_kept) {
  Fixture f;
  S3Sink sink(f.client, S3SinkOptions{});
  f.sender->objects["/lake/raced"] = 1;  // another writer, after the listing said the key was free
  const auto replaced = put(sink, new_object("raced"), "mine");
  BOOST_REQUIRE(replaced.ok());
  BOOST_TEST(replaced->replaced);  // so a rollback never deletes it
  BOOST_TEST(f.sender->calls.size() == 2u);  // the conditional PUT, refused, then the plain one
  f.sender->objects["/lake/kept"] = 1;
  const auto kept = put(sink, new_object("kept", false, ExistingObjects::keep), "mine");
  BOOST_REQUIRE(!kept.ok());
  BOOST_TEST(kept.status().message().find("appeared while this run was writing") != std::string::npos);
  BOOST_TEST(f.sender->objects["/lake/kept"] == 1u);
}

BOOST_AUTO_TEST_CASE(parts_double_every_thousand_and_10000_is_the_most) {
  Fixture f;
  S3SinkOptions options;
  options.part_bytes = 1;  // tiny parts, so 10,000 of them are quick to make
  options.max_part_bytes = 4;
  options.concurrency = 2;
  S3Sink sink(f.client, options);
  auto writer = sink.create(new_object("big"));
  BOOST_REQUIRE(writer.ok());
  Status status;
  size_t written = 0;
  while (status.ok() && written < 100000) {
    status = (*writer)->write("x");
    ++written;
  }
  BOOST_REQUIRE(!status.ok());
  BOOST_TEST(status.message().find("more than 10000 parts") != std::string::npos, status.message());
  (*writer)->abort();
  BOOST_REQUIRE_EQUAL(f.sender->part_sizes.size(), 10000u);
  BOOST_TEST(f.sender->part_sizes[1000] == 1u);
  BOOST_TEST(f.sender->part_sizes[1001] == 2u);
  BOOST_TEST(f.sender->part_sizes[2001] == 4u);
  BOOST_TEST(f.sender->part_sizes[10000] == 4u);  // no more than max_part_bytes
  BOOST_TEST(f.sender->calls.back() == "DELETE /lake/big?uploadId");  // aborted
}

BOOST_AUTO_TEST_CASE(every_put_and_part_carries_its_checksum_and_what_s3_answers_is_checked) {
  Fixture f;
  S3SinkOptions options;
  options.part_bytes = 6;
  S3Sink sink(f.client, options);
  // PutObject: the body's CRC32C (of "hello": 0x9A71BB4C).
  const auto small = put(sink, new_object("small"), "hello");
  BOOST_REQUIRE(small.ok());
  BOOST_REQUIRE(f.sender->requests.at(0).find_header("x-amz-checksum-crc32c"));
  BOOST_TEST(*f.sender->requests.at(0).find_header("x-amz-checksum-crc32c") == "mnG7TA==");
  BOOST_TEST(small->checksum == "crc32c:mnG7TA==");
  // Multipart: the algorithm declared, each part's checksum sent and listed, and the
  // composite one S3 names (when it does) checked and kept.
  f.sender->composite_reply = composite_checksum(ChecksumAlgorithm::crc32c,
                                                 {body_checksum(ChecksumAlgorithm::crc32c, "012345"),
                                                  body_checksum(ChecksumAlgorithm::crc32c, "6789")});
  const auto big = put(sink, new_object("big"), {"012345", "6789"});
  BOOST_TEST_REQUIRE(big.ok(), big.status().message());
  BOOST_TEST(big->checksum == "crc32c:" + f.sender->composite_reply);
  BOOST_TEST(f.sender->composite_reply.substr(f.sender->composite_reply.size() - 2) == "-2");
  const http::HttpRequest& create = f.sender->requests.at(1);
  BOOST_TEST(*create.find_header("x-amz-checksum-algorithm") == "CRC32C");
  BOOST_TEST(create.find_header("x-amz-checksum-crc32c") == nullptr);  // no body, no checksum
  std::string first_part;
  append_base64(first_part, body_checksum(ChecksumAlgorithm::crc32c, "012345"));
  // Parts go up concurrently, so part 1 is found by its number, not by its place.
  const auto part_one = std::find_if(f.sender->requests.begin(), f.sender->requests.end(),
                                     [](const http::HttpRequest& r) { return r.url.find("partNumber=1&") != std::string::npos; });
  BOOST_REQUIRE(part_one != f.sender->requests.end());
  BOOST_TEST(*part_one->find_header("x-amz-checksum-crc32c") == first_part);
  BOOST_TEST(f.sender->requests.back().body.find("<ChecksumCRC32C>" + first_part + "</ChecksumCRC32C>") !=
             std::string::npos);
  // A checksum S3 names that is not ours fails the commit, and the object is the run's to undo.
  f.sender->composite_reply = "AAAAAA==-2";
  const auto damaged = put(sink, new_object("damaged"), {"012345", "6789"});
  BOOST_REQUIRE(!damaged.ok());
  BOOST_TEST(damaged.status().message().find("the data was damaged on the way") != std::string::npos);
  f.sender->composite_reply.clear();
  f.sender->echoed_checksum = "AAAAAA==";
  BOOST_TEST(!put(sink, new_object("damaged-small"), "hi").ok());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(f.sender->objects.count("/lake/damaged") == 0u);
  BOOST_TEST(f.sender->objects.count("/lake/damaged-small") == 0u);
  BOOST_TEST(undone.removed == 4u);
}

BOOST_AUTO_TEST_CASE(over_https_bodies_with_a_checksum_are_not_hashed_into_the_signature) {
  const auto content_sha256 = [](const http::HttpRequest& request) {
    const std::string* value = request.find_header("x-amz-content-sha256");
    BOOST_TEST_REQUIRE(value);
    return *value;
  };
  test_helpers::TempFolder dir;
  const std::string file = (dir.path / "big.csv").string();
  std::ofstream(file, std::ios::binary) << std::string(20, 'f');
  for (const bool tls : {true, false}) {
    Fixture f(tls ? "https://127.0.0.1:9" : "http://127.0.0.1:9");
    S3SinkOptions options;
    options.part_bytes = 6;
    S3Sink sink(f.client, options);
    BOOST_TEST(f.client->signs_checksummed_bodies() == !tls);
    BOOST_REQUIRE(put(sink, new_object("small"), "hello").ok());
    BOOST_REQUIRE(put(sink, new_object("big"), {"012345", "6789"}).ok());
    auto from_file = sink.create(new_object("from-file"));
    BOOST_REQUIRE(from_file.ok());
    const int fd = ::open(file.c_str(), O_RDONLY);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE((*from_file)->write_file(fd, 0, 20).ok());
    BOOST_REQUIRE((*from_file)->commit().ok());
    ::close(fd);
    // Every PutObject and part carries a CRC32C: over https its signature names
    // UNSIGNED-PAYLOAD, over http the body's SHA-256. A call without a body (create,
    // complete) is signed with its body's hash either way.
    size_t bodies = 0;
    for (const http::HttpRequest& request : f.sender->requests) {
      if (request.method != "PUT") {
        BOOST_TEST(content_sha256(request) != std::string(aws::kUnsignedPayload));
        continue;
      }
      ++bodies;
      BOOST_TEST(request.find_header("x-amz-checksum-crc32c"));
      const bool part = request.url.find("partNumber=") != std::string::npos;  // its body is not kept
      if (tls) BOOST_TEST(content_sha256(request) == std::string(aws::kUnsignedPayload));
      else if (part) BOOST_TEST(content_sha256(request).size() == 64u);
      else BOOST_TEST(content_sha256(request) == aws::payload_sha256(request.body));
    }
    BOOST_TEST(bodies == 4u);  // small, two parts of big, the file's one part
  }
  // Without a checksum the signature is what protects the body, over https too.
  Fixture f("https://127.0.0.1:9");
  S3SinkOptions options;
  options.checksum = ChecksumAlgorithm::none;
  S3Sink sink(f.client, options);
  BOOST_REQUIRE(put(sink, new_object("small"), "hello").ok());
  BOOST_TEST(content_sha256(f.sender->requests.at(0)) == aws::payload_sha256("hello"));
}

BOOST_AUTO_TEST_CASE(object_properties_go_on_put_and_create_never_on_a_part) {
  Fixture f;
  S3SinkOptions options;
  options.part_bytes = 6;
  options.run_id = "20240102T030405Z-0123abcd";
  S3Sink sink(f.client, options);
  NewObject small = new_object("small");
  small.properties.content_type = "text/csv";
  small.properties.storage_class = "STANDARD_IA";
  small.properties.canned_acl = "bucket-owner-full-control";
  small.properties.tags = {{"dataset", "ds 1"}, {"day", "2024-01-02"}};
  small.properties.metadata = {{"team", "data"}};
  NewObject big = small;
  big.key = "big";
  const auto put_small = put(sink, small, "hello");
  BOOST_TEST_REQUIRE(put_small.ok(), put_small.status().message());
  BOOST_TEST_REQUIRE(put(sink, big, {"012345", "6789"}).ok());
  const auto carries = [](const http::HttpRequest& r) {
    return r.find_header("Content-Type") && *r.find_header("Content-Type") == "text/csv" &&
           r.find_header("x-amz-storage-class") && r.find_header("x-amz-acl") && r.find_header("x-amz-meta-team") &&
           r.find_header("x-amz-tagging") && *r.find_header("x-amz-tagging") == "dataset=ds%201&day=2024-01-02";
  };
  for (const http::HttpRequest& r : f.sender->requests) {
    const bool part = r.url.find("partNumber=") != std::string::npos;
    const bool complete = r.url.find("uploadId=") != std::string::npos && !part;
    BOOST_TEST_CONTEXT(r.method << " " << r.url) {
      const bool new_object = !part && !complete;  // PutObject and CreateMultipartUpload
      BOOST_TEST(carries(r) == new_object);
      BOOST_TEST((r.find_header("x-amz-meta-s3dest-run") != nullptr) == new_object);
    }
  }
  BOOST_TEST(f.sender->requests.size() == 5u);  // put, create, two parts, complete
}

BOOST_AUTO_TEST_CASE(object_property_headers_send_only_what_is_set) {
  BOOST_TEST(s3::object_property_headers(ObjectProperties{}).empty());
  ObjectProperties p;
  p.content_type = "application/gzip";
  p.content_encoding = "gzip";
  p.tags = {{"a b", "x/y+z=1&2"}, {"k", ""}};
  p.metadata = {{"team", "data"}, {"empty", ""}};
  const auto headers = s3::object_property_headers(p);
  std::vector<std::string> lines;
  for (const auto& h : headers) lines.push_back(h.name + ": " + h.value);
  BOOST_TEST((lines == std::vector<std::string>{"Content-Type: application/gzip", "Content-Encoding: gzip",
                                                "x-amz-tagging: a%20b=x%2Fy%2Bz%3D1%262&k=", "x-amz-meta-team: data",
                                                "x-amz-meta-empty: "}));
}

BOOST_AUTO_TEST_CASE(md5_goes_as_content_md5) {
  Fixture f;
  S3SinkOptions options;
  options.checksum = ChecksumAlgorithm::md5;
  S3Sink sink(f.client, options);
  BOOST_REQUIRE(put(sink, new_object("k"), "hello").ok());
  BOOST_TEST(*f.sender->requests.at(0).find_header("Content-MD5") == "XUFAKrxLKna5cZ2REBfFkg==");
}

BOOST_AUTO_TEST_CASE(a_file_goes_up_in_parts_from_the_file_with_md5_too) {
  // Read from a file, a part is at least a MiB (what S3's 10,000 parts need, in whole
  // MiB): 2.5 MiB go up as three parts.
  const uint64_t mib = uint64_t{1} << 20;
  std::string bytes(5 * mib / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + i * 7 % 26);
  test_helpers::TempFolder dir;
  const std::string file = (dir.path / "big.csv").string();
  std::ofstream(file, std::ios::binary) << bytes;
  Fixture f;
  S3SinkOptions options;
  options.part_bytes = 6;
  options.checksum = ChecksumAlgorithm::md5;
  S3Sink sink(f.client, options);
  auto writer = sink.create(new_object("from-file"));
  BOOST_REQUIRE(writer.ok());
  const int fd = ::open(file.c_str(), O_RDONLY);
  BOOST_REQUIRE(fd >= 0);
  BOOST_REQUIRE((*writer)->write_file(fd, 0, bytes.size()).ok());
  const auto info = (*writer)->commit();
  ::close(fd);
  BOOST_TEST_REQUIRE(info.ok(), info.status().message());
  // Each part carries its own Content-MD5, and the manifest gets the whole file's.
  const auto md5_of = [](std::string_view text) {
    std::string base64;
    append_base64(base64, body_checksum(ChecksumAlgorithm::md5, text));
    return base64;
  };
  BOOST_TEST(info->checksum == "md5:" + md5_of(bytes));
  std::map<int, std::string> part_md5;
  for (const http::HttpRequest& request : f.sender->requests) {
    const size_t at = request.url.find("partNumber=");
    if (at == std::string::npos) continue;
    const std::string* md5 = request.find_header("Content-MD5");
    BOOST_REQUIRE(md5);
    part_md5[std::stoi(request.url.substr(at + 11))] = *md5;
  }
  BOOST_TEST(part_md5.size() == 3u);
  const std::string_view all(bytes);
  BOOST_TEST(part_md5[1] == md5_of(all.substr(0, mib)));
  BOOST_TEST(part_md5[2] == md5_of(all.substr(mib, mib)));
  BOOST_TEST(part_md5[3] == md5_of(all.substr(2 * mib)));
}
