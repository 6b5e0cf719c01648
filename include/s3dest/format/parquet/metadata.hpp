// Parquet's metadata structures, as far as a flat-schema writer fills them, and their
// Thrift Compact encoding: page headers, a row group's column chunk metadata, and the
// footer (FileMetaData). Field ids are those of parquet.thrift (apache/parquet-format).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/format/parquet/column_layout.hpp"
#include "s3dest/format/parquet/page_codec.hpp"
#include "s3dest/format/parquet/thrift_compact.hpp"

namespace s3dest::parquet {

enum class Encoding : int32_t { plain = 0, rle = 3, rle_dictionary = 8 };
enum class PageType : int32_t { data_page = 0, dictionary_page = 2 };

struct Statistics {
  uint64_t null_count = 0;
  // Statistic bytes (see statistic_bytes) of the smallest and largest value, when the
  // chunk has a value that orders (not only nulls or NaNs) and both are short enough to
  // be worth storing.
  std::optional<std::string> min, max;
};

struct PageHeader {
  PageType type = PageType::data_page;
  int32_t uncompressed_size = 0;
  int32_t compressed_size = 0;
  int32_t num_values = 0;  // data pages: values and nulls; dictionary pages: entries
  Encoding encoding = Encoding::plain;
};

struct PageEncodingCount {
  PageType page_type;
  Encoding encoding;
  int32_t count;
};

struct ColumnChunkMetadata {
  std::vector<Encoding> encodings;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // pages with their headers, before compression
  int64_t total_compressed_size = 0;    // pages with their headers, as stored
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  Statistics statistics;
  std::vector<PageEncodingCount> encoding_stats;
};

// Thrift Compact bytes of a page header.
void encode_page_header(const PageHeader& header, ThriftCompactWriter& w);

// Thrift Compact bytes of one RowGroup struct (a footer lists them).
std::string encode_row_group(const std::vector<ColumnLayout>& columns, Codec codec,
                             const std::vector<ColumnChunkMetadata>& chunks, int64_t num_rows, int16_t ordinal);

// Thrift Compact bytes of the footer's FileMetaData, given its row groups' encodings.
std::string encode_file_metadata(const std::vector<ColumnLayout>& columns, int64_t num_rows,
                                 const std::vector<std::string>& encoded_row_groups, std::string_view created_by);

// Longest encoding of the metadata one column chunk adds to a row group, for the size cap:
// fixed fields, its name, and statistics whose min and max take `statistic_bytes`
// together (both fields and their deprecated twins).
inline uint64_t column_chunk_metadata_bound(const ColumnLayout& column, uint64_t statistic_bytes) {
  return 160 + column.name.size() + 2 * (statistic_bytes + 20);
}

namespace detail {

// The fields of a Statistics struct the caller has opened, and its end.
inline void encode_statistics(const ColumnLayout& column, const Statistics& s, ThriftCompactWriter& w) {
  // Fields 1 and 2 (max, min) are the deprecated signed-order forms; for the orders where
  // they agree with the column order, old readers (parquet-mr before 1.10, Hive) still
  // use them, so they are written there too.
  const bool legacy_agrees = column.order == SortOrder::signed_integer || column.order == SortOrder::floating ||
                             column.order == SortOrder::boolean;
  if (legacy_agrees && s.min && s.max) {
    w.field_binary(1, *s.max);
    w.field_binary(2, *s.min);
  }
  w.field_i64(3, static_cast<int64_t>(s.null_count));
  if (s.min && s.max) {
    w.field_binary(5, *s.max);
    w.field_binary(6, *s.min);
  }
  w.end_struct();
}

inline void encode_schema_element(const ColumnLayout& c, ThriftCompactWriter& w) {
  w.begin_struct_in_list();
  w.field_i32(1, static_cast<int32_t>(c.physical));
  if (c.physical == PhysicalType::fixed_len_byte_array) w.field_i32(2, c.type_length);
  w.field_i32(3, c.optional ? 1 : 0);  // FieldRepetitionType: REQUIRED 0, OPTIONAL 1
  w.field_binary(4, c.name);
  if (c.converted != ConvertedType::none) w.field_i32(6, static_cast<int32_t>(c.converted));
  if (c.logical == LogicalKind::decimal) {
    w.field_i32(7, c.scale);
    w.field_i32(8, c.precision);
  }
  if (c.logical != LogicalKind::none) {
    w.begin_struct_field(10);  // LogicalType, a union
    switch (c.logical) {
      case LogicalKind::string:
        w.begin_struct_field(1);  // StringType
        w.end_struct();
        break;
      case LogicalKind::decimal:
        w.begin_struct_field(5);  // DecimalType
        w.field_i32(1, c.scale);
        w.field_i32(2, c.precision);
        w.end_struct();
        break;
      case LogicalKind::date:
        w.begin_struct_field(6);  // DateType
        w.end_struct();
        break;
      case LogicalKind::timestamp_micros_utc:
        w.begin_struct_field(8);  // TimestampType
        w.field_bool(1, true);    // isAdjustedToUTC
        w.begin_struct_field(2);  // unit: TimeUnit, a union
        w.begin_struct_field(2);  // MICROS
        w.end_struct();
        w.end_struct();
        w.end_struct();
        break;
      case LogicalKind::none: break;
    }
    w.end_struct();
  }
  w.end_struct();
}

}  // namespace detail

inline void encode_page_header(const PageHeader& h, ThriftCompactWriter& w) {
  w.begin_struct();
  w.field_i32(1, static_cast<int32_t>(h.type));
  w.field_i32(2, h.uncompressed_size);
  w.field_i32(3, h.compressed_size);
  if (h.type == PageType::data_page) {
    w.begin_struct_field(5);  // DataPageHeader
    w.field_i32(1, h.num_values);
    w.field_i32(2, static_cast<int32_t>(h.encoding));
    w.field_i32(3, static_cast<int32_t>(Encoding::rle));  // definition levels
    w.field_i32(4, static_cast<int32_t>(Encoding::rle));  // repetition levels (none in flat schemas)
    w.end_struct();
  } else {
    w.begin_struct_field(7);  // DictionaryPageHeader
    w.field_i32(1, h.num_values);
    w.field_i32(2, static_cast<int32_t>(h.encoding));
    w.end_struct();
  }
  w.end_struct();
}

inline std::string encode_row_group(const std::vector<ColumnLayout>& columns, Codec codec,
                                    const std::vector<ColumnChunkMetadata>& chunks, int64_t num_rows,
                                    int16_t ordinal) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.begin_list_field(1, ThriftType::structure, static_cast<uint32_t>(chunks.size()));
  int64_t total_uncompressed = 0, total_compressed = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ColumnLayout& column = columns[i];
    const ColumnChunkMetadata& m = chunks[i];
    const int64_t chunk_offset = m.dictionary_page_offset ? *m.dictionary_page_offset : m.data_page_offset;
    total_uncompressed += m.total_uncompressed_size;
    total_compressed += m.total_compressed_size;
    w.begin_struct_in_list();  // ColumnChunk
    w.field_i64(2, chunk_offset);  // file_offset: where the chunk starts, as parquet-mr writes it
    w.begin_struct_field(3);       // ColumnMetaData
    w.field_i32(1, static_cast<int32_t>(column.physical));
    w.begin_list_field(2, ThriftType::i32, static_cast<uint32_t>(m.encodings.size()));
    for (const Encoding e : m.encodings) w.list_i32(static_cast<int32_t>(e));
    w.begin_list_field(3, ThriftType::binary, 1);
    w.list_binary(column.name);
    w.field_i32(4, static_cast<int32_t>(codec));
    w.field_i64(5, m.num_values);
    w.field_i64(6, m.total_uncompressed_size);
    w.field_i64(7, m.total_compressed_size);
    w.field_i64(9, m.data_page_offset);
    if (m.dictionary_page_offset) w.field_i64(11, *m.dictionary_page_offset);
    w.begin_struct_field(12);
    detail::encode_statistics(column, m.statistics, w);
    w.begin_list_field(13, ThriftType::structure, static_cast<uint32_t>(m.encoding_stats.size()));
    for (const PageEncodingCount& count : m.encoding_stats) {
      w.begin_struct_in_list();  // PageEncodingStats
      w.field_i32(1, static_cast<int32_t>(count.page_type));
      w.field_i32(2, static_cast<int32_t>(count.encoding));
      w.field_i32(3, count.count);
      w.end_struct();
    }
    w.end_struct();  // ColumnMetaData
    w.end_struct();  // ColumnChunk
  }
  w.field_i64(2, total_uncompressed);  // total_byte_size
  w.field_i64(3, num_rows);
  if (!chunks.empty()) {
    const ColumnChunkMetadata& first = chunks.front();
    w.field_i64(5, first.dictionary_page_offset ? *first.dictionary_page_offset : first.data_page_offset);
  }
  w.field_i64(6, total_compressed);
  w.field_i16(7, ordinal);
  w.end_struct();
  return w.take();
}

inline std::string encode_file_metadata(const std::vector<ColumnLayout>& columns, int64_t num_rows,
                                        const std::vector<std::string>& encoded_row_groups,
                                        std::string_view created_by) {
  ThriftCompactWriter w;
  w.begin_struct();
  w.field_i32(1, 1);  // version
  w.begin_list_field(2, ThriftType::structure, static_cast<uint32_t>(columns.size() + 1));
  w.begin_struct_in_list();  // the root: a group of every column
  w.field_binary(4, "schema");
  w.field_i32(5, static_cast<int32_t>(columns.size()));
  w.end_struct();
  for (const ColumnLayout& column : columns) detail::encode_schema_element(column, w);
  w.field_i64(3, num_rows);
  w.begin_list_field(4, ThriftType::structure, static_cast<uint32_t>(encoded_row_groups.size()));
  for (const std::string& row_group : encoded_row_groups) w.list_encoded_struct(row_group);
  w.field_binary(6, created_by);
  // column_orders: TYPE_ORDER for every column, so readers know min_value/max_value
  // follow each type's own order.
  w.begin_list_field(7, ThriftType::structure, static_cast<uint32_t>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    w.begin_struct_in_list();  // ColumnOrder, a union
    w.begin_struct_field(1);   // TypeDefinedOrder
    w.end_struct();
    w.end_struct();
  }
  w.end_struct();
  return w.take();
}

}  // namespace s3dest::parquet
