// CPace (draft-irtf-cfrg-cpace-21, CPACE-RISTR255-SHA512) as a pure state machine, plus explicit
// key confirmation. One Party per side per attempt: start() gives the message to send,
// finish(peer message) gives the Session with the intermediate session key (ISK).
//
// Messages on the wire are lv_cat(Y, AD): the share and the party's associated data, each
// LEB128-length-prefixed, exactly the halves of the draft's transcript.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/cpace_group.hpp"
#include "daemon/crypto/secret.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace tandem::crypto::cpace {

enum class Role { kInitiator, kResponder };  // A and B of the draft
enum class Mode {
  kInitiatorResponder,  // transcript_ir (tandem's pairing: roles come from the Noise session)
  kSymmetric,           // transcript_oc, for peers without roles
};

inline constexpr std::string_view kSidOutputPrefix = "CPaceSidOutput";

using Isk = Secret<64>;
using Tag = std::array<std::uint8_t, 64>;

// Borrowed for the duration of Party::start() only.
struct Inputs {
  ByteView prs;  // the password-related string (pairing code); secret
  ByteView ci;   // channel identifier: both static keys, initiator first
  ByteView sid;  // session id: the Noise handshake hash
  ByteView ad;   // this party's associated data (sent in the clear)
  Mode mode = Mode::kInitiatorResponder;
};

// ISK = SHA-512(lv_cat(DSI || "_ISK", sid, K) || transcript).
Isk derive_isk(ByteView sid, const SharedPoint& k, ByteView transcript);
// sid_output = SHA-512("CPaceSidOutput" || transcript), a public session id when none was given.
std::array<std::uint8_t, 64> derive_sid_output(ByteView transcript);

// Explicit key confirmation (draft section 10.4, with role labels): mac_key = SHA-512("CPaceMac"
// || sid || ISK) and tag = HMAC-SHA512(mac_key, lv_cat(label, data)). The labels keep a reflected
// tag from passing as the peer's.
Tag confirmation_tag(const Isk& isk, ByteView sid, std::string_view label, ByteView data);

// The result of a completed exchange. Move-only; the ISK lives in secret memory.
class Session {
 public:
  Session(Role role, Mode mode, Isk isk, Bytes sid, Bytes transcript, Bytes own_message,
          Bytes peer_message, ByteView peer_ad);

  // The ISK; equal on both sides iff PRS, CI, sid and both messages matched. Feed it to a KDF.
  const Isk& isk() const { return isk_; }
  // The peer's associated data, as received (unauthenticated until confirmation passes).
  const Bytes& peer_ad() const { return peer_ad_; }
  std::array<std::uint8_t, 64> sid_output() const { return derive_sid_output(transcript_); }

  // This side's confirmation tag, to send after the exchange.
  Tag own_tag() const;
  // The tag the peer must send; compares in constant time. kAuth on a mismatch (a wrong code or
  // a tampered message): the caller must abort and count the attempt as the one guess.
  Status check_peer_tag(ByteView tag) const;

 private:
  Tag tag_for(bool mine) const;

  Role role_;
  Mode mode_;
  Isk isk_;
  Bytes sid_;
  Bytes transcript_;
  Bytes own_message_;
  Bytes peer_message_;
  Bytes peer_ad_;
};

// One side of one CPace run. Move-only; single use.
class Party {
 public:
  // Computes g from PRS/CI/sid and this side's share. `fixed_scalar` is for published vectors
  // and tests only; production samples a fresh scalar. kAuth if the share is the identity.
  static Result<Party> start(Role role, const Inputs& inputs, const Scalar* fixed_scalar = nullptr);

  // The message to send: lv_cat(Y, AD). Valid as long as the Party.
  const Bytes& message() const { return message_; }
  const Point& share() const { return share_; }

  // Consumes the peer's message and derives the Session. kCorrupt when the message does not
  // parse; kAuth when the peer's share is invalid, the identity or this side's own share
  // reflected back (the draft's abort). Single use: a second call fails with kForbidden.
  Result<Session> finish(ByteView peer_message);

 private:
  Party(Role role, Mode mode, Scalar y, Point share, Bytes sid, Bytes ad);

  Role role_;
  Mode mode_;
  Scalar y_;
  Point share_;
  Bytes sid_;
  Bytes ad_;
  Bytes message_;
  bool used_ = false;
};

}  // namespace tandem::crypto::cpace
