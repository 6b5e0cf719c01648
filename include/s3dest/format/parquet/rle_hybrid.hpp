// Parquet's RLE / bit-packing hybrid encoding (parquet-format Encodings.md), used for
// definition levels (bit width 1 for a nullable flat column) and for dictionary indices
// (bit width up to 32).
//
// The data is a sequence of runs, each starting with a varint header whose low bit says
// which kind it is:
// - RLE run: header = count << 1, then the value once, little-endian in
//   ceil(bit_width / 8) bytes;
// - bit-packed run: header = groups << 1 | 1, then groups of 8 values, each group packed
//   into exactly bit_width bytes, least significant bit first.
// The encoder buffers values in groups of 8 and switches to an RLE run once a value
// repeats 8 times; a bit-packed run holds at most 63 groups, so its header is always one
// byte and can be reserved before the groups are written. The last group is padded
// with zeros; readers know the value count from the page header.
//
// Where the encoding is used, a prefix says how long it is or how wide its values are;
// RlePrefix picks the one each use needs.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3dest::parquet {

enum class RlePrefix {
  none,            // data page v2 levels, or when the caller frames the bytes itself
  length_4_bytes,  // data page v1 definition/repetition levels: u32 LE byte length
  bit_width_byte,  // dictionary-encoded data pages: one byte holding the bit width
};

// Bits needed to store every value up to `max_value` (0 for 0).
int rle_bit_width(uint32_t max_value);

class RleHybridEncoder {
 public:
  // `bit_width`: 0..32; every value put must fit in it.
  explicit RleHybridEncoder(int bit_width, RlePrefix prefix = RlePrefix::none);

  void put(uint32_t value);
  // Same bytes as `count` calls of put(value); once the run is RLE the rest costs O(1),
  // which matters for the definition levels of columns without nulls.
  void put_repeated(uint32_t value, size_t count);
  // Ends the last run and fills in the prefix; returns the complete encoding.
  const std::string& finish();
  // Ready for new values with the same width and prefix; keeps the buffer's capacity.
  void reset();
  // The same, with the buffer freed.
  void release() {
    std::string().swap(out_);
    reset();
  }

  int bit_width() const { return bit_width_; }
  const std::string& bytes() const { return out_; }

 private:
  void start();
  void pack_buffered_group();
  void end_bit_packed_run();
  void write_rle_run();

  int bit_width_;
  RlePrefix prefix_;
  std::string out_;
  uint32_t buffered_[8];
  int num_buffered_ = 0;
  uint32_t last_value_ = 0;
  uint64_t repeats_ = 0;                 // times last_value_ came in a row (since the last group)
  size_t bit_packed_header_ = SIZE_MAX;  // where the open bit-packed run's header byte is
  int bit_packed_groups_ = 0;
  bool finished_ = false;
};

// Whole-array convenience: encodes `values` and appends the encoding (with `prefix`).
void rle_hybrid_encode(const uint32_t* values, size_t count, int bit_width, RlePrefix prefix,
                       std::string& out);

// Decodes `count` values (no prefix) and appends them to `out`; false if `data` is
// malformed or holds fewer values. For tests and verification.
bool rle_hybrid_decode(std::string_view data, int bit_width, size_t count, std::vector<uint32_t>& out);

namespace detail {
constexpr int kRleMaxGroupsPerRun = 63;  // (63 << 1 | 1) = 127: the header fits one byte
constexpr uint32_t kRleMinRepeats = 8;   // a run this long is never worse as RLE

inline void rle_put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
}  // namespace detail

inline int rle_bit_width(uint32_t max_value) {
  int bits = 0;
  while (max_value != 0) {
    ++bits;
    max_value >>= 1;
  }
  return bits;
}

inline RleHybridEncoder::RleHybridEncoder(int bit_width, RlePrefix prefix)
    : bit_width_(bit_width), prefix_(prefix) {
  assert(bit_width >= 0 && bit_width <= 32);
  start();
}

inline void RleHybridEncoder::start() {
  // Prefix bytes are reserved now so the runs never have to move.
  if (prefix_ == RlePrefix::length_4_bytes) out_.append(4, '\0');
  if (prefix_ == RlePrefix::bit_width_byte) out_.push_back(static_cast<char>(bit_width_));
}

inline void RleHybridEncoder::put(uint32_t value) {
  assert(!finished_);
  assert(bit_width_ == 32 || (value >> bit_width_) == 0);
  if (value == last_value_ && repeats_ > 0) {
    ++repeats_;
    // Already an RLE run: the value is only counted. At exactly 8 the 7 earlier copies
    // sit in the buffer (a group resets the count) and are dropped in favour of the run.
    if (repeats_ >= detail::kRleMinRepeats) return;
  } else {
    if (repeats_ >= detail::kRleMinRepeats) write_rle_run();
    last_value_ = value;
    repeats_ = 1;
  }
  buffered_[num_buffered_++] = value;
  if (num_buffered_ == 8) pack_buffered_group();
}

inline void RleHybridEncoder::put_repeated(uint32_t value, size_t count) {
  while (count > 0 && !(value == last_value_ && repeats_ >= detail::kRleMinRepeats)) {
    put(value);
    --count;
  }
  repeats_ += count;
}

inline const std::string& RleHybridEncoder::finish() {
  assert(!finished_);
  finished_ = true;
  if (repeats_ >= detail::kRleMinRepeats) {
    write_rle_run();
  } else if (num_buffered_ > 0) {
    for (int i = num_buffered_; i < 8; ++i) buffered_[i] = 0;
    pack_buffered_group();
  }
  end_bit_packed_run();
  if (prefix_ == RlePrefix::length_4_bytes) {
    const auto n = static_cast<uint32_t>(out_.size() - 4);
    for (int i = 0; i < 4; ++i) out_[static_cast<size_t>(i)] = static_cast<char>(n >> (8 * i));
  }
  return out_;
}

inline void RleHybridEncoder::reset() {
  out_.clear();
  num_buffered_ = 0;
  last_value_ = 0;
  repeats_ = 0;
  bit_packed_header_ = SIZE_MAX;
  bit_packed_groups_ = 0;
  finished_ = false;
  start();
}

inline void RleHybridEncoder::pack_buffered_group() {
  if (bit_packed_groups_ == detail::kRleMaxGroupsPerRun) end_bit_packed_run();
  if (bit_packed_header_ == SIZE_MAX) {
    bit_packed_header_ = out_.size();
    out_.push_back('\0');  // filled in when the run ends
  }
  // Eight values of w bits are exactly w bytes; at most 7 bits wait in `acc` between
  // values, so 7 + 32 bits always fit.
  uint64_t acc = 0;
  int bits = 0;
  for (int i = 0; i < 8; ++i) {
    acc |= static_cast<uint64_t>(buffered_[i]) << bits;
    bits += bit_width_;
    while (bits >= 8) {
      out_.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  num_buffered_ = 0;
  repeats_ = 0;  // a repeat count only matters for values not yet packed
  ++bit_packed_groups_;
}

inline void RleHybridEncoder::end_bit_packed_run() {
  if (bit_packed_header_ == SIZE_MAX) return;
  out_[bit_packed_header_] = static_cast<char>(bit_packed_groups_ << 1 | 1);
  bit_packed_header_ = SIZE_MAX;
  bit_packed_groups_ = 0;
}

inline void RleHybridEncoder::write_rle_run() {
  end_bit_packed_run();
  detail::rle_put_varint(out_, repeats_ << 1);
  for (int i = 0; i < (bit_width_ + 7) / 8; ++i) out_.push_back(static_cast<char>(last_value_ >> (8 * i)));
  repeats_ = 0;
  num_buffered_ = 0;
}

inline void rle_hybrid_encode(const uint32_t* values, size_t count, int bit_width, RlePrefix prefix,
                              std::string& out) {
  RleHybridEncoder encoder(bit_width, prefix);
  for (size_t i = 0; i < count; ++i) encoder.put(values[i]);
  out.append(encoder.finish());
}

inline bool rle_hybrid_decode(std::string_view data, int bit_width, size_t count, std::vector<uint32_t>& out) {
  if (bit_width < 0 || bit_width > 32) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const auto* const end = p + data.size();
  const size_t value_bytes = static_cast<size_t>(bit_width + 7) / 8;
  const uint64_t mask = bit_width == 32 ? 0xffffffffu : (uint64_t{1} << bit_width) - 1;
  size_t left = count;
  while (left > 0) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (p == end || shift > 35) return false;
      header |= static_cast<uint64_t>(*p & 0x7f) << shift;
      if (*p++ < 0x80) break;
    }
    if (header & 1) {
      const uint64_t values = (header >> 1) * 8;
      const uint64_t bytes = (header >> 1) * static_cast<uint64_t>(bit_width);
      if (static_cast<uint64_t>(end - p) < bytes) return false;
      uint64_t acc = 0;
      int bits = 0;
      for (uint64_t i = 0; i < values; ++i) {
        while (bits < bit_width) {
          acc |= static_cast<uint64_t>(*p++) << bits;
          bits += 8;
        }
        // Padding values in the last group are read but not kept.
        if (left > 0) {
          out.push_back(static_cast<uint32_t>(acc & mask));
          --left;
        }
        acc >>= bit_width;
        bits -= bit_width;
      }
    } else {
      const uint64_t run = header >> 1;
      if (static_cast<size_t>(end - p) < value_bytes) return false;
      uint32_t value = 0;
      for (size_t i = 0; i < value_bytes; ++i) value |= static_cast<uint32_t>(p[i]) << (8 * i);
      p += value_bytes;
      if (run == 0 || run > left || (value & mask) != value) return false;
      out.insert(out.end(), static_cast<size_t>(run), value);
      left -= static_cast<size_t>(run);
    }
  }
  return true;
}

}  // namespace s3dest::parquet
