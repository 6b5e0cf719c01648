// One AWS request sent the way the SDKs send it: signed afresh for each attempt (the
// time is part of the signature), retried when no answer came, on 429 and 5xx and on a
// throttling code, and, when the server says this machine's clock is off, signed again
// with the server's time (learned into the shared ClockSkew, so later requests start
// right). STS and the S3 client both send through here.
//
//   aws::SigningConfig signing = aws::s3_signing_config("eu-west-1", 0);  // time: per attempt
//   signing.payload_hash = aws::payload_sha256(body);
//   aws::SignedSender signer{sender, retry, [&] { return provider.credentials(); }, aws::unix_now, &skew};
//   auto response = signer.send(request, signing);   // request: method, url, Host, body
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "s3dest/aws/clock_skew.hpp"
#include "s3dest/aws/credentials.hpp"
#include "s3dest/aws/service_error.hpp"
#include "s3dest/aws/sigv4.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/url.hpp"
#include "s3dest/http/exchange.hpp"
#include "s3dest/http/retry_policy.hpp"

namespace s3dest::aws {

struct SignedSender {
  http::HttpSender& sender;
  http::RetryPolicy retry;
  // Asked before each attempt, so a session renewed meanwhile is used.
  std::function<Result<Credentials>()> credentials;
  std::function<int64_t()> clock;
  // This client's offset from the server's clock; null: the clock is trusted as it is.
  ClockSkew* skew = nullptr;
  // Replies worth another attempt beyond 429, 5xx and throttling codes.
  std::function<bool(const http::HttpResponse&)> also_retryable = nullptr;

  // `request` carries the Host header and the body (or a borrowed one); `signing` says
  // region, service, path rule and payload hash; its time is set for each attempt.
  Result<http::HttpResponse> send(const http::HttpRequest& request, SigningConfig signing) const;
};

}  // namespace s3dest::aws

namespace s3dest::aws {

inline Result<http::HttpResponse> SignedSender::send(const http::HttpRequest& request, SigningConfig signing) const {
  S3DEST_ASSIGN_OR_RETURN(const UrlParts parts, split_url(request.url));
  const auto make_request = [&]() -> Result<http::HttpRequest> {
    S3DEST_ASSIGN_OR_RETURN(const Credentials signer, credentials());
    signing.time = skew != nullptr ? skew->now(clock()) : clock();
    const SignableRequest signable{request.method, parts.path, parts.query, request.headers};
    S3DEST_ASSIGN_OR_RETURN(HeaderSignature signature, sign_request(signable, signer, signing));
    http::HttpRequest signed_request = request;
    for (http::HttpHeader& h : signature.headers) signed_request.headers.push_back(std::move(h));
    return signed_request;
  };
  // Throttled: wait and try again. Refused for the time: sign again with the server's.
  const auto retryable = [&](const http::HttpResponse& response) {
    if (skew != nullptr && skew->learn(response, clock())) return true;
    // Any status: CompleteMultipartUpload can answer 200 with an error document. Only a
    // body holding an <Error...> element is parsed: a listing page of a thousand keys is not
    // read twice (its keys' '<' arrive escaped, so they cannot pass for one).
    if (response.body.find("<Error") != std::string::npos &&
        is_throttling_code(parse_service_error(response.body).code))
      return true;
    return also_retryable && also_retryable(response);
  };
  return http::send_with_retries(sender, retry, make_request, retryable);
}

}  // namespace s3dest::aws
