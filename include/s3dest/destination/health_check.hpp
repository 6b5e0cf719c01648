// The health check of DESIGN.md (`s3dest check`): can this config write where it says,
// with the credentials and encryption it names? One line per step, each ok or FAIL with
// the reason and what to fix:
//   1. credentials resolved (the base credentials, before any role)
//   2. each AssumeRole hop: the role ARN and whether an ExternalId was sent
//   3. s3:PutObject of a small test object under the folder's fixed prefix, with the
//      configured encryption headers
//   4. the encryption confirmed from the object's headers
//   5. s3:ListBucket on that prefix (the object is listed)
//   6. s3:GetObject (the same bytes come back)
//   7. s3:DeleteObject; if refused, where the test object was left.
//   8. open multipart uploads under the prefix: the ones s3dest started (their keys are
//      this layout's) and never finished, left by a run killed without a chance to
//      clean up, are a warning that names `s3dest cleanup`.
// A step that fails ends the check (what follows depends on it), except that a test
// object that was written is always deleted.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/aws/sse.hpp"
#include "s3dest/aws/sts.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/s3/object_client.hpp"

namespace s3dest {

struct CheckStep {
  bool ok = false;
  bool warning = false;  // passed, but something needs attention (ok is true)
  std::string text;      // "credentials: ...", "s3:PutObject s3://b/k: ..."
};

struct HealthCheckOptions {
  std::string bucket;  // from --dest s3://bucket/prefix, else the config's
  std::string prefix;
  int64_t run_start_micros = 0;  // names the test object
  CredentialOptions credentials;
  // Called with each step as it ends, so a slow step shows the ones before it.
  std::function<void(const CheckStep&)> on_step;
};

struct HealthCheckReport {
  std::vector<CheckStep> steps;
  bool ok() const {
    for (const CheckStep& s : steps)
      if (!s.ok) return false;
    return !steps.empty();
  }
};

// Fails (usage error) only for what keeps the check from starting: no bucket, a layout
// the config refuses. Everything the destination answers is a step.
Result<HealthCheckReport> run_health_check(const Config& config, std::shared_ptr<http::HttpSender> sender,
                                           const HealthCheckOptions& options);

namespace detail {

// The roles to assume, in order, for connection_option assume_role.
inline std::vector<aws::AssumeRoleParams> role_hops(const Config& config) {
  std::vector<aws::AssumeRoleParams> hops;
  if (config.connection_option != ConnectionOption::assume_role) return hops;
  const auto add = [&](const std::string& role_arn, const std::string& external_id) {
    aws::AssumeRoleParams hop;
    hop.role_arn = role_arn;
    hop.session_name = config.role_session_name;
    hop.external_id = external_id;
    hops.push_back(std::move(hop));
  };
  for (const RoleHop& hop : config.role_chain) add(hop.role_arn, hop.external_id);
  add(config.assume_role_arn, config.external_id);
  return hops;
}

// Uploads that s3dest started under `prefix` and never completed or aborted.
inline CheckStep open_uploads_step(s3::ObjectClient& client, const KeyLayout& layout, const std::string& prefix) {
  CheckStep step;
  step.ok = true;
  const std::string where = "open uploads under " + client.describe(prefix);
  auto uploads = client.list_multipart_uploads(prefix);
  if (!uploads.ok()) {
    step.warning = true;
    step.text = where + ": cannot list them (" + uploads.status().message() +
                "): allow s3:ListBucketMultipartUploads, so the leftovers of killed runs can be found";
    return step;
  }
  std::vector<const s3::OpenUpload*> ours;
  for (const s3::OpenUpload& upload : *uploads)
    if (layout.could_render(upload.key)) ours.push_back(&upload);
  const size_t others = uploads->size() - ours.size();
  const std::string not_ours =
      others == 0 ? "" : "; " + std::to_string(others) + " more that s3dest did not start (left alone)";
  if (ours.empty()) {
    step.text = where + ": none of s3dest's" + not_ours;
    return step;
  }
  step.warning = true;
  step.text = where + ": " + std::to_string(ours.size()) +
              " left by s3dest runs that were killed or are still running (" + ours.front()->key;
  if (ours.front()->initiated_micros != 0) {
    step.text += ", started ";
    append_timestamp(step.text, ours.front()->initiated_micros);
  }
  step.text += (ours.size() > 1 ? ", ...)" : ")") + not_ours +
               ": they are billed until aborted; run s3dest cleanup with this config";
  return step;
}

inline std::string encryption_name(Encryption e) {
  switch (e) {
    case Encryption::sse_s3: return "sse-s3";
    case Encryption::sse_kms: return "sse-kms";
    case Encryption::sse_kms_cmk: return "sse-kms-cmk";
    case Encryption::none: return "no encryption headers";
  }
  return "";
}

}  // namespace detail

inline Result<HealthCheckReport> run_health_check(const Config& config, std::shared_ptr<http::HttpSender> sender,
                                                  const HealthCheckOptions& options) {
  s3::BucketEndpoint bucket;
  bucket.bucket = options.bucket.empty() ? config.bucket : options.bucket;
  if (bucket.bucket.empty())
    return usage_error("no bucket to check: set \"bucket\" in the config or give --dest s3://bucket/prefix");
  bucket.region = config.region;
  bucket.endpoint = config.endpoint;
  bucket.path_style = config.path_style;
  bucket.retry.max_attempts = config.max_attempts;
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, make_matching_layout(config, options.prefix));
  S3DEST_TRY(plain_http_warning(config).status());

  HealthCheckReport report;
  const auto step = [&](bool ok, std::string text) {
    report.steps.push_back({ok, false, std::move(text)});
    if (options.on_step) options.on_step(report.steps.back());
    return ok;
  };

  // 1-2. The base credentials, then each role.
  Config base_config = config;
  const std::vector<aws::AssumeRoleParams> hops = detail::role_hops(config);
  if (!hops.empty()) {
    base_config.connection_option =
        config.access_key_id.empty() ? ConnectionOption::shared_access : ConnectionOption::access_key;
    base_config.role_chain.clear();
    base_config.assume_role_arn.clear();
  }
  auto base = credentials_for_config(base_config, sender, options.credentials);
  if (!base.ok()) {
    step(false, "credentials: " + base.status().message());
    return report;
  }
  std::shared_ptr<aws::CredentialsProvider> provider = *base;
  if (const auto resolved = provider->credentials(); !resolved.ok()) {
    step(false, "credentials: " + resolved.status().message());
    return report;
  }
  step(true, "credentials: from " + provider->describe());
  const aws::StsSettings sts = sts_settings_for_config(config);
  for (size_t i = 0; i < hops.size(); ++i) {
    const aws::AssumeRoleParams& hop = hops[i];
    const std::string what = "AssumeRole " + hop.role_arn + " (" +
                             (hop.external_id.empty() ? "no ExternalId" : "ExternalId sent") + ")";
    if (const Status valid = aws::check_assume_role_params(hop); !valid.ok()) {
      step(false, what + ": " + valid.message());
      return report;
    }
    provider = aws::make_assume_role_provider(provider, hop, sender, sts, options.credentials.clock);
    const auto session = provider->credentials();
    if (!session.ok()) {
      step(false, what + ": " + session.status().message());
      return report;
    }
    std::string until;
    if (session->expiration) {
      until = ": session until ";
      append_timestamp(until, *session->expiration * 1000000);
    }
    step(true, what + until);
  }

  // 3-7. Write, confirm, list, read and delete a test object.
  s3::ObjectClient client(bucket, provider, sender, options.credentials.clock);
  const std::string prefix = layout.fixed_prefix();
  const std::string key = prefix + "s3dest-check-" + std::to_string(options.run_start_micros / 1000000) + ".txt";
  const std::string body = "s3dest health check: this object is deleted right after it is written\n";
  const std::string where = client.describe(key);
  auto put = client.put_object(key, body, aws::sse_request_headers(config.encryption, config.encryption_key));
  if (!step(put.ok(), "s3:PutObject " + where + " (" + detail::encryption_name(config.encryption) + ")" +
                          (put.ok() ? std::string() : ": " + put.status().message())))
    return report;

  bool go_on = true;
  if (config.encryption != Encryption::none) {
    Status confirmed = aws::check_sse_response(config.encryption, config.encryption_key, put->headers);
    if (!confirmed.ok()) {  // some servers confirm only on HEAD
      auto head = client.head_object(key);
      confirmed = head.ok() ? aws::check_sse_response(config.encryption, config.encryption_key, head->headers)
                            : head.status();
    }
    go_on = step(confirmed.ok(), "encryption: " + (confirmed.ok() ? detail::encryption_name(config.encryption) +
                                                                        " confirmed by the server"
                                                                  : confirmed.message()));
  }
  if (go_on) {
    auto listed = client.list_keys(prefix.empty() ? key : prefix, 1000);
    const bool found = listed.ok() && std::find(listed->begin(), listed->end(), key) != listed->end();
    go_on = step(found, "s3:ListBucket s3://" + bucket.bucket + "/" + prefix +
                            (listed.ok() ? (found ? std::string()
                                                  : ": the test object is not listed (an eventually consistent or "
                                                    "misbehaving server?): list the prefix by hand")
                                         : ": " + listed.status().message()));
  }
  if (go_on) {
    auto read = client.get_object(key);
    step(read.ok() && *read == body,
         "s3:GetObject " + where +
             (read.ok() ? (*read == body ? std::string() : ": the bytes read back differ from those written")
                        : ": " + read.status().message()));
  }
  const Status deleted = client.delete_object(key);
  step(deleted.ok(), "s3:DeleteObject " + where +
                         (deleted.ok() ? std::string()
                                       : ": " + deleted.message() + "; the test object was left at " + where +
                                             ": delete it by hand"));
  report.steps.push_back(detail::open_uploads_step(client, layout, prefix));
  if (options.on_step) options.on_step(report.steps.back());
  return report;
}

}  // namespace s3dest
