// Names the objects of one run and remembers what their keys held before it, so the run
// never destroys what was there and leaves each partition it writes whole:
//
//   - a partition's chunk keys come from the layout; the chunks an earlier run left in the
//     partition are listed once, in the background, from when the partition is first seen
//     (start_listing) or its first chunk opens; a sink waits for the listing only when it
//     writes (NewObject::prior), so the round trip overlaps the writing. A listing no
//     lister has taken yet when it is needed is made by the thread that needs it: in
//     input sorted by the partitions' field, each partition's first chunk opens right
//     after its first row, and the loading thread, handing each listing to a lister
//     and waiting for it back, waited 70-90 ms of a 0.55 s load of a year by day. Not
//     listed at all when the layout's keys are new in every run ({{run_id}}, {{uuid}})
//   - chunk ids stay within five digits (that no key is handed out twice in a run is
//     checked on the load's report, before anything is published: kept here, every key
//     would be held twice)
//   - each object gets what it carries besides its bytes (its tags, metadata, ...: the
//     ObjectOptions, rendered with the values of its key)
//   - once the run has succeeded, stale_chunks() are the earlier run's chunks above the
//     last one this run wrote in each partition: what "replace" removes
//   - where a partition held chunks, the copies kept beside them are listed too (after the
//     chunks, so no write waits for it): other_runs_copies() tells of those that other
//     runs kept, which a killed run leaves until `cleanup --run` takes it back
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/destination/object_options.hpp"
#include "s3dest/layout/kept_copy_name.hpp"
#include "s3dest/layout/key_layout.hpp"

namespace s3dest {

struct StaleChunk {
  size_t partition = 0;
  uint32_t chunk_id = 0;
  std::string key;
};

// The copies another run kept beside the chunks of partitions this run writes: that run
// was killed (or is running now), and they stay until `cleanup --run` takes it back.
struct OtherRunCopies {
  std::string run_id;
  uint64_t copies = 0;
  std::string first_key;  // the first in key order
};

class RunKeys {
 public:
  // `listers`: how many partitions are listed at once. The sink's list() must be safe to
  // call from several threads. `options` (may be null: objects carry nothing) must outlive
  // the RunKeys.
  RunKeys(const KeyLayout& layout, ObjectSink& sink, ExistingObjects if_exists, int listers = 8,
          const ObjectOptions* options = nullptr)
      : layout_(layout), sink_(sink), if_exists_(if_exists), listers_(listers), options_(options) {}
  ~RunKeys() { pool_.reset(); }  // listings in flight end before the partitions go

  // Starts listing what this partition (its number and key parts) holds, in the background,
  // and tells the sink of the partition's first chunk (ObjectSink::will_write), which
  // every partition the run has rows for gets.
  void start_listing(size_t partition, const KeyParts& parts);

  // The object for chunk `parts.chunk_id` of `partition` (numbered from 0, in any order).
  // Its `prior` asks this RunKeys' listing: ask it while the RunKeys lives. The sink hears
  // of the next chunk too (will_write): the partition may need it once this one is full.
  Result<NewObject> object_for(size_t partition, KeyParts parts);

  // After a successful run: in each partition the run wrote, the chunks of earlier runs
  // numbered above its last one (none with "keep", or without {{chunk_id}}).
  Result<std::vector<StaleChunk>> stale_chunks() const;

  // Once the run has written: the copies other runs kept beside the chunks of partitions
  // that held chunks before it, by run id (oldest run first), at most kRunsTold runs.
  // Waits for the listings still under way.
  std::vector<OtherRunCopies> other_runs_copies() const;
  static constexpr size_t kRunsTold = 16;

 private:
  // A partition's listing: the chunk ids held before the run, once it has ended. The
  // listings share one mutex and condition (listing_mutex_, listing_ended_): a run may
  // have many thousands.
  struct Listing {
    explicit Listing(ChunkKeyPattern pattern) : pattern(std::move(pattern)) {}
    const ChunkKeyPattern pattern;  // the partition's keys
    bool taken = false;             // a thread is listing it, or has
    bool done = false;
    Status status;
    std::vector<uint32_t> existing;  // sorted
  };
  struct Partition {
    std::optional<ChunkKeyPattern> pattern;
    std::shared_ptr<Listing> listing;  // null: not started (or keys new in every run)
    uint32_t last_written = 0;
  };

  bool lists() const { return !layout_.keys_unique_to_run(); }
  // The object for `parts.chunk_id` of partition `p`, which object_for hands out.
  Result<NewObject> make_object(const Partition& p, KeyParts parts) const;
  // Lists the partition on this thread, unless another thread has taken it; then its kept
  // copies, here on a lister (`on_lister`), else on one: a thread of the sink's that asks
  // may hold what the listers need, so it never waits for room in their queue, and a
  // listing that finds the queue full is left to other_runs_copies().
  void list(Listing& listing, bool on_lister) const;
  // Notes the copies other runs kept beside the chunks of `pattern`. Only told of: a
  // listing that fails here tells of fewer.
  void note_kept_copies(const ChunkKeyPattern& pattern) const;
  // The listing's chunk ids once it has ended: listed here if no thread has taken it.
  Result<const std::vector<uint32_t>*> wait(Listing& listing) const;
  Partition& slot(size_t partition, const KeyParts& parts);
  void start(Partition& p);

  const KeyLayout& layout_;
  ObjectSink& sink_;
  ExistingObjects if_exists_;
  int listers_;
  const ObjectOptions* options_;
  std::vector<Partition> partitions_;
  mutable std::mutex listing_mutex_;
  mutable std::condition_variable listing_ended_;
  std::unique_ptr<TaskPool> pool_;  // made by the first listing
  mutable std::mutex copies_mutex_;
  mutable std::vector<OtherRunCopies> other_runs_copies_;   // at most kRunsTold
  mutable std::vector<const ChunkKeyPattern*> copies_left_;  // whose copies are not listed yet
  // Listings waiting for a lister, at most: input not sorted by the partitions' field
  // meets hundreds of partitions in its first rows, and the run goes on routing rows
  // while they are listed (each a few hundred bytes until then).
  static constexpr size_t kListingsQueued = 4096;
};

inline void RunKeys::list(Listing& listing, bool on_lister) const {
  {
    std::lock_guard<std::mutex> lock(listing_mutex_);
    if (listing.taken) return;
    listing.taken = true;
  }
  // Only the chunk ids are kept (at most 99,999): the keys go by a page at a time.
  std::vector<uint32_t> existing;
  const Status listed = sink_.list(listing.pattern.list_prefix(), [&](std::string_view key) {
    if (const auto id = listing.pattern.chunk_id_of(key)) existing.push_back(*id);
    return Status();
  });
  std::sort(existing.begin(), existing.end());
  const bool held_chunks = listed.ok() && !existing.empty();
  {
    std::lock_guard<std::mutex> lock(listing_mutex_);
    if (!listed.ok())
      listing.status = listed.prefixed(
          "before writing a partition, s3dest lists what it holds, so that nothing there is lost (on S3 this needs "
          "s3:ListBucket on the prefix): ");
    listing.existing = std::move(existing);
    listing.done = true;
  }
  listing_ended_.notify_all();
  // Only a run that replaced chunks keeps copies of them.
  if (!held_chunks) return;
  if (on_lister) {
    note_kept_copies(listing.pattern);
    return;
  }
  std::function<void()> task = [this, pattern = &listing.pattern] { note_kept_copies(*pattern); };
  if (pool_->try_submit(task)) return;
  std::lock_guard<std::mutex> lock(copies_mutex_);
  copies_left_.push_back(&listing.pattern);
}

inline void RunKeys::note_kept_copies(const ChunkKeyPattern& pattern) const {
  const std::string_view own_run = layout_.run_value(TemplateVar::run_id);
  (void)sink_.list(kept_copies_list_prefix(pattern.list_prefix()), [&](std::string_view key) {
    const auto copy = parse_kept_copy_key(key);
    if (!copy || copy->run_id == own_run || !pattern.chunk_id_of(copy->key)) return Status();
    std::lock_guard<std::mutex> lock(copies_mutex_);
    auto run = std::find_if(other_runs_copies_.begin(), other_runs_copies_.end(),
                            [&](const OtherRunCopies& told) { return told.run_id == copy->run_id; });
    if (run == other_runs_copies_.end()) {
      if (other_runs_copies_.size() == kRunsTold) return Status();
      run = other_runs_copies_.insert(other_runs_copies_.end(), OtherRunCopies{copy->run_id, 0, std::string(key)});
    }
    ++run->copies;
    if (key < run->first_key) run->first_key = key;
    return Status();
  });
}

inline std::vector<OtherRunCopies> RunKeys::other_runs_copies() const {
  if (!pool_) return {};
  std::vector<const ChunkKeyPattern*> left;
  {
    std::lock_guard<std::mutex> lock(copies_mutex_);
    left.swap(copies_left_);
  }
  for (const ChunkKeyPattern* pattern : left) pool_->submit([this, pattern] { note_kept_copies(*pattern); });
  pool_->wait();
  std::lock_guard<std::mutex> lock(copies_mutex_);
  std::vector<OtherRunCopies> runs = other_runs_copies_;
  // Run ids begin with their start time.
  std::sort(runs.begin(), runs.end(),
            [](const OtherRunCopies& a, const OtherRunCopies& b) { return a.run_id < b.run_id; });
  return runs;
}

inline Result<const std::vector<uint32_t>*> RunKeys::wait(Listing& listing) const {
  list(listing, /*on_lister=*/false);
  std::unique_lock<std::mutex> lock(listing_mutex_);
  listing_ended_.wait(lock, [&listing] { return listing.done; });
  if (!listing.status.ok()) return listing.status;
  return &listing.existing;
}

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

inline void RunKeys::start(Partition& p) {
  if (p.listing || !lists()) return;
  if (!pool_) pool_ = std::make_unique<TaskPool>(listers_, kListingsQueued);
  auto listing = std::make_shared<Listing>(*p.pattern);
  p.listing = listing;
  pool_->submit([this, listing] { list(*listing, /*on_lister=*/true); });
}

inline void RunKeys::start_listing(size_t partition, const KeyParts& parts) {
  Partition& p = slot(partition, parts);
  if (p.listing || !lists()) return;
  start(p);
  KeyParts first = parts;
  first.chunk_id = 1;
  if (auto object = make_object(p, first); object.ok()) sink_.will_write(*object);  // else object_for tells
}

inline Result<NewObject> RunKeys::object_for(size_t partition, KeyParts parts) {
  Partition& p = slot(partition, parts);
  start(p);
  if (parts.chunk_id > kMaxChunkId)
    return usage_error("the chunks of " + sink_.describe(p.pattern->key(kMaxChunkId)) + " would pass " +
                       std::to_string(kMaxChunkId) +
                       " (chunk ids have five digits, so that keys sort in order): raise max_file_size_mb");
  S3DEST_ASSIGN_OR_RETURN(NewObject object, make_object(p, parts));
  p.last_written = std::max(p.last_written, parts.chunk_id);
  if (lists() && parts.chunk_id < kMaxChunkId) {
    KeyParts next = parts;
    ++next.chunk_id;
    if (auto upcoming = make_object(p, next); upcoming.ok()) sink_.will_write(*upcoming);
  }
  return object;
}

inline Result<NewObject> RunKeys::make_object(const Partition& p, KeyParts parts) const {
  NewObject object;
  object.if_exists = if_exists_;
  std::string uuid;  // one per object, for its key and its tags alike
  if (layout_.uses(TemplateVar::uuid) || (options_ && options_->uses(TemplateVar::uuid))) {
    uuid = random_uuid();
    parts.uuid = uuid;
  }
  if (layout_.uses(TemplateVar::uuid)) layout_.render(parts, object.key);
  else object.key = p.pattern->key(parts.chunk_id);
  if (options_) {
    S3DEST_ASSIGN_OR_RETURN(object.properties, options_->render(parts));
  }
  if (p.listing)
    object.prior = PriorObject([this, listing = p.listing, chunk = parts.chunk_id]() -> Result<bool> {
      S3DEST_ASSIGN_OR_RETURN(const std::vector<uint32_t>* existing, wait(*listing));
      return std::binary_search(existing->begin(), existing->end(), chunk);
    });
  return object;
}

inline Result<std::vector<StaleChunk>> RunKeys::stale_chunks() const {
  std::vector<StaleChunk> stale;
  if (if_exists_ != ExistingObjects::replace) return stale;
  for (size_t i = 0; i < partitions_.size(); ++i) {
    const Partition& p = partitions_[i];
    if (!p.listing || !p.pattern->has_chunk_id() || p.last_written == 0) continue;
    S3DEST_ASSIGN_OR_RETURN(const std::vector<uint32_t>* existing, wait(*p.listing));
    for (auto id = std::upper_bound(existing->begin(), existing->end(), p.last_written); id != existing->end(); ++id)
      stale.push_back(StaleChunk{i, *id, p.pattern->key(*id)});
  }
  return stale;
}

}  // namespace s3dest
