#include "daemon/store/roster.hpp"

#include "proto/framing.hpp"
#include "proto/store.capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>

namespace tandem::store {

const DeviceInfo* Roster::device(const DeviceId& id) const {
  for (const auto& d : devices) {
    if (d.id == id) return &d;
  }
  return nullptr;
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
    auto words = kj::heapArray<capnp::word>(bytes.size() / 8);
    std::memcpy(words.begin(), bytes.data(), bytes.size());
    capnp::FlatArrayMessageReader reader(words, proto::strict_reader_options());
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
      r.devices.push_back(std::move(info));
    }
    return r;
  } catch (const kj::Exception& e) {
    return Error{Code::kCorrupt,
                 std::string("roster does not parse: ") + e.getDescription().cStr()};
  }
}

}  // namespace tandem::store
