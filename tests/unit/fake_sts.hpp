// A loopback STS for tests: AssumeRole and AssumeRoleWithWebIdentity over real HTTP
// (LoopbackHttpServer), answering in STS's wire format. It checks each AssumeRole's
// SigV4 signature by recomputing it from the bytes received, with only SHA-256 and HMAC
// (not s3dest's signer), refuses what a trust policy would, and records every request.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "loopback_http_server.hpp"
#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/crypto/digest.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/crypto/hmac.hpp"

namespace s3dest::testing {

// The form fields of a request body, decoded.
inline std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> out;
  for (const auto& p : aws::parse_query(body)) out[aws::percent_decode(p.name)] = aws::percent_decode(p.value);
  return out;
}

inline std::string iso8601(int64_t unix_seconds) {
  std::string out;
  append_timestamp(out, unix_seconds * kMicrosPerSecond);
  return out;
}

// The Authorization header a correct SigV4 signer sends for `r` (a POST with headers
// Content-Type, Host, X-Amz-Date and maybe X-Amz-Security-Token), built from first
// principles: canonical request, string to sign, the four-HMAC key, the signature.
inline std::string expected_authorization(const ReceivedRequest& r, const std::string& access_key,
                                          const std::string& secret, const std::string& region,
                                          const std::string& service) {
  const std::string date = *r.header("X-Amz-Date");
  std::vector<std::pair<std::string, std::string>> signed_headers = {
      {"content-type", *r.header("Content-Type")}, {"host", *r.header("Host")}, {"x-amz-date", date}};
  if (const std::string* token = r.header("X-Amz-Security-Token")) signed_headers.push_back({"x-amz-security-token", *token});
  std::string canonical = r.method + "\n" + r.path() + "\n" + r.query() + "\n";
  std::string names;
  for (const auto& [name, value] : signed_headers) {
    canonical += name + ":" + value + "\n";
    names += (names.empty() ? "" : ";") + name;
  }
  canonical += "\n" + names + "\n" + to_hex(sha256(r.body));
  const std::string scope = date.substr(0, 8) + "/" + region + "/" + service + "/aws4_request";
  const std::string to_sign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + to_hex(sha256(canonical));
  std::string key = hmac_sha256("AWS4" + secret, date.substr(0, 8));
  key = hmac_sha256(key, region);
  key = hmac_sha256(key, service);
  key = hmac_sha256(key, "aws4_request");
  return "AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope + ", SignedHeaders=" + names +
         ", Signature=" + to_hex(hmac_sha256(key, to_sign));
}

class FakeSts {
 public:
  struct Identity {
    std::string secret;
    std::string token;  // empty for long-term keys
    std::string arn;    // who this is: a user, or a role (for its sessions)
  };
  struct Role {
    std::set<std::string> trusted;  // ARNs whose credentials may assume it
    std::string external_id;        // required when not empty
  };

  std::string region = "us-east-1";
  bool s3_style_errors = false;  // <Error> at the root, as radosgw sends
  int throttle_next = 0;         // answer this many requests with 400 Throttling first
  std::string echo_in_message;   // put into every error Message (to test redaction)
  std::map<std::string, std::string> web_identity_tokens;  // token -> role ARN it may assume

  FakeSts() : server_([this](const ReceivedRequest& r) { return handle(r); }) {}

  std::string endpoint() const { return server_.origin(); }
  std::vector<ReceivedRequest> requests() const { return server_.requests(); }
  LoopbackHttpServer& server() { return server_; }

  void add_identity(const std::string& access_key, Identity identity) {
    std::lock_guard<std::mutex> lock(mutex_);
    identities_[access_key] = std::move(identity);
  }
  void add_role(const std::string& arn, Role role) {
    std::lock_guard<std::mutex> lock(mutex_);
    roles_[arn] = std::move(role);
  }
  // The credentials issued so far, by access key.
  std::map<std::string, Identity> issued() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return issued_;
  }

 private:
  Reply error(int status, const std::string& code, const std::string& message) {
    const std::string text = message + echo_in_message;
    if (s3_style_errors)
      return Reply{status, {{"Content-Type", "application/xml"}},
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + text +
                       "</Message><RequestId>tx1</RequestId></Error>"};
    return Reply{status, {{"Content-Type", "text/xml"}},
                 "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" +
                     code + "</Code><Message>" + text + "</Message></Error><RequestId>r1</RequestId></ErrorResponse>"};
  }

  Reply credentials_reply(const std::string& action, const std::string& role_arn, const std::string& session,
                          int duration) {
    const int n = ++counter_;
    const std::string key = "ASIAFAKE" + std::to_string(1000 + n);
    Identity issued{"fake-secret-" + std::to_string(n) + "-abcdefghij", "fake-token-" + std::to_string(n) + "-FwoGZXIvYXdz",
                    role_arn};
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    issued_[key] = issued;
    identities_[key] = issued;
    return Reply{200, {{"Content-Type", "text/xml"}},
                 "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
                     "Result><AssumedRoleUser><Arn>" + role_arn + "/" + session +
                     "</Arn></AssumedRoleUser><Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>" +
                     issued.secret + "</SecretAccessKey><SessionToken>" + issued.token +
                     "</SessionToken><Expiration>" + iso8601(now + duration) + "</Expiration></Credentials></" +
                     action + "Result></" + action + "Response>"};
  }

  Reply handle(const ReceivedRequest& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (throttle_next > 0) {
      --throttle_next;
      return error(400, "Throttling", "Rate exceeded");
    }
    auto form = form_fields(r.body);
    if (r.method != "POST" || form["Version"] != "2011-06-15") return error(400, "InvalidAction", "bad request");
    const int duration = form.count("DurationSeconds") ? std::stoi(form["DurationSeconds"]) : 3600;
    if (form["Action"] == "AssumeRoleWithWebIdentity") {
      if (r.header("Authorization") != nullptr) return error(400, "InvalidAction", "web identity requests are unsigned");
      auto it = web_identity_tokens.find(form["WebIdentityToken"]);
      if (it == web_identity_tokens.end()) return error(400, "InvalidIdentityToken", "Couldn't retrieve verification key");
      if (it->second != form["RoleArn"]) return error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
      return credentials_reply("AssumeRoleWithWebIdentity", form["RoleArn"], form["RoleSessionName"], duration);
    }
    if (form["Action"] != "AssumeRole") return error(400, "InvalidAction", "unknown action");
    const std::string* authorization = r.header("Authorization");
    if (authorization == nullptr) return error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    const size_t start = authorization->find("Credential=") + 11;
    const std::string access_key = authorization->substr(start, authorization->find('/', start) - start);
    auto who = identities_.find(access_key);
    if (who == identities_.end()) return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    if (*authorization != expected_authorization(r, access_key, who->second.secret, region, "sts"))
      return error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
    const std::string* token = r.header("X-Amz-Security-Token");
    if ((token ? *token : "") != who->second.token)
      return error(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    auto role = roles_.find(form["RoleArn"]);
    if (role == roles_.end() || role->second.trusted.count(who->second.arn) == 0 ||
        role->second.external_id != form["ExternalId"])
      return error(403, "AccessDenied", "User: " + who->second.arn + " is not authorized to perform: sts:AssumeRole on resource: " + form["RoleArn"]);
    if (!who->second.token.empty() && duration > 3600)
      return error(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    return credentials_reply("AssumeRole", form["RoleArn"], form["RoleSessionName"], duration);
  }

  mutable std::mutex mutex_;
  std::map<std::string, Identity> identities_;
  std::map<std::string, Role> roles_;
  std::map<std::string, Identity> issued_;
  int counter_ = 0;
  LoopbackHttpServer server_;  // last: stopped (destroyed) before the maps it reads
};

}  // namespace s3dest::testing
