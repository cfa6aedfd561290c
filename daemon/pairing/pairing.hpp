// Pairing as pure state machines (bytes in, bytes out): a new device joins the couple's space with
// a short code read aloud. It runs inside a plain Noise_XX session (wire::kPairingProtocol); the
// joiner is the Noise initiator.
//
//   joiner  -> inviter  hello    {CPace Ya, device id, names, Ed25519 key}
//   inviter -> joiner   reply    {CPace Yb, inviter's confirmation tag}
//   joiner  -> inviter  confirm  {joiner's confirmation tag}
//   inviter -> joiner   welcome  seal(K, {space id, space key, roster, member})
//
// CPace inputs: PRS = the code's canonical bytes; sid = the Noise handshake hash (so a relay
// running two Noise sessions gets two sids and confirmation fails on both); CI = lv(joiner's
// static key) || lv(inviter's static key), initiator first. K derives from the ISK. The space key
// and roster move only after both confirmation tags checked. A wrong code fails both sides'
// confirmation: the joiner sees the inviter's tag fail and says so with `refused`; the inviter
// treats a refusal or a bad tag as the code's one guess.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/cpace.hpp"
#include "daemon/crypto/primitives.hpp"

#include <array>
#include <optional>
#include <string>

namespace tandem::pairing {

// What the joiner says about itself in its hello.
struct JoinerInfo {
  std::array<std::uint8_t, 8> device_id{};
  std::string device_name;
  std::string member_name;  // empty when joining as another device of the inviter's member
  crypto::PublicKey sign_key{};
  crypto::PublicKey dh_key{};  // long-term X25519 key, for the roster (not the session's key)
};

// What the welcome carries.
struct Welcome {
  std::array<std::uint8_t, 16> space_id{};
  crypto::SymmetricKey space_key;
  Bytes roster;  // store.capnp Roster bytes
  // The inviter's roster record that admitted the joiner, as sync carries it (wire.capnp
  // PeerMessage batch of one record). Opaque here: the app verifies it like sync does.
  Bytes roster_record;
  std::uint8_t member = 0;
  std::uint16_t peer_port = 0;  // the inviter's peer listener, on the host the joiner reached
};

// The channel facts both sides must agree on. All borrowed for the call that takes them.
struct Binding {
  ByteView prs;                       // pairing code bytes (secret)
  ByteView handshake_hash;            // Noise h after the handshake
  crypto::PublicKey joiner_static{};  // the Noise session's static keys (throwaway ones)
  crypto::PublicKey inviter_static{};
};

// Joiner side. Single use.
class Joiner {
 public:
  // Starts CPace and returns the hello to send. kInvalidArgument on over-long names.
  // `fixed_scalar`: tests and fuzz targets only (a deterministic CPace share); borrowed for the
  // call. Production passes nothing and a fresh random scalar is used.
  static Result<Joiner> start(const Binding& binding, const JoinerInfo& info,
                              const crypto::cpace::Scalar* fixed_scalar = nullptr);
  const Bytes& hello() const { return hello_; }
  // Consumes the inviter's reply. On success returns the confirm message to send. kAuth when the
  // inviter's tag does not check: a wrong code (then send refused_message("wrong code")).
  // A `refused` message from the inviter comes back as kForbidden with its reason.
  Result<Bytes> on_reply(ByteView message);
  // Consumes the welcome; kAuth when it does not open under the confirmed key.
  Result<Welcome> on_welcome(ByteView message);

 private:
  Joiner() = default;
  std::optional<crypto::cpace::Party> party_;
  std::optional<crypto::cpace::Session> session_;
  Bytes sid_;
  Bytes hello_;
};

// Inviter side. Single use.
class Inviter {
 public:
  // Consumes the hello: runs CPace and returns the reply to send, with the joiner's claims.
  // `fixed_scalar` as for Joiner::start (tests and fuzz targets only).
  static Result<Inviter> on_hello(const Binding& binding, ByteView message,
                                  const crypto::cpace::Scalar* fixed_scalar = nullptr);
  const Bytes& reply() const { return reply_; }
  const JoinerInfo& joiner() const { return joiner_; }
  // Checks the joiner's confirm. kAuth on a bad tag (wrong code); kForbidden with the joiner's
  // reason when it sent `refused` instead.
  Status on_confirm(ByteView message);
  // Seals the welcome. Only after on_confirm succeeded (kForbidden otherwise).
  Result<Bytes> welcome(const Welcome& w) const;

 private:
  Inviter() = default;
  std::optional<crypto::cpace::Session> session_;
  Bytes sid_;
  Bytes reply_;
  JoinerInfo joiner_;
  bool confirmed_ = false;
};

// Parses the plaintext of a welcome (schema PairWelcomeBody), as Joiner::on_welcome does once the
// seal opened: kCorrupt on anything malformed, a space id or key of the wrong size, a missing
// roster record, or a member other than 1 or 2. Exposed so that fuzz targets reach this parser past
// the seal.
Result<Welcome> decode_welcome_body(ByteView plain);

// A `refused` message with a reason, for either side to send before hanging up.
Bytes refused_message(std::string_view reason);

// The largest pairing message accepted.
inline constexpr std::size_t kMaxPairMessage = 16 * 1024;

}  // namespace tandem::pairing
