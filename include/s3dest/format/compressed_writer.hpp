// A compressed stream over a ByteSink (any Compressor: gzip today) that can answer "would
// the finished file still fit in N bytes if I wrote this too?" exactly enough to fill
// objects to a hard size cap. A codec holds back output it has not decided yet; a flush
// makes every byte written so far appear, so the size is known exactly at that point.
// Between flushes the writer relies on the codec's worst-case bound (see compressor.hpp)
// and only flushes when the bound says the cap is near.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/format/compressor.hpp"

namespace s3dest {

class CompressedWriter : public ByteSink {
 public:
  // Starts `compressor`'s stream on `out` (which must outlive the writer).
  CompressedWriter(ByteSink& out, std::unique_ptr<Compressor> compressor)
      : compressor_(std::move(compressor)), started_(compressor_->begin(out)) {}

  Status write(std::string_view bytes) override;
  // Uncompressed bytes accepted.
  uint64_t size() const override { return uncompressed_; }

  // True if writing `more` bytes then finishing keeps the whole file within `cap` bytes,
  // whatever they are (the codec's worst case). May flush to learn the exact size, which
  // is why it is not const.
  Result<bool> fits(uint64_t more, uint64_t cap);
  // Exactly: compresses `bytes` on a copy of the stream and says whether they would fit.
  // For what the worst case refuses (a long row of repeated text compresses to little);
  // costs a copy of the codec's state (zlib: about 256 KiB).
  Result<bool> fits_compressed(std::string_view bytes, uint64_t cap);

  // Writes the last bytes: see Compressor::end_input.
  Status end_input(std::string_view last_bytes);
  // Ends the stream (gzip: its trailer with CRC-32 and length) and passes on every byte.
  Status finish();

  // The compressor, to begin another stream with (CompressorStock); nothing more may be
  // written here.
  std::unique_ptr<Compressor> release_compressor() { return std::move(compressor_); }

 private:
  Status flush();
  // What finishing may add after a flush beyond the codec's frame: an end-of-stream block
  // (deflate: 2 bytes), rounded up for safety; with gzip's frame of 18, the 32 bytes this
  // writer has always kept.
  static constexpr uint64_t kEndBytes = 14;
  uint64_t end_bytes() const { return compressor_->frame_bytes() + kEndBytes; }

  std::unique_ptr<Compressor> compressor_;
  Status started_;
  uint64_t uncompressed_ = 0;
  uint64_t unflushed_ = 0;     // uncompressed bytes since the last flush
  uint64_t flushed_size_ = 0;  // compressed bytes out at the last flush: exact
};

inline Status CompressedWriter::write(std::string_view bytes) {
  S3DEST_TRY(started_);
  uncompressed_ += bytes.size();
  unflushed_ += bytes.size();
  return compressor_->write(bytes);
}

inline Result<bool> CompressedWriter::fits(uint64_t more, uint64_t cap) {
  if (flushed_size_ + compressor_->max_compressed_size(unflushed_ + more) + end_bytes() <= cap) return true;
  if (unflushed_ == 0) return false;
  S3DEST_TRY(flush());
  return flushed_size_ + compressor_->max_compressed_size(more) + end_bytes() <= cap;
}

inline Result<bool> CompressedWriter::fits_compressed(std::string_view bytes, uint64_t cap) {
  S3DEST_TRY(started_);
  if (unflushed_ > 0) S3DEST_TRY(flush());  // the trial must start from an exactly known size
  S3DEST_ASSIGN_OR_RETURN(const uint64_t size, compressor_->size_if_flushed_with(bytes));
  return size + end_bytes() <= cap;
}

inline Status CompressedWriter::end_input(std::string_view last_bytes) {
  S3DEST_TRY(started_);
  uncompressed_ += last_bytes.size();
  unflushed_ += last_bytes.size();
  return compressor_->end_input(last_bytes);
}

inline Status CompressedWriter::finish() {
  S3DEST_TRY(started_);
  return compressor_->finish();
}

inline Status CompressedWriter::flush() {
  S3DEST_TRY(started_);
  S3DEST_TRY(compressor_->flush());
  flushed_size_ = compressor_->bytes_out();
  unflushed_ = 0;
  return {};
}

}  // namespace s3dest
