// A Thrift Compact Protocol writer: the encoding of parquet's footer (FileMetaData) and
// page headers. Parquet code calls it field by field in the order of the .thrift
// definition, so no generated code and no reflection are needed:
//
//   ThriftCompactWriter w;
//   w.begin_struct();              // PageHeader
//   w.field_i32(1, 0);             //   type = DATA_PAGE
//   w.field_i32(2, 1000);          //   uncompressed_page_size
//   w.begin_struct_field(5);       //   data_page_header
//   ...
//   w.end_struct();
//   w.end_struct();
//   sink.write(w.bytes());
//
// What the protocol does, and so what this writer does (apache/thrift
// doc/specs/thrift-compact-protocol.md):
// - a field header is one byte (id delta << 4 | type) when the id is 1..15 above the
//   previous field's id in the same struct, otherwise the type byte then the id as a
//   zigzag varint. Each struct, nested or in a list, counts ids from 0 afresh;
// - booleans in fields have no value byte: the type nibble is 1 (true) or 2 (false);
// - i16/i32/i64 are zigzag varints, double is 8 bytes little-endian, binary and string
//   are a varint length then the bytes;
// - a list header is one byte (size << 4 | element type) for sizes 0..14, otherwise
//   0xF0 | element type then the size as a varint; elements follow without headers;
// - a struct ends with a stop byte (0).
// Union types (LogicalType, ColumnOrder) are structs with exactly one field set.
//
// Using it wrongly (unbalanced structs, more list elements than announced) is a bug in
// the caller; debug builds assert, release builds write what they were told.
#pragma once

#include <cassert>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3dest::parquet {

// Element types as lists announce them (compact type ids).
enum class ThriftType : uint8_t {
  boolean = 1,  // in list headers; booleans as fields use 1/2 in the field header
  i8 = 3,
  i16 = 4,
  i32 = 5,
  i64 = 6,
  double_ = 7,
  binary = 8,  // also string
  list = 9,
  set = 10,
  map = 11,
  structure = 12,
};

class ThriftCompactWriter {
 public:
  // Starts a top-level struct (or one that is the value of something else).
  void begin_struct();
  // Ends the innermost struct: writes its stop byte.
  void end_struct();

  void field_bool(int16_t id, bool v);
  void field_i8(int16_t id, int8_t v);
  void field_i16(int16_t id, int16_t v);
  void field_i32(int16_t id, int32_t v);
  void field_i64(int16_t id, int64_t v);
  void field_double(int16_t id, double v);
  void field_binary(int16_t id, std::string_view v);  // binary and string alike
  // A struct-typed field; fill it with field_* calls, close it with end_struct().
  void begin_struct_field(int16_t id);

  // A list-typed field of `size` elements; then write exactly `size` list_* values (or
  // begin_struct_in_list/end_struct pairs). A list needs no end call.
  void begin_list_field(int16_t id, ThriftType element, uint32_t size);
  void list_bool(bool v);
  void list_i32(int32_t v);
  void list_i64(int64_t v);
  void list_binary(std::string_view v);
  void begin_struct_in_list();  // closed by end_struct()
  // A list element that is a complete struct encoded by another writer (its bytes from
  // take()): a struct's encoding does not depend on where it sits.
  void list_encoded_struct(std::string_view encoded);

  const std::string& bytes() const { return out_; }
  std::string take();
  // Forgets everything, keeping the buffer's capacity for the next header.
  void clear();

 private:
  void field_header(int16_t id, uint8_t type);
  void put_byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void put_varint(uint64_t v);
  void put_zigzag(int64_t v) { put_varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void put_binary(std::string_view v);

  std::string out_;
  // Last field id written in each open struct, innermost last.
  std::vector<int16_t> last_ids_;
};

namespace detail {
// Compact type ids used only in field headers.
constexpr uint8_t kThriftBoolTrue = 1;
constexpr uint8_t kThriftBoolFalse = 2;
}  // namespace detail

inline void ThriftCompactWriter::begin_struct() { last_ids_.push_back(0); }

inline void ThriftCompactWriter::end_struct() {
  assert(!last_ids_.empty() && "end_struct without begin");
  put_byte(0);  // stop
  last_ids_.pop_back();
}

inline void ThriftCompactWriter::field_bool(int16_t id, bool v) {
  field_header(id, v ? detail::kThriftBoolTrue : detail::kThriftBoolFalse);
}

inline void ThriftCompactWriter::field_i8(int16_t id, int8_t v) {
  field_header(id, static_cast<uint8_t>(ThriftType::i8));
  put_byte(static_cast<uint8_t>(v));
}

inline void ThriftCompactWriter::field_i16(int16_t id, int16_t v) {
  field_header(id, static_cast<uint8_t>(ThriftType::i16));
  put_zigzag(v);
}

inline void ThriftCompactWriter::field_i32(int16_t id, int32_t v) {
  field_header(id, static_cast<uint8_t>(ThriftType::i32));
  put_zigzag(v);
}

inline void ThriftCompactWriter::field_i64(int16_t id, int64_t v) {
  field_header(id, static_cast<uint8_t>(ThriftType::i64));
  put_zigzag(v);
}

inline void ThriftCompactWriter::field_double(int16_t id, double v) {
  field_header(id, static_cast<uint8_t>(ThriftType::double_));
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  for (int i = 0; i < 8; ++i) put_byte(static_cast<uint8_t>(bits >> (8 * i)));  // little-endian
}

inline void ThriftCompactWriter::field_binary(int16_t id, std::string_view v) {
  field_header(id, static_cast<uint8_t>(ThriftType::binary));
  put_binary(v);
}

inline void ThriftCompactWriter::begin_struct_field(int16_t id) {
  field_header(id, static_cast<uint8_t>(ThriftType::structure));
  last_ids_.push_back(0);
}

inline void ThriftCompactWriter::begin_list_field(int16_t id, ThriftType element, uint32_t size) {
  field_header(id, static_cast<uint8_t>(ThriftType::list));
  const auto type = static_cast<uint8_t>(element);
  if (size < 15) {
    put_byte(static_cast<uint8_t>(size << 4 | type));
  } else {
    put_byte(static_cast<uint8_t>(0xF0 | type));
    put_varint(size);
  }
}

// Booleans in lists take a byte each. 1 and 2 (not 1 and 0) are what the Java and C++
// Thrift libraries write, which is what every parquet reader has been fed; their readers
// treat anything but 1 as false.
inline void ThriftCompactWriter::list_bool(bool v) {
  put_byte(v ? detail::kThriftBoolTrue : detail::kThriftBoolFalse);
}
inline void ThriftCompactWriter::list_i32(int32_t v) { put_zigzag(v); }
inline void ThriftCompactWriter::list_i64(int64_t v) { put_zigzag(v); }
inline void ThriftCompactWriter::list_binary(std::string_view v) { put_binary(v); }
inline void ThriftCompactWriter::begin_struct_in_list() { last_ids_.push_back(0); }
inline void ThriftCompactWriter::list_encoded_struct(std::string_view encoded) { out_.append(encoded); }

inline std::string ThriftCompactWriter::take() {
  assert(last_ids_.empty() && "taking bytes of an unfinished struct");
  std::string result = std::move(out_);
  out_.clear();
  return result;
}

inline void ThriftCompactWriter::clear() {
  out_.clear();
  last_ids_.clear();
}

inline void ThriftCompactWriter::field_header(int16_t id, uint8_t type) {
  assert(!last_ids_.empty() && "field outside a struct");
  int16_t& last = last_ids_.back();
  const int delta = int{id} - int{last};
  if (delta > 0 && delta <= 15) {
    put_byte(static_cast<uint8_t>(delta << 4 | type));
  } else {
    put_byte(type);
    put_zigzag(id);
  }
  last = id;
}

inline void ThriftCompactWriter::put_varint(uint64_t v) {
  while (v >= 0x80) {
    put_byte(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  put_byte(static_cast<uint8_t>(v));
}

inline void ThriftCompactWriter::put_binary(std::string_view v) {
  put_varint(v.size());
  out_.append(v);
}

}  // namespace s3dest::parquet
