// A small real sync world for fuzz_sync_message and fuzz_make_seeds: the signed log of one
// sending device (fixed key, fixed salts, so every run builds the same bytes), and a receiving
// store in a temporary directory whose roster knows the sender (member 1) and a partner device
// (member 2), and which already holds the sender's first kHeld records.
#pragma once

#include "daemon/store/entry_codec.hpp"
#include "daemon/store/store.hpp"
#include "daemon/sync/engine.hpp"
#include "tests/fuzz/fixtures.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace tandem::fuzz {

inline constexpr store::DeviceId kSender = {0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58};
inline constexpr store::DeviceId kPartner = {0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68};
inline constexpr std::uint64_t kHeld = 2;

inline store::Roster fuzz_roster() {
  store::Roster r;
  r.space_id.fill(0x5a);
  r.member_names[1] = "Sam";
  r.member_names[2] = "Jo";
  store::DeviceInfo s;
  s.id = kSender;
  s.member = 1;
  s.name = "laptop";
  s.sign_key = crypto::sign_public(fixed_sign_key());
  s.dh_key.fill(0x01);
  store::DeviceInfo p;
  p.id = kPartner;
  p.member = 2;
  p.name = "phone";
  p.sign_key.fill(0x02);
  p.dh_key.fill(0x03);
  r.devices = {s, p};
  r.epoch = 1;
  return r;
}

// A body with a fixed salt; the note withheld when `withheld`.
inline store::Body fixed_body(std::pair<Bytes, std::string> split, std::uint8_t salt,
                              bool withheld = false) {
  store::Body b;
  b.fields = std::move(split.first);
  b.note_salt.fill(salt);
  b.note_hash = store::compute_note_hash(b.note_salt, split.second);
  if (!withheld) b.note = std::move(split.second);
  return b;
}

inline std::pair<Bytes, std::string> entry_contribution(std::string note) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  auto c = e.getKind().initContribution();
  c.setActor(schema::Party::ME);
  c.setEffort(2);
  c.setPhase(schema::Phase::EXECUTE);
  e.setDate("2026-11-25");
  e.setNote(note);
  return store::split_entry(e.asReader());
}

inline std::pair<Bytes, std::string> entry_bid() {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  auto b = e.getKind().initBid();
  b.setBidder(schema::Party::PARTNER);
  b.setResponse(schema::BidResponse::TOWARD);
  b.setHeard(4);
  e.setDate("2026-11-24");
  e.setNote("asked about the new hobby");
  e.setVisibility(schema::Visibility::AGGREGATE);
  return store::split_entry(e.asReader());
}

// An edit (or, when `retract`, a retract) of (dev, seq).
inline std::pair<Bytes, std::string> entry_change(const store::DeviceId& dev, std::uint64_t seq,
                                                  bool retract) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  if (retract) {
    e.getKind().initRetract().setReason("logged twice");
  } else {
    e.getKind().initEdit().setReason("typo");
    auto rep = e.initReplacement();
    rep.getKind().initContribution().setEffort(3);
    rep.setNote("cooked dinner and washed up");
  }
  auto ref = e.initRefs(1)[0];
  ref.setDevice(kj::arrayPtr(dev.data(), dev.size()));
  ref.setSeq(seq);
  return store::split_entry(e.asReader());
}

// Chains and signs `bodies` (with their flags) as the sender's records from `first` on, after
// a record whose hash is `prev`.
inline std::vector<sync::WireRecord> chain(std::vector<std::pair<store::Body, std::uint8_t>> bodies,
                                           std::uint64_t first = 1, crypto::Hash32 prev = {}) {
  const auto sk = fixed_sign_key();
  std::vector<sync::WireRecord> out;
  std::uint64_t seq = first;
  for (auto& [body, flags] : bodies) {
    store::Header h;
    h.device = kSender;
    h.seq = seq;
    h.hlc = 1'764'000'000'000 + seq;
    h.prev_hash = prev;
    h.body_hash = store::compute_body_hash(body);
    h.flags = flags;
    store::sign_header(h, sk);
    prev = store::chain_hash(h);
    out.push_back({h, std::move(body)});
    ++seq;
  }
  return out;
}

// The sender's log: a contribution, an aggregate bid (note withheld), an edit of record 1, a
// roster record adding a device, a retract of record 2, and another contribution.
inline std::vector<sync::WireRecord> sender_log() {
  auto roster = fuzz_roster();
  store::DeviceInfo tablet;
  tablet.id = {0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78};
  tablet.member = 1;
  tablet.name = "tablet";
  tablet.sign_key.fill(0x04);
  roster.devices.push_back(tablet);
  roster.epoch = 2;
  std::vector<std::pair<store::Body, std::uint8_t>> bodies;
  bodies.emplace_back(fixed_body(entry_contribution("cooked dinner"), 1), 0);
  bodies.emplace_back(fixed_body(entry_bid(), 2, true), store::kFlagAggregate);
  bodies.emplace_back(fixed_body(entry_change(kSender, 1, false), 3), 0);
  bodies.emplace_back(fixed_body({store::encode_roster(roster), ""}, 4), store::kFlagRoster);
  bodies.emplace_back(fixed_body(entry_change(kSender, 2, true), 5), 0);
  bodies.emplace_back(fixed_body(entry_contribution("groceries"), 6), 0);
  return chain(std::move(bodies));
}

// The receiving side. Built once per process; its store is never changed after construction
// (fuzz inputs run in write transactions that are aborted).
struct SyncWorld {
  test::TempDir dir{"tandem-fuzz-sync"};
  std::unique_ptr<store::Store> store;
  std::vector<sync::WireRecord> log = sender_log();

  SyncWorld() {
    store::Env::Options o;
    o.map_size = std::size_t(64) << 20;
    auto s = store::Store::open(dir / "store", fixed_secret<32>(0xa0), o);
    if (!s) std::abort();
    store = std::move(*s);
    auto txn = store::Txn::begin_write(store->env());
    if (!txn || !store->put_meta(*txn, "roster", store::encode_roster(fuzz_roster()))) std::abort();
    std::vector<sync::WireRecord> held(log.begin(), log.begin() + kHeld);
    if (!sync::verify_batch(*store, *txn, held) || !sync::apply_batch(*store, *txn, held) ||
        !txn->commit()) {
      std::abort();  // the fixture itself must be a valid log
    }
  }
};

inline SyncWorld& sync_world() {
  static SyncWorld world;
  return world;
}

}  // namespace tandem::fuzz
