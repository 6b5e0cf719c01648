// Streaming uploads: an S3 PUT whose body is sent as aws-chunked frames, so it can be
// signed (or checksummed) as it streams instead of hashed in full before the request.
//
// Two forms:
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD: each chunk carries a signature chained from the
//     request's own ("seed") signature:  <hex size>;chunk-signature=<sig>\r\n<data>\r\n,
//     ending with an empty chunk.
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER: chunks carry no signature (TLS protects them); an
//     x-amz-checksum-* trailer after the empty last chunk lets S3 check the whole body:
//     <hex size>\r\n<data>\r\n ... 0\r\n<x-amz-checksum-name>:<base64>\r\n\r\n
//
// Signed form, in order:
//   prepare_signed_streaming(request, config, body_size, chunk_size);
//   auto seed = sign_request(request, credentials, config);   // send seed->headers
//   auto chunks = ChunkSigner::start(credentials, config, seed->signature);
//   for each chunk (then once with no data): chunks->append_chunk(body, data);
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "s3dest/aws/sigv4.hpp"
#include "s3dest/core/text.hpp"

namespace s3dest::aws {

inline constexpr std::string_view kStreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

// Makes `request` an aws-chunked upload of `decoded_length` bytes in chunks of
// `chunk_size` (the last one may be shorter), each chunk signed: sets Content-Encoding
// (aws-chunked in front of any other coding), x-amz-decoded-content-length and the
// encoded Content-Length, and the config's payload hash and x-amz-content-sha256.
Status prepare_signed_streaming(SignableRequest& request, SigningConfig& config, uint64_t decoded_length,
                                uint64_t chunk_size);

// The same for unsigned chunks with a checksum trailer: `checksum_header` is the
// trailer's name (x-amz-checksum-crc32c, -crc32, -sha1, -sha256, -crc64nvme), sent in
// x-amz-trailer; `checksum_value_size` the length of its base64 value (8 for CRC-32C),
// which Content-Length needs before the value is known.
Status prepare_unsigned_streaming_with_trailer(SignableRequest& request, SigningConfig& config,
                                               uint64_t decoded_length, uint64_t chunk_size,
                                               std::string_view checksum_header, size_t checksum_value_size);

// Encoded sizes of the two forms (what Content-Length holds).
uint64_t signed_chunked_length(uint64_t decoded_length, uint64_t chunk_size);
uint64_t unsigned_chunked_length(uint64_t decoded_length, uint64_t chunk_size, std::string_view checksum_header,
                                 size_t checksum_value_size);

// Signs chunks one after another, each signature chained to the previous one, starting
// from the seed (the request's signature). Not shareable between threads: one per upload.
class ChunkSigner {
 public:
  // The config and credentials must be the ones the seed was signed with.
  static Result<ChunkSigner> start(const Credentials& credentials, const SigningConfig& config,
                                   std::string_view seed_signature);

  // The signature of the next chunk; an empty chunk ends the body.
  std::string sign(std::string_view chunk);
  // Signs `chunk` and appends its frame to `out`.
  void append_chunk(std::string& out, std::string_view chunk);

  const std::string& previous_signature() const { return previous_; }
  // The text the next chunk's signature is the HMAC of, for showing a refused signature.
  std::string string_to_sign(std::string_view chunk) const;

 private:
  ChunkSigner() = default;
  std::string key_;
  std::string amz_date_;
  std::string scope_;
  std::string previous_;
};

// Frames for the unsigned form.
void append_unsigned_chunk(std::string& out, std::string_view chunk);  // not for the last, empty one
void append_final_chunk_with_trailer(std::string& out, std::string_view checksum_header,
                                     std::string_view checksum_value);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline constexpr std::string_view kChunkSignaturePrefix = ";chunk-signature=";
inline constexpr size_t kSignatureHexSize = 64;

inline size_t hex_size_length(uint64_t n) {
  size_t digits = 1;
  while (n >>= 4) ++digits;
  return digits;
}

inline void append_hex_size(std::string& out, uint64_t n) {
  char text[17];
  const int len = std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(n));
  out.append(text, static_cast<size_t>(len));
}

// Sum of `per_chunk(size)` over the chunks `decoded_length` splits into (not the last,
// empty one).
template <class PerChunk>
uint64_t sum_over_chunks(uint64_t decoded_length, uint64_t chunk_size, PerChunk per_chunk) {
  const uint64_t full = decoded_length / chunk_size;
  const uint64_t rest = decoded_length % chunk_size;
  uint64_t total = full * per_chunk(chunk_size);
  if (rest > 0) total += per_chunk(rest);
  return total;
}

inline void set_header(SignableRequest& request, std::string_view name, std::string value) {
  for (auto& h : request.headers) {
    if (http::equals_ignoring_case(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  request.headers.push_back({std::string(name), std::move(value)});
}

inline Status prepare_aws_chunked(SignableRequest& request, SigningConfig& config, uint64_t decoded_length,
                                  uint64_t chunk_size, std::string_view payload_hash, uint64_t encoded_length) {
  if (chunk_size == 0) return usage_error("an aws-chunked upload needs a chunk size above 0 bytes");
  const std::string* coding = request.find_header("content-encoding");
  std::string value = "aws-chunked";
  if (coding != nullptr && !coding->empty() && http::fold_header_value(*coding) != "aws-chunked")
    value += "," + http::fold_header_value(*coding);
  set_header(request, "Content-Encoding", std::move(value));
  set_header(request, "Content-Length", std::to_string(encoded_length));
  set_header(request, "x-amz-decoded-content-length", std::to_string(decoded_length));
  config.payload_hash = std::string(payload_hash);
  config.add_content_sha256_header = true;
  return {};
}

}  // namespace detail

inline uint64_t signed_chunked_length(uint64_t decoded_length, uint64_t chunk_size) {
  if (chunk_size == 0) return 0;
  const auto frame = [](uint64_t n) {
    return detail::hex_size_length(n) + detail::kChunkSignaturePrefix.size() + detail::kSignatureHexSize + 2 + n + 2;
  };
  return detail::sum_over_chunks(decoded_length, chunk_size, frame) + frame(0);
}

inline uint64_t unsigned_chunked_length(uint64_t decoded_length, uint64_t chunk_size,
                                        std::string_view checksum_header, size_t checksum_value_size) {
  if (chunk_size == 0) return 0;
  const auto frame = [](uint64_t n) { return detail::hex_size_length(n) + 2 + n + 2; };
  // "0\r\n" + "name:value\r\n" + "\r\n"
  return detail::sum_over_chunks(decoded_length, chunk_size, frame) + 3 + checksum_header.size() + 1 +
         checksum_value_size + 2 + 2;
}

inline Status prepare_signed_streaming(SignableRequest& request, SigningConfig& config, uint64_t decoded_length,
                                       uint64_t chunk_size) {
  return detail::prepare_aws_chunked(request, config, decoded_length, chunk_size, kStreamingSignedPayload,
                                     signed_chunked_length(decoded_length, chunk_size));
}

inline Status prepare_unsigned_streaming_with_trailer(SignableRequest& request, SigningConfig& config,
                                                      uint64_t decoded_length, uint64_t chunk_size,
                                                      std::string_view checksum_header, size_t checksum_value_size) {
  const std::string name = to_lower_ascii(checksum_header);
  if (name.rfind("x-amz-checksum-", 0) != 0 || name.size() == 15 || !http::is_token(name))
    return usage_error("the trailer of an unsigned streaming upload is an x-amz-checksum-* header (such as "
                       "x-amz-checksum-crc32c), not \"" + std::string(checksum_header) + "\"");
  S3DEST_TRY(detail::prepare_aws_chunked(request, config, decoded_length, chunk_size, kStreamingUnsignedPayloadTrailer,
                                         unsigned_chunked_length(decoded_length, chunk_size, name,
                                                                 checksum_value_size)));
  detail::set_header(request, "x-amz-trailer", name);
  return {};
}

inline Result<ChunkSigner> ChunkSigner::start(const Credentials& credentials, const SigningConfig& config,
                                              std::string_view seed_signature) {
  if (seed_signature.size() != detail::kSignatureHexSize ||
      seed_signature.find_first_not_of("0123456789abcdef") != std::string_view::npos)
    return usage_error("the seed signature must be the request's signature: 64 lower-case hex digits");
  if (credentials.secret_access_key.empty()) return usage_error("no secret access key to sign chunks with");
  if (config.time < 0 || config.time > kLastAmzSecond)
    return usage_error("the signing time must lie between 1970 and 9999");
  ChunkSigner signer;
  signer.amz_date_ = format_amz_date(config.time);
  signer.scope_ = credential_scope(signer.amz_date_, config);
  signer.key_ = signing_key_cache().get(credentials.secret_access_key, std::string_view(signer.amz_date_).substr(0, 8),
                                        config.region, config.service);
  signer.previous_ = std::string(seed_signature);
  return signer;
}

inline std::string ChunkSigner::string_to_sign(std::string_view chunk) const {
  // The empty string's hash stands where a request's headers would be: chunks have none.
  std::string out = "AWS4-HMAC-SHA256-PAYLOAD\n";
  out += amz_date_;
  out.push_back('\n');
  out += scope_;
  out.push_back('\n');
  out += previous_;
  out += "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
  append_hex(out, sha256(chunk));
  return out;
}

inline std::string ChunkSigner::sign(std::string_view chunk) {
  previous_ = to_hex(hmac_sha256(key_, string_to_sign(chunk)));
  return previous_;
}

inline void ChunkSigner::append_chunk(std::string& out, std::string_view chunk) {
  const std::string signature = sign(chunk);
  detail::append_hex_size(out, chunk.size());
  out += detail::kChunkSignaturePrefix;
  out += signature;
  out += "\r\n";
  out.append(chunk);
  out += "\r\n";
}

inline void append_unsigned_chunk(std::string& out, std::string_view chunk) {
  detail::append_hex_size(out, chunk.size());
  out += "\r\n";
  out.append(chunk);
  out += "\r\n";
}

inline void append_final_chunk_with_trailer(std::string& out, std::string_view checksum_header,
                                            std::string_view checksum_value) {
  out += "0\r\n";
  out += to_lower_ascii(checksum_header);
  out.push_back(':');
  out.append(checksum_value);
  out += "\r\n\r\n";
}

}  // namespace s3dest::aws
