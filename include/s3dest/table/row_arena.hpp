// Bytes owned by the current row: values a reader has to decode or rewrite (base64 as
// bytes, nested JSON minified) live here, since the input holds them in another form.
//
//   arena.clear();                        // before each row
//   char* dst = arena.allocate(n);        // valid until the next clear()
//
// Blocks never move, so views handed out stay valid until the clear; after a row that
// needed several blocks the arena settles on one block big enough for such rows.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace s3dest {

class RowArena {
 public:
  char* allocate(size_t n);
  void clear();

 private:
  void grow(size_t n);
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> block_sizes_;
  size_t free_ = 0;
};

// ---------------------------------------------------------------------------------------

inline char* RowArena::allocate(size_t n) {
  if (n > free_) grow(n);
  char* p = blocks_.back().get() + (block_sizes_.back() - free_);
  free_ -= n;
  return p;
}

inline void RowArena::clear() {
  if (blocks_.size() > 1) {
    size_t total = 0;
    for (size_t s : block_sizes_) total += s;
    blocks_.clear();
    block_sizes_.clear();
    blocks_.emplace_back(new char[total]);
    block_sizes_.push_back(total);
  }
  free_ = block_sizes_.empty() ? 0 : block_sizes_.back();
}

inline void RowArena::grow(size_t n) {
  const size_t size = std::max<size_t>(n, 64 * 1024);
  blocks_.emplace_back(new char[size]);
  block_sizes_.push_back(size);
  free_ = size;
}

}  // namespace s3dest
