#define BOOST_TEST_MODULE task_pool
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "s3dest/core/task_pool.hpp"

using namespace s3dest;

namespace {

// Holds the pool's tasks until opened, so a test can fill the pool.
class Gate {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void pass() {
    std::unique_lock<std::mutex> lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_pool_refuses_what_try_submit_offers_and_leaves_the_task_to_the_caller) {
  Gate gate;
  std::atomic<int> ran{0};
  TaskPool pool(1, 2);  // one running and one queued, at most
  pool.submit([&] {
    gate.pass();
    ++ran;
  });
  std::function<void()> second = [&] { ++ran; };
  BOOST_TEST(pool.try_submit(second));
  std::function<void()> third = [&] { ran += 10; };
  BOOST_TEST(!pool.try_submit(third));  // full: not taken, and not waited for
  BOOST_TEST(static_cast<bool>(third));  // still the caller's to run
  gate.open();
  pool.wait();
  BOOST_TEST(ran.load() == 2);
  BOOST_TEST(pool.try_submit(third));  // room again
  pool.wait();
  BOOST_TEST(ran.load() == 12);
}
