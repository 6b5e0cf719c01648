// The IAM action each S3 call of s3dest needs, and the resource it is checked on: the one
// table that messages (a refused call names its action), `s3dest policy` (the writer's
// policy holds exactly these actions) and `s3dest check` read.
//
//   const s3::Permission* p = s3::permission_of("CompleteMultipartUpload");
//   p->action                         // "s3:PutObject"
//   s3::resource_arn(*p, "lake", key) // "arn:aws:s3:::lake/ws9/x.csv" ("arn:aws-cn:..." in China)
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace s3dest::s3 {

enum class ResourceKind { object, bucket };

struct Permission {
  std::string_view operation;  // the S3 API call, as messages name it: "PutObject"
  std::string_view action;     // the IAM action that allows it: "s3:PutObject"
  ResourceKind resource;       // checked on the object's ARN or the bucket's
};

// Every call s3dest makes to S3. Writing an object with tags or an ACL also needs
// s3:PutObjectTagging or s3:PutObjectAcl on AWS, and with SSE-KMS the KMS actions below.
inline constexpr std::array<Permission, 18> kPermissions{{
    {"PutObject", "s3:PutObject", ResourceKind::object},
    {"CreateMultipartUpload", "s3:PutObject", ResourceKind::object},
    {"UploadPart", "s3:PutObject", ResourceKind::object},
    {"CompleteMultipartUpload", "s3:PutObject", ResourceKind::object},
    {"AbortMultipartUpload", "s3:AbortMultipartUpload", ResourceKind::object},
    {"HeadObject", "s3:GetObject", ResourceKind::object},
    {"GetObject", "s3:GetObject", ResourceKind::object},
    {"DeleteObject", "s3:DeleteObject", ResourceKind::object},
    // Many objects in one request: S3 checks s3:DeleteObject (s3:DeleteObjectVersion for a
    // version) on each.
    {"DeleteObjects", "s3:DeleteObject", ResourceKind::object},
    // DeleteObject of one version (?versionId=): a failed run's own versions, in a
    // versioned bucket, so the versions before them are current again.
    {"DeleteObjectVersion", "s3:DeleteObjectVersion", ResourceKind::object},
    // A server-side copy also reads its source (s3:GetObject): a run keeps a copy of each
    // object it replaces in a bucket without versions, and puts it back on failure.
    {"CopyObject", "s3:PutObject", ResourceKind::object},
    {"UploadPartCopy", "s3:PutObject", ResourceKind::object},
    {"GetObjectTagging", "s3:GetObjectTagging", ResourceKind::object},
    {"GetObjectAcl", "s3:GetObjectAcl", ResourceKind::object},
    {"ListObjectsV2", "s3:ListBucket", ResourceKind::bucket},
    {"HeadBucket", "s3:ListBucket", ResourceKind::bucket},
    {"ListMultipartUploads", "s3:ListBucketMultipartUploads", ResourceKind::bucket},
    // Whether the bucket keeps versions: where it does not, objects a run replaces are
    // copied first (CopyObject).
    {"GetBucketVersioning", "s3:GetBucketVersioning", ResourceKind::bucket},
}};

// Actions no S3 call is refused without on every server, so not in the table: AWS asks
// for s3:PutObjectTagging / s3:PutObjectAcl on a PutObject or CreateMultipartUpload that
// carries tags / an ACL (radosgw 16 does not). With SSE-KMS, S3 calls KMS as the writer:
// GenerateDataKey to encrypt, Decrypt to read an object back and to complete a
// multipart upload. kms:Encrypt is needed by no call s3dest makes.
inline constexpr std::string_view kPutObjectTaggingAction = "s3:PutObjectTagging";
inline constexpr std::string_view kPutObjectAclAction = "s3:PutObjectAcl";
inline constexpr std::array<std::string_view, 2> kKmsActions{"kms:GenerateDataKey", "kms:Decrypt"};

// The entry of an S3 call; null for a call s3dest does not make.
constexpr const Permission* permission_of(std::string_view operation) {
  for (const Permission& p : kPermissions)
    if (p.operation == operation) return &p;
  return nullptr;
}

// The ARN partition of a region: "aws-cn" for China, "aws-us-gov" for GovCloud, else "aws".
inline std::string_view arn_partition(std::string_view region) {
  if (region.rfind("cn-", 0) == 0) return "aws-cn";
  if (region.rfind("us-gov-", 0) == 0) return "aws-us-gov";
  return "aws";
}

// "arn:aws:s3:::bucket/key" for object actions, "arn:aws:s3:::bucket" for bucket ones, in
// the partition of the bucket's `region`.
inline std::string resource_arn(const Permission& permission, std::string_view bucket, std::string_view key,
                                std::string_view region = "") {
  std::string arn = "arn:" + std::string(arn_partition(region)) + ":s3:::" + std::string(bucket);
  if (permission.resource == ResourceKind::object) arn += "/" + std::string(key);
  return arn;
}

}  // namespace s3dest::s3
