#include "silver/write_queue.h"

#include <chrono>
#include <utility>

namespace playlake::silver {

WriteQueue::WriteQueue(TableWriter& writer)
    : writer_(writer), capacity_(static_cast<std::size_t>(writer.lanes())) {
  for (int lane = 0; lane < writer.lanes(); ++lane) threads_.emplace_back([this, lane] { Loop(lane); });
}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : threads_) t.join();
}

void WriteQueue::Loop(int lane) {
  std::unique_lock lock(mutex_);
  while (true) {
    Slot* slot = nullptr;
    changed_.wait(lock, [&] {
      if (stopping_) return true;
      for (auto& s : slots_) {
        if (!s.taken) {
          slot = &s;
          return true;
        }
      }
      return false;
    });
    if (stopping_) return;
    // Slots are only removed once done, and a deque keeps references to its
    // elements valid when others are added or removed at the ends.
    slot->taken = true;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    Result<FlushResult> written = writer_.Write(lane, slot->job.staged, slot->job.target);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    lock.lock();
    if (written) {
      slot->done = Done{slot->job.staged.spec, std::move(*written), seconds, {}};
    } else {
      slot->done = Result<Done>(tl::unexpected(written.error()));
    }
    changed_.notify_all();
  }
}

Result<std::vector<WriteQueue::Done>> WriteQueue::CollectLocked() {
  std::vector<Done> done;
  while (!slots_.empty() && slots_.front().done) {
    Result<Done> result = std::move(*slots_.front().done);
    if (result) result->batches = std::move(slots_.front().job.staged.batches);
    slots_.pop_front();
    if (!result) return tl::unexpected(result.error());
    done.push_back(std::move(*result));
  }
  return done;
}

Result<std::vector<WriteQueue::Done>> WriteQueue::Submit(Job job) {
  std::unique_lock lock(mutex_);
  std::vector<Done> done;
  while (true) {
    auto finished = CollectLocked();
    if (!finished) return finished;
    for (auto& d : *finished) done.push_back(std::move(d));
    if (slots_.size() < capacity_) break;
    changed_.wait(lock, [&] { return slots_.front().done.has_value(); });
  }
  slots_.push_back(Slot{std::move(job), false, std::nullopt});
  lock.unlock();
  changed_.notify_all();
  return done;
}

Result<std::vector<WriteQueue::Done>> WriteQueue::Wait() {
  std::unique_lock lock(mutex_);
  std::vector<Done> done;
  while (!slots_.empty()) {
    changed_.wait(lock, [&] { return slots_.front().done.has_value(); });
    auto more = CollectLocked();
    if (!more) return more;
    for (auto& d : *more) done.push_back(std::move(d));
  }
  return done;
}

}  // namespace playlake::silver
