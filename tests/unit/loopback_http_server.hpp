// A small HTTP/1.1 server on 127.0.0.1 for tests: it answers each request with what a
// handler returns and records every request it received, so a test can stand in for STS,
// the ECS credentials endpoint or EC2 instance metadata and then inspect what was sent.
//
//   LoopbackHttpServer server([](const ReceivedRequest& r) { return Reply{200, {}, "hello"}; });
//   transport.send({"GET", server.url("/x"), {}, ""});
//   BOOST_TEST(server.requests().at(0).target == "/x");
//
// Keeps connections open (keep-alive) and serves each connection on its own thread. Only
// Content-Length bodies are read (what libcurl sends for a body it is given whole).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "s3dest/aws/canonical_request.hpp"

namespace s3dest::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query, as on the request line
  std::vector<http::HttpHeader> headers;
  std::string body;

  std::string path() const { return target.substr(0, target.find('?')); }
  std::string query() const {
    const size_t q = target.find('?');
    return q == std::string::npos ? std::string() : target.substr(q + 1);
  }
  const std::string* header(std::string_view name) const { return http::find_header(headers, name); }
};

struct Reply {
  int status = 200;
  std::vector<http::HttpHeader> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before answering
};

class LoopbackHttpServer {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;

  explicit LoopbackHttpServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listener_ < 0) throw std::runtime_error("socket() failed");
    const int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 64) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackHttpServer() { stop(); }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  int port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& target) const { return origin() + target; }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

  void stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      workers.swap(workers_);
    }
    for (auto& t : workers) t.join();
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      ++connections_;
      std::lock_guard<std::mutex> lock(mutex_);
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads until `buffer` holds `n` bytes past `start`; false when the peer closed.
  static bool fill(int fd, std::string& buffer, size_t n) {
    char chunk[16384];
    while (buffer.size() < n) {
      const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(got));
    }
    return true;
  }

  void serve(int fd) {
    std::string buffer;
    for (;;) {
      size_t end;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos)
        if (!fill(fd, buffer, buffer.size() + 1)) return close_fd(fd);
      ReceivedRequest request;
      size_t content_length = 0;
      size_t line_start = 0;
      bool first = true;
      while (line_start < end) {
        size_t line_end = buffer.find("\r\n", line_start);
        const std::string line = buffer.substr(line_start, line_end - line_start);
        line_start = line_end + 2;
        if (first) {
          const size_t a = line.find(' '), b = line.rfind(' ');
          request.method = line.substr(0, a);
          request.target = line.substr(a + 1, b - a - 1);
          first = false;
          continue;
        }
        const size_t colon = line.find(':');
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        request.headers.push_back({line.substr(0, colon), value});
        if (http::equals_ignoring_case(request.headers.back().name, "content-length"))
          content_length = std::stoul(value);
      }
      if (!fill(fd, buffer, end + 4 + content_length)) return close_fd(fd);
      request.body = buffer.substr(end + 4, content_length);
      buffer.erase(0, end + 4 + content_length);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request);
      }
      const Reply reply = handler_(request);
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Status\r\n";
      for (const auto& h : reply.headers) out += h.name + ": " + h.value + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
      if (request.method != "HEAD") out += reply.body;
      size_t sent = 0;
      while (sent < out.size()) {
        const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return close_fd(fd);
        sent += static_cast<size_t>(n);
      }
    }
  }

  void close_fd(int fd) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < open_fds_.size(); ++i)
      if (open_fds_[i] == fd) {
        open_fds_.erase(open_fds_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    ::close(fd);
  }

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  std::vector<int> open_fds_;
  std::vector<std::thread> workers_;
};

}  // namespace s3dest::testing
