// Names the objects of one run and remembers what their keys held before it, so the run
// never destroys what was there and leaves each partition it writes whole:
//
//   - a partition's chunk keys come from the layout; the chunks an earlier run left in the
//     partition are listed once, before its first chunk: several partitions at a time by
//     prefetch() (a listing is a round trip), or when the chunk opens; not at all when the
//     layout's keys are new in every run ({{run_id}}, {{uuid}})
//   - a key that holds an object is refused with existing_objects "keep" (before anything
//     is written to it) and marked `existed` with "replace"
//   - no key is handed out twice in a run, and chunk ids stay within five digits
//   - once the run has succeeded, stale_chunks() are the earlier run's chunks above the
//     last one this run wrote in each partition: what "replace" removes
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/layout/key_layout.hpp"

namespace s3dest {

struct StaleChunk {
  size_t partition = 0;
  uint32_t chunk_id = 0;
  std::string key;
};

class RunKeys {
 public:
  // `listers`: how many partitions prefetch() lists at once.
  RunKeys(const KeyLayout& layout, ObjectSink& sink, ExistingObjects if_exists, int listers = 8)
      : layout_(layout), sink_(sink), if_exists_(if_exists), listers_(listers) {}

  // Whether partitions are listed at all (not for keys new in every run).
  bool lists() const { return !layout_.keys_unique_to_run(); }

  // Lists, `listers` at a time, what these partitions (numbers and key parts) hold, ahead
  // of their first objects. The sink's list() must be safe to call from several threads.
  Status prefetch(const std::vector<std::pair<size_t, KeyParts>>& partitions);

  // The object for chunk `parts.chunk_id` of `partition` (numbered from 0, in any order).
  Result<NewObject> object_for(size_t partition, KeyParts parts);

  // After a successful run: in each partition the run wrote, the chunks of earlier runs
  // numbered above its last one (none with "keep", or without {{chunk_id}}).
  std::vector<StaleChunk> stale_chunks() const;

 private:
  struct Partition {
    std::optional<ChunkKeyPattern> pattern;
    bool listed = false;
    std::vector<uint32_t> existing;  // chunk ids held before the run, sorted
    uint32_t last_written = 0;
  };

  Partition& slot(size_t partition, const KeyParts& parts);
  Status take_listing(Partition& p, Result<std::vector<std::string>> keys);
  Result<Partition*> partition_state(size_t partition, const KeyParts& parts);

  const KeyLayout& layout_;
  ObjectSink& sink_;
  ExistingObjects if_exists_;
  int listers_;
  std::unique_ptr<TaskPool> pool_;  // made by the first prefetch()
  std::vector<Partition> partitions_;
  std::unordered_set<std::string> keys_;
};

// The partition's state, with its key pattern.
inline RunKeys::Partition& RunKeys::slot(size_t partition, const KeyParts& parts) {
  if (partition >= partitions_.size()) partitions_.resize(partition + 1);
  Partition& p = partitions_[partition];
  if (!p.pattern) {
    KeyParts shown = parts;
    shown.uuid = "{{uuid}}";  // a random id per object: the pattern only names the partition in messages
    p.pattern = layout_.chunk_key_pattern(shown);
  }
  return p;
}

inline Status RunKeys::take_listing(Partition& p, Result<std::vector<std::string>> keys) {
  if (!keys.ok())
    return keys.status().prefixed("before writing a partition, s3dest lists what it holds, so that nothing there "
                                  "is lost (on S3 this needs s3:ListBucket on the prefix): ");
  for (const std::string& key : *keys)
    if (const auto id = p.pattern->chunk_id_of(key)) p.existing.push_back(*id);
  std::sort(p.existing.begin(), p.existing.end());
  p.listed = true;
  return {};
}

inline Status RunKeys::prefetch(const std::vector<std::pair<size_t, KeyParts>>& partitions) {
  if (!lists()) return {};
  std::vector<size_t> wanted;  // numbers, not pointers: slot() may grow partitions_
  for (const auto& [partition, parts] : partitions)
    if (!slot(partition, parts).listed) wanted.push_back(partition);
  if (wanted.empty()) return {};
  if (!pool_) pool_ = std::make_unique<TaskPool>(listers_);
  std::vector<std::optional<Result<std::vector<std::string>>>> listings(wanted.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    const std::string& prefix = partitions_[wanted[i]].pattern->list_prefix();
    pool_->submit([this, &listings, &prefix, i] { listings[i] = sink_.list(prefix); });
  }
  pool_->wait();
  for (size_t i = 0; i < wanted.size(); ++i) S3DEST_TRY(take_listing(partitions_[wanted[i]], std::move(*listings[i])));
  return {};
}

inline Result<RunKeys::Partition*> RunKeys::partition_state(size_t partition, const KeyParts& parts) {
  Partition& p = slot(partition, parts);
  if (!p.listed && lists()) S3DEST_TRY(take_listing(p, sink_.list(p.pattern->list_prefix())));
  return &p;
}

inline Result<NewObject> RunKeys::object_for(size_t partition, KeyParts parts) {
  S3DEST_ASSIGN_OR_RETURN(Partition* const p, partition_state(partition, parts));
  if (parts.chunk_id > kMaxChunkId)
    return usage_error("the chunks of " + sink_.describe(p->pattern->key(kMaxChunkId)) + " would pass " +
                       std::to_string(kMaxChunkId) +
                       " (chunk ids have five digits, so that keys sort in order): raise max_file_size_mb");
  NewObject object;
  object.if_exists = if_exists_;
  if (layout_.uses(TemplateVar::uuid)) {
    const std::string uuid = random_uuid();
    parts.uuid = uuid;
    layout_.render(parts, object.key);
  } else {
    object.key = p->pattern->key(parts.chunk_id);
    object.existed = std::binary_search(p->existing.begin(), p->existing.end(), parts.chunk_id);
  }
  if (object.existed && if_exists_ == ExistingObjects::keep)
    return destination_error(sink_.describe(object.key) +
                             " already exists and existing_objects is \"keep\": it was not overwritten; load into "
                             "another folder, or set \"existing_objects\": \"replace\"");
  if (!keys_.insert(object.key).second)
    return internal_error("two objects of this run would both be named " + sink_.describe(object.key) +
                          ": this is a bug in s3dest; please report it with the config");
  p->last_written = std::max(p->last_written, parts.chunk_id);
  return object;
}

inline std::vector<StaleChunk> RunKeys::stale_chunks() const {
  std::vector<StaleChunk> stale;
  if (if_exists_ != ExistingObjects::replace) return stale;
  for (size_t i = 0; i < partitions_.size(); ++i) {
    const Partition& p = partitions_[i];
    if (!p.pattern || !p.pattern->has_chunk_id() || p.last_written == 0) continue;
    for (auto id = std::upper_bound(p.existing.begin(), p.existing.end(), p.last_written); id != p.existing.end(); ++id)
      stale.push_back(StaleChunk{i, *id, p.pattern->key(*id)});
  }
  return stale;
}

}  // namespace s3dest
