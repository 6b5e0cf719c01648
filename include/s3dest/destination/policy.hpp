// The JSON policies a bucket owner pastes so that s3dest may write where a config says
// (`s3dest policy`). The S3 actions come from s3/permissions.hpp, the table of the IAM
// action each S3 call needs, so the documents, the messages of a refused call and the
// health check name the same actions:
//   role    the writer's IAM policy: objects under the layout's fixed prefix, listing
//           scoped to that prefix, open multipart uploads; tagging and ACL actions when
//           the config sets tags or a canned ACL; kms:GenerateDataKey and kms:Decrypt on
//           the key for sse-kms-cmk
//   bucket  the same S3 statements as a bucket policy, with the writer as Principal
//   kms     the statement to add to an sse-kms-cmk key's policy
//   trust   for each role assume_role goes through: who may assume it, with the
//           sts:ExternalId condition
//
//   PolicyTarget target{"lake", "ws9/", {"arn:aws:iam::111111111111:user/loader", ""}};
//   auto text = policy_text(config, target, PolicyKind::all);  // 2-space indented JSON
//   statement_to_add(config, "ws9/", "DeleteObject");  // {"Sid": "S3destWriteObjects", ...}
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/aws/sts.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/format/json_lines_encoder.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/s3/permissions.hpp"

namespace s3dest {

enum class PolicyKind { role, bucket, kms, trust, all };

// "role", "bucket", "kms", "trust" or "all"; nullopt for another name.
std::optional<PolicyKind> policy_kind_of(std::string_view name);

// Who s3dest runs as before any role: the first hop's principal in a trust policy, and,
// without assume_role, the writer that the bucket and key policies name.
struct PolicyCaller {
  std::string arn;      // as given (s3dest policy --principal), or as GetCallerIdentity found it
  std::string account;  // from GetCallerIdentity: then the bucket and key policies name the
                        // account ("arn:aws:iam::ACCOUNT:root"), whose IAM policies say who in it
};

// The caller GetCallerIdentity found. A role session's ARN becomes its role's, which a
// trust policy can name for every session (the session's ARN holds no role path: a role
// with a path needs --principal).
PolicyCaller policy_caller_of(const aws::CallerIdentity& identity);

// Who the config's base credentials are (GetCallerIdentity, which needs no permission).
Result<PolicyCaller> caller_for_config(const Config& config, std::shared_ptr<http::HttpSender> sender,
                                       const CredentialOptions& options = {});

struct PolicyTarget {
  std::string bucket;
  std::string prefix;   // the layout's fixed prefix (KeyLayout::fixed_prefix()): "ws9/"; "" for all
  PolicyCaller caller;  // needed when policy_needs_caller()
};

// Usage error when the config has no such document: kms without sse-kms-cmk, trust
// without assume_role. `all` always applies.
Status policy_applies(const Config& config, PolicyKind kind);

// Whether the documents of `kind` name the bucket (all but kms and trust).
bool policy_names_bucket(PolicyKind kind);

// Whether the documents of `kind` name the caller: trust always; bucket and kms unless
// assume_role (then the writer is the role assumed last).
bool policy_needs_caller(const Config& config, PolicyKind kind);

// The documents of `kind`, as 2-space indented JSON ending in a newline:
//   role, bucket  {"Version": "2012-10-17", "Statement": [...]}
//   kms           one statement, to add to the key's policy
//   trust         [{"role_arn": ARN, "policy": {...}}, ...]: one per role, in the order
//                 they are assumed
//   all           {"role": ..., "bucket": ..., "kms": ..., "trust": ...} with bucket for
//                 shared_access only, kms for sse-kms-cmk, trust for assume_role
// Usage error when the document does not apply, or when no bucket or caller is given.
Result<std::string> policy_text(const Config& config, const PolicyTarget& target, PolicyKind kind);

// The statement of the writer's IAM policy (the role document) that grants `operation`:
// an S3 call as s3/permissions.hpp names it ("DeleteObject"), or an action
// ("s3:PutObjectTagging", "kms:Decrypt"). One line of JSON, for a message; "" when no
// statement of s3dest's grants it. The bucket is the config's.
std::string statement_to_add(const Config& config, const std::string& prefix, std::string_view operation);
// The same for another bucket (--dest s3://bucket/prefix).
std::string statement_to_add(const Config& config, const std::string& bucket, const std::string& prefix,
                             std::string_view operation);

}  // namespace s3dest

namespace s3dest {
namespace detail {

using s3::kKmsActions;
using s3::kPutObjectAclAction;
using s3::kPutObjectTaggingAction;

enum class StatementScope {
  objects,         // every object under the prefix: "arn:aws:s3:::bucket/PREFIX*"
  prefix_listing,  // the bucket, listed only under the prefix (the s3:prefix condition)
  bucket,          // the bucket
};

struct StatementSpec {
  std::string_view sid;
  StatementScope scope;
  std::string_view first_action;               // one of the actions above, or ""
  std::array<std::string_view, 5> operations;  // S3 calls of permissions.hpp; "" after the last
};

// The writer's S3 statements, in the documents' order. Tagging and ACL only apply when the
// config sets tags or a canned ACL (statement_applies).
inline constexpr std::array<StatementSpec, 6> kS3Statements{{
    {"S3destWriteObjects",
     StatementScope::objects,
     "",
     {"PutObject", "GetObject", "DeleteObject", "DeleteObjectVersion", "AbortMultipartUpload"}},
    {"S3destListPrefix", StatementScope::prefix_listing, "", {"ListObjectsV2", "", "", "", ""}},
    {"S3destListUploads", StatementScope::bucket, "", {"ListMultipartUploads", "", "", "", ""}},
    {"S3destReadVersioning", StatementScope::bucket, "", {"GetBucketVersioning", "", "", "", ""}},
    {"S3destTagObjects", StatementScope::objects, kPutObjectTaggingAction, {"GetObjectTagging", "", "", "", ""}},
    {"S3destObjectAcl", StatementScope::objects, kPutObjectAclAction, {"GetObjectAcl", "", "", "", ""}},
}};
inline constexpr std::string_view kKmsStatementSid = "S3destUseKmsKey";

constexpr bool spec_grants(const StatementSpec& spec, std::string_view action) {
  if (spec.first_action == action) return true;
  for (std::string_view operation : spec.operations) {
    const s3::Permission* p = operation.empty() ? nullptr : s3::permission_of(operation);
    if (p != nullptr && p->action == action) return true;
  }
  return false;
}

// Every call of permissions.hpp is granted by a statement, each statement's calls are in
// the table and on the resource its scope says: a call added there fails the build here
// until a statement grants it.
constexpr bool statements_cover_every_call() {
  for (const s3::Permission& p : s3::kPermissions) {
    bool granted = false;
    for (const StatementSpec& spec : kS3Statements) granted = granted || spec_grants(spec, p.action);
    if (!granted) return false;
  }
  for (const StatementSpec& spec : kS3Statements)
    for (std::string_view operation : spec.operations) {
      if (operation.empty()) continue;
      const s3::Permission* p = s3::permission_of(operation);
      if (p == nullptr || (p->resource == s3::ResourceKind::object) != (spec.scope == StatementScope::objects))
        return false;
    }
  return true;
}
static_assert(statements_cover_every_call(), "an S3 call of s3/permissions.hpp has no statement in kS3Statements");

// A JSON value of the documents: a string, an array, or an object (names in order).
struct PolicyJson {
  enum class Kind { string, array, object };
  Kind kind = Kind::object;
  std::string text;
  std::vector<std::string> names;  // an object's member names, beside their values in items
  std::vector<PolicyJson> items;

  static PolicyJson string(std::string text) { return {Kind::string, std::move(text), {}, {}}; }
  static PolicyJson array(std::vector<PolicyJson> items = {}) { return {Kind::array, "", {}, std::move(items)}; }
  // A string for one value, an array for several: how AWS writes a principal or a condition.
  static PolicyJson one_or_many(const std::vector<std::string>& values) {
    if (values.size() == 1) return string(values.front());
    PolicyJson out = array();
    for (const std::string& v : values) out.items.push_back(string(v));
    return out;
  }
  PolicyJson& add(std::string name, PolicyJson value) {
    names.push_back(std::move(name));
    items.push_back(std::move(value));
    return *this;
  }
};

// JSON text: pretty (2-space indent, one member or item a line) or on one line.
inline void write_policy_json(std::string& out, const PolicyJson& value, bool pretty, int depth = 0) {
  if (value.kind == PolicyJson::Kind::string) return append_json_string(out, value.text);
  const bool object = value.kind == PolicyJson::Kind::object;
  out.push_back(object ? '{' : '[');
  for (size_t i = 0; i < value.items.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (pretty) {
      out.push_back('\n');
      out.append(2 * static_cast<size_t>(depth + 1), ' ');
    } else if (i > 0) {
      out.push_back(' ');
    }
    if (object) {
      append_json_string(out, value.names[i]);
      out.append(": ");
    }
    write_policy_json(out, value.items[i], pretty, depth + 1);
  }
  if (pretty && !value.items.empty()) {
    out.push_back('\n');
    out.append(2 * static_cast<size_t>(depth), ' ');
  }
  out.push_back(object ? '}' : ']');
}

inline std::string pretty_json(const PolicyJson& value) {
  std::string out;
  write_policy_json(out, value, true);
  out.push_back('\n');
  return out;
}

inline std::string one_line_json(const PolicyJson& value) {
  std::string out;
  write_policy_json(out, value, false);
  return out;
}

inline bool statement_applies(const Config& config, const StatementSpec& spec) {
  if (spec.first_action == kPutObjectTaggingAction) return !config.tags.empty();
  if (spec.first_action == kPutObjectAclAction) return !config.canned_acl.empty();
  return true;
}

// The statement's actions: its first action, then those of its calls, each once.
inline PolicyJson statement_actions(const StatementSpec& spec) {
  std::vector<std::string> actions;
  if (!spec.first_action.empty()) actions.emplace_back(spec.first_action);
  for (std::string_view operation : spec.operations) {
    if (operation.empty()) continue;
    const std::string action(s3::permission_of(operation)->action);
    if (std::find(actions.begin(), actions.end(), action) == actions.end()) actions.push_back(action);
  }
  PolicyJson out = PolicyJson::array();
  for (std::string& a : actions) out.items.push_back(PolicyJson::string(std::move(a)));
  return out;
}

// An S3 statement; `principal` only in a bucket policy.
inline PolicyJson s3_statement(const StatementSpec& spec, const std::string& bucket, const std::string& prefix,
                               const std::string& principal, const std::string& region) {
  const s3::Permission& first = *s3::permission_of(spec.operations.front());
  PolicyJson statement;
  statement.add("Sid", PolicyJson::string(std::string(spec.sid)));
  statement.add("Effect", PolicyJson::string("Allow"));
  if (!principal.empty()) statement.add("Principal", PolicyJson().add("AWS", PolicyJson::string(principal)));
  statement.add("Action", statement_actions(spec));
  const bool objects = spec.scope == StatementScope::objects;
  statement.add("Resource", PolicyJson::string(s3::resource_arn(first, bucket, objects ? prefix + "*" : "", region)));
  // Listing asks for the prefix it lists under: scoped to the layout's. (Without a prefix
  // the whole bucket is the writer's, and a condition would only refuse HeadBucket.)
  if (spec.scope == StatementScope::prefix_listing && !prefix.empty())
    statement.add("Condition", PolicyJson().add("StringLike", PolicyJson().add(
                                   "s3:prefix", PolicyJson::array({PolicyJson::string(prefix + "*")}))));
  return statement;
}

// The key's ARN for a Resource. A key id becomes an ARN in the config's region (any
// account); an alias grants nothing as a Resource (KMS checks the key), so an alias is
// any key of that region with the alias (kms:ResourceAliases).
inline std::string kms_arn_start(const Config& config) {
  return "arn:" + std::string(s3::arn_partition(config.region)) + ":kms:" + config.region + ":*:";
}

inline void add_kms_resource(PolicyJson& statement, const Config& config) {
  const std::string& key = config.encryption_key;
  const bool alias_arn = key.rfind("arn:", 0) == 0 && key.find(":alias/") != std::string::npos;
  if (key.rfind("arn:", 0) == 0 && !alias_arn) {
    statement.add("Resource", PolicyJson::string(key));
    return;
  }
  if (!alias_arn && key.rfind("alias/", 0) != 0) {
    statement.add("Resource", PolicyJson::string(kms_arn_start(config) + "key/" + key));
    return;
  }
  const size_t alias = key.find("alias/");
  statement.add("Resource", PolicyJson::string(alias_arn ? key.substr(0, alias) + "key/*"
                                                         : kms_arn_start(config) + "key/*"));
  PolicyJson aliases = PolicyJson().add("kms:ResourceAliases", PolicyJson::string(key.substr(alias)));
  statement.add("Condition", PolicyJson().add("ForAnyValue:StringEquals", std::move(aliases)));
}

inline PolicyJson kms_actions() {
  PolicyJson out = PolicyJson::array();
  for (std::string_view action : kKmsActions) out.items.push_back(PolicyJson::string(std::string(action)));
  return out;
}

// The role document's KMS statement: the writer may use the config's key.
inline PolicyJson kms_statement(const Config& config) {
  PolicyJson statement;
  statement.add("Sid", PolicyJson::string(std::string(kKmsStatementSid)));
  statement.add("Effect", PolicyJson::string("Allow"));
  statement.add("Action", kms_actions());
  add_kms_resource(statement, config);
  return statement;
}

inline PolicyJson policy_document(PolicyJson statements) {
  PolicyJson document;
  document.add("Version", PolicyJson::string("2012-10-17"));
  document.add("Statement", std::move(statements));
  return document;
}

// The S3 statements that apply to the config, with `principal` in a bucket policy.
inline PolicyJson s3_statements(const Config& config, const std::string& bucket, const std::string& prefix,
                                const std::string& principal) {
  PolicyJson statements = PolicyJson::array();
  for (const StatementSpec& spec : kS3Statements)
    if (statement_applies(config, spec))
      statements.items.push_back(s3_statement(spec, bucket, prefix, principal, config.region));
  return statements;
}

inline PolicyJson role_document(const Config& config, const PolicyTarget& target) {
  PolicyJson statements = s3_statements(config, target.bucket, target.prefix, "");
  if (config.encryption == Encryption::sse_kms_cmk) statements.items.push_back(kms_statement(config));
  return policy_document(std::move(statements));
}

// "aws" of "arn:aws:iam::...": the partition an account root is named in.
inline std::string arn_partition(const std::string& arn) {
  const size_t end = arn.find(':', 4);
  return arn.rfind("arn:", 0) == 0 && end != std::string::npos ? arn.substr(4, end - 4) : "aws";
}

// Who the bucket and key policies let in: the role assumed last, else the caller's
// account (when GetCallerIdentity found it), else the caller as given.
inline std::string writer_principal(const Config& config, const PolicyCaller& caller) {
  if (config.connection_option == ConnectionOption::assume_role) return config.assume_role_arn;
  if (!caller.account.empty()) return "arn:" + arn_partition(caller.arn) + ":iam::" + caller.account + ":root";
  return caller.arn;
}

inline PolicyJson bucket_document(const Config& config, const PolicyTarget& target) {
  return policy_document(s3_statements(config, target.bucket, target.prefix, writer_principal(config, target.caller)));
}

inline PolicyJson kms_key_statement(const Config& config, const PolicyTarget& target) {
  PolicyJson statement;
  statement.add("Sid", PolicyJson::string("S3destWriterUsesKey"));
  statement.add("Effect", PolicyJson::string("Allow"));
  statement.add("Principal", PolicyJson().add("AWS", PolicyJson::string(writer_principal(config, target.caller))));
  statement.add("Action", kms_actions());
  statement.add("Resource", PolicyJson::string("*"));  // in a key policy: this key
  return statement;
}

inline void add_once(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

inline PolicyJson assume_role_statement(std::string sid, const std::vector<std::string>& principals,
                                        const std::vector<std::string>& external_ids) {
  PolicyJson statement;
  statement.add("Sid", PolicyJson::string(std::move(sid)));
  statement.add("Effect", PolicyJson::string("Allow"));
  statement.add("Principal", PolicyJson().add("AWS", PolicyJson::one_or_many(principals)));
  statement.add("Action", PolicyJson::array({PolicyJson::string("sts:AssumeRole")}));
  if (!external_ids.empty())
    statement.add("Condition", PolicyJson().add("StringEquals", PolicyJson().add(
                                   "sts:ExternalId", PolicyJson::one_or_many(external_ids))));
  return statement;
}

// One role's trust policy: who assumes it in the config's chain (the caller for the first
// hop, the previous hop's role after). Several ExternalIds apply when the role is reached
// more than once with different ids (twice in role_chain, or in role_chain and as
// assume_role_arn): the condition lists them all. Principals that send no ExternalId get
// a statement without the condition, which would refuse them.
inline PolicyJson trust_document(const std::vector<aws::AssumeRoleParams>& hops, const std::string& role_arn,
                                 const std::string& caller) {
  std::vector<std::string> with_id, ids, without_id;
  for (size_t i = 0; i < hops.size(); ++i) {
    if (hops[i].role_arn != role_arn) continue;
    const std::string& principal = i == 0 ? caller : hops[i - 1].role_arn;
    add_once(hops[i].external_id.empty() ? without_id : with_id, principal);
    if (!hops[i].external_id.empty()) add_once(ids, hops[i].external_id);
  }
  PolicyJson statements = PolicyJson::array();
  if (!with_id.empty()) statements.items.push_back(assume_role_statement("S3destAssumeRoleWithExternalId", with_id, ids));
  if (!without_id.empty()) statements.items.push_back(assume_role_statement("S3destAssumeRole", without_id, {}));
  return policy_document(std::move(statements));
}

// [{"role_arn": ARN, "policy": {...}}, ...]: each role once, in the order it is assumed.
inline PolicyJson trust_documents(const Config& config, const PolicyTarget& target) {
  const std::vector<aws::AssumeRoleParams> hops = role_hops_for_config(config);
  std::vector<std::string> roles;
  for (const aws::AssumeRoleParams& hop : hops) add_once(roles, hop.role_arn);
  PolicyJson out = PolicyJson::array();
  for (const std::string& role : roles)
    out.items.push_back(PolicyJson()
                            .add("role_arn", PolicyJson::string(role))
                            .add("policy", trust_document(hops, role, target.caller.arn)));
  return out;
}

inline PolicyJson all_documents(const Config& config, const PolicyTarget& target) {
  PolicyJson all;
  all.add("role", role_document(config, target));
  if (config.connection_option == ConnectionOption::shared_access) all.add("bucket", bucket_document(config, target));
  if (config.encryption == Encryption::sse_kms_cmk) all.add("kms", kms_key_statement(config, target));
  if (config.connection_option == ConnectionOption::assume_role) all.add("trust", trust_documents(config, target));
  return all;
}

// The action `operation` stands for: an action as it is, an S3 call by the table, else
// an action no call needs everywhere ("PutObjectTagging").
inline std::string action_of(std::string_view operation) {
  if (operation.rfind("s3:", 0) == 0 || operation.rfind("kms:", 0) == 0) return std::string(operation);
  if (const s3::Permission* p = s3::permission_of(operation)) return std::string(p->action);
  return "s3:" + std::string(operation);
}

}  // namespace detail

inline std::optional<PolicyKind> policy_kind_of(std::string_view name) {
  if (name == "role") return PolicyKind::role;
  if (name == "bucket") return PolicyKind::bucket;
  if (name == "kms") return PolicyKind::kms;
  if (name == "trust") return PolicyKind::trust;
  if (name == "all") return PolicyKind::all;
  return std::nullopt;
}

inline PolicyCaller policy_caller_of(const aws::CallerIdentity& identity) {
  // arn:P:sts::ACCOUNT:assumed-role/NAME/SESSION -> arn:P:iam::ACCOUNT:role/NAME
  std::string arn = identity.arn;
  const std::string partition = detail::arn_partition(arn);
  const std::string sts = "arn:" + partition + ":sts::";
  const std::string assumed = ":assumed-role/";
  const size_t at = arn.find(assumed);
  if (arn.rfind(sts, 0) == 0 && at != std::string::npos) {
    const size_t name = at + assumed.size();
    arn = "arn:" + partition + ":iam::" + arn.substr(sts.size(), at - sts.size()) + ":role/" +
          arn.substr(name, arn.find('/', name) - name);
  }
  return {arn, identity.account};
}

inline Result<PolicyCaller> caller_for_config(const Config& config, std::shared_ptr<http::HttpSender> sender,
                                              const CredentialOptions& options) {
  S3DEST_ASSIGN_OR_RETURN(const auto provider, base_credentials_for_config(config, sender, options));
  S3DEST_ASSIGN_OR_RETURN(const aws::Credentials credentials, provider->credentials());
  S3DEST_ASSIGN_OR_RETURN(const aws::CallerIdentity identity,
                          aws::get_caller_identity(*sender, credentials, sts_settings_for_config(config),
                                                   provider->describe(), options.clock));
  return policy_caller_of(identity);
}

inline Status policy_applies(const Config& config, PolicyKind kind) {
  if (kind == PolicyKind::kms && config.encryption != Encryption::sse_kms_cmk)
    return usage_error("there is no key policy to print: the config's encryption is not \"sse-kms-cmk\" (the key "
                       "policy is for a key of your own, named by encryption_key)");
  if (kind == PolicyKind::trust && config.connection_option != ConnectionOption::assume_role)
    return usage_error("there is no trust policy to print: the config's connection_option is not \"assume_role\" "
                       "(trust policies are for the roles it assumes)");
  return {};
}

inline bool policy_names_bucket(PolicyKind kind) { return kind != PolicyKind::kms && kind != PolicyKind::trust; }

inline bool policy_needs_caller(const Config& config, PolicyKind kind) {
  const bool assume_role = config.connection_option == ConnectionOption::assume_role;
  switch (kind) {
    case PolicyKind::role: return false;
    case PolicyKind::bucket:
    case PolicyKind::kms: return !assume_role;
    case PolicyKind::trust: return true;
    case PolicyKind::all: break;
  }
  return assume_role || config.connection_option == ConnectionOption::shared_access ||
         config.encryption == Encryption::sse_kms_cmk;
}

inline Result<std::string> policy_text(const Config& config, const PolicyTarget& target, PolicyKind kind) {
  S3DEST_TRY(policy_applies(config, kind));
  if (policy_names_bucket(kind) && target.bucket.empty())
    return usage_error("no bucket for the policy: set \"bucket\" in the config or give --dest s3://bucket[/prefix]");
  if (policy_needs_caller(config, kind) && target.caller.arn.empty())
    return usage_error("the policy names who s3dest runs as: give its ARN (--principal arn:aws:iam::ACCOUNT:user/NAME)");
  switch (kind) {
    case PolicyKind::role: return detail::pretty_json(detail::role_document(config, target));
    case PolicyKind::bucket: return detail::pretty_json(detail::bucket_document(config, target));
    case PolicyKind::kms: return detail::pretty_json(detail::kms_key_statement(config, target));
    case PolicyKind::trust: return detail::pretty_json(detail::trust_documents(config, target));
    case PolicyKind::all: break;
  }
  return detail::pretty_json(detail::all_documents(config, target));
}

inline std::string statement_to_add(const Config& config, const std::string& bucket, const std::string& prefix,
                                    std::string_view operation) {
  const std::string action = detail::action_of(operation);
  for (const detail::StatementSpec& spec : detail::kS3Statements)
    if (detail::spec_grants(spec, action))
      return detail::one_line_json(detail::s3_statement(spec, bucket, prefix, "", config.region));
  if (config.encryption == Encryption::sse_kms_cmk)
    for (std::string_view kms_action : detail::kKmsActions)
      if (kms_action == action) return detail::one_line_json(detail::kms_statement(config));
  return "";
}

inline std::string statement_to_add(const Config& config, const std::string& prefix, std::string_view operation) {
  return statement_to_add(config, config.bucket, prefix, operation);
}

}  // namespace s3dest
