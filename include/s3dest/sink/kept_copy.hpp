// In a bucket that keeps no versions, a run keeps a copy of each object it is about to
// replace, so that a failed or killed run loses nothing: the copy is made on the server
// before the replacing write (S3Sink starts it as soon as the run knows it will write the
// key), beside the object (layout/kept_copy_name.hpp: ".NAME.s3dest-RUNID.kept", as a
// local folder's kept files are named), copied back over the object when the run fails
// (S3Sink::rollback) or was killed (cleanup --run), and deleted once the run succeeded.
//
// A copy carries the object's bytes, Content-Type, metadata and tags (up to 5 GiB: see
// s3/object_copy.hpp); not its storage class or ACL, which the object gets back from the
// config's object options when it is put back.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/task_pool.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/layout/kept_copy_name.hpp"
#include "s3dest/layout/key_layout.hpp"
#include "s3dest/s3/object_client.hpp"
#include "s3dest/s3/object_copy.hpp"
#include "s3dest/s3/object_property_headers.hpp"

namespace s3dest {

struct KeptCopy {
  std::string key;           // the object's
  std::string copy_key;      // the copy's: kept_copy_key(key, run)
  std::string copy_version;  // the copy's version, where the bucket keeps versions after all
};

// What keep_copy did: the copy it made, or why there is none.
struct CopyKept {
  std::optional<KeptCopy> copy;
  // Where the key holds an object but no copy was made: the server cannot copy it (501
  // NotImplemented: radosgw 16 with an SSE-KMS object). Empty when there is no object.
  std::string not_copied;
};

// Copies `key`, which run `run_id` is about to replace, beside it, with `headers`
// (encryption, ACL).
Result<CopyKept> keep_copy(s3::ObjectClient& client, const std::string& key, std::string_view run_id,
                           std::vector<http::HttpHeader> headers);

// Undoes what run `run_id` did to `kept.key`: where the run's object is there (or none
// is), the copy goes back over it, with `headers` (encryption, storage class, ACL);
// another's object stays. Then the copy is deleted. Whether the object was put back.
Result<bool> put_back_kept_copy(s3::ObjectClient& client, const KeptCopy& kept, const std::string& run_id,
                                std::vector<http::HttpHeader> headers);

// put_back_kept_copy for each of `copies`, `threads` at once (a CopyObject takes several
// times a PutObject's time), copies[i] with headers_of(i). Each one's result, in order.
std::vector<Result<bool>> put_back_kept_copies(
    s3::ObjectClient& client, const std::vector<KeptCopy>& copies, const std::string& run_id,
    const std::function<std::vector<http::HttpHeader>(size_t)>& headers_of, int threads);

// The headers of a copy s3dest makes: `encryption` (the config's), and the config's ACL;
// for an object put back, its storage class too (a kept copy is in S3's default one).
std::vector<http::HttpHeader> kept_copy_headers(std::vector<http::HttpHeader> encryption,
                                                const std::string& storage_class, const std::string& canned_acl);

// Deletes a copy that is no longer needed (the run succeeded, or it is put back).
Status delete_kept_copy(s3::ObjectClient& client, const KeptCopy& kept);

// ---------------------------------------------------------------------------------------
// Implementation.

inline Result<CopyKept> keep_copy(s3::ObjectClient& client, const std::string& key, std::string_view run_id,
                                  std::vector<http::HttpHeader> headers) {
  KeptCopy kept{key, kept_copy_key(key, run_id), {}};
  if (kept.copy_key.size() > kMaxKeyBytes)
    return destination_error(client.describe(key) + " holds an object this run would replace, and a copy of it, kept "
                             "until the run has succeeded, would need a key longer than S3's " +
                             std::to_string(kMaxKeyBytes) + " bytes: shorten the folder or file_name");
  S3DEST_ASSIGN_OR_RETURN(const auto head, client.head_object_if_any(key));
  if (!head) return CopyKept();
  S3DEST_ASSIGN_OR_RETURN(const auto copied, s3::copy_whole_object(client, key, *head, kept.copy_key, std::move(headers)));
  if (!copied) return CopyKept{std::nullopt, "the server cannot copy it (CopyObject: HTTP 501 NotImplemented)"};
  kept.copy_version = s3::version_id_of(*copied);
  return CopyKept{std::move(kept), {}};
}

inline std::vector<http::HttpHeader> kept_copy_headers(std::vector<http::HttpHeader> encryption,
                                                       const std::string& storage_class,
                                                       const std::string& canned_acl) {
  if (!storage_class.empty()) encryption.push_back({"x-amz-storage-class", storage_class});
  if (!canned_acl.empty()) encryption.push_back({"x-amz-acl", canned_acl});
  return encryption;
}

inline Status delete_kept_copy(s3::ObjectClient& client, const KeptCopy& kept) {
  return kept.copy_version.empty() ? client.delete_object(kept.copy_key)
                                   : client.delete_object_version(kept.copy_key, kept.copy_version);
}

inline Result<bool> put_back_kept_copy(s3::ObjectClient& client, const KeptCopy& kept, const std::string& run_id,
                                       std::vector<http::HttpHeader> headers) {
  S3DEST_ASSIGN_OR_RETURN(const auto current, client.head_object_if_any(kept.key));
  const bool put_back = !current || s3::written_by_run(*current, run_id);
  if (put_back) {
    S3DEST_ASSIGN_OR_RETURN(const http::HttpResponse copy, client.head_object(kept.copy_key));
    S3DEST_ASSIGN_OR_RETURN(const auto copied,
                            s3::copy_whole_object(client, kept.copy_key, copy, kept.key, std::move(headers)));
    if (!copied)  // it copied the object aside, so this is unexpected: the copy stays
      return destination_error("CopyObject " + client.describe(kept.key) + ": the server cannot copy " +
                               client.describe(kept.copy_key) + " back (HTTP 501 NotImplemented)");
  }
  S3DEST_TRY(delete_kept_copy(client, kept));
  return put_back;
}

inline std::vector<Result<bool>> put_back_kept_copies(
    s3::ObjectClient& client, const std::vector<KeptCopy>& copies, const std::string& run_id,
    const std::function<std::vector<http::HttpHeader>(size_t)>& headers_of, int threads) {
  std::vector<Result<bool>> put_back(copies.size(), Result<bool>(false));
  if (copies.empty()) return put_back;
  TaskPool copying(static_cast<int>(std::min<size_t>(copies.size(), static_cast<size_t>(threads))));
  for (size_t i = 0; i < copies.size(); ++i)
    copying.submit([&, i] { put_back[i] = put_back_kept_copy(client, copies[i], run_id, headers_of(i)); });
  copying.wait();
  return put_back;
}

}  // namespace s3dest
