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
#include "s3dest/destination/s3_connection.hpp"
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

// The report as it grows, each step passed on to on_step as it ends.
class CheckSteps {
 public:
  explicit CheckSteps(const HealthCheckOptions& options) : options_(options) {}

  bool add(bool ok, std::string text) { return add(CheckStep{ok, false, std::move(text)}); }
  bool add(CheckStep step) {
    report_.steps.push_back(std::move(step));
    if (options_.on_step) options_.on_step(report_.steps.back());
    return report_.steps.back().ok;
  }
  HealthCheckReport take() { return std::move(report_); }

 private:
  const HealthCheckOptions& options_;
  HealthCheckReport report_;
};

// 1-2. The base credentials, then each role in turn; null once one of them fails.
inline std::shared_ptr<aws::CredentialsProvider> check_credentials(const Config& config,
                                                                   std::shared_ptr<http::HttpSender> sender,
                                                                   const HealthCheckOptions& options,
                                                                   CheckSteps& steps) {
  auto base = base_credentials_for_config(config, sender, options.credentials);
  if (!base.ok()) return steps.add(false, "credentials: " + base.status().message()), nullptr;
  std::shared_ptr<aws::CredentialsProvider> provider = *base;
  if (const auto resolved = provider->credentials(); !resolved.ok())
    return steps.add(false, "credentials: " + resolved.status().message()), nullptr;
  steps.add(true, "credentials: from " + provider->describe());
  const aws::StsSettings sts = sts_settings_for_config(config);
  for (const aws::AssumeRoleParams& hop : role_hops_for_config(config)) {
    const std::string what = "AssumeRole " + hop.role_arn + " (" +
                             (hop.external_id.empty() ? "no ExternalId" : "ExternalId sent") + ")";
    if (const Status valid = aws::check_assume_role_params(hop); !valid.ok())
      return steps.add(false, what + ": " + valid.message()), nullptr;
    provider = aws::make_assume_role_provider(provider, hop, sender, sts, options.credentials.clock);
    const auto session = provider->credentials();
    if (!session.ok()) return steps.add(false, what + ": " + session.status().message()), nullptr;
    std::string until;
    if (session->expiration) {
      until = ": session until ";
      append_timestamp(until, *session->expiration * 1000000);
    }
    steps.add(true, what + until);
  }
  return provider;
}

// 4. The encryption asked for, as the server reports it (on the PUT, else on a HEAD).
inline bool check_encryption(s3::ObjectClient& client, const Config& config, const std::string& key,
                             const http::HttpResponse& put, CheckSteps& steps) {
  if (config.encryption == Encryption::none) return true;
  Status confirmed = aws::check_sse_response(config.encryption, config.encryption_key, put.headers);
  if (!confirmed.ok()) {  // some servers confirm only on HEAD
    auto head = client.head_object(key);
    confirmed =
        head.ok() ? aws::check_sse_response(config.encryption, config.encryption_key, head->headers) : head.status();
  }
  return steps.add(confirmed.ok(), "encryption: " + (confirmed.ok() ? encryption_name(config.encryption) +
                                                                          " confirmed by the server"
                                                                    : confirmed.message()));
}

// 5-6. The test object is listed under the prefix, and reads back as written.
inline void check_list_and_read(s3::ObjectClient& client, const std::string& prefix, const std::string& key,
                                const std::string& body, CheckSteps& steps) {
  auto listed = client.list_keys(prefix.empty() ? key : prefix, 1000);
  const bool found = listed.ok() && std::find(listed->begin(), listed->end(), key) != listed->end();
  if (!steps.add(found, "s3:ListBucket " + client.describe(prefix) +
                            (listed.ok() ? (found ? std::string()
                                                  : ": the test object is not listed (an eventually consistent or "
                                                    "misbehaving server?): list the prefix by hand")
                                         : ": " + listed.status().message())))
    return;
  auto read = client.get_object(key);
  steps.add(read.ok() && *read == body,
            "s3:GetObject " + client.describe(key) +
                (read.ok() ? (*read == body ? std::string() : ": the bytes read back differ from those written")
                           : ": " + read.status().message()));
}

// 3-7. Write, confirm, list, read and delete a test object; a written one is always
// deleted. False when it could not be written: the check ends there.
inline bool check_test_object(s3::ObjectClient& client, const Config& config, const std::string& prefix,
                              const HealthCheckOptions& options, CheckSteps& steps) {
  const std::string key = prefix + "s3dest-check-" + std::to_string(options.run_start_micros / 1000000) + ".txt";
  const std::string body = "s3dest health check: this object is deleted right after it is written\n";
  const std::string where = client.describe(key);
  auto put = client.put_object(key, body, aws::sse_request_headers(config.encryption, config.encryption_key));
  if (!steps.add(put.ok(), "s3:PutObject " + where + " (" + encryption_name(config.encryption) + ")" +
                               (put.ok() ? std::string() : ": " + put.status().message())))
    return false;
  if (check_encryption(client, config, key, *put, steps)) check_list_and_read(client, prefix, key, body, steps);
  const Status deleted = client.delete_object(key);
  steps.add(deleted.ok(), "s3:DeleteObject " + where +
                              (deleted.ok() ? std::string()
                                            : ": " + deleted.message() + "; the test object was left at " + where +
                                                  ": delete it by hand"));
  return true;
}

}  // namespace detail

inline Result<HealthCheckReport> run_health_check(const Config& config, std::shared_ptr<http::HttpSender> sender,
                                                  const HealthCheckOptions& options) {
  const std::string bucket = options.bucket.empty() ? config.bucket : options.bucket;
  if (bucket.empty())
    return usage_error("no bucket to check: set \"bucket\" in the config or give --dest s3://bucket/prefix");
  S3DEST_ASSIGN_OR_RETURN(const s3::BucketEndpoint endpoint, bucket_endpoint_for_config(config, bucket));
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, make_matching_layout(config, options.prefix));
  S3DEST_TRY(plain_http_warning(config).status());

  detail::CheckSteps steps(options);
  const auto provider = detail::check_credentials(config, sender, options, steps);
  if (!provider) return steps.take();
  s3::ObjectClient client(endpoint, provider, sender, options.credentials.clock);
  const std::string prefix = layout.fixed_prefix();
  if (detail::check_test_object(client, config, prefix, options, steps))
    steps.add(detail::open_uploads_step(client, layout, prefix));
  return steps.take();
}

}  // namespace s3dest
