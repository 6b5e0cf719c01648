#define BOOST_TEST_MODULE curl_transport
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "loopback_http_server.hpp"
#include "s3dest/http/curl_transport.hpp"

using namespace s3dest;
using namespace s3dest::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

Reply echo(const ReceivedRequest& r) {
  return Reply{200, {{"X-Echo-Method", r.method}, {"X-Echo-Target", r.target}}, "body of " + r.method};
}

http::HttpRequest request(std::string method, std::string url, std::vector<http::HttpHeader> headers = {},
                         std::string body = "") {
  http::HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(get_sends_the_headers_given_and_returns_status_headers_and_body) {
  LoopbackHttpServer server(echo);
  http::CurlTransport transport;
  auto response = transport.send(request("GET", server.url("/a/b%20c?x=1&y"), {{"X-Custom", "v  1"}, {"X-Empty", ""}}));
  BOOST_REQUIRE_MESSAGE(response.ok(), response.status().message());
  BOOST_TEST(response->status == 200);
  BOOST_TEST(response->body == "body of GET");
  BOOST_REQUIRE(response->find_header("x-echo-target") != nullptr);
  BOOST_TEST(*response->find_header("x-echo-target") == "/a/b%20c?x=1&y");

  const auto received = server.requests().at(0);
  BOOST_TEST(received.method == "GET");
  BOOST_TEST(received.target == "/a/b%20c?x=1&y");
  BOOST_REQUIRE(received.header("X-Custom") != nullptr);
  BOOST_TEST(*received.header("X-Custom") == "v  1");
  BOOST_REQUIRE_MESSAGE(received.header("X-Empty") != nullptr, "an empty header was not sent");
  BOOST_TEST(received.header("X-Empty")->empty());
  BOOST_TEST(*received.header("Host") == "127.0.0.1:" + std::to_string(server.port()));
  BOOST_TEST(received.header("Expect") == nullptr);
  BOOST_TEST(received.header("Content-Type") == nullptr);
  BOOST_TEST(received.header("Authorization") == nullptr);
  BOOST_TEST(received.body.empty());
}

BOOST_AUTO_TEST_CASE(post_put_delete_and_head_send_their_bodies_as_given) {
  LoopbackHttpServer server(echo);
  http::CurlTransport transport;
  const std::string form = "Action=AssumeRole&Version=2011-06-15";
  auto post = transport.send(
      request("POST", server.url("/"), {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}, form));
  BOOST_REQUIRE_MESSAGE(post.ok(), post.status().message());
  BOOST_TEST(post->body == "body of POST");

  std::string big(3 << 20, 'x');  // past libcurl's own Expect: 100-continue threshold
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  auto put = transport.send(request("PUT", server.url("/bucket/key"), {}, big));
  BOOST_REQUIRE_MESSAGE(put.ok(), put.status().message());
  auto put_empty = transport.send(request("PUT", server.url("/latest/api/token"), {}, ""));
  BOOST_REQUIRE_MESSAGE(put_empty.ok(), put_empty.status().message());
  auto del = transport.send(request("DELETE", server.url("/bucket/key")));
  BOOST_REQUIRE(del.ok());
  BOOST_TEST(del->body == "body of DELETE");
  auto head = transport.send(request("HEAD", server.url("/bucket/key")));
  BOOST_REQUIRE_MESSAGE(head.ok(), head.status().message());
  BOOST_TEST(head->status == 200);
  BOOST_TEST(head->body.empty());
  BOOST_TEST(*head->find_header("Content-Length") == "12");

  const auto received = server.requests();
  BOOST_REQUIRE(received.size() == 5u);
  BOOST_TEST(received[0].method == "POST");
  BOOST_TEST(received[0].body == form);
  BOOST_TEST(*received[0].header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8");
  BOOST_TEST(received[1].method == "PUT");
  BOOST_TEST(received[1].body == big);
  BOOST_TEST(received[1].header("Content-Type") == nullptr);
  BOOST_TEST(received[1].header("Expect") == nullptr);
  BOOST_TEST(received[2].method == "PUT");
  BOOST_TEST(*received[2].header("Content-Length") == "0");
  BOOST_TEST(received[3].method == "DELETE");
  BOOST_TEST(received[4].method == "HEAD");
}

BOOST_AUTO_TEST_CASE(an_error_status_is_a_response_not_a_failure) {
  LoopbackHttpServer server([](const ReceivedRequest&) {
    return Reply{403, {{"Content-Type", "application/xml"}}, "<Error><Code>AccessDenied</Code></Error>"};
  });
  http::CurlTransport transport;
  auto response = transport.send(request("GET", server.url("/")));
  BOOST_REQUIRE(response.ok());
  BOOST_TEST(response->status == 403);
  BOOST_TEST(response->body == "<Error><Code>AccessDenied</Code></Error>");
}

BOOST_AUTO_TEST_CASE(one_thread_reuses_one_connection) {
  LoopbackHttpServer server(echo);
  http::CurlTransport transport;
  for (int i = 0; i < 20; ++i) {
    auto response = transport.send(request(i % 2 ? "GET" : "PUT", server.url("/n/" + std::to_string(i)), {}, "x"));
    BOOST_REQUIRE_MESSAGE(response.ok(), response.status().message());
  }
  BOOST_TEST(server.requests().size() == 20u);
  BOOST_TEST(server.connections() == 1);
  BOOST_TEST(transport.connections_opened() == 1u);
}

BOOST_AUTO_TEST_CASE(threads_share_a_transport_with_a_connection_each_at_most) {
  LoopbackHttpServer server([](const ReceivedRequest& r) { return Reply{200, {}, r.body}; });
  http::CurlTransport transport;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string body = std::to_string(t) + "/" + std::to_string(i);
        auto response = transport.send(request("POST", server.url("/"), {}, body));
        if (!response.ok() || response->body != body) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(server.requests().size() == 100u);
  BOOST_TEST(server.connections() <= 4);
}

BOOST_AUTO_TEST_CASE(a_slow_server_times_out_and_the_message_never_shows_the_query) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return Reply{200, {}, "late", 1500ms}; });
  http::CurlTransport transport;
  http::HttpRequest r = request("GET", server.url("/key?X-Amz-Signature=0123456789abcdef&X-Amz-Credential=AKIA"));
  r.timeout = 200ms;
  auto response = transport.send(r);
  BOOST_REQUIRE(!response.ok());
  BOOST_TEST(response.status().exit_code() == 4);
  const std::string& message = response.status().message();
  BOOST_TEST_MESSAGE(message);
  BOOST_TEST(message.find("127.0.0.1:" + std::to_string(server.port()) + "/key") != std::string::npos);
  BOOST_TEST(message.find("no answer in time") != std::string::npos);
  BOOST_TEST(message.find("Signature") == std::string::npos);
  BOOST_TEST(message.find("0123456789abcdef") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_raised_stop_flag_abandons_a_transfer_at_once) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return Reply{200, {}, "late", 5000ms}; });
  http::CurlTransport transport;
  StopFlag stop;
  http::HttpRequest r = request("PUT", server.url("/key"));
  r.body = std::string(1 << 20, 'x');
  r.stop = &stop;
  std::thread raiser([&stop] {
    std::this_thread::sleep_for(200ms);
    stop.raise("SIGTERM");
  });
  auto response = transport.send(r);  // the server would answer 200 after 5 s
  raiser.join();
  BOOST_REQUIRE(!response.ok());
  BOOST_TEST((response.status().kind() == ErrorKind::interrupted));
  BOOST_TEST(response.status().message() == "interrupted by SIGTERM");
  BOOST_TEST(!transport.send(r).ok());  // raised stays raised: nothing more goes out
}

BOOST_AUTO_TEST_CASE(paths_go_out_as_given_with_their_dot_segments) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return Reply{200, {}, ""}; });
  http::CurlTransport transport;
  BOOST_REQUIRE(transport.send(request("GET", server.url("/bucket/a/../other/./x"))).ok());
  BOOST_TEST(server.requests().at(0).target == "/bucket/a/../other/./x");
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_a_destination_error_naming_the_host) {
  int port;
  {
    LoopbackHttpServer server(echo);
    port = server.port();
  }
  http::CurlTransport transport;
  auto response = transport.send(request("GET", "http://user:pass@127.0.0.1:" + std::to_string(port) + "/p?secret=1"));
  BOOST_REQUIRE(!response.ok());
  BOOST_TEST(response.status().exit_code() == 4);
  const std::string& message = response.status().message();
  BOOST_TEST_MESSAGE(message);
  BOOST_TEST(message.find("http://127.0.0.1:" + std::to_string(port) + "/p") != std::string::npos);
  BOOST_TEST(message.find("secret") == std::string::npos);
  BOOST_TEST(message.find("pass") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_requests_are_refused_before_sending) {
  LoopbackHttpServer server(echo);
  http::CurlTransport transport;
  auto injected = transport.send(request("GET", server.url("/"), {{"X-A", "v\r\nX-Injected: 1"}}));
  BOOST_REQUIRE(!injected.ok());
  BOOST_TEST(injected.status().exit_code() == 2);
  BOOST_TEST(injected.status().message().find("X-Injected") == std::string::npos);
  BOOST_TEST(!transport.send(request("GET", "ftp://127.0.0.1/x")).ok());
  BOOST_TEST(!transport.send(request("GET", "file:///etc/passwd")).ok());
  BOOST_TEST(!transport.send(request("GE T", server.url("/"))).ok());
  BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_response_past_the_limit_is_refused) {
  LoopbackHttpServer server([](const ReceivedRequest&) { return Reply{200, {}, std::string(5000, 'z')}; });
  http::CurlOptions options;
  options.max_response_bytes = 4096;
  http::CurlTransport transport(options);
  auto response = transport.send(request("GET", server.url("/")));
  BOOST_REQUIRE(!response.ok());
  BOOST_TEST(response.status().message().find("longer than 4096 bytes") != std::string::npos);
  // The handle is still good for the next request.
  LoopbackHttpServer small(echo);
  BOOST_TEST(transport.send(request("GET", small.url("/"))).ok());
}

// TLS against a loopback server with a self-signed certificate for 127.0.0.1 (made with
// the openssl command, served by python3): refused by default, trusted when named by
// CurlOptions::ca_bundle or AWS_CA_BUNDLE. There is no option to skip verification.
namespace {

struct TlsServer {
  fs::path dir;
  pid_t pid = -1;
  int port = 0;

  bool start() {
    dir = fs::temp_directory_path() / ("s3dest-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    const std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                                  "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                                  " >/dev/null 2>&1";
    if (std::system(make_cert.c_str()) != 0) return false;
    std::ofstream(dir / "serve.py") << R"(import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"over tls"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain(sys.argv[1], sys.argv[2])
s.socket = c.wrap_socket(s.socket, server_side=True)
open(sys.argv[3] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[3] + ".tmp", sys.argv[3])
s.serve_forever()
)";
    const std::string port_file = (dir / "port").string();
    pid = ::fork();
    if (pid == 0) {
      ::execlp("python3", "python3", (dir / "serve.py").c_str(), cert.c_str(), key.c_str(), port_file.c_str(),
               static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && port == 0; ++i) {
      std::this_thread::sleep_for(50ms);
      std::ifstream in(port_file);
      in >> port;
    }
    return port != 0;
  }
  std::string cert() const { return (dir / "cert.pem").string(); }
  ~TlsServer() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(tls_is_verified_and_trusts_only_the_configured_cas) {
  TlsServer tls;
  if (!tls.start()) {
    BOOST_TEST_MESSAGE("skipped: needs the openssl command and python3 to serve TLS on loopback");
    return;
  }
  const std::string url = "https://127.0.0.1:" + std::to_string(tls.port) + "/";
  const char* saved = std::getenv("AWS_CA_BUNDLE");
  const std::string saved_value = saved ? saved : "";
  ::unsetenv("AWS_CA_BUNDLE");

  {
    http::CurlTransport transport;  // the system's CAs do not know this certificate
    auto response = transport.send(request("GET", url));
    BOOST_REQUIRE(!response.ok());
    BOOST_TEST_MESSAGE(response.status().message());
    BOOST_TEST(response.status().message().find("not trusted") != std::string::npos);
    BOOST_TEST(response.status().message().find("AWS_CA_BUNDLE") != std::string::npos);
  }
  {
    http::CurlOptions options;
    options.ca_bundle = tls.cert();
    http::CurlTransport transport(options);
    auto response = transport.send(request("GET", url));
    BOOST_REQUIRE_MESSAGE(response.ok(), response.status().message());
    BOOST_TEST(response->body == "over tls");
  }
  {
    ::setenv("AWS_CA_BUNDLE", tls.cert().c_str(), 1);
    http::CurlTransport transport;
    auto response = transport.send(request("GET", url));
    BOOST_REQUIRE_MESSAGE(response.ok(), response.status().message());
    BOOST_TEST(response->body == "over tls");
    // The certificate is for 127.0.0.1: the same server as "localhost" fails the host check.
    auto by_name = transport.send(request("GET", "https://localhost:" + std::to_string(tls.port) + "/"));
    BOOST_TEST(!by_name.ok());
  }
  if (saved) ::setenv("AWS_CA_BUNDLE", saved_value.c_str(), 1);
  else ::unsetenv("AWS_CA_BUNDLE");
}
