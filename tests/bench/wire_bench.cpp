// wire_bench: the peer wire's speed, each figure beside a raw baseline measured in the same run.
//   (a) Noise_XXpsk0 handshakes/s over loopback TCP (the real Listener and connect(), a new TCP
//       connection per handshake) beside the rate the X25519 operations alone allow;
//   (b) transport MB/s of 65519-byte messages (one full frame each) over loopback beside raw
//       ChaCha20-Poly1305 (the crypto module's CipherState::encrypt_with_ad in a loop).
// Each is run with both ends on one thread and with each end on its own thread (2 cores here).
//
// X25519 operations per XXpsk0 handshake, counted from the engine: each side computes its static
// public key when its HandshakeState is created (1 fixed-base mult), generates an ephemeral key
// (1 fixed-base mult) and does 3 DH (ee, es, se: 3 variable-base mults). So 4 fixed-base and 6
// variable-base scalar mults per handshake, 2 + 3 per side.
//
// Usage: wire_bench [SECONDS per figure, default 2] [all|handshakes|transport]
#include "daemon/crypto/noise_cipher.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/wire/channel.hpp"
#include "daemon/wire/listener.hpp"

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace tandem;
using namespace tandem::wire;
using Clock = std::chrono::steady_clock;

namespace {

// CPU seconds used by the whole process (all threads), to compare work done independently of
// how much of the shared machine's CPU this run was given.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

struct DhRates {
  double fixed_base;     // X25519(secret, 9): public keys
  double variable_base;  // X25519(secret, peer public): DH
};

DhRates measure_dh(double secs) {
  auto kp = crypto::dh_keypair();
  crypto::PublicKey sink{};
  DhRates r;
  r.fixed_base = rate(secs, [&] {
    auto pub = crypto::dh_public(kp.secret);
    sink[0] ^= pub[0];
  });
  // The crypto module exposes variable-base X25519 only inside composed operations; opening a
  // sealed box is one variable-base mult plus about a microsecond of hashing and a one-block
  // XSalsa20-Poly1305, so this slightly understates the raw DH rate (and flatters nothing).
  Bytes box = crypto::seal_to(kp.pub, Bytes{1});
  r.variable_base = rate(secs, [&] {
    auto opened = crypto::open_from(kp.pub, kp.secret, box);
    if (!opened) std::abort();
  });
  if (sink[0] == 0x5a) std::printf(" ");  // keep the loop observable
  return r;
}

double measure_aead_mb_s(double secs) {
  crypto::noise::CipherState cs;
  std::array<std::uint8_t, 32> key{};
  key[0] = 1;
  cs.initialize_key(key);
  Bytes buf(kMaxMessage + crypto::noise::kTagSize, 7);
  const double per_s = rate(secs, [&] {
    auto n =
        cs.encrypt_with_ad({}, ByteView(buf.data(), kMaxMessage), std::span<std::uint8_t>(buf));
    if (!n) std::abort();
  });
  return per_s * static_cast<double>(kMaxMessage) / 1e6;
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
  o.psk = &psk;
  o.authorize = [peer](const crypto::PublicKey& r) { return r == peer; };
  o.read_timeout = std::chrono::seconds(30);
  return o;
}

// Two io_contexts (server, client) on two threads, or one shared io_context on one thread.
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
        auto guard = asio::make_work_guard(*server_io);
        while (!stop) server_io->run_for(std::chrono::milliseconds(50));
      });
    }
    while (!done()) client().run_for(std::chrono::milliseconds(20));
    stop = true;
    if (t) t->join();
  }
  std::unique_ptr<asio::io_context> server_io;
  std::unique_ptr<asio::io_context> client_io;
};

struct HandshakeResult {
  double per_s;
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
  asio::post(loop.server(), [&] { listener->stop(); });
  loop.server().restart();
  loop.server().run_for(std::chrono::milliseconds(200));
  return {static_cast<double>(done) / elapsed, failed};
}

struct TransportResult {
  double mb_s;          // wall clock
  double cpu_s_per_mb;  // process CPU time (both ends) per MB moved
};

TransportResult measure_transport(bool two_threads, double secs) {
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
  const auto t0 = Clock::now();
  const double cpu0 = process_cpu_seconds();
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
  const double cpu = process_cpu_seconds() - cpu0;
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

  // The machine is shared: each figure's baseline is measured right before and right after it,
  // and the mean of the two is used, so that load drifting between them moves both alike.
  auto dh_bound = [&](bool two, DhRates dh) {
    const double per_total = 4 / dh.fixed_base + 6 / dh.variable_base;
    const double per_side = 2 / dh.fixed_base + 3 / dh.variable_base;
    return two ? 1 / per_side : 1 / per_total;
  };
  auto mean = [](DhRates a, DhRates b) {
    return DhRates{(a.fixed_base + b.fixed_base) / 2, (a.variable_base + b.variable_base) / 2};
  };
  std::printf(
      "an XXpsk0 handshake = 4 fixed-base + 6 variable-base X25519 mults (2 + 3 per side);\n"
      "the DH-bound rate is 1 / (4 t_fixed + 6 t_var) with both sides on one core, and\n"
      "1 / (2 t_fixed + 3 t_var) with one core per side\n\n");
  if (only != "transport") {
    for (bool two : {false, true}) {
      const DhRates before = measure_dh(secs / 2);
      auto h = measure_handshakes(two, 8, secs);
      const DhRates dh = mean(before, measure_dh(secs / 2));
      const double bound = dh_bound(two, dh);
      std::printf(
          "raw X25519: fixed-base %.0f/s, variable-base %.0f/s -> DH-bound %.0f handshakes/s\n",
          dh.fixed_base, dh.variable_base, bound);
      std::printf(
          "handshakes over loopback, %s, 8 in flight: %.0f/s (%llu failed) = %.0f%% of the "
          "DH-bound rate (target >= 25%%)\n\n",
          two ? "one thread per side" : "both sides on one thread", h.per_s,
          static_cast<unsigned long long>(h.failed), 100 * h.per_s / bound);
    }
  }
  if (only == "handshakes") return 0;
  for (bool two : {false, true}) {
    const double before = measure_aead_mb_s(secs / 2);
    const TransportResult r = measure_transport(two, secs);
    const double t = r.mb_s;
    const double aead = (before + measure_aead_mb_s(secs / 2)) / 2;
    std::printf(
        "raw ChaCha20-Poly1305 (CipherState::encrypt_with_ad, 65519-byte messages, one "
        "core): %.0f MB/s\n",
        aead);
    std::printf(
        "transport over loopback, 65519-byte messages, %s: %.0f MB/s = %.0f%% of raw AEAD "
        "(target >= 50%%%s)\n",
        two ? "one thread per side" : "both sides on one thread", t, 100 * t / aead,
        two ? "" : "; one thread both encrypts and decrypts, so 50% is its ceiling");
    std::printf(
        "  CPU per MB moved (both ends; independent of the machine's load): %.2f ms = "
        "%.2f raw AEAD passes (encrypt + decrypt make 2 the floor)\n\n",
        1e3 * r.cpu_s_per_mb, r.cpu_s_per_mb * aead);
  }
  return 0;
}
