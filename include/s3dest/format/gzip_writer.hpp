// A gzip stream (one member) over a ByteSink that can fill files to a hard size cap: a
// CompressedWriter (format/compressed_writer.hpp) over zlib's gzip framing.
#pragma once

#include <memory>

#include "s3dest/format/compressed_writer.hpp"
#include "s3dest/format/zlib_compressor.hpp"

namespace s3dest {

class GzipWriter final : public CompressedWriter {
 public:
  // `level`: zlib's 1 (fast) .. 9 (small); 6 is gzip's default.
  GzipWriter(ByteSink& out, int level)
      : CompressedWriter(out, std::make_unique<ZlibCompressor>(ZlibFraming::gzip, level)) {}
};

}  // namespace s3dest
