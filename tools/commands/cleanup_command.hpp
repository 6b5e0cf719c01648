// s3dest cleanup: removes what loads killed without a chance to clean up (SIGKILL, a lost
// machine) left behind under the layout's fixed prefix: open multipart uploads whose keys
// this config's layout renders (S3 shows no metadata of an open upload, so its key is how
// s3dest knows its own; others' uploads are counted and left alone), and the temporary
// files of a local folder (".NAME.s3dest-RUNID-N.tmp") and then, once empty, the folders
// those files say the load made (".NAME.s3dest-RUNID-N.madeK.tmp"). A local load killed
// while it moved its files into place left a journal (DIR/.s3dest-RUNID.publishing):
// that publish is taken back first, the files it replaced put back (undo_killed_publish).
// --older-than spares the work of a load that may still be running. On this machine it
// also removes the spill folders ($TMPDIR/s3dest-spill-*) that no running load holds
// (PartitionStore::remove_abandoned).
//
// With --run RUNID it also takes back the finished objects that run (a load, or a put:
// its files' names right under the fixed prefix) put in S3 before it was killed. In a
// versioned bucket it deletes the run's versions, so each object the run replaced is as
// it was before and its new keys are gone, whatever the layout. Elsewhere it first copies
// back the copies the run kept of the objects it replaced (sink/kept_copy.hpp), then
// deletes the run's objects that are left, which it made new. It does so only where it
// can tell they are new: where the layout makes every key new in each run ({{run_id}} or
// {{uuid}}), or where the run left copies (so it did not finish, and kept a copy of each
// object it replaced). A run that left none finished (its copies went) or was killed
// before it replaced anything; with keys that repeat across runs (a put's always do) its
// objects may have replaced earlier ones that are gone, so there --run stops at the first
// object of the run and touches none: re-running the load replaces them in turn. S3 lists
// no metadata, so each key that may be the run's is asked about (a HEAD), but for those
// the listing says were last changed over a day before the run began (by its id).
//
// A put's --key may name any key in the bucket, outside the prefix and the layout:
// --key KEY looks at it too (its open uploads, and with --run its object and kept copy).
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "s3dest/core/task_pool.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/destination/put.hpp"
#include "s3dest/destination/s3_connection.hpp"
#include "s3dest/layout/partition_store.hpp"
#include "s3dest/sink/kept_copy.hpp"
#include "s3dest/sink/local_folder.hpp"
#include "common.hpp"
#include "options.hpp"
#include "transport.hpp"

namespace s3dest::tool {

// "0", "90s", "15m", "2h", "7d" -> seconds.
inline Result<int64_t> parse_duration(const std::string& text) {
  if (text == "0") return int64_t{0};
  const std::string digits = text.substr(0, text.size() - 1);
  const char unit = text.empty() ? '\0' : text.back();
  const int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
  if (scale == 0 || digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
    return usage_error("--older-than takes a duration such as 30s, 15m, 2h or 7d (or 0), not \"" + text + "\"");
  return std::stoll(digits) * scale;
}

struct CleanupCount {
  size_t removed = 0;      // uploads aborted or files deleted
  size_t restored = 0;     // files or objects that killed loads had replaced, put back
  size_t run_objects = 0;  // finished objects of --run's run deleted
  size_t kept_copies = 0;  // copies --run's run kept of objects it replaced, put back or deleted
  size_t folders = 0;      // empty folders that killed loads made, removed
  size_t younger = 0;      // s3dest's, but younger than --older-than
  size_t publishing = 0;   // journals of local loads publishing now
  size_t others = 0;       // under the prefix, not s3dest's
  size_t before_run = 0;   // objects last changed before --run's run began: not looked at
};

// Whether `key` is `put_key` (cleanup --key) or a kept copy of it.
inline bool of_put_key(const std::string& key, const std::string& put_key) {
  if (put_key.empty()) return false;
  const auto copy = parse_kept_copy_key(key);
  return key == put_key || (copy && copy->key == put_key);
}

// The open uploads under the layout's fixed prefix whose keys are s3dest's and, with
// `put_key` (cleanup --key), those of that key and of its copies, wherever it is.
inline Status clean_uploads(s3::ObjectClient& client, const KeyLayout& layout, const std::string& put_key,
                            int64_t cutoff_micros, CleanupCount& count) {
  const std::string prefix = layout.fixed_prefix();
  S3DEST_ASSIGN_OR_RETURN(std::vector<s3::OpenUpload> uploads, client.list_multipart_uploads(prefix));
  if (!put_key.empty()) {
    for (const std::string& key_prefix : {put_key, kept_copies_prefix(put_key)}) {
      S3DEST_ASSIGN_OR_RETURN(std::vector<s3::OpenUpload> more, client.list_multipart_uploads(key_prefix));
      for (s3::OpenUpload& upload : more)  // those under the prefix are listed already
        if (upload.key.compare(0, prefix.size(), prefix) != 0 && of_put_key(upload.key, put_key))
          uploads.push_back(std::move(upload));
    }
  }
  for (const s3::OpenUpload& upload : uploads) {
    // A copy the run kept of an object above 5 GiB goes up as a multipart upload too.
    if (!layout.could_render(upload.key) && !parse_kept_copy_key(upload.key) && !of_put_key(upload.key, put_key)) {
      ++count.others;
    } else if (upload.initiated_micros > cutoff_micros) {
      ++count.younger;
    } else {
      S3DEST_TRY(client.abort_multipart_upload(upload.key, upload.upload_id));
      std::string started;
      if (upload.initiated_micros != 0) append_timestamp(started, upload.initiated_micros);
      std::printf("aborted upload %s (started %s)\n",
                  printable(client.describe(upload.key), 1100, Masking::none).c_str(),
                  started.empty() ? "at an unknown time" : started.c_str());
      ++count.removed;
    }
  }
  return {};
}

// HEADs in flight while looking for a run's objects: S3 lists no metadata.
inline constexpr size_t kRunObjectHeads = 8;
// An object last changed this long before a run began (by its id, the clock of the
// machine it ran on) cannot be that run's: not asked about. A day, for a clock that was off.
inline constexpr int64_t kRunClockLeewayMicros = int64_t{24} * 3600 * kMicrosPerSecond;

// What a HEAD of a key says of it: whether run `run_id` wrote its current version, and
// that version's id in a versioned bucket.
struct RunObject {
  bool of_run = false;
  std::string version_id;  // empty: the bucket keeps no versions (or a "null" one)
};

// A key that may hold a run's object, and whether, if the run's object is there, the run
// made it new (it did not replace an earlier one): no run but it can have written the key,
// or the run kept copies of what it replaced, which are put back by now.
struct RunKey {
  std::string key;
  bool new_if_of_run = false;
};

// Takes back those of `keys` whose x-amz-meta-s3dest-run names `run_id`: deletes the
// run's version where there is one (the version before it, if any, is current again),
// else the object, where no earlier run can have written the key.
inline Status take_back_run_objects(s3::ObjectClient& client, const std::vector<RunKey>& keys,
                                    const std::string& run_id, CleanupCount& count) {
  if (keys.empty()) return {};
  std::vector<Status> failed(keys.size());
  std::vector<RunObject> found(keys.size());
  {
    TaskPool heads(static_cast<int>(std::min(keys.size(), kRunObjectHeads)));
    for (size_t i = 0; i < keys.size(); ++i)
      heads.submit([&, i] {
        auto head = client.head_object(keys[i].key);
        if (!head.ok()) {
          failed[i] = head.status();
          return;
        }
        found[i].of_run = s3::written_by_run(*head, run_id);
        found[i].version_id = s3::version_id_of(*head);
      });
    heads.wait();
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    S3DEST_TRY(failed[i]);
    if (found[i].of_run && found[i].version_id.empty() && !keys[i].new_if_of_run)
      return usage_error(printable(client.describe(keys[i].key), 1100, Masking::none) + " is run " + run_id +
                         "'s, the bucket keeps no versions of it, and the run left no copies of objects it "
                         "replaced: it finished, or was killed before it replaced any. Its key is one that every "
                         "run writes, so it may have replaced an earlier object, which is gone, and --run deletes "
                         "nothing here; re-run the load or put instead: its objects replace the killed run's");
  }
  std::vector<s3::ObjectToDelete> unversioned;  // in one DeleteObjects request (keys come a page at a time)
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!found[i].of_run) continue;
    const std::string& key = keys[i].key;
    if (found[i].version_id.empty()) {
      unversioned.push_back(s3::ObjectToDelete{key, {}});
      continue;
    }
    // An earlier version that is current again is what the run had replaced.
    S3DEST_ASSIGN_OR_RETURN(const bool put_back, delete_run_versions(client, key, found[i].version_id, run_id));
    std::printf("%s %s\n", put_back ? "put back" : "removed object",
                printable(client.describe(key), 1100, Masking::none).c_str());
    ++(put_back ? count.restored : count.run_objects);
  }
  const std::vector<Status> deleted = client.delete_objects(unversioned);
  for (size_t i = 0; i < unversioned.size(); ++i) {
    S3DEST_TRY(deleted[i]);
    std::printf("removed object %s\n", printable(client.describe(unversioned[i].key), 1100, Masking::none).c_str());
    ++count.run_objects;
  }
  return {};
}

// Puts back (or, where the run's object is not there, deletes) the copies in `copies`.
inline Status put_back_run_copies(s3::ObjectClient& client, const std::vector<KeptCopy>& copies,
                                  const std::string& run_id, const std::vector<http::HttpHeader>& headers,
                                  CleanupCount& count) {
  const std::vector<Result<bool>> put_back = put_back_kept_copies(
      client, copies, run_id, [&headers](size_t) { return headers; }, static_cast<int>(kRunObjectHeads));
  for (size_t i = 0; i < copies.size(); ++i) {
    S3DEST_TRY(put_back[i].status());
    const std::string where = printable(client.describe(copies[i].key), 1100, Masking::none);
    if (*put_back[i]) {
      std::printf("put back %s\n", where.c_str());
      ++count.restored;
    } else {
      std::printf("removed the copy of %s (the object there is not the run's: the run had not replaced it yet, or a "
                  "later run has since)\n", where.c_str());
    }
    ++count.kept_copies;
  }
  return {};
}

// Takes back the finished objects run `run_id` left under the layout's fixed prefix: keys
// the layout could have rendered, or a put's (right under the prefix), whose metadata
// names the run; and at `put_key` (cleanup --key), wherever it is. First the objects it
// replaced, from the copies it kept, then the rest. A listing page at a time, so memory
// stays bounded whatever the prefix holds.
inline Status clean_run_objects(s3::ObjectClient& client, const Config& config, const KeyLayout& layout,
                                const std::string& run_id, const std::string& put_key, CleanupCount& count) {
  const std::string prefix = layout.fixed_prefix();
  S3DEST_ASSIGN_OR_RETURN(const S3SinkOptions sink, s3_sink_options_for_config(config, run_id));
  const std::vector<http::HttpHeader> put_back_headers =
      kept_copy_headers(sink.object_headers, config.storage_class, config.canned_acl);
  if (!put_key.empty()) {  // first, so the passes below find it done wherever it is
    const KeptCopy copy{put_key, kept_copy_key(put_key, run_id), {}};
    S3DEST_ASSIGN_OR_RETURN(const auto copy_head, client.head_object_if_any(copy.copy_key));
    if (copy_head) S3DEST_TRY(put_back_run_copies(client, {copy}, run_id, put_back_headers, count));
    S3DEST_ASSIGN_OR_RETURN(const auto object, client.head_object_if_any(put_key));
    if (object) S3DEST_TRY(take_back_run_objects(client, {RunKey{put_key, count.kept_copies > 0}}, run_id, count));
  }
  std::vector<KeptCopy> copies;
  S3DEST_TRY(client.visit_keys(prefix, [&](std::string_view key) -> Status {
    const auto copy = parse_kept_copy_key(key);
    if (!copy || copy->run_id != run_id) return {};
    copies.push_back(KeptCopy{copy->key, std::string(key), {}});
    if (copies.size() < 1000) return {};
    Status status = put_back_run_copies(client, copies, run_id, put_back_headers, count);
    copies.clear();
    return status;
  }));
  S3DEST_TRY(put_back_run_copies(client, copies, run_id, put_back_headers, count));

  const bool kept_copies = count.kept_copies > 0;
  // S3 lists no metadata, so each object that may be the run's is asked about (a HEAD);
  // those last changed well before the run began are not (a prefix of years of loads).
  const std::optional<int64_t> run_start = run_start_micros(run_id);
  std::vector<RunKey> keys;
  S3DEST_TRY(client.visit_objects(prefix, [&](const s3::ListedObject& object) -> Status {
    const std::string_view key = object.key;
    // Another run's kept copy carries the metadata of the object it copies: not this run's.
    if (parse_kept_copy_key(key)) return {};
    const bool rendered = layout.could_render(key);
    if (!rendered && key.find('/', prefix.size()) != std::string_view::npos) return {};
    if (run_start && object.last_modified_micros != 0 &&
        object.last_modified_micros < *run_start - kRunClockLeewayMicros) {
      ++count.before_run;
      return {};
    }
    keys.push_back(RunKey{std::string(key), kept_copies || (rendered && layout.keys_unique_to_run())});
    if (keys.size() < 1000) return {};
    Status status = take_back_run_objects(client, keys, run_id, count);
    keys.clear();
    return status;
  }));
  return take_back_run_objects(client, keys, run_id, count);
}

// S3: the open uploads of killed loads and, with `run_id`, that run's finished objects,
// through one client (one credential chain, one role session).
inline Status clean_s3(const Config& config, const Destination& dest, const std::string& run_id,
                       const std::string& put_key, int64_t cutoff_micros, bool verbose, CleanupCount& count) {
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, make_matching_layout(config, dest.prefix));
  S3DEST_ASSIGN_OR_RETURN(auto client, s3_client_for_config(config, dest.bucket, transport(config, verbose)));
  S3DEST_TRY(clean_uploads(*client, layout, put_key, cutoff_micros, count));
  return run_id.empty() ? Status() : clean_run_objects(*client, config, layout, run_id, put_key, count);
}

// Takes back the publishing of local loads killed while they moved their files into
// place (their journals in `root`), and notes in `spared` the runs that are publishing
// now (they hold their journals' locks) or whose journals are younger than the cutoff.
inline Status undo_killed_publishes(const std::string& root, int64_t cutoff_seconds, CleanupCount& count,
                                    MadeFolders& made, std::set<std::string>& spared) {
  S3DEST_ASSIGN_OR_RETURN(const std::vector<PublishJournal> journals, find_publish_journals(root));
  for (const PublishJournal& journal : journals) {
    const bool held = journal.lock == PublishJournal::Lock::held;
    if (held || journal.modified_seconds > cutoff_seconds) {
      spared.insert(journal.run_id);
      ++(held ? count.publishing : count.younger);
      continue;
    }
    S3DEST_ASSIGN_OR_RETURN(UndonePublish undone,
                            undo_killed_publish(root, journal, [](const char* what, const std::string& path) {
                              std::printf("%s %s\n", what, printable(path, 4200, Masking::none).c_str());
                            }));
    count.removed += undone.removed;
    count.restored += undone.restored;
    made.merge(undone.made_folders);
  }
  return {};
}

// The folder at or above `folder` that holds run `run_id`'s publish journal, if any.
inline std::optional<std::string> journal_folder_above(const std::string& start, const std::string& run_id) {
  char* const real = ::realpath(start.c_str(), nullptr);  // a relative path's folders above it too
  if (real == nullptr) return std::nullopt;
  std::string folder = real;
  std::free(real);
  const std::string name = "/" + detail::publish_journal_name(run_id);
  for (;;) {
    struct stat st;
    if (::lstat((folder + name).c_str(), &st) == 0) return folder;
    const size_t slash = folder.rfind('/');
    if (slash == std::string::npos || folder.empty()) return std::nullopt;
    folder.resize(slash);
  }
}

// Removes the temporary files of killed loads under `folder`, and in its sub-folders
// (but those of `spared` runs), and notes in `made` the folders those loads made. A kept
// file whose run has no journal left is the earlier content of a file its run replaced
// and committed: it goes too. One whose run's journal is in a folder above the
// destination (cleanup given another --dest than the load) is what that journal puts
// back: it stays.
inline Status clean_temp_files(const std::string& folder, int64_t cutoff_seconds, const std::set<std::string>& spared,
                               CleanupCount& count, MadeFolders& made) {
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return {};
    return destination_error("listing " + printable(folder, 4200, Masking::none) + ": " + std::strerror(errno));
  }
  std::vector<std::string> folders;
  Status status;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = folder + "/" + name;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      folders.push_back(path);
    } else if (const auto temp = S_ISREG(st.st_mode) ? parse_local_temp_file_name(name) : std::nullopt) {
      // A kept file is a second name of an older file: its change time is when it was made.
      const int64_t made_seconds = temp->kept ? st.st_ctime : st.st_mtime;
      if (made_seconds > cutoff_seconds || spared.count(temp->run_id) > 0) {
        ++count.younger;
      } else if (const auto journal = temp->kept ? journal_folder_above(folder, temp->run_id) : std::nullopt) {
        std::fprintf(stderr, "s3dest: %s stays: the journal of the load that replaced its file is in %s; run cleanup "
                             "with --dest %s to take that load back\n",
                     printable(path, 4200, Masking::none).c_str(), printable(*journal, 4200, Masking::none).c_str(),
                     printable(journal->empty() ? "/" : *journal, 4200, Masking::none).c_str());
      } else if (::unlink(path.c_str()) == 0) {
        std::printf("removed %s\n", printable(path, 4200, Masking::none).c_str());
        ++count.removed;
        if (temp->folders_made > 0) made[folder] = temp->folders_made;
      } else {
        status =
            destination_error("deleting " + printable(path, 4200, Masking::none) + ": " + std::strerror(errno));
      }
    }
  }
  ::closedir(dir);
  S3DEST_TRY(status);
  for (const std::string& sub : folders) S3DEST_TRY(clean_temp_files(sub, cutoff_seconds, spared, count, made));
  return {};
}

inline int run_cleanup(const std::vector<std::string>& args) {
  std::string config_path, dest_text, older_than = "0", run_id, put_key;
  bool verbose = false;
  Options parser;
  parser.value("--config", config_path).value("--dest", dest_text).value("--older-than", older_than);
  parser.value("--run", run_id, Options::Empty::refused).value("--key", put_key, Options::Empty::refused);
  parser.flag("--verbose", verbose);
  if (const std::string error = parser.parse(args, "s3dest cleanup"); !error.empty()) return usage(error);
  if (config_path.empty()) return usage("--config FILE is required");
  auto config = load_config_file(config_path);
  if (!config.ok()) return fail(config.status());
  auto dest = destination_of(dest_text, *config);
  if (!dest.ok()) return fail(dest.status());
  auto age = parse_duration(older_than);
  if (!age.ok()) return fail(age.status());
  if (!run_id.empty() && !is_run_id(run_id))
    return fail(usage_error("--run takes the id a load printed as it started (\"s3dest: run "
                            "20261201T224412Z-5f3a9c1e: ...\"), not \"" + printable(run_id, 64) + "\""));
  if (!run_id.empty() && !dest->is_s3())
    return fail(usage_error("--run is for S3 destinations: a load into a local folder renames its files into "
                            "place only once it has succeeded, and cleanup without --run takes back one that was "
                            "killed (its temporary files, and any files it had already moved into place)"));
  if (const std::string problem = put_key.empty() ? "" : key_problem(put_key, SIZE_MAX); !problem.empty())
    return fail(usage_error("--key takes the key a put was given with --key, and \"" + printable(put_key, 80) +
                            "\" is not one: " + problem));
  // With 0, everything goes, even what a clock ahead of this one dated in the future.
  const int64_t cutoff_micros = *age == 0 ? INT64_MAX : *run_start("") - *age * kMicrosPerSecond;

  CleanupCount count;
  Status status;
  if (dest->is_s3()) {
    if (const Status http = warn_of_plain_http(*config); !http.ok()) return fail(http);
    status = clean_s3(*config, *dest, run_id, put_key, cutoff_micros, verbose, count);
  } else {
    auto layout = make_matching_layout(*config, "");
    if (!layout.ok()) return fail(layout.status());
    const std::string prefix = layout->fixed_prefix();
    MadeFolders made;
    std::set<std::string> spared;
    const int64_t cutoff_seconds = floor_div(cutoff_micros, kMicrosPerSecond);
    status = undo_killed_publishes(dest->folder, cutoff_seconds, count, made, spared);
    if (status.ok())
      status = clean_temp_files(dest->folder + (prefix.empty() ? "" : "/" + prefix.substr(0, prefix.size() - 1)),
                                cutoff_seconds, spared, count, made);
    if (const size_t slash = put_key.rfind('/'); status.ok() && !put_key.empty())  // a put --key's folder
      status = clean_temp_files(dest->folder + (slash == std::string::npos ? "" : "/" + put_key.substr(0, slash)),
                                cutoff_seconds, spared, count, made);
    if (status.ok())
      remove_made_folders(made, [&count](const std::string& folder) {
        std::printf("removed folder %s\n", printable(folder, 4200, Masking::none).c_str());
        ++count.folders;
      });
  }
  if (!status.ok()) return fail(status);
  const std::string spill_root = detail::spill_folder();
  auto spills = PartitionStore::remove_abandoned(spill_root);
  if (!spills.ok()) return fail(spills.status());
  const char* what = dest->is_s3() ? "open uploads aborted" : "temporary files removed";
  std::fprintf(stderr, "s3dest: cleanup of %s: %zu %s", dest->text().c_str(), count.removed, what);
  if (count.restored > 0)
    std::fprintf(stderr, "; %zu %s%s they had replaced put back", count.restored, dest->is_s3() ? "object" : "file",
                 count.restored == 1 ? "" : "s");
  if (count.folders > 0)
    std::fprintf(stderr, "; %zu empty folder%s they made removed", count.folders, count.folders == 1 ? "" : "s");
  if (!run_id.empty())
    std::fprintf(stderr, "; %zu finished object%s of run %s removed", count.run_objects,
                 count.run_objects == 1 ? "" : "s", run_id.c_str());
  if (count.before_run > 0)
    std::fprintf(stderr, "; %zu object%s last changed over a day before run %s began not looked at",
                 count.before_run, count.before_run == 1 ? "" : "s", run_id.c_str());
  if (count.younger > 0)
    std::fprintf(stderr, "; %zu younger than --older-than %s kept", count.younger, older_than.c_str());
  if (count.others > 0) std::fprintf(stderr, "; %zu that s3dest did not start left alone", count.others);
  if (count.publishing > 0)
    std::fprintf(stderr, "; %zu load%s publishing now left alone", count.publishing, count.publishing == 1 ? "" : "s");
  if (*spills > 0)
    std::fprintf(stderr, "; %zu spill folder%s of killed loads removed from %s", *spills, *spills == 1 ? "" : "s",
                 printable(spill_root, 200).c_str());
  std::fputc('\n', stderr);
  return 0;
}

}  // namespace s3dest::tool
