#define BOOST_TEST_MODULE sts
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_sts.hpp"
#include "s3dest/aws/refreshing_credentials.hpp"
#include "s3dest/aws/sts.hpp"
#include "s3dest/http/curl_transport.hpp"

using namespace s3dest;
using namespace s3dest::aws;
using namespace s3dest::testing;
using namespace std::chrono_literals;

namespace {

const std::string kUserArn = "arn:aws:iam::111111111111:user/loader";
const std::string kBroker = "arn:aws:iam::111111111111:role/broker";
const std::string kWriter = "arn:aws:iam::222222222222:role/writer";
const std::string kReader = "arn:aws:iam::333333333333:role/reader";
const Credentials kUser{"AKIAUSEREXAMPLE00001", "user-secret-key-0123456789abcdefghijklmn", ""};

struct Fixture {
  FakeSts sts;
  std::shared_ptr<http::CurlTransport> transport = std::make_shared<http::CurlTransport>();
  StsSettings settings;
  Fixture() {
    sts.add_identity(kUser.access_key_id, {kUser.secret_access_key, "", kUserArn});
    sts.add_role(kBroker, {{kUserArn}, "broker-external-id"});
    sts.add_role(kWriter, {{kBroker}, "writer-external-id"});
    sts.add_role(kReader, {{kWriter}, ""});
    settings.endpoint = sts.endpoint();
    settings.retry.base_delay = 1ms;
  }
  std::shared_ptr<CredentialsProvider> user() {
    return std::make_shared<StaticCredentialsProvider>(kUser, "the config's access_key_id");
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(assume_role_sends_a_signed_form_and_reads_the_credentials) {
  Fixture f;
  AssumeRoleParams params{kBroker, "s3dest-test", "broker-external-id", 7200};
  auto credentials = assume_role(*f.transport, kUser, params, f.settings, "the config");
  BOOST_REQUIRE_MESSAGE(credentials.ok(), credentials.status().message());

  const auto requests = f.sts.requests();
  BOOST_REQUIRE(requests.size() == 1u);
  const ReceivedRequest& r = requests[0];
  BOOST_TEST(r.method == "POST");
  BOOST_TEST(r.target == "/");
  BOOST_TEST(*r.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
  auto form = form_fields(r.body);
  BOOST_TEST(form["Action"] == "AssumeRole");
  BOOST_TEST(form["Version"] == "2011-06-15");
  BOOST_TEST(form["RoleArn"] == kBroker);
  BOOST_TEST(form["RoleSessionName"] == "s3dest-test");
  BOOST_TEST(form["ExternalId"] == "broker-external-id");
  BOOST_TEST(form["DurationSeconds"] == "7200");  // long-term keys: not a chained session
  // The signature, recomputed from the bytes the server received.
  BOOST_TEST(*r.header("Authorization") ==
             expected_authorization(r, kUser.access_key_id, kUser.secret_access_key, "us-east-1", "sts"));
  BOOST_TEST(contains(*r.header("Authorization"), "/us-east-1/sts/aws4_request"));
  BOOST_TEST(r.header("X-Amz-Security-Token") == nullptr);

  const auto issued = f.sts.issued();
  BOOST_REQUIRE(issued.size() == 1u);
  BOOST_TEST(credentials->access_key_id == issued.begin()->first);
  BOOST_TEST(credentials->secret_access_key == issued.begin()->second.secret);
  BOOST_TEST(credentials->session_token == issued.begin()->second.token);
  BOOST_REQUIRE(credentials->expiration.has_value());
  BOOST_TEST(std::abs(*credentials->expiration - (unix_now() + 7200)) <= 5);
}

BOOST_AUTO_TEST_CASE(no_external_id_field_is_sent_without_one) {
  Fixture f;
  f.sts.add_role("arn:aws:iam::111111111111:role/open", {{kUserArn}, ""});
  auto credentials = assume_role(*f.transport, kUser, {"arn:aws:iam::111111111111:role/open", "s3", "", 3600}, f.settings);
  BOOST_REQUIRE_MESSAGE(credentials.ok(), credentials.status().message());
  BOOST_TEST(form_fields(f.sts.requests().at(0).body).count("ExternalId") == 0u);
}

BOOST_AUTO_TEST_CASE(parses_the_reply_of_the_sts_documentation) {
  const std::string reply = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
  <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>
       AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW
      </SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>)";
  auto c = parse_sts_credentials(reply, "AssumeRole");
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().message());
  BOOST_TEST(c->access_key_id == "ASIAIOSFODNN7EXAMPLE");
  BOOST_TEST(c->secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  // (The documentation's token is wrapped for the page; real ones are one line.)
  BOOST_TEST(contains(c->session_token, "AQoDYXdzEPT//////////wEXAMPLE"));
  BOOST_TEST(*c->expiration == 1573306481);
  // Nanoseconds, as radosgw writes them.
  auto f = parse_sts_credentials(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>a</AccessKeyId><SecretAccessKey>b"
      "</SecretAccessKey><SessionToken>c</SessionToken><Expiration>2019-11-09T13:34:41.999999999Z</Expiration>"
      "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
      "AssumeRole");
  BOOST_REQUIRE(f.ok());
  BOOST_TEST(*f->expiration == 1573306481);
  BOOST_TEST(!parse_sts_credentials("<AssumeRoleResponse/>", "AssumeRole").ok());
  BOOST_TEST(!parse_sts_credentials("not xml", "AssumeRole").ok());
  BOOST_TEST(contains(parse_sts_credentials("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>a"
                                            "</AccessKeyId><SecretAccessKey>b</SecretAccessKey><SessionToken>c"
                                            "</SessionToken></Credentials></AssumeRoleResult></AssumeRoleResponse>",
                                            "AssumeRole").status().message(),
                      "no readable Expiration"));
}

BOOST_AUTO_TEST_CASE(a_refused_role_names_the_role_its_trust_policy_and_the_external_id) {
  for (const bool s3_style : {false, true}) {
    Fixture f;
    f.sts.s3_style_errors = s3_style;
    auto wrong_id = assume_role(*f.transport, kUser, {kBroker, "s3dest", "not-the-right-id", 3600}, f.settings,
                                "the config's access_key_id");
    BOOST_REQUIRE(!wrong_id.ok());
    const std::string& m = wrong_id.status().message();
    BOOST_TEST_MESSAGE(m);
    BOOST_TEST(wrong_id.status().exit_code() == 4);
    BOOST_TEST(contains(m, "AssumeRole of role " + kBroker + " was refused"));
    BOOST_TEST(contains(m, "(credentials from the config's access_key_id)"));
    BOOST_TEST(contains(m, "HTTP 403 AccessDenied: User: " + kUserArn + " is not authorized"));
    BOOST_TEST(contains(m, "trust policy"));
    BOOST_TEST(contains(m, "sts:ExternalId"));
    BOOST_TEST(contains(m, "an ExternalId was sent"));
    BOOST_TEST(!contains(m, "not-the-right-id"));  // the ExternalId itself is not shown

    auto none = assume_role(*f.transport, kUser, {kBroker, "s3dest", "", 3600}, f.settings);
    BOOST_REQUIRE(!none.ok());
    BOOST_TEST(contains(none.status().message(), "no ExternalId was sent"));
  }
}

BOOST_AUTO_TEST_CASE(other_sts_errors_say_what_to_fix) {
  Fixture f;
  const Credentials wrong_secret{kUser.access_key_id, "not-the-secret-key-0123456789", ""};
  auto bad_signature = assume_role(*f.transport, wrong_secret, {kBroker, "s3", "broker-external-id", 3600}, f.settings);
  BOOST_REQUIRE(!bad_signature.ok());
  BOOST_TEST_MESSAGE(bad_signature.status().message());
  BOOST_TEST(contains(bad_signature.status().message(), "SignatureDoesNotMatch"));
  BOOST_TEST(contains(bad_signature.status().message(), "check the access key id and secret access key"));

  const Credentials unknown{"AKIANOSUCHKEY0000000", "whatever-secret-0123456789", ""};
  auto unknown_key = assume_role(*f.transport, unknown, {kBroker, "s3", "", 3600}, f.settings);
  BOOST_REQUIRE(!unknown_key.ok());
  BOOST_TEST(contains(unknown_key.status().message(), "InvalidClientTokenId"));

  // A user's keys cannot ask for more than the role allows... here, a chained session
  // asking for more than an hour (the provider caps it; a direct call does not).
  auto broker = assume_role(*f.transport, kUser, {kBroker, "s3", "broker-external-id", 3600}, f.settings);
  BOOST_REQUIRE(broker.ok());
  auto too_long = assume_role(*f.transport, *broker, {kWriter, "s3", "writer-external-id", 7200}, f.settings);
  BOOST_REQUIRE(!too_long.ok());
  BOOST_TEST_MESSAGE(too_long.status().message());
  BOOST_TEST(contains(too_long.status().message(), "ValidationError"));
  BOOST_TEST(contains(too_long.status().message(), "3600 s for a chained role"));
}

BOOST_AUTO_TEST_CASE(throttling_is_retried_and_each_attempt_signed_afresh) {
  Fixture f;
  f.sts.throttle_next = 2;
  auto credentials = assume_role(*f.transport, kUser, {kBroker, "s3", "broker-external-id", 3600}, f.settings);
  BOOST_REQUIRE_MESSAGE(credentials.ok(), credentials.status().message());
  BOOST_TEST(f.sts.requests().size() == 3u);

  f.sts.throttle_next = 5;  // more than three attempts' worth
  auto busy = assume_role(*f.transport, kUser, {kBroker, "s3", "broker-external-id", 3600}, f.settings);
  BOOST_REQUIRE(!busy.ok());
  BOOST_TEST(contains(busy.status().message(), "STS is busy or unavailable"));
  BOOST_TEST(f.sts.requests().size() == 6u);
}

BOOST_AUTO_TEST_CASE(no_secret_appears_in_a_message_even_when_the_server_echoes_it) {
  Fixture f;
  f.sts.echo_in_message = " secret=" + kUser.secret_access_key;
  auto refused = assume_role(*f.transport, kUser, {kBroker, "s3", "x-wrong", 3600}, f.settings);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(!contains(refused.status().message(), kUser.secret_access_key));
  BOOST_TEST(contains(refused.status().message(), "[redacted]"));
}

BOOST_AUTO_TEST_CASE(an_unreachable_sts_is_a_destination_error_naming_the_role) {
  Fixture f;
  f.settings.endpoint = "http://127.0.0.1:1";
  f.settings.retry.max_attempts = 2;
  auto credentials = assume_role(*f.transport, kUser, {kBroker, "s3", "", 3600}, f.settings);
  BOOST_REQUIRE(!credentials.ok());
  BOOST_TEST_MESSAGE(credentials.status().message());
  BOOST_TEST(credentials.status().exit_code() == 4);
  BOOST_TEST(contains(credentials.status().message(), "AssumeRole of role " + kBroker + ": cannot reach STS"));
}

BOOST_AUTO_TEST_CASE(endpoints_are_regional_unless_given) {
  StsSettings s;
  s.region = "eu-west-1";
  BOOST_TEST(*sts_endpoint_url(s) == "https://sts.eu-west-1.amazonaws.com");
  s.region = "cn-north-1";
  BOOST_TEST(*sts_endpoint_url(s) == "https://sts.cn-north-1.amazonaws.com.cn");
  s.region = "evil.example.com/x";
  BOOST_TEST(sts_endpoint_url(s).status().exit_code() == 2);
  s.region = "";
  BOOST_TEST(!sts_endpoint_url(s).ok());
  s.endpoint = "http://127.0.0.1:7480";
  BOOST_TEST(*sts_endpoint_url(s) == "http://127.0.0.1:7480");
  s.endpoint = "ftp://x";
  BOOST_TEST(!sts_endpoint_url(s).ok());
}

BOOST_AUTO_TEST_CASE(parameters_sts_would_refuse_are_refused_first) {
  BOOST_TEST(check_assume_role_params({kBroker, "s3dest", "ext-1:/=+,.@", 900}).ok());
  BOOST_TEST(check_assume_role_params({"arn:aws:iam:::role/s3dest-role-a", "s3dest", "", 3600}).ok());  // radosgw
  BOOST_TEST(contains(check_assume_role_params({"broker", "s3dest", "", 3600}).message(), "is not a role ARN"));
  BOOST_TEST(!check_assume_role_params({kBroker, "s", "", 3600}).ok());
  BOOST_TEST(!check_assume_role_params({kBroker, "has space", "", 3600}).ok());
  BOOST_TEST(!check_assume_role_params({kBroker, "s3dest", "x", 3600}).ok());
  BOOST_TEST(!check_assume_role_params({kBroker, "s3dest", "bad id", 3600}).ok());
  BOOST_TEST(!contains(check_assume_role_params({kBroker, "s3dest", "bad id", 3600}).message(), "bad id"));
  BOOST_TEST(!check_assume_role_params({kBroker, "s3dest", "", 899}).ok());
  BOOST_TEST(!check_assume_role_params({kBroker, "s3dest", "", 43201}).ok());
}

BOOST_AUTO_TEST_CASE(a_chain_of_three_hops_sends_each_its_external_id_and_caps_chained_sessions) {
  Fixture f;
  auto chain = make_role_chain(f.user(),
                               {{kBroker, "s3dest", "broker-external-id", 7200},
                                {kWriter, "s3dest", "writer-external-id", 7200},
                                {kReader, "s3dest", "", 3600}},
                               f.transport, f.settings);
  BOOST_REQUIRE_MESSAGE(chain.ok(), chain.status().message());
  auto credentials = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(credentials.ok(), credentials.status().message());
  BOOST_TEST((*chain)->describe() ==
             "role " + kReader + " (AssumeRole with credentials from role " + kWriter +
                 " (AssumeRole with credentials from role " + kBroker +
                 " (AssumeRole with credentials from the config's access_key_id)))");

  const auto requests = f.sts.requests();
  BOOST_REQUIRE(requests.size() == 3u);
  const auto issued = f.sts.issued();
  const std::string expected_roles[] = {kBroker, kWriter, kReader};
  const std::string expected_ids[] = {"broker-external-id", "writer-external-id", ""};
  const std::string expected_durations[] = {"7200", "3600", "3600"};
  std::string caller = kUser.access_key_id;
  for (size_t i = 0; i < 3; ++i) {
    auto form = form_fields(requests[i].body);
    BOOST_TEST(form["RoleArn"] == expected_roles[i]);
    BOOST_TEST((form.count("ExternalId") ? form["ExternalId"] : "") == expected_ids[i]);
    BOOST_TEST(form["DurationSeconds"] == expected_durations[i]);
    // Each hop is signed with the previous hop's session (its key, secret and token).
    const std::string& authorization = *requests[i].header("Authorization");
    BOOST_TEST(contains(authorization, "Credential=" + caller + "/"));
    const std::string secret = i == 0 ? kUser.secret_access_key : issued.at(caller).secret;
    BOOST_TEST(authorization == expected_authorization(requests[i], caller, secret, "us-east-1", "sts"));
    if (i == 0) BOOST_TEST(requests[i].header("X-Amz-Security-Token") == nullptr);
    else BOOST_TEST(*requests[i].header("X-Amz-Security-Token") == issued.at(caller).token);
    for (const auto& [key, identity] : issued)
      if (identity.arn == expected_roles[i]) caller = key;
  }
  BOOST_TEST(credentials->access_key_id == caller);
  BOOST_TEST(issued.at(caller).arn == kReader);

  // Asked again: all three sessions are fresh, nothing is sent.
  BOOST_REQUIRE((*chain)->credentials().ok());
  BOOST_TEST(f.sts.requests().size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_refused_hop_in_a_chain_names_that_hop) {
  Fixture f;
  // The writer trusts the broker, not the user: a chain that skips the broker is refused.
  auto chain = make_role_chain(f.user(), {{kWriter, "s3dest", "writer-external-id", 3600}}, f.transport, f.settings);
  BOOST_REQUIRE(chain.ok());
  auto credentials = (*chain)->credentials();
  BOOST_REQUIRE(!credentials.ok());
  BOOST_TEST_MESSAGE(credentials.status().message());
  BOOST_TEST(contains(credentials.status().message(), "AssumeRole of role " + kWriter + " was refused"));

  auto bad = make_role_chain(f.user(), {{kBroker, "s3dest", "", 3600}, {"writer", "s3dest", "", 3600}}, f.transport,
                             f.settings);
  BOOST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.status().exit_code() == 2);
  BOOST_TEST(contains(bad.status().message(), "\"writer\" is not a role ARN"));
}

// ---------------------------------------------------------------------------------------
// Renewal before expiry.

namespace {

struct FakeClock {
  std::atomic<int64_t> now{1'000'000};
  std::function<int64_t()> function() {
    return [this] { return now.load(); };
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(credentials_are_renewed_in_the_advisory_window_and_served_while_renewal_fails) {
  FakeClock clock;
  std::atomic<int> fetches{0};
  std::atomic<bool> fail{false};
  RefreshingCredentialsProvider provider(
      "test",
      [&]() -> Result<Credentials> {
        if (fail) return destination_error("STS is down");
        const int n = ++fetches;
        return Credentials{"AKIA" + std::to_string(n), "s3", "t", clock.now + 3600};
      },
      clock.function());
  BOOST_TEST(provider.credentials()->access_key_id == "AKIA1");
  clock.now += 3600 - 16 * 60;  // 16 minutes left: fresh
  BOOST_TEST(provider.credentials()->access_key_id == "AKIA1");
  BOOST_TEST(fetches == 1);
  clock.now += 2 * 60;  // 14 minutes left: advisory, renewed
  BOOST_TEST(provider.credentials()->access_key_id == "AKIA2");

  clock.now += 3600 - 14 * 60;  // 14 minutes left of AKIA2, and STS fails
  fail = true;
  auto still = provider.credentials();
  BOOST_REQUIRE(still.ok());
  BOOST_TEST(still->access_key_id == "AKIA2");
  BOOST_TEST(provider.fetches() == 3u);
  BOOST_TEST(provider.credentials().ok());  // not retried at once...
  BOOST_TEST(provider.fetches() == 3u);
  clock.now += kAdvisoryRetrySeconds;  // ...but after a pause
  BOOST_TEST(provider.credentials().ok());
  BOOST_TEST(provider.fetches() == 4u);

  clock.now += 10 * 60;  // under 5 minutes left: mandatory, and the failure is the answer
  auto expired = provider.credentials();
  BOOST_REQUIRE(!expired.ok());
  BOOST_TEST(expired.status().message() == "STS is down");
  fail = false;
  BOOST_TEST(provider.credentials()->access_key_id == "AKIA3");
}

BOOST_AUTO_TEST_CASE(short_sessions_get_smaller_windows) {
  FakeClock clock;
  int fetches = 0;
  RefreshingCredentialsProvider provider(
      "test", [&]() -> Result<Credentials> { return Credentials{"AKIA" + std::to_string(++fetches), "s3", "t", clock.now + 900}; },
      clock.function());
  BOOST_REQUIRE(provider.credentials().ok());
  clock.now += 300;  // 10 minutes left of 15: inside 15 minutes, but not half the lifetime
  BOOST_TEST(provider.credentials()->access_key_id == "AKIA1");
  clock.now += 200;  // 400 s left: under half
  BOOST_TEST(provider.credentials()->access_key_id == "AKIA2");
}

BOOST_AUTO_TEST_CASE(long_term_keys_are_fetched_once) {
  int fetches = 0;
  RefreshingCredentialsProvider provider("keys", [&]() -> Result<Credentials> {
    ++fetches;
    return Credentials{"AKIA", "s3", ""};
  });
  for (int i = 0; i < 5; ++i) BOOST_REQUIRE(provider.credentials().ok());
  BOOST_TEST(fetches == 1);
}

BOOST_AUTO_TEST_CASE(many_threads_needing_new_credentials_cause_one_renewal) {
  FakeClock clock;
  std::atomic<int> fetches{0}, in_flight{0}, most_in_flight{0};
  RefreshingCredentialsProvider provider(
      "test",
      [&]() -> Result<Credentials> {
        const int now_in = ++in_flight;
        most_in_flight = std::max(most_in_flight.load(), now_in);
        std::this_thread::sleep_for(50ms);
        --in_flight;
        const int n = ++fetches;
        return Credentials{"AKIA" + std::to_string(n), "s3", "t", clock.now + 3600};
      },
      clock.function());
  for (const int64_t step : {int64_t{0}, int64_t{3600 - 60}}) {  // first use; then a minute left (mandatory)
    clock.now += step;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 16; ++t)
      threads.emplace_back([&] {
        auto c = provider.credentials();
        if (!c.ok() || c->access_key_id != "AKIA" + std::to_string(fetches.load())) ++failures;
      });
    for (auto& t : threads) t.join();
    BOOST_TEST(failures == 0);
  }
  BOOST_TEST(fetches == 2);
  BOOST_TEST(most_in_flight == 1);
}

BOOST_AUTO_TEST_CASE(in_a_chain_only_the_expiring_session_is_renewed) {
  Fixture f;
  FakeClock clock;
  clock.now = unix_now();
  auto chain = make_role_chain(f.user(),
                               {{kBroker, "s3dest", "broker-external-id", 7200}, {kWriter, "s3dest", "writer-external-id", 3600}},
                               f.transport, f.settings, clock.function());
  BOOST_REQUIRE(chain.ok());
  auto first = (*chain)->credentials();
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().message());
  BOOST_TEST(f.sts.requests().size() == 2u);
  clock.now += 3600 - 10 * 60;  // the writer session (1 h) is in its advisory window; the broker's (2 h) is not
  auto second = (*chain)->credentials();
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(second->access_key_id != first->access_key_id);
  const auto requests = f.sts.requests();
  BOOST_REQUIRE(requests.size() == 3u);
  BOOST_TEST(form_fields(requests[2].body)["RoleArn"] == kWriter);
}

BOOST_AUTO_TEST_CASE(web_identity_is_unsigned_and_reads_its_own_reply) {
  Fixture f;
  f.sts.web_identity_tokens["eyJhbGciOiJSUzI1NiJ9.payload.sig"] = kWriter;
  auto c = assume_role_with_web_identity(*f.transport, "eyJhbGciOiJSUzI1NiJ9.payload.sig", {kWriter, "pod-1", "", 3600},
                                         f.settings, "/var/run/token");
  BOOST_REQUIRE_MESSAGE(c.ok(), c.status().message());
  BOOST_TEST(c->session_token.size() > 0u);
  const ReceivedRequest r = f.sts.requests().at(0);
  BOOST_TEST(r.header("Authorization") == nullptr);
  auto form = form_fields(r.body);
  BOOST_TEST(form["Action"] == "AssumeRoleWithWebIdentity");
  BOOST_TEST(form["WebIdentityToken"] == "eyJhbGciOiJSUzI1NiJ9.payload.sig");
  BOOST_TEST(form["RoleSessionName"] == "pod-1");

  auto refused = assume_role_with_web_identity(*f.transport, "another.token.x", {kWriter, "pod-1", "", 3600}, f.settings,
                                               "/var/run/token");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST_MESSAGE(refused.status().message());
  BOOST_TEST(contains(refused.status().message(), "web identity token in /var/run/token was refused"));
  BOOST_TEST(!contains(refused.status().message(), "another.token.x"));
}

BOOST_AUTO_TEST_CASE(get_caller_identity_is_signed_like_assume_role_and_reads_arn_account_and_user_id) {
  // A scripted STS: the reply AWS sends, after checking the signature from the bytes received.
  LoopbackHttpServer sts([](const ReceivedRequest& r) {
    if (*r.header("Authorization") !=
        expected_authorization(r, kUser.access_key_id, kUser.secret_access_key, "us-east-1", "sts"))
      return Reply{403, {}, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>"};
    return Reply{200, {{"Content-Type", "text/xml"}},
                 "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                 "<GetCallerIdentityResult><Arn>" + kUserArn + "</Arn><UserId>AIDAEXAMPLEUSERID0001</UserId>"
                 "<Account>111111111111</Account></GetCallerIdentityResult>"
                 "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"};
  });
  auto transport = std::make_shared<http::CurlTransport>();
  StsSettings settings;
  settings.endpoint = sts.origin();
  auto identity = get_caller_identity(*transport, kUser, settings, "the config's access_key_id");
  BOOST_REQUIRE_MESSAGE(identity.ok(), identity.status().message());
  BOOST_TEST(identity->arn == kUserArn);
  BOOST_TEST(identity->account == "111111111111");
  BOOST_TEST(identity->user_id == "AIDAEXAMPLEUSERID0001");
  const ReceivedRequest r = sts.requests().at(0);
  BOOST_TEST(r.method == "POST");
  auto form = form_fields(r.body);
  BOOST_TEST(form["Action"] == "GetCallerIdentity");
  BOOST_TEST(form["Version"] == "2011-06-15");
  BOOST_TEST(form.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_refused_or_unreadable_get_caller_identity_says_so_without_a_secret) {
  LoopbackHttpServer sts([](const ReceivedRequest&) {
    return Reply{403, {{"Content-Type", "text/xml"}},
                 "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security "
                 "token included in the request is invalid. " + kUser.secret_access_key +
                 "</Message></Error></ErrorResponse>"};
  });
  auto transport = std::make_shared<http::CurlTransport>();
  StsSettings settings;
  settings.endpoint = sts.origin();
  auto refused = get_caller_identity(*transport, kUser, settings, "the config's access_key_id");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().exit_code() == 4);
  BOOST_TEST_MESSAGE(refused.status().message());
  BOOST_TEST(contains(refused.status().message(), "GetCallerIdentity (credentials from the config's access_key_id)"));
  BOOST_TEST(contains(refused.status().message(), "InvalidClientTokenId"));
  BOOST_TEST(!contains(refused.status().message(), kUser.secret_access_key));

  BOOST_TEST(!parse_caller_identity("<GetCallerIdentityResponse/>").ok());
  BOOST_TEST(!parse_caller_identity("not xml <").ok());
  BOOST_TEST(!parse_caller_identity("<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>nobody</Arn>"
                                    "</GetCallerIdentityResult></GetCallerIdentityResponse>").ok());
}
