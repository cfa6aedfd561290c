#include "daemon/crypto/cpace.hpp"

#include "daemon/crypto/cpace_encoding.hpp"

#include <sodium.h>

#include <cstring>
#include <utility>

namespace tandem::crypto::cpace {

namespace {

constexpr std::string_view kMacPrefix = "CPaceMac";
constexpr std::string_view kLabelInitiator = "tandem/cpace/confirm/initiator";
constexpr std::string_view kLabelResponder = "tandem/cpace/confirm/responder";
constexpr std::string_view kLabelSymmetric = "tandem/cpace/confirm/symmetric";

}  // namespace

Isk derive_isk(ByteView sid, const SharedPoint& k, ByteView transcript) {
  Bytes prefix = lv_cat({as_bytes(kDsiIsk), sid, k.view()});
  auto digest = sha512({prefix, transcript});
  Isk isk;
  std::memcpy(isk.data(), digest.data(), digest.size());
  wipe(prefix.data(), prefix.size());
  wipe(digest.data(), digest.size());
  return isk;
}

std::array<std::uint8_t, 64> derive_sid_output(ByteView transcript) {
  return sha512({as_bytes(kSidOutputPrefix), transcript});
}

Tag confirmation_tag(const Isk& isk, ByteView sid, std::string_view label, ByteView data) {
  auto mac_key = sha512({as_bytes(kMacPrefix), sid, isk.view()});
  const Bytes input = lv_cat({as_bytes(label), data});
  crypto_auth_hmacsha512_state st;
  crypto_auth_hmacsha512_init(&st, mac_key.data(), mac_key.size());
  crypto_auth_hmacsha512_update(&st, input.data(), input.size());
  Tag tag;
  crypto_auth_hmacsha512_final(&st, tag.data());
  wipe(&st, sizeof st);
  wipe(mac_key.data(), mac_key.size());
  return tag;
}

Session::Session(Role role, Mode mode, Isk isk, Bytes sid, Bytes transcript, Bytes own_message,
                 Bytes peer_message, ByteView peer_ad)
    : role_(role),
      mode_(mode),
      isk_(std::move(isk)),
      sid_(std::move(sid)),
      transcript_(std::move(transcript)),
      own_message_(std::move(own_message)),
      peer_message_(std::move(peer_message)),
      peer_ad_(peer_ad.begin(), peer_ad.end()) {}

Tag Session::tag_for(bool mine) const {
  if (mode_ == Mode::kSymmetric) {
    // No roles: each side tags the message it sent; the reflection check in finish() keeps the
    // two messages distinct.
    return confirmation_tag(isk_, sid_, kLabelSymmetric, mine ? own_message_ : peer_message_);
  }
  const bool initiator = (role_ == Role::kInitiator) == mine;
  return confirmation_tag(isk_, sid_, initiator ? kLabelInitiator : kLabelResponder, transcript_);
}

Tag Session::own_tag() const {
  return tag_for(true);
}

Status Session::check_peer_tag(ByteView tag) const {
  const Tag expected = tag_for(false);
  if (!equal_ct(expected, tag)) return Error{Code::kAuth, "cpace: key confirmation failed"};
  return {};
}

Party::Party(Role role, Mode mode, Scalar y, Point share, Bytes sid, Bytes ad)
    : role_(role),
      mode_(mode),
      y_(std::move(y)),
      share_(share),
      sid_(std::move(sid)),
      ad_(std::move(ad)),
      message_(lv_cat({share_, ad_})) {}

Result<Party> Party::start(Role role, const Inputs& in, const Scalar* fixed_scalar) {
  const Generator g = calculate_generator(in.prs, in.ci, in.sid);
  Scalar y = fixed_scalar ? fixed_scalar->clone() : sample_scalar();
  auto share = scalar_mult(y, g);
  if (!share) return share.error();
  return Party(role, in.mode, std::move(y), *share, Bytes(in.sid.begin(), in.sid.end()),
               Bytes(in.ad.begin(), in.ad.end()));
}

Result<Session> Party::finish(ByteView peer_message) {
  if (used_) return Error{Code::kForbidden, "cpace: party already finished"};
  used_ = true;
  ByteView rest = peer_message;
  const auto peer_share = read_lv(rest);
  const auto peer_ad = peer_share ? read_lv(rest) : std::nullopt;
  if (!peer_share || !peer_ad || !rest.empty() || peer_share->size() != kPointSize)
    return Error{Code::kCorrupt, "cpace: malformed message"};
  if (equal_ct(*peer_share, share_)) return Error{Code::kAuth, "cpace: own share reflected back"};
  auto k = scalar_mult_vfy(y_, *peer_share);
  if (!k) return k.error();

  const bool initiator = role_ == Role::kInitiator;
  const ByteView ya = initiator ? ByteView(share_) : *peer_share;
  const ByteView ada = initiator ? ByteView(ad_) : *peer_ad;
  const ByteView yb = initiator ? *peer_share : ByteView(share_);
  const ByteView adb = initiator ? *peer_ad : ByteView(ad_);
  Bytes transcript =
      mode_ == Mode::kSymmetric ? transcript_oc(ya, ada, yb, adb) : transcript_ir(ya, ada, yb, adb);
  Isk isk = derive_isk(sid_, *k, transcript);
  return Session(role_, mode_, std::move(isk), sid_, std::move(transcript), message_,
                 Bytes(peer_message.begin(), peer_message.end()), *peer_ad);
}

}  // namespace tandem::crypto::cpace
