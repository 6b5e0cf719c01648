#define BOOST_TEST_MODULE credential_providers
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "fake_sts.hpp"
#include "loopback_http_server.hpp"
#include "s3dest/aws/credential_chain.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/http/curl_transport.hpp"

using namespace s3dest;
using namespace s3dest::aws;
using namespace s3dest::testing;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A fresh folder for profile and token files, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() / ("s3dest-providers-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

// Every test starts from an environment with no AWS settings, profile files that do not
// exist, and instance metadata off: nothing from this machine leaks in, and no request
// ever goes to 169.254.169.254.
struct Env {
  TempDir dir;
  std::map<std::string, std::string> vars;
  Env() {
    vars["HOME"] = dir.path.string();
    vars["AWS_EC2_METADATA_DISABLED"] = "true";
  }
  ChainOptions options(std::shared_ptr<http::HttpSender> sender, const std::string& sts_endpoint = "") const {
    ChainOptions o;
    o.env = environment_from(vars);
    o.sender = std::move(sender);
    o.sts.endpoint = sts_endpoint;
    o.sts.retry.base_delay = std::chrono::milliseconds(1);
    return o;
  }
};

const std::string kImdsCredentials = R"({
  "Code" : "Success",
  "LastUpdated" : "2026-11-25T10:00:00Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAIMDSEXAMPLE00001",
  "SecretAccessKey" : "imds-secret-0123456789",
  "Token" : "imds-token-abcdef",
  "Expiration" : "2099-01-01T00:00:00Z"
})";

}  // namespace

// ---------------------------------------------------------------------------------------
// Environment variables.

BOOST_AUTO_TEST_CASE(environment_keys_come_in_pairs) {
  auto both = environment_credentials(environment_from(
      {{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}, {"AWS_SESSION_TOKEN", "env-token"}}));
  BOOST_REQUIRE(both.ok() && both->has_value());
  BOOST_TEST((*both)->access_key_id == "AKIAENV");
  BOOST_TEST((*both)->secret_access_key == "env-secret");
  BOOST_TEST((*both)->session_token == "env-token");
  auto none = environment_credentials(environment_from({{"AWS_ACCESS_KEY_ID", ""}}));  // empty is unset
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_value());
  auto half = environment_credentials(environment_from({{"AWS_ACCESS_KEY_ID", "AKIAENV"}}));
  BOOST_REQUIRE(!half.ok());
  BOOST_TEST(contains(half.status().message(), "AWS_SECRET_ACCESS_KEY is not"));
}

// ---------------------------------------------------------------------------------------
// Profile files.

BOOST_AUTO_TEST_CASE(profile_files_parse_as_the_aws_cli_writes_them) {
  auto config = parse_profile_file(R"(# a comment
[default]
region = eu-west-1
s3 =
  max_concurrent_requests = 20
  addressing_style = path

[profile loader]
role_arn=arn:aws:iam::123456789012:role/loader
source_profile = base   ; not a comment: values are taken whole
  ; indented comment
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
[not-a-profile]
aws_access_key_id = IGNORED
)", true, "config");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  BOOST_TEST(config->size() == 2u);
  BOOST_TEST(config->at("default").at("region") == "eu-west-1");
  BOOST_TEST(config->at("default").at("s3") == "");
  BOOST_TEST(config->at("default").count("max_concurrent_requests") == 0u);
  BOOST_TEST(config->at("loader").at("role_arn") == "arn:aws:iam::123456789012:role/loader");
  BOOST_TEST(config->at("loader").at("source_profile") == "base   ; not a comment: values are taken whole");

  auto credentials = parse_profile_file("[base]\r\naws_access_key_id = AKIABASE\r\naws_secret_access_key = s/+e=cret\r\n"
                                        "[profile odd]\naws_access_key_id = X\n",
                                        false, "credentials");
  BOOST_REQUIRE(credentials.ok());
  BOOST_TEST(credentials->at("base").at("aws_secret_access_key") == "s/+e=cret");
  BOOST_TEST(credentials->count("profile odd") == 1u);  // the credentials file takes names as written

  auto bad = parse_profile_file("[default]\nthis line has no equals sign\n", false, "/home/u/.aws/credentials");
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().message() ==
             "/home/u/.aws/credentials:2: neither \"[section]\" nor \"key = value\"");
  BOOST_TEST(!parse_profile_file("key = before any section\n", false, "f").ok());
  BOOST_TEST(!parse_profile_file("[unclosed\n", false, "f").ok());
}

BOOST_AUTO_TEST_CASE(the_credentials_file_wins_over_the_config_file) {
  TempDir dir;
  const std::string config = dir.write("config", "[profile p]\nregion = us-west-2\naws_access_key_id = FROMCONFIG\n");
  const std::string credentials = dir.write("credentials", "[p]\naws_access_key_id = FROMCREDENTIALS\n");
  auto profiles = load_profiles({credentials, config});
  BOOST_REQUIRE(profiles.ok());
  const Profile* p = profiles->find("p");
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST(p->get("aws_access_key_id") == "FROMCREDENTIALS");
  BOOST_TEST(p->get("region") == "us-west-2");
  BOOST_TEST(p->source == config + " and " + credentials);
  auto missing = load_profiles({dir.path.string() + "/none", dir.path.string() + "/none2"});
  BOOST_REQUIRE(missing.ok());
  BOOST_TEST(missing->by_name.empty());
}

BOOST_AUTO_TEST_CASE(profile_file_paths_follow_home_and_the_environment) {
  auto defaults = profile_file_paths(environment_from({{"HOME", "/home/u"}}));
  BOOST_TEST(defaults.credentials == "/home/u/.aws/credentials");
  BOOST_TEST(defaults.config == "/home/u/.aws/config");
  auto given = profile_file_paths(environment_from(
      {{"HOME", "/home/u"}, {"AWS_SHARED_CREDENTIALS_FILE", "~/c"}, {"AWS_CONFIG_FILE", "/etc/aws/config"}}));
  BOOST_TEST(given.credentials == "/home/u/c");
  BOOST_TEST(given.config == "/etc/aws/config");
}

// ---------------------------------------------------------------------------------------
// The chain's order and profiles.

BOOST_AUTO_TEST_CASE(environment_keys_come_before_any_profile) {
  Env env;
  env.vars["AWS_SHARED_CREDENTIALS_FILE"] =
      env.dir.write("credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = p\n");
  env.vars["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENT";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "e";
  auto chain = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>()));
  BOOST_REQUIRE(chain.ok());
  BOOST_TEST((*chain)->credentials()->access_key_id == "AKIAENVIRONMENT");

  env.vars.erase("AWS_ACCESS_KEY_ID");
  env.vars.erase("AWS_SECRET_ACCESS_KEY");
  auto from_profile = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>()));
  BOOST_REQUIRE(from_profile.ok());
  BOOST_TEST((*from_profile)->credentials()->access_key_id == "AKIAPROFILE");
  BOOST_TEST(contains((*from_profile)->describe(), "the keys of profile default"));
}

BOOST_AUTO_TEST_CASE(a_named_profile_that_does_not_exist_is_an_error) {
  Env env;
  env.vars["AWS_PROFILE"] = "nosuch";
  auto chain = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>()));
  BOOST_REQUIRE(!chain.ok());
  BOOST_TEST(chain.status().exit_code() == 4);
  BOOST_TEST(contains(chain.status().message(), "the AWS profile nosuch (from AWS_PROFILE) is in neither"));
}

BOOST_AUTO_TEST_CASE(profile_roles_follow_source_profiles_with_their_external_ids) {
  FakeSts sts;
  const std::string base_arn = "arn:aws:iam::111111111111:user/base";
  const std::string broker = "arn:aws:iam::111111111111:role/broker";
  const std::string writer = "arn:aws:iam::222222222222:role/writer";
  sts.add_identity("AKIAPROFILEBASE00001", {"profile-base-secret-0123456789", "", base_arn});
  sts.add_role(broker, {{base_arn}, "broker-ext"});
  sts.add_role(writer, {{broker}, "writer-ext"});
  Env env;
  env.vars["AWS_PROFILE"] = "writer";
  env.vars["AWS_SHARED_CREDENTIALS_FILE"] = env.dir.write(
      "credentials", "[base]\naws_access_key_id = AKIAPROFILEBASE00001\naws_secret_access_key = profile-base-secret-0123456789\n");
  env.vars["AWS_CONFIG_FILE"] = env.dir.write("config",
                                              "[profile broker]\nrole_arn = " + broker +
                                                  "\nsource_profile = base\nexternal_id = broker-ext\nduration_seconds = 7200\n"
                                                  "[profile writer]\nrole_arn = " + writer +
                                                  "\nsource_profile = broker\nexternal_id = writer-ext\n"
                                                  "role_session_name = nightly\nduration_seconds = 7200\n");
  auto chain = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>(), sts.endpoint()));
  BOOST_REQUIRE_MESSAGE(chain.ok(), chain.status().message());
  auto credentials = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(credentials.ok(), credentials.status().message());
  const auto requests = sts.requests();
  BOOST_REQUIRE(requests.size() == 2u);
  auto first = form_fields(requests[0].body), second = form_fields(requests[1].body);
  BOOST_TEST(first["RoleArn"] == broker);
  BOOST_TEST(first["ExternalId"] == "broker-ext");
  BOOST_TEST(first["DurationSeconds"] == "7200");
  BOOST_TEST(first["RoleSessionName"] == "s3dest");
  BOOST_TEST(second["RoleArn"] == writer);
  BOOST_TEST(second["ExternalId"] == "writer-ext");
  BOOST_TEST(second["DurationSeconds"] == "3600");  // chained: capped
  BOOST_TEST(second["RoleSessionName"] == "nightly");
  BOOST_TEST(sts.issued().at(credentials->access_key_id).arn == writer);
}

BOOST_AUTO_TEST_CASE(profile_mistakes_are_named) {
  Env env;
  auto chain_for = [&](const std::string& config_text) {
    env.vars["AWS_CONFIG_FILE"] = env.dir.write("config", config_text);
    env.vars["AWS_PROFILE"] = "p";
    return default_credentials_chain(env.options(std::make_shared<http::CurlTransport>(), "http://127.0.0.1:1"));
  };
  auto loop = chain_for("[profile p]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = q\n"
                        "[profile q]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = p\n");
  BOOST_REQUIRE(!loop.ok());
  BOOST_TEST(contains(loop.status().message(), "source_profile leads back to itself (p -> ... -> p)"));
  auto no_source = chain_for("[profile p]\nrole_arn = arn:aws:iam::1:role/a\n");
  BOOST_REQUIRE(!no_source.ok());
  BOOST_TEST(contains(no_source.status().message(), "has role_arn but no source_profile, credential_source"));
  auto missing_source = chain_for("[profile p]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = gone\n");
  BOOST_REQUIRE(!missing_source.ok());
  BOOST_TEST(contains(missing_source.status().message(), "its source_profile gone is in neither"));
  auto process = chain_for("[profile p]\ncredential_process = /usr/bin/get-creds\n");
  BOOST_REQUIRE(!process.ok());
  BOOST_TEST(contains(process.status().message(), "uses credential_process, which s3dest does not support"));
  auto half = chain_for("[profile p]\naws_access_key_id = AKIA\n");
  BOOST_REQUIRE(!half.ok());
  BOOST_TEST(contains(half.status().message(), "only one of aws_access_key_id and aws_secret_access_key"));
  auto bad_source = chain_for("[profile p]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Somewhere\n");
  BOOST_REQUIRE(!bad_source.ok());
  BOOST_TEST(contains(bad_source.status().message(), "is not Environment, EcsContainer or Ec2InstanceMetadata"));
  auto bad_arn = chain_for("[profile p]\nrole_arn = broker\ncredential_source = Environment\n");
  BOOST_TEST(!bad_arn.ok());
}

BOOST_AUTO_TEST_CASE(a_profile_role_may_take_its_credentials_from_the_environment) {
  FakeSts sts;
  const std::string role = "arn:aws:iam::111111111111:role/r";
  sts.add_identity("AKIAENVSOURCE0000001", {"env-source-secret-0123456789", "", "arn:aws:iam::111111111111:user/u"});
  sts.add_role(role, {{"arn:aws:iam::111111111111:user/u"}, ""});
  Env env;
  env.vars["AWS_CONFIG_FILE"] = env.dir.write("config", "[default]\nrole_arn = " + role + "\ncredential_source = Environment\n");
  // With keys in the environment, the chain takes them directly (they come first, as in
  // the AWS CLI); the profile's role is what profile_credentials (AWS_PROFILE) resolves.
  env.vars["AWS_ACCESS_KEY_ID"] = "AKIAENVSOURCE0000001";
  env.vars["AWS_SECRET_ACCESS_KEY"] = "env-source-secret-0123456789";
  auto direct = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>(), sts.endpoint()));
  BOOST_REQUIRE(direct.ok());
  BOOST_TEST((*direct)->credentials()->access_key_id == "AKIAENVSOURCE0000001");
  // Through profile_credentials, the profile's role is assumed with those keys.
  auto profiles = load_profiles(profile_file_paths(environment_from(env.vars)));
  BOOST_REQUIRE(profiles.ok());
  auto provider = profile_credentials(*profiles, "default", env.options(std::make_shared<http::CurlTransport>(), sts.endpoint()));
  BOOST_REQUIRE_MESSAGE(provider.ok(), provider.status().message());
  auto credentials = (*provider)->credentials();
  BOOST_REQUIRE_MESSAGE(credentials.ok(), credentials.status().message());
  BOOST_TEST(sts.issued().at(credentials->access_key_id).arn == role);
}

// ---------------------------------------------------------------------------------------
// Web identity.

BOOST_AUTO_TEST_CASE(web_identity_reads_the_token_file_anew_for_each_session) {
  FakeSts sts;
  const std::string role = "arn:aws:iam::111111111111:role/pod";
  sts.web_identity_tokens["token-one"] = role;
  sts.web_identity_tokens["token-two"] = role;
  Env env;
  const std::string token_file = env.dir.write("token", "token-one\n");
  env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_file;
  env.vars["AWS_ROLE_ARN"] = role;
  env.vars["AWS_ROLE_SESSION_NAME"] = "pod-session";
  // Web identity comes before a profile's plain keys...
  env.vars["AWS_SHARED_CREDENTIALS_FILE"] =
      env.dir.write("credentials", "[default]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = p\n");
  std::atomic<int64_t> now{aws::unix_now()};
  ChainOptions options = env.options(std::make_shared<http::CurlTransport>(), sts.endpoint());
  options.clock = [&] { return now.load(); };
  auto chain = default_credentials_chain(options);
  BOOST_REQUIRE_MESSAGE(chain.ok(), chain.status().message());
  BOOST_TEST(contains((*chain)->describe(), "AssumeRoleWithWebIdentity with the token in " + token_file));
  auto first = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().message());
  env.dir.write("token", "token-two");  // rotated
  now += 3600 - 60;
  auto second = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(second.ok(), second.status().message());
  const auto requests = sts.requests();
  BOOST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(form_fields(requests[0].body)["WebIdentityToken"] == "token-one");
  BOOST_TEST(form_fields(requests[1].body)["WebIdentityToken"] == "token-two");
  BOOST_TEST(form_fields(requests[1].body)["RoleSessionName"] == "pod-session");
  BOOST_TEST(requests[0].header("Authorization") == nullptr);

  // ...and after a profile's role.
  env.vars["AWS_CONFIG_FILE"] =
      env.dir.write("config", "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n");
  auto with_role = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>(), sts.endpoint()));
  BOOST_REQUIRE(with_role.ok());
  BOOST_TEST(contains((*with_role)->describe(), "role arn:aws:iam::1:role/x (AssumeRole"));

  env.vars.erase("AWS_ROLE_ARN");
  env.vars.erase("AWS_CONFIG_FILE");
  auto half = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>(), sts.endpoint()));
  BOOST_REQUIRE(!half.ok());
  BOOST_TEST(contains(half.status().message(), "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"));
}

// ---------------------------------------------------------------------------------------
// Container credentials.

BOOST_AUTO_TEST_CASE(container_credentials_from_a_relative_uri_with_a_token_file) {
  LoopbackHttpServer ecs([](const ReceivedRequest& r) {
    if (r.target != "/v2/credentials/abc-123") return Reply{404, {}, "no"};
    if (r.header("Authorization") == nullptr || *r.header("Authorization") != "Bearer pod-token")
      return Reply{401, {}, "unauthorized"};
    return Reply{200, {{"Content-Type", "application/json"}},
                 R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"ecs-secret","Token":"ecs-token",)"
                 R"("Expiration":"2099-01-01T00:00:00Z","RoleArn":"arn:aws:iam::1:role/task"})"};
  });
  Env env;
  env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc-123";
  env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = env.dir.write("token", "Bearer pod-token\n");
  ChainOptions options = env.options(std::make_shared<http::CurlTransport>());
  options.container_host = ecs.origin();
  auto chain = default_credentials_chain(options);
  BOOST_REQUIRE_MESSAGE(chain.ok(), chain.status().message());
  BOOST_TEST((*chain)->describe() == "container credentials from " + ecs.url("/v2/credentials/abc-123"));
  auto c = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().message());
  BOOST_TEST(c->access_key_id == "ASIAECS");
  BOOST_TEST(c->secret_access_key == "ecs-secret");
  BOOST_TEST(c->session_token == "ecs-token");
  BOOST_TEST(*c->expiration == 4070908800);
  BOOST_TEST(ecs.requests().at(0).method == "GET");

  // A wrong token is a 401, and the message says where to look.
  env.dir.write("token", "Bearer wrong");
  options.env = environment_from(env.vars);
  auto refused = fetch_container_credentials(*options.sender, **container_credentials_source(options.env, ecs.origin()));
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(contains(refused.status().message(), "answered HTTP 401: check AWS_CONTAINER_AUTHORIZATION_TOKEN"));
}

BOOST_AUTO_TEST_CASE(container_full_uris_must_be_https_or_local) {
  LoopbackHttpServer local([](const ReceivedRequest& r) {
    if (r.header("Authorization") == nullptr || *r.header("Authorization") != "direct-token") return Reply{403, {}, ""};
    return Reply{200, {}, R"({"AccessKeyId":"ASIAFULL","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"})"};
  });
  auto source = container_credentials_source(environment_from(
      {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", local.url("/creds")}, {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "direct-token"}}));
  BOOST_REQUIRE(source.ok() && source->has_value());
  http::CurlTransport transport;
  auto c = fetch_container_credentials(transport, **source);
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().message());
  BOOST_TEST(c->access_key_id == "ASIAFULL");

  for (const std::string ok : {"https://creds.example.com/x", "http://localhost:8080/x", "http://[::1]/x",
                               "http://169.254.170.23/v1/credentials", "http://127.1.2.3/x",
                               "http://[::ffff:127.0.0.1]:80/x"})
    BOOST_TEST(container_credentials_source(environment_from({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ok}})).ok(), ok);
  auto remote = container_credentials_source(
      environment_from({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5/creds"}}));
  BOOST_REQUIRE(!remote.ok());
  BOOST_TEST(contains(remote.status().message(), "over plain http to 10.0.0.5: use https"));
  // A name that merely starts like a loopback address is a name, and not this machine.
  for (const std::string tricky : {"http://127.attacker.invalid/creds", "http://127.0.0.1.nip.io.invalid/x",
                                   "http://169.254.170.2.attacker.invalid/x", "http://[::ffff:10.0.0.1]/x"})
    BOOST_TEST(!container_credentials_source(environment_from({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", tricky}})).ok(),
               tricky);
  auto none = container_credentials_source(environment_from({}));
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(!none->has_value());
}

BOOST_AUTO_TEST_CASE(credentials_json_is_read_strictly) {
  BOOST_TEST(!parse_credentials_json("not json", "x").ok());
  BOOST_TEST(!parse_credentials_json(R"({"AccessKeyId":"a"})", "x").ok());
  BOOST_TEST(contains(parse_credentials_json(R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"m"})", "imds")
                          .status().message(),
                      "imds reports AssumeRoleUnauthorizedAccess: m"));
  BOOST_TEST(!parse_credentials_json(R"({"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"soon"})", "x").ok());
  auto no_expiry = parse_credentials_json(R"({"AccessKeyId":"a","SecretAccessKey":"b"})", "x");
  BOOST_REQUIRE(no_expiry.ok());
  BOOST_TEST(!no_expiry->expiration.has_value());
}

// ---------------------------------------------------------------------------------------
// EC2 instance metadata (IMDSv2), on a loopback server standing in for 169.254.169.254.

namespace {

struct FakeImds {
  bool token_supported = true;
  std::string role = "instance-role";
  LoopbackHttpServer server{[this](const ReceivedRequest& r) { return handle(r); }};

  Reply handle(const ReceivedRequest& r) {
    if (r.target == "/latest/api/token") {
      if (r.method != "PUT") return Reply{405, {}, ""};
      if (!token_supported) return Reply{404, {}, ""};
      if (r.header("X-aws-ec2-metadata-token-ttl-seconds") == nullptr) return Reply{400, {}, ""};
      return Reply{200, {}, "imds-session-token-AAAA"};
    }
    if (token_supported && (r.header("X-aws-ec2-metadata-token") == nullptr ||
                            *r.header("X-aws-ec2-metadata-token") != "imds-session-token-AAAA"))
      return Reply{401, {}, ""};
    if (r.target == "/latest/meta-data/iam/security-credentials/")
      return role.empty() ? Reply{404, {}, ""} : Reply{200, {}, role};
    if (r.target == "/latest/meta-data/iam/security-credentials/" + role) return Reply{200, {}, kImdsCredentials};
    return Reply{404, {}, ""};
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(instance_metadata_takes_a_session_token_then_the_role_credentials) {
  FakeImds imds;
  Env env;
  env.vars.erase("AWS_EC2_METADATA_DISABLED");
  env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.server.origin() + "/";
  auto chain = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>()));
  BOOST_REQUIRE_MESSAGE(chain.ok(), chain.status().message());
  BOOST_TEST((*chain)->describe() == "EC2 instance metadata at " + imds.server.origin());
  auto c = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().message());
  BOOST_TEST(c->access_key_id == "ASIAIMDSEXAMPLE00001");
  BOOST_TEST(c->secret_access_key == "imds-secret-0123456789");
  BOOST_TEST(c->session_token == "imds-token-abcdef");
  const auto requests = imds.server.requests();
  BOOST_REQUIRE(requests.size() == 3u);
  BOOST_TEST(requests[0].method == "PUT");
  BOOST_TEST(*requests[0].header("X-aws-ec2-metadata-token-ttl-seconds") == "21600");
  BOOST_TEST(requests[1].target == "/latest/meta-data/iam/security-credentials/");
  BOOST_TEST(requests[2].target == "/latest/meta-data/iam/security-credentials/instance-role");
  BOOST_TEST(*requests[2].header("X-aws-ec2-metadata-token") == "imds-session-token-AAAA");
}

BOOST_AUTO_TEST_CASE(instance_metadata_falls_back_to_v1_unless_forbidden_and_says_when_there_is_no_role) {
  FakeImds imds;
  imds.token_supported = false;
  http::CurlTransport transport;
  InstanceMetadataSettings settings;
  settings.endpoint = imds.server.origin();
  auto v1 = fetch_instance_metadata_credentials(transport, settings);
  BOOST_REQUIRE_MESSAGE(v1.ok(), v1.status().message());
  BOOST_TEST(imds.server.requests().at(1).header("X-aws-ec2-metadata-token") == nullptr);
  settings.v1_disabled = true;
  auto forbidden = fetch_instance_metadata_credentials(transport, settings);
  BOOST_REQUIRE(!forbidden.ok());
  BOOST_TEST(contains(forbidden.status().message(), "AWS_EC2_METADATA_V1_DISABLED"));

  imds.token_supported = true;
  imds.role = "";
  settings.v1_disabled = false;
  auto no_role = fetch_instance_metadata_credentials(transport, settings);
  BOOST_REQUIRE(!no_role.ok());
  BOOST_TEST(contains(no_role.status().message(), "this instance has no IAM role"));
}

BOOST_AUTO_TEST_CASE(with_nothing_configured_the_chain_says_where_it_looked) {
  Env env;
  auto disabled = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>()));
  BOOST_REQUIRE(!disabled.ok());
  BOOST_TEST_MESSAGE(disabled.status().message());
  BOOST_TEST(contains(disabled.status().message(), "no AWS credentials found"));
  BOOST_TEST(contains(disabled.status().message(), "instance metadata is disabled"));

  // Instance metadata on, but nobody answers: the failure comes when credentials are asked.
  int port;
  {
    LoopbackHttpServer gone([](const ReceivedRequest&) { return Reply{}; });
    port = gone.port();
  }
  env.vars.erase("AWS_EC2_METADATA_DISABLED");
  env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(port);
  auto chain = default_credentials_chain(env.options(std::make_shared<http::CurlTransport>()));
  BOOST_REQUIRE(chain.ok());
  auto c = (*chain)->credentials();
  BOOST_REQUIRE(!c.ok());
  BOOST_TEST_MESSAGE(c.status().message());
  BOOST_TEST(c.status().exit_code() == 4);
  BOOST_TEST(contains(c.status().message(), "no AWS credentials found"));
  BOOST_TEST(contains(c.status().message(), "EC2 instance metadata at http://127.0.0.1:" + std::to_string(port)));
}

// ---------------------------------------------------------------------------------------
// connection_option, from a Config.

BOOST_AUTO_TEST_CASE(access_key_takes_the_config_keys_else_the_environment) {
  Config config;
  config.connection_option = ConnectionOption::access_key;
  config.access_key_id = "AKIACONFIG";
  config.secret_access_key = "config-secret";
  config.session_token = "config-token";
  CredentialOptions options;
  options.env = environment_from({{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}});
  auto sender = std::make_shared<http::CurlTransport>();
  auto from_config = credentials_for_config(config, sender, options);
  BOOST_REQUIRE(from_config.ok());
  auto c = (*from_config)->credentials();
  BOOST_TEST(c->access_key_id == "AKIACONFIG");
  BOOST_TEST(c->session_token == "config-token");

  config.access_key_id = config.secret_access_key = config.session_token = "";
  auto from_env = credentials_for_config(config, sender, options);
  BOOST_REQUIRE(from_env.ok());
  BOOST_TEST((*from_env)->credentials()->access_key_id == "AKIAENV");

  options.env = environment_from({});
  auto none = credentials_for_config(config, sender, options);
  BOOST_REQUIRE(!none.ok());
  BOOST_TEST(none.status().exit_code() == 2);
}

BOOST_AUTO_TEST_CASE(assume_role_runs_the_role_chain_then_assume_role_arn) {
  FakeSts sts;
  const std::string user = "arn:aws:iam::111111111111:user/u";
  const std::string broker = "arn:aws:iam::111111111111:role/broker";
  const std::string writer = "arn:aws:iam::222222222222:role/writer";
  sts.add_identity("AKIACONFIGUSER000001", {"config-user-secret-0123456789", "", user});
  sts.add_role(broker, {{user}, "broker-ext"});
  sts.add_role(writer, {{broker}, "agency42_ws1"});
  auto config = parse_config(R"({"connection_option": "assume_role", "access_key_id": "AKIACONFIGUSER000001",
      "secret_access_key": "config-user-secret-0123456789", "role_chain": [{"role_arn": ")" + broker +
                                 R"(", "external_id": "broker-ext"}], "assume_role_arn": ")" + writer +
                                 R"(", "external_id": "agency42_ws1", "role_session_name": "s3dest-job",
      "region": "eu-central-1", "sts_endpoint": ")" + sts.endpoint() + R"(", "file_name": "f"})",
                             "config.json");
  BOOST_REQUIRE_MESSAGE(config.ok(), config.status().message());
  sts.region = "eu-central-1";
  CredentialOptions options;
  options.env = environment_from({});
  auto provider = credentials_for_config(*config, std::make_shared<http::CurlTransport>(), options);
  BOOST_REQUIRE_MESSAGE(provider.ok(), provider.status().message());
  auto c = (*provider)->credentials();
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().message());
  BOOST_TEST(sts.issued().at(c->access_key_id).arn == writer);
  const auto requests = sts.requests();
  BOOST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(form_fields(requests[0].body)["ExternalId"] == "broker-ext");
  BOOST_TEST(form_fields(requests[1].body)["ExternalId"] == "agency42_ws1");
  BOOST_TEST(form_fields(requests[1].body)["RoleSessionName"] == "s3dest-job");
  BOOST_TEST(contains(*requests[0].header("Authorization"), "/eu-central-1/sts/aws4_request"));

  // Without keys in the config, the base credentials come from the shared chain.
  Config no_keys = *config;
  no_keys.access_key_id = no_keys.secret_access_key = "";
  options.env = environment_from({{"AWS_ACCESS_KEY_ID", "AKIACONFIGUSER000001"},
                                  {"AWS_SECRET_ACCESS_KEY", "config-user-secret-0123456789"},
                                  {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto via_env = credentials_for_config(no_keys, std::make_shared<http::CurlTransport>(), options);
  BOOST_REQUIRE(via_env.ok());
  BOOST_TEST(contains((*via_env)->describe(), "from environment variables"));
  BOOST_TEST((*via_env)->credentials().ok());

  Config bad_arn = *config;
  bad_arn.assume_role_arn = "writer";
  auto refused = credentials_for_config(bad_arn, std::make_shared<http::CurlTransport>(), options);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().exit_code() == 2);
}
