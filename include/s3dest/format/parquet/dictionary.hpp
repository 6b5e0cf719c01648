// The distinct values of one column chunk, for dictionary encoding: each value gets the
// index of its first appearance, and the values in index order, PLAIN-encoded one after
// the other, are exactly the dictionary page.
//
// Values are looked up by their PLAIN bytes, so one table serves every physical type. It
// is an open-addressing hash table (linear probing, at most half full) whose slots hold
// an entry's first 8 bytes and hash beside its index, so a probe costs one memory access.
// Values of at most 8 PLAIN bytes (numbers, dates, timestamps, strings of up to 4 bytes
// behind their length) are told apart by the slot alone; only longer ones are compared
// with the entry's bytes. (A column of distinct numbers makes a table of megabytes,
// where each memory access is a cache miss.)
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace s3dest::parquet {

namespace detail {
// A value's first 8 bytes, zero-padded: what its slot keeps of it.
inline uint64_t dictionary_head(std::string_view plain);
// Where in the table a value goes, and what its slot keeps beside its head.
inline uint32_t dictionary_hash(uint64_t head, std::string_view plain);
}  // namespace detail

class Dictionary {
 public:
  // The index of `plain`, added as a new entry if it is not there yet (`added` says
  // which). kFull, and nothing added, when a new entry would take the page past
  // `max_page_bytes`. (An index, not an optional: this is called for every value, and an
  // optional comes back through memory.)
  uint32_t find_or_add(std::string_view plain, size_t max_page_bytes, bool& added);
  static constexpr uint32_t kFull = UINT32_MAX;

  // Starts the table at the size `entries` need, rather than at 16 slots doubling as
  // entries come (each doubling moves every entry): a column's chunks in one load tend to
  // end alike. At most kMaxExpectedEntries, so a guess costs little memory when wrong.
  void expect(size_t entries);
  static constexpr size_t kMaxExpectedEntries = 4096;

  size_t size() const { return offsets_.size(); }
  std::string_view entry(uint32_t index) const;
  // The dictionary page's content (before compression).
  const std::string& page() const { return page_; }
  // Bytes allocated: the page, the offsets and the table.
  size_t memory() const { return page_.capacity() + offsets_.capacity() * 4 + slots_.capacity() * sizeof(Slot); }
  // Empty, ready for the next column chunk; keeps the buffers.
  void clear();
  // Empty, with its buffers freed. (Swapped out, not assigned `Dictionary()`: a string
  // assigned an empty one keeps its buffer, and every released file of a column of
  // 200 KB strings kept its last one, 44 MB in 228 files at memory_limit_mb 64.)
  void release() {
    std::string().swap(page_);
    std::vector<uint32_t>().swap(offsets_);
    std::vector<Slot>().swap(slots_);
  }

 private:
  struct Slot {
    uint64_t head = 0;   // the entry's first 8 bytes, zero-padded
    uint32_t hash = 0;
    uint32_t index = 0;  // the entry's index + 1; 0 is an empty slot
  };

  void grow();

  std::string page_;
  std::vector<uint32_t> offsets_;  // where each entry starts in page_
  std::vector<Slot> slots_;
  size_t first_slots_ = 16;  // a power of two
};

inline std::string_view Dictionary::entry(uint32_t index) const {
  const size_t begin = offsets_[index];
  const size_t end = index + 1 < offsets_.size() ? offsets_[index + 1] : page_.size();
  return std::string_view(page_).substr(begin, end - begin);
}

inline uint32_t Dictionary::find_or_add(std::string_view plain, size_t max_page_bytes, bool& added) {
  added = false;
  // Small at first (it doubles as entries come): a file of many thousands of columns
  // holds one table per column.
  if (slots_.empty()) {
    slots_.resize(first_slots_);
    offsets_.reserve(first_slots_ / 2);
  }
  const uint64_t head = detail::dictionary_head(plain);
  const uint32_t h = detail::dictionary_hash(head, plain);
  const size_t mask = slots_.size() - 1;
  size_t slot = h & mask;
  for (; slots_[slot].index != 0; slot = (slot + 1) & mask) {
    const Slot& candidate = slots_[slot];
    if (candidate.head != head || candidate.hash != h) continue;
    // Short values are their head: a column's values all have one width, or (BYTE_ARRAY)
    // begin with their length.
    if (plain.size() <= sizeof head || entry(candidate.index - 1) == plain) return candidate.index - 1;
  }
  if (page_.size() + plain.size() > max_page_bytes) return kFull;
  const auto index = static_cast<uint32_t>(offsets_.size());
  offsets_.push_back(static_cast<uint32_t>(page_.size()));
  page_.append(plain);
  slots_[slot] = Slot{head, h, index + 1};
  added = true;
  if (offsets_.size() * 2 > slots_.size()) grow();
  return index;
}

inline void Dictionary::expect(size_t entries) {
  first_slots_ = 16;
  // At most half full once they are in.
  while (first_slots_ < 2 * std::min(entries, kMaxExpectedEntries)) first_slots_ *= 2;
}

inline void Dictionary::clear() {
  page_.clear();
  offsets_.clear();
  std::fill(slots_.begin(), slots_.end(), Slot{});
}

inline void Dictionary::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (const Slot& entry : old) {
    if (entry.index == 0) continue;
    size_t slot = entry.hash & mask;
    while (slots_[slot].index != 0) slot = (slot + 1) & mask;
    slots_[slot] = entry;
  }
}

namespace detail {

// The first `n` (at most 8) bytes at `p` as a number, zero-padded: a few loads, not a
// memcpy of variable length.
inline uint64_t load_up_to_8(const char* p, size_t n) {
  uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n >= 8) {
    std::memcpy(&v, p, 8);
    return v;
  }
  if (n >= 4) {  // two loads that overlap; the bytes they share are the same
    uint32_t low, high;
    std::memcpy(&low, p, 4);
    std::memcpy(&high, p + n - 4, 4);
    return low | uint64_t{high} << (8 * (n - 4));
  }
#endif
  for (size_t i = 0; i < std::min<size_t>(n, 8); ++i) v |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

inline uint64_t dictionary_head(std::string_view plain) { return load_up_to_8(plain.data(), plain.size()); }

// A multiply-xorshift mix, eight bytes at a time (the head first): fast for the short
// values dictionaries hold, and the low bits (the slot) depend on every input byte.
inline uint32_t dictionary_hash(uint64_t head, std::string_view bytes) {
  uint64_t h = (0x9E3779B97F4A7C15ull ^ bytes.size() ^ head) * 0xFF51AFD7ED558CCDull;
  h ^= h >> 32;
  if (bytes.size() > 8) {
    const char* p = bytes.data() + 8;
    size_t n = bytes.size() - 8;
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      h = (h ^ word) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
    h ^= load_up_to_8(p, n);
  }
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 29;
  return static_cast<uint32_t>(h);
}

}  // namespace detail

}  // namespace s3dest::parquet
