// Compression of parquet pages (and the bound on it that keeps files under the size cap):
// SNAPPY is a raw snappy block, GZIP a complete gzip member (RFC 1952, as parquet-format
// Compression.md asks), ZSTD a complete zstd frame (RFC 8878; with libzstd only),
// UNCOMPRESSED the bytes as they are. Every page is compressed on its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"
#include "s3dest/format/compressor.hpp"
#include "s3dest/format/snappy.hpp"
#include "s3dest/format/zlib_compressor.hpp"
#include "s3dest/format/zstd_compressor.hpp"

namespace s3dest::parquet {

// CompressionCodec of parquet.thrift.
enum class Codec : int32_t { uncompressed = 0, snappy = 1, gzip = 2, zstd = 6 };

class PageCodec {
 public:
  // ParquetFormat::create refuses Codec::zstd where libzstd is missing.
  explicit PageCodec(Codec codec, int gzip_level = 6, int zstd_level = 3) : codec_(codec) {
    if (codec == Codec::gzip) compressor_ = std::make_unique<ZlibCompressor>(ZlibFraming::gzip, gzip_level);
#if S3DEST_HAVE_ZSTD
    if (codec == Codec::zstd) compressor_ = std::make_unique<ZstdCompressor>(ZstdOptions{zstd_level, 0});
#else
    (void)zstd_level;
#endif
  }

  PageCodec(const PageCodec&) = delete;  // column chunk writers hold it by reference
  PageCodec& operator=(const PageCodec&) = delete;

  Codec codec() const { return codec_; }

  // Largest compressed size of `n` bytes.
  uint64_t bound(uint64_t n) const {
    if (compressor_) return compressor_->max_compressed_size(n) + compressor_->frame_bytes();
    return codec_ == Codec::snappy ? snappy_max_compressed_length(n) : n;
  }

  // The compressed page: `in` itself when uncompressed, else `scratch` filled with it.
  Result<std::string_view> compress(std::string_view in, std::string& scratch) {
    if (compressor_) {
      S3DEST_TRY(compressor_->compress(in, scratch));
      return std::string_view(scratch);
    }
    if (codec_ == Codec::uncompressed) return in;
    scratch.clear();
    snappy_compress(in, scratch);
    return std::string_view(scratch);
  }

 private:
  Codec codec_;
  std::unique_ptr<Compressor> compressor_;  // the codecs that are a Compressor (gzip, zstd)
};

}  // namespace s3dest::parquet
