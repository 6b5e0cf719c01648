// Differential: any bytes, level and dictionary through s3dest's deflate, then zlib's
// inflate, give the bytes back, within the stated bound; and a sync-flushed block is
// followed by a final one as in a parallel gzip file.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "s3dest/format/deflate_encoder.hpp"

namespace {

std::string inflated(const std::string& deflated, size_t expected) {
  z_stream s{};
  if (inflateInit2(&s, -15) != Z_OK) std::abort();
  std::string out(expected + 1, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflated.data()));
  s.avail_in = static_cast<uInt>(deflated.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  if (inflate(&s, Z_FINISH) != Z_STREAM_END || s.avail_in != 0) std::abort();
  out.resize(s.total_out);
  inflateEnd(&s);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int level = 1 + data[0] % 9;
  std::string bytes(reinterpret_cast<const char*>(data + 2), size - 2);
  // Repeat the input so that long matches and far distances happen too.
  if (data[1] & 0x80) bytes = bytes + bytes + bytes;
  const size_t cut = bytes.empty() ? 0 : (data[1] & 0x7f) * bytes.size() / 127;

  static s3dest::DeflateEncoder encoder;
  std::string out;
  // bytes[0, cut) as one sync-flushed block, then bytes[cut, end) primed with it.
  encoder.encode(level, std::string_view(bytes).substr(0, cut), 0, s3dest::DeflateEncoder::End::sync_flush, out);
  if (out.size() > s3dest::DeflateEncoder::max_encoded_size(cut)) std::abort();
  const size_t first = out.size();
  encoder.encode(level, bytes, cut, s3dest::DeflateEncoder::End::final_block, out);
  if (out.size() - first > s3dest::DeflateEncoder::max_encoded_size(bytes.size() - cut)) std::abort();
  if (inflated(out, bytes.size()) != bytes) std::abort();
  return 0;
}
