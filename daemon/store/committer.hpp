// Group commit: one writer thread owns every LMDB write transaction. Requests submitted while a
// commit is in flight are gathered and committed together, with one fsync; each runs in its own
// nested transaction, so one failing request does not fail its neighbours. A request alone in its
// commit (a sync's stream of batches, mostly) runs in the transaction itself: nothing to isolate
// it from, and a nested transaction costs LMDB a copy of every page it touches.
#pragma once

#include "daemon/base/log_limiter.hpp"
#include "daemon/store/store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace tandem::store {

class Committer {
 public:
  // Runs on the writer thread, inside a write txn of its own (nested in the commit's when it
  // shares the commit with other ops); its writes land when it returns ok, none of them otherwise.
  using Op = std::function<Status(Txn&)>;
  // Called with the op's outcome once the batch is durable (or failed), through `post`.
  using Done = std::function<void(Status)>;
  // Schedules a callback on the caller's thread (e.g. asio::post to the io_context).
  using Post = std::function<void(std::function<void()>)>;

  struct Options {
    std::size_t max_batch = 1024;  // ops per durable commit
    // After the store's file has grown by this much since the last time, the writer unmaps the
    // file pages its writes made resident (Env::release_mapped_pages), so a long run of writes (an
    // initial sync of a large history) leaves the daemon's RSS bounded. 0: never.
    std::size_t release_every = 8 << 20;
  };

  // `store` must outlive the Committer.
  Committer(Store& store, Post post, Options options);
  Committer(Store& store, Post post) : Committer(store, std::move(post), Options{}) {}
  ~Committer();  // finishes queued ops, then joins
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Thread-safe. After stop(), ops complete with kUnavailable.
  void submit(Op op, Done done);
  void stop();

  // Durable commits so far (for tests and benchmarks).
  std::uint64_t commits() const;

 private:
  void run();
  // The op's status, an exception it throws as kInternal.
  static Status run_op(const Op& op, Txn& txn);
  void release_if_grown();

  Store& store_;
  Post post_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Op, Done>> queue_;
  bool stopping_ = false;
  std::uint64_t commits_ = 0;
  std::size_t size_at_release_ = 0;  // the file's used size at the last release (writer thread)
  // Failed commits (a full disk fails every one until space returns): one line per kind per
  // minute with the count, not one per commit. Used on the writer thread only.
  LogLimiter failures_;
  std::thread thread_;
};

}  // namespace tandem::store
