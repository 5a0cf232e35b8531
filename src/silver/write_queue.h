// WriteQueue: writes staged tables to Parquet on background threads, so that
// parsing the next rows overlaps with writing the last ones.
//
//   WriteQueue queue(writer);                  // one thread per writer lane
//   auto done = queue.Submit(std::move(job));  // may wait for a free writer
//   ...
//   auto rest = queue.Wait();                  // every remaining result
//
// At most one job per lane is queued or running: Submit first waits until
// fewer jobs than lanes are outstanding, so the rows in memory are bounded by
// lanes + 1 flushes (those being written and the one being staged). Results
// come back in submission order.
//
// Ownership: borrows the writer, which must outlive the queue; owns the jobs.
// Thread safety: Submit and Wait from one thread (the one that owns the
// queue). The destructor waits for running jobs and discards their results.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "silver/table_writer.h"

namespace playlake::silver {

class WriteQueue {
 public:
  struct Job {
    StagedTable staged;
    WriteTarget target;
  };
  struct Done {
    const sources::TableSpec* spec = nullptr;
    FlushResult result;
    double seconds = 0;                        // spent writing
    std::vector<sources::ColumnBatch> batches;  // the written rows, for reuse
  };

  explicit WriteQueue(TableWriter& writer);
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Waits until a writer is free, queues `job`, and returns the results of
  // the jobs finished so far (in submission order). After a job failed, the
  // error is returned and `job` is not queued.
  Result<std::vector<Done>> Submit(Job job);
  // Waits for every job and returns the results not returned yet.
  Result<std::vector<Done>> Wait();

 private:
  struct Slot {
    Job job;
    bool taken = false;               // a writer thread is on it
    std::optional<Result<Done>> done;  // set by the writer thread
  };
  void Loop(int lane);
  // Moves the finished jobs at the front out; REQUIRES: mutex_ held.
  Result<std::vector<Done>> CollectLocked();

  TableWriter& writer_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Slot> slots_;  // outstanding jobs, oldest first
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: start after the members above exist
};

}  // namespace playlake::silver
