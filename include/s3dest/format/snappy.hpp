// Snappy block compression, the raw format parquet's SNAPPY codec stores in a page (no
// framing, no checksums): a varint with the uncompressed length, then a sequence of
// elements, each either a literal (bytes copied from the input) or a copy (length and
// offset back into the output already produced).
//
// The compressor follows the reference's strategy so its ratio and speed are comparable:
// the input is cut into 64 KiB fragments that are compressed independently (so every
// offset fits two bytes and the hash table holds 16-bit positions), and matches are found
// by hashing 4-byte sequences into a table that remembers only the latest position per
// hash. When no match turns up for a while, the search takes ever larger steps, which
// keeps incompressible data fast.
//
// Written from the format description (google/snappy format_description.txt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace s3dest {

// Largest output `snappy_compress` can produce for `n` input bytes: the bound the format
// guarantees (literal tags cost at most one byte per 60, plus the length varint).
inline size_t snappy_max_compressed_length(size_t n) { return 32 + n + n / 6; }

// Appends the compressed form of `input` to `out`. The format stores the length in 32
// bits, so `input` must be shorter than 4 GiB (parquet pages are far smaller: their sizes
// are i32 in the page header); longer input is a caller bug and aborts.
void snappy_compress(std::string_view input, std::string& out);

// Appends the uncompressed form of `input` to `out`. False, and `out` as it was, if
// `input` is not a valid snappy block. For tests and verification.
bool snappy_uncompress(std::string_view input, std::string& out);

namespace detail {

// The reference's tuning: fragments of 64 KiB, a hash table of at most 2^14 entries.
constexpr size_t kSnappyFragmentBytes = size_t{1} << 16;
constexpr int kSnappyMaxHashBits = 14;
// No match search in the last 15 bytes of a fragment: the search loads 8 bytes at a time
// past the current position, and a match that short would not pay for its tag anyway.
constexpr size_t kSnappyInputMargin = 15;

inline uint32_t snappy_load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t snappy_load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint32_t snappy_hash(uint32_t bytes, int shift) {
  // Multiplicative hashing: the high bits of the product mix all four input bytes.
  return (bytes * 0x1e35a7bdu) >> shift;
}

inline char* snappy_put_varint32(char* out, uint32_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

inline char* snappy_emit_literal(char* out, const char* data, size_t len) {
  // Tag byte: low two bits 00; up to 60 bytes the length-1 fits in the upper six bits,
  // longer literals put 60..63 there to say 1..4 little-endian length bytes follow.
  size_t n = len - 1;
  if (n < 60) {
    *out++ = static_cast<char>(n << 2);
  } else {
    int bytes = 0;
    char* tag = out++;
    while (n > 0) {
      *out++ = static_cast<char>(n & 0xff);
      n >>= 8;
      ++bytes;
    }
    *tag = static_cast<char>((59 + bytes) << 2);
  }
  std::memcpy(out, data, len);
  return out + len;
}

// One copy element of 4..64 bytes. The 1-byte-offset form (2 bytes in all) covers
// lengths 4..11 with offsets below 2048; everything else takes the 2-byte-offset form.
inline char* snappy_emit_copy_upto64(char* out, size_t offset, size_t len) {
  if (len < 12 && offset < 2048) {
    *out++ = static_cast<char>(1 | ((len - 4) << 2) | ((offset >> 8) << 5));
    *out++ = static_cast<char>(offset & 0xff);
  } else {
    *out++ = static_cast<char>(2 | ((len - 1) << 2));
    *out++ = static_cast<char>(offset & 0xff);
    *out++ = static_cast<char>(offset >> 8);
  }
  return out;
}

inline char* snappy_emit_copy(char* out, size_t offset, size_t len) {
  // Long matches become 64-byte copies; when the rest would be under 4 bytes (too short
  // for any copy element), the last long piece is cut to 60 so the remainder is >= 4.
  while (len >= 68) {
    out = snappy_emit_copy_upto64(out, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    out = snappy_emit_copy_upto64(out, offset, 60);
    len -= 60;
  }
  return snappy_emit_copy_upto64(out, offset, len);
}

// Number of equal bytes at `a` and `b`, reading `b` no further than `b_end`.
inline size_t snappy_match_length(const char* a, const char* b, const char* b_end) {
  const char* start = b;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
  // Eight bytes at a time: the lowest differing bit of the XOR names the first
  // differing byte on a little-endian machine.
  while (b + 8 <= b_end) {
    uint64_t x = snappy_load64(a) ^ snappy_load64(b);
    if (x != 0) return static_cast<size_t>(b - start) + (static_cast<size_t>(__builtin_ctzll(x)) >> 3);
    a += 8;
    b += 8;
  }
#endif
  while (b < b_end && *a == *b) {
    ++a;
    ++b;
  }
  return static_cast<size_t>(b - start);
}

// Compresses one fragment (at most 64 KiB) into `out`, returning the new end. `table`
// has 1 << hash_bits zeroed entries; positions are relative to the fragment start.
inline char* snappy_compress_fragment(const char* input, size_t size, char* out, uint16_t* table,
                                      int hash_bits) {
  const char* ip = input;
  const char* const end = input + size;
  const char* next_emit = input;  // first byte not yet covered by an element
  const int shift = 32 - hash_bits;

  if (size >= kSnappyInputMargin) {
    const char* const limit = end - kSnappyInputMargin;
    ++ip;  // position 0 is where the table's zeros point; start searching after it
    for (;;) {
      // Look for a 4-byte match. `skip` grows by one every lookup without a match and
      // the step is skip / 32, so after 32 misses we test every second byte, then every
      // third, and so on: incompressible data costs few lookups per byte.
      uint32_t skip = 32;
      const char* candidate;
      const char* next_ip = ip;
      do {
        ip = next_ip;
        uint32_t h = snappy_hash(snappy_load32(ip), shift);
        next_ip = ip + (skip++ >> 5);
        if (next_ip > limit) goto emit_remainder;
        candidate = input + table[h];
        table[h] = static_cast<uint16_t>(ip - input);
      } while (snappy_load32(ip) != snappy_load32(candidate));

      // Bytes since the last element become a literal, then matches follow as long as
      // the position right after one match starts another.
      out = snappy_emit_literal(out, next_emit, static_cast<size_t>(ip - next_emit));
      for (;;) {
        size_t len = 4 + snappy_match_length(candidate + 4, ip + 4, end);
        size_t offset = static_cast<size_t>(ip - candidate);
        out = snappy_emit_copy(out, offset, len);
        ip += len;
        next_emit = ip;
        if (ip >= limit) goto emit_remainder;
        // Remember the position just before, and test the one right here: runs of
        // matches are common in structured text (CSV columns repeat).
        table[snappy_hash(snappy_load32(ip - 1), shift)] = static_cast<uint16_t>(ip - 1 - input);
        uint32_t h = snappy_hash(snappy_load32(ip), shift);
        candidate = input + table[h];
        table[h] = static_cast<uint16_t>(ip - input);
        if (snappy_load32(ip) != snappy_load32(candidate)) break;
      }
      ++ip;
    }
  }
emit_remainder:
  if (next_emit < end) out = snappy_emit_literal(out, next_emit, static_cast<size_t>(end - next_emit));
  return out;
}

// Reads the varint32 that starts a block: the uncompressed length. False when it is cut
// short or longer than five bytes.
inline bool snappy_read_length(const unsigned char*& ip, const unsigned char* end, uint64_t& length) {
  length = 0;
  for (int shift = 0;; shift += 7) {
    if (ip == end || shift > 28) return false;
    const unsigned char b = *ip++;
    length |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) return true;
  }
}

// One block being uncompressed: the input still to read, and the output of `length`
// bytes of which `pos` are written.
struct SnappyBlock {
  const unsigned char* ip;
  const unsigned char* end;
  char* out;
  size_t length;
  size_t pos = 0;

  size_t input_left() const { return static_cast<size_t>(end - ip); }

  // The next `n` (1..4, checked to be there) bytes as a little-endian number.
  size_t read_little_endian(size_t n) {
    size_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<size_t>(ip[i]) << (8 * i);
    ip += n;
    return v;
  }
};

// Tag bits 00: up to 60 bytes say their length-1 in the tag; longer ones put 60..63
// there, and 1..4 little-endian length bytes follow.
inline bool snappy_literal(SnappyBlock& b, unsigned char tag) {
  size_t len = (tag >> 2) + size_t{1};
  if (len > 60) {
    const size_t extra = len - 60;
    if (b.input_left() < extra) return false;
    len = b.read_little_endian(extra) + 1;
  }
  if (b.input_left() < len || b.length - b.pos < len) return false;
  std::memcpy(b.out + b.pos, b.ip, len);
  b.ip += len;
  b.pos += len;
  return true;
}

// Repeats `len` bytes from `offset` back in the output.
inline bool snappy_copy_back(SnappyBlock& b, size_t offset, size_t len) {
  if (offset == 0 || offset > b.pos || b.length - b.pos < len) return false;
  char* dst = b.out + b.pos;
  const char* src = dst - offset;
  if (offset >= len) {
    std::memcpy(dst, src, len);
  } else {
    // Overlapping copy repeats the last `offset` bytes: must go byte by byte.
    for (size_t i = 0; i < len; ++i) dst[i] = src[i];
  }
  b.pos += len;
  return true;
}

// Tag bits 01: length 4..11 and an 11-bit offset; 10 and 11: length 1..64 and an offset
// of 2 or 4 bytes.
inline bool snappy_copy(SnappyBlock& b, unsigned char tag) {
  size_t len, offset;
  if ((tag & 3) == 1) {
    if (b.input_left() < 1) return false;
    len = ((tag >> 2) & 7) + size_t{4};
    offset = (static_cast<size_t>(tag >> 5) << 8) | b.ip[0];
    b.ip += 1;
  } else if ((tag & 3) == 2) {  // 2 and 4 spelled out: a constant width reads as one load
    if (b.input_left() < 2) return false;
    len = (tag >> 2) + size_t{1};
    offset = b.read_little_endian(2);
  } else {
    if (b.input_left() < 4) return false;
    len = (tag >> 2) + size_t{1};
    offset = b.read_little_endian(4);
  }
  return snappy_copy_back(b, offset, len);
}

// True when the block's elements fill its output exactly. `b` is a copy the compiler can
// keep in registers: the bytes written through b.out cannot alias it.
inline bool snappy_read_elements(SnappyBlock b) {
  while (b.ip < b.end) {
    const unsigned char tag = *b.ip++;
    if (!((tag & 3) == 0 ? snappy_literal(b, tag) : snappy_copy(b, tag))) return false;
  }
  return b.pos == b.length;
}

}  // namespace detail

inline void snappy_compress(std::string_view input, std::string& out) {
  if (input.size() > UINT32_MAX) std::abort();  // caller bug, see the declaration
  // The output grows a fragment's worst case at a time, not the whole input's: resize
  // zero-fills, and filling 64 KiB that is written next while still in cache is cheap,
  // whereas filling a whole page's worth first runs at memory speed.
  size_t used = out.size();
  out.resize(used + 5);
  used = static_cast<size_t>(detail::snappy_put_varint32(&out[used], static_cast<uint32_t>(input.size())) - &out[0]);

  // One table for all fragments; only the part a fragment's hash width uses is cleared.
  uint16_t table[size_t{1} << detail::kSnappyMaxHashBits];
  const char* p = input.data();
  size_t left = input.size();
  while (left > 0) {
    size_t n = left < detail::kSnappyFragmentBytes ? left : detail::kSnappyFragmentBytes;
    // Small fragments get small tables: clearing 32 KiB for 100 bytes would dominate.
    int bits = 8;
    while (bits < detail::kSnappyMaxHashBits && (size_t{1} << bits) < n) ++bits;
    std::memset(table, 0, sizeof(uint16_t) << bits);
    if (out.size() < used + snappy_max_compressed_length(n)) out.resize(used + snappy_max_compressed_length(n));
    char* const op = &out[0] + used;
    used += static_cast<size_t>(detail::snappy_compress_fragment(p, n, op, table, bits) - op);
    p += n;
    left -= n;
  }
  out.resize(used);
}

inline bool snappy_uncompress(std::string_view input, std::string& out) {
  const auto* ip = reinterpret_cast<const unsigned char*>(input.data());
  const auto* const end = ip + input.size();
  uint64_t length = 0;
  if (!detail::snappy_read_length(ip, end, length)) return false;
  // No element expands more than 64 bytes from 3 bytes of input, so a longer claim is
  // corrupt; checking first keeps a damaged header from asking for gigabytes.
  if (length > UINT32_MAX || length > 22 * static_cast<uint64_t>(input.size())) return false;

  const size_t old_size = out.size();
  out.resize(old_size + length);
  if (detail::snappy_read_elements({ip, end, &out[0] + old_size, static_cast<size_t>(length)})) return true;
  out.resize(old_size);
  return false;
}

}  // namespace s3dest
