// Writes the records of many partitions at once. The first partitions seen each get a
// live ChunkWriter, so their objects stream out while input is still being read; once
// the memory set aside for live writers is spent, later partitions wait in a
// PartitionStore (spilling to disk past its budget) and are written at the end, a few
// files open at once (see finish). Either way a partition's records reach its objects in
// the order given.
//
// Live writers' memory has two parts: a fixed cost each (RowFormat::open_file_memory and
// ObjectSink::open_object_memory), which limits how many there are (as does
// ObjectSink::max_open_objects: a local file's descriptor), and the data some
// formats hold back (parquet's row groups). When the held data of all of them passes its
// budget, the writer holding most writes its data out early, so many open files share the
// memory instead of each being granted its largest size up front.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "s3dest/core/stop_flag.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/usable_cores.hpp"
#include "s3dest/layout/chunk_writer.hpp"
#include "s3dest/layout/partition_store.hpp"

namespace s3dest {

class PartitionedWriter {
 public:
  // The object for a partition's chunk (see ChunkWriter::KeyForChunk).
  using KeyFor = std::function<Result<NewObject>(size_t partition, uint32_t chunk_id)>;

  // `live_memory`: for live writers, first what the format shares between its files (up
  // to half), then half of the rest for their fixed costs, half for held data.
  // `settle_threads`: how many threads settle the live files at the end (see finish; 0:
  // every usable core).
  PartitionedWriter(ObjectSink& sink, const RowFormat& format, uint64_t cap, uint64_t live_memory,
                    PartitionStore& store, KeyFor key_for, int settle_threads = 0)
      : sink_(sink), committer_(sink.commit_concurrency()), format_(format), cap_(cap),
        max_live_(std::clamp<uint64_t>(files_memory(live_memory, format) / 2 /
                                           (format.open_file_memory() + sink.open_object_memory()),
                                       1, std::max<size_t>(sink.max_open_objects(), 1))),
        held_budget_(files_memory(live_memory, format) / 2), store_(store), key_for_(std::move(key_for)),
        settle_threads_(settle_threads > 0 ? settle_threads : usable_cores()) {}

  // Partitions are numbered 0, 1, ... in order of first sight.
  size_t add_partition();
  Status add(size_t partition, std::string_view record);
  // Completes every object: the live writers' (settled on `settle_threads` at once, then
  // written one after the other), then the stored partitions' in `order` (partition
  // numbers; the ones that are live are skipped), and waits for their commits.
  // A raised `stop` ends it between objects with an `interrupted` error.
  Status finish(const std::vector<size_t>& order, const StopFlag* stop = nullptr);
  // Drops the open objects and lets the commits in flight end (committed objects are the
  // sink's to roll back); returns how many open ones there were.
  size_t abort();

  // The committed objects, once finish() or abort() returned.
  const std::deque<WrittenObject>& written() const { return committer_.written(); }
  std::deque<WrittenObject> take_written() { return committer_.take_written(); }

 private:
  struct Partition {
    std::unique_ptr<ChunkWriter> live;
    size_t store_index = 0;
  };
  std::unique_ptr<ChunkWriter> new_writer(size_t partition) {
    return std::make_unique<ChunkWriter>(
        sink_, format_, cap_, [this, partition](uint32_t chunk_id) { return key_for_(partition, chunk_id); },
        committer_, partition);
  }

  // What the live writers' files have, once the format took what it shares.
  static uint64_t files_memory(uint64_t live_memory, const RowFormat& format) {
    return live_memory - std::min(live_memory / 2, format.shared_memory());
  }

  Status release_largest();
  // Writes a stored partition; see finish.
  Status finish_stored(size_t partition);
  Status finish_oldest_stored();
  // Settles the live writers' files (FileEncoder::settle) on settle_threads_, before finish()
  // writes them out one after the other: a year by day as parquet spent its last 60 ms
  // on one core, closing 365 files' last pages.
  Status settle_live(const StopFlag* stop);

  // Stored partitions whose files are open at the end at once, at most: a file's last
  // blocks compress on the format's threads (gzip, zstd) while the next is fed.
  static constexpr size_t kStoredFilesAtOnce = 4;

  ObjectSink& sink_;
  Committer committer_;
  const RowFormat& format_;
  uint64_t cap_;
  size_t max_live_;
  uint64_t held_budget_;
  uint64_t held_ = 0;  // memory_held of the live writers, together
  PartitionStore& store_;
  KeyFor key_for_;
  int settle_threads_;
  std::vector<Partition> partitions_;
  size_t live_ = 0;
  std::deque<std::unique_ptr<ChunkWriter>> stored_open_;  // fed, finished oldest first
};

inline size_t PartitionedWriter::add_partition() {
  Partition p;
  if (live_ < max_live_) {
    p.live = new_writer(partitions_.size());
    ++live_;
  } else {
    p.store_index = store_.add_partition();
  }
  partitions_.push_back(std::move(p));
  return partitions_.size() - 1;
}

inline Status PartitionedWriter::add(size_t partition, std::string_view record) {
  Partition& p = partitions_[partition];
  if (!p.live) return store_.append(p.store_index, record);
  const uint64_t before = p.live->memory_held();
  S3DEST_TRY(p.live->add(record));
  held_ = held_ - before + p.live->memory_held();
  return held_ > held_budget_ ? release_largest() : Status();
}

inline Status PartitionedWriter::release_largest() {
  ChunkWriter* largest = nullptr;
  for (Partition& p : partitions_)
    if (p.live && (!largest || p.live->memory_held() > largest->memory_held())) largest = p.live.get();
  if (largest) S3DEST_TRY(largest->release_memory());
  held_ = 0;
  for (Partition& p : partitions_)
    if (p.live) held_ += p.live->memory_held();
  return {};
}

inline Status PartitionedWriter::finish(const std::vector<size_t>& order, const StopFlag* stop) {
  S3DEST_TRY(settle_live(stop));
  for (Partition& p : partitions_) {
    if (stop_requested(stop)) return interrupted_error(*stop);
    if (p.live) S3DEST_TRY(p.live->finish());
  }
  for (const size_t partition : order) {
    if (partitions_[partition].live) continue;
    if (stop_requested(stop)) return interrupted_error(*stop);
    S3DEST_TRY(finish_stored(partition));
  }
  while (!stored_open_.empty()) S3DEST_TRY(finish_oldest_stored());
  return committer_.wait();
}

// Only when no partition waits in the store: a file's last pages teach the format how
// the next file's columns start (dictionary or not), so settled in whatever order the
// threads take them, they would make the stored partitions' files differ from run to run.
inline Status PartitionedWriter::settle_live(const StopFlag* stop) {
  std::vector<ChunkWriter*> writers;
  for (Partition& p : partitions_)
    if (p.live) writers.push_back(p.live.get());
  const size_t threads = std::min<size_t>(static_cast<size_t>(settle_threads_), writers.size());
  if (threads < 2 || writers.size() != partitions_.size()) return {};
  std::vector<Status> settled(writers.size());
  {
    TaskPool settling(static_cast<int>(threads));
    for (size_t i = 0; i < writers.size(); ++i)
      settling.submit([&, i] { settled[i] = stop_requested(stop) ? Status() : writers[i]->settle(); });
  }  // every task has run
  for (Status& status : settled)
    if (!status.ok()) return status;
  return {};
}

// The live writers are finished by now, so their memory is free: up to
// kStoredFilesAtOnce (and no more than there were live writers) stay open, finished in
// the order fed. Only writers that hold no data back: held data (parquet's row groups)
// has room for one writer's, so such a writer is finished at once, after the older ones.
inline Status PartitionedWriter::finish_stored(size_t partition) {
  auto writer = new_writer(partition);
  S3DEST_TRY(store_.drain(partitions_[partition].store_index,
                          [&writer](std::string_view record) { return writer->add(record); }));
  // A small file is one compressed block, sent only at its end: sent now, it compresses
  // while the next partitions are fed.
  S3DEST_TRY(writer->end_input());
  const bool holds_data = writer->memory_held() > 0;
  stored_open_.push_back(std::move(writer));
  const size_t at_once = holds_data ? 1 : std::min<size_t>(max_live_, kStoredFilesAtOnce);
  while (stored_open_.size() >= at_once) S3DEST_TRY(finish_oldest_stored());
  return {};
}

inline Status PartitionedWriter::finish_oldest_stored() {
  const Status finished = stored_open_.front()->finish();
  stored_open_.pop_front();  // dropped (its open chunk aborted) if it failed
  return finished;
}

inline size_t PartitionedWriter::abort() {
  size_t dropped = 0;
  for (Partition& p : partitions_)
    if (p.live && p.live->abort()) ++dropped;
  for (auto& writer : stored_open_)
    if (writer->abort()) ++dropped;
  stored_open_.clear();
  (void)committer_.wait();  // a commit in flight ends before the sink is rolled back
  return dropped;
}

}  // namespace s3dest
