#define BOOST_TEST_MODULE avro_format
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "s3dest/format/avro_format.hpp"
#include "s3dest/table/decimal.hpp"
#include "gzip_helpers.hpp"

using namespace s3dest;
namespace fs = std::filesystem;

namespace {

using test_helpers::inflate_raw;

std::string hex(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string long_hex(int64_t v) {
  std::string out;
  avro::append_long(out, v);
  return hex(out);
}

std::string decimal_hex(int128_t v) {
  std::string out;
  avro::append_decimal(out, v);
  return hex(out);
}

int128_t nines(int digits) {
  int128_t v = 0;
  for (int i = 0; i < digits; ++i) v = v * 10 + 9;
  return v;
}

constexpr std::array<unsigned char, 16> kSync = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3,
                                                 4,    5,    6,    7,    8, 9, 10, 11};

std::unique_ptr<AvroFormat> make_format(const Schema& schema, AvroOptions options) {
  auto format = AvroFormat::create(schema, options);
  BOOST_REQUIRE_MESSAGE(format.ok(), format.status().message());
  return std::move(*format);
}

// ---- A small container reader, written from the specification for these tests.

struct Cursor {
  std::string_view data;
  size_t pos = 0;
  int64_t read_long() {
    uint64_t n = 0;
    for (int shift = 0;; shift += 7) {
      BOOST_REQUIRE(pos < data.size() && shift < 70);
      const unsigned char b = static_cast<unsigned char>(data[pos++]);
      n |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    return static_cast<int64_t>(n >> 1) ^ -static_cast<int64_t>(n & 1);
  }
  std::string_view read(size_t n) {
    BOOST_REQUIRE(pos + n <= data.size());
    const std::string_view out = data.substr(pos, n);
    pos += n;
    return out;
  }
  std::string_view read_bytes() { return read(static_cast<size_t>(read_long())); }
};

struct Container {
  std::string schema, codec;
  std::vector<std::pair<int64_t, std::string>> blocks;  // rows, decoded data
  int64_t rows() const {
    int64_t n = 0;
    for (const auto& b : blocks) n += b.first;
    return n;
  }
  std::string data() const {
    std::string all;
    for (const auto& b : blocks) all += b.second;
    return all;
  }
};

Container read_container(std::string_view file) {
  Container c;
  Cursor in{file};
  BOOST_REQUIRE(in.read(4) == std::string_view("Obj\x01", 4));
  for (int64_t n; (n = in.read_long()) != 0;) {
    if (n < 0) {
      n = -n;
      in.read_long();
    }
    for (int64_t i = 0; i < n; ++i) {
      const std::string key(in.read_bytes());
      const std::string value(in.read_bytes());
      if (key == "avro.schema") c.schema = value;
      if (key == "avro.codec") c.codec = value;
    }
  }
  const std::string_view sync = in.read(16);
  while (in.pos < file.size()) {
    const int64_t rows = in.read_long();
    BOOST_CHECK_GT(rows, 0);
    const std::string_view data = in.read_bytes();
    BOOST_REQUIRE(in.read(16) == sync);
    c.blocks.emplace_back(rows, c.codec == "deflate" ? inflate_raw(data) : std::string(data));
  }
  return c;
}

Status write_file(const AvroFormat& format, const std::vector<std::string>& records, uint64_t cap,
                  StringSink& file, size_t* added = nullptr) {
  auto encoder = format.new_file();
  S3DEST_TRY(encoder->begin(file, cap));
  size_t n = 0;
  for (const auto& record : records) {
    S3DEST_ASSIGN_OR_RETURN(const bool ok, encoder->try_add(record));
    if (!ok) break;
    ++n;
  }
  if (added) *added = n;
  return encoder->finish();
}

// ---- The edge-case table read back by independent readers.

Schema edge_schema() {
  Schema s;
  s.columns = {
      {"text", {TypeId::string}, true},
      {"blob", {TypeId::binary}, true},
      {"flag", {TypeId::boolean}, true},
      {"i32", {TypeId::int32}, false},
      {"i64", {TypeId::int64}, true},
      {"real", {TypeId::float64}, true},
      {"day", {TypeId::date}, true},
      {"ts", {TypeId::timestamp}, true},
      {"big", {TypeId::decimal, 38, 10}, true},
      {"cost (usd)", {TypeId::decimal, 5, 2}, false},
      {"2nd", {TypeId::string}, false},
  };
  return s;
}

struct EdgeTable {
  std::deque<std::string> storage;  // Values point into these
  std::vector<Row> rows;
};

// `finite`: no NaN or infinities (avrocat's JSON output cannot show them).
EdgeTable edge_rows(size_t count, bool finite = false) {
  EdgeTable t;
  const std::string long_text = [] {
    std::string s;
    while (s.size() < 300000) s += "long ü text 日本 ";
    return s;
  }();
  static const char kControl[] = "nul\0in\nside \"q\" \\";
  const std::vector<std::string> texts = {"", "plain", "h\xC3\xA9llo \xE2\x80\x94 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89",
                                          std::string(kControl, sizeof kControl - 1), long_text};
  const std::vector<std::string> blobs = {"", std::string("\x00\xff\x80\x7f", 4), "abc"};
  const int64_t i64[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0, -1, 63, 64, -65};
  const int64_t i32[] = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), 0, -1};
  const double reals[] = {0.1, -0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                          std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::max(), 1e300};
  const int64_t days[] = {-25567, -1, 0, 2932896, -719162, 20000};  // 1900, 1969-12-31, 1970, 9999-12-31, 0001-01-01
  const int64_t micros[] = {-1, 1, 1700000000123456, -62135596800000000, 253402300799999999, -2208988800000001};
  const int128_t bigs[] = {nines(38), -nines(38), 0, -1, 1, 255, -128, -129, static_cast<int128_t>(1) << 100};
  const int128_t smalls[] = {nines(5), -nines(5), 0, 12345, -1};
  for (size_t i = 0; i < count; ++i) {
    Row row(11);
    t.storage.push_back(texts[i % texts.size()]);
    row[0] = i % 6 == 5 ? Value::null() : Value::of_bytes(t.storage.back());
    t.storage.push_back(blobs[i % blobs.size()]);
    row[1] = i % 4 == 3 ? Value::null() : Value::of_bytes(t.storage.back());
    row[2] = i % 3 == 2 ? Value::null() : Value::of_bool(i % 2 == 0);
    row[3] = Value::of_int(i32[i % 4]);
    row[4] = i % 8 == 7 ? Value::null() : Value::of_int(i64[i % 7]);
    const double real = reals[i % 8];
    row[5] = i % 9 == 8 || (finite && !std::isfinite(real)) ? Value::null() : Value::of_double(real);
    row[6] = i % 7 == 6 ? Value::null() : Value::of_int(days[i % 6]);
    row[7] = i % 7 == 6 ? Value::null() : Value::of_int(micros[i % 6]);
    row[8] = i % 10 == 9 ? Value::null() : Value::of_decimal(bigs[i % 9]);
    row[9] = Value::of_decimal(smalls[i % 5]);
    t.storage.push_back("row " + std::to_string(i));
    row[10] = Value::of_bytes(t.storage.back());
    t.rows.push_back(std::move(row));
  }
  return t;
}

// A row as the Python reader below prints it.
std::string expected_line(const Schema& schema, const Row& row, bool binary_strings) {
  std::string line;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (i) line += '|';
    const Value& v = row[i];
    const ColumnType& type = schema.columns[i].type;
    if (v.is_null) {
      line += "null";
      continue;
    }
    switch (type.id) {
      case TypeId::string: line += (binary_strings ? "b:" : "s:") + hex(v.bytes); break;
      case TypeId::binary: line += "b:" + hex(v.bytes); break;
      case TypeId::boolean: line += v.boolean ? "true" : "false"; break;
      case TypeId::int32:
      case TypeId::int64: line += std::to_string(v.integer); break;
      case TypeId::float64: {
        std::string le;
        avro::append_double(le, v.real);
        line += "f:" + hex(le);
        break;
      }
      case TypeId::date: line += "date:" + std::to_string(v.integer); break;
      case TypeId::timestamp: line += "ts:" + std::to_string(v.integer); break;
      case TypeId::decimal: line += "dec:"; append_decimal(line, v.decimal, type.scale); break;
    }
  }
  return line;
}

// Prints every record of each file, one line each, fields as expected_line writes them.
const char kPythonReader[] = R"PY(
import datetime, decimal, struct, sys
import avro.datafile, avro.io

def hx(b):
    return ' '.join('%02x' % c for c in b)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def show(v):
    if v is None: return 'null'
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, int): return str(v)
    if isinstance(v, float): return 'f:' + hx(struct.pack('<d', v))
    if isinstance(v, str): return 's:' + hx(v.encode('utf-8'))
    if isinstance(v, bytes): return 'b:' + hx(v)
    if isinstance(v, datetime.datetime): return 'ts:' + str((v - EPOCH) // datetime.timedelta(microseconds=1))
    if isinstance(v, datetime.date): return 'date:' + str((v - datetime.date(1970, 1, 1)).days)
    if isinstance(v, decimal.Decimal): return 'dec:' + format(v, 'f')
    raise TypeError(type(v))

for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        print('schema:' + reader.get_meta('avro.schema').decode('utf-8'))
        print('codec:' + reader.get_meta('avro.codec').decode('utf-8'))
        names = [field.name for field in reader.datum_reader.writers_schema.fields]
        for record in reader:
            print('|'.join(show(record[n]) for n in names))
        reader.close()
)PY";

std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(pipe, "could not run " << command);
  std::string out;
  char buffer[1 << 16];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int rc = pclose(pipe);
  BOOST_REQUIRE_MESSAGE(rc == 0, command << " failed (status " << rc << ")");
  return out;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(text.substr(start, nl - start));
  return out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "s3dest-avro-XXXXXX").string();
    BOOST_REQUIRE(mkdtemp(tmpl.data()));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

void save(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  BOOST_REQUIRE(out.good());
}

}  // namespace

// ---- Binary encoding: the specification's own examples.

BOOST_AUTO_TEST_CASE(longs_are_zigzag_varints_as_in_the_specification) {
  BOOST_CHECK_EQUAL(long_hex(0), "00");
  BOOST_CHECK_EQUAL(long_hex(-1), "01");
  BOOST_CHECK_EQUAL(long_hex(1), "02");
  BOOST_CHECK_EQUAL(long_hex(-2), "03");
  BOOST_CHECK_EQUAL(long_hex(2), "04");
  BOOST_CHECK_EQUAL(long_hex(-64), "7f");
  BOOST_CHECK_EQUAL(long_hex(64), "80 01");
  BOOST_CHECK_EQUAL(long_hex(-65), "81 01");
  BOOST_CHECK_EQUAL(long_hex(8192), "80 80 01");
  BOOST_CHECK_EQUAL(long_hex(std::numeric_limits<int64_t>::max()), "fe ff ff ff ff ff ff ff ff 01");
  BOOST_CHECK_EQUAL(long_hex(std::numeric_limits<int64_t>::min()), "ff ff ff ff ff ff ff ff ff 01");
  for (const int64_t v : {int64_t{0}, int64_t{63}, int64_t{64}, int64_t{-65}, int64_t{1} << 40,
                          std::numeric_limits<int64_t>::min()}) {
    std::string out;
    avro::append_long(out, v);
    BOOST_CHECK_EQUAL(avro::long_size(v), out.size());
  }
}

BOOST_AUTO_TEST_CASE(strings_doubles_and_booleans) {
  std::string out;
  avro::append_bytes(out, "foo");  // the specification's example
  BOOST_CHECK_EQUAL(hex(out), "06 66 6f 6f");
  out.clear();
  avro::append_double(out, 1.0);
  BOOST_CHECK_EQUAL(hex(out), "00 00 00 00 00 00 f0 3f");
  out.clear();
  avro::append_boolean(out, true);
  avro::append_boolean(out, false);
  BOOST_CHECK_EQUAL(hex(out), "01 00");
}

BOOST_AUTO_TEST_CASE(decimals_are_minimal_big_endian_twos_complement) {
  BOOST_CHECK_EQUAL(decimal_hex(0), "02 00");
  BOOST_CHECK_EQUAL(decimal_hex(-1), "02 ff");
  BOOST_CHECK_EQUAL(decimal_hex(1), "02 01");
  BOOST_CHECK_EQUAL(decimal_hex(127), "02 7f");
  BOOST_CHECK_EQUAL(decimal_hex(128), "04 00 80");
  BOOST_CHECK_EQUAL(decimal_hex(255), "04 00 ff");
  BOOST_CHECK_EQUAL(decimal_hex(-128), "02 80");
  BOOST_CHECK_EQUAL(decimal_hex(-129), "04 ff 7f");
  BOOST_CHECK_EQUAL(decimal_hex(65535), "06 00 ff ff");
  // 38 nines need 127 bits: all 16 bytes.
  BOOST_CHECK_EQUAL(decimal_hex(nines(38)), "20 4b 3b 4c a8 5a 86 c4 7a 09 8a 22 3f ff ff ff ff");
  BOOST_CHECK_EQUAL(decimal_hex(-nines(38)), "20 b4 c4 b3 57 a5 79 3b 85 f6 75 dd c0 00 00 00 01");
}

// ---- Schema and records.

BOOST_AUTO_TEST_CASE(schema_maps_every_type_and_nullability) {
  Schema schema = edge_schema();
  const auto format = make_format(schema, {});
  BOOST_CHECK_EQUAL(format->extension(), ".avro");
  BOOST_CHECK_EQUAL(
      format->schema_json(),
      R"({"type":"record","name":"row","namespace":"s3dest","fields":[)"
      R"({"name":"text","type":["null","string"],"default":null},)"
      R"({"name":"blob","type":["null","bytes"],"default":null},)"
      R"({"name":"flag","type":["null","boolean"],"default":null},)"
      R"({"name":"i32","type":"int"},)"
      R"({"name":"i64","type":["null","long"],"default":null},)"
      R"({"name":"real","type":["null","double"],"default":null},)"
      R"({"name":"day","type":["null",{"type":"int","logicalType":"date"}],"default":null},)"
      R"({"name":"ts","type":["null",{"type":"long","logicalType":"timestamp-micros"}],"default":null},)"
      R"({"name":"big","type":["null",{"type":"bytes","logicalType":"decimal","precision":38,"scale":10}],"default":null},)"
      R"J({"name":"cost__usd_","doc":"cost (usd)","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}},)J"
      R"({"name":"_2nd","doc":"2nd","type":"string"}]})");
  AvroOptions binary;
  binary.binary_strings = true;
  const auto binary_format = make_format(schema, binary);
  BOOST_CHECK(binary_format->schema_json().find(R"({"name":"text","type":["null","bytes"])") != std::string::npos);
  BOOST_CHECK(binary_format->schema_json().find(R"({"name":"_2nd","doc":"2nd","type":"bytes"})") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(column_names_become_avro_names) {
  BOOST_CHECK_EQUAL(avro_field_name("campaign_id"), "campaign_id");
  BOOST_CHECK_EQUAL(avro_field_name("Campaign Name"), "Campaign_Name");
  BOOST_CHECK_EQUAL(avro_field_name("cost-usd"), "cost_usd");
  BOOST_CHECK_EQUAL(avro_field_name("1st"), "_1st");
  BOOST_CHECK_EQUAL(avro_field_name(""), "_");
  BOOST_CHECK_EQUAL(avro_field_name("h\xC3\xA9"), "h__");  // each byte of a non-ASCII letter
}

BOOST_AUTO_TEST_CASE(columns_that_would_share_a_field_name_are_refused) {
  Schema schema;
  schema.columns = {{"a b", {TypeId::string}, true}, {"a-b", {TypeId::int64}, true}};
  const auto format = AvroFormat::create(schema, {});
  BOOST_REQUIRE(!format.ok());
  BOOST_CHECK(format.status().kind() == ErrorKind::usage);
  BOOST_CHECK_EQUAL(format.status().message(),
                    "columns \"a b\" and \"a-b\" would both be the avro field \"a_b\" (avro names hold only "
                    "letters, digits and _): rename one of them");
  AvroOptions bad_level;
  bad_level.deflate_level = 10;
  BOOST_CHECK(!AvroFormat::create(Schema{}, bad_level).ok());
}

BOOST_AUTO_TEST_CASE(a_record_is_the_rows_datum) {
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, false},
                    {"name", {TypeId::string}, true},
                    {"ok", {TypeId::boolean}, true},
                    {"cost", {TypeId::decimal, 12, 2}, true}};
  const auto format = make_format(schema, {});
  std::string record;
  format->encode_record({Value::of_int(-2), Value::of_bytes("foo"), Value::null(), Value::of_decimal(255)}, record);
  // long -2 | union 1, "foo" | union 0 | union 1, bytes 00 ff
  BOOST_CHECK_EQUAL(hex(record), "03 02 06 66 6f 6f 00 02 04 00 ff");
}

// ---- The container.

BOOST_AUTO_TEST_CASE(header_bytes) {
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, false}};
  AvroOptions options;
  options.codec = AvroOptions::Codec::null;
  options.sync_marker = kSync;
  const auto format = make_format(schema, options);
  StringSink file;
  auto encoder = format->new_file();
  BOOST_REQUIRE(encoder->begin(file, 1000).ok());
  BOOST_REQUIRE(encoder->finish().ok());

  const std::string schema_json =
      R"({"type":"record","name":"row","namespace":"s3dest","fields":[{"name":"id","type":"long"}]})";
  std::string expected("Obj\x01", 4);
  expected += '\x04';  // a map block of 2 entries
  expected += '\x16';  // "avro.schema": 11 bytes
  expected += "avro.schema";
  // The schema's length, zig-zag doubled, as a two-byte varint (64 <= length < 8192).
  BOOST_REQUIRE(schema_json.size() >= 64 && schema_json.size() < 8192);
  expected += static_cast<char>(((schema_json.size() * 2) & 0x7f) | 0x80);
  expected += static_cast<char>((schema_json.size() * 2) >> 7);
  expected += schema_json;
  expected += '\x14';  // "avro.codec": 10 bytes
  expected += "avro.codec";
  expected += '\x08';
  expected += "null";
  expected += '\x00';  // end of map
  expected.append(reinterpret_cast<const char*>(kSync.data()), 16);
  BOOST_CHECK_EQUAL(hex(file.data()), hex(expected));  // an empty file is just the header

  // One block: count 2, size 2, the records, the sync marker.
  StringSink with_rows;
  encoder = format->new_file();
  BOOST_REQUIRE(encoder->begin(with_rows, 1000).ok());
  BOOST_REQUIRE(*encoder->try_add("\x02"));
  BOOST_REQUIRE(*encoder->try_add("\x04"));
  BOOST_REQUIRE(encoder->finish().ok());
  BOOST_CHECK_EQUAL(hex(with_rows.data()), hex(expected + "\x04\x04\x02\x04" + std::string(expected.end() - 16, expected.end())));
}

BOOST_AUTO_TEST_CASE(a_cap_below_the_header_is_a_usage_error) {
  const auto format = make_format(edge_schema(), {});
  StringSink file;
  auto encoder = format->new_file();
  const Status status = encoder->begin(file, 100);
  BOOST_REQUIRE(!status.ok());
  BOOST_CHECK(status.kind() == ErrorKind::usage);
  BOOST_CHECK(status.message().find("raise") != std::string::npos);
  BOOST_CHECK(status.message().find("max_file_size_mb") != std::string::npos);
  BOOST_CHECK_EQUAL(file.size(), 0u);
}

// Fill files the way the chunk writer does: try_add until it says no, then finish. The
// finished file never passes the cap, ends near it, and holds every record it accepted.
BOOST_AUTO_TEST_CASE(files_stay_within_the_cap_and_end_near_it) {
  Schema schema;
  schema.columns = {{"id", {TypeId::int64}, false}, {"name", {TypeId::string}, true}, {"noise", {TypeId::binary}, true}};
  uint64_t x = 88172645463325252ull;
  std::deque<std::string> storage;
  std::vector<std::string> records;
  for (int i = 0; i < 60000; ++i) {
    std::string noise(i % 3 == 0 ? 40 : 0, '\0');  // some incompressible bytes
    for (char& c : noise) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      c = static_cast<char>(x);
    }
    storage.push_back("campaign " + std::to_string(i * 7919 % 1000));
    storage.push_back(noise);
  }
  records.resize(storage.size() / 2);
  for (const auto codec : {AvroOptions::Codec::null, AvroOptions::Codec::deflate}) {
    AvroOptions options;
    options.codec = codec;
    const auto format = make_format(schema, options);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].clear();
      format->encode_record({Value::of_int(static_cast<int64_t>(i)), Value::of_bytes(storage[2 * i]),
                             Value::of_bytes(storage[2 * i + 1])},
                            records[i]);
    }
    for (const uint64_t cap : {400u, 4096u, 10000u, 65536u, 300000u, 1000000u}) {
      StringSink file;
      size_t added = 0;
      BOOST_REQUIRE(write_file(*format, records, cap, file, &added).ok());
      BOOST_TEST_CONTEXT("codec " << (codec == AvroOptions::Codec::null ? "null" : "deflate") << ", cap " << cap) {
        BOOST_CHECK_LE(file.size(), cap);
        BOOST_CHECK_LT(added, records.size());
        if (cap >= 4096) BOOST_CHECK_GE(file.size(), cap * 9 / 10);
        const Container c = read_container(file.data());
        BOOST_CHECK_EQUAL(c.rows(), static_cast<int64_t>(added));
        std::string expected;
        for (size_t i = 0; i < added; ++i) expected += records[i];
        BOOST_CHECK(c.data() == expected);
        for (const auto& block : c.blocks) BOOST_CHECK_LE(block.second.size(), detail::AvroFileEncoder::kBlockBytes + 200);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_record_alone_too_big_for_the_cap_is_not_added) {
  const auto format = make_format(edge_schema(), {});
  StringSink file;
  size_t added = 1;
  BOOST_REQUIRE(write_file(*format, {std::string(5000, 'x')}, 3000, file, &added).ok());
  BOOST_CHECK_EQUAL(added, 0u);
  BOOST_CHECK_LE(file.size(), 3000u);
  BOOST_CHECK_EQUAL(read_container(file.data()).rows(), 0);
}

BOOST_AUTO_TEST_CASE(each_file_draws_its_own_sync_marker) {
  const auto format = make_format(edge_schema(), {});
  StringSink a, b;
  BOOST_REQUIRE(write_file(*format, {}, 100000, a).ok());
  BOOST_REQUIRE(write_file(*format, {}, 100000, b).ok());
  BOOST_CHECK(a.data().substr(a.size() - 16) != b.data().substr(b.size() - 16));
}

// ---- Independent readers: Debian's python3-avro and avro-c's avrocat.

namespace {

void require_avro_readers() {
  BOOST_REQUIRE_MESSAGE(access("/usr/bin/python3", X_OK) == 0 &&
                            std::system("/usr/bin/python3 -c 'import avro.datafile' 2>/dev/null") == 0,
                        "this test reads avro with Debian's python3-avro: apt-get install python3-avro "
                        "(tools/install_deps.sh --test)");
  const bool have_avrocat = std::system("command -v avrocat >/dev/null 2>&1") == 0;
  BOOST_REQUIRE_MESSAGE(have_avrocat, "this test reads avro with avro-c's avrocat: apt-get install avro-bin "
                                      "(tools/install_deps.sh --test)");
}

// python3-avro (read.py in `dir`) must print the file's schema and codec (`head`), then
// `expected` line for line.
void check_python_reads(const fs::path& dir, const std::string& name, const std::string& head,
                        const std::string& expected) {
  const std::string python = run("/usr/bin/python3 " + (dir / "read.py").string() + " " + (dir / name).string());
  BOOST_REQUIRE(python.size() >= head.size());
  BOOST_CHECK_EQUAL(python.substr(0, head.size()), head);
  const std::vector<std::string> got = lines(python.substr(head.size()));
  const std::vector<std::string> want = lines(expected);
  BOOST_REQUIRE_EQUAL(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    if (got[i] != want[i])
      BOOST_FAIL("row " << i << ":\n  python: " << got[i].substr(0, 300) << "\n  wanted: " << want[i].substr(0, 300));
}

// avro-c knows no logical types and cannot print NaN: on the finite table it must read
// every record, the same from a deflate file as from a null one, with values in place.
void check_avrocat_reads(const fs::path& dir) {
  for (const std::string suffix : {"-finite", "-binary-finite"}) {
    const std::string plain = run("avrocat " + (dir / ("edge-null" + suffix + ".avro")).string());
    const std::string deflated = run("avrocat " + (dir / ("edge-deflate" + suffix + ".avro")).string());
    BOOST_TEST_CONTEXT("avrocat, edge-*" << suffix) {
      BOOST_CHECK_EQUAL(lines(plain).size(), 200u);
      BOOST_CHECK(plain == deflated);
      // Row 1 as avro-c shows it (its JSON stops bytes at a NUL, so decimals are not compared).
      const std::string row1 = lines(plain).at(1);
      const std::string text = suffix == "-finite" ? R"({"text": {"string": "plain"})" : R"({"text": {"bytes": "plain"})";
      for (const std::string& part : {text, std::string(R"("flag": {"boolean": false})"), std::string(R"("i32": 2147483647)"),
                                     std::string(R"("i64": {"long": 9223372036854775807})"),
                                     std::string(R"("real": {"double": -0.0})"), std::string(R"("day": {"int": -1})"),
                                     std::string(R"("ts": {"long": 1})"), std::string(R"("_2nd": "row 1")")})
        BOOST_CHECK_MESSAGE(row1.find(part) != std::string::npos, "avrocat row 1 lacks " << part << ": " << row1.substr(0, 400));
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(edge_cases_read_back_by_python_avro_and_avrocat) {
  require_avro_readers();
  TempDir dir;
  save(dir.path / "read.py", kPythonReader);

  const Schema schema = edge_schema();
  for (const bool finite : {false, true}) {
    // 200 rows with 40 strings of 300 KB: several blocks, some bigger than kBlockBytes.
    const EdgeTable table = edge_rows(200, finite);
    for (const bool binary_strings : {false, true}) {
      for (const auto codec : {AvroOptions::Codec::null, AvroOptions::Codec::deflate}) {
        AvroOptions options;
        options.codec = codec;
        options.binary_strings = binary_strings;
        const auto format = make_format(schema, options);
        std::vector<std::string> records(table.rows.size());
        std::string expected;
        for (size_t i = 0; i < table.rows.size(); ++i) {
          format->encode_record(table.rows[i], records[i]);
          expected += expected_line(schema, table.rows[i], binary_strings) + "\n";
        }
        StringSink file;
        size_t added = 0;
        BOOST_REQUIRE(write_file(*format, records, uint64_t{1} << 32, file, &added).ok());
        BOOST_REQUIRE_EQUAL(added, records.size());
        const std::string codec_name = codec == AvroOptions::Codec::null ? "null" : "deflate";
        const std::string name =
            "edge-" + codec_name + (binary_strings ? "-binary" : "") + (finite ? "-finite" : "") + ".avro";
        save(dir.path / name, file.data());

        BOOST_TEST_CONTEXT(name) {
          BOOST_CHECK_GT(read_container(file.data()).blocks.size(), 2u);
          check_python_reads(dir.path, name, "schema:" + format->schema_json() + "\ncodec:" + codec_name + "\n",
                             expected);
        }
      }
    }
  }
  check_avrocat_reads(dir.path);
}
