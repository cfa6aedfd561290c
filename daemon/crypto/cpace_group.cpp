#include "daemon/crypto/cpace_group.hpp"

#include "daemon/crypto/cpace_encoding.hpp"

#include <sodium.h>

#include <cstring>

namespace tandem::crypto::cpace {

std::array<std::uint8_t, 64> sha512(std::initializer_list<ByteView> parts) {
  ensure_init();
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  for (ByteView p : parts) crypto_hash_sha512_update(&st, p.data(), p.size());
  std::array<std::uint8_t, 64> out;
  crypto_hash_sha512_final(&st, out.data());
  wipe(&st, sizeof st);
  return out;
}

Secret<64> generator_hash(ByteView prs, ByteView ci, ByteView sid) {
  Bytes gen = generator_string(as_bytes(kDsi), prs, ci, sid, kHashBlock);
  auto digest = sha512({gen});
  Secret<64> out;
  std::memcpy(out.data(), digest.data(), 64);
  wipe(gen.data(), gen.size());
  wipe(digest.data(), digest.size());
  return out;
}

Generator calculate_generator(ByteView prs, ByteView ci, ByteView sid) {
  const Secret<64> h = generator_hash(prs, ci, sid);
  Generator g;
  crypto_core_ristretto255_from_hash(g.data(), h.data());
  return g;
}

Scalar sample_scalar() {
  ensure_init();
  Scalar y;
  crypto_core_ristretto255_scalar_random(y.data());
  return y;
}

Result<Point> scalar_mult(const Scalar& y, const Generator& g) {
  Point out;
  if (crypto_scalarmult_ristretto255(out.data(), y.data(), g.data()) != 0)
    return Error{Code::kAuth, "cpace: share is the identity"};
  return out;
}

Result<SharedPoint> scalar_mult_vfy(const Scalar& y, ByteView x) {
  if (x.size() != kPointSize) return Error{Code::kInvalidArgument, "cpace: point is not 32 bytes"};
  SharedPoint k;
  // -1 covers both a non-canonical or invalid encoding and an identity result (the identity
  // encoding passes crypto_core_ristretto255_is_valid_point, so that check alone is not enough).
  if (crypto_scalarmult_ristretto255(k.data(), y.data(), x.data()) != 0)
    return Error{Code::kAuth, "cpace: invalid or identity point from the peer"};
  return k;
}

}  // namespace tandem::crypto::cpace
