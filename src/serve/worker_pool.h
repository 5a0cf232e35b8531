// A fixed set of threads running jobs in the order they were submitted, with
// a bounded queue: the server's API handlers run here, off its event loop.
//
// Thread safety: Submit() may be called from any thread. The destructor runs
// every job already queued, then joins the threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace playlake::serve {

class WorkerPool {
 public:
  // REQUIRES: threads > 0.
  WorkerPool(int threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false (and `job` dropped) when `max_queued` jobs already wait.
  bool Submit(std::function<void()> job);

 private:
  void Work();

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace playlake::serve
