// The integrity checksum every object carries (config key `checksum`), computed while its
// bytes stream past. Only the chosen algorithm runs: CRC-32C costs next to nothing with
// SSE4.2, MD5 costs about as much as parsing the input.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zlib.h>

#include "s3dest/crypto/base64.hpp"
#include "s3dest/crypto/crc32c.hpp"
// S3DEST_NO_OPENSSL builds without OpenSSL (s3dest-encode): MD5 is then not available,
// and a config that asks for it is refused (kMd5Available).
#ifndef S3DEST_NO_OPENSSL
#include "s3dest/crypto/digest.hpp"
#endif

namespace s3dest {

enum class ChecksumAlgorithm { crc32c, crc32, md5, none };

#ifdef S3DEST_NO_OPENSSL
inline constexpr bool kMd5Available = false;
#else
inline constexpr bool kMd5Available = true;
#endif

std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name);

// The checksum of one request body, raw (big-endian CRC, or the MD5 digest); empty for
// none.
std::string body_checksum(ChecksumAlgorithm algorithm, std::string_view body);

// How S3 names a checksum: the request header ("x-amz-checksum-crc32c", "Content-MD5"),
// the element in multipart listings ("ChecksumCRC32C"; empty for MD5, which has none), and
// the x-amz-checksum-algorithm value ("CRC32C"; empty for MD5).
struct S3ChecksumNames {
  std::string_view header, element, algorithm;
};
S3ChecksumNames s3_checksum_names(ChecksumAlgorithm algorithm);

// A multipart object's checksum as S3 composes it for CRC algorithms: the checksum of the
// parts' raw checksums one after the other, base64, then "-" and the number of parts.
std::string composite_checksum(ChecksumAlgorithm algorithm, const std::vector<std::string>& raw_part_checksums);

namespace detail {
#ifdef S3DEST_NO_OPENSSL
struct Md5 {  // never made: without OpenSSL the md5 checksum is refused up front
  void update(std::string_view) {}
  std::string finish() { return {}; }
};
inline Md5 new_md5() { return {}; }
#else
using Md5 = Digest;
inline Digest new_md5() { return Digest::md5(); }
#endif
}  // namespace detail

// The CRC checksums (crc32c, crc32) of parts read on different threads, made into the
// whole object's without its bytes.
inline bool is_crc_checksum(ChecksumAlgorithm algorithm) {
  return algorithm == ChecksumAlgorithm::crc32c || algorithm == ChecksumAlgorithm::crc32;
}
// The CRC of `bytes` after `crc` (0 at the start).
inline uint32_t continue_crc(ChecksumAlgorithm algorithm, uint32_t crc, std::string_view bytes) {
  if (algorithm == ChecksumAlgorithm::crc32c) return crc32c(crc, bytes);
  return static_cast<uint32_t>(
      ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}
// The CRC of A then B from theirs and B's length.
inline uint32_t combine_crc(ChecksumAlgorithm algorithm, uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  if (algorithm == ChecksumAlgorithm::crc32c) return crc32c_combine(crc_a, crc_b, length_b);
  return static_cast<uint32_t>(::crc32_combine(crc_a, crc_b, static_cast<z_off_t>(length_b)));
}
// A CRC as S3 sends it, raw (before base64): 4 bytes, big-endian; and back.
inline std::string crc_bytes(uint32_t crc) {
  const char be[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                      static_cast<char>(crc)};
  return std::string(be, 4);
}
inline uint32_t crc_of_bytes(std::string_view raw) {
  uint32_t crc = 0;
  for (size_t i = 0; i < 4 && i < raw.size(); ++i) crc = crc << 8 | static_cast<unsigned char>(raw[i]);
  return crc;
}
// "crc32c:<base64>" / "crc32:<base64>", as ObjectChecksum::text spells it.
inline std::string crc_text(ChecksumAlgorithm algorithm, uint32_t crc) {
  std::string out = algorithm == ChecksumAlgorithm::crc32c ? "crc32c:" : "crc32:";
  append_base64(out, crc_bytes(crc));
  return out;
}

class ObjectChecksum {
 public:
  explicit ObjectChecksum(ChecksumAlgorithm algorithm) : algorithm_(algorithm) {
    if (algorithm == ChecksumAlgorithm::md5) md5_ = std::make_unique<detail::Md5>(detail::new_md5());
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

  // The raw value: the CRC's 4 bytes big-endian, MD5's 16; empty for none. Call once.
  std::string raw() {
    switch (algorithm_) {
      case ChecksumAlgorithm::none: return {};
      case ChecksumAlgorithm::md5: return md5_->finish();
      case ChecksumAlgorithm::crc32c:
      case ChecksumAlgorithm::crc32: break;
    }
    const char be[4] = {static_cast<char>(crc_ >> 24), static_cast<char>(crc_ >> 16),
                        static_cast<char>(crc_ >> 8), static_cast<char>(crc_)};
    return std::string(be, 4);
  }

  // "crc32c:<base64 of the big-endian value>", as S3's x-amz-checksum-* headers spell
  // it; "md5:<base64>" as Content-MD5 does; empty for none. Call once, at the end.
  std::string text() {
    std::string out;
    switch (algorithm_) {
      case ChecksumAlgorithm::none: return out;
      case ChecksumAlgorithm::md5: out = "md5:"; break;
      case ChecksumAlgorithm::crc32c: out = "crc32c:"; break;
      case ChecksumAlgorithm::crc32: out = "crc32:"; break;
    }
    append_base64(out, raw());
    return out;
  }

 private:
  ChecksumAlgorithm algorithm_;
  uint32_t crc_ = 0;
  // Behind a pointer, not in a std::optional: g++ 12 then warns that an optional's
  // OpenSSL context may be freed uninitialized wherever a checksum is a local.
  std::unique_ptr<detail::Md5> md5_;
};

inline std::string body_checksum(ChecksumAlgorithm algorithm, std::string_view body) {
  if (algorithm == ChecksumAlgorithm::none) return {};
  if (algorithm == ChecksumAlgorithm::md5) {
    detail::Md5 md5 = detail::new_md5();
    md5.update(body);
    return md5.finish();
  }
  uint32_t crc = 0;
  if (algorithm == ChecksumAlgorithm::crc32c) crc = crc32c(0, body);
  else crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  const char be[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                      static_cast<char>(crc)};
  return std::string(be, 4);
}

inline S3ChecksumNames s3_checksum_names(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::crc32c: return {"x-amz-checksum-crc32c", "ChecksumCRC32C", "CRC32C"};
    case ChecksumAlgorithm::crc32: return {"x-amz-checksum-crc32", "ChecksumCRC32", "CRC32"};
    case ChecksumAlgorithm::md5: return {"Content-MD5", "", ""};
    case ChecksumAlgorithm::none: break;
  }
  return {"", "", ""};
}

inline std::string composite_checksum(ChecksumAlgorithm algorithm, const std::vector<std::string>& raw_part_checksums) {
  std::string joined;
  for (const std::string& raw : raw_part_checksums) joined += raw;
  std::string out;
  append_base64(out, body_checksum(algorithm, joined));
  return out + "-" + std::to_string(raw_part_checksums.size());
}

inline std::optional<ChecksumAlgorithm> parse_checksum_algorithm(std::string_view name) {
  if (name == "crc32c") return ChecksumAlgorithm::crc32c;
  if (name == "crc32") return ChecksumAlgorithm::crc32;
  if (name == "md5") return ChecksumAlgorithm::md5;
  if (name == "none") return ChecksumAlgorithm::none;
  return std::nullopt;
}

}  // namespace s3dest
