#define BOOST_TEST_MODULE object_client
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "s3dest/s3/object_client.hpp"

using namespace s3dest;

namespace {

// Answers every request with the next canned response and keeps what it was sent: for
// the addressing and the reading of replies. The real server is in the e2e tests.
class ScriptedSender final : public http::HttpSender {
 public:
  std::vector<http::HttpResponse> replies;
  std::vector<http::HttpRequest> sent;
  Result<http::HttpResponse> send(const http::HttpRequest& request) override {
    sent.push_back(request);
    sent.back().body = std::string(request.payload());  // the caller's body is gone once it has the reply
    sent.back().borrowed_body = {};
    if (replies.empty()) return destination_error("no reply scripted");
    http::HttpResponse reply = replies.front();
    replies.erase(replies.begin());
    return reply;
  }
};

std::shared_ptr<aws::CredentialsProvider> keys() {
  return std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt}, "the config");
}

s3::BucketEndpoint bucket_at(std::string bucket, std::string region, std::string endpoint = "",
                             bool path_style = false) {
  s3::BucketEndpoint b;
  b.bucket = std::move(bucket);
  b.region = std::move(region);
  b.endpoint = std::move(endpoint);
  b.path_style = path_style;
  return b;
}

std::string url(const s3::BucketEndpoint& bucket, std::string_view key) {
  auto u = s3::object_url(bucket, key);
  BOOST_REQUIRE_MESSAGE(u.ok(), u.status().message());
  return *u;
}

}  // namespace

BOOST_AUTO_TEST_CASE(objects_are_addressed_virtual_hosted_or_path_style) {
  s3::BucketEndpoint aws_bucket = bucket_at("my-bucket", "eu-west-1");
  BOOST_TEST(url(aws_bucket, "a/b c+d.csv") == "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b%20c%2Bd.csv");
  s3::BucketEndpoint local = bucket_at("lake", "us-east-1", "http://127.0.0.1:7480/", true);
  BOOST_TEST(url(local, "ws1/2026/01/x-00001.parquet") == "http://127.0.0.1:7480/lake/ws1/2026/01/x-00001.parquet");
  BOOST_TEST(url(local, "") == "http://127.0.0.1:7480/lake/");
  // A dotted name goes in the path: it would not match the wildcard certificate.
  s3::BucketEndpoint dotted = bucket_at("my.bucket", "us-east-1");
  BOOST_TEST(url(dotted, "k") == "https://s3.us-east-1.amazonaws.com/my.bucket/k");
  // An IP address endpoint has no host names below it: path style, as the AWS SDKs do.
  BOOST_TEST(url(bucket_at("lake", "us-east-1", "http://127.0.0.1:4569"), "k") == "http://127.0.0.1:4569/lake/k");
  BOOST_TEST(url(bucket_at("lake", "us-east-1", "http://[::1]:4569"), "k") == "http://[::1]:4569/lake/k");
  BOOST_TEST(url(bucket_at("lake", "us-east-1", "http://minio.local:9000"), "k") == "http://lake.minio.local:9000/k");
  BOOST_TEST(!s3::object_url(bucket_at("a/b", "us-east-1"), "k").ok());
  BOOST_TEST(!s3::object_url(bucket_at("bucket", "us-east-1/x"), "k").ok());
}

BOOST_AUTO_TEST_CASE(requests_are_signed_for_s3_with_the_body_hash) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back({200, {{"ETag", "\"abc\""}}, ""});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender,
                          [] { return 1440938160; });
  auto put = client.put_object("a b.txt", "hello", {{"x-amz-server-side-encryption", "AES256"}});
  BOOST_REQUIRE(put.ok());
  const http::HttpRequest& sent = sender->sent.at(0);
  BOOST_TEST(sent.method == "PUT");
  BOOST_TEST(sent.url == "http://127.0.0.1:7480/lake/a%20b.txt");
  BOOST_TEST(*sent.find_header("Host") == "127.0.0.1:7480");
  BOOST_TEST(*sent.find_header("x-amz-content-sha256") == aws::payload_sha256("hello"));
  const std::string& authorization = *sent.find_header("Authorization");
  BOOST_TEST(authorization.find("Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request") != std::string::npos);
  BOOST_TEST(authorization.find("x-amz-server-side-encryption") != std::string::npos);  // signed too
}

// What a progress line shows: the bytes of objects and parts S3 took, not of refusals.
BOOST_AUTO_TEST_CASE(the_upload_meter_counts_what_s3_took) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back({200, {{"ETag", "\"a\""}}, ""});
  sender->replies.push_back({403, {}, "<Error><Code>AccessDenied</Code></Error>"});
  sender->replies.push_back({200, {{"ETag", "\"b\""}}, ""});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender);
  BOOST_REQUIRE(client.put_object("a", "hello").ok());
  BOOST_REQUIRE(!client.put_object("b", "refused").ok());
  BOOST_REQUIRE(client.upload_part("c", "id", 1, "part!!").ok());
  BOOST_TEST(client.uploads().bytes_stored.load() == 11u);  // "hello" and "part!!"
  BOOST_TEST(client.uploads().in_flight.load() == 0u);
}

BOOST_AUTO_TEST_CASE(errors_say_what_s3_answered_and_what_to_check_without_secrets) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back(
      {403, {}, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"});
  s3::ObjectClient client(bucket_at("lake", "us-east-1"), keys(), sender);
  const Status denied = client.put_object("x", "y").status();
  BOOST_TEST(denied.exit_code() == 4);
  BOOST_TEST(denied.message().find("PutObject s3://lake/x was refused: HTTP 403 AccessDenied (Access Denied)") !=
             std::string::npos);
  BOOST_TEST(denied.message().find("policy") != std::string::npos);
  BOOST_TEST(denied.message().find("the config") != std::string::npos);
  BOOST_TEST(denied.message().find("wJalr") == std::string::npos);

  sender->replies.push_back({301, {{"x-amz-bucket-region", "eu-central-1"}},
                             "<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>"});
  const Status moved = client.head_object("x").status();
  BOOST_TEST(moved.message().find("the bucket is in eu-central-1, not us-east-1") != std::string::npos);
  BOOST_TEST(moved.message().find("set \"region\"") != std::string::npos);

  sender->replies.push_back({404, {}, ""});  // HEAD: no body
  BOOST_TEST(client.head_object("gone").status().message().find("NoSuchKey") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_refusal_names_the_action_and_resource_and_what_the_headers_add) {
  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "us-east-1"), keys(), sender);
  const std::string denied_xml = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";

  sender->replies.push_back({403, {}, denied_xml});
  const Status put = client.put_object("ws9/x.csv", "y", {{"x-amz-server-side-encryption", "aws:kms"},
                                                          {"x-amz-tagging", "a=b"}}).status();
  BOOST_TEST(s3::is_permission_refusal(put));
  BOOST_TEST(put.message().find("not allowed to do s3:PutObject on arn:aws:s3:::lake/ws9/x.csv") != std::string::npos);
  BOOST_TEST(put.message().find("s3:PutObjectTagging") != std::string::npos);
  BOOST_TEST(put.message().find("kms:GenerateDataKey") != std::string::npos);
  BOOST_TEST(put.message().find("s3dest policy") != std::string::npos);

  sender->replies.push_back({403, {}, denied_xml});  // a bucket action: on the bucket's ARN
  const Status list = client.list_keys("ws9/").status();
  BOOST_TEST(list.message().find("not allowed to do s3:ListBucket on arn:aws:s3:::lake:") != std::string::npos);

  sender->replies.push_back({403, {}, ""});  // HEAD: no body, still a refusal of s3:GetObject
  BOOST_TEST(client.head_object("k").status().message().find("s3:GetObject on arn:aws:s3:::lake/k") !=
             std::string::npos);

  sender->replies.push_back({404, {}, "<Error><Code>NoSuchBucket</Code></Error>"});
  const Status missing = client.delete_object("k");
  BOOST_TEST(!s3::is_permission_refusal(missing));
  BOOST_TEST(missing.message().find("there is no bucket \"lake\" in AWS") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_versioned_buckets_version_ids_are_read_with_care_and_deleted_by_id) {
  const auto reply_naming = [](std::string id) { return http::HttpResponse{200, {{"x-amz-version-id", std::move(id)}}, ""}; };
  // AWS's ids hold '/', '+' and '='; radosgw's letters, digits, '.', '-' and '_'.
  const std::string aws_id = "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo=";
  BOOST_TEST(s3::version_id_of(reply_naming(aws_id)) == aws_id);
  BOOST_TEST(s3::version_id_of(http::HttpResponse{200, {}, ""}).empty());  // no versions kept
  BOOST_TEST(s3::version_id_of(reply_naming("null")).empty());  // versioning suspended: written in place
  BOOST_TEST(s3::version_id_of(reply_naming("v1\x1b[2J")).empty());  // not a token: not trusted
  BOOST_TEST(s3::version_id_of(reply_naming("v 1")).empty());
  BOOST_TEST(s3::version_id_of(reply_naming(std::string(1025, 'v'))).empty());

  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "us-east-1"), keys(), sender);
  sender->replies.push_back({204, {}, ""});
  BOOST_REQUIRE(client.delete_object_version("ws9/x.csv", "3/L4+x=").ok());
  BOOST_TEST(sender->sent.back().method == "DELETE");
  BOOST_TEST(sender->sent.back().url == "https://lake.s3.us-east-1.amazonaws.com/ws9/x.csv?versionId=3%2FL4%2Bx%3D");
  sender->replies.push_back({403, {}, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"});
  const Status refused = client.delete_object_version("ws9/x.csv", "v1");
  BOOST_TEST(refused.message().find("not allowed to do s3:DeleteObjectVersion on arn:aws:s3:::lake/ws9/x.csv") !=
                 std::string::npos,
             refused.message());
}

BOOST_AUTO_TEST_CASE(delete_objects_sends_keys_as_xml_with_a_content_md5_and_reads_each_failure) {
  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "us-east-1"), keys(), sender);
  const std::vector<s3::ObjectToDelete> objects = {{"a&b.csv", ""}, {"c.csv", "v/1"}, {"d.csv", ""}};
  sender->replies.push_back({200, {}, "<DeleteResult><Error><Key>a&amp;b.csv</Key><Code>AccessDenied</Code>"
                                      "<Message>Access \x1b[2JDenied</Message></Error></DeleteResult>"});
  const std::vector<Status> outcomes = client.delete_objects(objects);
  BOOST_REQUIRE(sender->sent.size() == 1u);
  const http::HttpRequest& request = sender->sent.back();
  BOOST_TEST(request.method == "POST");
  BOOST_TEST(request.url == "https://lake.s3.us-east-1.amazonaws.com/?delete=");
  BOOST_TEST(request.payload() ==
             "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
             "<Object><Key>a&amp;b.csv</Key></Object><Object><Key>c.csv</Key><VersionId>v/1</VersionId></Object>"
             "<Object><Key>d.csv</Key></Object></Delete>");
  BOOST_TEST(request.find_header("Content-MD5") != nullptr);
  BOOST_REQUIRE(outcomes.size() == 3u);
  BOOST_TEST(!outcomes[0].ok());
  BOOST_TEST(outcomes[0].message().find("s3://lake/a&b.csv was refused: AccessDenied") != std::string::npos,
             outcomes[0].message());
  BOOST_TEST(s3::is_permission_refusal(outcomes[0]));  // told as a refused DeleteObject is
  BOOST_TEST(outcomes[0].message().find('\x1b') == std::string::npos);  // the server's text, made printable
  BOOST_TEST(outcomes[1].ok());
  BOOST_TEST(outcomes[2].ok());

  // Anything but a DeleteResult: a server without the call (501; GCS answered 400), or a
  // reply that is no S3 answer at all. One DeleteObject (or DeleteObjectVersion) each.
  for (const http::HttpResponse& reply :
       {http::HttpResponse{501, {}, "<Error><Code>NotImplemented</Code></Error>"},
        http::HttpResponse{400, {}, "<Error><Code>InvalidArgument</Code></Error>"},
        http::HttpResponse{200, {}, "<html>proxy</html>"}}) {
    BOOST_TEST_CONTEXT(reply.status << " " << reply.body) {
      sender->replies.push_back(reply);
      for (int i = 0; i < 3; ++i) sender->replies.push_back({204, {}, ""});
      for (const Status& outcome : client.delete_objects(objects)) BOOST_TEST(outcome.ok());
      BOOST_TEST(sender->sent.back().url == "https://lake.s3.us-east-1.amazonaws.com/d.csv");
      BOOST_TEST(sender->sent[sender->sent.size() - 2].url ==
                 "https://lake.s3.us-east-1.amazonaws.com/c.csv?versionId=v%2F1");
      BOOST_TEST(sender->replies.empty());
    }
  }
  // S3 not reached (after the retries): every object failed, none asked again.
  const size_t sent_before = sender->sent.size();
  for (const Status& outcome : client.delete_objects(objects)) BOOST_TEST(!outcome.ok());  // no reply scripted
  BOOST_TEST(sender->sent.size() > sent_before);
  BOOST_TEST(sender->sent.back().method == "POST");
  // Refused as a whole (radosgw under a policy that grants s3:DeleteObject on a prefix
  // only): the same, and each object's own refusal is what tells.
  sender->replies.push_back({403, {}, "<Error><Code>AccessDenied</Code></Error>"});
  sender->replies.push_back({204, {}, ""});
  sender->replies.push_back({403, {}, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"});
  sender->replies.push_back({204, {}, ""});
  const std::vector<Status> one_by_one = client.delete_objects(objects);
  BOOST_TEST(one_by_one[0].ok());
  BOOST_TEST(s3::is_permission_refusal(one_by_one[1]));
  BOOST_TEST(one_by_one[1].message().find("s3:DeleteObjectVersion on arn:aws:s3:::lake/c.csv") != std::string::npos,
             one_by_one[1].message());
  BOOST_TEST(one_by_one[2].ok());
}

BOOST_AUTO_TEST_CASE(kms_is_named_when_the_server_says_kms_refused_and_arns_follow_the_partition) {
  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "cn-north-1"), keys(), sender);
  // A part carries no encryption header; the key's refusal shows only in the message.
  sender->replies.push_back({403, {}, "<Error><Code>AccessDenied</Code><Message>User is not authorized to perform: "
                                      "kms:Decrypt</Message></Error>"});
  const Status part = client.upload_part("k", "u1", 1, "v").status();
  BOOST_TEST(part.message().find("not allowed to do s3:PutObject on arn:aws-cn:s3:::lake/k") != std::string::npos,
             part.message());
  BOOST_TEST(part.message().find("kms:Decrypt, for multipart uploads") != std::string::npos, part.message());
}

BOOST_AUTO_TEST_CASE(common_refusals_say_what_to_change) {
  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "us-east-1"), keys(), sender);
  const auto refusal = [&](int status, std::string body) {
    sender->replies.push_back({status, {}, std::move(body)});
    return client.put_object("k", "v").status().message();
  };
  BOOST_TEST(refusal(400, "<Error><Code>InvalidStorageClass</Code></Error>").find("\"storage_class\"") !=
             std::string::npos);
  BOOST_TEST(refusal(400,
                     "<Error><Code>InvalidRequest</Code><Message>Content-MD5 OR x-amz-checksum- HTTP header is "
                     "required for Put Object requests with Object Lock parameters</Message></Error>")
                 .find("set \"checksum\" to \"crc32c\"") != std::string::npos);
  BOOST_TEST(refusal(400, "<Error><Code>AccessControlListNotSupported</Code></Error>")
                 .find("remove \"canned_acl\"") != std::string::npos);
  const std::string signature = refusal(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
  BOOST_TEST(signature.find("secret key") != std::string::npos);
  BOOST_TEST(signature.find("clock") != std::string::npos);
  // A wrong region, named by the reply's <Region> (no header): the message names it.
  const std::string region = refusal(
      400, "<Error><Code>AuthorizationHeaderMalformed</Code><Region>ap-south-1</Region></Error>");
  BOOST_TEST(region.find("set \"region\": \"ap-south-1\"") != std::string::npos);
  // A region that is no region's shape is not repeated.
  BOOST_TEST(refusal(400, "<Error><Code>AuthorizationHeaderMalformed</Code><Region>\x1b[31m</Region></Error>")
                 .find("\x1b") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_buckets_region_comes_from_head_bucket_even_when_it_is_refused) {
  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "us-east-1"), keys(), sender);
  sender->replies.push_back({403, {{"x-amz-bucket-region", "eu-west-1"}}, ""});
  auto region = client.bucket_region();
  BOOST_REQUIRE(region.ok());
  BOOST_TEST(*region == "eu-west-1");
  BOOST_TEST(sender->sent.at(0).method == "HEAD");
  BOOST_TEST(sender->sent.at(0).url == "https://lake.s3.us-east-1.amazonaws.com/");
  sender->replies.push_back({200, {}, ""});  // an S3-compatible server that does not say
  auto unnamed = client.bucket_region();
  BOOST_TEST((unnamed.ok() && unnamed->empty()));
  sender->replies.push_back({404, {}, ""});
  BOOST_TEST(client.bucket_region().status().message().find("no bucket \"lake\"") != std::string::npos);
  sender->replies.push_back({405, {}, "<Error><Code>MethodNotAllowed</Code></Error>"});  // no answer on the bucket
  BOOST_TEST(client.bucket_region().status().message().find("HeadBucket s3://lake/ was refused: HTTP 405") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(tags_and_grants_are_read_back) {
  auto sender = std::make_shared<ScriptedSender>();
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender);
  sender->replies.push_back({200, {},
                             "<Tagging><TagSet><Tag><Key>dataset</Key><Value>costs</Value></Tag>"
                             "<Tag><Key>day</Key><Value>2024-01-02</Value></Tag></TagSet></Tagging>"});
  auto tags = client.get_object_tagging("k");
  BOOST_REQUIRE(tags.ok());
  BOOST_TEST(tags->size() == 2u);
  BOOST_TEST(tags->at(1).first == "day");
  BOOST_TEST(tags->at(1).second == "2024-01-02");
  BOOST_TEST(sender->sent.at(0).url == "http://127.0.0.1:7480/lake/k?tagging=");
  sender->replies.push_back(
      {200, {},
       "<AccessControlPolicy><Owner><ID>writer</ID></Owner><AccessControlList>"
       "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">"
       "<ID>owner</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>"
       "<Grant><Grantee><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>"
       "<Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"});
  auto grants = client.get_object_acl("k");
  BOOST_REQUIRE(grants.ok());
  BOOST_REQUIRE(grants->size() == 2u);
  BOOST_TEST(grants->at(0).grantee == "owner");
  BOOST_TEST(grants->at(0).permission == "FULL_CONTROL");
  BOOST_TEST(grants->at(1).grantee == "http://acs.amazonaws.com/groups/global/AllUsers");
}

BOOST_AUTO_TEST_CASE(listing_reads_the_keys) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back(
      {200, {},
       "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
       "<Name>lake</Name><Contents><Key>p/a&amp;b</Key></Contents><Contents><Key>p/c</Key></Contents>"
       "</ListBucketResult>"});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://localhost:9000", true), keys(), sender);
  auto keys_listed = client.list_keys("p/", 10);
  BOOST_REQUIRE(keys_listed.ok());
  BOOST_TEST((*keys_listed == std::vector<std::string>{"p/a&b", "p/c"}));
  BOOST_TEST(sender->sent.at(0).url == "http://localhost:9000/lake/?list-type=2&max-keys=10&prefix=p%2F");
}

BOOST_AUTO_TEST_CASE(a_listing_says_when_each_object_was_last_changed_where_the_server_does) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back(
      {200, {},
       "<ListBucketResult><Contents><Key>p/a</Key><LastModified>2026-12-07T10:15:02.250Z</LastModified></Contents>"
       "<Contents><Key>p/b</Key></Contents>"
       "<Contents><Key>p/c</Key><LastModified>yesterday</LastModified></Contents></ListBucketResult>"});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://localhost:9000", true), keys(), sender);
  std::vector<std::pair<std::string, int64_t>> seen;
  const Status listed = client.visit_objects("p/", [&](const s3::ListedObject& object) {
    seen.emplace_back(object.key, object.last_modified_micros);
    return Status();
  });
  BOOST_TEST_REQUIRE(listed.ok(), listed.message());
  BOOST_TEST_REQUIRE(seen.size() == 3u);
  BOOST_TEST(seen[0].second == *parse_timestamp("2026-12-07T10:15:02.250Z"));
  BOOST_TEST(seen[0].second == int64_t{1796638502250000});
  BOOST_TEST(seen[1].second == 0);  // not said
  BOOST_TEST(seen[2].second == 0);  // not a time
}

BOOST_AUTO_TEST_CASE(a_listing_hands_on_each_page_before_it_asks_for_the_next) {
  auto sender = std::make_shared<ScriptedSender>();
  const auto page = [](const std::string& keys_xml, const std::string& next) {
    const std::string token = next.empty() ? "" : "<NextContinuationToken>" + next + "</NextContinuationToken>";
    return "<ListBucketResult><IsTruncated>" + std::string(next.empty() ? "false" : "true") + "</IsTruncated>" +
           keys_xml + token + "</ListBucketResult>";
  };
  sender->replies.push_back(
      {200, {}, page("<Contents><Key>p/1</Key></Contents><Contents><Key>p/2</Key></Contents>", "t1")});
  sender->replies.push_back({200, {}, page("<Contents><Key>p/3</Key></Contents>", "")});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://localhost:9000", true), keys(), sender);
  std::vector<std::string> seen;
  size_t requests_when_third_seen = 0;
  const Status listed = client.visit_keys("p/", [&](std::string_view key) {
    seen.emplace_back(key);
    if (seen.size() == 3) requests_when_third_seen = sender->sent.size();
    return Status();
  });
  BOOST_REQUIRE(listed.ok());
  BOOST_TEST((seen == std::vector<std::string>{"p/1", "p/2", "p/3"}));
  BOOST_TEST(requests_when_third_seen == 2u);
  BOOST_TEST(sender->sent.at(1).url.find("continuation-token=t1") != std::string::npos);

  // A visitor's failure ends the listing: no next page is asked for.
  sender->replies.push_back({200, {}, page("<Contents><Key>p/1</Key></Contents>", "t1")});
  const size_t before = sender->sent.size();
  const Status stopped = client.visit_keys("p/", [](std::string_view) { return usage_error("enough"); });
  BOOST_TEST(stopped.message() == "enough");
  BOOST_TEST(sender->sent.size() == before + 1);
}

BOOST_AUTO_TEST_CASE(a_listing_that_repeats_keys_is_refused_not_followed_without_end) {
  // A broken server that hands out the same page again and again: the second page's key
  // comes again, and the listing stops there, before a caller keeps any key twice.
  auto sender = std::make_shared<ScriptedSender>();
  const std::string looping_page =
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/00001</Key></Contents>"
      "<NextContinuationToken>again</NextContinuationToken></ListBucketResult>";
  for (int i = 0; i < 3; ++i) sender->replies.push_back({200, {}, looping_page});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://localhost:9000", true), keys(), sender);
  size_t visited = 0;
  const Status listed = client.visit_keys("p/", [&](std::string_view) {
    ++visited;
    return Status();
  });
  BOOST_TEST((listed.kind() == ErrorKind::destination));
  BOOST_TEST(listed.message().find("listed \"p/00001\" after \"p/00001\"") != std::string::npos, listed.message());
  BOOST_TEST(listed.message().find("check the endpoint") != std::string::npos);
  BOOST_TEST(visited == 1u);
  BOOST_TEST(sender->sent.size() == 2u);

  // Keys out of order, with a terminal escape in one: refused, the key shown escaped.
  sender->replies.push_back({200, {},
                             "<ListBucketResult><Contents><Key>p/b</Key></Contents><Contents><Key>p/a&#x1b;[2J</Key>"
                             "</Contents></ListBucketResult>"});
  const Status reordered = client.visit_keys("p/", [](std::string_view) { return Status(); });
  BOOST_TEST(!reordered.ok());
  BOOST_TEST(reordered.message().find("after \"p/b\"") != std::string::npos, reordered.message());
  BOOST_TEST(reordered.message().find('\x1b') == std::string::npos, reordered.message());
}

BOOST_AUTO_TEST_CASE(a_clock_off_by_an_hour_is_corrected_from_the_servers_date) {
  auto sender = std::make_shared<ScriptedSender>();
  // 2015-08-30T12:36:00Z here; the server says an hour later and refuses the signature.
  sender->replies.push_back({403, {{"Date", "Sun, 30 Aug 2015 13:36:00 GMT"}},
                             "<Error><Code>RequestTimeTooSkewed</Code><Message>too skewed</Message></Error>"});
  sender->replies.push_back({200, {}, ""});
  sender->replies.push_back({200, {}, ""});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender,
                          [] { return 1440938160; });
  BOOST_REQUIRE(client.put_object("k", "v").ok());
  BOOST_REQUIRE_EQUAL(sender->sent.size(), 2u);
  BOOST_TEST(*sender->sent[0].find_header("X-Amz-Date") == "20150830T123600Z");
  BOOST_TEST(*sender->sent[1].find_header("X-Amz-Date") == "20150830T133600Z");
  // Later requests keep the server's time.
  BOOST_REQUIRE(client.delete_object("k").ok());
  BOOST_TEST(*sender->sent[2].find_header("X-Amz-Date") == "20150830T133600Z");
}

BOOST_AUTO_TEST_CASE(http_dates_are_read_exactly) {
  BOOST_TEST(*aws::parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT") == 1440938160);
  BOOST_TEST(*aws::parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  BOOST_TEST(!aws::parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"));
  BOOST_TEST(!aws::parse_http_date("Sunday, 30-Aug-15 12:36:00 GMT"));
  BOOST_TEST(!aws::parse_http_date("Sun, 30 Aug 2015 25:36:00 GMT"));
}

BOOST_AUTO_TEST_CASE(a_conditional_put_says_when_the_key_holds_an_object) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back({200, {{"ETag", "\"e\""}}, ""});
  sender->replies.push_back({412, {}, "<Error><Code>PreconditionFailed</Code><Message></Message></Error>"});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender);
  auto created = client.put_object_if_absent("k", "v");
  BOOST_REQUIRE(created.ok());
  BOOST_TEST(created->has_value());
  BOOST_TEST(*sender->sent[0].find_header("If-None-Match") == "*");
  BOOST_TEST(sender->sent[0].find_header("Authorization")->find("if-none-match") != std::string::npos);  // signed
  auto existed = client.put_object_if_absent("k", "v");
  BOOST_REQUIRE(existed.ok());
  BOOST_TEST(!existed->has_value());
}

BOOST_AUTO_TEST_CASE(listings_follow_every_page) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back({200, {},
                             "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/1</Key></Contents>"
                             "<NextContinuationToken>tok/en=</NextContinuationToken></ListBucketResult>"});
  sender->replies.push_back(
      {200, {}, "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/2</Key></Contents></ListBucketResult>"});
  sender->replies.push_back({200, {},
                             "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated><NextKeyMarker>p/a</NextKeyMarker>"
                             "<NextUploadIdMarker>u1</NextUploadIdMarker><Upload><Key>p/a</Key><UploadId>u1</UploadId>"
                             "<Initiated>2026-12-01T22:44:12.000Z</Initiated></Upload></ListMultipartUploadsResult>"});
  sender->replies.push_back({200, {},
                             "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>p/b</Key>"
                             "<UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>"});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://localhost:9000", true), keys(), sender);
  auto listed = client.list_keys("p/");
  BOOST_REQUIRE(listed.ok());
  BOOST_TEST((*listed == std::vector<std::string>{"p/1", "p/2"}));
  BOOST_TEST(sender->sent[1].url ==
             "http://localhost:9000/lake/?continuation-token=tok%2Fen%3D&list-type=2&max-keys=1000&prefix=p%2F");
  auto uploads = client.list_multipart_uploads("p/");
  BOOST_REQUIRE(uploads.ok());
  BOOST_REQUIRE_EQUAL(uploads->size(), 2u);
  BOOST_TEST((*uploads)[0].key == "p/a");
  BOOST_TEST((*uploads)[0].initiated_micros == *parse_timestamp("2026-12-01T22:44:12Z"));
  BOOST_TEST((*uploads)[1].upload_id == "u2");
  BOOST_TEST(sender->sent[3].url == "http://localhost:9000/lake/?key-marker=p%2Fa&prefix=p%2F&upload-id-marker=u1&uploads=");
}

BOOST_AUTO_TEST_CASE(a_raised_stop_flag_abandons_writes_but_never_the_calls_that_undo) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.assign(4, http::HttpResponse{200, {{"ETag", "\"e\""}}, ""});
  StopFlag stop;
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender,
                          aws::unix_now, &stop);
  BOOST_REQUIRE(client.put_object("k", "v").ok());
  BOOST_TEST(sender->sent[0].stop == &stop);  // the transport watches it during the transfer
  stop.raise("SIGINT");
  BOOST_REQUIRE(client.abort_multipart_upload("k", "u").ok());
  BOOST_REQUIRE(client.delete_object("k").ok());
  BOOST_TEST(sender->sent[1].stop == nullptr);
  BOOST_TEST(sender->sent[2].stop == nullptr);
}

BOOST_AUTO_TEST_CASE(what_a_hostile_server_says_reaches_the_message_escaped_and_masked) {
  auto sender = std::make_shared<ScriptedSender>();
  sender->replies.push_back(
      {403, {}, "<Error><Code>AccessDenied\x1b[31m</Code><Message>denied\a\nSignature=0123456789abcdef "
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY</Message></Error>"});
  s3::ObjectClient client(bucket_at("lake", "us-east-1", "http://127.0.0.1:7480", true), keys(), sender);
  const std::string message = client.put_object("k", "v").status().message();
  BOOST_TEST(message.find('\x1b') == std::string::npos);
  BOOST_TEST(message.find('\a') == std::string::npos);
  BOOST_TEST(message.find('\n') == std::string::npos);
  BOOST_TEST(message.find("AccessDenied\\x1B[31m") != std::string::npos, message);
  BOOST_TEST(message.find("Signature=[masked] [masked]") != std::string::npos, message);
  BOOST_TEST(message.find("wJalr") == std::string::npos);
}
