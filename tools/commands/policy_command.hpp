// s3dest policy: prints the JSON policies the bucket owner pastes, made from the config
// (destination/policy.hpp). Only the trust, bucket and key policies name who s3dest runs
// as: --principal, else STS GetCallerIdentity with the config's base credentials.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "s3dest/destination/load.hpp"
#include "s3dest/destination/policy.hpp"
#include "common.hpp"
#include "options.hpp"
#include "transport.hpp"

namespace s3dest::tool {

// An IAM or STS ARN: a user, a role, an account root or a role session.
inline bool is_principal_arn(const std::string& text) {
  for (const char* partition : {"aws", "aws-cn", "aws-us-gov"})
    for (const char* service : {"iam", "sts"}) {
      const std::string start = std::string("arn:") + partition + ":" + service + "::";
      if (text.rfind(start, 0) != 0) continue;
      const size_t colon = text.find(':', start.size());  // ACCOUNT:RESOURCE (radosgw: no account)
      return colon != std::string::npos && colon + 1 < text.size() && text.size() <= 2048;
    }
  return false;
}

// Who s3dest runs as: --principal, else GetCallerIdentity. Exit 4 when neither works. A
// role session's ARN stands for its role either way, so the policies name every session.
inline Result<PolicyCaller> policy_caller(const Config& config, const std::string& principal) {
  if (!principal.empty()) return PolicyCaller{policy_caller_of(aws::CallerIdentity{principal, "", ""}).arn, ""};
  S3DEST_TRY(warn_of_plain_http(config));
  auto caller = caller_for_config(config, transport(config, false));
  if (!caller.ok())
    return destination_error("cannot tell who s3dest runs as, which the policy names (" + caller.status().message() +
                             "): pass --principal ARN, as in --principal arn:aws:iam::111111111111:user/loader");
  return caller;
}

inline int run_policy(const std::vector<std::string>& args) {
  std::string config_path, dest_text, for_text = "all", principal;
  Options parser;
  parser.value("--config", config_path).value("--dest", dest_text).value("--for", for_text);
  parser.value("--principal", principal);
  if (const std::string error = parser.parse(args, "s3dest policy"); !error.empty()) return usage(error);
  if (config_path.empty()) return usage("--config FILE is required");
  const auto kind = policy_kind_of(for_text);
  if (!kind) return usage("--for takes role, bucket, kms, trust or all");
  if (!principal.empty() && !is_principal_arn(principal))
    return usage("--principal takes the ARN s3dest runs as, as in arn:aws:iam::111111111111:user/loader or "
                 "arn:aws:sts::111111111111:assumed-role/NAME/SESSION");
  auto config = load_config_file(config_path);
  if (!config.ok()) return fail(config.status());
  if (const Status applies = policy_applies(*config, *kind); !applies.ok()) return fail(applies);

  PolicyTarget target;
  if (!dest_text.empty() || !config->bucket.empty()) {
    auto dest = destination_of(dest_text, *config);
    if (!dest.ok()) return fail(dest.status());
    if (!dest->is_s3()) return usage("policies are for a bucket: give --dest s3://bucket[/prefix]");
    auto layout = make_matching_layout(*config, dest->prefix);
    if (!layout.ok()) return fail(layout.status());
    target.bucket = dest->bucket;
    target.prefix = layout->fixed_prefix();
  }
  // Before GetCallerIdentity goes out: a policy without its bucket is a usage mistake.
  if (target.bucket.empty() && policy_names_bucket(*kind))
    return usage("no bucket for the policy: set \"bucket\" in the config or give --dest s3://bucket[/prefix]");
  if (policy_needs_caller(*config, *kind)) {
    auto caller = policy_caller(*config, principal);
    if (!caller.ok()) return fail(caller.status());
    target.caller = *caller;
  }
  auto text = policy_text(*config, target, *kind);
  if (!text.ok()) return fail(text.status());
  std::fputs(text->c_str(), stdout);
  return 0;
}

}  // namespace s3dest::tool
