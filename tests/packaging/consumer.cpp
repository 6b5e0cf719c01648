// A program that uses s3dest as a dependency, built by tests/packaging/run.sh three ways
// (find_package, add_subdirectory, pkg-config). It touches each library s3dest's headers
// call into, so a link line missing one fails: simdjson (a schema file), zlib (gzip),
// OpenSSL's libcrypto (SHA-256), libcurl (the S3 transport's library), and libzstd where
// s3dest was built with it (S3DEST_HAVE_ZSTD, which the package passes on).
#include <curl/curl.h>

#include <cstdio>
#include <string>

#include "s3dest/core/byte_sink.hpp"
#include "s3dest/core/hex.hpp"
#include "s3dest/crypto/digest.hpp"
#include "s3dest/format/csv_encoder.hpp"
#include "s3dest/format/gzip_writer.hpp"
#include "s3dest/format/zstd_compressor.hpp"
#include "s3dest/table/schema_file.hpp"
#include "s3dest/version.hpp"

int fail(const std::string& what) {
  std::fprintf(stderr, "consumer: %s\n", what.c_str());
  return 1;
}

int main() {
  auto schema = s3dest::parse_schema_json(
      R"({"columns": [{"name": "city", "type": "string"}, {"name": "visits", "type": "int64"}]})", "inline");
  if (!schema.ok()) return fail(schema.status().message());

  const s3dest::CsvEncoder csv(*schema, ',');
  std::string text;
  csv.append_header(text);
  csv.append_row({s3dest::Value::of_bytes("Zürich, CH"), s3dest::Value::of_int(42)}, text);
  if (text != "city,visits\n\"Zürich, CH\",42\n") return fail("unexpected csv: " + text);

  s3dest::StringSink gzipped;
  s3dest::GzipWriter gzip(gzipped, 6);
  if (!gzip.write(text).ok() || !gzip.finish().ok()) return fail("gzip failed");
  if (gzipped.data().size() < 20 || static_cast<unsigned char>(gzipped.data()[0]) != 0x1f)
    return fail("not a gzip stream");

  const std::string hex = s3dest::to_hex(s3dest::sha256("abc"));
  if (hex != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") return fail("sha256: " + hex);

  std::string zstd = "zstd off";
#if S3DEST_HAVE_ZSTD
  std::string frame;
  s3dest::ZstdCompressor zstd_compressor;
  if (!zstd_compressor.compress(text, frame).ok() || frame.compare(0, 4, "\x28\xb5\x2f\xfd") != 0)
    return fail("not a zstd frame");
  zstd = "zstd (" + std::to_string(frame.size()) + " bytes)";
#endif

  std::printf("s3dest %s: csv, gzip (%zu bytes), %s, sha256 ok; libcurl %s\n", s3dest::kVersion,
              gzipped.data().size(), zstd.c_str(), curl_version_info(CURLVERSION_NOW)->version);
  return 0;
}
