// The keys of one partition's chunks: the partition's key with its chunk id left open.
// A run lists list_prefix() to find the chunks an earlier run left in the partition, and
// chunk_id_of() tells those apart from every other key, however similar it looks:
//
//   pattern "ws1/2026/01/05/ads-" {chunk} ".csv"
//   "ws1/2026/01/05/ads-00003.csv"      -> chunk 3
//   "ws1/2026/01/05/ads-00003.csv.bak"  -> not a chunk of this partition
//   "ws1/2026/01/05/ads-3.csv"          -> not one either (chunk ids have five digits)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3dest {

// Chunk ids are written with this many digits, so they sort as numbers do.
inline constexpr int kChunkIdDigits = 5;
inline constexpr uint32_t kMaxChunkId = 99999;

class ChunkKeyPattern {
 public:
  // `pieces`: the key's text around its chunk ids, in order; one piece (the whole key)
  // when the layout has no {{chunk_id}}.
  explicit ChunkKeyPattern(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {
    if (pieces_.empty()) pieces_.emplace_back();
  }

  // Every chunk key begins with this: what to list.
  const std::string& list_prefix() const { return pieces_.front(); }
  bool has_chunk_id() const { return pieces_.size() > 1; }

  // The key of chunk `chunk_id` (1 to kMaxChunkId).
  std::string key(uint32_t chunk_id) const;
  // The chunk id when `key` is one of this partition's chunk keys (the same five digits at
  // every place the layout has {{chunk_id}}); without {{chunk_id}}, 1 for the key itself.
  std::optional<uint32_t> chunk_id_of(std::string_view key) const;

 private:
  std::vector<std::string> pieces_;
};

// Appends `chunk_id` as kChunkIdDigits digits.
void append_chunk_id(std::string& out, uint32_t chunk_id);

inline void append_chunk_id(std::string& out, uint32_t chunk_id) {
  char digits[kChunkIdDigits];
  for (int i = kChunkIdDigits - 1; i >= 0; --i, chunk_id /= 10) digits[i] = static_cast<char>('0' + chunk_id % 10);
  out.append(digits, kChunkIdDigits);
}

inline std::string ChunkKeyPattern::key(uint32_t chunk_id) const {
  std::string out = pieces_.front();
  for (size_t i = 1; i < pieces_.size(); ++i) {
    append_chunk_id(out, chunk_id);
    out += pieces_[i];
  }
  return out;
}

inline std::optional<uint32_t> ChunkKeyPattern::chunk_id_of(std::string_view key) const {
  if (!has_chunk_id()) return key == pieces_.front() ? std::optional<uint32_t>(1) : std::nullopt;
  std::optional<std::string_view> digits;
  for (size_t i = 0; i < pieces_.size(); ++i) {
    if (i > 0) {
      if (key.size() < static_cast<size_t>(kChunkIdDigits)) return std::nullopt;
      const std::string_view here = key.substr(0, kChunkIdDigits);
      for (const char c : here)
        if (c < '0' || c > '9') return std::nullopt;
      if (digits && *digits != here) return std::nullopt;
      digits = here;
      key.remove_prefix(kChunkIdDigits);
    }
    if (key.compare(0, pieces_[i].size(), pieces_[i]) != 0) return std::nullopt;
    key.remove_prefix(pieces_[i].size());
  }
  if (!key.empty()) return std::nullopt;
  uint32_t id = 0;
  for (const char c : *digits) id = id * 10 + static_cast<uint32_t>(c - '0');
  if (id == 0) return std::nullopt;
  return id;
}

}  // namespace s3dest
