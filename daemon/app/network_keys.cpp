// The space key and its rotation: revoking a device, adopting a key another device rotated to,
// and closing the sessions of revoked devices.
//
// On disk: keys/space.key holds the current key and keys/space.prev.key the one before it. The
// roster names the current epoch's key (key_id) and carries it sealed to every device that was
// not revoked, this one included, so a crash between the roster commit and the key files is
// repaired at the next start by follow_roster().
#include "daemon/api/codec.hpp"
#include "daemon/app/commit.hpp"
#include "daemon/app/network.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/store/keyfiles.hpp"

#include <spdlog/spdlog.h>

namespace tandem::app {

Status Network::load_space_key() {
  auto key = keys_.read<32>("space.key");
  if (!key) return key.error();
  space_key_.emplace(std::move(*key));
  auto prev = keys_.read<32>("space.prev.key");
  if (prev) {
    prev_key_.emplace(std::move(*prev));
  } else if (prev.error().code != Code::kNotFound) {
    return prev.error();
  }
  return {};
}

Status Network::adopt_key(crypto::SymmetricKey key) {
  // The previous key first: a crash in between leaves the old key current, and the next start
  // unwraps the new one again from the roster.
  TANDEM_TRY(keys_.replace("space.prev.key", *space_key_));
  TANDEM_TRY(keys_.replace("space.key", key));
  // Assigned in place: the listener and the dial loops hold pointers to these objects.
  if (prev_key_) {
    *prev_key_ = std::move(*space_key_);
  } else {
    prev_key_.emplace(std::move(*space_key_));
  }
  *space_key_ = std::move(key);
  if (listener_) listener_->set_psk_previous(&*prev_key_);
  if (beacon_scope_) {
    *beacon_scope_ = discovery::BeaconScope::space(discovery::beacon_key(*space_key_, 0));
  }
  return {};
}

void Network::close_revoked(const store::Roster& roster) {
  for (auto& w : sessions_) {
    auto s = w.lock();
    if (!s) continue;
    const store::DeviceInfo* d = roster.device(s->device);
    if (d && d->revoked && s->channel->is_open()) {
      spdlog::info("peer {} is revoked; closing its connection", to_hex(s->device));
      s->channel->close();
    }
  }
}

awaitable<void> Network::follow_roster() {
  const Identity* me = journal_.identity();
  if (!me || !space_key_ || stopped_) co_return;
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) co_return;
  auto roster = store_.roster(*txn);
  txn->abort();
  if (!roster || !*roster) co_return;
  const store::Roster& r = **roster;
  close_revoked(r);
  const store::DeviceInfo* mine = r.device(me->device);
  if (!mine || mine->revoked) {
    if (mine) spdlog::warn("this device was revoked from the space; peers will not accept it");
    co_return;
  }
  if (r.epoch > 0 && store::space_key_id(*space_key_, r.epoch) != r.key_id) {
    auto key = store::unwrap_space_key(r, me->device, me->dh);
    if (!key) {
      spdlog::warn("the space key moved to epoch {}, but: {}", r.epoch, key.error().message);
    } else if (auto st = adopt_key(std::move(*key)); !st) {
      spdlog::error("cannot store the rotated space key: {}", st.error().message);
    } else {
      spdlog::info("the space key rotated to epoch {}", r.epoch);
    }
  }
  if (store::key_reaches_revoked(r) && !rotating_) {
    // Two revocations crossed: the key that won was also sealed to a device revoked since.
    spdlog::info("the space key reached a revoked device; rotating it again");
    if (auto st = co_await rotate([](store::Txn&, store::Roster&) -> Status { return {}; }); !st)
      spdlog::warn("cannot rotate the space key: {}", st.error().message);
  }
}

awaitable<Status> Network::rotate(std::function<Status(store::Txn&, store::Roster&)> change) {
  const Identity* me = journal_.identity();
  if (!me || !space_key_) co_return Error{Code::kNotInitialized, "this device has no space yet"};
  if (rotating_) co_return Error{Code::kUnavailable, "a key rotation is already running"};
  rotating_ = true;
  crypto::SymmetricKey key;
  crypto::random_fill({key.data(), key.size()});
  store::Roster written;
  Status st = co_await commit_op(committer_, [&, this](store::Txn& txn) -> Status {
    auto current = store_.roster(txn);
    if (!current) return current.error();
    if (!*current) return Error{Code::kNotInitialized, "no roster"};
    const store::DeviceInfo* author = (*current)->device(me->device);
    if (!author || author->revoked)
      return Error{Code::kForbidden, "this device was revoked from the space"};
    store::Roster next = **current;
    TANDEM_TRY(change(txn, next));
    next.epoch = (*current)->epoch + 1;
    next.key_id = store::space_key_id(key, next.epoch);
    next.wraps.clear();
    for (const auto& d : next.devices) {
      if (!d.revoked) next.wraps.push_back(store::wrap_space_key(next, d, key));
    }
    TANDEM_TRY(store::check_roster_change(**current, next, *author));
    const Bytes bytes = store::encode_roster(next);
    TANDEM_TRY(store_.put_meta(txn, "roster", bytes));
    auto h =
        store_.append(txn, me->device, me->sign, static_cast<std::uint64_t>(clock_.now_ms()) << 16,
                      store::kFlagRoster, store::make_body(bytes, ""));
    if (!h) return h.error();
    written = std::move(next);
    return {};
  });
  rotating_ = false;
  if (!st) co_return st;
  if (auto adopted = adopt_key(std::move(key)); !adopted) {
    // The roster holds the key sealed to this device too; the next start adopts it.
    spdlog::error("cannot store the rotated space key yet: {}", adopted.error().message);
  }
  spdlog::info("the space key rotated to epoch {} ({} devices)", written.epoch,
               written.wraps.size());
  close_revoked(written);
  poke();
  co_return Status{};
}

awaitable<void> Network::revoke(schema::RevokeDeviceRequest::Reader req,
                                schema::Response::Builder out) {
  const Identity* me = journal_.identity();
  if (!me) {
    api::set_error(out, 0, {Code::kNotInitialized, "this device has no space yet"});
    co_return;
  }
  const std::string which = req.getDevice().cStr();
  store::Roster roster;
  {
    auto txn = store::Txn::begin_read(store_.env());
    auto r = txn ? store_.roster(*txn) : Result<std::optional<store::Roster>>(txn.error());
    if (!r || !*r) {
      api::set_error(out, 0, r ? Error{Code::kNotInitialized, "no roster"} : r.error());
      co_return;
    }
    roster = std::move(**r);
  }
  const store::DeviceInfo* target = nullptr;
  int named = 0;
  for (const auto& d : roster.devices) {
    if (to_hex(d.id) == which) target = &d;
  }
  if (!target) {
    for (const auto& d : roster.devices) {
      if (d.name == which) {
        target = &d;
        ++named;
      }
    }
  }
  if (!target) {
    api::set_error(out, 0, {Code::kNotFound, "no device " + which + " in this space"});
    co_return;
  }
  if (named > 1) {
    api::set_error(out, 0,
                   {Code::kInvalidArgument,
                    "more than one device is named " + which + "; give its id (tandem peers)"});
    co_return;
  }
  if (target->id == me->device) {
    api::set_error(out, 0,
                   {Code::kInvalidArgument,
                    "a device cannot revoke itself; revoke it from another of your devices"});
    co_return;
  }
  if (target->member != me->member) {
    api::set_error(out, 0,
                   {Code::kForbidden, "only " + roster.member_names[target->member] +
                                          " may revoke their own devices"});
    co_return;
  }
  if (target->revoked) {
    api::set_error(out, 0, {Code::kAlreadyInitialized, "device " + which + " is revoked already"});
    co_return;
  }
  const store::DeviceId id = target->id;
  const std::string name = target->name;
  std::uint64_t kept = 0;
  std::uint32_t epoch = 0, rekeyed = 0;
  Status st = co_await rotate([&, this](store::Txn& txn, store::Roster& next) -> Status {
    for (auto& d : next.devices) {
      if (d.id != id) continue;
      if (d.revoked)
        return Error{Code::kAlreadyInitialized, "device " + which + " is revoked already"};
      // Everything it wrote that this device holds stays valid; nothing after.
      auto head = store_.head(txn, id);
      if (!head) return head.error();
      d.revoked = true;
      d.revoked_after = head->seq;
      kept = head->seq;
    }
    epoch = next.epoch + 1;
    for (const auto& d : next.devices) rekeyed += d.revoked ? 0 : 1;
    return {};
  });
  if (!st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  spdlog::info("revoked device {} ({}); its {} records stay valid", to_hex(id), name, kept);
  auto v = out.initRevoked();
  v.setDeviceId(to_hex(id));
  v.setDeviceName(name);
  v.setEpoch(epoch);
  v.setKeptThrough(kept);
  v.setRekeyed(rekeyed);
}

}  // namespace tandem::app
