// Raw deflate (RFC 1951) of a block of bytes, primed with the bytes before it: what the
// parallel gzip compressor (parallel_gzip_compressor.hpp) runs on each 128 KiB block of a
// .gz file, and on a whole parquet gzip page or avro deflate block at once.
//
//   DeflateEncoder encoder;  // keeps its tables from call to call
//   std::string out;
//   encoder.encode(6, window, dictionary_bytes, DeflateEncoder::End::sync_flush, out);
//
// Written here rather than taken from zlib for speed: at level 6 on the csv s3dest writes
// it runs at 2.0x zlib's speed and comes out 2.5% smaller (json: 2.1x, 2.3%); lines that
// repeat with a long period can come out up to 7% larger (bench/history.md, "A deflate of
// our own"). zlib stays the reader of record: every test inflates what this writes with
// zlib, gzip or DuckDB, and fuzz/deflate_encoder_fuzz.cpp with zlib.
//
// How: lazy matching as zlib does it at levels 4-9 (a match is kept only if the next
// position does not start a longer one), greedy at 1-3, over hash chains of 4-byte
// prefixes with matches compared 8 bytes at a time. Each block of up to kBlockSymbols
// symbols is written with the smallest of its own Huffman codes, the fixed codes, or
// stored as it is, so no output is ever more than a few bytes per 16 KiB above its input.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/core/little_endian.hpp"

namespace s3dest {

namespace detail {
struct DeflateBits;
}

class DeflateEncoder {
 public:
  enum class End {
    sync_flush,   // an empty stored block: the output ends on a byte boundary, the stream goes on
    final_block,  // the stream's last block, padded to a byte
  };
  static constexpr size_t kWindowBytes = 32 * 1024;  // how far back a match may reach

  // Appends to `out` the deflate of bytes[dictionary_bytes, end): its matches may reach
  // back into the dictionary_bytes before (the last 32 KiB of them count). `level` 1 (fast)
  // to 9 (small), as zlib's; outside that range it is clamped.
  void encode(int level, std::string_view bytes, size_t dictionary_bytes, End end, std::string& out);

  // The most encode() appends for `n` bytes: stored blocks and their headers.
  static size_t max_encoded_size(size_t n) { return n + (n >> 8) + 64; }

 private:
  static constexpr size_t kBlockSymbols = 16 * 1024;
  static constexpr int kHashBits = 15;
  static constexpr uint32_t kNoPosition = UINT32_MAX;

  struct Params {
    uint32_t max_chain;    // candidates tried at most
    uint32_t good_length;  // with a match this long already, try a quarter as many
    uint32_t nice_length;  // a match this long ends the search
    uint32_t max_lazy;     // lazy: with a match this long, the next position is not searched;
                           // greedy: a match longer than this has its positions not hashed
    bool lazy;
  };
  static Params params_of(int level);

  // One call of at most 1 GiB (positions are 32-bit); encode() cuts longer input.
  void encode_piece(const Params& params, const uint8_t* base, uint32_t start, uint32_t size, End end,
                    std::string& out);

  uint32_t insert(const uint8_t* base, uint32_t pos);
  uint32_t longest_match(const uint8_t* base, uint32_t pos, uint32_t candidate, uint32_t size, uint32_t best,
                         uint32_t chain, uint32_t nice, uint32_t& distance) const;
  void add_literal(uint8_t byte);
  void add_match(uint32_t length, uint32_t distance);
  // Writes the symbols gathered, which stand for bytes base[from, to), as one block: with
  // its own codes, the fixed ones or stored, whichever is smallest.
  void write_block(detail::DeflateBits& bits, const uint8_t* base, uint32_t from, uint32_t to, bool final);
  static void write_stored(detail::DeflateBits& bits, const uint8_t* bytes, uint32_t size, bool final);
  void write_symbols(detail::DeflateBits& bits, const uint8_t* litlen_lengths, size_t litlen_symbols,
                     const uint8_t* distance_lengths) const;

  std::vector<uint32_t> head_ = std::vector<uint32_t>(size_t{1} << kHashBits);  // the newest, by prefix
  std::vector<uint32_t> previous_ = std::vector<uint32_t>(kWindowBytes);  // the chains, by position
  std::vector<uint32_t> symbols_;  // a literal byte, or (distance << 8) | (length - 3)
  std::array<uint32_t, 286> litlen_counts_{};
  std::array<uint32_t, 30> distance_counts_{};
};

// ---------------------------------------------------------------------------------------

namespace detail {

// Bits in deflate's order (least significant first) into memory sized beforehand.
struct DeflateBits {
  char* at;
  uint64_t pending = 0;
  uint32_t count = 0;

  void put(uint32_t value, uint32_t n) {  // n <= 32
    pending |= static_cast<uint64_t>(value) << count;
    count += n;
    if (count >= 32) {
      at = store_little_endian(at, static_cast<uint32_t>(pending));
      pending >>= 32;
      count -= 32;
    }
  }
  void align() {
    while (count > 0) {
      *at++ = static_cast<char>(pending & 0xff);
      pending >>= 8;
      count = count > 8 ? count - 8 : 0;
    }
    pending = 0;
  }
};

// Lengths 3..258 as deflate's length symbols (257..285) and extra bits.
struct DeflateLengthCode {
  uint16_t symbol;
  uint8_t extra_bits;
  uint8_t extra;
};
inline const std::array<DeflateLengthCode, 256>& deflate_length_codes() {
  static const std::array<DeflateLengthCode, 256> table = [] {
    std::array<DeflateLengthCode, 256> t{};
    for (uint32_t l = 0; l < 256; ++l) {  // l = length - 3
      if (l < 8) {
        t[l] = {static_cast<uint16_t>(257 + l), 0, 0};
      } else if (l == 255) {
        t[l] = {285, 0, 0};
      } else {
        const uint32_t k = 31 - static_cast<uint32_t>(__builtin_clz(l));  // 3..7
        t[l] = {static_cast<uint16_t>(257 + 4 * (k - 1) + ((l >> (k - 2)) & 3)), static_cast<uint8_t>(k - 2),
                static_cast<uint8_t>(l & ((1u << (k - 2)) - 1))};
      }
    }
    return t;
  }();
  return table;
}

// Distances 1..32768 as deflate's distance codes (0..29) and extra bits.
inline void deflate_distance_code(uint32_t distance, uint32_t& code, uint32_t& extra_bits, uint32_t& extra) {
  const uint32_t x = distance - 1;
  if (x < 4) {
    code = x;
    extra_bits = 0;
    extra = 0;
    return;
  }
  const uint32_t k = 31 - static_cast<uint32_t>(__builtin_clz(x));  // 2..14
  code = 2 * k + ((x >> (k - 1)) & 1);
  extra_bits = k - 1;
  extra = x & ((1u << (k - 1)) - 1);
}

// Huffman code lengths for `counts`, none over `max_bits`; unused symbols get 0. At least
// two symbols must be used, so that every code is complete (zlib's inflate wants that).
inline void huffman_lengths(const uint32_t* counts, size_t n, uint32_t max_bits, uint8_t* lengths) {
  struct Leaf {
    uint32_t count;
    uint16_t symbol;
  };
  std::array<Leaf, 288> leaves;
  std::array<uint32_t, 288> scaled;
  for (size_t s = 0; s < n; ++s) scaled[s] = counts[s];
  for (;;) {
    size_t used = 0;
    for (size_t s = 0; s < n; ++s) {
      lengths[s] = 0;
      if (scaled[s] != 0) leaves[used++] = {scaled[s], static_cast<uint16_t>(s)};
    }
    std::sort(leaves.begin(), leaves.begin() + static_cast<std::ptrdiff_t>(used),
              [](const Leaf& a, const Leaf& b) { return a.count < b.count || (a.count == b.count && a.symbol < b.symbol); });
    // Two queues: leaves in order of count, and inner nodes, made in order of count. A
    // node's children are leaf i (i < used) or inner node used + j.
    std::array<uint32_t, 288> inner_count;
    std::array<uint16_t, 2 * 288> children;
    size_t next_leaf = 0, next_inner = 0, inner = 0;
    const auto take = [&]() -> uint16_t {
      if (next_leaf < used && (next_inner == inner || leaves[next_leaf].count <= inner_count[next_inner]))
        return static_cast<uint16_t>(next_leaf++);
      return static_cast<uint16_t>(used + next_inner++);
    };
    const auto count_of = [&](uint16_t node) { return node < used ? leaves[node].count : inner_count[node - used]; };
    while (inner + 1 < used) {
      const uint16_t a = take(), b = take();
      children[2 * inner] = a;
      children[2 * inner + 1] = b;
      inner_count[inner++] = count_of(a) + count_of(b);
    }
    // Depths from the root (the last inner node) down: children are made before parents.
    std::array<uint8_t, 288> inner_depth;
    inner_depth[inner - 1] = 0;
    uint32_t deepest = 0;
    for (size_t i = inner; i-- > 0;) {
      for (int c = 0; c < 2; ++c) {
        const uint16_t child = children[2 * i + static_cast<size_t>(c)];
        const uint8_t depth = static_cast<uint8_t>(inner_depth[i] + 1);
        if (child < used) {
          lengths[leaves[child].symbol] = depth;
          deepest = std::max<uint32_t>(deepest, depth);
        } else {
          inner_depth[child - used] = depth;
        }
      }
    }
    if (deepest <= max_bits) return;
    // Too deep: flatten the counts and build again (a few rounds at most, rare in practice).
    for (size_t s = 0; s < n; ++s)
      if (scaled[s] != 0) scaled[s] = (scaled[s] >> 1) | 1;
  }
}

// The canonical codes for `lengths` (RFC 1951 3.2.2), bit-reversed for DeflateBits.
inline void huffman_codes(const uint8_t* lengths, size_t n, uint16_t* codes) {
  uint32_t length_count[16] = {};
  for (size_t s = 0; s < n; ++s) ++length_count[lengths[s]];
  length_count[0] = 0;
  uint32_t next[16] = {};
  uint32_t code = 0;
  for (int bits = 1; bits < 16; ++bits) {
    code = (code + length_count[bits - 1]) << 1;
    next[bits] = code;
  }
  for (size_t s = 0; s < n; ++s) {
    const uint32_t len = lengths[s];
    if (len == 0) continue;
    uint32_t c = next[len]++, reversed = 0;
    for (uint32_t i = 0; i < len; ++i, c >>= 1) reversed = (reversed << 1) | (c & 1);
    codes[s] = static_cast<uint16_t>(reversed);
  }
}

// Makes sure at least two of `counts` are used (see huffman_lengths).
inline void use_two_at_least(uint32_t* counts, size_t n) {
  size_t used = 0;
  for (size_t s = 0; s < n; ++s) used += counts[s] != 0;
  for (size_t s = 0; used < 2 && s < n; ++s) {
    if (counts[s] == 0) {
      counts[s] = 1;
      ++used;
    }
  }
}

// The fixed codes' lengths (RFC 1951 3.2.6): 288 literal/length codes, then 30 distance
// codes.
inline const std::array<uint8_t, 288 + 30>& deflate_fixed_lengths() {
  static const std::array<uint8_t, 288 + 30> lengths = [] {
    std::array<uint8_t, 288 + 30> l{};
    for (uint32_t s = 0; s < 288; ++s) l[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    for (uint32_t d = 0; d < 30; ++d) l[288 + d] = 5;
    return l;
  }();
  return lengths;
}

// The bits a block's symbols take with these code lengths, extra bits included.
inline uint64_t deflate_symbol_bits(const uint32_t* litlen_counts, const uint8_t* litlen_lengths,
                                    const uint32_t* distance_counts, const uint8_t* distance_lengths) {
  uint64_t bits = 0;
  for (uint32_t s = 0; s < 286; ++s) {
    const uint32_t extra = s >= 265 && s < 285 ? (s - 261) / 4 : 0;
    bits += static_cast<uint64_t>(litlen_counts[s]) * (litlen_lengths[s] + extra);
  }
  for (uint32_t d = 0; d < 30; ++d) {
    const uint32_t extra = d < 4 ? 0 : d / 2 - 1;
    bits += static_cast<uint64_t>(distance_counts[d]) * (distance_lengths[d] + extra);
  }
  return bits;
}

// A block's own codes (RFC 1951 3.2.7): their lengths, and the header that tells them,
// whose code lengths are run-length coded (16 repeats the last 3-6 times, 17 and 18 are
// runs of 3-10 and 11-138 zeros) and Huffman coded in turn.
struct DeflateDynamicCodes {
  DeflateDynamicCodes(const uint32_t* litlen_counts, const uint32_t* distance_counts);
  uint64_t header_bits() const;
  void write_header(DeflateBits& bits) const;

  uint8_t lengths[286 + 30];  // literal/length codes, then distance codes
  uint32_t litlen_used = 286, distance_used = 30;
  uint8_t runs[286 + 30], run_extra[286 + 30];
  uint32_t run_count = 0;
  uint8_t code_length_lengths[19];
  uint32_t order_used = 19;  // code length codes sent, in kOrder
  static constexpr uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
};

inline DeflateDynamicCodes::DeflateDynamicCodes(const uint32_t* litlen_counts, const uint32_t* distance_counts) {
  uint32_t litlen[286], distance[30];
  std::copy(litlen_counts, litlen_counts + 286, litlen);
  std::copy(distance_counts, distance_counts + 30, distance);
  use_two_at_least(litlen, 286);
  use_two_at_least(distance, 30);
  huffman_lengths(litlen, 286, 15, lengths);
  huffman_lengths(distance, 30, 15, lengths + 286);
  while (litlen_used > 257 && lengths[litlen_used - 1] == 0) --litlen_used;
  while (distance_used > 1 && lengths[286 + distance_used - 1] == 0) --distance_used;

  uint8_t all[286 + 30];  // the lengths sent: litlen_used, then distance_used
  std::copy(lengths, lengths + litlen_used, all);
  std::copy(lengths + 286, lengths + 286 + distance_used, all + litlen_used);
  const uint32_t all_count = litlen_used + distance_used;
  const auto add = [this](uint8_t symbol, uint32_t extra) {
    runs[run_count] = symbol;
    run_extra[run_count++] = static_cast<uint8_t>(extra);
  };
  for (uint32_t i = 0; i < all_count;) {
    const uint8_t v = all[i];
    uint32_t run = 1;
    while (i + run < all_count && all[i + run] == v) ++run;
    i += run;
    if (v == 0) {
      for (; run >= 11; run -= std::min<uint32_t>(run, 138)) add(18, std::min<uint32_t>(run, 138) - 11);
      if (run >= 3) {
        add(17, run - 3);
        run = 0;
      }
    } else {
      add(v, 0);
      for (--run; run >= 3; run -= std::min<uint32_t>(run, 6)) add(16, std::min<uint32_t>(run, 6) - 3);
    }
    for (; run > 0; --run) add(v, 0);
  }
  uint32_t code_length_counts[19] = {};
  for (uint32_t r = 0; r < run_count; ++r) ++code_length_counts[runs[r]];
  use_two_at_least(code_length_counts, 19);
  huffman_lengths(code_length_counts, 19, 7, code_length_lengths);
  while (order_used > 4 && code_length_lengths[kOrder[order_used - 1]] == 0) --order_used;
}

inline uint64_t DeflateDynamicCodes::header_bits() const {
  uint64_t bits = 5 + 5 + 4 + 3 * order_used;
  for (uint32_t r = 0; r < run_count; ++r)
    bits += code_length_lengths[runs[r]] + (runs[r] == 16 ? 2 : runs[r] == 17 ? 3 : runs[r] == 18 ? 7 : 0);
  return bits;
}

inline void DeflateDynamicCodes::write_header(DeflateBits& bits) const {
  bits.put(litlen_used - 257, 5);
  bits.put(distance_used - 1, 5);
  bits.put(order_used - 4, 4);
  for (uint32_t i = 0; i < order_used; ++i) bits.put(code_length_lengths[kOrder[i]], 3);
  uint16_t codes[19];
  huffman_codes(code_length_lengths, 19, codes);
  for (uint32_t r = 0; r < run_count; ++r) {
    const uint8_t symbol = runs[r];
    bits.put(codes[symbol], code_length_lengths[symbol]);
    if (symbol >= 16) bits.put(run_extra[r], symbol == 16 ? 2 : symbol == 17 ? 3 : 7);
  }
}

// Bytes as a number, the first least significant: a match's first differing byte is then
// its lowest set bit's, on any machine.
template <typename T>
T load_bytes(const uint8_t* at) {
  return load_little_endian<T>(std::string_view(reinterpret_cast<const char*>(at), sizeof(T)));
}

// Multiplicative (Fibonacci) hashing of the 4 bytes at `at` into `bits` bits.
inline uint32_t deflate_hash(const uint8_t* at, int bits) {
  return (load_bytes<uint32_t>(at) * 0x9E3779B1u) >> (32 - bits);
}

}  // namespace detail

inline DeflateEncoder::Params DeflateEncoder::params_of(int level) {
  // Each level at most zlib's size at that level on export-like csv, and faster: level 6's
  // chain of 32 against 16-128 tried (bench/history.md).
  static constexpr Params kLevels[10] = {
      {4, 4, 8, 4, false},  // 0: not used (level 0 stores, elsewhere)
      {4, 4, 8, 4, false},
      {8, 4, 16, 8, false},
      {16, 4, 32, 32, false},
      {16, 4, 32, 8, true},
      {16, 8, 64, 16, true},
      {32, 8, 64, 16, true},
      {64, 8, 128, 16, true},
      {256, 32, 258, 128, true},
      {1024, 32, 258, 258, true},
  };
  return kLevels[std::clamp(level, 1, 9)];
}

inline void DeflateEncoder::encode(int level, std::string_view bytes, size_t dictionary_bytes, End end,
                                   std::string& out) {
  const Params params = params_of(level);
  dictionary_bytes = std::min(dictionary_bytes, bytes.size());
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t at = dictionary_bytes;
  constexpr size_t kPiece = size_t{1} << 30;
  do {
    const size_t from = at - std::min(at, kWindowBytes);
    const size_t length = std::min(kPiece, bytes.size() - at);
    const bool last = at + length == bytes.size();
    // Pieces but the last end on a byte with a sync flush, so the next can follow.
    encode_piece(params, data + from, static_cast<uint32_t>(at - from), static_cast<uint32_t>(at - from + length),
                 last ? end : End::sync_flush, out);
    at += length;
  } while (at < bytes.size());
}

inline uint32_t DeflateEncoder::insert(const uint8_t* base, uint32_t pos) {
  const uint32_t h = detail::deflate_hash(base + pos, kHashBits);
  const uint32_t candidate = head_[h];
  previous_[pos & (kWindowBytes - 1)] = candidate;
  head_[h] = pos;
  return candidate;
}

// The longest match for `pos` longer than `best` among the chain from `candidate`; 0 if none.
inline uint32_t DeflateEncoder::longest_match(const uint8_t* base, uint32_t pos, uint32_t candidate, uint32_t size,
                                              uint32_t best, uint32_t chain, uint32_t nice,
                                              uint32_t& distance) const {
  const uint32_t max_length = std::min<uint32_t>(258, size - pos);
  if (best >= max_length) return 0;
  nice = std::min(nice, max_length);
  // Distances up to 32767: the previous_ slot of pos - 32768 has just been written again.
  const uint32_t limit = pos > kWindowBytes - 1 ? pos - (kWindowBytes - 1) : 0;
  const uint8_t* here = base + pos;
  const uint32_t first = detail::load_bytes<uint32_t>(here);
  uint32_t found = 0;
  while (candidate != kNoPosition && candidate >= limit && candidate < pos && chain-- > 0) {
    const uint8_t* there = base + candidate;
    // Cheap rejects first: the 4 bytes ending where a longer match would have to go on.
    if (detail::load_bytes<uint32_t>(there + best - 3) == detail::load_bytes<uint32_t>(here + best - 3) &&
        detail::load_bytes<uint32_t>(there) == first) {
      uint32_t length = 4;
      while (length + 8 <= max_length) {
        const uint64_t diff = detail::load_bytes<uint64_t>(here + length) ^ detail::load_bytes<uint64_t>(there + length);
        if (diff != 0) {
          length += static_cast<uint32_t>(__builtin_ctzll(diff)) >> 3;
          goto measured;
        }
        length += 8;
      }
      while (length < max_length && here[length] == there[length]) ++length;
    measured:
      if (length > best) {
        best = length;
        found = length;
        distance = pos - candidate;
        if (length >= nice) break;
      }
    }
    const uint32_t next = previous_[candidate & (kWindowBytes - 1)];
    if (next >= candidate) break;  // a slot written again: the chain ends
    candidate = next;
  }
  return found;
}

inline void DeflateEncoder::add_literal(uint8_t byte) {
  symbols_.push_back(byte);
  ++litlen_counts_[byte];
}

inline void DeflateEncoder::add_match(uint32_t length, uint32_t distance) {
  symbols_.push_back((distance << 8) | (length - 3));
  ++litlen_counts_[detail::deflate_length_codes()[length - 3].symbol];
  uint32_t code, extra_bits, extra;
  detail::deflate_distance_code(distance, code, extra_bits, extra);
  ++distance_counts_[code];
}

inline void DeflateEncoder::encode_piece(const Params& params, const uint8_t* base, uint32_t start, uint32_t size,
                                         End end, std::string& out) {
  std::fill(head_.begin(), head_.end(), kNoPosition);
  symbols_.clear();
  symbols_.reserve(kBlockSymbols + 1);
  litlen_counts_.fill(0);
  distance_counts_.fill(0);
  const size_t old_size = out.size();
  out.resize(old_size + max_encoded_size(size - start));
  detail::DeflateBits bits{&out[old_size]};

  const uint32_t hashable_end = size >= 4 ? size - 3 : 0;  // positions with 4 bytes to hash
  for (uint32_t p = 0; p < std::min(start, hashable_end); ++p) insert(base, p);

  uint32_t block_from = start;
  uint32_t pos = start;
  const auto block_full = [&] { return symbols_.size() >= kBlockSymbols; };
  if (params.lazy) {
    uint32_t held_length = 0, held_distance = 0;  // the match found at pos - 1
    bool holding = false;                          // whether pos - 1 is still to be written
    while (pos < size) {
      uint32_t length = 0, distance = 0;
      if (pos < hashable_end) {
        const uint32_t candidate = insert(base, pos);
        if (held_length < params.max_lazy) {
          const uint32_t chain = held_length >= params.good_length ? params.max_chain >> 2 : params.max_chain;
          length = longest_match(base, pos, candidate, size, std::max<uint32_t>(held_length, 3), chain,
                                 params.nice_length, distance);
        }
      }
      if (holding && held_length >= 4 && length <= held_length) {
        add_match(held_length, held_distance);
        const uint32_t next = pos - 1 + held_length;
        for (uint32_t p = pos + 1; p < std::min(next, hashable_end); ++p) insert(base, p);
        pos = next;
        holding = false;
        held_length = 0;
        if (block_full()) {
          write_block(bits, base, block_from, pos, false);
          block_from = pos;
        }
        continue;
      }
      if (holding) add_literal(base[pos - 1]);
      holding = true;
      held_length = length;
      held_distance = distance;
      ++pos;
      if (block_full()) {  // the held position is not written yet: the block ends before it
        write_block(bits, base, block_from, pos - 1, false);
        block_from = pos - 1;
      }
    }
    if (holding) add_literal(base[pos - 1]);
  } else {
    while (pos < size) {
      uint32_t length = 0, distance = 0;
      if (pos < hashable_end) {
        const uint32_t candidate = insert(base, pos);
        length = longest_match(base, pos, candidate, size, 3, params.max_chain, params.nice_length, distance);
      }
      if (length >= 4) {
        add_match(length, distance);
        const uint32_t next = pos + length;
        if (length <= params.max_lazy)
          for (uint32_t p = pos + 1; p < std::min(next, hashable_end); ++p) insert(base, p);
        pos = next;
      } else {
        add_literal(base[pos]);
        ++pos;
      }
      if (block_full()) {
        write_block(bits, base, block_from, pos, false);
        block_from = pos;
      }
    }
  }
  const bool final = end == End::final_block;
  if (!symbols_.empty() || final) write_block(bits, base, block_from, size, final);
  if (!final) {
    // An empty stored block: its three header bits, padding to the byte, LEN 0, NLEN ~0.
    bits.put(0, 3);
    bits.align();
    bits.at = store_little_endian(bits.at, uint32_t{0xffff0000});
  }
  bits.align();
  out.resize(static_cast<size_t>(bits.at - out.data()));
}

inline void DeflateEncoder::write_block(detail::DeflateBits& bits, const uint8_t* base, uint32_t from, uint32_t to,
                                        bool final) {
  ++litlen_counts_[256];  // the end of the block
  const uint32_t* litlen_counts = litlen_counts_.data();
  const uint32_t* distance_counts = distance_counts_.data();
  const detail::DeflateDynamicCodes dynamic(litlen_counts, distance_counts);
  const auto& fixed = detail::deflate_fixed_lengths();
  // What each form costs, in bits.
  const uint64_t dynamic_bits =
      3 + dynamic.header_bits() + detail::deflate_symbol_bits(litlen_counts, dynamic.lengths, distance_counts,
                                                              dynamic.lengths + 286);
  const uint64_t fixed_bits =
      3 + detail::deflate_symbol_bits(litlen_counts, fixed.data(), distance_counts, fixed.data() + 288);
  const uint32_t raw = to - from;
  const uint64_t stored_bits = 8 * (static_cast<uint64_t>(raw) + 5 * (raw / 65535 + 1)) + 7;

  if (stored_bits < std::min(dynamic_bits, fixed_bits)) {
    write_stored(bits, base + from, raw, final);
  } else if (fixed_bits <= dynamic_bits) {
    bits.put((final ? 1 : 0) | (1 << 1), 3);
    write_symbols(bits, fixed.data(), 288, fixed.data() + 288);
  } else {
    bits.put((final ? 1 : 0) | (2 << 1), 3);
    dynamic.write_header(bits);
    write_symbols(bits, dynamic.lengths, 286, dynamic.lengths + 286);
  }
  symbols_.clear();
  litlen_counts_.fill(0);
  distance_counts_.fill(0);
}

inline void DeflateEncoder::write_stored(detail::DeflateBits& bits, const uint8_t* bytes, uint32_t size, bool final) {
  uint32_t at = 0;
  do {  // pieces of at most 65535 bytes, each with its header, LEN and NLEN
    const uint32_t n = std::min<uint32_t>(65535, size - at);
    bits.put(final && at + n == size ? 1 : 0, 3);
    bits.align();
    bits.at = store_little_endian(bits.at, static_cast<uint16_t>(n));
    bits.at = store_little_endian(bits.at, static_cast<uint16_t>(~n));
    std::memcpy(bits.at, bytes + at, n);
    bits.at += n;
    at += n;
  } while (at < size);
}

inline void DeflateEncoder::write_symbols(detail::DeflateBits& bits, const uint8_t* litlen_lengths,
                                          size_t litlen_symbols, const uint8_t* distance_lengths) const {
  uint16_t litlen_codes[288], distance_codes[30];
  detail::huffman_codes(litlen_lengths, litlen_symbols, litlen_codes);
  detail::huffman_codes(distance_lengths, 30, distance_codes);
  const auto& length_codes = detail::deflate_length_codes();
  for (const uint32_t symbol : symbols_) {
    if (symbol < 256) {
      bits.put(litlen_codes[symbol], litlen_lengths[symbol]);
      continue;
    }
    const detail::DeflateLengthCode lc = length_codes[symbol & 0xff];
    bits.put(litlen_codes[lc.symbol] | (static_cast<uint32_t>(lc.extra) << litlen_lengths[lc.symbol]),
             litlen_lengths[lc.symbol] + lc.extra_bits);
    uint32_t code, extra_count, extra;
    detail::deflate_distance_code(symbol >> 8, code, extra_count, extra);
    bits.put(distance_codes[code] | (extra << distance_lengths[code]), distance_lengths[code] + extra_count);
  }
  bits.put(litlen_codes[256], litlen_lengths[256]);
}

}  // namespace s3dest
