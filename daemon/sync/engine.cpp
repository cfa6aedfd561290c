#include "daemon/sync/engine.hpp"

#include "daemon/store/entry_codec.hpp"
#include "proto/framing.hpp"
#include "proto/store.capnp.h"
#include "proto/wire.capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <cstring>

namespace tandem::sync {

namespace {

kj::ArrayPtr<const capnp::byte> view(ByteView b) {
  return {b.data(), b.size()};
}

Bytes to_bytes(capnp::MessageBuilder& msg) {
  auto words = capnp::messageToFlatArray(msg);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

template <std::size_t N>
bool copy_exact(std::array<std::uint8_t, N>& out, capnp::Data::Reader in) {
  if (in.size() != N) return false;
  std::memcpy(out.data(), in.begin(), N);
  return true;
}

std::size_t wire_size(const WireRecord& r) {
  std::size_t n = store::kHeaderSize + 64;
  if (r.body) n += r.body->fields.size() + (r.body->note ? r.body->note->size() : 32) + 48;
  return n;
}

}  // namespace

Result<Frontier> frontier(const store::Store& store, const store::Txn& txn) {
  Frontier f;
  auto cur = store::Cursor::open(txn, store.tables().heads);
  if (!cur) return cur.error();
  for (auto it = cur->first(); it; it = cur->next()) {
    if (it->key.size() != 8 || it->value.size() != 40) continue;
    store::DeviceId d;
    std::memcpy(d.data(), it->key.data(), 8);
    if (d == store::kPrivateDevice) continue;  // private records never leave this device
    f[d] = get_be64(it->value.data());
  }
  return f;
}

Result<std::vector<WireRecord>> collect(const store::Store& store, const store::Txn& txn,
                                        const store::DeviceId& device, std::uint64_t after) {
  std::vector<WireRecord> out;
  if (device == store::kPrivateDevice) return out;
  // A revoked device's records after its revocation are never passed on (peers refuse them).
  std::uint64_t last = UINT64_MAX;
  auto roster = store.roster(txn);
  if (!roster) return roster.error();
  if (const store::DeviceInfo* info = *roster ? (*roster)->device(device) : nullptr;
      info && info->revoked) {
    last = info->revoked_after;
  }
  // A cursor walking the log and a reader walking the bodies beside it (one key order): one
  // B-tree descent per batch for the headers, one open per page of bodies.
  auto logs = store::Cursor::open(txn, store.tables().log);
  if (!logs) return logs.error();
  store::BodyReader bodies(store, txn, device);
  auto li = logs->seek(store::record_key(device, after + 1));
  std::size_t bytes = 0;
  out.reserve(256);
  for (std::uint64_t seq = after + 1; seq <= last && out.size() < kMaxBatchRecords;
       ++seq, li = logs->next()) {
    const auto key = store::record_key(device, seq);
    if (!li || li->key.size() != key.size() ||
        std::memcmp(li->key.data(), key.data(), key.size()) != 0) {
      break;  // past this device's newest record
    }
    auto h = store::decode_header(li->value);
    if (!h) return h.error();
    auto b = bodies.read(seq);
    if (!b) return b.error();
    WireRecord r{*h, std::move(*b)};
    if (r.body && (h->flags & store::kFlagAggregate)) store::withhold_note(*r.body);
    const std::size_t n = wire_size(r);
    if (!out.empty() && bytes + n > kMaxBatchBytes) break;
    bytes += n;
    out.push_back(std::move(r));
  }
  return out;
}

Bytes encode_hello(const Frontier& f, std::uint32_t roster_epoch, std::uint16_t listen_port) {
  capnp::MallocMessageBuilder msg;
  auto hello = msg.initRoot<schema::PeerMessage>().initHello();
  hello.setProtocol(1);
  hello.setRosterEpoch(roster_epoch);
  hello.setListenPort(listen_port);
  auto items = hello.initFrontier(static_cast<unsigned>(f.size()));
  unsigned i = 0;
  for (const auto& [d, seq] : f) {
    items[i].setDevice(view(d));
    items[i].setSeq(seq);
    ++i;
  }
  return to_bytes(msg);
}

Bytes encode_batch(std::uint64_t batch_id, const std::vector<WireRecord>& records) {
  // A batch is built in one segment this thread reuses (capnp zeroes what was used), big enough
  // for any batch under the caps: no segment allocated, grown or joined per batch.
  thread_local std::vector<capnp::word> first(kMaxBatchBytes / sizeof(capnp::word) + 4096);
  capnp::MallocMessageBuilder msg(kj::arrayPtr(first.data(), first.size()));
  auto batch = msg.initRoot<schema::PeerMessage>().initBatch();
  batch.setBatchId(batch_id);
  auto list = batch.initRecords(static_cast<unsigned>(records.size()));
  for (unsigned i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    auto h = list[i].initHeader();
    h.setDevice(view(r.header.device));
    h.setSeq(r.header.seq);
    h.setHlc(r.header.hlc);
    h.setPrevHash(view(r.header.prev_hash));
    h.setBodyHash(view(r.header.body_hash));
    h.setFlags(r.header.flags);
    h.setSignature(view(r.header.signature));
    if (!r.body) {
      list[i].setErased(true);
      continue;
    }
    auto b = list[i].initBody();
    b.setFields(view(r.body->fields));
    b.setNoteSalt(view(r.body->note_salt));
    if (r.body->note) {
      // With its length: a note may hold NUL bytes, and the body hash covers all of them.
      b.setNote(kj::StringPtr(r.body->note->c_str(), r.body->note->size()));
    } else {
      b.setNoteHash(view(r.body->note_hash));
    }
  }
  Bytes out;
  proto::flatten_into(msg, out);
  return out;
}

Bytes encode_ack(std::uint64_t batch_id) {
  capnp::MallocMessageBuilder msg;
  msg.initRoot<schema::PeerMessage>().initAck().setBatchId(batch_id);
  return to_bytes(msg);
}

Result<Message> decode(ByteView bytes) {
  if (bytes.empty() || bytes.size() % 8) return Error{Code::kCorrupt, "malformed peer message"};
  try {
    kj::Array<capnp::word> copy;
    capnp::FlatArrayMessageReader reader(proto::aligned_words(bytes, copy),
                                         proto::strict_reader_options());
    auto pm = reader.getRoot<schema::PeerMessage>();
    Message m;
    switch (pm.which()) {
      case schema::PeerMessage::HELLO: {
        m.kind = Message::Kind::kHello;
        m.listen_port = pm.getHello().getListenPort();
        auto items = pm.getHello().getFrontier();
        if (items.size() > 1024) return Error{Code::kTooLarge, "frontier too large"};
        for (auto it : items) {
          store::DeviceId d;
          if (!copy_exact(d, it.getDevice())) return Error{Code::kCorrupt, "bad frontier"};
          m.frontier[d] = it.getSeq();
        }
        break;
      }
      case schema::PeerMessage::BATCH: {
        m.kind = Message::Kind::kBatch;
        m.id = pm.getBatch().getBatchId();
        auto recs = pm.getBatch().getRecords();
        if (recs.size() > kMaxBatchRecords) return Error{Code::kTooLarge, "batch over the cap"};
        m.records.reserve(recs.size());
        for (auto r : recs) {
          WireRecord w;
          auto h = r.getHeader();
          if (!copy_exact(w.header.device, h.getDevice()) ||
              !copy_exact(w.header.prev_hash, h.getPrevHash()) ||
              !copy_exact(w.header.body_hash, h.getBodyHash()) ||
              !copy_exact(w.header.signature, h.getSignature())) {
            return Error{Code::kCorrupt, "malformed record header"};
          }
          w.header.seq = h.getSeq();
          w.header.hlc = h.getHlc();
          w.header.flags = h.getFlags();
          if (!r.getErased()) {
            if (!r.hasBody()) return Error{Code::kCorrupt, "record without a body"};
            auto b = r.getBody();
            store::Body body;
            body.fields.assign(b.getFields().begin(), b.getFields().end());
            if (!copy_exact(body.note_salt, b.getNoteSalt()))
              return Error{Code::kCorrupt, "bad note salt"};
            if (b.hasNote()) {
              body.note = std::string(b.getNote().cStr(), b.getNote().size());
            } else if (!copy_exact(body.note_hash, b.getNoteHash())) {
              return Error{Code::kCorrupt, "record without note or note hash"};
            }
            w.body = std::move(body);
          }
          m.records.push_back(std::move(w));
        }
        break;
      }
      case schema::PeerMessage::ACK:
        m.kind = Message::Kind::kAck;
        m.id = pm.getAck().getBatchId();
        break;
      case schema::PeerMessage::KEEPALIVE:
        m.kind = Message::Kind::kKeepalive;
        m.id = pm.getKeepalive();
        break;
      case schema::PeerMessage::KEEPALIVE_ECHO:
        m.kind = Message::Kind::kKeepaliveEcho;
        m.id = pm.getKeepaliveEcho();
        break;
      case schema::PeerMessage::GOODBYE:
        m.kind = Message::Kind::kGoodbye;
        break;
      default:
        break;
    }
    return m;
  } catch (const kj::Exception& e) {
    return Error{Code::kCorrupt,
                 std::string("malformed peer message: ") + e.getDescription().cStr()};
  }
}

Result<Prechecked> precheck_batch(const std::vector<WireRecord>& records,
                                  const std::optional<crypto::PublicKey>& sign_key) {
  Prechecked pre;
  if (records.empty()) return pre;
  pre.device = records.front().header.device;
  if (pre.device == store::kPrivateDevice)
    return Error{Code::kForbidden, "private records never sync"};
  pre.hashes.reserve(records.size());
  pre.targets.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.header.device != pre.device) return Error{Code::kCorrupt, "a batch mixes devices"};
    if (r.header.seq == 0) return Error{Code::kCorrupt, "sequence 0"};
    if (i > 0 && (r.header.seq != records[i - 1].header.seq + 1 ||
                  r.header.prev_hash != pre.hashes.back())) {
      return Error{Code::kCorrupt, "broken chain at " + store::entry_id(pre.device, r.header.seq)};
    }
    if (r.body && store::compute_body_hash(*r.body) != r.header.body_hash) {
      return Error{Code::kCorrupt, "a body does not match its hash at " +
                                       store::entry_id(pre.device, r.header.seq)};
    }
    pre.hashes.push_back(store::chain_hash(r.header));
    std::optional<store::EditTarget> target;
    if (r.body && !(r.header.flags & store::kFlagRoster))
      target = store::edit_target(r.body->fields);
    pre.targets.push_back(target);
  }
  // The newest record's signature vouches for the chain below it.
  if (sign_key) {
    if (!store::verify_header(records.back().header, *sign_key)) {
      return Error{Code::kAuth, "forged record: the signature of " +
                                    store::entry_id(pre.device, records.back().header.seq) +
                                    " does not verify"};
    }
    pre.signed_by = *sign_key;
  }
  return pre;
}

Status confirm_batch(const store::Store& store, const store::Txn& txn,
                     const std::vector<WireRecord>& records, const Prechecked& pre) {
  if (records.empty()) return {};
  if (pre.hashes.size() != records.size() || pre.targets.size() != records.size() ||
      records.front().header.device != pre.device) {
    return Error{Code::kInternal, "a batch confirmed without its precheck"};
  }
  const auto device = pre.device;
  auto roster = store.roster(txn);
  if (!roster) return roster.error();
  const store::DeviceInfo* info = *roster ? (*roster)->device(device) : nullptr;
  if (!info)
    return Error{Code::kForbidden, "records from a device outside the roster: " + to_hex(device)};
  if (!pre.signed_by || *pre.signed_by != info->sign_key) {
    if (!store::verify_header(records.back().header, info->sign_key)) {
      return Error{Code::kAuth, "forged record: the signature of " +
                                    store::entry_id(device, records.back().header.seq) +
                                    " does not verify"};
    }
  }
  auto head = store.head(txn, device);
  if (!head) return head.error();
  // Records at or below the head are held already: harmless if identical; two records with one
  // sequence are a fork. The first record above the head must follow it (the batch is chained
  // from there on, as precheck_batch checked).
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.header.seq <= head->seq) {
      auto mine = store.header(txn, device, r.header.seq);
      if (!mine) return mine.error();
      if (!*mine || store::record_hash(**mine) != store::record_hash(r.header)) {
        return Error{Code::kCorrupt, "fork: " + to_hex(device) +
                                         " wrote two records with sequence " +
                                         std::to_string(r.header.seq)};
      }
      continue;
    }
    // It chains to the header held here (after held records too, as precheck_batch cannot see).
    if (r.header.seq != head->seq + 1 || r.header.prev_hash != head->hash) {
      return Error{Code::kCorrupt,
                   "records out of order: " + store::entry_id(device, r.header.seq) +
                       " does not follow what is held"};
    }
    break;
  }
  // Edits and retracts only by the entry's author (any device of the same member).
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!pre.targets[i]) continue;
    store::DeviceId tdev;
    std::memcpy(tdev.data(), pre.targets[i]->key.data(), 8);
    const store::DeviceInfo* tinfo = (*roster)->device(tdev);
    if (!tinfo || tinfo->member != info->member) {
      return Error{Code::kForbidden, "an edit or retract of another member's entry at " +
                                         store::entry_id(device, records[i].header.seq)};
    }
  }
  // A revoked device's records count up to the point its revocation names, never beyond.
  if (info->revoked && records.back().header.seq > info->revoked_after) {
    return Error{Code::kForbidden,
                 "records written by revoked device " + to_hex(device) + " after its revocation"};
  }
  // Roster changes only as the author's member may make them (roster.hpp).
  std::optional<store::Roster> roster_now;
  for (const auto& r : records) {
    if (!r.body || !(r.header.flags & store::kFlagRoster) || r.header.seq <= head->seq) continue;
    auto incoming = store::decode_roster(r.body->fields);
    if (!incoming) return incoming.error();
    if (!roster_now) roster_now = **roster;
    if (auto ok = store::check_roster_change(*roster_now, *incoming, *info); !ok) {
      return Error{ok.error().code,
                   ok.error().message + " at " + store::entry_id(device, r.header.seq)};
    }
    roster_now = store::merge_roster(*roster_now, *incoming);
  }
  return {};
}

Status verify_batch(const store::Store& store, const store::Txn& txn,
                    const std::vector<WireRecord>& records) {
  if (records.empty()) return {};
  const auto device = records.front().header.device;
  if (device == store::kPrivateDevice) return Error{Code::kForbidden, "private records never sync"};
  auto roster = store.roster(txn);
  if (!roster) return roster.error();
  const store::DeviceInfo* info = *roster ? (*roster)->device(device) : nullptr;
  if (!info)
    return Error{Code::kForbidden, "records from a device outside the roster: " + to_hex(device)};
  auto pre = precheck_batch(records, info->sign_key);
  if (!pre) return pre.error();
  return confirm_batch(store, txn, records, *pre);
}

Result<std::vector<store::RecordKey>> apply_batch(store::Store& store, store::Txn& txn,
                                                  const std::vector<WireRecord>& records,
                                                  const Prechecked* pre) {
  std::vector<store::RecordKey> stored;
  if (records.empty()) return stored;
  stored.reserve(records.size());
  const auto device = records.front().header.device;
  auto head = store.head(txn, device);
  if (!head) return head.error();
  const bool hashed = pre && pre->hashes.size() == records.size();
  store::Run run;  // carried through the batch, stored once at the end
  run.head = *head;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.header.device != device) return Error{Code::kCorrupt, "a batch mixes devices"};
    if (r.header.seq <= run.head.seq) continue;  // a duplicate
    // The batch's verification checked every body against its hash: not hashed again.
    auto applied = store.apply_checked(txn, r.header, r.body,
                                       hashed ? pre->hashes[i] : store::chain_hash(r.header), &run,
                                       hashed ? &pre->targets[i] : nullptr);
    if (!applied) return applied.error();
    stored.push_back(store::record_key(r.header.device, r.header.seq));
    if ((r.header.flags & store::kFlagRoster) && r.body) {
      auto incoming = store::decode_roster(r.body->fields);
      auto current = store.roster(txn);
      if (!current) return current.error();
      if (incoming && *current && incoming->space_id == (*current)->space_id) {
        TANDEM_TRY(store.put_meta(txn, "roster",
                                  store::encode_roster(store::merge_roster(**current, *incoming))));
      }
    }
  }
  if (run.head.seq != head->seq) TANDEM_TRY(store.finish_run(txn, device, run));
  return stored;
}

Result<std::vector<Outcome>> apply_batches(store::Store& store, store::Txn& txn,
                                           std::vector<Incoming>& batches) {
  std::vector<Outcome> out(batches.size());
  for (const auto& b : batches) {
    if (b.records.empty() || b.pre.hashes.size() != b.records.size() ||
        b.pre.targets.size() != b.records.size() ||
        b.records.front().header.device != b.pre.device) {
      return Error{Code::kInternal, "a batch applied without its precheck"};
    }
  }
  std::size_t i = 0;
  while (i < batches.size()) {
    // The run: batches i..j-1 of one device, each one's first record chained to the last before.
    const store::DeviceId device = batches[i].pre.device;
    std::size_t j = i + 1;
    while (j < batches.size() && batches[j].pre.device == device &&
           batches[j].records.front().header.seq == batches[j - 1].records.back().header.seq + 1 &&
           batches[j].records.front().header.prev_hash == batches[j - 1].pre.hashes.back()) {
      ++j;
    }
    Status run_ok;
    auto roster = store.roster(txn);
    if (!roster) return roster.error();
    if (const store::DeviceInfo* info = *roster ? (*roster)->device(device) : nullptr) {
      const auto& newest = batches[j - 1].records.back().header;
      if (store::verify_header(newest, info->sign_key)) {
        for (std::size_t k = i; k < j; ++k) batches[k].pre.signed_by = info->sign_key;
      } else {
        run_ok = Error{Code::kAuth, "forged record: the signature of " +
                                        store::entry_id(device, newest.seq) + " does not verify"};
      }
    }  // else confirm_batch refuses the device
    for (std::size_t k = i; k < j; ++k) {
      if (!run_ok) {
        out[k].status = run_ok;
        continue;
      }
      // No nested transaction per batch: confirm_batch refuses before anything is written, and
      // after it only the store itself can fail (precheck_batch and confirm_batch checked every
      // rule apply_batch relies on), which fails the whole commit.
      if (Status st = confirm_batch(store, txn, batches[k].records, batches[k].pre); !st) {
        out[k].status = st;
        continue;
      }
      auto keys = apply_batch(store, txn, batches[k].records, &batches[k].pre);
      if (!keys) return keys.error();
      out[k].stored = std::move(*keys);
    }
    i = j;
  }
  return out;
}

}  // namespace tandem::sync
