#include "daemon/crypto/noise_symmetric.hpp"

#include <sodium.h>

#include <cstring>

namespace tandem::crypto::noise {

namespace {

// Runs HKDF(ck, ikm) and returns the three 64-byte outputs in one wiped-on-exit buffer.
struct HkdfOut {
  std::uint8_t a[kHashLen], b[kHashLen], c[kHashLen];
  ~HkdfOut() { wipe(this, sizeof *this); }
};

}  // namespace

SymmetricState::SymmetricState(std::string_view protocol_name) {
  ensure_init();
  if (protocol_name.size() <= kHashLen) {
    std::memcpy(h_.data(), protocol_name.data(), protocol_name.size());
  } else {
    crypto_generichash_blake2b(h_.data(), kHashLen,
                               reinterpret_cast<const std::uint8_t*>(protocol_name.data()),
                               protocol_name.size(), nullptr, 0);
  }
  std::memcpy(ck_.data(), h_.data(), kHashLen);
}

void SymmetricState::mix_hash(ByteView data) {
  crypto_generichash_blake2b_state st;
  crypto_generichash_blake2b_init(&st, nullptr, 0, kHashLen);
  crypto_generichash_blake2b_update(&st, h_.data(), h_.size());
  crypto_generichash_blake2b_update(&st, data.data(), data.size());
  crypto_generichash_blake2b_final(&st, h_.data(), kHashLen);
}

void SymmetricState::mix_key(ByteView ikm) {
  HkdfOut o;
  hkdf_blake2b(ck_.view(), ikm, o.a, o.b);
  std::memcpy(ck_.data(), o.a, kHashLen);
  cipher_.initialize_key(std::span<const std::uint8_t, 32>(o.b, 32));
}

void SymmetricState::mix_key_and_hash(ByteView ikm) {
  HkdfOut o;
  hkdf_blake2b(ck_.view(), ikm, o.a, o.b, o.c);
  std::memcpy(ck_.data(), o.a, kHashLen);
  mix_hash(ByteView(o.b, kHashLen));
  cipher_.initialize_key(std::span<const std::uint8_t, 32>(o.c, 32));
}

Status SymmetricState::encrypt_and_hash_into(ByteView plaintext, Bytes& out) {
  const std::size_t at = out.size();
  out.resize(at + plaintext.size() + (cipher_.has_key() ? kTagSize : 0));
  auto n = cipher_.encrypt_with_ad(h_, plaintext, std::span(out).subspan(at));
  if (!n) {
    out.resize(at);
    return n.error();
  }
  mix_hash(ByteView(out).subspan(at, *n));
  return {};
}

Result<Bytes> SymmetricState::encrypt_and_hash(ByteView plaintext) {
  Bytes out;
  TANDEM_TRY(encrypt_and_hash_into(plaintext, out));
  return out;
}

Result<Bytes> SymmetricState::decrypt_and_hash(ByteView ciphertext) {
  auto plain = cipher_.decrypt_with_ad(h_, ciphertext);
  if (!plain) return plain.error();
  mix_hash(ciphertext);
  return std::move(plain).value();
}

void SymmetricState::split(CipherState& c1, CipherState& c2) const {
  HkdfOut o;
  hkdf_blake2b(ck_.view(), {}, o.a, o.b);
  c1.initialize_key(std::span<const std::uint8_t, 32>(o.a, 32));
  c2.initialize_key(std::span<const std::uint8_t, 32>(o.b, 32));
}

}  // namespace tandem::crypto::noise
