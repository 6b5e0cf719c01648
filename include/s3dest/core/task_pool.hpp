// Runs tasks on a fixed set of threads. submit() waits while `threads` tasks (or the
// `max_unfinished` given) are already queued or running, so the work (and the memory it
// holds) handed over stays bounded; wait() returns once every task handed over has run.
//
//   TaskPool pool(4);
//   for (auto& part : parts) pool.submit([&part] { upload(part); });
//   pool.wait();
//
// A task must not submit to its own pool: with the pool full it would wait for itself.
//
// LazyTaskPool starts its threads only when first asked for them, so a format that is made
// but never writes a file starts none.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace s3dest {

class TaskPool {
 public:
  explicit TaskPool(int threads) : TaskPool(threads, 0) {}
  // `max_unfinished` above `threads` keeps a queue, so that no thread waits for the next
  // task while the submitter prepares it (0: `threads`).
  TaskPool(int threads, size_t max_unfinished);
  ~TaskPool();  // runs what is queued, then stops the threads
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void submit(std::function<void()> task);
  // submit() that never waits: false, and the task not taken, when the pool is full.
  bool try_submit(std::function<void()>& task);
  void wait();

 private:
  void work();

  std::mutex mutex_;
  // Two conditions, so that each wakes only the threads it concerns: a task queued wakes
  // one idle thread (with one condition for both, every task woke all of them, and on a
  // small machine each woken thread took a core from the thread doing the work).
  std::condition_variable task_queued_;    // the pool's threads wait for work
  std::condition_variable task_finished_;  // submit() waits for room, wait() for the end
  std::deque<std::function<void()>> queue_;
  size_t unfinished_ = 0;  // queued or running
  size_t limit_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

class LazyTaskPool {
 public:
  LazyTaskPool(int threads, size_t max_unfinished) : threads_(threads), max_unfinished_(max_unfinished) {}
  int threads() const { return threads_; }
  std::shared_ptr<TaskPool> get() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pool_) pool_ = std::make_shared<TaskPool>(threads_, max_unfinished_);
    return pool_;
  }
  // Returns once every task handed over has run; at once if none ever was.
  void wait() {
    std::shared_ptr<TaskPool> pool;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      pool = pool_;
    }
    if (pool) pool->wait();
  }

 private:
  int threads_;
  size_t max_unfinished_;
  std::mutex mutex_;
  std::shared_ptr<TaskPool> pool_;
};

inline TaskPool::TaskPool(int threads, size_t max_unfinished)
    : limit_(std::max(max_unfinished, static_cast<size_t>(std::max(threads, 1)))) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { work(); });
}

inline TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  task_queued_.notify_all();
  for (std::thread& t : threads_) t.join();
}

inline void TaskPool::submit(std::function<void()> task) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    task_finished_.wait(lock, [this] { return unfinished_ < limit_; });
    queue_.push_back(std::move(task));
    ++unfinished_;
  }
  task_queued_.notify_one();
}

inline bool TaskPool::try_submit(std::function<void()>& task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (unfinished_ >= limit_) return false;
    queue_.push_back(std::move(task));
    ++unfinished_;
  }
  task_queued_.notify_one();
  return true;
}

inline void TaskPool::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  task_finished_.wait(lock, [this] { return unfinished_ == 0; });
}

inline void TaskPool::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    task_queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
    --unfinished_;
    task_finished_.notify_all();
  }
}

}  // namespace s3dest
