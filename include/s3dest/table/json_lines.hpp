// JSON input that is one array of objects ([{...}, {...}], what most APIs and many tools
// write) read as NDJSON: a filter over the source hands out each element as one line, so
// the NDJSON reader and its parallel block cutter read it as they read NDJSON, streamed,
// in bounded memory. A source whose first byte (after white space and a byte-order mark)
// is not '[' passes through untouched.
//
//   auto source = json_lines(*ByteSource::open("export.json"));  // NDJSON or an array
//
// Line breaks inside an element (outside its strings, where JSON allows none) become
// spaces, so an element is one line, and line numbers in messages count elements.
#pragma once

#include <memory>

#include "s3dest/core/byte_source.hpp"

namespace s3dest {

std::unique_ptr<ByteSource> json_lines(std::unique_ptr<ByteSource> source);

}  // namespace s3dest

// ---------------------------------------------------------------------------------------

#include <algorithm>
#include <string>
#include <utility>

namespace s3dest {
namespace detail {

class JsonArrayLines {
 public:
  explicit JsonArrayLines(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}

  Result<size_t> read(char* buf, size_t cap) {
    if (state_ == State::start) S3DEST_TRY(decide());
    if (state_ == State::passthrough) {
      if (pos_ < in_.size()) return take_buffered(buf, cap);
      return source_->read(buf, cap);
    }
    size_t out = 0;
    while (out < cap) {
      if (newline_owed_) {
        buf[out++] = '\n';
        newline_owed_ = false;
        continue;
      }
      if (pos_ == in_.size()) {
        S3DEST_ASSIGN_OR_RETURN(const bool more, fill());
        if (!more) {
          if (state_ != State::done) return error("the JSON array is not closed (a truncated file?)");
          break;
        }
        continue;
      }
      const char c = in_[pos_];
      if (state_ == State::in_element) {
        ++pos_;
        if (copy_element_byte(c, buf[out])) ++out;
        continue;
      }
      if (is_space(c)) {
        ++pos_;
        continue;
      }
      if (state_ == State::done) return error("data after the end of the JSON array");
      if (c == ',' && state_ == State::after_element) {
        state_ = State::before_element;
        ++pos_;
      } else if (c == ']' && (state_ == State::after_element || !elements_)) {
        state_ = State::done;
        ++pos_;
      } else if (c == ',' || c == ']') {
        return error(std::string(c == ',' ? "a comma" : "a ']'") + " where an element of the JSON array should be");
      } else if (state_ == State::after_element) {
        return error("a comma is missing between two elements of the JSON array");
      } else {
        state_ = State::in_element;
        ++elements_;
        depth_ = 0;
        in_string_ = escaped_ = false;
        scalar_ = c != '{' && c != '[';
      }
    }
    return out;
  }

 private:
  enum class State { start, passthrough, before_element, in_element, after_element, done };

  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  // Looks at the first byte that is not white space or a byte-order mark.
  Status decide() {
    while (in_.size() < 3) {
      S3DEST_ASSIGN_OR_RETURN(const bool more, fill());
      if (!more) break;
    }
    for (size_t i = in_.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;; ++i) {
      if (i == in_.size()) {
        S3DEST_ASSIGN_OR_RETURN(const bool more, fill());
        if (!more) break;
      }
      if (is_space(in_[i])) continue;
      if (in_[i] == '[') {
        state_ = State::before_element;
        pos_ = i + 1;
        return {};
      }
      break;
    }
    state_ = State::passthrough;  // NDJSON (or nothing): what was read, unchanged
    pos_ = 0;
    return {};
  }

  // Copies one byte of an element to `out` (false: the byte ends a scalar element and is
  // not part of it), and sees where the element ends.
  bool copy_element_byte(char c, char& out) {
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      out = c;
      return true;
    }
    if (scalar_ && (c == ',' || c == ']' || is_space(c))) {  // the scalar ended before `c`
      --pos_;
      end_element();
      return false;
    }
    if (c == '"') in_string_ = true;
    else if (c == '{' || c == '[') ++depth_;
    else if (c == '}' || c == ']') --depth_;
    out = c == '\n' || c == '\r' ? ' ' : c;
    if (!scalar_ && depth_ == 0) end_element();
    return true;
  }

  void end_element() {
    state_ = State::after_element;
    newline_owed_ = true;
  }

  Result<size_t> take_buffered(char* buf, size_t cap) {
    const size_t n = std::min(cap, in_.size() - pos_);
    in_.copy(buf, n, pos_);
    pos_ += n;
    return n;
  }

  // Appends more of the source to in_ (dropping what was used); false at its end.
  Result<bool> fill() {
    if (state_ != State::start) {
      in_.erase(0, pos_);
      pos_ = 0;
    }
    const size_t old = in_.size();
    in_.resize(old + kChunk);
    S3DEST_ASSIGN_OR_RETURN(const size_t n, source_->read(&in_[old], kChunk));
    in_.resize(old + n);
    return n > 0;
  }

  Status error(const std::string& what) const {
    return input_error(source_->name() + ": " + what + " (after element " + std::to_string(elements_) +
                       "); check the file, or give NDJSON: one object a line");
  }

  static constexpr size_t kChunk = size_t{1} << 20;
  std::unique_ptr<ByteSource> source_;
  std::string in_;
  size_t pos_ = 0;
  State state_ = State::start;
  uint64_t elements_ = 0;
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false, scalar_ = false, newline_owed_ = false;
};

}  // namespace detail

inline std::unique_ptr<ByteSource> json_lines(std::unique_ptr<ByteSource> source) {
  std::string name = source->name();
  auto lines = std::make_shared<detail::JsonArrayLines>(std::move(source));
  return ByteSource::from_function([lines](char* buf, size_t cap) { return lines->read(buf, cap); }, std::move(name));
}

}  // namespace s3dest
