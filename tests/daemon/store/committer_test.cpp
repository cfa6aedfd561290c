// Group commit: concurrent requests share durable commits, one failing request neither fails its
// neighbours nor leaves a trace (alone in its commit or beside others), a full store refuses
// writes cleanly, and a stopped committer answers kUnavailable.
#include "daemon/store/committer.hpp"

#include "tests/daemon/store/store_fixture.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace tandem::store::test {
namespace {

using namespace std::chrono_literals;

// The committer's `post`: callbacks queue up here and the test thread runs them.
class PostQueue {
 public:
  Committer::Post post() {
    return [this](std::function<void()> fn) {
      std::lock_guard lock(mu_);
      q_.push_back(std::move(fn));
      cv_.notify_all();
    };
  }
  // Runs posted callbacks until `done()` holds; false after a 20 s timeout.
  template <class Pred>
  bool drain_until(Pred done) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done()) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        if (!cv_.wait_until(lock, deadline, [&] { return !q_.empty(); })) return false;
        fn = std::move(q_.front());
        q_.pop_front();
      }
      fn();
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> q_;
};

// An op that holds the writer thread until release(): everything submitted meanwhile queues up
// and must go into the next batch together.
class Gate {
 public:
  Committer::Op op() {
    return [this](Txn&) {
      entered_.set_value();
      opened_.wait();
      return Status{};
    };
  }
  void wait_entered() { entered_.get_future().wait(); }
  void release() { open_.set_value(); }

 private:
  std::promise<void> entered_, open_;
  std::shared_future<void> opened_ = open_.get_future().share();
};

// What `txn` holds of the fixture's device: whether meta `name` is set, the note of record `seq`
// ("" when the record or its body is missing).
bool has_meta(StoreFixture& f, const Txn& txn, const char* name) {
  auto meta = f.store->meta(txn, name);
  REQUIRE(meta);
  return meta->has_value();
}
std::string note_at(StoreFixture& f, const Txn& txn, std::uint64_t seq) {
  auto b = f.store->body(txn, f.device, seq);
  return b && *b && (*b)->note ? *(*b)->note : std::string();
}

TEST_CASE("ops submitted from several threads share fewer commits than ops", "[store][committer]") {
  StoreFixture f;
  PostQueue posted;
  Gate gate;  // before the committer: the writer thread may still be in the gate's op
  Committer committer(*f.store, posted.post());
  int done = 0, ok = 0;
  committer.submit(gate.op(), [&](Status st) {
    ++done;
    ok += st.ok();
  });
  gate.wait_entered();

  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto body = body_of(contribution("t" + std::to_string(t) + " #" + std::to_string(i)));
        committer.submit(
            [&f, body = std::move(body)](Txn& txn) -> Status {
              auto h = f.store->append(txn, f.device, f.keys.secret, 1000, 0, body);
              if (!h) return h.error();
              return {};
            },
            [&](Status st) {
              ++done;
              ok += st.ok();
            });
      }
    });
  }
  for (auto& t : threads) t.join();
  gate.release();
  const int total = 1 + kThreads * kPerThread;
  REQUIRE(posted.drain_until([&] { return done == total; }));
  CHECK(ok == total);
  CHECK(committer.commits() <= 2);  // the gate's batch and everything queued behind it

  auto txn = f.read();
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  CHECK(head->seq == kThreads * kPerThread);
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.records == kThreads * kPerThread);
}

TEST_CASE("a failing op leaves no trace and does not fail its neighbours in the same commit",
          "[store][committer]") {
  StoreFixture f;
  PostQueue posted;
  Gate gate;  // before the committer: the writer thread may still be in the gate's op
  Committer committer(*f.store, posted.post());
  std::vector<std::optional<Status>> results(5);
  auto record = [&](std::size_t i) { return [&, i](Status st) { results[i] = st; }; };
  auto append = [&f](std::string note) {
    return [&f, body = body_of(contribution(std::move(note)))](Txn& txn) -> Status {
      auto h = f.store->append(txn, f.device, f.keys.secret, 1, 0, body);
      if (!h) return h.error();
      return {};
    };
  };
  committer.submit(gate.op(), record(0));
  gate.wait_entered();
  committer.submit(append("before"), record(1));
  committer.submit(
      [&f](Txn& txn) -> Status {
        // Writes a record and a meta key, then fails: none of it may land.
        auto h =
            f.store->append(txn, f.device, f.keys.secret, 1, 0, body_of(contribution("doomed")));
        if (!h) return h.error();
        TANDEM_TRY(f.store->put_meta(txn, "doomed", Bytes{1}));
        return Error{Code::kInvalidArgument, "no, after all"};
      },
      record(2));
  committer.submit([](Txn&) -> Status { throw std::runtime_error("a bug in an op"); }, record(3));
  committer.submit(append("after"), record(4));
  auto commits_before = committer.commits();
  gate.release();
  REQUIRE(posted.drain_until([&] {
    for (auto& r : results) {
      if (!r) return false;
    }
    return true;
  }));
  CHECK(results[0]->ok());
  CHECK(results[1]->ok());
  REQUIRE_FALSE(results[2]->ok());
  CHECK(results[2]->error().code == Code::kInvalidArgument);
  REQUIRE_FALSE(results[3]->ok());
  CHECK(results[3]->error().code == Code::kInternal);
  CHECK(results[4]->ok());
  CHECK(committer.commits() - commits_before <= 2);

  auto txn = f.read();
  CHECK_FALSE(has_meta(f, txn, "doomed"));
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  CHECK(head->seq == 2);
  CHECK(note_at(f, txn, 1) == "before");
  CHECK(note_at(f, txn, 2) == "after");
  CHECK(f.verify(txn).problems.empty());
}

TEST_CASE(
    "an op alone in its commit runs in the commit's transaction and leaves no trace when it "
    "fails or throws",
    "[store][committer]") {
  StoreFixture f;
  PostQueue posted;
  Committer committer(*f.store, posted.post());
  // One op at a time, each waited for: every one is alone in its commit.
  auto run = [&](Committer::Op op) {
    std::optional<Status> result;
    committer.submit(std::move(op), [&](Status st) { result = st; });
    REQUIRE(posted.drain_until([&] { return result.has_value(); }));
    return *result;
  };
  auto append_then = [&f](std::string note, std::function<Status()> then) {
    return [&f, note = std::move(note), then = std::move(then)](Txn& txn) -> Status {
      auto h = f.store->append(txn, f.device, f.keys.secret, 1, 0, body_of(contribution(note)));
      if (!h) return h.error();
      TANDEM_TRY(f.store->put_meta(txn, note, Bytes{1}));
      return then();
    };
  };
  CHECK(run(append_then("first", [] { return Status{}; })).ok());
  auto refused = run(append_then("refused", [] {
    return Status{Error{Code::kInvalidArgument, "no"}};
  }));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Code::kInvalidArgument);
  auto thrown = run(append_then("thrown", []() -> Status { throw std::runtime_error("a bug"); }));
  REQUIRE_FALSE(thrown.ok());
  CHECK(thrown.error().code == Code::kInternal);
  CHECK(run(append_then("second", [] { return Status{}; })).ok());

  auto txn = f.read();
  CHECK(has_meta(f, txn, "first"));
  CHECK_FALSE(has_meta(f, txn, "refused"));
  CHECK_FALSE(has_meta(f, txn, "thrown"));
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  CHECK(head->seq == 2);
  CHECK(note_at(f, txn, 2) == "second");
  CHECK(f.verify(txn).problems.empty());
}

TEST_CASE("a full store refuses writes with kStorageFull and stays readable and verifiable",
          "[store][committer]") {
  Env::Options small;
  small.map_size = 1 << 20;  // 1 MiB
  StoreFixture f(small);
  PostQueue posted;
  Committer committer(*f.store, posted.post());

  Bytes big(48 * 1024);
  crypto::random_fill(big);  // incompressible either way
  int ok = 0;
  std::optional<Status> failure;
  for (int i = 0; i < 200 && !failure; ++i) {
    std::optional<Status> result;
    committer.submit(
        [&f, &big, i](Txn& txn) -> Status {
          auto h = f.store->append(txn, f.device, f.keys.secret, 1000 + i, 0,
                                   make_body(big, "entry " + std::to_string(i)));
          if (!h) return h.error();
          return {};
        },
        [&](Status st) { result = st; });
    REQUIRE(posted.drain_until([&] { return result.has_value(); }));
    if (result->ok()) {
      ++ok;
    } else {
      failure = result;
    }
  }
  REQUIRE(failure);
  CHECK(failure->error().code == Code::kStorageFull);
  CHECK(ok > 0);

  // Still full for the next write, and still answering.
  std::optional<Status> again;
  committer.submit(
      [&f, &big](Txn& txn) -> Status {
        auto h = f.store->append(txn, f.device, f.keys.secret, 5000, 0, make_body(big, "again"));
        if (!h) return h.error();
        return {};
      },
      [&](Status st) { again = st; });
  REQUIRE(posted.drain_until([&] { return again.has_value(); }));
  REQUIRE_FALSE(again->ok());
  CHECK(again->error().code == Code::kStorageFull);

  // A small write still fits or fails cleanly; either way what was acknowledged is all there.
  auto txn = f.read();
  auto head = f.store->head(txn, f.device);
  REQUIRE(head);
  CHECK(head->seq == static_cast<std::uint64_t>(ok));
  auto last = f.store->body(txn, f.device, head->seq);
  REQUIRE(last);
  REQUIRE(*last);
  CHECK((*last)->note == "entry " + std::to_string(ok - 1));
  auto rep = f.verify(txn);
  INFO(problems_of(rep));
  CHECK(rep.problems.empty());
  CHECK(rep.records == static_cast<std::uint64_t>(ok));
}

TEST_CASE("after stop, submitted ops complete with kUnavailable and never run",
          "[store][committer]") {
  StoreFixture f;
  PostQueue posted;
  Committer committer(*f.store, posted.post());
  committer.stop();
  bool ran = false;
  std::optional<Status> result;
  committer.submit(
      [&](Txn&) -> Status {
        ran = true;
        return {};
      },
      [&](Status st) { result = st; });
  REQUIRE(posted.drain_until([&] { return result.has_value(); }));
  REQUIRE_FALSE(result->ok());
  CHECK(result->error().code == Code::kUnavailable);
  CHECK_FALSE(ran);
}

TEST_CASE("ops queued before destruction are finished, not dropped", "[store][committer]") {
  StoreFixture f;
  PostQueue posted;
  std::atomic<int> ran{0};
  int done = 0;
  {
    Gate gate;  // outlives the committer, whose thread leaves the gate's op during ~Committer
    Committer committer(*f.store, posted.post());
    committer.submit(gate.op(), [&](Status) { ++done; });
    gate.wait_entered();
    for (int i = 0; i < 10; ++i) {
      committer.submit(
          [&](Txn&) -> Status {
            ++ran;
            return {};
          },
          [&](Status) { ++done; });
    }
    std::thread releaser([&] {
      std::this_thread::sleep_for(50ms);
      gate.release();
    });
    releaser.join();
  }  // ~Committer: stop, finish the queue, join
  CHECK(ran == 10);
  CHECK(posted.drain_until([&] { return done == 11; }));
}

}  // namespace
}  // namespace tandem::store::test
