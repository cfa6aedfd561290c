// tandem-wire-peer: tandem's side of the interop tests. Listens (the real Listener) or connects
// (the real connect()), runs the peer-wire handshake with keys given as hex, then exchanges a few
// messages and prints, one line each, what it saw:
//   LISTENING <port>          (listen mode, once bound)
//   PEER <hex static key>     HASH <hex handshake hash>
//   RECV <length> <text>      (small messages) / RECV <length> big ok|big bad
//   LOG <line>                (the listener's rate-limited log)
//   FAILED <code> <message>   STATS ...   DONE
// Exit status: 0 when every exchange went as planned, 3 otherwise, 2 for bad arguments.
#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/wire/channel.hpp"
#include "daemon/wire/listener.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>

using namespace tandem;
using namespace tandem::wire;

namespace {

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

int usage() {
  std::fprintf(stderr,
               "usage: tandem-wire-peer listen|connect --static HEX --psk HEX|none [--addr ADDR]\n"
               "       [--expect HEX] [--prologue TEXT] [--count N] [--big] [--outcomes N]\n"
               "       [--timeout-ms N]\n");
  return 2;
}

template <std::size_t N>
bool secret_from_hex(const std::string& hex, crypto::Secret<N>& out) {
  auto b = from_hex(hex);
  if (!b || b->size() != N) return false;
  std::memcpy(out.data(), b->data(), N);
  crypto::wipe(b->data(), b->size());
  return true;
}

Bytes big_message() {
  Bytes b(kMaxMessage);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return b;
}

struct Args {
  std::string mode;
  std::map<std::string, std::string> opts;
  bool big = false;
};

// Sends `count` text messages (and the big one), then expects as many back. True when all went.
awaitable<bool> exchange(Channel& channel, int count, bool big) {
  say("PEER " + to_hex(channel.remote_static()));
  say("HASH " + to_hex(channel.handshake_hash()));
  for (int i = 0; i < count; ++i) {
    std::string text = "tandem says " + std::to_string(i);
    auto st = co_await channel.send(as_bytes(text));
    if (!st) {
      say("FAILED " + std::string(code_name(st.error().code)) + " " + st.error().message);
      co_return false;
    }
  }
  if (big) {
    auto st = co_await channel.send(big_message());
    if (!st) {
      say("FAILED " + std::string(code_name(st.error().code)) + " " + st.error().message);
      co_return false;
    }
  }
  bool ok = true;
  for (int i = 0; i < count + (big ? 1 : 0); ++i) {
    auto m = co_await channel.receive();
    if (!m) {
      say("FAILED " + std::string(code_name(m.error().code)) + " " + m.error().message);
      co_return false;
    }
    if (m->size() > 1000) {
      const bool same = *m == big_message();
      ok = ok && same;
      say("RECV " + std::to_string(m->size()) + (same ? " big ok" : " big bad"));
    } else {
      say("RECV " + std::to_string(m->size()) + " " + std::string(m->begin(), m->end()));
    }
  }
  co_return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  Args args;
  args.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--big") {
      args.big = true;
    } else if (a.rfind("--", 0) == 0 && i + 1 < argc) {
      args.opts[a.substr(2)] = argv[++i];
    } else {
      return usage();
    }
  }
  if (args.mode != "listen" && args.mode != "connect") return usage();
  auto opt = [&](const char* name, const char* fallback) {
    auto it = args.opts.find(name);
    return it == args.opts.end() ? std::string(fallback) : it->second;
  };

  crypto::DhSecretKey static_key;
  crypto::SymmetricKey psk;
  if (!secret_from_hex(opt("static", ""), static_key)) return usage();
  const bool pairing = opt("psk", "") == "none";
  if (!pairing && !secret_from_hex(opt("psk", ""), psk)) return usage();

  ChannelOptions options;
  options.local_static = &static_key;
  if (pairing) {
    options.protocol = std::string(kPairingProtocol);
    options.prologue = std::string(kPairingPrologue);
  } else {
    options.psk = &psk;
  }
  options.prologue = opt("prologue", options.prologue.c_str());
  if (auto expect = opt("expect", ""); !expect.empty()) {
    auto want = from_hex(expect);
    if (!want || want->size() != 32) return usage();
    crypto::PublicKey key;
    std::memcpy(key.data(), want->data(), 32);
    options.authorize = [key](const crypto::PublicKey& remote) { return remote == key; };
  }
  const int count = std::atoi(opt("count", "3").c_str());
  const int timeout_ms = std::atoi(opt("timeout-ms", "15000").c_str());
  options.handshake_timeout = std::chrono::milliseconds(3000);
  options.read_timeout = std::chrono::milliseconds(timeout_ms);
  say("SELF " + to_hex(crypto::dh_public(static_key)));

  asio::io_context io;
  bool ok = true;
  int exchanges_running = 0;

  if (args.mode == "connect") {
    auto to = parse_endpoint(opt("addr", "127.0.0.1:7470"));
    if (!to) return usage();
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
          auto channel = co_await connect(io.get_executor(), *to, options);
          if (!channel) {
            say("FAILED " + std::string(code_name(channel.error().code)) + " " +
                channel.error().message);
            ok = false;
            co_return;
          }
          ok = co_await exchange(*channel, count, args.big);
          channel->close();
        },
        asio::detached);
    io.run_for(std::chrono::milliseconds(timeout_ms));
    if (!io.stopped()) {
      say("FAILED timeout the test peer ran out of time");
      ok = false;
    }
  } else {
    auto at = parse_endpoint(opt("addr", "127.0.0.1:0"));
    if (!at) return usage();
    const int outcomes = std::atoi(opt("outcomes", "1").c_str());
    ListenerOptions lo;
    lo.channel = options;
    lo.log_sink = [](const std::string& line) { say("LOG " + line); };
    std::vector<std::unique_ptr<Channel>> channels;
    auto listener = Listener::open(io.get_executor(), *at, std::move(lo), [&](Channel c) {
      channels.push_back(std::make_unique<Channel>(std::move(c)));
      Channel& ch = *channels.back();
      ++exchanges_running;
      asio::co_spawn(
          io,
          [&]() -> awaitable<void> {
            if (!co_await exchange(ch, count, args.big)) ok = false;
            --exchanges_running;
          },
          asio::detached);
    });
    if (!listener) {
      say("FAILED " + std::string(code_name(listener.error().code)) + " " +
          listener.error().message);
      return 3;
    }
    say("LISTENING " + std::to_string((*listener)->local_endpoint().port()));
    asio::co_spawn(io, (*listener)->run(), asio::detached);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    auto settled = [&] {
      auto s = (*listener)->stats();
      const std::uint64_t n =
          s.established + s.refused_psk + s.refused_key + s.timed_out + s.malformed + s.dropped;
      return n >= static_cast<std::uint64_t>(outcomes) && exchanges_running == 0;
    };
    while (!settled() && std::chrono::steady_clock::now() < until) {
      io.run_for(std::chrono::milliseconds(20));
    }
    if (!settled()) {
      say("FAILED timeout not every expected connection came");
      ok = false;
    }
    auto s = (*listener)->stats();
    (*listener)->stop();
    for (auto& c : channels) c->close();
    io.run_for(std::chrono::milliseconds(200));
    say("STATS established=" + std::to_string(s.established) + " refused_psk=" +
        std::to_string(s.refused_psk) + " refused_key=" + std::to_string(s.refused_key) +
        " timed_out=" + std::to_string(s.timed_out) + " malformed=" + std::to_string(s.malformed) +
        " dropped=" + std::to_string(s.dropped));
  }
  say(ok ? "DONE" : "DONE with failures");
  return ok ? 0 : 3;
}
