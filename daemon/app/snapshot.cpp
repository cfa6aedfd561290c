// build_snapshot: one pass over the signed log in key order (sequential in LMDB), with the
// retract and edit indexes read once up front.
#include "daemon/app/snapshot.hpp"

#include "daemon/insight/from_entry.hpp"
#include "daemon/store/entry_codec.hpp"
#include "proto/framing.hpp"

#include <capnp/serialize.h>

#include <cstring>
#include <map>
#include <set>

namespace tandem::app {

namespace {

std::uint64_t device_number(const std::uint8_t* p) {
  return get_be64(p);
}

// The words of a body's entry fields for an in-place reader: the bytes themselves when they are
// word-aligned (a Body's vector is), else an aligned copy kept in `copy`. Empty when the length is
// not a whole number of words. The snapshot only reads, so it skips ParsedEntry's copy of every
// entry into a builder.
kj::ArrayPtr<const capnp::word> entry_words(const Bytes& fields, kj::Array<capnp::word>& copy) {
  if (fields.empty() || fields.size() % sizeof(capnp::word) != 0) return {};
  if (reinterpret_cast<std::uintptr_t>(fields.data()) % alignof(capnp::word) == 0) {
    return {reinterpret_cast<const capnp::word*>(fields.data()),
            fields.size() / sizeof(capnp::word)};
  }
  copy = kj::heapArray<capnp::word>(fields.size() / sizeof(capnp::word));
  std::memcpy(copy.begin(), fields.data(), fields.size());
  return copy;
}

}  // namespace

Result<insight::Snapshot> build_snapshot(const store::Store& store, const store::Txn& txn,
                                         std::uint8_t reader_member) {
  insight::Snapshot snap;
  snap.reader = reader_member;
  auto roster = store.roster(txn);
  if (!roster) return roster.error();
  if (!*roster) return Error{Code::kNotInitialized, "no roster"};
  snap.names[0] = (*roster)->member_names[1];
  snap.names[1] = (*roster)->member_names[2];
  std::map<store::DeviceId, std::uint8_t> member_of;
  for (const auto& d : (*roster)->devices) member_of[d.id] = d.member;
  member_of[store::kPrivateDevice] = reader_member;

  // Retracted targets, and each edited target's newest edit.
  std::set<store::RecordKey> retracted;
  {
    auto cur = store::Cursor::open(txn, store.tables().retracts);
    if (!cur) return cur.error();
    for (auto it = cur->first(); it; it = cur->next()) {
      if (it->key.size() != 16) continue;
      store::RecordKey k;
      std::memcpy(k.data(), it->key.data(), 16);
      retracted.insert(k);
    }
  }
  std::map<store::RecordKey, store::RecordKey> latest_edit;
  {
    auto cur = store::Cursor::open(txn, store.tables().edits);
    if (!cur) return cur.error();
    for (auto it = cur->first(); it; it = cur->next()) {
      if (it->key.size() != 40) continue;
      store::RecordKey target, edit;
      std::memcpy(target.data(), it->key.data(), 16);
      std::memcpy(edit.data(), it->key.data() + 24, 16);
      latest_edit[target] = edit;  // keys sort by hlc within a target: the last one wins
    }
  }

  auto log = store::Cursor::open(txn, store.tables().log);
  if (!log) return log.error();
  for (auto it = log->first(); it; it = log->next()) {
    if (it->key.size() != 16 || it->value.size() != store::kHeaderSize) continue;
    if (it->value[88] & store::kFlagRoster) continue;
    store::RecordKey key;
    std::memcpy(key.data(), it->key.data(), 16);
    if (retracted.count(key)) continue;
    store::DeviceId dev;
    std::memcpy(dev.data(), key.data(), 8);
    const std::uint64_t seq = get_be64(key.data() + 8);
    auto m = member_of.find(dev);
    if (m == member_of.end()) continue;
    auto body = store.body(txn, dev, seq);
    if (!body || !*body) continue;
    kj::Array<capnp::word> copy, ecopy;
    auto words = entry_words((**body).fields, copy);
    if (words.size() == 0) continue;
    // Readers check pointers as they are followed: a malformed body throws here and is skipped,
    // as ParsedEntry::parse would have refused it.
    try {
      capnp::FlatArrayMessageReader message(words, proto::strict_reader_options());
      auto reader = message.getRoot<schema::Entry>();
      if (reader.getKind().isEdit() || reader.getKind().isRetract()) continue;
      Result<std::optional<store::Body>> ebody = std::optional<store::Body>{};
      std::optional<capnp::FlatArrayMessageReader> edit_message;
      if (auto e = latest_edit.find(key); e != latest_edit.end()) {
        store::DeviceId edev;
        std::memcpy(edev.data(), e->second.data(), 8);
        ebody = store.body(txn, edev, get_be64(e->second.data() + 8));
        if (ebody && *ebody) {
          auto ewords = entry_words((**ebody).fields, ecopy);
          if (ewords.size() != 0) {
            edit_message.emplace(ewords, proto::strict_reader_options());
            auto edit = edit_message->getRoot<schema::Entry>();
            if (edit.hasReplacement()) reader = edit.getReplacement();
          }
        }
      }
      insight::EntryId id{device_number(dev.data()), seq};
      auto fact = insight::fact_from_entry(reader, m->second, id);
      if (!fact) continue;
      snap.facts.push_back(std::move(*fact));
    } catch (const kj::Exception&) {
      continue;
    }
  }
  return snap;
}

}  // namespace tandem::app
