// A sender that reports every exchange in one line, for `--verbose`: the method, the URL
// without its query (a presigned query holds a signature), the status or the failure, and
// the time taken. Headers and bodies are never shown: they hold the Authorization
// header, session tokens and the data; the request id the server gives goes through
// printable().
//
//   auto logged = std::make_shared<http::RequestLog>(transport, [](std::string_view line) {
//     std::fprintf(stderr, "s3dest: %.*s\n", int(line.size()), line.data());
//   });
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "s3dest/core/status.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/http/exchange.hpp"

namespace s3dest::http {

class RequestLog final : public HttpSender {
 public:
  // `write` may be called from many threads at once (senders are shared).
  RequestLog(std::shared_ptr<HttpSender> inner, std::function<void(std::string_view line)> write)
      : inner_(std::move(inner)), write_(std::move(write)) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    const auto start = std::chrono::steady_clock::now();
    auto response = inner_->send(request);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    std::string line = request.method + " " + url_without_query(request.url);
    if (request.url.find('?') != std::string::npos) line += "?...";
    line += response.ok() ? " -> " + std::to_string(response->status) : " -> no answer: " + response.status().message();
    line += " in " + std::to_string(ms) + " ms";
    if (response.ok())
      if (const std::string* id = response->find_header("x-amz-request-id"))
        line += " (request id " + printable(*id, 128) + ")";
    write_(line);
    return response;
  }

 private:
  std::shared_ptr<HttpSender> inner_;
  std::function<void(std::string_view)> write_;
};

}  // namespace s3dest::http
