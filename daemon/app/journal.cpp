#include "daemon/app/journal.hpp"

#include "daemon/api/codec.hpp"
#include "daemon/app/commit.hpp"
#include "daemon/app/entry_rules.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/keyfiles.hpp"
#include "proto/api.capnp.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

namespace tandem::app {

using schema::Request;

Journal::Journal(store::Store& store, store::Committer& committer, const Clock& clock,
                 const store::KeyRing& keys, std::string data_dir)
    : store_(store),
      committer_(committer),
      clock_(clock),
      hlc_(clock),
      keys_(keys),
      data_dir_(std::move(data_dir)) {}

Status Journal::load() {
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) return txn.error();
  auto self = store_.self(*txn);
  if (!self) return self.error();
  if (!*self) return {};  // not initialised yet
  auto roster = store_.roster(*txn);
  if (!roster) return roster.error();
  if (!*roster) return Error{Code::kCorrupt, "the store has a device id but no roster"};
  const store::DeviceInfo* info = (*roster)->device(**self);
  if (!info) return Error{Code::kCorrupt, "this device is missing from its own roster"};
  auto sign = keys_.read<64>("device.sign");
  if (!sign) return sign.error();
  auto dh = keys_.read<32>("device.dh");
  if (!dh) return dh.error();
  if (crypto::sign_public(*sign) != info->sign_key || crypto::dh_public(*dh) != info->dh_key) {
    return Error{Code::kCorrupt, "the key files do not match this device's roster entry"};
  }
  auto head = store_.head(*txn, **self);
  if (!head) return head.error();
  if (head->seq > 0) {
    auto h = store_.header(*txn, **self, head->seq);
    if (h && *h) hlc_.observe((*h)->hlc);
  }
  id_ = Identity{**self, info->member, std::move(*sign), std::move(*dh)};
  return {};
}

std::string Journal::today() const {
  std::time_t t = static_cast<std::time_t>(clock_.now_ms() / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

awaitable<Status> Journal::commit(store::Committer::Op op) {
  return commit_op(committer_, std::move(op));
}

awaitable<void> Journal::handle(Request::Reader req, schema::Response::Builder out,
                                const std::shared_ptr<api::EventSink>& sink) {
  const auto id = req.getId();
  if (!id_ && !req.isStatus() && !req.isInit()) {
    api::set_error(
        out, id,
        {Code::kNotInitialized, "this device has no journal yet: run `tandem init --name NAME`"});
    co_return;
  }
  switch (req.which()) {
    case Request::STATUS:
      co_await on_status(out);
      break;
    case Request::INIT:
      co_await on_init(req.getInit(), out);
      break;
    case Request::ADD:
      co_await on_add(req.getAdd().getEntry(), out);
      break;
    case Request::GET:
      co_await on_get(req.getGet(), out);
      break;
    case Request::LIST:
      co_await on_list(req.getList(), out);
      break;
    case Request::EDIT:
      co_await on_edit(req.getEdit(), out);
      break;
    case Request::RETRACT:
      co_await on_retract(req.getRetract(), out);
      break;
    case Request::APPRECIATE:
      co_await on_appreciate(req.getAppreciate(), out);
      break;
    case Request::EXPORT:
      co_await on_export(req.getExport(), out);
      break;
    case Request::SUBSCRIBE:
      on_subscribe(id, sink, out);
      break;
    case Request::REPORT:
      co_await on_report(req.getReport(), out);
      break;
    default:
      api::set_error(out, id, {Code::kUnknownRequest, "unknown request"});
      break;
  }
}

static std::uint64_t table_entries(const store::Txn& txn, MDB_dbi dbi) {
  MDB_stat st{};
  if (mdb_stat(txn.get(), dbi, &st) != 0) return 0;
  return st.ms_entries;
}

awaitable<void> Journal::on_status(schema::Response::Builder out) {
  auto s = out.initStatus();
  s.setApiVersion(schema::API_VERSION);
  s.setVersion(kDaemonVersion);
  s.setDataDir(data_dir_);
  s.setInitialized(id_.has_value());
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) {
    api::set_error(out, 0, txn.error());
    co_return;
  }
  s.setEntries(table_entries(*txn, store_.tables().log));
  if (!id_) co_return;
  auto roster = store_.roster(*txn);
  if (roster && *roster) {
    const auto& r = **roster;
    s.setSpaceId(to_hex(r.space_id));
    s.setMemberName(r.member_names[id_->member]);
    s.setPartnerName(r.member_names[store::Roster::other(id_->member)]);
    if (auto* d = r.device(id_->device)) s.setDeviceName(d->name);
  }
  s.setDeviceId(to_hex(id_->device));
  auto own = store_.head(*txn, id_->device);
  auto priv = store_.head(*txn, store::kPrivateDevice);
  if (own) s.setOwnEntries(own->seq);
  if (priv) s.setPrivateEntries(priv->seq);
  co_return;
}

awaitable<void> Journal::on_init(schema::InitRequest::Reader req, schema::Response::Builder out) {
  if (id_) {
    api::set_error(out, 0, {Code::kAlreadyInitialized, "this device already keeps a journal"});
    co_return;
  }
  std::string name = req.getName();
  if (name.empty() || name.size() > 64) {
    api::set_error(out, 0, {Code::kInvalidArgument, "name must be 1 to 64 bytes"});
    co_return;
  }
  std::string device_name = req.getDeviceName();
  if (device_name.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    device_name = host;
  }
  std::string partner_name = req.getPartnerName();
  if (partner_name.empty()) partner_name = "partner";
  if (device_name.size() > 64 || partner_name.size() > 64) {
    api::set_error(out, 0, {Code::kInvalidArgument, "names must be at most 64 bytes"});
    co_return;
  }

  auto sign = crypto::sign_keypair();
  auto dh = crypto::dh_keypair();
  crypto::SymmetricKey space_key;
  crypto::random_fill({space_key.data(), space_key.size()});
  store::Roster roster;
  crypto::random_fill(roster.space_id);
  roster.member_names[1] = name;
  roster.member_names[2] = partner_name;
  store::DeviceInfo dev;
  crypto::random_fill(dev.id);
  if (dev.id == store::kPrivateDevice) dev.id[0] = 1;
  dev.member = 1;
  dev.name = device_name;
  dev.sign_key = sign.pub;
  dev.dh_key = dh.pub;
  roster.devices.push_back(dev);

  for (auto st : {keys_.write("device.sign", sign.secret), keys_.write("device.dh", dh.secret),
                  keys_.write("space.key", space_key)}) {
    if (!st) {
      api::set_error(out, 0, st.error());
      co_return;
    }
  }
  const Bytes roster_bytes = store::encode_roster(roster);
  const auto& sk = sign.secret;
  Status st = co_await commit([&, this](store::Txn& txn) -> Status {
    auto self = store_.self(txn);
    if (!self) return self.error();
    if (*self) return Error{Code::kAlreadyInitialized, "this device already keeps a journal"};
    TANDEM_TRY(store_.put_meta(txn, "self", dev.id));
    TANDEM_TRY(store_.put_meta(txn, "roster", roster_bytes));
    // The genesis roster is the first record of the founder's log, so it syncs like any entry.
    auto h = store_.append(txn, dev.id, sk, hlc_.tick(), store::kFlagRoster,
                           store::make_body(roster_bytes, ""));
    if (!h) return h.error();
    return {};
  });
  if (!st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  id_ = Identity{dev.id, 1, std::move(sign.secret), std::move(dh.secret)};
  spdlog::info("created space {} with device {}", to_hex(roster.space_id), to_hex(dev.id));
  auto r = out.initInit();
  r.setSpaceId(to_hex(roster.space_id));
  r.setDeviceId(to_hex(dev.id));
}

awaitable<void> Journal::on_add(schema::Entry::Reader entry, schema::Response::Builder out) {
  capnp::MallocMessageBuilder msg;
  msg.setRoot(entry);
  auto e = msg.getRoot<schema::Entry>();
  if (auto st = normalise_entry(e, today()); !st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  co_await append_entry(e.asReader(), out);
}

awaitable<void> Journal::append_entry(schema::Entry::Reader entry, schema::Response::Builder out,
                                      std::optional<store::RecordKey> changes) {
  const bool is_private = entry.getVisibility() == schema::Visibility::PRIVATE;
  const std::uint8_t flags =
      entry.getVisibility() == schema::Visibility::AGGREGATE ? store::kFlagAggregate : 0;
  auto [fields, note] = store::split_entry(entry);
  store::Body body = store::make_body(std::move(fields), std::move(note));
  store::RecordKey key{};
  const store::DeviceId device = is_private ? store::kPrivateDevice : id_->device;
  Status st = co_await commit([&, this](store::Txn& txn) -> Status {
    auto h = store_.append(txn, device, id_->sign, hlc_.tick(), flags, body);
    if (!h) return h.error();
    key = store::record_key(h->device, h->seq);
    return {};
  });
  if (!st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) {
    api::set_error(out, 0, txn.error());
    co_return;
  }
  const store::RecordKey shown = changes ? *changes : key;
  if (auto vs = view(*txn, shown, out.initEntry()); !vs) api::set_error(out, 0, vs.error());
  txn->abort();
  if (changes) {
    publish(*changes, true);
  } else {
    publish(key, false);
  }
  refresh_snapshot();
  if (on_append_ && !is_private) on_append_();
}

static std::optional<store::RecordKey> key_of(std::string_view id) {
  auto parsed = store::parse_entry_id(id);
  if (!parsed) return std::nullopt;
  return store::record_key(parsed->first, parsed->second);
}

awaitable<void> Journal::on_get(schema::GetRequest::Reader req, schema::Response::Builder out) {
  auto key = key_of(std::string_view(req.getId().cStr(), req.getId().size()));
  if (!key) {
    api::set_error(out, 0, {Code::kInvalidArgument, "malformed entry id"});
    co_return;
  }
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) {
    api::set_error(out, 0, txn.error());
    co_return;
  }
  if (auto st = view(*txn, *key, out.initEntry()); !st) api::set_error(out, 0, st.error());
  co_return;
}

// Checks that `id` names an entry this member wrote and may change; returns its key.
static Result<store::RecordKey> own_target(const store::Store& store, const Identity& me,
                                           std::string_view id) {
  auto parsed = store::parse_entry_id(id);
  if (!parsed) return Error{Code::kInvalidArgument, "malformed entry id"};
  auto txn = store::Txn::begin_read(store.env());
  if (!txn) return txn.error();
  auto h = store.header(*txn, parsed->first, parsed->second);
  if (!h) return h.error();
  if (!*h || ((*h)->flags & store::kFlagRoster)) return Error{Code::kNotFound, "no such entry"};
  if (parsed->first != store::kPrivateDevice) {
    auto roster = store.roster(*txn);
    if (!roster) return roster.error();
    const auto* info = *roster ? (*roster)->device(parsed->first) : nullptr;
    if (!info || info->member != me.member) {
      return Error{Code::kForbidden, "only the partner who wrote an entry may edit or retract it"};
    }
  }
  auto key = store::record_key(parsed->first, parsed->second);
  auto r = store.retract_of(*txn, key);
  if (!r) return r.error();
  if (*r) return Error{Code::kNotFound, "that entry was retracted"};
  auto b = store.body(*txn, parsed->first, parsed->second);
  if (!b) return b.error();
  if (!*b) return Error{Code::kNotFound, "that entry has no body to change"};
  auto p = store::ParsedEntry::parse((**b).fields, std::nullopt);
  if (!p) return p.error();
  if (p->reader().getKind().isEdit() || p->reader().getKind().isRetract()) {
    return Error{Code::kInvalidArgument, "edits and retracts cannot themselves be changed"};
  }
  return key;
}

static void set_ref(schema::EntryRef::Builder ref, const store::RecordKey& key) {
  ref.setDevice(kj::arrayPtr(key.data(), 8));
  ref.setSeq(get_be64(key.data() + 8));
}

awaitable<void> Journal::on_edit(schema::EditRequest::Reader req, schema::Response::Builder out) {
  auto target = own_target(store_, *id_, std::string_view(req.getId().cStr(), req.getId().size()));
  if (!target) {
    api::set_error(out, 0, target.error());
    co_return;
  }
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  e.setReplacement(req.getEntry());
  auto rep = e.getReplacement();
  if (auto st = normalise_entry(rep, today()); !st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  {
    auto txn = store::Txn::begin_read(store_.env());
    auto [dev, seq] = std::make_pair(store::DeviceId{}, get_be64(target->data() + 8));
    std::memcpy(dev.data(), target->data(), 8);
    auto b = txn ? store_.body(*txn, dev, seq) : Result<std::optional<store::Body>>(txn.error());
    if (!b || !*b) {
      api::set_error(out, 0, {Code::kNotFound, "no such entry"});
      co_return;
    }
    auto p = store::ParsedEntry::parse((**b).fields, std::nullopt);
    if (!p || p->reader().getKind().which() != rep.getKind().which()) {
      api::set_error(out, 0, {Code::kInvalidArgument, "an edit keeps the entry's kind"});
      co_return;
    }
    // Visibility follows the original: an edit cannot move a private entry into the shared log.
    rep.setVisibility(p->reader().getVisibility());
    e.setVisibility(p->reader().getVisibility());
  }
  e.getKind().initEdit().setReason(req.getReason());
  set_ref(e.initRefs(1)[0], *target);
  e.setDate(today());
  co_await append_entry(e.asReader(), out, *target);
}

awaitable<void> Journal::on_retract(schema::RetractRequest::Reader req,
                                    schema::Response::Builder out) {
  std::string id(req.getId().cStr(), req.getId().size());
  auto target = own_target(store_, *id_, id);
  if (!target) {
    api::set_error(out, 0, target.error());
    co_return;
  }
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  e.getKind().initRetract().setReason(req.getReason());
  set_ref(e.initRefs(1)[0], *target);
  e.setDate(today());
  if (std::memcmp(target->data(), store::kPrivateDevice.data(), 8) == 0) {
    e.setVisibility(schema::Visibility::PRIVATE);
  }
  capnp::MallocMessageBuilder scratch;
  auto tmp = scratch.initRoot<schema::Response>();
  co_await append_entry(e.asReader(), tmp, *target);
  if (tmp.isError()) {
    out.setError(tmp.getError());
    co_return;
  }
  out.initRetracted().setId(id);
}

awaitable<void> Journal::on_appreciate(schema::AppreciateRequest::Reader req,
                                       schema::Response::Builder out) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  e.getKind().initAppreciation().setTo(schema::Party::PARTNER);
  e.setNote(req.getNote());
  e.setVisibility(req.getVisibility());
  if (req.getIds().size() > 64) {
    api::set_error(out, 0, {Code::kTooLarge, "at most 64 entries per thanks"});
    co_return;
  }
  auto refs = e.initRefs(req.getIds().size());
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) {
    api::set_error(out, 0, txn.error());
    co_return;
  }
  for (unsigned i = 0; i < req.getIds().size(); ++i) {
    auto key = key_of(std::string_view(req.getIds()[i].cStr(), req.getIds()[i].size()));
    if (!key) {
      api::set_error(out, 0, {Code::kInvalidArgument, "malformed entry id"});
      co_return;
    }
    capnp::MallocMessageBuilder probe;
    if (auto st = view(*txn, *key, probe.initRoot<schema::EntryView>()); !st) {
      api::set_error(out, 0, st.error());
      co_return;
    }
    set_ref(refs[i], *key);
  }
  txn->abort();
  if (auto st = normalise_entry(e, today()); !st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  co_await append_entry(e.asReader(), out);
}

void Journal::on_subscribe(std::uint32_t id, const std::shared_ptr<api::EventSink>& sink,
                           schema::Response::Builder out) {
  (void)out.initSubscribed();
  subscribers_.push_back({sink, id});
}

void Journal::publish(const store::RecordKey& key, bool changed) {
  std::erase_if(subscribers_, [](const Subscriber& s) { return s.sink.expired(); });
  if (subscribers_.empty()) return;
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) return;
  capnp::MallocMessageBuilder msg;
  auto resp = msg.initRoot<schema::Response>();
  auto ev = resp.initEvent();
  auto v = changed ? ev.initEntryChanged() : ev.initEntryAdded();
  if (!view(*txn, key, v)) return;
  txn->abort();
  for (auto& s : subscribers_) {
    if (auto sink = s.sink.lock()) {
      resp.setId(s.id);
      sink->push(msg);
    }
  }
}

}  // namespace tandem::app
