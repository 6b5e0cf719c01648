// Compression of parquet pages (and the bound on it that keeps files under the size cap):
// SNAPPY is a raw snappy block, GZIP a complete gzip member (RFC 1952, as parquet-format
// Compression.md asks), ZSTD a complete zstd frame (RFC 8878; with libzstd only),
// UNCOMPRESSED the bytes as they are. Every page is compressed on its own.
//
// Pages are built and compressed in a PageWorkspace of the thread that writes them, so
// files hold no codec state (zstd's is MiBs) and any thread may write any column's pages.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/status.hpp"
#include "s3dest/format/compressor.hpp"
#include "s3dest/format/snappy.hpp"
#include "s3dest/format/parallel_gzip_compressor.hpp"
#include "s3dest/format/zlib_compressor.hpp"
#include "s3dest/format/parquet/thrift_compact.hpp"
#include "s3dest/format/zstd_compressor.hpp"

namespace s3dest::parquet {

// CompressionCodec of parquet.thrift.
enum class Codec : int32_t { uncompressed = 0, snappy = 1, gzip = 2, zstd = 6 };

struct PageCompression {
  Codec codec = Codec::snappy;
  int gzip_level = 6;  // 1 (fast) .. 9 (small) as zlib's, 0 stored: for gzip
  int zstd_level = 3;  // libzstd's, for zstd
  bool operator==(const PageCompression& other) const {
    return codec == other.codec && gzip_level == other.gzip_level && zstd_level == other.zstd_level;
  }
};

// Makes no codec state until the first compress(): a PageCodec that only gives bounds
// costs nothing.
class PageCodec {
 public:
  // ParquetFormat::create refuses Codec::zstd where libzstd is missing.
  explicit PageCodec(PageCompression compression) : compression_(compression) {
    if (compression.codec == Codec::gzip)
      compressor_ = deflate_compressor(compression.gzip_level, ZlibFraming::gzip);
#if S3DEST_HAVE_ZSTD
    if (compression.codec == Codec::zstd)
      compressor_ = std::make_unique<ZstdCompressor>(ZstdOptions{compression.zstd_level, 0});
#endif
  }

  PageCodec(const PageCodec&) = delete;  // column chunk writers hold it by reference
  PageCodec& operator=(const PageCodec&) = delete;

  const PageCompression& compression() const { return compression_; }
  Codec codec() const { return compression_.codec; }

  // Largest compressed size of `n` bytes.
  uint64_t bound(uint64_t n) const {
    if (compressor_) return compressor_->max_compressed_size(n) + compressor_->frame_bytes();
    return codec() == Codec::snappy ? snappy_max_compressed_length(n) : n;
  }

  // The compressed page: `in` itself when uncompressed, else `scratch` filled with it.
  Result<std::string_view> compress(std::string_view in, std::string& scratch) {
    if (compressor_) {
      S3DEST_TRY(compressor_->compress(in, scratch));
      return std::string_view(scratch);
    }
    if (codec() == Codec::uncompressed) return in;
    scratch.clear();
    snappy_compress(in, scratch);
    return std::string_view(scratch);
  }

 private:
  PageCompression compression_;
  std::unique_ptr<Compressor> compressor_;  // the codecs that are a Compressor (gzip, zstd)
};

// The buffers a page passes through on its way out, and the codec that compresses it.
// Each thread has its own (of_this_thread), shared by every column and file whose pages
// it writes: a page is built and written in one go, so one at a time.
struct PageWorkspace {
  explicit PageWorkspace(PageCompression compression) : codec(compression) {}

  // This thread's workspace for `compression`. A thread keeps a few (one per compression
  // it has used lately), for as long as it runs.
  static PageWorkspace& of_this_thread(const PageCompression& compression);

  // Frees the buffers that grew past `bytes` (for a long value or a dictionary page), so
  // what every thread keeps stays within what ParquetFormat::shared_memory counts.
  void keep_at_most(size_t bytes) {
    for (std::string* buffer : {&content, &compressed, &indices})
      if (buffer->capacity() > bytes) std::string().swap(*buffer);
  }

  PageCodec codec;
  std::string content, compressed, indices;
  ThriftCompactWriter header;
};

inline PageWorkspace& PageWorkspace::of_this_thread(const PageCompression& compression) {
  static constexpr size_t kKept = 4;  // processes that write several compressions at once are tests
  thread_local std::vector<std::unique_ptr<PageWorkspace>> workspaces;
  const auto found = std::find_if(workspaces.begin(), workspaces.end(),
                                  [&](const auto& w) { return w->codec.compression() == compression; });
  if (found != workspaces.end()) return **found;
  if (workspaces.size() >= kKept) workspaces.erase(workspaces.begin());
  workspaces.push_back(std::make_unique<PageWorkspace>(compression));
  return *workspaces.back();
}

}  // namespace s3dest::parquet
