#define BOOST_TEST_MODULE thrift_compact
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "s3dest/format/parquet/thrift_compact.hpp"
#include "byte_literals.hpp"

using namespace s3dest::parquet;

namespace {

using test_helpers::bytes;

// One i32 field with id 1 in a struct: header 0x15, then the zigzag varint, then stop.
std::string i32_struct(int32_t v) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_i32(1, v);
  w.end_struct();
  return w.bytes().substr(1, w.bytes().size() - 2);
}

}  // namespace

BOOST_AUTO_TEST_CASE(zigzag_maps_small_magnitudes_to_small_numbers) {
  // The spec's table: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, 2 -> 4, ...
  BOOST_TEST(i32_struct(0) == bytes({0x00}));
  BOOST_TEST(i32_struct(-1) == bytes({0x01}));
  BOOST_TEST(i32_struct(1) == bytes({0x02}));
  BOOST_TEST(i32_struct(-2) == bytes({0x03}));
  BOOST_TEST(i32_struct(2) == bytes({0x04}));
  // Varints: 7 bits a byte, low group first, high bit says "more follows".
  BOOST_TEST(i32_struct(64) == bytes({0x80, 0x01}));
  BOOST_TEST(i32_struct(std::numeric_limits<int32_t>::max()) == bytes({0xFE, 0xFF, 0xFF, 0xFF, 0x0F}));
  BOOST_TEST(i32_struct(std::numeric_limits<int32_t>::min()) == bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
}

BOOST_AUTO_TEST_CASE(i64_uses_up_to_ten_bytes) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_i64(1, std::numeric_limits<int64_t>::min());
  w.field_i64(2, 300);
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,  //
                                 0x16, 0xD8, 0x04, 0x00}));
}

BOOST_AUTO_TEST_CASE(field_headers_use_the_short_form_for_deltas_1_to_15) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_i32(1, 0);   // delta 1: 0x15
  w.field_i32(16, 0);  // delta 15: 0xF5
  w.field_i32(32, 0);  // delta 16: long form, type then zigzag id 64
  w.field_i32(5, 0);   // going back: long form
  w.field_i32(6, 0);   // delta 1 from the previous id, whatever its form
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x15, 0x00, 0xF5, 0x00, 0x05, 0x40, 0x00, 0x05, 0x0A, 0x00, 0x15, 0x00, 0x00}));
}

BOOST_AUTO_TEST_CASE(booleans_live_in_the_type_nibble) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_bool(1, true);   // type 1
  w.field_bool(2, false);  // type 2
  w.field_bool(20, true);  // long form still has no value byte
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x11, 0x12, 0x01, 0x28, 0x00}));
}

BOOST_AUTO_TEST_CASE(binary_double_and_small_ints) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_binary(1, "abc");  // varint length, then the bytes
  w.field_double(2, 1.0);    // 8 bytes little-endian
  w.field_i8(3, -1);         // one raw byte
  w.field_i16(4, -3);        // zigzag like the wider ints
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x18, 0x03, 'a', 'b', 'c', 0x17, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F,
                                 0x13, 0xFF, 0x14, 0x05, 0x00}));
}

BOOST_AUTO_TEST_CASE(list_headers_short_and_long) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.begin_list_field(1, ThriftType::i32, 3);  // size 3 in the high nibble: 0x35
  for (int v : {1, 2, 3}) w.list_i32(v);
  w.begin_list_field(2, ThriftType::i64, 15);  // 15 and up: 0xF6 then varint size
  for (int v = 0; v < 15; ++v) w.list_i64(v);
  w.begin_list_field(3, ThriftType::binary, 0);
  w.begin_list_field(4, ThriftType::boolean, 2);
  w.list_bool(true);
  w.list_bool(false);
  w.end_struct();
  std::string expected = bytes({0x19, 0x35, 0x02, 0x04, 0x06, 0x19, 0xF6, 0x0F});
  for (int v = 0; v < 15; ++v) expected.push_back(static_cast<char>(2 * v));
  expected += bytes({0x19, 0x08, 0x19, 0x21, 0x01, 0x02, 0x00});
  BOOST_TEST(w.bytes() == expected);
}

BOOST_AUTO_TEST_CASE(nested_structs_count_field_ids_afresh) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_i32(3, 7);
  w.begin_struct_field(4);  // delta 1, type 12: 0x1C
  w.field_i32(1, 1);        // delta from 0, not from 4
  w.end_struct();
  w.field_i32(5, 1);  // delta from 4, the struct field's id
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x35, 0x0E, 0x1C, 0x15, 0x02, 0x00, 0x15, 0x02, 0x00}));
}

BOOST_AUTO_TEST_CASE(structs_in_lists_have_no_field_header) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.begin_list_field(2, ThriftType::structure, 2);  // 0x29, then 0x2C
  for (int i = 0; i < 2; ++i) {
    w.begin_struct_in_list();
    w.field_binary(1, "x");
    w.end_struct();
  }
  w.field_i64(3, 1);
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x29, 0x2C, 0x18, 0x01, 'x', 0x00, 0x18, 0x01, 'x', 0x00, 0x16, 0x02, 0x00}));
}

// A parquet PageHeader as a writer produces it: DATA_PAGE, sizes 100 and 80, and a
// DataPageHeader with 10 values, PLAIN, levels RLE (enum 3).
BOOST_AUTO_TEST_CASE(parquet_page_header) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_i32(1, 0);
  w.field_i32(2, 100);
  w.field_i32(3, 80);
  w.begin_struct_field(5);
  w.field_i32(1, 10);
  w.field_i32(2, 0);
  w.field_i32(3, 3);
  w.field_i32(4, 3);
  w.end_struct();
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0xA0, 0x01, 0x2C,  //
                                 0x15, 0x14, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00}));

  std::string taken = w.take();
  BOOST_TEST(taken.size() == 19u);
  BOOST_TEST(w.bytes().empty());
  w.begin_struct();  // reusable after take()
  w.end_struct();
  BOOST_TEST(w.bytes() == bytes({0x00}));
  w.clear();
  BOOST_TEST(w.bytes().empty());
}
