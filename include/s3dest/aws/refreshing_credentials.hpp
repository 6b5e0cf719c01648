// Temporary credentials kept and renewed before they expire, shared by many threads.
//
//   auto provider = std::make_shared<aws::RefreshingCredentialsProvider>(
//       "role x", [&] { return aws::assume_role(...); });
//   auto credentials = provider->credentials();   // fetched once, then renewed in time
//
// Two windows before the expiration, as the AWS SDKs have them:
// - advisory (15 minutes): one caller renews while the others go on with the current
//   credentials; if renewing fails, the current ones are still served (and renewing is
//   tried again after kAdvisoryRetrySeconds).
// - mandatory (5 minutes): callers wait for the renewal and get its error if it fails.
// For short sessions the windows shrink to a half and a quarter of the lifetime, so a
// 15-minute session is not renewed on every call. Only one renewal runs at a time.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "s3dest/aws/credentials.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest::aws {

struct RefreshWindows {
  int64_t advisory_seconds = 15 * 60;
  int64_t mandatory_seconds = 5 * 60;
};

inline constexpr int64_t kAdvisoryRetrySeconds = 10;

class RefreshingCredentialsProvider final : public CredentialsProvider {
 public:
  using Fetch = std::function<Result<Credentials>()>;
  using Clock = std::function<int64_t()>;

  RefreshingCredentialsProvider(std::string description, Fetch fetch, Clock clock = unix_now,
                                RefreshWindows windows = {})
      : description_(std::move(description)),
        fetch_(std::move(fetch)),
        clock_(std::move(clock)),
        windows_(windows) {}

  Result<Credentials> credentials() override;
  std::string describe() const override { return description_; }

  // How many times the credentials were fetched: for tests.
  uint64_t fetches() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return fetches_;
  }

 private:
  enum class Need { nothing, advisory, mandatory };
  Need need(int64_t now) const;

  const std::string description_;
  const Fetch fetch_;
  const Clock clock_;
  const RefreshWindows windows_;

  mutable std::mutex mutex_;
  std::condition_variable refreshed_;
  std::optional<Credentials> current_;
  int64_t fetched_at_ = 0;
  int64_t next_advisory_attempt_ = 0;
  bool refreshing_ = false;
  uint64_t generation_ = 0;  // counts finished refreshes, so waiters know one ended
  Status last_error_;
  uint64_t fetches_ = 0;
};

inline RefreshingCredentialsProvider::Need RefreshingCredentialsProvider::need(int64_t now) const {
  if (!current_) return Need::mandatory;
  if (!current_->expiration) return Need::nothing;
  const int64_t lifetime = std::max<int64_t>(0, *current_->expiration - fetched_at_);
  const int64_t remaining = *current_->expiration - now;
  if (remaining <= std::min(windows_.mandatory_seconds, lifetime / 4)) return Need::mandatory;
  if (remaining <= std::min(windows_.advisory_seconds, lifetime / 2)) return Need::advisory;
  return Need::nothing;
}

inline Result<Credentials> RefreshingCredentialsProvider::credentials() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const int64_t now = clock_();
    const Need needed = need(now);
    if (needed == Need::nothing) return *current_;
    if (needed == Need::advisory && (refreshing_ || now < next_advisory_attempt_)) return *current_;
    if (refreshing_) {
      // Mandatory, and another thread is renewing: wait for its result.
      const uint64_t generation = generation_;
      refreshed_.wait(lock, [&] { return generation_ != generation; });
      if (!last_error_.ok() && need(clock_()) == Need::mandatory) return last_error_;
      continue;
    }
    refreshing_ = true;
    lock.unlock();
    Result<Credentials> fetched = fetch_();
    lock.lock();
    refreshing_ = false;
    ++generation_;
    ++fetches_;
    if (fetched.ok()) {
      current_ = std::move(*fetched);
      fetched_at_ = now;
      last_error_ = Status();
    } else {
      last_error_ = fetched.status();
      next_advisory_attempt_ = now + kAdvisoryRetrySeconds;
    }
    refreshed_.notify_all();
    if (fetched.ok() || need(clock_()) != Need::mandatory) return *current_;
    return last_error_;
  }
}

}  // namespace s3dest::aws
