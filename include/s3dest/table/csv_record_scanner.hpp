// Finds where csv records end in a text that arrives piece by piece, so the text can be
// cut into blocks of whole records that several threads parse at once
// (background_reader.hpp). It follows the grammar of CsvReader (csv_reader.hpp) exactly:
// a quote opens a quoted field only at the start of a field; inside one, a line break or
// a separator is data and "" is a quote; a quote inside an unquoted field is data.
//
//   CsvRecordScanner scanner(',');
//   scanner.scan(piece.data(), piece.size());  // again for each piece, in order
//   scanner.last_end();        // bytes up to the end of the last whole record
//   scanner.lines_to_last_end();  // line breaks in those bytes
//
// Why not a quote-parity scan (a line break is a record's end when an even number of
// quotes precede it)? It disagrees with the reader on quotes inside unquoted fields
// (5"4,x), which are common in hand-made csv: one such quote would flip every later
// split. Nor DuckDB's way, a guess at a split point in the middle of the file checked
// afterwards: that needs a second parse when the guess is wrong. Following the grammar is
// exact, and it is cheap because only quotes change its state: it jumps from quote to
// quote with memchr, and between them looks only for line breaks (which it must count
// anyway, to keep every block's line numbers right).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace s3dest {

class CsvRecordScanner {
 public:
  explicit CsvRecordScanner(char separator) : separator_(separator) {}

  // Scans the next `size` bytes of the text. Does nothing once malformed().
  void scan(const char* data, size_t size);
  // Counts `size` bytes as scanned without looking at them: the byte-order mark at the
  // start of a file, which the reader skips too.
  void skip(size_t size) { scanned_ += size; }

  uint64_t scanned() const { return scanned_; }
  // The offset just past the last whole record's line break (0 before the first).
  uint64_t last_end() const { return last_end_; }
  // The line breaks before last_end(), those inside quoted fields included.
  uint64_t lines_to_last_end() const { return lines_to_last_end_; }
  // The longest whole record (its line break included) since the last call.
  uint64_t take_longest() { return std::exchange(longest_, 0); }
  // A closing quote followed by something other than a separator or a line break: the
  // reader fails in the record that starts at last_end(), and nothing after it can be
  // cut. The scanner stops there.
  bool malformed() const { return state_ == State::malformed; }

 private:
  enum class State {
    field_start,      // at the start of a field: a quote here opens a quoted field
    unquoted,         // inside an unquoted field
    quoted,           // inside a quoted field
    quote_in_quoted,  // just after a quote inside a quoted field: closing, or the first of ""
    closed_cr,        // after a closing quote and a '\r', which only '\n' may follow
    malformed,
  };

  void record_end(uint64_t end) {
    longest_ = std::max(longest_, end - last_end_);
    last_end_ = end;
    lines_to_last_end_ = lines_;
  }
  // [data + from, data + to) holds no quote, outside quoted fields: every line break in it
  // ends a record. Returns the state at `to`.
  State scan_unquoted(const char* data, size_t from, size_t to, State state);

  const char separator_;
  State state_ = State::field_start;
  uint64_t scanned_ = 0;  // offset of the next byte scan() sees
  uint64_t lines_ = 0;    // line breaks scanned
  uint64_t last_end_ = 0;
  uint64_t lines_to_last_end_ = 0;
  uint64_t longest_ = 0;
};

// ---------------------------------------------------------------------------------------

inline void CsvRecordScanner::scan(const char* data, size_t size) {
  size_t i = 0;
  while (i < size && state_ != State::malformed) {
    switch (state_) {
      case State::field_start:
      case State::unquoted: {
        const void* found = std::memchr(data + i, '"', size - i);
        const size_t quote = found ? static_cast<size_t>(static_cast<const char*>(found) - data) : size;
        state_ = scan_unquoted(data, i, quote, state_);
        if (quote == size) {
          i = size;
          break;
        }
        // Only a quote at a field's start opens a quoted field; elsewhere it is data.
        state_ = state_ == State::field_start ? State::quoted : State::unquoted;
        i = quote + 1;
        break;
      }
      case State::quoted: {
        const void* found = std::memchr(data + i, '"', size - i);
        const size_t quote = found ? static_cast<size_t>(static_cast<const char*>(found) - data) : size;
        lines_ += static_cast<uint64_t>(std::count(data + i, data + quote, '\n'));
        if (quote < size) state_ = State::quote_in_quoted;
        i = std::min(quote + 1, size);
        break;
      }
      case State::quote_in_quoted: {
        const char c = data[i++];
        if (c == '"') {
          state_ = State::quoted;  // "" is a quote inside the field
        } else if (c == separator_) {
          state_ = State::field_start;
        } else if (c == '\n') {
          ++lines_;
          record_end(scanned_ + i);
          state_ = State::field_start;
        } else if (c == '\r') {
          state_ = State::closed_cr;
        } else {
          state_ = State::malformed;
        }
        break;
      }
      case State::closed_cr: {
        if (data[i++] != '\n') {
          state_ = State::malformed;
          break;
        }
        ++lines_;
        record_end(scanned_ + i);
        state_ = State::field_start;
        break;
      }
      case State::malformed:
        break;
    }
  }
  scanned_ += size;
}

inline CsvRecordScanner::State CsvRecordScanner::scan_unquoted(const char* data, size_t from, size_t to,
                                                               State state) {
  if (from == to) return state;
  for (size_t p = from;;) {
    const void* found = std::memchr(data + p, '\n', to - p);
    if (found == nullptr) break;
    p = static_cast<size_t>(static_cast<const char*>(found) - data) + 1;
    ++lines_;
    record_end(scanned_ + p);
    if (p == to) break;
  }
  // The state at `to` is decided by the byte before it: a separator or a line break
  // starts a field, anything else continues one.
  const char last = data[to - 1];
  return last == separator_ || last == '\n' ? State::field_start : State::unquoted;
}

}  // namespace s3dest
