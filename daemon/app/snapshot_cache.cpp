#include "daemon/app/snapshot_cache.hpp"

#include <cstring>
#include <set>
#include <vector>

namespace tandem::app {

namespace {

// The heads of every device in `txn`: device -> newest seq.
Result<std::map<store::DeviceId, std::uint64_t>> read_heads(const store::Store& store,
                                                            const store::Txn& txn) {
  std::map<store::DeviceId, std::uint64_t> heads;
  auto cur = store::Cursor::open(txn, store.tables().heads);
  if (!cur) return cur.error();
  for (auto it = cur->first(); it; it = cur->next()) {
    if (it->key.size() != 8 || it->value.size() != 40) continue;
    store::DeviceId dev;
    std::memcpy(dev.data(), it->key.data(), 8);
    heads[dev] = get_be64(it->value.data());
  }
  return heads;
}

// Whether `next` keeps every device of `prev` with the same member (it may add devices).
bool only_adds(const MemberOf& prev, const MemberOf& next) {
  for (const auto& [dev, member] : prev) {
    auto it = next.find(dev);
    if (it == next.end() || it->second != member) return false;
  }
  return true;
}

struct IdLess {
  bool operator()(const insight::EntryId& a, const insight::EntryId& b) const {
    return a.device != b.device ? a.device < b.device : a.seq < b.seq;
  }
};

}  // namespace

Result<SnapshotCache> SnapshotCache::build(const store::Store& store, const store::Txn& txn,
                                           std::uint8_t reader_member) {
  SnapshotCache c;
  auto roster = store.meta(txn, "roster");
  if (!roster) return roster.error();
  if (!*roster) return Error{Code::kNotInitialized, "no roster"};
  auto decoded = store::decode_roster(**roster);
  if (!decoded) return decoded.error();
  auto snap = build_snapshot(store, txn, reader_member);
  if (!snap) return snap.error();
  auto heads = read_heads(store, txn);
  if (!heads) return heads.error();
  c.snap_ = std::move(*snap);
  c.roster_bytes_ = std::move(**roster);
  c.member_of_ = members_of(*decoded, reader_member);
  // Only devices the snapshot reads: records of a device admitted later are read from its start.
  for (const auto& [dev, seq] : *heads)
    if (c.member_of_.count(dev)) c.seen_[dev] = seq;
  return c;
}

Result<std::size_t> SnapshotCache::catch_up(const store::Store& store, const store::Txn& txn) {
  auto roster = store.meta(txn, "roster");
  if (!roster) return roster.error();
  if (!*roster) return Error{Code::kNotInitialized, "no roster"};
  if (**roster != roster_bytes_) {
    auto decoded = store::decode_roster(**roster);
    if (!decoded) return decoded.error();
    MemberOf next = members_of(*decoded, snap_.reader);
    if (!only_adds(member_of_, next)) {
      auto fresh = build(store, txn, snap_.reader);
      if (!fresh) return fresh.error();
      const std::size_t n = fresh->snap_.facts.size();
      *this = std::move(*fresh);
      return n;
    }
    snap_.names[0] = decoded->member_names[1];
    snap_.names[1] = decoded->member_names[2];
    member_of_ = std::move(next);
    roster_bytes_ = std::move(**roster);
  }
  auto heads = read_heads(store, txn);
  if (!heads) return heads.error();

  // New records, in log order per device: entries become facts; edits and retracts mark their
  // target to be read again once every new record is in.
  std::vector<insight::Fact> added;
  std::set<store::RecordKey> changed;
  std::size_t read = 0;
  auto log = store::Cursor::open(txn, store.tables().log);
  if (!log) return log.error();
  for (const auto& [dev, head] : *heads) {
    if (!member_of_.count(dev)) continue;
    std::uint64_t& seen = seen_[dev];
    if (head <= seen) continue;
    const store::RecordKey from = store::record_key(dev, seen + 1);
    for (auto it = log->seek(from); it && it->key.size() == 16; it = log->next()) {
      if (std::memcmp(it->key.data(), dev.data(), 8) != 0) break;
      store::RecordKey key;
      std::memcpy(key.data(), it->key.data(), 16);
      if (get_be64(key.data() + 8) > head) break;
      ++read;
      auto effect = read_record(store, txn, key, it->value, member_of_);
      if (effect.kind == RecordEffect::kChanges) {
        changed.insert(effect.target);
      } else if (effect.fact) {
        added.push_back(std::move(*effect.fact));
      }
    }
    seen = head;
  }
  if (changed.empty()) {
    for (auto& f : added) snap_.facts.push_back(std::move(f));
    return read;
  }

  // Targets of edits and retracts: drop what the snapshot (or this round) holds for them, then
  // read each again as it now stands. One pass over the facts, however many targets.
  memo_.reset();  // facts it has read are about to move or go
  std::set<insight::EntryId, IdLess> ids;
  for (const auto& k : changed) ids.insert(fact_id(k));
  auto& facts = snap_.facts;
  for (std::size_t i = 0; i < facts.size();) {
    if (ids.count(facts[i].id)) {
      facts[i] = std::move(facts.back());
      facts.pop_back();
    } else {
      ++i;
    }
  }
  for (auto& f : added)
    if (!ids.count(f.id)) facts.push_back(std::move(f));
  for (const auto& k : changed)
    if (auto f = read_fact(store, txn, k, member_of_)) facts.push_back(std::move(*f));
  return read;
}

std::size_t SnapshotCache::memory_bytes() const {
  std::size_t n = snap_.facts.capacity() * sizeof(insight::Fact);
  for (const auto& f : snap_.facts) {
    if (!f.has_detail()) continue;
    const auto& d = f.detail();
    n += sizeof(insight::FactDetail) + 16;  // and malloc's header, rounded
    n += d.repairs.capacity() * sizeof(insight::RepairFact);
    n += d.refs.capacity() * sizeof(insight::EntryId);
    if (d.text.capacity() > 15) n += d.text.capacity() + 1;
    if (d.currency.capacity() > 15) n += d.currency.capacity() + 1;
  }
  return n;
}

}  // namespace tandem::app
