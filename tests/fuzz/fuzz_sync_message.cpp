// Fuzzes the sync protocol's gate: any bytes as one decrypted peer message go through
// sync::decode (wire.capnp PeerMessage); a batch then goes through verify_batch against a small
// real store whose roster knows the sender and which already holds part of its log, and, when
// it verifies, through apply_batch in a write transaction that is then aborted (so every input
// meets the same store): the bundle path. Whatever decodes must re-encode to the same message, and
// a batch that verified must apply and leave a log that still verifies in full.
//
// Every batch also takes the live path, as Network receives it: precheck_batch per batch, then
// sync::apply_batches (one signature per run of chained batches, confirm_batch, apply_batch) in a
// fresh write transaction, also aborted. The batch id (a fuzzed field) says how: its bits 0..62
// split the records into several batches (a set bit k splits before record k + 1, mod 63), and
// bit 63 puts a real batch of the sender's next record in front. Each accepted batch must leave a
// log that verifies in full; nothing may be stored from a refused one; and a batch that stays
// whole, alone, must meet the same verdict on both paths.
#include "daemon/sync/engine.hpp"
#include "tests/fuzz/sync_fixture.hpp"

#include <cstdlib>
#include <optional>

using namespace tandem;

namespace {

bool same_records(const std::vector<sync::WireRecord>& a, const std::vector<sync::WireRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (store::encode_header(a[i].header) != store::encode_header(b[i].header)) return false;
    if (a[i].body.has_value() != b[i].body.has_value()) return false;
    if (a[i].body &&
        (store::compute_body_hash(*a[i].body) != store::compute_body_hash(*b[i].body) ||
         a[i].body->note != b[i].body->note)) {
      return false;
    }
  }
  return true;
}

// The live path; returns whether every batch was accepted, or std::nullopt when a batch failed
// precheck_batch (the receiver closes the channel and never hands it on; the batches before it
// still go through apply_batches).
std::optional<bool> check_live(const sync::Message& m) {
  auto& world = fuzz::sync_world();
  std::vector<sync::Incoming> batches;
  std::optional<bool> all = true;
  auto add = [&](std::vector<sync::WireRecord> records) {
    if (records.empty() || !all) return;
    auto pre = sync::precheck_batch(records, std::nullopt);
    if (!pre) {
      all = std::nullopt;
      return;
    }
    batches.push_back({std::move(records), std::move(*pre)});
  };
  if ((m.id >> 63) & 1) {
    add({world.log.begin() + fuzz::kHeld, world.log.begin() + fuzz::kHeld + 1});
  }
  std::vector<sync::WireRecord> part;
  for (std::size_t i = 0; i < m.records.size(); ++i) {
    if (i > 0 && ((m.id >> ((i - 1) % 63)) & 1)) add(std::exchange(part, {}));
    part.push_back(m.records[i]);
  }
  add(std::move(part));
  if (batches.empty()) return all;

  auto txn = store::Txn::begin_write(world.store->env());
  if (!txn) std::abort();
  auto before = world.store->head(*txn, fuzz::kSender);
  if (!before) std::abort();
  std::vector<std::vector<sync::WireRecord>> sent;
  for (const auto& b : batches) sent.push_back(b.records);
  auto outcomes = sync::apply_batches(*world.store, *txn, batches);
  if (!outcomes || outcomes->size() != batches.size()) std::abort();  // the store cannot fail here
  std::size_t stored = 0;
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const auto& o = (*outcomes)[k];
    if (!o.status) {
      if (!o.stored.empty()) std::abort();  // a refused batch stored something
      if (all) all = false;
      continue;
    }
    // Only records of this batch, each once.
    for (const auto& key : o.stored) {
      bool found = false;
      for (const auto& r : sent[k]) {
        found = found || store::record_key(r.header.device, r.header.seq) == key;
      }
      if (!found) std::abort();
    }
    stored += o.stored.size();
  }
  // Nothing beyond what the accepted batches report: the sender's log grew by exactly that
  // (every other device's batch is refused by this roster).
  auto after = world.store->head(*txn, fuzz::kSender);
  if (!after) std::abort();
  if (after->seq != before->seq + stored) std::abort();
  auto report = store::verify_log(*world.store, *txn);
  if (!report || !report->problems.empty()) std::abort();
  return all;
  // *txn is aborted when it goes out of scope.
}

// The bundle path: verify_batch, then apply_batch when it verifies. Returns the verdict.
bool check_bundle(const sync::Message& m) {
  auto& world = fuzz::sync_world();
  auto txn = store::Txn::begin_write(world.store->env());
  if (!txn) std::abort();
  if (!sync::verify_batch(*world.store, *txn, m.records)) return false;  // the common case
  auto applied = sync::apply_batch(*world.store, *txn, m.records);
  if (!applied) std::abort();  // verified yet not storable
  auto report = store::verify_log(*world.store, *txn);
  if (!report) std::abort();
  // Records chain to the whole header below them, signature included, so whatever verify_batch
  // accepted must verify in full.
  if (!report->problems.empty()) std::abort();
  return true;
  // *txn is aborted when it goes out of scope.
}

void check_batch(const sync::Message& m) {
  if (m.records.size() > sync::kMaxBatchRecords) std::abort();
  auto again = sync::decode(sync::encode_batch(m.id, m.records));
  if (!again || again->kind != sync::Message::Kind::kBatch || again->id != m.id ||
      !same_records(again->records, m.records)) {
    std::abort();
  }
  const bool verified = check_bundle(m);
  const auto live = check_live(m);
  // Alone and unsplit on the live path: the same verdict as the bundle path.
  bool whole = !m.records.empty() && ((m.id >> 63) & 1) == 0;
  for (std::size_t i = 1; i < m.records.size(); ++i) {
    whole = whole && ((m.id >> ((i - 1) % 63)) & 1) == 0;
  }
  if (whole && live.value_or(false) != verified) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = sync::decode(ByteView(data, size));
  if (!m) return 0;
  using K = sync::Message::Kind;
  switch (m->kind) {
    case K::kHello: {
      if (m->frontier.size() > 1024) std::abort();
      auto again = sync::decode(sync::encode_hello(m->frontier, 0));
      if (!again || again->kind != K::kHello || again->frontier != m->frontier) std::abort();
      break;
    }
    case K::kBatch:
      check_batch(*m);
      break;
    case K::kAck: {
      auto again = sync::decode(sync::encode_ack(m->id));
      if (!again || again->kind != K::kAck || again->id != m->id) std::abort();
      break;
    }
    default:
      break;
  }
  return 0;
}
