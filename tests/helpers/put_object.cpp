// s3dest-put-object: a test helper that resolves a config's credentials exactly as the
// tool will (destination/credentials.hpp: connection_option, role chain, STS) and writes
// one object with a SigV4-signed PutObject through the libcurl transport. The S3 layer
// proper comes later; this is what the end-to-end credential tests stand on.
//
//   s3dest-put-object --config FILE --key KEY --body-file FILE [--verbose]
//
// Uses the config's endpoint (path-style: ENDPOINT/BUCKET/KEY), bucket, region and encryption.
// --verbose says each step on stderr: where the credentials came from, the access key id,
// what is signed; never a secret key, session token or signature. Exit codes as s3dest's.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "s3dest/aws/sigv4.hpp"
#include "s3dest/aws/sse_headers.hpp"
#include "s3dest/aws/sts.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/http/curl_transport.hpp"

using namespace s3dest;

namespace {

bool verbose = false;

void say(const std::string& line) {
  if (verbose) std::fprintf(stderr, "s3dest-put-object: %s\n", line.c_str());
}

int fail(const Status& status) {
  std::fprintf(stderr, "s3dest: error: %s\n", status.message().c_str());
  return status.exit_code();
}

aws::ServerSideEncryption server_side_encryption(Encryption encryption) {
  switch (encryption) {
    case Encryption::sse_s3: return aws::ServerSideEncryption::s3;
    case Encryption::sse_kms: return aws::ServerSideEncryption::kms;
    case Encryption::sse_kms_cmk: return aws::ServerSideEncryption::kms_key;
    case Encryption::none: break;
  }
  return aws::ServerSideEncryption::none;
}

std::string encode_key(const std::string& key) {
  std::string out;
  size_t start = 0;
  for (;;) {
    const size_t slash = key.find('/', start);
    out += aws::uri_encode(key.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

int run(const std::string& config_path, const std::string& key, const std::string& body_path) {
  auto config = load_config_file(config_path);
  if (!config.ok()) return fail(config.status());
  if (config->endpoint.empty() || config->bucket.empty())
    return fail(usage_error("the config needs endpoint and bucket for s3dest-put-object"));
  std::ifstream in(body_path, std::ios::binary);
  if (!in) return fail(usage_error("cannot read --body-file " + body_path));
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  auto transport = std::make_shared<http::CurlTransport>();
  auto provider = credentials_for_config(*config, transport);
  if (!provider.ok()) return fail(provider.status());
  say("credentials: " + (*provider)->describe());
  auto credentials = (*provider)->credentials();
  if (!credentials.ok()) return fail(credentials.status());
  say("access key id: " + credentials->access_key_id +
      (credentials->session_token.empty() ? " (long-term)" : " (temporary, with a session token)"));

  std::string endpoint = config->endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const std::string url = endpoint + "/" + aws::uri_encode(config->bucket) + "/" + encode_key(key);
  auto parts = split_url(url);
  if (!parts.ok()) return fail(parts.status());
  aws::SignableRequest signable{"PUT", parts->path, "", {{"Host", parts->host_header()}}};
  auto sse = aws::sse_headers(server_side_encryption(config->encryption), config->encryption_key);
  if (!sse.ok()) return fail(sse.status());
  for (const auto& h : *sse) signable.headers.push_back(h);
  aws::SigningConfig signing = aws::s3_signing_config(config->region, aws::unix_now());
  signing.payload_hash = aws::payload_sha256(body);
  auto signature = aws::sign_request(signable, *credentials, signing);
  if (!signature.ok()) return fail(signature.status());
  say("signed: " + signature->credential_scope + ", headers " + signature->signed_headers + ", at " +
      signature->amz_date);

  aws::HttpRequest request{"PUT", url, signable.headers, body};
  for (const auto& h : signature->headers) request.headers.push_back(h);
  auto response = transport->send(request);
  if (!response.ok()) return fail(response.status());
  say("PUT " + aws::url_without_query(url) + " -> HTTP " + std::to_string(response->status));
  if (response->status != 200) {
    const aws::ServiceError error = aws::parse_service_error(response->body);
    return fail(destination_error("PutObject of " + key + " into bucket " + config->bucket + " was refused (HTTP " +
                                  std::to_string(response->status) + (error.code.empty() ? "" : " " + error.code) +
                                  ") with the credentials of " + (*provider)->describe()));
  }
  if (const std::string* applied = response->find_header("x-amz-server-side-encryption"))
    say("server-side encryption: " + *applied);
  const std::string* etag = response->find_header("ETag");
  std::printf("%s\t%zu bytes\tETag %s\n", key.c_str(), body.size(), etag ? etag->c_str() : "-");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config, key, body;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--verbose") verbose = true;
    else if (!((a == "--config" && value(config)) || (a == "--key" && value(key)) || (a == "--body-file" && value(body)))) {
      std::fprintf(stderr, "s3dest: error: usage: s3dest-put-object --config FILE --key KEY --body-file FILE [--verbose]\n");
      return 2;
    }
  }
  if (config.empty() || key.empty() || body.empty()) {
    std::fprintf(stderr, "s3dest: error: usage: s3dest-put-object --config FILE --key KEY --body-file FILE [--verbose]\n");
    return 2;
  }
  return run(config, key, body);
}
