// Single-request object operations on one bucket: PutObject, HeadObject, GetObject,
// ListObjectsV2 (keys only), DeleteObject, CopyObject, GetBucketVersioning and the
// multipart calls, each signed with SigV4
// (the body's SHA-256 as payload hash) and signed afresh for each retry, at the server's
// time once a reply said this machine's clock is off (aws/clock_skew.hpp). The health check uses them; the
// streaming uploader builds on the same addressing and error reading.
//
//   s3::BucketEndpoint bucket{"my-bucket", "eu-west-1"};
//   s3::ObjectClient client(bucket, credentials_provider, transport);
//   auto put = client.put_object("folder/x.csv", body, aws::sse_request_headers(encryption, key));
//   if (!put.ok()) return put.status();   // says what S3 answered and what to check
//
// Writes (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload) are
// abandoned at once when the client's stop flag is raised; the calls that undo a run
// (AbortMultipartUpload, DeleteObject) and reads always run to the end.
//
// Addressing: virtual-hosted (https://bucket.s3.region.amazonaws.com/key) by default,
// path-style (https://endpoint/bucket/key) with `path_style`, which most S3-compatible
// servers on a plain host name need, and always for an endpoint that is an IP address. Keys are percent-encoded once,
// '/' kept, and signed as sent (S3's path rule).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"
#include "s3dest/aws/clock_skew.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/service_error.hpp"
#include "s3dest/aws/signed_exchange.hpp"
#include "s3dest/aws/sigv4.hpp"
#include "s3dest/aws/xml.hpp"
#include "s3dest/core/civil_time.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/core/text.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/http/retry_policy.hpp"
#include "s3dest/s3/object_checksum.hpp"
#include "s3dest/s3/permissions.hpp"

namespace s3dest::s3 {

struct BucketEndpoint {
  std::string bucket;
  std::string region = "us-east-1";
  std::string endpoint;     // "http://127.0.0.1:7480"; empty: https://s3.{region}.amazonaws.com
  bool path_style = false;  // the bucket in the path, not in the host name
  http::RetryPolicy retry;
  // The longest one attempt may take; zero: no limit on the whole (the default, as a big
  // part on a slow link may take hours), only the sender's timeout on progress.
  std::chrono::milliseconds timeout{0};
};

// A part of a multipart upload, as CompleteMultipartUpload lists it: its ETag and, when
// the upload was created with x-amz-checksum-algorithm, its checksum (element name, as
// "ChecksumCRC32C", and base64 value).
struct UploadedPart {
  std::string etag;
  std::string checksum_element;
  std::string checksum;
};

// One grant of an object's ACL: a grantee (a canonical user id, or a group's URI) and a
// permission (FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP).
struct ObjectGrant {
  std::string grantee;
  std::string permission;
};

// The version a reply names (x-amz-version-id of a write, or of a HEAD: the current
// one); empty when the bucket keeps no versions. "null" is the version of a bucket whose
// versioning is suspended: a write there replaced the key's earlier "null" version in
// place, so deleting it would bring back an older one than was there before. A value
// that is not a plain token (S3's are a few dozen letters, digits and ._-) is not trusted.
inline std::string version_id_of(const http::HttpResponse& reply) {
  const std::string* id = reply.find_header("x-amz-version-id");
  if (id == nullptr || id->empty() || id->size() > 1024 || *id == "null") return {};
  for (const char c : *id)
    if (c <= ' ' || c > '~') return {};
  return *id;
}

// One object of a DeleteObjects request: a key, and one of its versions or none.
struct ObjectToDelete {
  std::string key;
  std::string version_id;  // empty: the key's current object
};

// An object a listing found.
struct ListedObject {
  std::string_view key;
  int64_t last_modified_micros = 0;  // UTC; 0 when the server did not say
};

// A multipart upload that was started and neither completed nor aborted.
struct OpenUpload {
  std::string key;
  std::string upload_id;
  int64_t initiated_micros = 0;  // UTC; 0 when the server did not say
};

namespace detail {

// Whether requests to the bucket go over TLS: AWS's own endpoints do.
inline bool uses_tls(const BucketEndpoint& bucket) {
  return bucket.endpoint.empty() || http::equals_ignoring_case(std::string_view(bucket.endpoint).substr(0, 8), "https://");
}

// Whether `headers` carry a checksum of the body, as s3dest sends one (x-amz-checksum-*
// or Content-MD5; x-amz-checksum-algorithm only names the one the parts will carry).
inline bool has_body_checksum(const std::vector<http::HttpHeader>& headers) {
  for (const ChecksumAlgorithm algorithm : {ChecksumAlgorithm::crc32c, ChecksumAlgorithm::crc32, ChecksumAlgorithm::md5})
    if (http::find_header(headers, s3_checksum_names(algorithm).header)) return true;
  return false;
}

// How one call goes out: whether the stop flag may abandon it, and whether a refused
// If-None-Match (412, or 409 for a conditional write racing another), or any reply at
// all, is an answer.
struct CallOptions {
  bool interruptible = false;
  bool conditional = false;
  std::string_view subject;  // what messages name, when not the key (a listed prefix)
  bool any_status = false;
  // A body read as it is sent (instead of `body`), and its SHA-256 in hex, computed by
  // the caller as it read it.
  const http::BodyReader* body_reader = nullptr;
  std::string_view payload_hash = {};
};

}  // namespace detail

// The bodies (objects, parts) a client is sending, and the bytes of those the server has
// taken: what a progress line shows. Read from any thread.
struct UploadMeter {
  std::atomic<uint64_t> bytes_stored{0};
  std::atomic<uint32_t> in_flight{0};
};

class ObjectClient {
 public:
  ObjectClient(BucketEndpoint bucket, std::shared_ptr<aws::CredentialsProvider> credentials,
               std::shared_ptr<http::HttpSender> sender, std::function<int64_t()> clock = aws::unix_now,
               const StopFlag* stop = nullptr)
      : bucket_(std::move(bucket)), over_tls_(detail::uses_tls(bucket_)), credentials_(std::move(credentials)),
        sender_(std::move(sender)), clock_(std::move(clock)), stop_(stop) {}

  // The response of a successful write: its headers carry the ETag and the encryption.
  Result<http::HttpResponse> put_object(std::string_view key, std::string_view body,
                                       std::vector<http::HttpHeader> headers = {});
  // PutObject with If-None-Match: *, where S3 refuses to replace an object; nothing (and
  // nothing written) when the key holds one. Servers that ignore the header replace it.
  Result<std::optional<http::HttpResponse>> put_object_if_absent(std::string_view key, std::string_view body,
                                                                std::vector<http::HttpHeader> headers = {});
  Result<http::HttpResponse> head_object(std::string_view key);
  // HeadObject of a key that may hold no object: nothing where S3 answers 404.
  Result<std::optional<http::HttpResponse>> head_object_if_any(std::string_view key);
  Result<std::string> get_object(std::string_view key);
  // Calls `visit` with each key that begins with `prefix`, in S3's order, a page (1,000
  // keys) at a time, up to `limit` keys.
  Status visit_keys(std::string_view prefix, const std::function<Status(std::string_view)>& visit,
                    size_t limit = SIZE_MAX);
  // The same, with what the listing says of each object besides its key.
  Status visit_objects(std::string_view prefix, const std::function<Status(const ListedObject&)>& visit,
                       size_t limit = SIZE_MAX);
  // The same keys, collected: for listings `limit` bounds.
  Result<std::vector<std::string>> list_keys(std::string_view prefix, size_t limit = SIZE_MAX);
  Status delete_object(std::string_view key);
  // DeleteObject of one version, in a versioned bucket: that version is gone for good (no
  // delete marker is left), and when it was the current one the version before it is
  // current again. The IAM action is s3:DeleteObjectVersion.
  Status delete_object_version(std::string_view key, std::string_view version_id);
  // DeleteObjects: each of `objects` deleted (a version of it for good, where one is
  // named), up to kMaxDeleteBatch a request where DeleteObject takes a round trip each.
  // Each object's outcome, in order. A server that answers anything but a DeleteResult
  // (it lacks the call, or refuses it as a whole) gets a DeleteObject each, and so does a
  // key XML cannot carry (control bytes).
  std::vector<Status> delete_objects(const std::vector<ObjectToDelete>& objects);
  static constexpr size_t kMaxDeleteBatch = 1000;  // S3's limit
  // The object's tags (GetObjectTagging), in the server's order.
  Result<std::vector<std::pair<std::string, std::string>>> get_object_tagging(std::string_view key);
  // The object's ACL (GetObjectAcl): who is granted what.
  Result<std::vector<ObjectGrant>> get_object_acl(std::string_view key);
  // Whether the bucket keeps a version of every write (GetBucketVersioning: "Enabled"):
  // not where versioning was never turned on, nor where it is suspended.
  Result<bool> keeps_versions();
  // CopyObject, on the server: the object `source` (a key of this bucket) to `key`, with
  // its Content-Type, metadata and tags; `headers` add what a copy does not carry over
  // (encryption, storage class, ACL). Up to kMaxCopyBytes; s3/object_copy.hpp copies any
  // size. Nothing where the server answers that it cannot copy that object (501
  // NotImplemented: radosgw 16 with an SSE-KMS source). Runs to the end whatever the stop
  // flag: a copy is how a run keeps, and puts back, an object it replaces.
  Result<std::optional<http::HttpResponse>> copy_object(std::string_view source, std::string_view key,
                                                        std::vector<http::HttpHeader> headers = {});
  // The bucket's region as HeadBucket's x-amz-bucket-region names it (AWS sends it even
  // when HeadBucket itself is refused); empty when the server does not say (most
  // S3-compatible servers). Fails when the bucket does not exist or S3 cannot be reached.
  Result<std::string> bucket_region();

  // Multipart upload: create (with the object's headers, e.g. encryption), upload parts
  // numbered from 1 (each but the last at least 5 MiB), complete with every part's ETag
  // in order, or abort (nothing appears, the parts are freed).
  Result<std::string> create_multipart_upload(std::string_view key, std::vector<http::HttpHeader> headers = {});
  Result<std::string> upload_part(std::string_view key, std::string_view upload_id, int part_number,
                                  std::string_view body,
                                  std::vector<http::HttpHeader> headers = {});  // the part's ETag
  // The same with a body read as it is sent (a range of a file): a part that is never
  // held in memory. `payload_hash`: its SHA-256 in hex, computed by the caller, or
  // aws::kUnsignedPayload where signs_checksummed_bodies() is false and `headers` carry
  // the part's checksum.
  Result<std::string> upload_part(std::string_view key, std::string_view upload_id, int part_number,
                                  const http::BodyReader& body, std::string_view payload_hash,
                                  std::vector<http::HttpHeader> headers = {});

  // Whether a body sent with a checksum of its own (an x-amz-checksum-* header or
  // Content-MD5) is hashed into the signature. Over https it is not (UNSIGNED-PAYLOAD, as
  // the AWS SDKs send it): TLS keeps the bytes from being changed on the way, and S3
  // checks the checksum; SHA-256 of every byte was nearly half of s3dest put's CPU. Over
  // plain http it is, so the signature covers the bytes.
  bool signs_checksummed_bodies() const { return !over_tls_; }
  Result<http::HttpResponse> complete_multipart_upload(std::string_view key, std::string_view upload_id,
                                                      const std::vector<UploadedPart>& parts);
  // CompleteMultipartUpload with If-None-Match: *: nothing when the key holds an object
  // (the upload stays open, to complete without the condition or to abort).
  Result<std::optional<http::HttpResponse>> complete_multipart_upload_if_absent(
      std::string_view key, std::string_view upload_id, const std::vector<UploadedPart>& parts);
  Status abort_multipart_upload(std::string_view key, std::string_view upload_id);
  // UploadPartCopy: bytes `first` to `last` (inclusive) of the object `source` as part
  // `part_number`, copied on the server; the part's ETag.
  Result<std::string> upload_part_copy(std::string_view key, std::string_view upload_id, int part_number,
                                       std::string_view source, uint64_t first, uint64_t last);
  // The uploads started under `prefix` and still open, page after page.
  Result<std::vector<OpenUpload>> list_multipart_uploads(std::string_view prefix);

  // "s3://bucket/key", for messages.
  std::string describe(std::string_view key) const { return "s3://" + bucket_.bucket + "/" + std::string(key); }
  const BucketEndpoint& bucket() const { return bucket_; }
  const UploadMeter& uploads() const { return uploads_; }

 private:
  using CallOptions = detail::CallOptions;
  Result<http::HttpResponse> send(std::string_view operation, std::string_view method, std::string_view key,
                                 std::string query, std::vector<http::HttpHeader> headers, std::string_view body,
                                 CallOptions options = {});
  Result<http::HttpResponse> complete(std::string_view key, std::string_view upload_id,
                                     const std::vector<UploadedPart>& parts, bool if_absent);
  Status delete_one(const ObjectToDelete& object) {
    return object.version_id.empty() ? delete_object(object.key) : delete_object_version(object.key, object.version_id);
  }
  // One DeleteObjects request for objects[i], i in `batch`, into outcomes[i]; false where
  // the server lacks or refuses the call (nothing was deleted, nothing filled in).
  bool delete_batch(const std::vector<ObjectToDelete>& objects, const std::vector<size_t>& batch,
                    std::vector<Status>& outcomes);
  // x-amz-copy-source: "/bucket/key", the key percent-encoded as in a URL.
  http::HttpHeader copy_source(std::string_view source) const;
  // A reply of `operation` that S3 sent as 200 with the failure in its body (CopyObject,
  // UploadPartCopy and CompleteMultipartUpload may), as the error it is.
  Result<http::HttpResponse> failure_in_body(std::string_view operation, std::string_view key,
                                             http::HttpResponse response) const;

  BucketEndpoint bucket_;
  bool over_tls_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  std::shared_ptr<http::HttpSender> sender_;
  std::function<int64_t()> clock_;
  const StopFlag* stop_;
  aws::ClockSkew skew_;  // this machine's clock against the server's, once a reply said it is off
  UploadMeter uploads_;
};

// The URL of `key` ("" for the bucket itself); refuses bucket names and regions that
// cannot be part of a URL.
Result<std::string> object_url(const BucketEndpoint& bucket, std::string_view key);

// An error reply of `operation` on `key` (the listed prefix for calls on the bucket) as a
// destination error that says what S3 answered and what to change: a refusal names the
// IAM action and resource it needs (s3/permissions.hpp), and what the request's headers
// add to it (KMS, tags, an ACL); a wrong region names the bucket's. `credentials` names
// where the keys came from.
Status s3_error(std::string_view operation, std::string_view key, const std::vector<http::HttpHeader>& request_headers,
                const http::HttpResponse& response, std::string_view credentials, const BucketEndpoint& bucket);

// Whether a failed call was refused for want of a permission (s3_error's AccessDenied),
// rather than unreachable, missing or failing.
bool is_permission_refusal(const Status& status);

namespace detail {

inline bool valid_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
          (c >= 'A' && c <= 'Z')))
      return false;
  return true;
}

// The phrase s3_error writes for a permission refusal, which is_permission_refusal finds.
inline constexpr std::string_view kNotAllowedPhrase = "these credentials are not allowed to do ";

// What a refusal of `operation` asks for: the action on the resource, with what the
// request's headers add to it. KMS is named when the request asked for SSE-KMS, or when
// the server says KMS refused (a multipart upload's parts and completion carry no
// encryption header, yet need kms:Decrypt).
inline std::string permission_advice(const aws::ServiceError& error, std::string_view operation,
                                     std::string_view key, const std::vector<http::HttpHeader>& request_headers,
                                     const BucketEndpoint& bucket) {
  const s3::Permission* permission = permission_of(operation);
  if (permission == nullptr)
    return "check that the credentials' policy and the bucket policy allow this call on the bucket and the prefix";
  std::string advice = std::string(kNotAllowedPhrase) + std::string(permission->action) + " on " +
                       resource_arn(*permission, bucket.bucket, key, bucket.region);
  const auto sent = [&](std::string_view name) { return http::find_header(request_headers, name) != nullptr; };
  const std::string* sse = http::find_header(request_headers, "x-amz-server-side-encryption");
  if (sent("x-amz-tagging")) advice += "; with tags, AWS also asks for " + std::string(kPutObjectTaggingAction);
  if (sent("x-amz-acl")) advice += "; with an ACL, AWS also asks for " + std::string(kPutObjectAclAction);
  if ((sse && *sse == "aws:kms") || to_lower_ascii(error.message).find("kms") != std::string::npos)
    advice += "; with SSE-KMS, the key must also allow " + std::string(kKmsActions[0]) + " (and " +
              std::string(kKmsActions[1]) + ", for multipart uploads and reads) to these credentials";
  return advice + ": allow it in the writer's policy or the bucket policy (s3dest policy --config FILE prints them)";
}

// What to change for the error codes a user meets when setting up a destination.
inline std::string s3_error_advice(const aws::ServiceError& error, std::string_view operation, std::string_view key,
                                   const std::vector<http::HttpHeader>& request_headers, const BucketEndpoint& bucket) {
  const std::string& code = error.code;
  if (code == "AccessDenied" || code == "AllAccessDisabled")
    return permission_advice(error, operation, key, request_headers, bucket);
  if (code == "NoSuchBucket")
    return "there is no bucket \"" + bucket.bucket + "\" " +
           (bucket.endpoint.empty() ? "in AWS" : "at " + bucket.endpoint) +
           ": check \"bucket\" (or --dest), and \"endpoint\"";
  if (code == "InvalidAccessKeyId") return "the access key id is not known to this server: check it and the endpoint";
  if (code == "SignatureDoesNotMatch")
    return "the signature does not match: check the secret key (it must belong to the access key id) and this "
           "machine's clock; s3dest sign shows what was signed";
  if (code == "ExpiredToken" || code == "TokenRefreshRequired" || code == "InvalidToken")
    return "the session token has expired or is not valid: get new credentials";
  if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
      code == "IllegalLocationConstraintException")
    return "the bucket is in another region: set \"region\" to the bucket's region";
  if (code == "RequestTimeTooSkewed") return "this machine's clock is off: correct it (or enable time sync)";
  if (code == "InvalidStorageClass")
    return "this server does not offer that storage class: set \"storage_class\" to one it offers, or remove it";
  if (code == "AccessControlListNotSupported")
    return "this bucket has ACLs disabled (object ownership \"bucket owner enforced\"): remove \"canned_acl\", or "
           "set it to \"bucket-owner-full-control\", the one such a bucket takes";
  if (code == "InvalidTag")
    return "S3 refused a tag: check \"tags\" (at most 10; keys up to 128 and values up to 256 characters of "
           "letters, digits, spaces and + - = . _ : / @)";
  if (code == "KMS.NotFoundException" || code == "KMS.DisabledException" || code == "KMSKeyNotFound")
    return "the KMS key in \"encryption_key\" is not usable: check its ARN, region and state";
  if (code == "InvalidRequest" && (error.message.find("Object Lock") != std::string::npos ||
                                   error.message.find("Content-MD5") != std::string::npos))
    return "the bucket has Object Lock, which takes a write only with a checksum: set \"checksum\" to \"crc32c\"";
  if (code == "InvalidArgument") return "check the encryption settings, the object options and the object key";
  if (code == "SlowDown" || code == "ServiceUnavailable" || code == "InternalError")
    return "the server is busy or failing: try again later, or raise \"max_attempts\"";
  return "check the bucket, the endpoint and the credentials' permissions";
}

// The bucket's region as a wrong-region reply names it: S3's x-amz-bucket-region header,
// or the <Region> of AuthorizationHeaderMalformed. Untrusted: empty unless it has a
// region's shape.
inline std::string region_of_reply(const http::HttpResponse& response) {
  std::string region;
  if (const std::string* header = response.find_header("x-amz-bucket-region")) region = *header;
  else if (auto document = aws::parse_xml(response.body); document.ok()) region = document->child_text("Region");
  const bool shaped = !region.empty() && region.size() <= 32 &&
                      std::all_of(region.begin(), region.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                      });
  return shaped ? region : std::string();
}

// A conditional write refused: 412, or 409 when it raced another conditional write.
inline bool is_precondition_refusal(const http::HttpResponse& response) {
  return response.status == 412 || response.status == 409;
}

}  // namespace detail

inline Result<std::string> object_url(const BucketEndpoint& bucket, std::string_view key) {
  if (!detail::valid_bucket_name(bucket.bucket))
    return usage_error("bucket \"" + bucket.bucket + "\" is not a bucket name (3 to 63 letters, digits, '-', '.')");
  std::string base = bucket.endpoint;
  if (base.empty()) {
    for (const char c : bucket.region)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
        return usage_error("region \"" + bucket.region + "\" is not a region name (as in eu-west-1)");
    base = "https://s3." + bucket.region + ".amazonaws.com";
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  S3DEST_ASSIGN_OR_RETURN(const UrlParts parts, split_url(base));
  std::string path = parts.path == "/" ? "" : parts.path;
  std::string url = parts.scheme + "://";
  // A dotted bucket name would not match the wildcard TLS certificate as a host name, and
  // an IP address takes no bucket in front of it (the AWS SDKs address both path-style).
  const bool in_path =
      bucket.path_style || bucket.bucket.find('.') != std::string::npos || is_ip_address(parts.host());
  if (in_path) {
    url += parts.authority + path + "/" + bucket.bucket;
  } else {
    url += bucket.bucket + "." + parts.authority + path;
  }
  url += "/";
  for (const char c : key) {
    if (c == '/') url.push_back('/');
    else aws::append_uri_encoded(url, std::string_view(&c, 1));
  }
  return url;
}

inline Status s3_error(std::string_view operation, std::string_view key,
                       const std::vector<http::HttpHeader>& request_headers, const http::HttpResponse& response,
                       std::string_view credentials, const BucketEndpoint& bucket) {
  aws::ServiceError error = aws::parse_service_error(response.body);
  if (error.code.empty()) {  // HEAD replies have no body
    if (response.status == 403) error.code = "AccessDenied";
    else if (response.status == 404) error.code = key.empty() ? "NoSuchBucket" : "NoSuchKey";
    else if (response.status == 301) error.code = "PermanentRedirect";
  }
  // The code, message and region come from the server: shown only through printable().
  std::string message = std::string(operation) + " s3://" + bucket.bucket + "/" + std::string(key) +
                        " was refused: HTTP " + std::to_string(response.status);
  if (!error.code.empty()) message += " " + printable(error.code, 64);
  if (!error.message.empty()) message += " (" + printable(error.message) + ")";
  message += ": " + detail::s3_error_advice(error, operation, key, request_headers, bucket);
  if (const std::string region = detail::region_of_reply(response); !region.empty() && region != bucket.region)
    message += " (the bucket is in " + region + ", not " + bucket.region + ": set \"region\": \"" + region + "\")";
  if (!credentials.empty()) message += " (credentials: " + std::string(credentials) + ")";
  return destination_error(message);
}

inline bool is_permission_refusal(const Status& status) {
  return !status.ok() && status.message().find(detail::kNotAllowedPhrase) != std::string::npos;
}

inline Result<http::HttpResponse> ObjectClient::send(std::string_view operation, std::string_view method,
                                                    std::string_view key, std::string query,
                                                    std::vector<http::HttpHeader> headers, std::string_view body,
                                                    CallOptions options) {
  S3DEST_ASSIGN_OR_RETURN(const std::string url, object_url(bucket_, key));
  S3DEST_ASSIGN_OR_RETURN(const UrlParts parts, split_url(url));
  headers.insert(headers.begin(), http::HttpHeader{"Host", parts.host_header()});
  http::HttpRequest request;
  request.method = std::string(method);
  request.url = query.empty() ? url : url + "?" + query;
  request.headers = std::move(headers);
  request.borrowed_body = body;  // alive until send() returns: a part is not copied
  request.body_reader = options.body_reader;
  request.timeout = bucket_.timeout;
  if (options.interruptible) request.stop = stop_;
  aws::SigningConfig signing = aws::s3_signing_config(bucket_.region, 0);
  if (options.body_reader)
    signing.payload_hash = std::string(options.payload_hash);
  else if (!signs_checksummed_bodies() && detail::has_body_checksum(request.headers))
    signing.payload_hash = std::string(aws::kUnsignedPayload);
  else
    signing.payload_hash = aws::payload_sha256(body);
  const aws::SignedSender signed_sender{*sender_, bucket_.retry, [this] { return credentials_->credentials(); },
                                        clock_, &skew_};
  // An object or a part (PUT) is counted as on its way, and its bytes once S3 has them.
  const uint64_t object_bytes = method != "PUT" ? 0 : options.body_reader ? options.body_reader->size : body.size();
  if (object_bytes > 0) uploads_.in_flight.fetch_add(1, std::memory_order_relaxed);
  auto response = signed_sender.send(request, signing);
  if (object_bytes > 0) {
    uploads_.in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (response.ok() && response->status / 100 == 2)
      uploads_.bytes_stored.fetch_add(object_bytes, std::memory_order_relaxed);
  }
  const std::string subject = describe(options.subject.empty() ? key : options.subject);
  if (!response.ok()) {
    if (response.status().kind() == ErrorKind::interrupted) return response.status();
    return response.status().prefixed(std::string(operation) + " " + subject + ": cannot reach S3: ");
  }
  if (response->status / 100 != 2 && !(options.conditional && detail::is_precondition_refusal(*response)) &&
      !options.any_status)
    return s3_error(operation, options.subject.empty() ? key : options.subject, request.headers, *response,
                    credentials_->describe(), bucket_);
  return response;
}

inline Result<http::HttpResponse> ObjectClient::put_object(std::string_view key, std::string_view body,
                                                          std::vector<http::HttpHeader> headers) {
  return send("PutObject", "PUT", key, "", std::move(headers), body, {true, false, {}});
}

inline Result<std::optional<http::HttpResponse>> ObjectClient::put_object_if_absent(
    std::string_view key, std::string_view body, std::vector<http::HttpHeader> headers) {
  headers.push_back({"If-None-Match", "*"});
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response,
                          send("PutObject", "PUT", key, "", std::move(headers), body, {true, true, {}}));
  if (detail::is_precondition_refusal(response)) return std::optional<http::HttpResponse>();
  return std::optional<http::HttpResponse>(std::move(response));
}

inline Result<http::HttpResponse> ObjectClient::head_object(std::string_view key) {
  return send("HeadObject", "HEAD", key, "", {}, "");
}

inline Result<std::optional<http::HttpResponse>> ObjectClient::head_object_if_any(std::string_view key) {
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response,
                          send("HeadObject", "HEAD", key, "", {}, "", {false, false, {}, true}));
  if (response.status == 404) return std::optional<http::HttpResponse>();
  if (response.status / 100 != 2) return s3_error("HeadObject", key, {}, response, credentials_->describe(), bucket_);
  return std::optional<http::HttpResponse>(std::move(response));
}

inline Result<std::string> ObjectClient::get_object(std::string_view key) {
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response, send("GetObject", "GET", key, "", {}, ""));
  return std::move(response.body);
}

inline Status ObjectClient::visit_keys(std::string_view prefix, const std::function<Status(std::string_view)>& visit,
                                       size_t limit) {
  return visit_objects(prefix, [&visit](const ListedObject& object) { return visit(object.key); }, limit);
}

inline Status ObjectClient::visit_objects(std::string_view prefix,
                                          const std::function<Status(const ListedObject&)>& visit, size_t limit) {
  size_t visited = 0;
  std::string continuation;
  // S3 lists each key once, in UTF-8 binary order. A server that repeats keys (or pages)
  // would make a listing without end, and what callers keep of it without bound.
  std::string last_key;
  while (visited < limit) {
    const size_t page = std::min<size_t>(limit - visited, 1000);
    // Query parameters in name order: the canonical request sorts them anyway.
    std::string query = continuation.empty() ? "" : "continuation-token=" + aws::uri_encode(continuation) + "&";
    query += "list-type=2&max-keys=" + std::to_string(page) + "&prefix=" + aws::uri_encode(prefix);
    S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                            send("ListObjectsV2", "GET", "", std::move(query), {}, "", {false, false, prefix}));
    auto document = aws::parse_xml(response.body);
    if (!document.ok())
      return destination_error("ListObjectsV2 on " + describe(prefix) + ": the reply is not XML (" +
                               document.status().message() + "): check the endpoint");
    for (const aws::XmlElement& child : document->children) {
      if (child.local_name() != "Contents" || visited == limit) continue;
      std::string key = child.child_text("Key");
      if (visited > 0 && key <= last_key)
        return destination_error("ListObjectsV2 on " + describe(prefix) + ": the server listed \"" +
                                 printable(key, 200) + "\" after \"" + printable(last_key, 200) +
                                 "\", where S3 lists each key once and in order: check the endpoint");
      ++visited;
      S3DEST_TRY(visit(ListedObject{key, parse_timestamp(child.child_text("LastModified")).value_or(0)}));
      last_key = std::move(key);
    }
    continuation = document->child_text("NextContinuationToken");
    if (document->child_text("IsTruncated") != "true" || continuation.empty()) break;
  }
  return {};
}

inline Result<std::vector<std::string>> ObjectClient::list_keys(std::string_view prefix, size_t limit) {
  std::vector<std::string> keys;
  S3DEST_TRY(visit_keys(
      prefix,
      [&keys](std::string_view key) {
        keys.emplace_back(key);
        return Status();
      },
      limit));
  return keys;
}

inline Result<std::vector<OpenUpload>> ObjectClient::list_multipart_uploads(std::string_view prefix) {
  std::vector<OpenUpload> uploads;
  std::string key_marker, upload_id_marker;
  for (;;) {
    std::string query = key_marker.empty() ? "" : "key-marker=" + aws::uri_encode(key_marker) + "&";
    query += "prefix=" + aws::uri_encode(prefix);
    if (!upload_id_marker.empty()) query += "&upload-id-marker=" + aws::uri_encode(upload_id_marker);
    query += "&uploads=";
    S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                            send("ListMultipartUploads", "GET", "", std::move(query), {}, "", {false, false, prefix}));
    auto document = aws::parse_xml(response.body);
    if (!document.ok())
      return destination_error("ListMultipartUploads on " + describe(prefix) + ": the reply is not XML (" +
                               document.status().message() + "): check the endpoint");
    for (const aws::XmlElement& child : document->children) {
      if (child.local_name() != "Upload") continue;
      OpenUpload upload;
      upload.key = child.child_text("Key");
      upload.upload_id = child.child_text("UploadId");
      upload.initiated_micros = parse_timestamp(child.child_text("Initiated")).value_or(0);
      uploads.push_back(std::move(upload));
    }
    key_marker = document->child_text("NextKeyMarker");
    upload_id_marker = document->child_text("NextUploadIdMarker");
    if (document->child_text("IsTruncated") != "true" || key_marker.empty()) break;
  }
  return uploads;
}

inline Status ObjectClient::delete_object(std::string_view key) {
  return send("DeleteObject", "DELETE", key, "", {}, "").status();
}

inline Status ObjectClient::delete_object_version(std::string_view key, std::string_view version_id) {
  return send("DeleteObjectVersion", "DELETE", key, "versionId=" + aws::uri_encode(version_id), {}, "").status();
}

inline std::vector<Status> ObjectClient::delete_objects(const std::vector<ObjectToDelete>& objects) {
  std::vector<Status> outcomes(objects.size());
  // A request's body stays small whatever the keys: at most 1,000 of them, or 1 MiB of XML.
  constexpr size_t kMaxBatchKeyBytes = size_t{1} << 20;
  bool batches = true;  // until the server says it has no DeleteObjects
  std::vector<size_t> batch;
  size_t batch_bytes = 0;
  const auto flush = [&] {
    if (!batch.empty() && !(batches && delete_batch(objects, batch, outcomes))) {
      batches = false;
      for (const size_t i : batch) outcomes[i] = delete_one(objects[i]);
    }
    batch.clear();
    batch_bytes = 0;
  };
  for (size_t i = 0; i < objects.size(); ++i) {
    const std::string& key = objects[i].key;
    if (std::any_of(key.begin(), key.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      outcomes[i] = delete_one(objects[i]);
      continue;
    }
    batch.push_back(i);
    batch_bytes += key.size() + objects[i].version_id.size();
    if (batch.size() == kMaxDeleteBatch || batch_bytes >= kMaxBatchKeyBytes) flush();
  }
  flush();
  return outcomes;
}

inline bool ObjectClient::delete_batch(const std::vector<ObjectToDelete>& objects, const std::vector<size_t>& batch,
                                       std::vector<Status>& outcomes) {
  // Quiet: the reply lists only the objects that could not be deleted.
  std::string body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const size_t i : batch) {
    body += "<Object><Key>";
    aws::append_xml_escaped(body, objects[i].key);
    body += "</Key>";
    if (!objects[i].version_id.empty()) {
      body += "<VersionId>";
      aws::append_xml_escaped(body, objects[i].version_id);
      body += "</VersionId>";
    }
    body += "</Object>";
  }
  body += "</Delete>";
  // S3 asks for a checksum of the body: Content-MD5, the one S3-compatible servers know
  // too (CRC-32C in a build without OpenSSL, which AWS takes as well).
  const ChecksumAlgorithm algorithm = kMd5Available ? ChecksumAlgorithm::md5 : ChecksumAlgorithm::crc32c;
  std::string checksum;
  append_base64(checksum, body_checksum(algorithm, body));
  const std::vector<http::HttpHeader> headers = {{"Content-Type", "application/xml"},
                                                 {std::string(s3_checksum_names(algorithm).header), checksum}};
  auto response = send("DeleteObjects", "POST", "", "delete=", headers, body, {false, false, {}, true});
  if (!response.ok()) {  // S3 was not reached (after the retries): one at a time would not be either
    for (const size_t i : batch) outcomes[i] = response.status();
    return true;
  }
  // Anything but a DeleteResult is a server that lacks the call (501 NotImplemented; GCS
  // answered 400 InvalidArgument for years), or refuses it as a whole (403: radosgw 16
  // under a bucket policy that grants s3:DeleteObject on a prefix only, where AWS checks
  // each key): one DeleteObject each then, which such servers take, and which tells each
  // object's own refusal. A delete is idempotent, so nothing is lost by asking again.
  if (response->status / 100 != 2) return false;
  const auto document = aws::parse_xml(response->body);
  if (!document.ok() || document->local_name() != "DeleteResult") return false;
  std::map<std::pair<std::string_view, std::string_view>, size_t> index;
  for (const size_t i : batch) index[{objects[i].key, objects[i].version_id}] = i;
  for (const aws::XmlElement& failed : document->children) {
    if (failed.local_name() != "Error") continue;
    const std::string key = failed.child_text("Key");
    const auto found = index.find({key, failed.child_text("VersionId")});
    if (found == index.end()) continue;
    // Told as the one-object call would be: a refusal names the action it needs.
    const aws::ServiceError error{failed.child_text("Code"), failed.child_text("Message")};
    const char* operation = objects[found->second].version_id.empty() ? "DeleteObject" : "DeleteObjectVersion";
    outcomes[found->second] = destination_error("DeleteObjects " + describe(key) + " was refused: " +
                                                printable(error.code, 64) + " (" + printable(error.message, 200) +
                                                "): " + detail::s3_error_advice(error, operation, key, {}, bucket_));
  }
  return true;
}

inline Result<std::vector<std::pair<std::string, std::string>>> ObjectClient::get_object_tagging(
    std::string_view key) {
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response, send("GetObjectTagging", "GET", key, "tagging=", {}, ""));
  auto document = aws::parse_xml(response.body);
  if (!document.ok())
    return destination_error("GetObjectTagging " + describe(key) + ": the reply is not XML: check the endpoint");
  std::vector<std::pair<std::string, std::string>> tags;
  if (const aws::XmlElement* set = document->child("TagSet"))
    for (const aws::XmlElement& tag : set->children)
      if (tag.local_name() == "Tag") tags.emplace_back(tag.child_text("Key"), tag.child_text("Value"));
  return tags;
}

inline Result<std::vector<ObjectGrant>> ObjectClient::get_object_acl(std::string_view key) {
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response, send("GetObjectAcl", "GET", key, "acl=", {}, ""));
  auto document = aws::parse_xml(response.body);
  if (!document.ok())
    return destination_error("GetObjectAcl " + describe(key) + ": the reply is not XML: check the endpoint");
  std::vector<ObjectGrant> grants;
  if (const aws::XmlElement* list = document->child("AccessControlList"))
    for (const aws::XmlElement& grant : list->children) {
      if (grant.local_name() != "Grant") continue;
      const aws::XmlElement* grantee = grant.child("Grantee");
      std::string who = grantee ? grantee->child_text("ID") : std::string();
      if (who.empty() && grantee) who = grantee->child_text("URI");
      grants.push_back({std::move(who), grant.child_text("Permission")});
    }
  return grants;
}

inline Result<bool> ObjectClient::keeps_versions() {
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                          send("GetBucketVersioning", "GET", "", "versioning=", {}, ""));
  auto document = aws::parse_xml(response.body);
  if (!document.ok())
    return destination_error("GetBucketVersioning on " + describe("") + ": the reply is not XML (" +
                             document.status().message() + "): check the endpoint");
  return document->child_text("Status") == "Enabled";
}

inline http::HttpHeader ObjectClient::copy_source(std::string_view source) const {
  std::string value = "/" + bucket_.bucket + "/";
  for (const char c : source) {
    if (c == '/') value.push_back('/');
    else aws::append_uri_encoded(value, std::string_view(&c, 1));
  }
  return {"x-amz-copy-source", std::move(value)};
}

inline Result<http::HttpResponse> ObjectClient::failure_in_body(std::string_view operation, std::string_view key,
                                                               http::HttpResponse response) const {
  // The status went out before the work was done: a body whose root is <Error> says it failed.
  if (response.status != 200) return response;
  const auto document = aws::parse_xml(response.body);
  if (document.ok() && document->local_name() == "Error")
    return s3_error(operation, key, {}, response, credentials_->describe(), bucket_);
  return response;
}

inline Result<std::optional<http::HttpResponse>> ObjectClient::copy_object(std::string_view source,
                                                                          std::string_view key,
                                                                          std::vector<http::HttpHeader> headers) {
  headers.push_back(copy_source(source));
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response,
                          send("CopyObject", "PUT", key, "", headers, "", {false, false, {}, true}));
  if (response.status == 501) return std::optional<http::HttpResponse>();
  if (response.status / 100 != 2) return s3_error("CopyObject", key, headers, response, credentials_->describe(), bucket_);
  S3DEST_ASSIGN_OR_RETURN(response, failure_in_body("CopyObject", key, std::move(response)));
  return std::optional<http::HttpResponse>(std::move(response));
}

inline Result<std::string> ObjectClient::upload_part_copy(std::string_view key, std::string_view upload_id,
                                                          int part_number, std::string_view source, uint64_t first,
                                                          uint64_t last) {
  std::string query = "partNumber=" + std::to_string(part_number) + "&uploadId=" + aws::uri_encode(upload_id);
  std::vector<http::HttpHeader> headers = {
      copy_source(source), {"x-amz-copy-source-range", "bytes=" + std::to_string(first) + "-" + std::to_string(last)}};
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response,
                          send("UploadPartCopy", "PUT", key, std::move(query), std::move(headers), ""));
  S3DEST_ASSIGN_OR_RETURN(response, failure_in_body("UploadPartCopy", key, std::move(response)));
  auto document = aws::parse_xml(response.body);
  const std::string etag = document.ok() ? document->child_text("ETag") : std::string();
  if (etag.empty())
    return destination_error("UploadPartCopy " + describe(key) + " part " + std::to_string(part_number) +
                             ": the reply has no ETag: check that the endpoint is an S3 server");
  return etag;
}

inline Result<std::string> ObjectClient::bucket_region() {
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                          send("HeadBucket", "HEAD", "", "", {}, "", {false, false, {}, true}));
  // An answer about the bucket: found, moved, or refused (AWS names the region even then).
  const bool answered = response.status / 100 == 2 || response.status == 301 || response.status == 400 ||
                        response.status == 403;
  if (!answered) return s3_error("HeadBucket", "", {}, response, credentials_->describe(), bucket_);
  return detail::region_of_reply(response);
}

inline Result<std::string> ObjectClient::create_multipart_upload(std::string_view key,
                                                                 std::vector<http::HttpHeader> headers) {
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                          send("CreateMultipartUpload", "POST", key, "uploads=", std::move(headers), "", {true, false, {}}));
  auto document = aws::parse_xml(response.body);
  const std::string upload_id = document.ok() ? document->child_text("UploadId") : std::string();
  if (upload_id.empty())
    return destination_error("CreateMultipartUpload " + describe(key) +
                             ": the reply holds no UploadId: check that the endpoint is an S3 server");
  return upload_id;
}

inline Result<std::string> ObjectClient::upload_part(std::string_view key, std::string_view upload_id,
                                                     int part_number, std::string_view body,
                                                     std::vector<http::HttpHeader> headers) {
  std::string query = "partNumber=" + std::to_string(part_number) + "&uploadId=" + aws::uri_encode(upload_id);
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                          send("UploadPart", "PUT", key, std::move(query), std::move(headers), body, {true, false, {}}));
  const std::string* etag = response.find_header("ETag");
  if (!etag || etag->empty())
    return destination_error("UploadPart " + describe(key) + " part " + std::to_string(part_number) +
                             ": the reply has no ETag: check that the endpoint is an S3 server");
  return *etag;
}

inline Result<std::string> ObjectClient::upload_part(std::string_view key, std::string_view upload_id,
                                                     int part_number, const http::BodyReader& body,
                                                     std::string_view payload_hash,
                                                     std::vector<http::HttpHeader> headers) {
  std::string query = "partNumber=" + std::to_string(part_number) + "&uploadId=" + aws::uri_encode(upload_id);
  S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse response,
                          send("UploadPart", "PUT", key, std::move(query), std::move(headers), "",
                               {true, false, {}, false, &body, payload_hash}));
  const std::string* etag = response.find_header("ETag");
  if (!etag || etag->empty())
    return destination_error("UploadPart " + describe(key) + " part " + std::to_string(part_number) +
                             ": the reply has no ETag: check that the endpoint is an S3 server");
  return *etag;
}

inline Result<http::HttpResponse> ObjectClient::complete(std::string_view key, std::string_view upload_id,
                                                        const std::vector<UploadedPart>& parts, bool if_absent) {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < parts.size(); ++i) {
    body += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>";
    aws::append_xml_escaped(body, parts[i].etag);
    body += "</ETag>";
    if (!parts[i].checksum_element.empty()) {
      body += "<" + parts[i].checksum_element + ">";
      aws::append_xml_escaped(body, parts[i].checksum);
      body += "</" + parts[i].checksum_element + ">";
    }
    body += "</Part>";
  }
  body += "</CompleteMultipartUpload>";
  std::vector<http::HttpHeader> headers = {{"Content-Type", "application/xml"}};
  if (if_absent) headers.push_back({"If-None-Match", "*"});
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response,
                          send("CompleteMultipartUpload", "POST", key, "uploadId=" + aws::uri_encode(upload_id),
                               std::move(headers), body, {true, if_absent, {}}));
  return failure_in_body("CompleteMultipartUpload", key, std::move(response));
}

inline Result<http::HttpResponse> ObjectClient::complete_multipart_upload(std::string_view key,
                                                                         std::string_view upload_id,
                                                                         const std::vector<UploadedPart>& parts) {
  return complete(key, upload_id, parts, false);
}

inline Result<std::optional<http::HttpResponse>> ObjectClient::complete_multipart_upload_if_absent(
    std::string_view key, std::string_view upload_id, const std::vector<UploadedPart>& parts) {
  S3DEST_ASSIGN_OR_RETURN(http::HttpResponse response, complete(key, upload_id, parts, true));
  if (detail::is_precondition_refusal(response)) return std::optional<http::HttpResponse>();
  return std::optional<http::HttpResponse>(std::move(response));
}

inline Status ObjectClient::abort_multipart_upload(std::string_view key, std::string_view upload_id) {
  return send("AbortMultipartUpload", "DELETE", key, "uploadId=" + aws::uri_encode(upload_id), {}, "").status();
}

}  // namespace s3dest::s3
