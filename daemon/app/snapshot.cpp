// build_snapshot: one pass over the signed log in key order (sequential in LMDB), with the
// retract and edit indexes read once up front. read_fact and record_effect: the same rules for
// one record, for the daemon's incremental SnapshotCache.
#include "daemon/app/snapshot.hpp"

#include "daemon/insight/from_entry.hpp"
#include "daemon/store/entry_codec.hpp"
#include "proto/framing.hpp"

#include <capnp/serialize.h>

#include <cstring>
#include <set>

namespace tandem::app {

namespace {

store::DeviceId device_of(const store::RecordKey& key) {
  store::DeviceId dev;
  std::memcpy(dev.data(), key.data(), 8);
  return dev;
}

// The fact of a record that is not retracted, written for `member`, with `edit` (its newest edit
// record, if any) applied. nullopt for edit and retract records and for unreadable bodies.
std::optional<insight::Fact> materialize(const store::Store& store, const store::Txn& txn,
                                         const store::RecordKey& key, const store::Body& body,
                                         std::uint8_t member, const store::RecordKey* edit) {
  kj::Array<capnp::word> copy, ecopy;
  auto words = proto::aligned_words(body.fields, copy);
  if (words.size() == 0) return std::nullopt;
  // Readers check pointers as they are followed: a malformed body throws here and is skipped,
  // as ParsedEntry::parse would have refused it.
  try {
    capnp::FlatArrayMessageReader message(words, proto::strict_reader_options());
    auto reader = message.getRoot<schema::Entry>();
    if (reader.getKind().isEdit() || reader.getKind().isRetract()) return std::nullopt;
    Result<std::optional<store::Body>> ebody = std::optional<store::Body>{};
    std::optional<capnp::FlatArrayMessageReader> edit_message;
    if (edit != nullptr) {
      ebody = store.body(txn, device_of(*edit), get_be64(edit->data() + 8));
      if (ebody && *ebody) {
        auto ewords = proto::aligned_words((**ebody).fields, ecopy);
        if (ewords.size() != 0) {
          edit_message.emplace(ewords, proto::strict_reader_options());
          auto e = edit_message->getRoot<schema::Entry>();
          if (e.hasReplacement()) reader = e.getReplacement();
        }
      }
    }
    auto fact = insight::fact_from_entry(reader, member, fact_id(key));
    if (!fact) return std::nullopt;
    return std::move(*fact);
  } catch (const kj::Exception&) {
    return std::nullopt;
  }
}

}  // namespace

MemberOf members_of(const store::Roster& roster, std::uint8_t reader_member) {
  MemberOf member_of;
  for (const auto& d : roster.devices) member_of[d.id] = d.member;
  member_of[store::kPrivateDevice] = reader_member;
  return member_of;
}

insight::EntryId fact_id(const store::RecordKey& key) {
  return {get_be64(key.data()), get_be64(key.data() + 8)};
}

Result<insight::Snapshot> build_snapshot(const store::Store& store, const store::Txn& txn,
                                         std::uint8_t reader_member) {
  insight::Snapshot snap;
  snap.reader = reader_member;
  auto roster = store.roster(txn);
  if (!roster) return roster.error();
  if (!*roster) return Error{Code::kNotInitialized, "no roster"};
  snap.names[0] = (*roster)->member_names[1];
  snap.names[1] = (*roster)->member_names[2];
  const MemberOf member_of = members_of(**roster, reader_member);

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

  // One fact per record at most: reserving up front keeps the vector from growing to twice that.
  MDB_stat st{};
  if (mdb_stat(txn.get(), store.tables().log, &st) == 0) snap.facts.reserve(st.ms_entries);
  auto log = store::Cursor::open(txn, store.tables().log);
  if (!log) return log.error();
  for (auto it = log->first(); it; it = log->next()) {
    if (it->key.size() != 16 || it->value.size() != store::kHeaderSize) continue;
    if (it->value[88] & store::kFlagRoster) continue;
    store::RecordKey key;
    std::memcpy(key.data(), it->key.data(), 16);
    if (retracted.count(key)) continue;
    auto m = member_of.find(device_of(key));
    if (m == member_of.end()) continue;
    auto body = store.body(txn, m->first, get_be64(key.data() + 8));
    if (!body || !*body) continue;
    auto e = latest_edit.find(key);
    auto fact = materialize(store, txn, key, **body, m->second,
                            e == latest_edit.end() ? nullptr : &e->second);
    if (fact) snap.facts.push_back(std::move(*fact));
  }
  return snap;
}

// The fact of a record whose body is `body` (not an edit or retract), looked up on its own.
std::optional<insight::Fact> fact_of(const store::Store& store, const store::Txn& txn,
                                     const store::RecordKey& key, const store::Body& body,
                                     std::uint8_t member) {
  auto retract = store.retract_of(txn, key);
  if (!retract || *retract) return std::nullopt;
  auto edit = store.latest_edit(txn, key);
  if (!edit) return std::nullopt;
  return materialize(store, txn, key, body, member, *edit ? &**edit : nullptr);
}

std::optional<insight::Fact> read_fact(const store::Store& store, const store::Txn& txn,
                                       const store::RecordKey& key, const MemberOf& member_of) {
  auto m = member_of.find(device_of(key));
  if (m == member_of.end()) return std::nullopt;
  auto header = txn.get(store.tables().log, key);
  if (!header || !*header || (*header)->size() != store::kHeaderSize) return std::nullopt;
  if ((**header)[88] & store::kFlagRoster) return std::nullopt;
  auto body = store.body(txn, m->first, get_be64(key.data() + 8));
  if (!body || !*body) return std::nullopt;
  return fact_of(store, txn, key, **body, m->second);
}

RecordEffect read_record(const store::Store& store, const store::Txn& txn,
                         const store::RecordKey& key, ByteView header, const MemberOf& member_of) {
  if (header.size() != store::kHeaderSize || (header[88] & store::kFlagRoster)) return {};
  auto m = member_of.find(device_of(key));
  if (m == member_of.end()) return {};
  auto body = store.body(txn, m->first, get_be64(key.data() + 8));
  if (!body || !*body) return {};
  if (auto target = store::edit_target((**body).fields))
    return {RecordEffect::kChanges, target->key, std::nullopt};
  return {RecordEffect::kEntry, {}, fact_of(store, txn, key, **body, m->second)};
}

}  // namespace tandem::app
