// One interface for the codecs that compress a stream, so that the formats that compress
// (text files, parquet pages, avro blocks) never call a codec's library themselves and a
// new codec is one file beside format/zlib_compressor.hpp.
//
// A compressor makes one stream at a time into a ByteSink, and is begun again for the next
// (keeping its state allocated):
//
//   begin(out)  write(bytes)...  [flush()]  ...  [end_input(last)]  finish()
//   compress(in, out)                                             a whole stream at once
//
// The size bound, on which the hard file-size cap rests: from a point where the stream
// was begun or flushed, with bytes_out() then S, writing n more bytes (whatever they are)
// and finishing makes the stream at most
//
//   S + max_compressed_size(n) + frame_bytes()
//
// bytes long. flush() makes bytes_out() exact at any point; size_if_flushed_with() tells,
// without changing the stream, what a given piece would really take.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest {

class Compressor {
 public:
  virtual ~Compressor() = default;

  // Starts a stream into `out`, which must outlive it; an unfinished earlier one is dropped.
  virtual Status begin(ByteSink& out) = 0;
  // Compresses `bytes` into the stream. The codec may hold output back until it has
  // enough to decide, or until flush() or finish().
  virtual Status write(std::string_view bytes) = 0;
  // Passes on everything written so far, so that bytes_out() is exact; the stream goes on
  // (a few bytes longer than without the flush).
  virtual Status flush() = 0;
  // Writes the stream's last bytes (may be none): a codec that compresses on other
  // threads starts on all it holds and returns, so that its caller can feed another
  // stream meanwhile and finish() waits less. Nothing but finish() may follow. Optional:
  // the last bytes may as well go to write().
  virtual Status end_input(std::string_view last_bytes) { return write(last_bytes); }
  // Ends the stream (its end mark and trailer) and passes on every byte.
  virtual Status finish() = 0;
  // Bytes of this stream passed to the sink so far.
  virtual uint64_t bytes_out() const = 0;

  // The most `n` input bytes can take in the stream, whatever they are, up to and
  // including the flush or end of stream that makes them appear.
  virtual uint64_t max_compressed_size(uint64_t n) const = 0;
  // The most the stream's framing (headers, trailers) adds once, beyond that.
  virtual uint64_t frame_bytes() const = 0;

  // Exactly: bytes_out() if `bytes` were written and flushed now, found on a copy of the
  // stream, which itself is left as it was. A codec that cannot copy its state may answer
  // with the bound instead (then a row that compresses well is only ever judged by it).
  virtual Result<uint64_t> size_if_flushed_with(std::string_view bytes) = 0;

  // `in` as one whole stream, into `out` (replacing what it held).
  virtual Status compress(std::string_view in, std::string& out);
};

// What makes the compressor of each new file (a compressor holds one stream at a time),
// and what such a file's name ends with. Empty: no compression.
struct CompressorFactory {
  std::string_view file_suffix;  // ".gz"
  std::function<std::unique_ptr<Compressor>()> make;
  // The most one compressor holds while a file is open (codec state, buffers, blocks in
  // flight): what the load's memory budget counts for each open file.
  uint64_t memory_per_stream = 0;

  explicit operator bool() const { return static_cast<bool>(make); }
};

namespace detail {

// Appends to a string the caller owns (Compressor::compress's `out`).
class AppendToString final : public ByteSink {
 public:
  explicit AppendToString(std::string& out) : out_(out) {}
  Status write(std::string_view bytes) override {
    out_.append(bytes);
    return {};
  }
  uint64_t size() const override { return out_.size(); }

 private:
  std::string& out_;
};

}  // namespace detail

inline Status Compressor::compress(std::string_view in, std::string& out) {
  out.clear();
  detail::AppendToString sink(out);
  S3DEST_TRY(begin(sink));
  S3DEST_TRY(write(in));
  return finish();
}

}  // namespace s3dest
