// Compression of parquet pages (and the bound on it that keeps files under the size cap):
// SNAPPY is a raw snappy block, GZIP a complete gzip member (RFC 1952, as parquet-format
// Compression.md asks), UNCOMPRESSED the bytes as they are. Every page is compressed on
// its own.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "s3dest/core/status.hpp"
#include "s3dest/format/snappy.hpp"

namespace s3dest::parquet {

// CompressionCodec of parquet.thrift.
enum class Codec : int32_t { uncompressed = 0, snappy = 1, gzip = 2 };

class PageCodec {
 public:
  explicit PageCodec(Codec codec, int gzip_level = 6) : codec_(codec), gzip_level_(gzip_level) {}
  ~PageCodec() {
    if (zlib_ready_) deflateEnd(&zlib_);
  }
  PageCodec(const PageCodec&) = delete;
  PageCodec& operator=(const PageCodec&) = delete;

  Codec codec() const { return codec_; }

  // Largest compressed size of `n` bytes.
  uint64_t bound(uint64_t n) const {
    switch (codec_) {
      case Codec::uncompressed: return n;
      case Codec::snappy: return snappy_max_compressed_length(n);
      // Stored deflate blocks at worst (zlib's conservative deflateBound), plus the gzip
      // header and trailer.
      case Codec::gzip: return n + ((n + 7) >> 3) + ((n + 63) >> 6) + 5 + 18;
    }
    return n;
  }

  // The compressed page: `in` itself when uncompressed, else `scratch` filled with it.
  Result<std::string_view> compress(std::string_view in, std::string& scratch) {
    switch (codec_) {
      case Codec::uncompressed: return in;
      case Codec::snappy:
        scratch.clear();
        snappy_compress(in, scratch);
        return std::string_view(scratch);
      case Codec::gzip: S3DEST_TRY(gzip(in, scratch)); return std::string_view(scratch);
    }
    return internal_error("unknown parquet codec");
  }

 private:
  Status gzip(std::string_view in, std::string& out) {
    if (!zlib_ready_) {
      // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
      if (deflateInit2(&zlib_, gzip_level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return internal_error("zlib could not set up a gzip stream (out of memory?)");
      zlib_ready_ = true;
    } else if (deflateReset(&zlib_) != Z_OK) {
      return internal_error("zlib refused to reset a gzip stream");
    }
    out.resize(bound(in.size()) + 64);
    zlib_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zlib_.avail_in = static_cast<uInt>(in.size());
    zlib_.next_out = reinterpret_cast<Bytef*>(out.data());
    zlib_.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zlib_, Z_FINISH);
    if (rc != Z_STREAM_END) return internal_error("zlib could not gzip a parquet page (" + std::to_string(rc) + ")");
    out.resize(out.size() - zlib_.avail_out);
    return {};
  }

  Codec codec_;
  int gzip_level_;
  z_stream zlib_{};
  bool zlib_ready_ = false;
};

}  // namespace s3dest::parquet
