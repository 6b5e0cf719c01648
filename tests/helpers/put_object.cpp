// s3dest-put-object: a test helper that connects exactly as the tools do (the transport
// and bucket of destination/s3_connection.hpp, the credentials of
// destination/credentials.hpp: connection_option, role chain, STS) and writes
// one object with a SigV4-signed PutObject (s3/object_client.hpp) through the libcurl
// transport, with the config's encryption headers. The credential tests stand on it.
//
//   s3dest-put-object --config FILE --key KEY --body-file FILE [--verbose]
//
// --verbose says each step on stderr: where the credentials came from, the access key id,
// what the server answered; never a secret key, session token or signature. Exit codes
// as s3dest's.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "s3dest/aws/sse.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/credentials.hpp"
#include "s3dest/destination/s3_connection.hpp"
#include "s3dest/s3/object_client.hpp"

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

int run(const std::string& config_path, const std::string& key, const std::string& body_path) {
  auto config = load_config_file(config_path);
  if (!config.ok()) return fail(config.status());
  std::ifstream in(body_path, std::ios::binary);
  if (!in) return fail(usage_error("cannot read --body-file " + body_path));
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const auto transport = http_sender_for_config(*config);
  auto endpoint = bucket_endpoint_for_config(*config, config->bucket);
  if (!endpoint.ok()) return fail(endpoint.status());
  auto provider = credentials_for_config(*config, transport);
  if (!provider.ok()) return fail(provider.status());
  say("credentials: " + (*provider)->describe());
  auto credentials = (*provider)->credentials();
  if (!credentials.ok()) return fail(credentials.status());
  say("access key id: " + credentials->access_key_id +
      (credentials->session_token.empty() ? " (long-term)" : " (temporary, with a session token)"));

  s3::ObjectClient client(*endpoint, *provider, transport);
  auto put = client.put_object(key, body, aws::sse_request_headers(config->encryption, config->encryption_key));
  if (!put.ok()) return fail(put.status());
  say("PutObject " + client.describe(key) + " -> HTTP " + std::to_string(put->status));
  if (const std::string* applied = put->find_header("x-amz-server-side-encryption"))
    say("server-side encryption: " + *applied);
  const std::string* etag = put->find_header("ETag");
  std::printf("%s\t%zu bytes\tETag %s\n", key.c_str(), body.size(), etag ? etag->c_str() : "-");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage = "s3dest: error: usage: s3dest-put-object --config FILE --key KEY --body-file FILE [--verbose]\n";
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
      std::fputs(usage, stderr);
      return 2;
    }
  }
  if (config.empty() || key.empty() || body.empty()) {
    std::fputs(usage, stderr);
    return 2;
  }
  return run(config, key, body);
}
