// Writes one partition's records as objects no bigger than the size cap: chunk 00001,
// then 00002, ... Each chunk is filled until the next record would not fit, so every
// chunk but the last is close to the cap.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/format/file_format.hpp"
#include "s3dest/layout/committer.hpp"

namespace s3dest {

class ChunkWriter {
 public:
  // The object for chunk `chunk_id` (1, 2, ...): its key and what the key held before;
  // an error (a key that must not be written) stops the writer before it writes it.
  using KeyForChunk = std::function<Result<NewObject>(uint32_t chunk_id)>;

  // Finished chunks go to `committer`, marked with `partition`.
  ChunkWriter(ObjectSink& sink, const RowFormat& format, uint64_t cap, KeyForChunk key_for_chunk,
              Committer& committer, size_t partition = 0)
      : sink_(sink), format_(format), cap_(cap), key_for_chunk_(std::move(key_for_chunk)), committer_(committer),
        partition_(partition) {}
  ~ChunkWriter() { abort(); }

  Status add(std::string_view record);
  // No more records: the open chunk's FileEncoder::end_input. Nothing but finish() or
  // abort() may follow.
  Status end_input() { return encoder_ ? encoder_->end_input() : Status(); }
  // No more records: the open chunk's FileEncoder::settle, which may run on another
  // thread than the next writer's. Nothing but finish() or abort() may follow.
  Status settle() { return encoder_ ? encoder_->settle() : Status(); }
  // Hands the open chunk, if any, to the committer.
  Status finish();
  // Drops the open chunk (committed ones are the caller's to undo); true if there was one.
  bool abort();

  // The open chunk's FileEncoder::memory_held, and its release_memory.
  uint64_t memory_held() const { return encoder_ ? encoder_->memory_held() : 0; }
  Status release_memory() { return encoder_ ? encoder_->release_memory() : Status(); }

 private:
  Status open_chunk();

  ObjectSink& sink_;
  const RowFormat& format_;
  uint64_t cap_;
  KeyForChunk key_for_chunk_;
  Committer& committer_;
  size_t partition_;
  uint32_t next_chunk_id_ = 1;
  std::unique_ptr<ObjectWriter> object_;
  std::unique_ptr<FileEncoder> encoder_;
  uint64_t rows_ = 0;
};

inline Status ChunkWriter::add(std::string_view record) {
  if (!object_) S3DEST_TRY(open_chunk());
  S3DEST_ASSIGN_OR_RETURN(bool added, encoder_->try_add(record));
  if (added) {
    ++rows_;
    return {};
  }
  if (rows_ == 0)
    return usage_error("a row of " + std::to_string(record.size()) +
                       " bytes does not fit in a file of max_file_size_mb: raise max_file_size_mb");
  S3DEST_TRY(finish());
  S3DEST_TRY(open_chunk());
  S3DEST_ASSIGN_OR_RETURN(added, encoder_->try_add(record));
  if (!added)
    return usage_error("a row of " + std::to_string(record.size()) +
                       " bytes does not fit in a file of max_file_size_mb: raise max_file_size_mb");
  ++rows_;
  return {};
}

inline Status ChunkWriter::open_chunk() {
  const uint32_t chunk_id = next_chunk_id_++;
  S3DEST_ASSIGN_OR_RETURN(const NewObject object, key_for_chunk_(chunk_id));
  S3DEST_ASSIGN_OR_RETURN(object_, sink_.create(object));
  encoder_ = format_.new_file();
  rows_ = 0;
  return encoder_->begin(*object_, cap_);
}

inline Status ChunkWriter::finish() {
  if (!object_) return {};
  S3DEST_TRY(encoder_->finish());
  encoder_.reset();
  return committer_.commit(std::move(object_), WrittenObject{ObjectInfo(), rows_, next_chunk_id_ - 1, partition_});
}

inline bool ChunkWriter::abort() {
  encoder_.reset();
  if (!object_) return false;
  object_->abort();
  object_.reset();
  return true;
}

}  // namespace s3dest
