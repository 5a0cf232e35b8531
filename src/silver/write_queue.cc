#include "silver/write_queue.h"

#include <chrono>
#include <utility>

namespace playlake::silver {

WriteQueue::WriteQueue(TableWriter& writer) : writer_(writer), thread_([this] { Loop(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WriteQueue::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || (job_ && !finished_); });
    if (stopping_) return;
    // The job stays in job_ (its rows must live until written); only this
    // thread reads it until finished_ is set.
    Job& job = *job_;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    Result<FlushResult> written = writer_.Write(job.staged, job.target);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    lock.lock();
    if (written) {
      finished_ = Done{job.staged.spec, std::move(*written), seconds};
    } else {
      finished_ = Result<Done>(tl::unexpected(written.error()));
    }
    changed_.notify_all();
  }
}

Result<std::optional<WriteQueue::Done>> WriteQueue::Wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !job_ || finished_; });
  if (!job_) return std::optional<Done>();
  Result<Done> result = std::move(*finished_);
  finished_.reset();
  job_.reset();  // frees the written rows
  if (!result) return tl::unexpected(result.error());
  return std::optional<Done>(std::move(*result));
}

Result<std::optional<WriteQueue::Done>> WriteQueue::Submit(Job job) {
  auto previous = Wait();
  if (!previous) return previous;
  {
    std::lock_guard lock(mutex_);
    job_.emplace(std::move(job));
  }
  changed_.notify_all();
  return previous;
}

}  // namespace playlake::silver
