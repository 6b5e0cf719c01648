// Where finished objects go, one key at a time: a local folder laid out like the bucket,
// or S3. A sink serves one run, and its first promise is that the run never destroys what
// was there before it:
//
//   create(object)  an object appears complete on commit() or not at all;
//                   `object.prior` says whether the key held an object before the run
//                   (found by list()): the sink asks (check_prior) just before it writes
//   publish()       after the whole run succeeded: two-phase sinks (the local folder) move
//                   the run's objects into place only now; S3 objects are visible at commit
//   rollback()      after a failure: the run's objects that were new are deleted (or never
//                   published); the ones that replaced an existing object are reported
//   remove(key)     after publish(): deletes an object of an earlier run (a stale chunk)
//   drop_kept_copies()  last: deletes what the sink kept to take the run back (S3, in a
//                   bucket without versions: copies of the objects the run replaced)
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/object_properties.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/whole_io.hpp"

namespace s3dest {

// What a run does with a key that already holds an object (config `existing_objects`).
enum class ExistingObjects {
  replace,  // overwrite it
  keep,     // never overwrite: the run fails instead
};

// Whether a key held an object before the run: known when the object is created, or only
// once a listing that runs meanwhile has ended. Sinks ask as late as they can, just before
// they write the key, so the listing's round trip overlaps the writing.
class PriorObject {
 public:
  PriorObject(bool existed = false) : known_(existed) {}  // NOLINT: a plain answer
  explicit PriorObject(std::function<Result<bool>()> ask) : ask_(std::move(ask)) {}
  // The answer, waiting for it if it is not known yet.
  Result<bool> existed() const { return ask_ ? ask_() : Result<bool>(known_); }

 private:
  bool known_ = false;
  std::function<Result<bool>()> ask_;
};

// A key to write, and what the caller knows of it.
struct NewObject {
  std::string key;
  PriorObject prior;  // whether the key held an object when the run listed it
  ExistingObjects if_exists = ExistingObjects::replace;
  // What the object carries besides its bytes (config object options, rendered for it):
  // sinks that store objects in S3 send them; others have nowhere to keep them.
  ObjectProperties properties;
};

// For a sink about to write `object` (shown as `where`): whether the key held an object
// before the run; with ExistingObjects::keep, one that did is refused (destination).
Result<bool> check_prior(const NewObject& object, const std::string& where);

struct ObjectInfo {
  std::string key;
  uint64_t bytes = 0;
  std::string etag;      // as S3 reports it, quotes dropped; empty where there is no S3
  std::string checksum;  // "crc32c:<base64>" (or crc32/md5), empty with checksum "none"
  std::string version_id;  // the version S3 made, in a versioned bucket; empty elsewhere
  bool replaced = false;  // an object held the key before and this one took its place
  // What the object would carry: a dry run's, for --verbose; null otherwise (a real run
  // keeps nothing more of its objects than the report needs, for thousands of them).
  std::shared_ptr<const ObjectProperties> properties;
};

class ObjectWriter : public ByteSink {
 public:
  // Appends the `size` bytes of the open file `fd` at `offset` (s3dest put), as the
  // object's last bytes. Here they are read and written; a sink that can send them
  // straight from the file (S3: each part read as it goes out) does, and then needs `fd`
  // open until commit() or abort() has returned. Fails (input) when the file is shorter.
  virtual Status write_file(int fd, uint64_t offset, uint64_t size);
  // Completes the object. It is visible now, or at the sink's publish().
  virtual Result<ObjectInfo> commit() = 0;
  // Drops everything written; nothing appears. Safe to call after a failure.
  virtual void abort() = 0;
};

// What a rollback did. Keys are as describe() shows them.
struct RollbackReport {
  uint64_t unfinished = 0;                // open objects dropped (by their writers' abort())
  uint64_t removed = 0;                   // finished objects of the run taken away again
  uint64_t restored = 0;                  // existed before, replaced, and put back as they were
  std::vector<std::string> replaced;      // existed before; hold this run's complete data now
  std::vector<std::string> not_deleted;   // of the run, could not be deleted: "where: why"

  // "undone: 1 unfinished object dropped, 3 finished objects of this run removed; nothing
  // that existed before was touched", then a line per replaced or left object.
  std::string text() const;
};

// How far a run's objects have gone: for a progress line, read from the loading thread
// while the sink's own threads work.
struct SinkProgress {
  uint64_t objects_committed = 0;
  uint64_t bytes_stored = 0;       // that reached the destination (S3: that the server took)
  uint32_t uploads_in_flight = 0;  // requests with a body on their way (S3 only)
};

// Called with each key a listing finds; a failure it returns ends the listing with it.
using KeyVisitor = std::function<Status(std::string_view key)>;

class ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  virtual Result<std::unique_ptr<ObjectWriter>> create(const NewObject& object) = 0;
  // Told as soon as the run knows it will create `object` (the first chunk of a partition
  // it has rows for), long before it does: a sink with work to do before it replaces a
  // key (S3 without versions: a copy of what is there) starts it now, in the background.
  virtual void will_write(const NewObject& object) { (void)object; }
  // Calls `visit` with every key that begins with `prefix`, in no particular order: what
  // is there before the run's objects are published. A sink that lists in pages (S3)
  // hands on each page before it asks for the next, so a prefix of millions of keys is
  // never held at once.
  virtual Status list(const std::string& prefix, const KeyVisitor& visit) = 0;
  // At most `limit` of those keys, the first in key order (bytes compared as unsigned, as
  // S3 sorts): fewer than `limit` means that is all of them. Bounded where the sink can
  // stop early (S3: a page); this default lists every key first.
  virtual Result<std::vector<std::string>> list_first(const std::string& prefix, size_t limit) {
    std::vector<std::string> keys;
    S3DEST_TRY(list(prefix, [&keys](std::string_view key) {
      keys.emplace_back(key);
      return Status();
    }));
    std::sort(keys.begin(), keys.end());
    keys.resize(std::min(keys.size(), limit));
    return keys;
  }
  // Makes every committed object visible; once, after the whole run succeeded.
  virtual Status publish() { return {}; }
  // Undoes the run after a failure (open writers aborted first): see the top of this file.
  virtual RollbackReport rollback() = 0;
  // Deletes an object that is not the run's, after publish().
  virtual Status remove(const std::string& key) = 0;
  // The same for many (S3: 1,000 a request); each one's outcome, in order.
  virtual std::vector<Status> remove_all(const std::vector<std::string>& keys) {
    std::vector<Status> outcomes;
    for (const std::string& key : keys) outcomes.push_back(remove(key));
    return outcomes;
  }
  // Once the run is in place, what was kept to take it back goes: see the top of this file.
  virtual Status drop_kept_copies() { return {}; }
  // Where a key ends up, for messages: "out/a/b.csv" or "s3://bucket/a/b.csv".
  virtual std::string describe(const std::string& key) const = 0;
  // Memory one open object's writer holds (an upload's part buffer).
  virtual uint64_t open_object_memory() const { return 0; }
  // How many objects may be open at once (a local folder's take a file descriptor each).
  virtual size_t max_open_objects() const { return SIZE_MAX; }
  // The longest name between two slashes of a key the sink takes (a file system's 255).
  virtual size_t max_name_bytes() const { return SIZE_MAX; }
  // The largest object the sink takes (S3: 5 TiB).
  virtual uint64_t max_object_bytes() const { return UINT64_MAX; }
  // Whether the objects keep NewObject::properties (S3's headers): where they do not (a
  // local folder), they are not rendered at all, which spares each open object its copy.
  virtual bool keeps_properties() const { return false; }
  // How many commits may run at once on threads of their own: for sinks whose commit is a
  // round trip (S3). 0: commit() is called on the writing thread, one at a time.
  virtual int commit_concurrency() const { return 0; }
  // How far the run's objects have gone; a sink that cannot tell says nothing.
  virtual SinkProgress progress() const { return {}; }
};

inline Status ObjectWriter::write_file(int fd, uint64_t offset, uint64_t size) {
  Status written;
  const int err = read_in_blocks(fd, offset, size, [&](std::string_view block) {
    written = write(block);
    return written.ok();
  });
  if (err != 0)
    return input_error("reading the file failed (" + read_failure_text(err) + "): was it changed while it was read?");
  return written;
}

inline Result<bool> check_prior(const NewObject& object, const std::string& where) {
  S3DEST_ASSIGN_OR_RETURN(const bool existed, object.prior.existed());
  if (existed && object.if_exists == ExistingObjects::keep)
    return destination_error(where + " already exists and existing_objects is \"keep\": it was not overwritten; "
                             "load into another folder, or set \"existing_objects\": \"replace\"");
  return existed;
}

inline std::string RollbackReport::text() const {
  const auto count = [](uint64_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  std::string out = "undone: ";
  if (unfinished > 0) out += count(unfinished, "unfinished object") + " dropped";
  if (unfinished > 0 && removed > 0) out += ", ";
  if (removed > 0) out += count(removed, "finished object") + " of this run removed";
  if (unfinished == 0 && removed == 0) out += "nothing had been written";
  if (restored > 0) out += ", " + count(restored, "replaced object") + " put back as " + (restored == 1 ? "it was" : "they were");
  out += !replaced.empty() ? "; nothing that existed before was deleted"
         : restored > 0    ? "; nothing that existed before was lost"
                           : "; nothing that existed before was touched";
  if (!replaced.empty()) {
    out += "\nthese objects existed before and had already been replaced with this run's complete data:";
    for (const std::string& where : replaced) out += "\n  " + where;
  }
  if (!not_deleted.empty()) {
    out += "\nthese objects of the failed run could not be deleted: delete them by hand";
    for (const std::string& where : not_deleted) out += "\n  " + where;
  }
  return out;
}

}  // namespace s3dest
