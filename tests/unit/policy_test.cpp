#define BOOST_TEST_MODULE policy
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <map>
#include <string>
#include <vector>

#include "s3dest/destination/load.hpp"
#include "s3dest/destination/policy.hpp"

using namespace s3dest;

namespace {

const std::string kLoader = "arn:aws:iam::111111111111:user/loader";
const std::string kBroker = "arn:aws:iam::111111111111:role/broker";
const std::string kWriter = "arn:aws:iam::222222222222:role/writer";
const std::string kKeyArn = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

// A config: the layout below, with `extra` keys ("\"tags\": {...}, ").
Config config_with(const std::string& extra = "") {
  const std::string json = "{" + extra +
                           R"("bucket": "lake", "folder": "/{{workspace_id}}/{{YYYY}}/{{MM}}/{{DD}}",
                              "file_name": "f-{{chunk_id}}", "context": {"workspace_id": "ws9"}})";
  auto config = parse_config(json, "config.json");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  return *config;
}

PolicyTarget target(const std::string& prefix = "ws9/", PolicyCaller caller = {kLoader, ""}) {
  return {"lake", prefix, std::move(caller)};
}

// The text, parsed (it must be JSON), and minified for comparisons.
struct Parsed {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Parsed(const std::string& text) {
    const auto error = parser.parse(text).get(root);
    BOOST_REQUIRE_MESSAGE(error == simdjson::SUCCESS, "not JSON: " << text);
  }
};

std::string text_of(const Config& config, PolicyKind kind, const PolicyTarget& t = target()) {
  auto text = policy_text(config, t, kind);
  BOOST_REQUIRE_MESSAGE(text.ok(), text.status().message());
  BOOST_TEST(text->back() == '\n');
  return *text;
}

simdjson::dom::array array_of(simdjson::dom::element value) {
  simdjson::dom::array out;
  BOOST_REQUIRE(value.get_array().get(out) == simdjson::SUCCESS);
  return out;
}

std::vector<std::string> strings_of(simdjson::dom::element value) {
  std::vector<std::string> out;
  std::string_view one;
  if (value.get_string().get(one) == simdjson::SUCCESS) return {std::string(one)};
  const simdjson::dom::array items = array_of(value);
  for (simdjson::dom::element item : items) out.emplace_back(item.get_string().value());
  return out;
}

// Sid -> the statement, minified; and Sid -> its actions, in order.
struct Statements {
  std::vector<std::string> sids;
  std::map<std::string, std::vector<std::string>> actions;
  std::map<std::string, std::string> minified;
  std::map<std::string, simdjson::dom::element> element;
};

Statements statements_of(simdjson::dom::element document) {
  BOOST_TEST(std::string_view(document["Version"].get_string().value()) == "2012-10-17");
  Statements out;
  const simdjson::dom::array statements = array_of(document["Statement"].value());
  for (simdjson::dom::element s : statements) {
    const std::string sid(s["Sid"].get_string().value());
    out.sids.push_back(sid);
    out.actions[sid] = strings_of(s["Action"].value());
    out.minified[sid] = simdjson::minify(s);
    out.element[sid] = s;
  }
  return out;
}

std::string resource_of(simdjson::dom::element statement) {
  return std::string(statement["Resource"].get_string().value());
}

using Sids = std::vector<std::string>;
using Actions = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_CASE(the_role_policy_grants_the_objects_under_the_fixed_prefix_and_listing_scoped_to_it) {
  Parsed doc(text_of(config_with(), PolicyKind::role));
  const Statements s = statements_of(doc.root);
  BOOST_TEST(s.sids == (Sids{"S3destWriteObjects", "S3destListPrefix", "S3destListUploads", "S3destReadVersioning"}));
  BOOST_TEST(s.actions.at("S3destWriteObjects") ==
             (Actions{"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
                      "s3:AbortMultipartUpload"}));
  BOOST_TEST(s.actions.at("S3destListPrefix") == Actions{"s3:ListBucket"});
  BOOST_TEST(s.actions.at("S3destListUploads") == Actions{"s3:ListBucketMultipartUploads"});
  BOOST_TEST(resource_of(s.element.at("S3destWriteObjects")) == "arn:aws:s3:::lake/ws9/*");
  BOOST_TEST(resource_of(s.element.at("S3destListPrefix")) == "arn:aws:s3:::lake");
  BOOST_TEST(resource_of(s.element.at("S3destListUploads")) == "arn:aws:s3:::lake");
  BOOST_TEST(s.actions.at("S3destReadVersioning") == Actions{"s3:GetBucketVersioning"});
  BOOST_TEST(resource_of(s.element.at("S3destReadVersioning")) == "arn:aws:s3:::lake");
  BOOST_TEST(s.minified.at("S3destListPrefix").find(R"("Condition":{"StringLike":{"s3:prefix":["ws9/*"]}})") !=
             std::string::npos);
  BOOST_TEST(s.element.at("S3destWriteObjects")["Principal"].error() == simdjson::NO_SUCH_FIELD);
}

BOOST_AUTO_TEST_CASE(the_prefix_is_the_layouts_fixed_prefix_and_without_one_the_whole_bucket) {
  const Config config = config_with();
  auto layout = make_matching_layout(config, "exports");
  BOOST_REQUIRE(layout.ok());
  Parsed scoped(text_of(config, PolicyKind::role, target(layout->fixed_prefix())));
  BOOST_TEST(resource_of(statements_of(scoped.root).element.at("S3destWriteObjects")) ==
             "arn:aws:s3:::lake/exports/ws9/*");

  Parsed whole(text_of(config, PolicyKind::role, target("")));
  const Statements s = statements_of(whole.root);
  BOOST_TEST(resource_of(s.element.at("S3destWriteObjects")) == "arn:aws:s3:::lake/*");
  BOOST_TEST(s.element.at("S3destListPrefix")["Condition"].error() == simdjson::NO_SUCH_FIELD);
}

BOOST_AUTO_TEST_CASE(tags_and_a_canned_acl_add_their_actions_and_only_then) {
  Parsed tagged(text_of(config_with(R"("tags": {"dataset": "ads"}, )"), PolicyKind::role));
  Statements s = statements_of(tagged.root);
  BOOST_TEST(s.sids == (Sids{"S3destWriteObjects", "S3destListPrefix", "S3destListUploads", "S3destReadVersioning", "S3destTagObjects"}));
  BOOST_TEST(s.actions.at("S3destTagObjects") == (Actions{"s3:PutObjectTagging", "s3:GetObjectTagging"}));
  BOOST_TEST(resource_of(s.element.at("S3destTagObjects")) == "arn:aws:s3:::lake/ws9/*");

  Parsed acl(text_of(config_with(R"("canned_acl": "bucket-owner-full-control", )"), PolicyKind::role));
  s = statements_of(acl.root);
  BOOST_TEST(s.sids == (Sids{"S3destWriteObjects", "S3destListPrefix", "S3destListUploads", "S3destReadVersioning", "S3destObjectAcl"}));
  BOOST_TEST(s.actions.at("S3destObjectAcl") == (Actions{"s3:PutObjectAcl", "s3:GetObjectAcl"}));

  Parsed none(text_of(config_with(R"("canned_acl": "none", )"), PolicyKind::role));
  BOOST_TEST(statements_of(none.root).sids.size() == 4u);
}

BOOST_AUTO_TEST_CASE(sse_kms_cmk_adds_generate_data_key_and_decrypt_on_the_key) {
  const Config config = config_with(R"("encryption": "sse-kms-cmk", "encryption_key": ")" + kKeyArn + R"(", )");
  Parsed doc(text_of(config, PolicyKind::role));
  const Statements s = statements_of(doc.root);
  BOOST_TEST(s.sids.back() == "S3destUseKmsKey");
  BOOST_TEST(s.actions.at("S3destUseKmsKey") == (Actions{"kms:GenerateDataKey", "kms:Decrypt"}));
  BOOST_TEST(resource_of(s.element.at("S3destUseKmsKey")) == kKeyArn);

  // A key id: any account's key of that id in the config's region.
  const Config by_id = config_with(R"("region": "eu-west-1", "encryption": "sse-kms-cmk", "encryption_key": "1234abcd", )");
  Parsed id_doc(text_of(by_id, PolicyKind::role));
  BOOST_TEST(resource_of(statements_of(id_doc.root).element.at("S3destUseKmsKey")) ==
             "arn:aws:kms:eu-west-1:*:key/1234abcd");
  // An alias: KMS checks the key, so the alias becomes a condition on it.
  const Config by_alias = config_with(R"("encryption": "sse-kms-cmk", "encryption_key": "alias/lake", )");
  Parsed alias_doc(text_of(by_alias, PolicyKind::role));
  const std::string statement = statements_of(alias_doc.root).minified.at("S3destUseKmsKey");
  BOOST_TEST(statement.find(R"("Resource":"arn:aws:kms:us-east-1:*:key/*")") != std::string::npos);
  BOOST_TEST(statement.find(R"({"ForAnyValue:StringEquals":{"kms:ResourceAliases":"alias/lake"}})") != std::string::npos);

  // sse-kms (the AWS managed key) needs no statement of the writer's.
  Parsed managed(text_of(config_with(R"("encryption": "sse-kms", )"), PolicyKind::role));
  BOOST_TEST(statements_of(managed.root).sids.size() == 4u);
}

BOOST_AUTO_TEST_CASE(the_bucket_policy_is_the_role_policys_s3_statements_with_the_writer_as_principal) {
  const Config config = config_with(R"("tags": {"a": "b"}, "encryption": "sse-kms-cmk", "encryption_key": ")" +
                                    kKeyArn + R"(", )");
  Parsed role(text_of(config, PolicyKind::role));
  Parsed given(text_of(config, PolicyKind::bucket));
  const Statements r = statements_of(role.root), b = statements_of(given.root);
  BOOST_TEST(b.sids == (Sids{"S3destWriteObjects", "S3destListPrefix", "S3destListUploads", "S3destReadVersioning", "S3destTagObjects"}));
  for (const std::string& sid : b.sids) {
    BOOST_TEST(b.actions.at(sid) == r.actions.at(sid));
    BOOST_TEST(resource_of(b.element.at(sid)) == resource_of(r.element.at(sid)));
    // --principal: as given.
    BOOST_TEST(std::string_view(b.element.at(sid)["Principal"]["AWS"].get_string().value()) == kLoader);
  }
  // From GetCallerIdentity: the account, whose own IAM policies say who in it may write.
  Parsed found(text_of(config, PolicyKind::bucket, target("ws9/", {kLoader, "111111111111"})));
  BOOST_TEST(statements_of(found.root).minified.at("S3destWriteObjects").find(
                 R"("Principal":{"AWS":"arn:aws:iam::111111111111:root"})") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(with_assume_role_the_writer_is_the_role_assumed_last_and_no_caller_is_needed) {
  const Config config = config_with(R"("connection_option": "assume_role", "assume_role_arn": ")" + kWriter +
                                    R"(", "encryption": "sse-kms-cmk", "encryption_key": ")" + kKeyArn + R"(", )");
  BOOST_TEST(!policy_needs_caller(config, PolicyKind::bucket));
  BOOST_TEST(!policy_needs_caller(config, PolicyKind::kms));
  BOOST_TEST(policy_needs_caller(config, PolicyKind::trust));
  Parsed kms(text_of(config, PolicyKind::kms, target("ws9/", {})));
  BOOST_TEST(simdjson::minify(kms.root) ==
             R"({"Sid":"S3destWriterUsesKey","Effect":"Allow","Principal":{"AWS":")" + kWriter +
                 R"("},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"})");
  Parsed bucket(text_of(config, PolicyKind::bucket, target("ws9/", {})));
  BOOST_TEST(statements_of(bucket.root).minified.at("S3destListUploads").find(R"("AWS":")" + kWriter) !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(documents_the_config_has_none_of_are_usage_errors) {
  const Config config = config_with();
  for (const PolicyKind kind : {PolicyKind::kms, PolicyKind::trust}) {
    auto text = policy_text(config, target(), kind);
    BOOST_REQUIRE(!text.ok());
    BOOST_TEST(text.status().exit_code() == 2);
  }
  BOOST_TEST(policy_text(config, target(), PolicyKind::kms).status().message().find("sse-kms-cmk") != std::string::npos);
  BOOST_TEST(policy_text(config, target(), PolicyKind::trust).status().message().find("assume_role") !=
             std::string::npos);
  // No caller where the document names it; no bucket.
  auto no_caller = policy_text(config, target("ws9/", {}), PolicyKind::bucket);
  BOOST_TEST(no_caller.status().message().find("--principal") != std::string::npos);
  PolicyTarget no_bucket = target();
  no_bucket.bucket.clear();
  BOOST_TEST(policy_text(config, no_bucket, PolicyKind::role).status().exit_code() == 2);
  BOOST_TEST((policy_kind_of("all") == PolicyKind::all));
  BOOST_TEST(!policy_kind_of("iam").has_value());
}

BOOST_AUTO_TEST_CASE(trust_policies_follow_the_chain_with_each_hops_external_id) {
  const Config config = config_with(R"("connection_option": "assume_role",
      "role_chain": [{"role_arn": ")" + kBroker + R"(", "external_id": "broker-ext"}],
      "assume_role_arn": ")" + kWriter + R"(", "external_id": "writer-ext", )");
  Parsed doc(text_of(config, PolicyKind::trust));
  std::vector<std::string> roles, minified;
  const simdjson::dom::array entries = array_of(doc.root);
  for (simdjson::dom::element entry : entries) {
    roles.emplace_back(entry["role_arn"].get_string().value());
    minified.push_back(simdjson::minify(entry["policy"]["Statement"].value()));
    BOOST_TEST(std::string_view(entry["policy"]["Version"].get_string().value()) == "2012-10-17");
  }
  BOOST_TEST(roles == (std::vector<std::string>{kBroker, kWriter}));
  BOOST_TEST(minified[0] == R"([{"Sid":"S3destAssumeRoleWithExternalId","Effect":"Allow","Principal":{"AWS":")" +
                                kLoader + R"("},"Action":["sts:AssumeRole"],)" +
                                R"("Condition":{"StringEquals":{"sts:ExternalId":"broker-ext"}}}])");
  BOOST_TEST(minified[1] == R"([{"Sid":"S3destAssumeRoleWithExternalId","Effect":"Allow","Principal":{"AWS":")" +
                                kBroker + R"("},"Action":["sts:AssumeRole"],)" +
                                R"("Condition":{"StringEquals":{"sts:ExternalId":"writer-ext"}}}])");
}

BOOST_AUTO_TEST_CASE(a_role_reached_twice_lists_both_external_ids_and_a_hop_without_one_gets_no_condition) {
  // caller -> writer (ext-a) -> broker (none) -> writer (ext-b)
  const Config config = config_with(R"("connection_option": "assume_role",
      "role_chain": [{"role_arn": ")" + kWriter + R"(", "external_id": "ext-a"}, {"role_arn": ")" + kBroker + R"("}],
      "assume_role_arn": ")" + kWriter + R"(", "external_id": "ext-b", )");
  Parsed doc(text_of(config, PolicyKind::trust));
  const simdjson::dom::array entries = array_of(doc.root);
  BOOST_REQUIRE(entries.size() == 2u);
  const Statements writer = statements_of(entries.at(0)["policy"].value());
  BOOST_TEST(std::string_view(entries.at(0)["role_arn"].get_string().value()) == kWriter);
  BOOST_TEST(writer.minified.at("S3destAssumeRoleWithExternalId") ==
             R"({"Sid":"S3destAssumeRoleWithExternalId","Effect":"Allow","Principal":{"AWS":[")" + kLoader +
                 R"(",")" + kBroker + R"("]},"Action":["sts:AssumeRole"],)" +
                 R"("Condition":{"StringEquals":{"sts:ExternalId":["ext-a","ext-b"]}}})");
  const Statements broker = statements_of(entries.at(1)["policy"].value());
  BOOST_TEST(broker.sids == Sids{"S3destAssumeRole"});
  BOOST_TEST(broker.element.at("S3destAssumeRole")["Condition"].error() == simdjson::NO_SUCH_FIELD);
}

BOOST_AUTO_TEST_CASE(all_holds_the_documents_that_apply_in_a_stable_order) {
  auto keys_of = [](const std::string& text) {
    Parsed doc(text);
    std::vector<std::string> keys;
    simdjson::dom::object object;
    BOOST_REQUIRE(doc.root.get_object().get(object) == simdjson::SUCCESS);
    for (auto field : object) keys.emplace_back(field.key);
    return keys;
  };
  BOOST_TEST(keys_of(text_of(config_with(), PolicyKind::all)) == Sids{"role"});
  BOOST_TEST(keys_of(text_of(config_with(R"("connection_option": "shared_access", )"), PolicyKind::all)) ==
             (Sids{"role", "bucket"}));
  const Config everything = config_with(R"("connection_option": "assume_role", "assume_role_arn": ")" + kWriter +
                                        R"(", "encryption": "sse-kms-cmk", "encryption_key": ")" + kKeyArn + R"(", )");
  BOOST_TEST(keys_of(text_of(everything, PolicyKind::all)) == (Sids{"role", "kms", "trust"}));
  BOOST_TEST(!policy_needs_caller(config_with(), PolicyKind::all));
  // Pretty: two spaces a level.
  BOOST_TEST(text_of(config_with(), PolicyKind::role).rfind("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(statement_to_add_is_the_role_policys_statement_for_every_call) {
  const Config config = config_with(R"("tags": {"a": "b"}, "canned_acl": "private", "encryption": "sse-kms-cmk",
                                       "encryption_key": ")" + kKeyArn + R"(", )");
  Parsed doc(text_of(config, PolicyKind::role));
  const Statements role = statements_of(doc.root);
  auto sid_granting = [&](const std::string& action) {
    for (const auto& [sid, actions] : role.actions)
      if (std::find(actions.begin(), actions.end(), action) != actions.end()) return sid;
    return std::string();
  };
  for (const s3::Permission& p : s3::kPermissions) {
    const std::string statement = statement_to_add(config, "ws9/", p.operation);
    BOOST_TEST_CONTEXT(p.operation) {
      BOOST_TEST(statement.find('\n') == std::string::npos);
      Parsed parsed(statement);
      const std::string sid = sid_granting(std::string(p.action));
      BOOST_REQUIRE(!sid.empty());
      BOOST_TEST(simdjson::minify(parsed.root) == role.minified.at(sid));
    }
  }
  for (const std::string action : {"s3:PutObjectTagging", "s3:PutObjectAcl", "kms:GenerateDataKey", "kms:Decrypt"}) {
    BOOST_TEST_CONTEXT(action) {
      Parsed parsed(statement_to_add(config, "ws9/", action));
      BOOST_TEST(simdjson::minify(parsed.root) == role.minified.at(sid_granting(action)));
    }
  }
  BOOST_TEST(statement_to_add(config, "ws9/", "PutObjectTagging") == statement_to_add(config, "ws9/", "s3:PutObjectTagging"));
  BOOST_TEST(statement_to_add(config, "ws9/", "DeleteObject") ==
             R"({"Sid": "S3destWriteObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", )"
             R"("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload"], )"
             R"("Resource": "arn:aws:s3:::lake/ws9/*"})");
  BOOST_TEST(statement_to_add(config, "other", "ws9/", "ListObjectsV2").find("arn:aws:s3:::other\"") != std::string::npos);
  BOOST_TEST(statement_to_add(config, "ws9/", "s3:PutBucketPolicy").empty());
  BOOST_TEST(statement_to_add(config_with(), "ws9/", "kms:Decrypt").empty());  // no key of the config's
}

BOOST_AUTO_TEST_CASE(strings_are_escaped) {
  PolicyTarget t = target("a\"b\\c/\x01");
  t.bucket = "la\"ke";
  const std::string text = text_of(config_with(), PolicyKind::role, t);
  Parsed doc(text);
  BOOST_TEST(resource_of(statements_of(doc.root).element.at("S3destWriteObjects")) == "arn:aws:s3:::la\"ke/a\"b\\c/\x01*");
}

BOOST_AUTO_TEST_CASE(a_role_session_found_by_get_caller_identity_becomes_its_role) {
  const PolicyCaller session =
      policy_caller_of({"arn:aws:sts::111111111111:assumed-role/loader-role/i-0abc", "111111111111", "AROAX:i-0abc"});
  BOOST_TEST(session.arn == "arn:aws:iam::111111111111:role/loader-role");
  BOOST_TEST(session.account == "111111111111");
  BOOST_TEST(policy_caller_of({kLoader, "111111111111", "AIDAX"}).arn == kLoader);
  BOOST_TEST(policy_caller_of({"arn:aws-cn:sts::111111111111:assumed-role/r/s", "111111111111", ""}).arn ==
             "arn:aws-cn:iam::111111111111:role/r");
}

BOOST_AUTO_TEST_CASE(china_and_govcloud_buckets_get_arns_of_their_partition) {
  const Config china = config_with(R"("region": "cn-north-1", "encryption": "sse-kms-cmk", "encryption_key": "k-1", )");
  const std::string role = text_of(china, PolicyKind::role);
  BOOST_TEST(role.find("\"arn:aws-cn:s3:::lake/ws9/*\"") != std::string::npos, role);
  BOOST_TEST(role.find("\"arn:aws-cn:kms:cn-north-1:*:key/k-1\"") != std::string::npos, role);
  BOOST_TEST(role.find("arn:aws:") == std::string::npos, role);
  const Config gov = config_with(R"("region": "us-gov-west-1", )");
  BOOST_TEST(statement_to_add(gov, "ws9/", "ListObjectsV2").find("\"arn:aws-us-gov:s3:::lake\"") != std::string::npos);
}
