// WriteQueue: writes staged tables to Parquet on a background thread, so that
// parsing the next rows overlaps with writing the last ones.
//
//   WriteQueue queue(writer);
//   auto done = queue.Submit(std::move(job));  // waits for the previous job
//   ...
//   auto last = queue.Wait();                  // the last job's result
//
// At most one job is queued or running: Submit first waits for the previous
// job and hands back its result, so the rows in memory are bounded by two
// flushes (the one being written and the one being staged), and results come
// back in submission order.
//
// Ownership: borrows the writer, which must outlive the queue; owns the jobs.
// Thread safety: Submit and Wait from one thread (the one that owns the
// queue). The destructor waits for a running job and discards its result.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

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
    double seconds = 0;  // spent writing
  };

  explicit WriteQueue(TableWriter& writer);
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Waits for the previous job, starts `job`, and returns the previous job's
  // result (nullopt when there was none). On the previous job's error, `job`
  // is not started and the error is returned.
  Result<std::optional<Done>> Submit(Job job);
  // Waits for the last job and returns its result (nullopt when there was none).
  Result<std::optional<Done>> Wait();

 private:
  void Loop();

  TableWriter& writer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Job> job_;                   // submitted, not finished
  std::optional<Result<Done>> finished_;     // result of the last job, not yet collected
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace playlake::silver
