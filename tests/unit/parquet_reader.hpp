// A small parquet reader for the tests, written from the specifications separately from
// the writer (it shares only the snappy and RLE decoders, which have tests of their own):
// it decodes the footer and the page headers with a generic Thrift Compact decoder and
// reads flat columns back to their PLAIN bytes, so a test can compare what went in with
// what came out and look at every structure on the way. DuckDB and hyparquet read the
// same files in the end-to-end tests. A file it cannot read throws std::runtime_error,
// so it serves the Boost tests and the fuzzer alike.
#pragma once

#include <zlib.h>
#if S3DEST_HAVE_ZSTD
#include <zstd.h>
#endif

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "s3dest/format/parquet/rle_hybrid.hpp"
#include "s3dest/format/snappy.hpp"

namespace parquet_test {

inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("not a valid parquet file: " + what);
}

// One decoded Thrift value: a struct's fields by id, a list's elements, or a scalar.
struct Thrift {
  int64_t i = 0;
  double d = 0;
  std::string bin;
  std::vector<Thrift> list;
  std::map<int, Thrift> fields;

  const Thrift& at(int id) const {
    const auto it = fields.find(id);
    if (it == fields.end()) throw std::runtime_error("thrift field " + std::to_string(id) + " missing");
    return it->second;
  }
  bool has(int id) const { return fields.count(id) != 0; }
};

class ThriftDecoder {
 public:
  explicit ThriftDecoder(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  Thrift read_struct() {
    Thrift s;
    int last = 0;
    for (;;) {
      const uint8_t header = byte();
      if (header == 0) return s;
      const int type = header & 15;
      const int delta = header >> 4;
      const int id = delta != 0 ? last + delta : static_cast<int>(zigzag());
      last = id;
      s.fields[id] = read_value(type);
    }
  }
  size_t consumed(std::string_view from) const { return static_cast<size_t>(p_ - from.data()); }

 private:
  Thrift read_value(int type) {
    Thrift v;
    switch (type) {
      case 1: v.i = 1; break;  // boolean true in a field header
      case 2: v.i = 0; break;  // boolean false
      case 3: v.i = static_cast<int8_t>(byte()); break;
      case 4: case 5: case 6: v.i = zigzag(); break;
      case 7: std::memcpy(&v.d, take(8), 8); break;
      case 8: { const uint64_t n = varint(); v.bin.assign(take(n), n); break; }
      case 9: {
        const uint8_t h = byte();
        uint64_t n = h >> 4;
        if (n == 15) n = varint();
        const int element = h & 15;
        for (uint64_t k = 0; k < n; ++k) {
          if (element == 1) { v.list.push_back(Thrift{}); v.list.back().i = byte() == 1; }
          else v.list.push_back(read_value(element));
        }
        break;
      }
      case 12: v = read_struct(); break;
      default: throw std::runtime_error("thrift type " + std::to_string(type) + " not expected in parquet");
    }
    return v;
  }
  uint8_t byte() { return static_cast<uint8_t>(*take(1)); }
  const char* take(uint64_t n) {
    if (static_cast<uint64_t>(end_ - p_) < n) throw std::runtime_error("thrift data ends early");
    const char* at = p_;
    p_ += n;
    return at;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t b = byte();
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
  }
  int64_t zigzag() {
    const uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }

  const char* p_;
  const char* end_;
};

// A column read back: PLAIN bytes per value (BOOLEAN as one byte), nullopt for null.
using ColumnValues = std::vector<std::optional<std::string>>;

struct ParquetFile {
  Thrift footer;  // FileMetaData
  std::vector<ColumnValues> columns;
  std::vector<Thrift> page_headers;  // of every page, in file order
};

inline std::string decompress(int codec, std::string_view data, size_t size) {
  if (codec == 0) return std::string(data);
  std::string out;
  if (codec == 1) {
    if (!s3dest::snappy_uncompress(data, out)) throw std::runtime_error("bad snappy page");
  } else if (codec == 2) {
    out.resize(size);
    z_stream z{};
    inflateInit2(&z, 15 + 16);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.avail_out != 0 || z.avail_in != 0) throw std::runtime_error("bad gzip page");
#if S3DEST_HAVE_ZSTD
  } else if (codec == 6) {  // one whole zstd frame
    out.resize(size);
    const size_t n = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
    if (ZSTD_isError(n) || ZSTD_findFrameCompressedSize(data.data(), data.size()) != data.size())
      throw std::runtime_error("bad zstd page");
    out.resize(n);
#endif
  } else {
    throw std::runtime_error("unknown codec " + std::to_string(codec));
  }
  if (out.size() != size) throw std::runtime_error("page size differs from its header");
  return out;
}

// Splits `count` PLAIN values of a physical type (parquet.thrift Type) off `data`.
inline std::vector<std::string> plain_values(int type, int type_length, std::string_view data, size_t count) {
  std::vector<std::string> values;
  size_t at = 0;
  for (size_t k = 0; k < count; ++k) {
    size_t n = 0;
    switch (type) {
      case 0:
        if (k / 8 >= data.size()) throw std::runtime_error("BOOLEAN values end early");
        values.push_back(std::string(1, (data[k / 8] >> (k % 8)) & 1 ? '\1' : '\0'));
        continue;
      case 1: n = 4; break;
      case 2: case 5: n = 8; break;
      case 6: {
        if (data.size() - at < 4) throw std::runtime_error("BYTE_ARRAY length past the page");
        uint32_t len;
        std::memcpy(&len, data.data() + at, 4);
        n = 4 + size_t{len};
        break;
      }
      case 7: n = static_cast<size_t>(type_length); break;
      default: throw std::runtime_error("unexpected physical type");
    }
    if (at + n > data.size()) throw std::runtime_error("PLAIN values end early");
    values.emplace_back(data.substr(at, n));
    at += n;
  }
  return values;
}

// The FileMetaData at the end of `file`, after checking its magic numbers and length.
inline Thrift read_footer(std::string_view file) {
  require(file.size() >= 12, "shorter than its magic numbers and footer length");
  require(file.substr(0, 4) == "PAR1" && file.substr(file.size() - 4) == "PAR1", "no PAR1 at both ends");
  uint32_t footer_size;
  std::memcpy(&footer_size, file.data() + file.size() - 8, 4);
  require(footer_size + 12u <= file.size(), "footer length past the start");
  const std::string_view footer_bytes = file.substr(file.size() - 8 - footer_size, footer_size);
  ThriftDecoder footer(footer_bytes);
  Thrift metadata = footer.read_struct();
  require(footer.consumed(footer_bytes) == footer_size, "footer length differs from the footer's");
  return metadata;
}

// What reading a column's pages takes from its SchemaElement.
struct ColumnShape {
  bool optional;
  int type;         // parquet.thrift Type
  int type_length;  // FIXED_LEN_BYTE_ARRAY only
};

inline ColumnShape column_shape(const Thrift& element) {
  const bool optional = element.at(3).i == 1;
  const int type = static_cast<int>(element.at(1).i);
  const int type_length = element.has(2) ? static_cast<int>(element.at(2).i) : 0;
  return {optional, type, type_length};
}

// The definition levels (1: a value, 0: null) of a data page's `count` values, taken off
// the front of `body`; all 1 for a REQUIRED column, which stores none.
inline std::vector<uint32_t> definition_levels(std::string_view& body, bool optional, size_t count) {
  if (!optional) return std::vector<uint32_t>(count, 1);
  uint32_t levels_size;
  require(body.size() >= 4, "no definition levels");
  std::memcpy(&levels_size, body.data(), 4);
  require(levels_size <= body.size() - 4, "definition levels past the page");
  std::vector<uint32_t> defined;
  require(s3dest::parquet::rle_hybrid_decode(body.substr(4, levels_size), 1, count, defined), "levels");
  body.remove_prefix(4 + levels_size);
  return defined;
}

// The `present` values of a data page body, PLAIN or as indices into `dictionary`.
inline std::vector<std::string> page_values(const Thrift& data_header, std::string_view body, const ColumnShape& shape,
                                            size_t present, const std::vector<std::string>& dictionary) {
  if (data_header.at(2).i != 8) {
    require(data_header.at(2).i == 0, "encoding neither PLAIN nor RLE_DICTIONARY");
    return plain_values(shape.type, shape.type_length, body, present);
  }
  require(!body.empty(), "no bit width");  // RLE_DICTIONARY
  const int width = static_cast<uint8_t>(body[0]);
  std::vector<uint32_t> indices;
  require(s3dest::parquet::rle_hybrid_decode(body.substr(1), width, present, indices), "indices");
  std::vector<std::string> values;
  for (const uint32_t index : indices) values.push_back(dictionary.at(index));
  return values;
}

// Appends a data page's values to `column`; returns how many it holds, nulls included.
inline size_t read_data_page(const Thrift& data_header, std::string_view body, const ColumnShape& shape,
                             const std::vector<std::string>& dictionary, ColumnValues& column) {
  const auto count = static_cast<size_t>(data_header.at(1).i);
  const std::vector<uint32_t> defined = definition_levels(body, shape.optional, count);
  size_t present = 0;
  for (const uint32_t d : defined) present += d;
  const std::vector<std::string> values = page_values(data_header, body, shape, present, dictionary);
  size_t next = 0;
  for (const uint32_t d : defined) {
    if (d) column.emplace_back(values[next++]);
    else column.emplace_back(std::nullopt);
  }
  return count;
}

// Reads the pages of one column chunk (ColumnMetaData `meta`) into `column`, and their
// headers into `page_headers`.
inline void read_column_chunk(std::string_view file, const Thrift& meta, const ColumnShape& shape,
                              ColumnValues& column, std::vector<Thrift>& page_headers) {
  const int codec = static_cast<int>(meta.at(4).i);
  int64_t at = meta.has(11) ? meta.at(11).i : meta.at(9).i;
  const int64_t end = at + meta.at(7).i;
  std::vector<std::string> dictionary;
  int64_t values_read = 0;
  while (at < end) {
    const std::string_view rest = file.substr(static_cast<size_t>(at));
    ThriftDecoder decoder(rest);
    const Thrift header = decoder.read_struct();
    page_headers.push_back(header);
    const size_t header_size = decoder.consumed(rest);
    const auto compressed_size = static_cast<size_t>(header.at(3).i);
    const std::string page = decompress(codec, rest.substr(header_size, compressed_size),
                                        static_cast<size_t>(header.at(2).i));
    at += static_cast<int64_t>(header_size + compressed_size);
    if (header.at(1).i == 2) {  // dictionary page
      dictionary = plain_values(shape.type, shape.type_length, page, static_cast<size_t>(header.at(7).at(1).i));
      continue;
    }
    values_read += static_cast<int64_t>(read_data_page(header.at(5), page, shape, dictionary, column));
  }
  require(at == end, "pages overrun their column chunk");
  require(values_read == meta.at(5).i, "num_values differs from the pages'");
}

inline ParquetFile read_parquet(const std::string& file) {
  ParquetFile result;
  result.footer = read_footer(file);
  const std::vector<Thrift>& schema = result.footer.at(2).list;
  const size_t num_columns = schema.size() - 1;
  result.columns.resize(num_columns);
  for (const Thrift& row_group : result.footer.at(4).list) {
    for (size_t c = 0; c < num_columns; ++c) {
      const ColumnShape shape = column_shape(schema[c + 1]);
      read_column_chunk(file, row_group.at(1).list[c].at(3), shape, result.columns[c], result.page_headers);
    }
  }
  return result;
}

}  // namespace parquet_test
