#include "daemon/pairing/pairing.hpp"

#include "daemon/crypto/cpace_encoding.hpp"
#include "proto/framing.hpp"
#include "proto/wire.capnp.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstring>

namespace tandem::pairing {

namespace {

using crypto::cpace::Role;

constexpr std::string_view kJoinerAd = "tandem/pair/v1 joiner";
constexpr std::string_view kInviterAd = "tandem/pair/v1 inviter";
constexpr std::string_view kJoinerLabel = "tandem/pair/v1 confirm joiner";
constexpr std::string_view kInviterLabel = "tandem/pair/v1 confirm inviter";

// The joiner's CPace associated data commits to every claim of its hello, so the confirmation
// tags cover them too.
Bytes joiner_ad(const JoinerInfo& info) {
  auto h = crypto::hash(
      "tandem/pair/v1 joiner claims",
      {info.device_id, info.sign_key, info.dh_key,
       crypto::cpace::lv_cat({as_bytes(info.device_name), as_bytes(info.member_name)})});
  Bytes ad(kJoinerAd.size() + h.size());
  std::memcpy(ad.data(), kJoinerAd.data(), kJoinerAd.size());
  std::memcpy(ad.data() + kJoinerAd.size(), h.data(), h.size());
  return ad;
}

Bytes ci_of(const Binding& b) {
  return crypto::cpace::lv_cat({b.joiner_static, b.inviter_static});
}

Bytes to_bytes(capnp::MessageBuilder& msg) {
  auto words = capnp::messageToFlatArray(msg);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

kj::ArrayPtr<const capnp::byte> view(ByteView b) {
  return {b.data(), b.size()};
}

// Parses one PairMessage; the callback reads it while the message lives.
template <class F>
auto with_message(ByteView bytes, F&& f)
    -> decltype(f(std::declval<schema::PairMessage::Reader>())) {
  if (bytes.empty() || bytes.size() % 8 || bytes.size() > kMaxPairMessage) {
    return Error{Code::kCorrupt, "malformed pairing message"};
  }
  try {
    auto words = kj::heapArray<capnp::word>(bytes.size() / 8);
    std::memcpy(words.begin(), bytes.data(), bytes.size());
    capnp::FlatArrayMessageReader reader(words, proto::strict_reader_options());
    return f(reader.getRoot<schema::PairMessage>());
  } catch (const kj::Exception& e) {
    return Error{Code::kCorrupt,
                 std::string("malformed pairing message: ") + e.getDescription().cStr()};
  }
}

Error refused_error(schema::PairMessage::Reader m) {
  return Error{Code::kForbidden, std::string(m.getRefused().cStr())};
}

crypto::SymmetricKey welcome_key(const crypto::cpace::Isk& isk, ByteView sid) {
  auto h = crypto::hash("tandem/pair/welcome-key/v1", {ByteView(isk.data(), isk.size()), sid});
  crypto::SymmetricKey k;
  std::memcpy(k.data(), h.data(), 32);
  crypto::wipe(h.data(), h.size());
  return k;
}

}  // namespace

Result<Welcome> decode_welcome_body(ByteView plain) {
  if (plain.empty() || plain.size() % 8) return Error{Code::kCorrupt, "malformed welcome"};
  try {
    auto words = kj::heapArray<capnp::word>(plain.size() / 8);
    std::memcpy(words.begin(), plain.data(), plain.size());
    capnp::FlatArrayMessageReader reader(words, proto::strict_reader_options());
    auto b = reader.getRoot<schema::PairWelcomeBody>();
    if (b.getSpaceId().size() != 16 || b.getSpaceKey().size() != 32 ||
        b.getRosterRecord().size() == 0 || (b.getMember() != 1 && b.getMember() != 2)) {
      crypto::wipe(words.begin(), plain.size());
      return Error{Code::kCorrupt, "malformed welcome"};
    }
    Welcome w;
    std::memcpy(w.space_id.data(), b.getSpaceId().begin(), 16);
    std::memcpy(w.space_key.data(), b.getSpaceKey().begin(), 32);
    w.roster.assign(b.getRoster().begin(), b.getRoster().end());
    w.roster_record.assign(b.getRosterRecord().begin(), b.getRosterRecord().end());
    w.member = b.getMember();
    w.peer_port = b.getPeerPort();
    crypto::wipe(words.begin(), plain.size());
    return w;
  } catch (const kj::Exception&) {
    return Error{Code::kCorrupt, "malformed welcome"};
  }
}

Bytes refused_message(std::string_view reason) {
  capnp::MallocMessageBuilder msg;
  msg.initRoot<schema::PairMessage>().setRefused(kj::StringPtr(std::string(reason).c_str()));
  return to_bytes(msg);
}

Result<Joiner> Joiner::start(const Binding& binding, const JoinerInfo& info,
                             const crypto::cpace::Scalar* fixed_scalar) {
  if (info.device_name.size() > 64 || info.member_name.size() > 64) {
    return Error{Code::kInvalidArgument, "names must be at most 64 bytes"};
  }
  Joiner j;
  j.sid_.assign(binding.handshake_hash.begin(), binding.handshake_hash.end());
  const Bytes ci = ci_of(binding);
  const Bytes ad = joiner_ad(info);
  auto party = crypto::cpace::Party::start(
      Role::kInitiator, {binding.prs, ci, j.sid_, ad, crypto::cpace::Mode::kInitiatorResponder},
      fixed_scalar);
  if (!party) return party.error();
  capnp::MallocMessageBuilder msg;
  auto hello = msg.initRoot<schema::PairMessage>().initHello();
  hello.setVersion(1);
  hello.setCpace(view(party->message()));
  hello.setDeviceId(view(info.device_id));
  hello.setDeviceName(info.device_name);
  hello.setMemberName(info.member_name);
  hello.setSignKey(view(info.sign_key));
  hello.setDhKey(view(info.dh_key));
  j.hello_ = to_bytes(msg);
  j.party_.emplace(std::move(*party));
  return j;
}

Result<Bytes> Joiner::on_reply(ByteView message) {
  if (!party_ || session_) return Error{Code::kForbidden, "pairing: reply out of order"};
  return with_message(message, [&](schema::PairMessage::Reader m) -> Result<Bytes> {
    if (m.isRefused()) return refused_error(m);
    if (!m.isReply()) return Error{Code::kCorrupt, "pairing: expected a reply"};
    auto r = m.getReply();
    auto session = party_->finish(ByteView(r.getCpace().begin(), r.getCpace().size()));
    if (!session) return session.error();
    // The inviter's tag, over its own label: proves it knew the code.
    auto expected = crypto::cpace::confirmation_tag(session->isk(), sid_, kInviterLabel, {});
    if (!crypto::equal_ct(expected, ByteView(r.getConfirm().begin(), r.getConfirm().size()))) {
      return Error{Code::kAuth, "wrong code: the inviter's device did not confirm it"};
    }
    auto mine = crypto::cpace::confirmation_tag(session->isk(), sid_, kJoinerLabel, {});
    session_.emplace(std::move(*session));
    capnp::MallocMessageBuilder out;
    out.initRoot<schema::PairMessage>().initConfirm().setConfirm(view(mine));
    return to_bytes(out);
  });
}

Result<Welcome> Joiner::on_welcome(ByteView message) {
  if (!session_) return Error{Code::kForbidden, "pairing: welcome before confirmation"};
  return with_message(message, [&](schema::PairMessage::Reader m) -> Result<Welcome> {
    if (m.isRefused()) return refused_error(m);
    if (!m.isWelcome()) return Error{Code::kCorrupt, "pairing: expected a welcome"};
    auto key = welcome_key(session_->isk(), sid_);
    auto sealed = m.getWelcome();
    auto plain = crypto::open(key, ByteView(sealed.begin(), sealed.size()),
                              as_bytes("tandem/pair/welcome/v1"));
    if (!plain) return plain.error();
    auto w = decode_welcome_body(*plain);
    crypto::wipe(plain->data(), plain->size());
    return w;
  });
}

Result<Inviter> Inviter::on_hello(const Binding& binding, ByteView message,
                                  const crypto::cpace::Scalar* fixed_scalar) {
  Inviter inv;
  inv.sid_.assign(binding.handshake_hash.begin(), binding.handshake_hash.end());
  return with_message(message, [&](schema::PairMessage::Reader m) -> Result<Inviter> {
    if (m.isRefused()) return refused_error(m);
    if (!m.isHello()) return Error{Code::kCorrupt, "pairing: expected a hello"};
    auto h = m.getHello();
    if (h.getVersion() != 1) return Error{Code::kCorrupt, "pairing: unsupported version"};
    if (h.getDeviceId().size() != 8 || h.getSignKey().size() != 32 || h.getDhKey().size() != 32 ||
        h.getDeviceName().size() > 64 || h.getMemberName().size() > 64) {
      return Error{Code::kCorrupt, "pairing: malformed hello"};
    }
    std::memcpy(inv.joiner_.device_id.data(), h.getDeviceId().begin(), 8);
    std::memcpy(inv.joiner_.sign_key.data(), h.getSignKey().begin(), 32);
    std::memcpy(inv.joiner_.dh_key.data(), h.getDhKey().begin(), 32);
    inv.joiner_.device_name = h.getDeviceName();
    inv.joiner_.member_name = h.getMemberName();
    const Bytes ci = ci_of(binding);
    auto party = crypto::cpace::Party::start(
        Role::kResponder,
        {binding.prs, ci, inv.sid_, as_bytes(kInviterAd), crypto::cpace::Mode::kInitiatorResponder},
        fixed_scalar);
    if (!party) return party.error();
    auto session = party->finish(ByteView(h.getCpace().begin(), h.getCpace().size()));
    if (!session) return session.error();
    if (session->peer_ad() != joiner_ad(inv.joiner_)) {
      return Error{Code::kAuth, "pairing: the hello does not match its CPace message"};
    }
    auto tag = crypto::cpace::confirmation_tag(session->isk(), inv.sid_, kInviterLabel, {});
    capnp::MallocMessageBuilder out;
    auto reply = out.initRoot<schema::PairMessage>().initReply();
    reply.setCpace(view(party->message()));
    reply.setConfirm(view(tag));
    inv.reply_ = to_bytes(out);
    inv.session_.emplace(std::move(*session));
    return std::move(inv);
  });
}

Status Inviter::on_confirm(ByteView message) {
  if (!session_ || confirmed_) return Error{Code::kForbidden, "pairing: confirm out of order"};
  auto r = with_message(message, [&](schema::PairMessage::Reader m) -> Result<bool> {
    if (m.isRefused()) return refused_error(m);
    if (!m.isConfirm()) return Error{Code::kCorrupt, "pairing: expected a confirmation"};
    auto expected = crypto::cpace::confirmation_tag(session_->isk(), sid_, kJoinerLabel, {});
    auto got = m.getConfirm().getConfirm();
    if (!crypto::equal_ct(expected, ByteView(got.begin(), got.size()))) {
      return Error{Code::kAuth, "wrong code: the joining device did not confirm it"};
    }
    return true;
  });
  if (!r) return r.error();
  confirmed_ = true;
  return {};
}

Result<Bytes> Inviter::welcome(const Welcome& w) const {
  if (!confirmed_) return Error{Code::kForbidden, "pairing: welcome before confirmation"};
  capnp::MallocMessageBuilder body;
  auto b = body.initRoot<schema::PairWelcomeBody>();
  b.setSpaceId(view(w.space_id));
  b.setSpaceKey(kj::arrayPtr(w.space_key.data(), w.space_key.size()));
  b.setRoster(view(w.roster));
  b.setRosterRecord(view(w.roster_record));
  b.setMember(w.member);
  b.setPeerPort(w.peer_port);
  Bytes plain = to_bytes(body);
  auto key = welcome_key(session_->isk(), sid_);
  Bytes sealed = crypto::seal(key, plain, as_bytes("tandem/pair/welcome/v1"));
  crypto::wipe(plain.data(), plain.size());
  capnp::MallocMessageBuilder out;
  out.initRoot<schema::PairMessage>().setWelcome(view(sealed));
  return to_bytes(out);
}

}  // namespace tandem::pairing
