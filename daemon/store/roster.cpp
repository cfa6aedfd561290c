#include "daemon/store/roster.hpp"

#include "daemon/crypto/primitives.hpp"
#include "proto/framing.hpp"
#include "proto/store.capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <cstring>

namespace tandem::store {

const DeviceInfo* Roster::device(const DeviceId& id) const {
  for (const auto& d : devices) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

Status check_roster_change(const Roster& current, const Roster& incoming,
                           const DeviceInfo& author) {
  if (incoming.space_id != current.space_id)
    return Error{Code::kForbidden, "a roster record for another space"};
  if (incoming.epoch < current.epoch)
    return Error{Code::kForbidden, "a roster record that takes the key epoch back"};
  const std::uint8_t own = author.member;
  bool partner_has_devices = false;
  for (const auto& d : current.devices) partner_has_devices |= d.member != own;
  for (const auto& d : current.devices) {
    const DeviceInfo* now = incoming.device(d.id);
    if (!now) continue;  // an older roster that did not know this device yet: merge keeps it
    if (now->member != d.member || now->sign_key != d.sign_key || now->dh_key != d.dh_key)
      return Error{Code::kForbidden, "a roster record that changes device " + to_hex(d.id)};
    if (d.revoked && !now->revoked)
      return Error{Code::kForbidden, "a roster record that un-revokes device " + to_hex(d.id)};
    if (now->revoked && !d.revoked) {
      if (d.member != own)
        return Error{Code::kForbidden, "only its own member may revoke device " + to_hex(d.id)};
      if (d.id == author.id) return Error{Code::kForbidden, "a device may not revoke itself"};
    }
  }
  for (const auto& d : incoming.devices) {
    if (current.device(d.id)) continue;
    if (d.member != own && partner_has_devices)
      return Error{Code::kForbidden, "only the partner may add devices of their own"};
    if (d.revoked) return Error{Code::kForbidden, "a roster record that adds a revoked device"};
  }
  return {};
}

Roster merge_roster(const Roster& current, const Roster& incoming) {
  Roster merged = current;
  for (const auto& d : incoming.devices) {
    auto it = std::find_if(merged.devices.begin(), merged.devices.end(),
                           [&](const DeviceInfo& m) { return m.id == d.id; });
    if (it == merged.devices.end()) {
      merged.devices.push_back(d);
    } else if (d.revoked) {
      it->revoked_after =
          it->revoked ? std::max(it->revoked_after, d.revoked_after) : d.revoked_after;
      it->revoked = true;
    }
  }
  for (int m = 1; m <= 2; ++m) {
    if (!incoming.member_names[m].empty() && incoming.devices.size() >= current.devices.size())
      merged.member_names[m] = incoming.member_names[m];
  }
  if (incoming.epoch > current.epoch ||
      (incoming.epoch == current.epoch && incoming.epoch > 0 && incoming.key_id > current.key_id)) {
    merged.epoch = incoming.epoch;
    merged.key_id = incoming.key_id;
    merged.wraps = incoming.wraps;
  }
  return merged;
}

bool key_reaches_revoked(const Roster& r) {
  for (const auto& w : r.wraps) {
    const DeviceInfo* d = r.device(w.device);
    if (d && d->revoked) return true;
  }
  return false;
}

std::array<std::uint8_t, 16> space_key_id(const crypto::SymmetricKey& key, std::uint32_t epoch) {
  auto derived = crypto::derive_key(key, "tandem-space-key-id", epoch);
  std::array<std::uint8_t, 16> id{};
  std::memcpy(id.data(), derived.data(), id.size());
  return id;
}

namespace {
Bytes wrap_plaintext(const Roster& r, const crypto::SymmetricKey& key) {
  Bytes p(4 + 16 + 32);
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(r.epoch >> (24 - 8 * i));
  std::memcpy(p.data() + 4, r.space_id.data(), 16);
  std::memcpy(p.data() + 20, key.data(), 32);
  return p;
}
}  // namespace

KeyWrap wrap_space_key(const Roster& r, const DeviceInfo& device, const crypto::SymmetricKey& key) {
  Bytes plain = wrap_plaintext(r, key);
  KeyWrap w{device.id, crypto::seal_to(device.dh_key, plain)};
  crypto::wipe(plain.data(), plain.size());
  return w;
}

Result<crypto::SymmetricKey> unwrap_space_key(const Roster& r, const DeviceId& me,
                                              const crypto::DhSecretKey& my_secret) {
  const KeyWrap* mine = nullptr;
  for (const auto& w : r.wraps) {
    if (w.device == me) mine = &w;
  }
  if (!mine) return Error{Code::kNotFound, "the space key was not sealed to this device"};
  auto opened = crypto::open_from(crypto::dh_public(my_secret), my_secret, mine->sealed);
  if (!opened)
    return Error{Code::kAuth, "the sealed space key does not open with this device's key"};
  crypto::SymmetricKey key;
  bool ok = opened->size() == 52;
  if (ok) {
    std::memcpy(key.data(), opened->data() + 20, 32);
    Bytes expect = wrap_plaintext(r, key);
    ok = crypto::equal_ct(expect, *opened) && space_key_id(key, r.epoch) == r.key_id;
    crypto::wipe(expect.data(), expect.size());
  }
  crypto::wipe(opened->data(), opened->size());
  if (!ok) return Error{Code::kAuth, "the sealed space key names another space, epoch or key"};
  return key;
}

static kj::ArrayPtr<const capnp::byte> bytes_of(ByteView b) {
  return {b.data(), b.size()};
}

Bytes encode_roster(const Roster& r) {
  capnp::MallocMessageBuilder msg(256);
  auto root = msg.initRoot<schema::Roster>();
  root.setSpaceId(bytes_of(r.space_id));
  root.setEpoch(r.epoch);
  auto members = root.initMembers(2);
  for (unsigned i = 0; i < 2; ++i) {
    members[i].setId(static_cast<std::uint8_t>(i + 1));
    members[i].setName(r.member_names[i + 1]);
  }
  auto devs = root.initDevices(static_cast<unsigned>(r.devices.size()));
  for (unsigned i = 0; i < r.devices.size(); ++i) {
    const auto& d = r.devices[i];
    devs[i].setId(bytes_of(d.id));
    devs[i].setMember(d.member);
    devs[i].setName(d.name);
    devs[i].setSignKey(bytes_of(d.sign_key));
    devs[i].setDhKey(bytes_of(d.dh_key));
    devs[i].setRevoked(d.revoked);
    devs[i].setRevokedAfter(d.revoked_after);
  }
  if (r.epoch > 0) {
    root.setKeyId(bytes_of(r.key_id));
    auto wraps = root.initKeyWraps(static_cast<unsigned>(r.wraps.size()));
    for (unsigned i = 0; i < r.wraps.size(); ++i) {
      wraps[i].setDevice(bytes_of(r.wraps[i].device));
      wraps[i].setSealed(bytes_of(r.wraps[i].sealed));
    }
  }
  auto words = capnp::messageToFlatArray(msg);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

template <std::size_t N>
static bool copy_exact(std::array<std::uint8_t, N>& out, capnp::Data::Reader in) {
  if (in.size() != N) return false;
  std::memcpy(out.data(), in.begin(), N);
  return true;
}

Result<Roster> decode_roster(ByteView bytes) {
  if (bytes.empty() || bytes.size() % 8) return Error{Code::kCorrupt, "roster is misaligned"};
  try {
    kj::Array<capnp::word> copy;
    capnp::FlatArrayMessageReader reader(proto::aligned_words(bytes, copy),
                                         proto::strict_reader_options());
    auto root = reader.getRoot<schema::Roster>();
    Roster r;
    if (!copy_exact(r.space_id, root.getSpaceId()))
      return Error{Code::kCorrupt, "roster: bad space id"};
    r.epoch = root.getEpoch();
    for (auto m : root.getMembers()) {
      if (m.getId() < 1 || m.getId() > 2) return Error{Code::kCorrupt, "roster: bad member id"};
      r.member_names[m.getId()] = m.getName();
    }
    if (root.getDevices().size() > 64) return Error{Code::kCorrupt, "roster: too many devices"};
    for (auto d : root.getDevices()) {
      DeviceInfo info;
      if (!copy_exact(info.id, d.getId()) || !copy_exact(info.sign_key, d.getSignKey()) ||
          !copy_exact(info.dh_key, d.getDhKey()) || d.getMember() < 1 || d.getMember() > 2) {
        return Error{Code::kCorrupt, "roster: bad device"};
      }
      info.member = d.getMember();
      info.name = d.getName();
      info.revoked = d.getRevoked();
      info.revoked_after = d.getRevokedAfter();
      if (r.device(info.id)) return Error{Code::kCorrupt, "roster: a device listed twice"};
      r.devices.push_back(std::move(info));
    }
    if (r.epoch > 0 && !copy_exact(r.key_id, root.getKeyId()))
      return Error{Code::kCorrupt, "roster: bad key id"};
    if (root.getKeyWraps().size() > 64) return Error{Code::kCorrupt, "roster: too many key wraps"};
    for (auto w : root.getKeyWraps()) {
      KeyWrap wrap;
      if (!copy_exact(wrap.device, w.getDevice()) || w.getSealed().size() > 256)
        return Error{Code::kCorrupt, "roster: bad key wrap"};
      wrap.sealed.assign(w.getSealed().begin(), w.getSealed().end());
      r.wraps.push_back(std::move(wrap));
    }
    return r;
  } catch (const kj::Exception& e) {
    return Error{Code::kCorrupt,
                 std::string("roster does not parse: ") + e.getDescription().cStr()};
  }
}

}  // namespace tandem::store
