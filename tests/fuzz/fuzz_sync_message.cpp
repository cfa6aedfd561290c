// Fuzzes the sync protocol's gate: any bytes as one decrypted peer message go through
// sync::decode (wire.capnp PeerMessage); a batch then goes through verify_batch against a small
// real store whose roster knows the sender and which already holds part of its log, and, when
// it verifies, through apply_batch in a write transaction that is then aborted (so every input
// meets the same store). Whatever decodes must re-encode to the same message, and a batch that
// verified must apply and leave a log that still verifies (but for the signatures of the records
// below the batch's last one, which sync does not check: see check_batch).
#include "daemon/sync/engine.hpp"
#include "tests/fuzz/sync_fixture.hpp"

#include <cstdlib>

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

void check_batch(const sync::Message& m) {
  if (m.records.size() > sync::kMaxBatchRecords) std::abort();
  auto again = sync::decode(sync::encode_batch(m.id, m.records));
  if (!again || again->kind != sync::Message::Kind::kBatch || again->id != m.id ||
      !same_records(again->records, m.records)) {
    std::abort();
  }
  auto& world = fuzz::sync_world();
  auto txn = store::Txn::begin_write(world.store->env());
  if (!txn) std::abort();
  if (!sync::verify_batch(*world.store, *txn, m.records)) return;  // refused: the common case
  auto applied = sync::apply_batch(*world.store, *txn, m.records);
  if (!applied) std::abort();  // verified yet not storable
  auto report = store::verify_log(*world.store, *txn);
  if (!report) std::abort();
  // Records chain to the whole header below them, signature included, so whatever verify_batch
  // accepted must verify in full.
  if (!report->problems.empty()) std::abort();
  // *txn is aborted when it goes out of scope.
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
