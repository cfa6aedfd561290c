#include "daemon/crypto/noise_cipher.hpp"

#include <sodium.h>

#include <cstring>
#include <limits>

namespace tandem::crypto::noise {

namespace {

constexpr std::uint64_t kReservedNonce = std::numeric_limits<std::uint64_t>::max();

void encode_nonce(std::uint64_t n, std::uint8_t out[crypto_aead_chacha20poly1305_ietf_NPUBBYTES]) {
  std::memset(out, 0, 4);
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<std::uint8_t>(n >> (8 * i));
}

}  // namespace

void CipherState::initialize_key(std::span<const std::uint8_t, 32> key) {
  if (!key_) key_.emplace();
  std::memcpy(key_->data(), key.data(), 32);
  n_ = 0;
}

Result<std::size_t> CipherState::encrypt_with_ad(ByteView ad, ByteView plaintext,
                                                 std::span<std::uint8_t> out) {
  const std::size_t need = plaintext.size() + (key_ ? kTagSize : 0);
  if (need > kMaxMessage) return Error{Code::kTooLarge, "noise: message over 65535 bytes"};
  if (out.size() < need) return Error{Code::kInvalidArgument, "noise: output buffer too small"};
  if (!key_) {
    if (out.data() != plaintext.data() && !plaintext.empty())
      std::memmove(out.data(), plaintext.data(), plaintext.size());
    return plaintext.size();
  }
  if (n_ == kReservedNonce) return Error{Code::kForbidden, "noise: nonces exhausted"};
  std::uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  encode_nonce(n_, nonce);
  unsigned long long written = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &written, plaintext.data(),
                                            plaintext.size(), ad.data(), ad.size(), nullptr, nonce,
                                            key_->data());
  ++n_;
  return static_cast<std::size_t>(written);
}

Result<std::size_t> CipherState::decrypt_with_ad(ByteView ad, ByteView ciphertext,
                                                 std::span<std::uint8_t> out) {
  if (ciphertext.size() > kMaxMessage)
    return Error{Code::kTooLarge, "noise: message over 65535 bytes"};
  if (!key_) {
    if (out.size() < ciphertext.size())
      return Error{Code::kInvalidArgument, "noise: output buffer too small"};
    if (out.data() != ciphertext.data() && !ciphertext.empty())
      std::memmove(out.data(), ciphertext.data(), ciphertext.size());
    return ciphertext.size();
  }
  if (ciphertext.size() < kTagSize)
    return Error{Code::kCorrupt, "noise: ciphertext shorter than a tag"};
  if (out.size() < ciphertext.size() - kTagSize)
    return Error{Code::kInvalidArgument, "noise: output buffer too small"};
  if (n_ == kReservedNonce) return Error{Code::kForbidden, "noise: nonces exhausted"};
  std::uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  encode_nonce(n_, nonce);
  unsigned long long written = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &written, nullptr, ciphertext.data(),
                                                ciphertext.size(), ad.data(), ad.size(), nonce,
                                                key_->data()) != 0) {
    return Error{Code::kAuth, "noise: message failed authentication"};
  }
  ++n_;
  return static_cast<std::size_t>(written);
}

Result<Bytes> CipherState::encrypt_with_ad(ByteView ad, ByteView plaintext) {
  Bytes out(plaintext.size() + (key_ ? kTagSize : 0));
  auto n = encrypt_with_ad(ad, plaintext, out);
  if (!n) return n.error();
  return out;
}

Result<Bytes> CipherState::decrypt_with_ad(ByteView ad, ByteView ciphertext) {
  Bytes out(ciphertext.size());
  auto n = decrypt_with_ad(ad, ciphertext, out);
  if (!n) return n.error();
  out.resize(*n);
  return out;
}

void CipherState::rekey() {
  if (!key_) return;
  std::uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
  encode_nonce(kReservedNonce, nonce);
  const std::uint8_t zeros[32] = {};
  std::uint8_t out[32 + kTagSize];
  crypto_aead_chacha20poly1305_ietf_encrypt(out, nullptr, zeros, sizeof zeros, nullptr, 0, nullptr,
                                            nonce, key_->data());
  std::memcpy(key_->data(), out, 32);
  wipe(out, sizeof out);
}

}  // namespace tandem::crypto::noise
