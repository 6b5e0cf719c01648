// The integrity checksum every object carries (config key `checksum`), computed while its
// bytes stream past. Only the chosen algorithm runs: CRC-32C costs next to nothing with
// SSE4.2, MD5 costs about as much as parsing the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <zlib.h>

#include "s3dest/crypto/base64.hpp"
#include "s3dest/crypto/crc32c.hpp"
#include "s3dest/crypto/digest.hpp"

namespace s3dest {

enum class ChecksumAlgorithm { crc32c, crc32, md5, none };

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name);

class ObjectChecksum {
 public:
  explicit ObjectChecksum(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
    if (algorithm == ChecksumAlgorithm::md5) md5_.emplace(Digest::md5());
  }

  void update(std::string_view bytes) {
    switch (algorithm_) {
      case ChecksumAlgorithm::crc32c: crc_ = crc32c(crc_, bytes); break;
      case ChecksumAlgorithm::crc32:
        crc_ = static_cast<uint32_t>(::crc32(crc_, reinterpret_cast<const Bytef*>(bytes.data()),
                                             static_cast<uInt>(bytes.size())));
        break;
      case ChecksumAlgorithm::md5: md5_->update(bytes); break;
      case ChecksumAlgorithm::none: break;
    }
  }

  // "crc32c:<base64 of the big-endian value>", as S3's x-amz-checksum-* headers spell
  // it; "md5:<base64>" as Content-MD5 does; empty for none. Call once, at the end.
  std::string text() {
    std::string out;
    switch (algorithm_) {
      case ChecksumAlgorithm::none: return out;
      case ChecksumAlgorithm::md5:
        out = "md5:";
        append_base64(out, md5_->finish());
        return out;
      case ChecksumAlgorithm::crc32c: out = "crc32c:"; break;
      case ChecksumAlgorithm::crc32: out = "crc32:"; break;
    }
    const char be[4] = {static_cast<char>(crc_ >> 24), static_cast<char>(crc_ >> 16),
                        static_cast<char>(crc_ >> 8), static_cast<char>(crc_)};
    append_base64(out, std::string_view(be, 4));
    return out;
  }

 private:
  ChecksumAlgorithm algorithm_;
  uint32_t crc_ = 0;
  std::optional<Digest> md5_;
};

inline std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
  if (name == "crc32c") return ChecksumAlgorithm::crc32c;
  if (name == "crc32") return ChecksumAlgorithm::crc32;
  if (name == "md5") return ChecksumAlgorithm::md5;
  if (name == "none") return ChecksumAlgorithm::none;
  return std::nullopt;
}

}  // namespace s3dest
