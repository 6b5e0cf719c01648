// The health check of DESIGN.md (`s3dest check`): can this config write where it says,
// with the credentials, encryption and object options it names? One line per step, each
// ok or FAIL with the reason and what to fix:
//   1. credentials resolved (the base credentials, before any role)
//   2. each AssumeRole hop: the role ARN and whether an ExternalId was sent
//   3. the bucket's region (HeadBucket's x-amz-bucket-region) against the config's
//   4. s3:PutObject of a small test object under the folder's fixed prefix, with the
//      configured encryption headers and object options
//   5. the encryption confirmed from the object's headers
//   6. the object options confirmed from a HEAD (content type and encoding, storage
//      class, metadata), then the tags (s3:GetObjectTagging) and the ACL
//      (s3:GetObjectAcl) when the config sets them
//   7. s3:ListBucket on that prefix (the object is listed)
//   8. s3:GetObject (the same bytes come back)
//   9. s3:DeleteObject (DeleteObjects, the call a failed run deletes its objects with);
//      if refused, where the test object was left. In a versioned
//      bucket s3:DeleteObjectVersion of the test object's version instead, which leaves
//      nothing behind and is how a failed run puts back what it replaced; refused, that
//      is a warning, and the plain delete follows (its version stays, behind a marker).
//  10. s3:GetBucketVersioning: whether the bucket keeps versions, which says how a failed
//      run puts back what it replaced (deleting its own versions, or copying back the
//      copies it kept); refused, that is a warning: runs then keep copies.
//  11. open multipart uploads under the prefix: the ones s3dest started (their keys are
//      this layout's, or a kept copy's) and never finished, left by a run killed without
//      a chance to clean up, are a warning that names `s3dest cleanup`.
// A call refused for want of a permission names the action and resource, and prints the
// statement to add to the writer's policy (the one `s3dest policy` prints). A step that
// fails ends the check (what follows depends on it), except that a test object that was
// written is always deleted.
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
#include "s3dest/destination/object_options.hpp"
#include "s3dest/destination/policy.hpp"
#include "s3dest/destination/s3_connection.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/s3/object_property_headers.hpp"
#include "s3dest/sink/kept_copy.hpp"

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

// How a step names an S3 call: by the IAM action it needs ("s3:GetObject"), from the table.
inline std::string action_label(std::string_view operation) {
  const s3::Permission* permission = s3::permission_of(operation);
  return permission ? std::string(permission->action) : std::string(operation);
}

// The statements a refused `operation` may need: its own, and for a write what the
// object's tags, ACL and SSE-KMS key add to it.
inline std::vector<std::string> statements_for(const Config& config, const std::string& bucket,
                                               const std::string& prefix, std::string_view operation) {
  std::vector<std::string> statements = {statement_to_add(config, bucket, prefix, operation)};
  if (action_label(operation) == action_label("PutObject")) {
    if (!config.tags.empty())
      statements.push_back(statement_to_add(config, bucket, prefix, s3::kPutObjectTaggingAction));
    if (!config.canned_acl.empty())
      statements.push_back(statement_to_add(config, bucket, prefix, s3::kPutObjectAclAction));
    if (config.encryption == Encryption::sse_kms_cmk)
      statements.push_back(statement_to_add(config, bucket, prefix, s3::kKmsActions[0]));
  }
  return statements;
}

// Why a call failed; for a missing permission, also the statements that grant it: in the
// writer's IAM policy, or with shared_access in the bucket policy, with the writer as
// Principal (s3dest policy --for bucket prints it whole).
inline std::string refusal_reason(const Status& status, const s3::ObjectClient& client, const Config& config,
                                  const std::string& prefix, std::string_view operation) {
  std::string reason = ": " + status.message();
  if (!s3::is_permission_refusal(status)) return reason;
  reason += config.connection_option == ConnectionOption::shared_access
                ? ". Add to the bucket policy, with the writer as Principal (s3dest policy --for bucket): "
                : ". Add to the writer's policy: ";
  const std::vector<std::string> statements = statements_for(config, client.bucket().bucket, prefix, operation);
  for (size_t i = 0; i < statements.size(); ++i) reason += (i ? ", " : "") + statements[i];
  return reason;
}

// Uploads that s3dest started under `prefix` and never completed or aborted. Listing
// them is refused without s3:ListBucketMultipartUploads, which `s3dest cleanup` needs.
inline CheckStep open_uploads_step(s3::ObjectClient& client, const Config& config, const KeyLayout& layout,
                                   const std::string& prefix) {
  CheckStep step;
  step.ok = true;
  const std::string where = "open uploads under " + client.describe(prefix);
  auto uploads = client.list_multipart_uploads(prefix);
  if (!uploads.ok()) {
    const bool refused = s3::is_permission_refusal(uploads.status());
    step.ok = !refused;
    step.warning = !refused;
    step.text = (refused ? action_label("ListMultipartUploads") + " " : "") + where + ": cannot list them" +
                refusal_reason(uploads.status(), client, config, prefix, "ListMultipartUploads") +
                (refused ? "" : "; the leftovers of killed runs cannot be found");
    return step;
  }
  std::vector<const s3::OpenUpload*> ours;
  for (const s3::OpenUpload& upload : *uploads)  // a copy a run kept above 5 GiB is an upload too
    if (layout.could_render(upload.key) || parse_kept_copy_key(upload.key)) ours.push_back(&upload);
  const size_t others = uploads->size() - ours.size();
  const std::string not_ours =
      others == 0 ? "" : "; " + std::to_string(others) + " more that s3dest did not start (left alone)";
  if (ours.empty()) {
    step.text = where + ": none of s3dest's" + not_ours;
    return step;
  }
  step.warning = true;
  step.text = where + ": " + std::to_string(ours.size()) +
              " left by s3dest runs that were killed or are still running (" +
              printable(ours.front()->key, 1100, Masking::none);
  if (ours.front()->initiated_micros != 0) {
    step.text += ", started ";
    append_timestamp(step.text, ours.front()->initiated_micros);
  }
  step.text += (ours.size() > 1 ? ", ...)" : ")") + not_ours +
               ": they are billed until aborted; run s3dest cleanup with this config";
  return step;
}

// Whether the bucket keeps versions: how a failed run puts back what it replaced.
inline CheckStep versioning_step(s3::ObjectClient& client, const Config& config, const std::string& prefix) {
  const std::string where = action_label("GetBucketVersioning") + " " + client.describe("");
  const auto versions = client.keeps_versions();
  if (!versions.ok())
    return CheckStep{true, true,
                     where + ": cannot tell whether the bucket keeps versions" +
                         refusal_reason(versions.status(), client, config, prefix, "GetBucketVersioning") +
                         "; runs keep a copy of each object they replace, as without versions"};
  return CheckStep{true, false,
                   where + (*versions ? ": the bucket keeps versions: a failed run deletes its own, so what it "
                                        "replaced is current again"
                                      : ": the bucket keeps no versions: a run keeps a copy of each object it "
                                        "replaces, and a failed one copies them back")};
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

// 3. The bucket's region as S3 names it; a server that does not say passes.
inline bool check_region(s3::ObjectClient& client, const Config& config, CheckSteps& steps) {
  auto region = client.bucket_region();
  if (!region.ok()) return steps.add(false, "bucket " + client.describe("") + ": " + region.status().message());
  const std::string& configured = client.bucket().region;
  if (region->empty())
    return steps.add(true, "region: " + configured + " (the server does not name the bucket's region)");
  if (*region != configured)
    return steps.add(false, "region: the bucket is in " + *region + ", not " + configured + ": set \"region\": \"" +
                                *region + "\" in " + (config.title.empty() ? "the config" : config.title));
  return steps.add(true, "region: " + *region + ", as configured");
}

// What the test object is written with besides its bytes, for the PutObject line.
inline std::string put_description(const Config& config, const ObjectProperties& properties) {
  std::string text = encryption_name(config.encryption);
  if (!properties.storage_class.empty()) text += ", " + properties.storage_class;
  if (!properties.tags.empty()) text += ", " + std::to_string(properties.tags.size()) + " tags";
  if (!properties.canned_acl.empty()) text += ", ACL " + properties.canned_acl;
  if (!properties.metadata.empty()) text += ", " + std::to_string(properties.metadata.size()) + " metadata";
  return text;
}

// 5. The encryption asked for, as the server reports it (on the PUT, else on the HEAD).
inline bool check_encryption(const Config& config, const http::HttpResponse& put, const http::HttpResponse& head,
                             CheckSteps& steps) {
  if (config.encryption == Encryption::none) return true;
  Status confirmed = aws::check_sse_response(config.encryption, config.encryption_key, put.headers);
  if (!confirmed.ok())  // some servers confirm only on HEAD
    confirmed = aws::check_sse_response(config.encryption, config.encryption_key, head.headers);
  return steps.add(confirmed.ok(), "encryption: " + (confirmed.ok() ? encryption_name(config.encryption) +
                                                                          " confirmed by the server"
                                                                    : confirmed.message()));
}

// 6. Content type and encoding, storage class and metadata, as the HEAD reports them.
inline bool check_object_options(const ObjectProperties& wanted, const http::HttpResponse& head,
                                 CheckSteps& steps) {
  std::vector<std::string> differences, confirmed;
  const auto compare = [&](const std::string& what, const std::string& expected, const std::string* got) {
    const std::string shown = got ? printable(*got, 256) : "missing";
    if (got ? *got != expected : !expected.empty())
      differences.push_back(what + " is " + shown + ", not " + expected);
    else if (!expected.empty())
      confirmed.push_back(what + " " + expected);
  };
  compare("Content-Type", wanted.content_type, head.find_header("Content-Type"));
  if (!wanted.content_encoding.empty())
    compare("Content-Encoding", wanted.content_encoding, head.find_header("Content-Encoding"));
  if (!wanted.storage_class.empty() && wanted.storage_class != "STANDARD")
    compare("storage class", wanted.storage_class, head.find_header("x-amz-storage-class"));
  for (const auto& [name, value] : wanted.metadata)
    compare("x-amz-meta-" + name, value, head.find_header("x-amz-meta-" + name));
  if (!differences.empty()) {
    std::string text = "object options: ";
    for (size_t i = 0; i < differences.size(); ++i) text += (i ? "; " : "") + differences[i];
    return steps.add(false, text + ": the server did not keep them as sent; check that it supports them");
  }
  std::string text = "object options: ";
  for (size_t i = 0; i < confirmed.size(); ++i) text += (i ? ", " : "") + confirmed[i];
  return steps.add(true, text + " confirmed by the server");
}

// 6. The tags, read back; only when the config sets them.
inline bool check_tags(s3::ObjectClient& client, const Config& config, const std::string& prefix,
                       const std::string& key, const ObjectProperties& wanted, CheckSteps& steps) {
  if (wanted.tags.empty()) return true;
  const std::string what = action_label("GetObjectTagging") + " " + client.describe(key);
  auto tags = client.get_object_tagging(key);
  if (!tags.ok())
    return steps.add(false, what + refusal_reason(tags.status(), client, config, prefix, "GetObjectTagging"));
  auto got = *tags, expected = wanted.tags;
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  if (got != expected) {
    const auto differs = std::mismatch(expected.begin(), expected.end(), got.begin(), got.end()).first;
    const std::string missing = differs == expected.end() ? std::string("more tags than configured")
                                                          : "no tag " + differs->first + "=" + differs->second;
    return steps.add(false, what + ": the object has " + std::to_string(got.size()) + " tags, " + missing +
                                ": check that the server keeps tags");
  }
  return steps.add(true, what + ": " + std::to_string(got.size()) + " tags, as configured");
}

// 6. The grants of the ACL, read back; only when the config sets a canned ACL. What a
// canned ACL grants depends on who owns the bucket, so the grants are shown; a public
// ACL must show its group.
inline bool check_acl(s3::ObjectClient& client, const Config& config, const std::string& prefix,
                      const std::string& key, const ObjectProperties& wanted, CheckSteps& steps) {
  if (wanted.canned_acl.empty()) return true;
  const std::string what = action_label("GetObjectAcl") + " " + client.describe(key);
  auto grants = client.get_object_acl(key);
  if (!grants.ok())
    return steps.add(false, what + refusal_reason(grants.status(), client, config, prefix, "GetObjectAcl"));
  std::string shown;
  bool public_group = false;
  for (const s3::ObjectGrant& grant : *grants) {
    shown += (shown.empty() ? "" : ", ") + printable(grant.permission, 16) + " to " + printable(grant.grantee, 80);
    public_group = public_group || grant.grantee.find("/groups/global/") != std::string::npos;
  }
  const bool wants_public = wanted.canned_acl == "public-read" || wanted.canned_acl == "public-read-write" ||
                            wanted.canned_acl == "authenticated-read";
  if (grants->empty() || wants_public != public_group)
    return steps.add(false, what + ": the grants (" + (shown.empty() ? "none" : shown) + ") are not those of \"" +
                                wanted.canned_acl + "\": check that the bucket allows ACLs");
  return steps.add(true, what + ": " + wanted.canned_acl + " (" + shown + ")");
}

// GLACIER and DEEP_ARCHIVE objects answer GetObject with InvalidObjectState until restored.
inline bool readable_at_once(const std::string& storage_class) {
  return storage_class != "GLACIER" && storage_class != "DEEP_ARCHIVE";
}

// 7-8. The test object is listed under the prefix, and reads back as written.
inline void check_list_and_read(s3::ObjectClient& client, const Config& config, const std::string& prefix,
                                const std::string& key, const std::string& body, CheckSteps& steps) {
  auto listed = client.list_keys(prefix.empty() ? key : prefix, 1000);
  const bool found = listed.ok() && std::find(listed->begin(), listed->end(), key) != listed->end();
  if (!steps.add(found, action_label("ListObjectsV2") + " " + client.describe(prefix) +
                            (listed.ok() ? (found ? std::string()
                                                  : ": the test object is not listed (an eventually consistent or "
                                                    "misbehaving server?): list the prefix by hand")
                                         : refusal_reason(listed.status(), client, config, prefix, "ListObjectsV2"))))
    return;
  if (!readable_at_once(config.storage_class)) {
    steps.add(true, action_label("GetObject") + " " + client.describe(key) + ": not tried: " + config.storage_class +
                        " objects are read only once restored");
    return;
  }
  auto read = client.get_object(key);
  steps.add(read.ok() && *read == body,
            action_label("GetObject") + " " + client.describe(key) +
                (read.ok() ? (*read == body ? std::string() : ": the bytes read back differ from those written")
                           : refusal_reason(read.status(), client, config, prefix, "GetObject")));
}

// 5-8 on the written test object, each step only once the one before it passed.
inline void check_written_object(s3::ObjectClient& client, const Config& config, const std::string& prefix,
                                 const std::string& key, const std::string& body, const ObjectProperties& properties,
                                 const http::HttpResponse& put, CheckSteps& steps) {
  auto head = client.head_object(key);
  if (!head.ok()) {
    steps.add(false, action_label("HeadObject") + " (HeadObject) " + client.describe(key) +
                         refusal_reason(head.status(), client, config, prefix, "HeadObject"));
    return;
  }
  if (check_encryption(config, put, *head, steps) && check_object_options(properties, *head, steps) &&
      check_tags(client, config, prefix, key, properties, steps) &&
      check_acl(client, config, prefix, key, properties, steps))
    check_list_and_read(client, config, prefix, key, body, steps);
}

// 4-9. Write, confirm, list, read and delete a test object; a written one is always
// deleted. False when it could not be written: the check ends there.
inline bool check_test_object(s3::ObjectClient& client, const Config& config, const KeyLayout& layout,
                              const HealthCheckOptions& options, CheckSteps& steps) {
  const std::string prefix = layout.fixed_prefix();
  const std::string key = prefix + "s3dest-check-" + std::to_string(options.run_start_micros / 1000000) + ".txt";
  const std::string body = "s3dest health check: this object is deleted right after it is written\n";
  const std::string where = client.describe(key);
  auto properties = object_properties_for_check(config, layout, options.run_start_micros);
  if (!properties.ok()) return steps.add(false, "object options: " + properties.status().message());
  std::vector<http::HttpHeader> headers = aws::sse_request_headers(config.encryption, config.encryption_key);
  for (http::HttpHeader& header : s3::object_property_headers(*properties)) headers.push_back(std::move(header));
  auto put = client.put_object(key, body, std::move(headers));
  const std::string put_text =
      action_label("PutObject") + " " + where + " (" + put_description(config, *properties) + ")";
  if (!put.ok()) return steps.add(false, put_text + refusal_reason(put.status(), client, config, prefix, "PutObject"));
  steps.add(true, put_text);
  check_written_object(client, config, prefix, key, body, *properties, *put, steps);
  if (const std::string version = s3::version_id_of(*put); !version.empty()) {
    const std::string what = action_label("DeleteObjectVersion") + " " + where + " (version " + version + ")";
    const Status deleted = client.delete_object_version(key, version);
    if (deleted.ok()) return steps.add(true, what + ": the bucket keeps versions; the test object's is gone"), true;
    steps.add(CheckStep{true, true,
                        what + refusal_reason(deleted, client, config, prefix, "DeleteObjectVersion") +
                            "; without it a failed run cannot put back the objects it replaced, only name them, "
                            "and the test object's version stays behind a delete marker"});
  }
  // Through DeleteObjects, as a failed run deletes its objects: a server that takes the
  // one-object call but refuses that one shows here, not in a rollback.
  const Status deleted = client.delete_objects({s3::ObjectToDelete{key, {}}}).front();
  steps.add(deleted.ok(), action_label("DeleteObject") + " " + where +
                              (deleted.ok() ? std::string()
                                            : refusal_reason(deleted, client, config, prefix, "DeleteObject") +
                                                  "; the test object was left at " + where + ": delete it by hand"));
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
  if (detail::check_region(client, config, steps) && detail::check_test_object(client, config, layout, options, steps)) {
    steps.add(detail::versioning_step(client, config, layout.fixed_prefix()));
    steps.add(detail::open_uploads_step(client, config, layout, layout.fixed_prefix()));
  }
  return steps.take();
}

}  // namespace s3dest
