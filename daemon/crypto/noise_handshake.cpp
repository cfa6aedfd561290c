#include "daemon/crypto/noise_handshake.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace tandem::crypto::noise {

namespace {

constexpr std::size_t kDhLen = 32;

bool has_token(const std::vector<Token>& tokens, Token t) {
  return std::find(tokens.begin(), tokens.end(), t) != tokens.end();
}

Error dead_error() {
  return Error{Code::kForbidden, "noise: handshake already failed"};
}

}  // namespace

HandshakeState::HandshakeState(HandshakePattern pattern, Role role, std::string_view name)
    : pattern_(std::move(pattern)), role_(role), sym_(name) {}

Result<HandshakeState> HandshakeState::create(const HandshakeOptions& o) {
  auto pattern = parse_protocol_name(o.protocol_name);
  if (!pattern) return pattern.error();
  const bool initiator = o.role == Role::kInitiator;
  const auto& my_pre = initiator ? pattern->initiator_pre : pattern->responder_pre;
  const auto& peer_pre = initiator ? pattern->responder_pre : pattern->initiator_pre;
  bool sends_s = has_token(my_pre, Token::kS);
  for (const auto& m : pattern->messages)
    if (m.from_initiator == initiator && has_token(m.tokens, Token::kS)) sends_s = true;
  const bool peer_pre_s = has_token(peer_pre, Token::kS);

  if (sends_s && o.local_static == nullptr)
    return Error{Code::kInvalidArgument, "noise: pattern needs a local static key"};
  if (peer_pre_s && !o.remote_static)
    return Error{Code::kInvalidArgument, "noise: pattern needs the peer's static key in advance"};
  if (!peer_pre_s && o.remote_static)
    return Error{Code::kInvalidArgument, "noise: pattern sends the peer's static key itself"};
  if (o.psks.size() != static_cast<std::size_t>(pattern->psk_count))
    return Error{Code::kInvalidArgument, "noise: wrong number of PSKs for the pattern"};

  HandshakeState hs(std::move(pattern).value(), o.role, o.protocol_name);
  if (sends_s) {
    DhKeyPair kp{o.local_static_public ? *o.local_static_public : dh_public(*o.local_static),
                 o.local_static->clone()};
    hs.s_.emplace(std::move(kp));
  }
  if (o.fixed_ephemeral != nullptr) hs.fixed_e_.emplace(o.fixed_ephemeral->clone());
  hs.rs_ = o.remote_static;
  for (const auto& k : o.psks) hs.psks_.push_back(k.clone());

  hs.sym_.mix_hash(o.prologue);
  // Pre-messages: the initiator's keys first, then the responder's (only "s" in these patterns).
  if (has_token(hs.pattern_.initiator_pre, Token::kS))
    hs.sym_.mix_hash(initiator ? hs.s_->pub : *hs.rs_);
  if (has_token(hs.pattern_.responder_pre, Token::kS))
    hs.sym_.mix_hash(initiator ? *hs.rs_ : hs.s_->pub);
  return hs;
}

bool HandshakeState::is_my_turn() const {
  if (dead_ || is_finished()) return false;
  return pattern_.messages[next_].from_initiator == (role_ == Role::kInitiator);
}

std::optional<PublicKey> HandshakeState::local_ephemeral() const {
  if (!e_) return std::nullopt;
  return e_->pub;
}

Error HandshakeState::fail(Error e) {
  dead_ = true;
  return e;
}

std::size_t HandshakeState::message_size(const MessagePattern& m, std::size_t payload) const {
  bool keyed = sym_.has_key();
  std::size_t n = 0;
  for (Token t : m.tokens) {
    switch (t) {
      case Token::kE:
        n += kDhLen;
        if (pattern_.psk_count > 0) keyed = true;
        break;
      case Token::kS:
        n += kDhLen + (keyed ? kTagSize : 0);
        break;
      default:
        keyed = true;
        break;
    }
  }
  return n + payload + (keyed ? kTagSize : 0);
}

Status HandshakeState::apply_dh(Token t) {
  const bool initiator = role_ == Role::kInitiator;
  const DhKeyPair* local = nullptr;
  const std::optional<PublicKey>* remote = nullptr;
  switch (t) {
    case Token::kEE:
      local = e_ ? &*e_ : nullptr;
      remote = &re_;
      break;
    case Token::kES:  // initiator's e with responder's s
      local = initiator ? (e_ ? &*e_ : nullptr) : (s_ ? &*s_ : nullptr);
      remote = initiator ? &rs_ : &re_;
      break;
    case Token::kSE:  // initiator's s with responder's e
      local = initiator ? (s_ ? &*s_ : nullptr) : (e_ ? &*e_ : nullptr);
      remote = initiator ? &re_ : &rs_;
      break;
    case Token::kSS:
      local = s_ ? &*s_ : nullptr;
      remote = &rs_;
      break;
    default:
      return Error{Code::kInternal, "noise: not a DH token"};
  }
  if (local == nullptr || !remote->has_value())
    return Error{Code::kInternal, "noise: DH key missing (invalid pattern)"};
  std::uint8_t shared[kDhLen];
  // libsodium refuses an all-zero result (a low-order peer key): treat it as an auth failure.
  if (crypto_scalarmult(shared, local->secret.data(), (*remote)->data()) != 0) {
    wipe(shared, sizeof shared);
    return Error{Code::kAuth, "noise: DH with a low-order key"};
  }
  sym_.mix_key(ByteView(shared, kDhLen));
  wipe(shared, sizeof shared);
  return {};
}

Result<Bytes> HandshakeState::write_message(ByteView payload) {
  if (dead_) return dead_error();
  if (!is_my_turn()) return Error{Code::kInvalidArgument, "noise: not this side's turn to write"};
  const MessagePattern& m = pattern_.messages[next_];
  const std::size_t size = message_size(m, payload.size());
  if (size > kMaxMessage)
    return Error{Code::kTooLarge, "noise: handshake message over 65535 bytes"};

  Bytes out;
  out.reserve(size);
  for (Token t : m.tokens) {
    switch (t) {
      case Token::kE: {
        if (fixed_e_) {
          e_.emplace(DhKeyPair{dh_public(*fixed_e_), fixed_e_->clone()});
        } else {
          e_.emplace(dh_keypair());
        }
        out.insert(out.end(), e_->pub.begin(), e_->pub.end());
        sym_.mix_hash(e_->pub);
        if (pattern_.psk_count > 0) sym_.mix_key(e_->pub);
        break;
      }
      case Token::kS:
        if (auto st = sym_.encrypt_and_hash_into(s_->pub, out); !st) return fail(st.error());
        break;
      case Token::kPsk:
        sym_.mix_key_and_hash(psks_[next_psk_++].view());
        break;
      default:
        if (auto st = apply_dh(t); !st) return fail(st.error());
        break;
    }
  }
  if (auto st = sym_.encrypt_and_hash_into(payload, out); !st) return fail(st.error());
  ++next_;
  return out;
}

Result<Bytes> HandshakeState::read_message(ByteView message) {
  if (dead_) return dead_error();
  if (is_finished() || is_my_turn())
    return Error{Code::kInvalidArgument, "noise: not this side's turn to read"};
  if (message.size() > kMaxMessage)
    return fail({Code::kTooLarge, "noise: handshake message over 65535 bytes"});
  const MessagePattern& m = pattern_.messages[next_];
  for (Token t : m.tokens) {
    switch (t) {
      case Token::kE: {
        if (message.size() < kDhLen) return fail({Code::kCorrupt, "noise: truncated message"});
        PublicKey re;
        std::memcpy(re.data(), message.data(), kDhLen);
        message = message.subspan(kDhLen);
        re_ = re;
        sym_.mix_hash(re);
        if (pattern_.psk_count > 0) sym_.mix_key(re);
        break;
      }
      case Token::kS: {
        const std::size_t len = kDhLen + (sym_.has_key() ? kTagSize : 0);
        if (message.size() < len) return fail({Code::kCorrupt, "noise: truncated message"});
        auto plain = sym_.decrypt_and_hash(message.first(len));
        if (!plain) return fail(plain.error());
        PublicKey rs;
        std::memcpy(rs.data(), plain->data(), kDhLen);
        rs_ = rs;
        message = message.subspan(len);
        break;
      }
      case Token::kPsk:
        sym_.mix_key_and_hash(psks_[next_psk_++].view());
        break;
      default:
        if (auto st = apply_dh(t); !st) return fail(st.error());
        break;
    }
  }
  if (sym_.has_key() && message.size() < kTagSize)
    return fail({Code::kCorrupt, "noise: truncated message"});
  auto payload = sym_.decrypt_and_hash(message);
  if (!payload) return fail(payload.error());
  ++next_;
  return payload;
}

Result<Transport> HandshakeState::split() {
  if (dead_) return dead_error();
  if (!is_finished()) return Error{Code::kInvalidArgument, "noise: handshake not finished"};
  if (split_) return Error{Code::kForbidden, "noise: handshake already split"};
  split_ = true;
  CipherState c1, c2;
  sym_.split(c1, c2);
  const bool initiator = role_ == Role::kInitiator;
  const bool two_way = !pattern_.one_way;
  if (initiator)
    return Transport(std::move(c1), std::move(c2), true, two_way, sym_.handshake_hash(), rs_);
  return Transport(std::move(c2), std::move(c1), two_way, true, sym_.handshake_hash(), rs_);
}

}  // namespace tandem::crypto::noise
