// Writes the seed corpora of the fuzz targets whose messages need real keys (handshake, transport,
// sync, pairing) or that are easiest built in C++ (beacons, config files), from the same fixtures
// the targets use, so every seed is a real message valid at its step:
//
//   build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
//
// Each seed is the message, then the choice bytes its target reads from the end (see each
// target's header comment). The output is deterministic; the ctest "fuzz seeds are up to date"
// checks the committed corpus against it.
#include "daemon/discovery/beacon.hpp"
#include "daemon/discovery/pairing_code.hpp"
#include "daemon/store/body_page.hpp"
#include "daemon/wire/frame.hpp"
#include "proto/wire.capnp.h"
#include "tests/fuzz/handshake_fixture.hpp"
#include "tests/fuzz/pairing_fixture.hpp"
#include "tests/fuzz/sync_fixture.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace tandem;
namespace fs = std::filesystem;

namespace {

fs::path g_out;

void write(const std::string& target, const std::string& name, const Bytes& bytes) {
  fs::create_directories(g_out / target);
  std::ofstream f(g_out / target / name, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) {
    std::fprintf(stderr, "cannot write %s/%s\n", target.c_str(), name.c_str());
    std::exit(1);
  }
}

Bytes text(std::string_view s) {
  auto b = as_bytes(s);
  return Bytes(b.begin(), b.end());
}

template <class T>
T must(Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "seed generation failed: %s\n", r.error().message.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

// The choice bytes a target reads with FuzzInput::integral_in_range, given in the order the
// target reads them: each as (value - lo, bytes the range needs). Appended to a message.
class Tail {
 public:
  Tail& add(std::uint64_t v, int nbytes) {
    for (int i = nbytes - 1; i >= 0; --i) order_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes after(Bytes message) const {
    message.insert(message.end(), order_.rbegin(), order_.rend());
    return message;
  }

 private:
  std::vector<std::uint8_t> order_;  // in the order read: first read is the input's last byte
};

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes framed_ciphertext(crypto::noise::Transport& t, const Bytes& plain) {
  return must(wire::encode_frame(must(t.encrypt({}, plain))));
}

Bytes keepalive(std::uint64_t v) {
  capnp::MallocMessageBuilder msg;
  msg.initRoot<schema::PeerMessage>().setKeepalive(v);
  auto w = capnp::messageToFlatArray(msg);
  return Bytes(w.asBytes().begin(), w.asBytes().end());
}

// ---- fuzz_noise_handshake: mode = (step - 1) + 3 * pairing + 6 * refuse; split - 1 ----
void handshake_seeds() {
  const std::string t = "fuzz_noise_handshake";
  auto hello = sync::encode_hello({{fuzz::kSender, 2}}, 1);
  for (int pairing = 0; pairing < 2; ++pairing) {
    for (int step = 1; step <= 3; ++step) {
      auto at = fuzz::handshake_at(step, pairing != 0);
      const std::string base =
          std::string(pairing ? "pair" : "peer") + "-msg" + std::to_string(step);
      const std::uint64_t mode = static_cast<std::uint64_t>((step - 1) + 3 * pairing);
      write(t, base + ".bin", Tail().add(mode, 1).add(1099, 2).after(at.message));
      write(t, base + "-split.bin", Tail().add(mode, 1).add(6, 2).after(at.message));
      if (step > 1)
        write(t, base + "-refused.bin", Tail().add(mode + 6, 1).add(1099, 2).after(at.message));
    }
    // Message 3 followed by the initiator's first transport frames (the channel's leftover).
    auto init = fuzz::make_driver(wire::Role::kInitiator, pairing != 0);
    auto resp = fuzz::make_driver(wire::Role::kResponder, pairing != 0);
    auto m1 = must(init.start());
    (void)must(resp.start());
    auto m2 = must(resp.feed(m1));
    auto m3 = must(init.feed(m2));
    auto est = must(init.finish());
    Bytes stream = cat({m3, framed_ciphertext(est.transport, hello),
                        framed_ciphertext(est.transport, keepalive(42))});
    write(t, std::string(pairing ? "pair" : "peer") + "-msg3-then-transport.bin",
          Tail().add(static_cast<std::uint64_t>(2 + 3 * pairing), 1).add(1099, 2).after(stream));
  }
}

// ---- fuzz_transport: honest, split - 1, [flip, flip_at, bits - 1, len...] ----
void transport_seeds(const std::vector<Bytes>& messages) {
  const std::string t = "fuzz_transport";
  auto s = fuzz::fixed_session();
  Bytes raw;
  for (const auto& m : messages) {
    auto f = framed_ciphertext(s.a, m);
    raw.insert(raw.end(), f.begin(), f.end());
  }
  write(t, "raw-stream.bin", Tail().add(0, 1).add(4095, 2).after(raw));
  write(t, "raw-stream-split.bin", Tail().add(0, 1).add(4, 2).after(raw));
  for (int flip = 0; flip < 2; ++flip) {
    Tail tail;
    tail.add(1, 1).add(flip ? 100 : 4095, 2).add(static_cast<std::uint64_t>(flip), 1);
    tail.add(flip ? 1500 : 0, 4).add(0, 1);
    Bytes plain;
    std::size_t n = 0;
    for (const auto& m : messages) {
      if (m.size() > 2048) continue;  // the target's length limit
      if (n++ == 4) break;
      tail.add(m.size(), 2);
      plain.insert(plain.end(), m.begin(), m.end());
    }
    write(t, flip ? "honest-flipped.bin" : "honest.bin", tail.after(plain));
  }
}

// ---- fuzz_sync_message: whole PeerMessages ----
std::vector<Bytes> sync_seeds() {
  const std::string t = "fuzz_sync_message";
  const auto log = fuzz::sender_log();
  auto part = [&](std::size_t from, std::size_t to) {  // records from..to, 1-based, inclusive
    return std::vector<sync::WireRecord>(log.begin() + static_cast<long>(from - 1),
                                         log.begin() + static_cast<long>(to));
  };
  std::vector<std::pair<std::string, Bytes>> seeds;
  seeds.emplace_back("hello.bin", sync::encode_hello({{fuzz::kSender, 2}, {fuzz::kPartner, 0}}, 1));
  seeds.emplace_back("batch-all.bin", sync::encode_batch(1, log));
  seeds.emplace_back("batch-new.bin", sync::encode_batch(2, part(3, 6)));
  seeds.emplace_back("batch-edit-roster.bin", sync::encode_batch(3, part(3, 4)));
  seeds.emplace_back("batch-one.bin", sync::encode_batch(4, part(3, 3)));
  seeds.emplace_back("batch-gap.bin", sync::encode_batch(5, part(4, 6)));
  auto erased = part(1, 3);
  erased[1].body.reset();
  seeds.emplace_back("batch-erased.bin", sync::encode_batch(6, erased));
  // Another member's entry edited: signed, chained, and still refused.
  auto other = fuzz::chain({{fuzz::fixed_body(fuzz::entry_change(fuzz::kPartner, 1, true), 9), 0}},
                           3, store::chain_hash(log[1].header));
  seeds.emplace_back("batch-other-member.bin", sync::encode_batch(7, other));
  seeds.emplace_back("ack.bin", sync::encode_ack(3));
  seeds.emplace_back("keepalive.bin", keepalive(1'764'000'000'000));
  {
    capnp::MallocMessageBuilder msg;
    msg.initRoot<schema::PeerMessage>().setGoodbye(schema::GoodbyeReason::FORK);
    auto w = capnp::messageToFlatArray(msg);
    seeds.emplace_back("goodbye.bin", Bytes(w.asBytes().begin(), w.asBytes().end()));
  }
  std::vector<Bytes> all;
  for (auto& [name, bytes] : seeds) {
    write(t, name, bytes);
    all.push_back(bytes);
  }
  // The same records' bodies as the store keeps them: one page's plaintext, a slot erased.
  store::PageBuilder page;
  for (const auto& r : log) page.add(store::encode_body(*r.body));
  page.add_erased();
  Bytes plain;
  page.finish(plain);
  write("fuzz_record_body", "page.bin", plain);
  return all;
}

// ---- fuzz_pairing: message, then step (0 hello .. 4 welcome body) ----
void pairing_seeds() {
  const std::string t = "fuzz_pairing";
  const auto& s = fuzz::pairing_setup();
  auto joiner = s.joiner();
  auto inv = s.inviter(joiner.hello());
  auto confirm = must(joiner.on_reply(inv.reply()));
  if (!inv.on_confirm(confirm)) std::exit(1);
  auto welcome = must(inv.welcome(s.welcome()));
  write(t, "hello.bin", Tail().add(0, 1).after(joiner.hello()));
  write(t, "reply.bin", Tail().add(1, 1).after(inv.reply()));
  write(t, "confirm.bin", Tail().add(2, 1).after(confirm));
  write(t, "welcome-sealed.bin", Tail().add(3, 1).after(welcome));
  capnp::MallocMessageBuilder body;
  auto b = body.initRoot<schema::PairWelcomeBody>();
  const auto w = s.welcome();
  b.setSpaceId(kj::arrayPtr(w.space_id.data(), w.space_id.size()));
  b.setSpaceKey(kj::arrayPtr(w.space_key.data(), w.space_key.size()));
  b.setRoster(kj::arrayPtr(w.roster.data(), w.roster.size()));
  b.setRosterRecord(kj::arrayPtr(w.roster_record.data(), w.roster_record.size()));
  b.setMember(w.member);
  b.setPeerPort(w.peer_port);
  auto words = capnp::messageToFlatArray(body);
  write(t, "welcome-body.bin",
        Tail().add(4, 1).after(Bytes(words.asBytes().begin(), words.asBytes().end())));
  const Bytes refused = pairing::refused_message("wrong code");
  for (std::uint64_t step = 0; step < 4; ++step) {
    write(t, "refused-" + std::to_string(step) + ".bin", Tail().add(step, 1).after(refused));
  }
}

// ---- fuzz_beacon: datagrams and typed codes ----
void beacon_seeds() {
  const std::string t = "fuzz_beacon";
  auto space =
      discovery::BeaconScope::space(discovery::beacon_key(fuzz::fixed_secret<32>(0x81), 1));
  auto pair = discovery::BeaconScope::pairing(17);
  auto bytes = [](const discovery::Beacon& b) {
    auto a = discovery::encode(b);
    return Bytes(a.begin(), a.end());
  };
  write(t, "space.bin", bytes(space.make(fuzz::kNowMs, 7470)));
  write(t, "space-next-window.bin", bytes(space.make(fuzz::kNowMs + 300'000, 7470)));
  write(t, "pairing.bin", bytes(pair.make(fuzz::kNowMs, 40123)));
  auto old = bytes(space.make(fuzz::kNowMs, 7470));
  old[4] = 0;
  write(t, "wrong-version.bin", old);
  const discovery::PairingCode code{17, {10, 700, 2047}};
  write(t, "code.txt", text(discovery::format(code)));
  std::string typed = " " + discovery::format(code) + " ";
  for (auto& c : typed) c = c == '-' ? ' ' : static_cast<char>(std::toupper(c));
  write(t, "code-typed.txt", text(typed));
  write(t, "code-misspelt.txt", text("99-orbitt-lantern"));
}

// ---- fuzz_config: config files ----
void config_seeds() {
  const std::string t = "fuzz_config";
  write(t, "full.toml",
        text("data_dir = \"~/.local/share/tandem\"\n"
             "socket = \"/run/user/1000/tandem/tandemd.sock\"\n"
             "listen = \"[::]:7470\"\n"
             "discovery = true\n"
             "peers = [\"sam-laptop.tail1234.ts.net:7470\", \"192.168.1.20:7470\", "
             "\"[fd7a:115c:a1e0::1]:7470\"]\n"
             "log_level = \"info\"\n"));
  write(t, "comments.toml",
        text("# tandemd.toml\n\n# listen = \"[::]:7470\"\nlisten = \"127.0.0.1:0\"  # loopback\n"
             "discovery = false\n[extra]\n"));
  write(t, "bad-value.toml", text("log_level = \"loud\"\npeers = [7470]\n"));
  write(t, "bad-syntax.toml", text("listen = \"0.0.0.0:7470\nsocket = 'x'\n"));
  write(t, "unknown-key.toml", text("data-dir = \"/tmp\"\n"));
  write(t, "peer.txt", text("laptop.tailnet.ts.net:7470"));
  write(t, "listen.txt", text("[::1]:0"));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  handshake_seeds();
  auto messages = sync_seeds();
  transport_seeds(messages);
  pairing_seeds();
  beacon_seeds();
  config_seeds();
  std::printf("seeds written to %s\n", argv[1]);
  return 0;
}
