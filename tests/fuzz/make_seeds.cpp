// Writes the seed corpora of the fuzz targets whose messages need real keys (handshake, transport,
// sync, pairing) or that are easiest built in C++ (API requests, record bodies, beacons, config
// files, text fields), from the same fixtures and codecs the targets use, so every seed is a real
// message valid at its step:
//
//   build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
//
// Each seed is the message, then the choice bytes its target reads from the end (see each
// target's header comment). The output is deterministic; the ctest "fuzz seeds are up to date"
// checks the committed corpus against it.
#include "daemon/api/codec.hpp"
#include "daemon/discovery/beacon.hpp"
#include "daemon/discovery/learned_peers.hpp"
#include "daemon/discovery/pairing_code.hpp"
#include "daemon/discovery/peers.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/store/body_page.hpp"
#include "daemon/store/roster.hpp"
#include "daemon/sync/known.hpp"
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
  // A frame bigger than the channel's 16 KiB read buffer between small ones: its body is read
  // into its own buffer, partly by scatter reads that also fill the read buffer.
  Bytes big = cat({framed_ciphertext(s.a, keepalive(1)), framed_ciphertext(s.a, Bytes(20000, 0x5c)),
                   framed_ciphertext(s.a, keepalive(2))});
  write(t, "raw-big-frame.bin", Tail().add(0, 1).add(4095, 2).after(big));
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
  // The live path (apply_batches) reads the batch id as the way to split it (see the target):
  // unsplit, one batch per record, and a real batch of record 3 sent first.
  seeds.emplace_back("batch-new-whole.bin", sync::encode_batch(0, part(3, 6)));
  seeds.emplace_back("batch-new-split.bin", sync::encode_batch(0x7, part(3, 6)));
  seeds.emplace_back("batch-after-real.bin",
                     sync::encode_batch(std::uint64_t{1} << 63 | 0x2, part(3, 6)));
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

// ---- fuzz_api_json and fuzz_api_frame: every request kind, as a JSON line and as a frame ----
// The JSON lines are what a frontend writes; each frame is the same request as the daemon's own
// codec decodes it, so both corpora hold real requests of every kind in api.capnp's union.
const char* const kRequests[] = {
    R"({"id": 1, "status": {}})",
    R"({"id": 2, "init": {"name": "Sam", "deviceName": "laptop", "partnerName": "Jo"}})",
    R"({"id": 3, "add": {"entry": {"contribution": {"actor": "me", "effort": 2, "phase": "anticipate"}, "date": "2026-11-25", "note": "planned the week", "visibility": "shared"}}})",
    R"({"id": 4, "add": {"entry": {"bid": {"bidder": "partner", "response": "toward", "heard": 4}, "date": "2026-11-24"}}})",
    R"({"id": 5, "add": {"entry": {"conflict": {"raisedBy": "me", "topic": "finances", "repairs": [{"by": "partner", "kind": "apology", "accepted": true}], "outcome": "compromise", "fairnessMe": 4}, "date": "2026-11-20"}}})",
    R"({"id": 6, "add": {"entry": {"checkin": {"period": "2026-W48", "fairness": [{"dimension": "household", "fairness": "unfairToMe"}], "appreciated": 3, "sealed": true}}}})",
    R"({"id": 7, "get": {"id": "0123456789abcdef-17"}})",
    R"({"id": 8, "list": {"kind": "contribution", "dimension": "household", "since": "2026-10-01", "limit": 50, "includeRetracted": true}})",
    R"({"id": 9, "edit": {"id": "local-3", "entry": {"expense": {"amountCents": "4599", "currency": "EUR", "paidBy": "me", "area": "groceries"}}, "reason": "amount"}})",
    R"({"id": 10, "retract": {"id": "0123456789abcdef-2", "reason": "logged twice"}})",
    R"({"id": 11, "appreciate": {"ids": ["0123456789abcdef-1"], "note": "thank you", "visibility": "aggregate"}})",
    R"({"id": 12, "export": {"cursor": "", "limit": 100}})",
    R"({"id": 13, "subscribe": {}})",
    R"({"id": 14, "add": {"entry": {"edit": {"reason": "r"}, "refs": [{"device": "0102030405060708", "seq": "1"}], "replacement": {"context": {"label": "exams", "from": "2026-06-01", "until": "2026-06-20"}}}}})",
    R"({"id": 15, "report": {"window": "12w", "dimensions": ["household", "conflict"], "includePrivate": false}})",
    R"({"id": 16, "report": {"window": "30d", "since": "2026-09-01", "until": "2026-11-27"}})",
    R"({"id": 17, "pairInvite": {"asDevice": false, "timeoutSeconds": 600}})",
    R"({"id": 18, "pairJoin": {"code": "17-orbit-lantern-maple", "name": "Jo", "deviceName": "phone", "address": "192.168.1.20:7470", "timeoutSeconds": 60}})",
    R"({"id": 19, "peers": {}})",
    R"({"id": 20, "peerAdd": {"address": "sam-laptop.tail1234.ts.net:7470"}})",
    R"({"id": 21, "peerRemove": {"address": "[fd7a:115c:a1e0::1]:7470"}})",
    R"({"id": 22, "peerList": {}})",
    R"({"id": 23, "revokeDevice": {"device": "0102030405060708"}})",
    R"({"id": 24, "bundleExport": {"forDevice": "phone"}})",
    R"({"id": 25, "bundleImport": {"data": "74616e64656d2d62756e646c65", "offset": "0", "last": true}})",
    R"({"id": 26, "unlock": {"passphrase": "correct horse battery"}})",
    R"({"id": 27, "setPassphrase": {"passphrase": "a new passphrase", "current": "correct horse battery"}})",
};

Bytes flat(capnp::MessageBuilder& msg) {
  auto w = capnp::messageToFlatArray(msg);
  return Bytes(w.asBytes().begin(), w.asBytes().end());
}

void api_seeds() {
  const api::Codec codec;
  // The frame target's choice bytes (see fuzz_api_frame.cpp): cap and read sizes.
  const Bytes choices{0x01, 0x10, 0x03, 0x40};
  Bytes pipelined;
  std::size_t i = 0;
  for (const char* line : kRequests) {
    const std::string n = std::to_string(i++);
    write("fuzz_api_json", "request-" + n + ".json", text(line));
    auto decoded = codec.decode_json(line);
    if (auto* err = std::get_if<api::DecodeError>(&decoded)) {
      std::fprintf(stderr, "seed request %s does not decode: %s\n", line,
                   err->error.message.c_str());
      std::exit(1);
    }
    capnp::MallocMessageBuilder msg;
    msg.setRoot(std::get<api::RequestMessage>(decoded).reader());
    const Bytes frame = flat(msg);
    write("fuzz_api_frame", "request-" + n + ".bin", cat({frame, choices}));
    pipelined.insert(pipelined.end(), frame.begin(), frame.end());
  }
  write("fuzz_api_frame", "pipelined.bin", cat({pipelined, Bytes{0x07, 0x01, 0x00}}));
  // Tiny segments: a frame with a real multi-segment table and far pointers.
  auto decoded = codec.decode_json(kRequests[1]);
  capnp::MallocMessageBuilder tiny(2, capnp::AllocationStrategy::FIXED_SIZE);
  tiny.setRoot(std::get<api::RequestMessage>(decoded).reader());
  if (tiny.getSegmentsForOutput().size() < 2) std::exit(1);
  write("fuzz_api_frame", "multi-segment.bin", flat(tiny));
}

// ---- fuzz_record_body: entries, bodies, a roster, a header and a page as the store keeps them
// ----
void record_seeds() {
  const std::string t = "fuzz_record_body";
  std::vector<std::pair<Bytes, std::string>> entries{
      fuzz::entry_contribution("cooked dinner"), fuzz::entry_bid(),
      fuzz::entry_change(fuzz::kSender, 1, false), fuzz::entry_change(fuzz::kSender, 2, true)};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string n = std::to_string(i);
    write(t, "entry-" + n + ".bin", entries[i].first);
    const auto salt = static_cast<std::uint8_t>(0x10 + i);
    write(t, "body-" + n + ".bin", store::encode_body(fuzz::fixed_body(entries[i], salt)));
    write(t, "body-withheld-" + n + ".bin",
          store::encode_body(fuzz::fixed_body(entries[i], salt, true)));
  }
  auto roster = fuzz::fuzz_roster();
  roster.devices.back().revoked = true;
  roster.devices.back().revoked_after = 4;
  roster.epoch = 2;
  write(t, "roster.bin", store::encode_roster(roster));
  // A real signed header: the sender's first record.
  const auto header = store::encode_header(fuzz::sender_log().front().header);
  write(t, "header.bin", Bytes(header.begin(), header.end()));
}

// ---- fuzz_text_fields: parser byte (see the target), then the text as the daemon meets it ----
void text_seeds() {
  const std::string t = "fuzz_text_fields";
  auto seed = [&](const std::string& name, std::uint8_t parser, std::string_view body) {
    Bytes b{parser};
    b.insert(b.end(), body.begin(), body.end());
    write(t, name, b);
  };
  seed("peer-name.txt", 0, "sam-laptop.tail1234.ts.net:7470");
  seed("peer-v4.txt", 0, " 192.168.1.20:7470 ");
  seed("peer-v6.txt", 0, discovery::format_peer_address({"fd7a:115c:a1e0::1", 7470, true}));
  discovery::LearnedPeers learned;
  learned[fuzz::kSender] = "192.168.1.20:7470";
  learned[fuzz::kPartner] = "[fd7a:115c:a1e0::1]:7471";
  seed("learned-peers.txt", 1, discovery::format_learned_peers(learned));
  const Bytes known = sync::encode_known_frontier({{fuzz::kSender, 6}, {fuzz::kPartner, 2}});
  seed("known-frontier.bin", 2,
       std::string_view(reinterpret_cast<const char*>(known.data()), known.size()));
  seed("entry-id.txt", 3, store::entry_id(fuzz::kSender, 17));
  seed("entry-id-local.txt", 3, store::entry_id(store::kPrivateDevice, 3));
  seed("window-weeks.txt", 4, "12w\n\n");
  seed("window-dates.txt", 4, "30d\n2026-09-01\n2026-11-27");
  seed("window-all.txt", 4, "all\n\n2026-11-27");
  seed("date.txt", 5, insight::format_iso_date(20'417));
  seed("date-leap.txt", 5, "2024-02-29");
  seed("week.txt", 6, insight::format_iso_week(insight::week_of(20'417)));
  seed("week-short.txt", 6, "2026-W9");
  seed("week-53.txt", 6, "2020-W53");
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
  text_seeds();
  api_seeds();
  record_seeds();
  std::printf("seeds written to %s\n", argv[1]);
  return 0;
}
