// A request to stop, shared by everything that must notice it: raised once (by a signal
// handler, or by a caller that gives up) and never lowered. The load polls it between
// batches and while it waits, HTTP transfers poll it while bytes move, and the run then
// undoes itself and fails with an `interrupted` Status.
//
//   StopFlag stop;                       // e.g. raised from a SIGTERM handler:
//   stop.raise("SIGTERM");               // async-signal-safe
//   options.stop = &stop;                // LoadOptions, S3SinkOptions, HttpRequest
#pragma once

#include <atomic>
#include <string>

#include "s3dest/core/status.hpp"

namespace s3dest {

class StopFlag {
 public:
  // `why` names the cause in messages ("SIGTERM"); it must outlive the flag (a literal).
  void raise(const char* why = "a stop request") {
    const char* none = nullptr;
    why_.compare_exchange_strong(none, why);
    raised_.store(true);
  }
  bool raised() const { return raised_.load(std::memory_order_relaxed); }
  const char* why() const {
    const char* why = why_.load();
    return why ? why : "a stop request";
  }

 private:
  std::atomic<bool> raised_{false};
  std::atomic<const char*> why_{nullptr};
};

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<const char*>::is_always_lock_free,
              "raise() must be safe to call from a signal handler");

// True when `stop` is given and raised.
inline bool stop_requested(const StopFlag* stop) { return stop != nullptr && stop->raised(); }

// The Status of work abandoned because `stop` was raised: "interrupted by SIGTERM".
inline Status interrupted_error(const StopFlag& stop) {
  return Status::error(ErrorKind::interrupted, std::string("interrupted by ") + stop.why());
}

}  // namespace s3dest
