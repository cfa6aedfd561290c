#include "daemon/crypto/noise_transport.hpp"

#include <utility>

namespace tandem::crypto::noise {

Transport::Transport(CipherState send, CipherState recv, bool can_send, bool can_receive,
                     const HandshakeHash& h, std::optional<PublicKey> remote_static)
    : send_(std::move(send)),
      recv_(std::move(recv)),
      can_send_(can_send),
      can_receive_(can_receive),
      h_(h),
      remote_static_(remote_static) {}

Result<std::size_t> Transport::encrypt(ByteView ad, ByteView plaintext,
                                       std::span<std::uint8_t> out) {
  if (!can_send_) return Error{Code::kForbidden, "noise: one-way pattern, this side may not send"};
  return send_.encrypt_with_ad(ad, plaintext, out);
}

Result<std::size_t> Transport::decrypt(ByteView ad, ByteView ciphertext,
                                       std::span<std::uint8_t> out) {
  if (!can_receive_)
    return Error{Code::kForbidden, "noise: one-way pattern, this side may not receive"};
  return recv_.decrypt_with_ad(ad, ciphertext, out);
}

Result<Bytes> Transport::encrypt(ByteView ad, ByteView plaintext) {
  if (!can_send_) return Error{Code::kForbidden, "noise: one-way pattern, this side may not send"};
  return send_.encrypt_with_ad(ad, plaintext);
}

Result<Bytes> Transport::decrypt(ByteView ad, ByteView ciphertext) {
  if (!can_receive_)
    return Error{Code::kForbidden, "noise: one-way pattern, this side may not receive"};
  return recv_.decrypt_with_ad(ad, ciphertext);
}

}  // namespace tandem::crypto::noise
