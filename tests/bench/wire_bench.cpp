// wire_bench: the peer wire's speed, each figure beside a raw baseline measured in the same run
// with the same number of threads (so on the same number of cores):
//   (a) Noise_XXpsk0 handshakes/s over loopback TCP (the real Listener and connect(), a new TCP
//       connection per handshake) beside the rate at which the same threads do nothing but the
//       handshake's X25519 operations;
//   (b) transport MB/s of 65519-byte messages (one full 64 KiB frame each) over loopback beside
//       raw ChaCha20-Poly1305 IETF doing the same crypto work on the same threads: seal then open
//       each message on one thread, or seal on one thread and open on the other (a pipeline
//       through memory, no socket). The plain one-core seal rate is printed too.
// Each runs with both ends on one thread, then with each end on its own thread (2 cores here).
//
// The machine is shared, so every figure is given twice: by the wall clock (what a user sees,
// moved by whatever else runs) and by CPU time (CLOCK_THREAD_CPUTIME_ID of each thread: the work
// done per handshake or per MB, which the load barely moves). With two threads the CPU figure is
// the busier thread's, since that side bounds the rate when each side has a core of its own.
//
// X25519 operations an XXpsk0 handshake needs, per side: generate an ephemeral key (1 fixed-base
// mult) and 3 DH (ee, es, se: 3 variable-base mults). That is the baseline. (Each side's static
// public key is derived once per listener or dialler, as in the daemon, not per handshake.)
//
// Usage: wire_bench [SECONDS per figure, default 2] [all|handshakes|transport]
#include "daemon/crypto/noise_cipher.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/wire/channel.hpp"
#include "daemon/wire/listener.hpp"

#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace tandem;
using namespace tandem::wire;
using Clock = std::chrono::steady_clock;

namespace {

// CPU seconds used by the calling thread so far.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs `op` repeatedly for about `secs`; returns operations per second.
template <class F>
double rate(double secs, F op) {
  std::uint64_t n = 0;
  const auto t0 = Clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 16; ++i) op();
    n += 16;
    elapsed = seconds_since(t0);
  } while (elapsed < secs);
  return static_cast<double>(n) / elapsed;
}

// ---- baselines ----------------------------------------------------------------------------

// What a baseline or a tandem run achieved: a wall-clock rate, and CPU seconds per unit of work
// (per handshake, per MB) on the busiest thread.
struct Figure {
  double per_s = 0;
  double cpu_per_unit = 0;
};

// One side's X25519 work in a handshake: an ephemeral key and three DH.
void one_side_dh(const crypto::DhKeyPair& peer_static, const crypto::PublicKey& peer_e) {
  auto e = crypto::dh_keypair();
  for (const crypto::PublicKey* pk : {&peer_e, &peer_static.pub, &peer_e}) {
    if (!crypto::dh(e.secret, *pk)) std::abort();
  }
}

// Handshakes/s when `threads` threads do nothing but the handshake's X25519 operations: with one
// thread, both sides' work per handshake; with two, each thread does one side's, concurrently.
Figure measure_dh_bound(int threads, double secs) {
  const auto peer = crypto::dh_keypair();
  const auto peer_e = crypto::dh_keypair().pub;
  std::vector<std::uint64_t> sides(threads);
  std::vector<double> cpu(threads);
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  Clock::time_point t0;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go) std::this_thread::yield();
      const double c0 = thread_cpu_seconds();
      const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(secs));
      std::uint64_t n = 0;
      while (Clock::now() < until) {
        one_side_dh(peer, peer_e);
        ++n;
      }
      sides[t] = n;
      cpu[t] = thread_cpu_seconds() - c0;
    });
  }
  t0 = Clock::now();
  go = true;
  for (auto& th : pool) th.join();
  const double elapsed = seconds_since(t0);
  // Handshakes: two sides each. With one thread per side, the slower thread sets the pace.
  double per_s = 0, cpu_per = 0;
  if (threads == 1) {
    per_s = static_cast<double>(sides[0]) / 2 / elapsed;
    cpu_per = 2 * cpu[0] / static_cast<double>(sides[0]);
  } else {
    per_s = static_cast<double>(std::min(sides[0], sides[1])) / elapsed;
    cpu_per =
        std::max(cpu[0] / static_cast<double>(sides[0]), cpu[1] / static_cast<double>(sides[1]));
  }
  return {per_s, cpu_per};
}

// Raw ChaCha20-Poly1305 IETF on 65519-byte messages, through the crypto module's CipherState.
// mode 0: seal only, one thread (the plain AEAD rate); mode 1: seal then open each message on one
// thread; mode 2: seal on one thread, open on another, messages handed over through memory.
Figure measure_aead(int mode, double secs) {
  std::array<std::uint8_t, 32> key{};
  key[0] = 1;
  const std::size_t sealed_size = kMaxMessage + crypto::noise::kTagSize;
  const double mb_per_message = static_cast<double>(kMaxMessage) / 1e6;
  if (mode < 2) {
    crypto::noise::CipherState tx, rx;
    tx.initialize_key(key);
    rx.initialize_key(key);
    Bytes plain(kMaxMessage, 7), sealed(sealed_size), opened(kMaxMessage);
    const double c0 = thread_cpu_seconds();
    const auto t0 = Clock::now();
    std::uint64_t n = 0;
    double elapsed = 0;
    do {
      for (int i = 0; i < 8; ++i) {
        if (!tx.encrypt_with_ad({}, plain, sealed)) std::abort();
        if (mode == 1 && !rx.decrypt_with_ad({}, sealed, opened)) std::abort();
      }
      n += 8;
      elapsed = seconds_since(t0);
    } while (elapsed < secs);
    const double mb = static_cast<double>(n) * mb_per_message;
    return {mb / elapsed, (thread_cpu_seconds() - c0) / mb};
  }
  // Pipeline: a bounded queue of 8 sealed messages between the two threads.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Bytes> full, empty;
  for (int i = 0; i < 8; ++i) empty.emplace_back(sealed_size);
  std::atomic<bool> stop{false};
  std::uint64_t opened_count = 0;
  double seal_cpu = 0, open_cpu = 0;
  const auto t0 = Clock::now();
  std::thread sealer([&] {
    crypto::noise::CipherState tx;
    tx.initialize_key(key);
    const Bytes plain(kMaxMessage, 7);
    const double c0 = thread_cpu_seconds();
    while (!stop) {
      Bytes b;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !empty.empty() || stop; });
        if (stop) break;
        b = std::move(empty.front());
        empty.pop_front();
      }
      if (!tx.encrypt_with_ad({}, plain, b)) std::abort();
      {
        std::lock_guard lock(mu);
        full.push_back(std::move(b));
      }
      cv.notify_all();
    }
    seal_cpu = thread_cpu_seconds() - c0;
  });
  crypto::noise::CipherState rx;
  rx.initialize_key(key);
  Bytes opened(kMaxMessage);
  const double c0 = thread_cpu_seconds();
  while (seconds_since(t0) < secs) {
    Bytes b;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !full.empty(); });
      b = std::move(full.front());
      full.pop_front();
    }
    if (!rx.decrypt_with_ad({}, b, opened)) std::abort();
    ++opened_count;
    {
      std::lock_guard lock(mu);
      empty.push_back(std::move(b));
    }
    cv.notify_all();
  }
  open_cpu = thread_cpu_seconds() - c0;
  const double elapsed = seconds_since(t0);
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  sealer.join();
  const double mb = static_cast<double>(opened_count) * mb_per_message;
  return {mb / elapsed, std::max(seal_cpu, open_cpu) / mb};
}

// ---- loopback set-up ------------------------------------------------------------------------

struct Keys {
  crypto::DhKeyPair a = crypto::dh_keypair();
  crypto::DhKeyPair b = crypto::dh_keypair();
  crypto::SymmetricKey psk;
  Keys() { crypto::random_fill(std::span<std::uint8_t>(psk.data(), 32)); }
};

ChannelOptions options(const crypto::DhSecretKey& me, const crypto::SymmetricKey& psk,
                       const crypto::PublicKey& peer) {
  ChannelOptions o;
  o.local_static = &me;
  o.local_static_public = crypto::dh_public(me);  // once, as the daemon does
  o.psk = &psk;
  o.authorize = [peer](const crypto::PublicKey& r) { return r == peer; };
  o.read_timeout = std::chrono::seconds(30);
  return o;
}

// Two io_contexts (server, client) on two threads, or one shared io_context on one thread. Each
// thread's CPU time spent in run() is added up (server_cpu is 0 with one thread).
struct Loop {
  explicit Loop(bool two_threads)
      : server_io(std::make_unique<asio::io_context>()),
        client_io(two_threads ? std::make_unique<asio::io_context>() : nullptr) {}
  asio::io_context& server() { return *server_io; }
  asio::io_context& client() { return client_io ? *client_io : *server_io; }
  // Runs both until `done` returns true (polled from the client thread).
  template <class Done>
  void run(Done done) {
    // An io_context that ran out of work earlier is stopped until restarted.
    server_io->restart();
    if (client_io) client_io->restart();
    std::optional<std::thread> t;
    std::atomic<bool> stop{false};
    if (client_io) {
      t.emplace([&] {
        const double c0 = thread_cpu_seconds();
        auto guard = asio::make_work_guard(*server_io);
        while (!stop) server_io->run_for(std::chrono::milliseconds(50));
        server_cpu += thread_cpu_seconds() - c0;
      });
    }
    const double c0 = thread_cpu_seconds();
    while (!done()) client().run_for(std::chrono::milliseconds(20));
    client_cpu += thread_cpu_seconds() - c0;
    stop = true;
    if (t) t->join();
  }
  void reset_cpu() { server_cpu = client_cpu = 0; }
  double busiest_cpu() const { return std::max(server_cpu, client_cpu); }
  std::unique_ptr<asio::io_context> server_io;
  std::unique_ptr<asio::io_context> client_io;
  double server_cpu = 0;
  double client_cpu = 0;
};

struct HandshakeResult {
  Figure figure;
  std::uint64_t failed;
};

HandshakeResult measure_handshakes(bool two_threads, int concurrency, double secs) {
  Keys k;
  Loop loop(two_threads);
  std::atomic<std::uint64_t> established{0};
  ListenerOptions lo;
  lo.channel = options(k.b.secret, k.psk, k.a.pub);
  lo.log_sink = [](const std::string&) {};
  auto listener = Listener::open(loop.server().get_executor(),
                                 tcp::endpoint(asio::ip::address_v4::loopback(), 0), std::move(lo),
                                 [&](Channel c) {
                                   ++established;
                                   c.close();
                                 })
                      .value();
  asio::co_spawn(loop.server(), listener->run(), asio::detached);
  const auto at = listener->local_endpoint();
  const auto client_options = options(k.a.secret, k.psk, k.b.pub);
  std::uint64_t done = 0, failed = 0;
  int running = concurrency;
  loop.reset_cpu();
  const auto t0 = Clock::now();
  const auto until =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(secs));
  for (int i = 0; i < concurrency; ++i) {
    asio::co_spawn(
        loop.client(),
        [&]() -> awaitable<void> {
          while (Clock::now() < until) {
            auto c = co_await connect(loop.client().get_executor(), at, client_options);
            if (c) {
              ++done;
              c->close();
            } else {
              ++failed;
            }
          }
          --running;
        },
        asio::detached);
  }
  loop.run([&] { return running == 0; });
  const double elapsed = seconds_since(t0);
  const double cpu = loop.busiest_cpu();
  asio::post(loop.server(), [&] { listener->stop(); });
  loop.server().restart();
  loop.server().run_for(std::chrono::milliseconds(200));
  const double n = static_cast<double>(done);
  return {{n / elapsed, cpu / n}, failed};
}

Figure measure_transport(bool two_threads, double secs) {
  Keys k;
  Loop loop(two_threads);
  std::optional<Channel> server_side;
  std::atomic<bool> have_server{false};
  ListenerOptions lo;
  lo.channel = options(k.b.secret, k.psk, k.a.pub);
  auto listener = Listener::open(loop.server().get_executor(),
                                 tcp::endpoint(asio::ip::address_v4::loopback(), 0), std::move(lo),
                                 [&](Channel c) {
                                   server_side.emplace(std::move(c));
                                   have_server = true;
                                 })
                      .value();
  asio::co_spawn(loop.server(), listener->run(), asio::detached);
  std::optional<Channel> client_side;
  bool connected = false;
  asio::co_spawn(
      loop.client(),
      [&]() -> awaitable<void> {
        auto c = co_await connect(loop.client().get_executor(), listener->local_endpoint(),
                                  options(k.a.secret, k.psk, k.b.pub));
        if (!c) std::abort();
        client_side.emplace(std::move(c).value());
        connected = true;
      },
      asio::detached);
  loop.run([&] { return connected && have_server.load(); });

  // Warm up, then time `count` messages from the client to the server.
  const Bytes message(kMaxMessage, 0x5a);
  const std::uint64_t count = std::max<std::uint64_t>(
      64, static_cast<std::uint64_t>(secs * 300e6 / static_cast<double>(kMaxMessage)));
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> receiver_done{false};
  bool sender_done = false;
  asio::co_spawn(
      loop.server(),
      [&]() -> awaitable<void> {
        for (std::uint64_t i = 0; i < count; ++i) {
          auto m = co_await server_side->receive();
          if (!m || m->size() != kMaxMessage) {
            std::fprintf(stderr, "receive failed after %llu: %s (server io stopped: %d)\n",
                         static_cast<unsigned long long>(received.load()),
                         m ? "wrong size" : m.error().message.c_str(),
                         int(loop.server().stopped()));
            std::abort();
          }
          ++received;
        }
        receiver_done = true;
      },
      asio::detached);
  loop.reset_cpu();
  const auto t0 = Clock::now();
  asio::co_spawn(
      loop.client(),
      [&]() -> awaitable<void> {
        for (std::uint64_t i = 0; i < count; ++i) {
          auto st = co_await client_side->send(message);
          if (!st) std::abort();
        }
        sender_done = true;
      },
      asio::detached);
  loop.run([&] { return sender_done && receiver_done.load(); });
  const double elapsed = seconds_since(t0);
  const double cpu = loop.busiest_cpu();
  client_side->close();
  server_side->close();
  listener->stop();
  loop.server().restart();
  loop.server().run_for(std::chrono::milliseconds(100));
  const double mb = static_cast<double>(count) * static_cast<double>(kMaxMessage) / 1e6;
  return {mb / elapsed, cpu / mb};
}

}  // namespace

int main(int argc, char** argv) {
  const double secs = argc > 1 ? std::atof(argv[1]) : 2.0;
  const std::string only = argc > 2 ? argv[2] : "all";  // all, handshakes or transport
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  crypto::ensure_init();
  std::printf("wire_bench: %.1f s per figure, %u hardware threads\n\n", secs,
              std::thread::hardware_concurrency());
  // Each baseline runs right before and right after its figure, on the same number of threads,
  // and the mean of the two is used, so that load drifting between them moves both alike.
  auto mean = [](Figure a, Figure b) {
    return Figure{(a.per_s + b.per_s) / 2, (a.cpu_per_unit + b.cpu_per_unit) / 2};
  };
  auto verdict = [](double ratio, double target) { return ratio >= target ? "ok" : "MISSED"; };
  if (only != "transport") {
    std::printf(
        "handshakes: baseline = the same threads doing only the X25519 operations of each\n"
        "handshake (per side: 1 fixed-base + 3 variable-base mults); target >= 25%%\n");
    for (int threads : {1, 2}) {
      const Figure before = measure_dh_bound(threads, secs / 2);
      const auto h = measure_handshakes(threads == 2, 8, secs);
      const Figure dh = mean(before, measure_dh_bound(threads, secs / 2));
      const double wall = h.figure.per_s / dh.per_s;
      const double cpu = dh.cpu_per_unit / h.figure.cpu_per_unit;
      std::printf(
          "  %s: %.0f handshakes/s (%llu failed) vs DH-only %.0f/s = %.0f%% [%s]; CPU per "
          "handshake%s %.0f us vs DH-only %.0f us = %.0f%% [%s]\n",
          threads == 1 ? "1 thread (both sides)" : "2 threads (one per side)", h.figure.per_s,
          static_cast<unsigned long long>(h.failed), dh.per_s, 100 * wall, verdict(wall, 0.25),
          threads == 1 ? "" : " (busier side)", 1e6 * h.figure.cpu_per_unit, 1e6 * dh.cpu_per_unit,
          100 * cpu, verdict(cpu, 0.25));
      if (threads == 1) {
        // One side of a handshake is 4 X25519 operations; the 1-thread bound runs both sides.
        std::printf("    raw X25519 on one thread: %.0f operations/s (%.1f us each)\n",
                    8 * dh.per_s, 1e6 * dh.cpu_per_unit / 8);
      }
    }
    std::printf("\n");
  }
  if (only == "handshakes") return 0;
  std::printf(
      "transport, 65519-byte messages: baseline = raw ChaCha20-Poly1305 IETF doing the same\n"
      "crypto work on the same threads (seal + open per message); target >= 50%%\n");
  const Figure seal_only = measure_aead(0, secs / 2);
  for (int threads : {1, 2}) {
    const int mode = threads == 1 ? 1 : 2;
    const Figure before = measure_aead(mode, secs / 2);
    const Figure t = measure_transport(threads == 2, secs);
    const Figure raw = mean(before, measure_aead(mode, secs / 2));
    const double wall = t.per_s / raw.per_s;
    const double cpu = raw.cpu_per_unit / t.cpu_per_unit;
    std::printf(
        "  %s: %.0f MB/s vs raw %s %.0f MB/s = %.0f%% [%s]; CPU per MB%s %.2f ms vs raw %.2f ms "
        "= %.0f%% [%s]\n",
        threads == 1 ? "1 thread (both ends)" : "2 threads (one per end)", t.per_s,
        threads == 1 ? "seal+open" : "seal | open pipeline", raw.per_s, 100 * wall,
        verdict(wall, 0.5), threads == 1 ? "" : " (busier end)", 1e3 * t.cpu_per_unit,
        1e3 * raw.cpu_per_unit, 100 * cpu, verdict(cpu, 0.5));
    if (threads == 2) {
      std::printf(
          "  for reference, raw seal only on one core: %.0f MB/s, %.2f ms CPU per MB; the 2-thread "
          "transport is %.0f%% of it by wall clock, %.0f%% by CPU\n",
          seal_only.per_s, 1e3 * seal_only.cpu_per_unit, 100 * t.per_s / seal_only.per_s,
          100 * seal_only.cpu_per_unit / t.cpu_per_unit);
    }
  }
  return 0;
}
