#include "daemon/store/committer.hpp"

#include <spdlog/spdlog.h>

namespace tandem::store {

Committer::Committer(Store& store, Post post, Options options)
    : store_(store),
      post_(std::move(post)),
      options_(options),
      failures_(std::chrono::minutes(1),
                [](const std::string& line) { spdlog::error("store commits failed: {}", line); }),
      thread_([this] { run(); }) {}

Committer::~Committer() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void Committer::submit(Op op, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.emplace_back(std::move(op), std::move(done));
      cv_.notify_one();
      return;
    }
  }
  post_([done = std::move(done)] { done(Error{Code::kUnavailable, "tandemd is shutting down"}); });
}

void Committer::stop() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  cv_.notify_one();
}

std::uint64_t Committer::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

void Committer::release_if_grown() {
  if (options_.release_every == 0) return;
  const std::size_t used = store_.env().used_size();
  if (used < size_at_release_ + options_.release_every) return;
  store_.env().release_mapped_pages();
  size_at_release_ = used;
}

Status Committer::run_op(const Op& op, Txn& txn) {
  try {
    return op(txn);
  } catch (const std::exception& e) {
    return Error{Code::kInternal, e.what()};
  }
}

void Committer::run() {
  for (;;) {
    std::vector<std::pair<Op, Done>> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) {
        failures_.flush(LogLimiter::Clock::now(), /*force=*/true);
        return;
      }
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    failures_.flush(LogLimiter::Clock::now());  // counts held back from a quiet interval
    std::vector<Status> results(batch.size());
    auto parent = Txn::begin_write(store_.env());
    if (!parent) {
      for (auto& r : results) r = parent.error();
    } else {
      if (batch.size() == 1) {
        results[0] = run_op(batch[0].first, *parent);
        if (!results[0]) parent->abort();
      } else {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          auto child = Txn::begin_nested(store_.env(), *parent);
          if (!child) {
            results[i] = child.error();
            continue;
          }
          Status st = run_op(batch[i].first, *child);
          if (st) st = child->commit();
          results[i] = st;
        }
      }
      const bool aborted = batch.size() == 1 && !results[0];
      Status committed = aborted ? Status{} : parent->commit();
      if (!committed) {
        failures_.note(committed.error().message, LogLimiter::Clock::now());
        for (auto& r : results) {
          if (r) r = committed;
        }
      }
      std::lock_guard lock(mu_);
      ++commits_;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      post_([done = std::move(batch[i].second), st = std::move(results[i])] { done(st); });
    }
    release_if_grown();  // after the completions: no op waits on it
  }
}

}  // namespace tandem::store
