#include "daemon/crypto/hmac.hpp"

#include "daemon/crypto/secret.hpp"

#include <sodium.h>

#include <cassert>
#include <cstring>

namespace tandem::crypto {

namespace {

// Hashes pad-xored key block || parts into out (BLAKE2b-512, unkeyed).
void hash_block_and(const std::uint8_t* block, std::initializer_list<ByteView> parts,
                    std::uint8_t* out) {
  crypto_generichash_blake2b_state st;
  crypto_generichash_blake2b_init(&st, nullptr, 0, kBlake2bLen);
  crypto_generichash_blake2b_update(&st, block, kBlake2bBlock);
  for (ByteView p : parts) crypto_generichash_blake2b_update(&st, p.data(), p.size());
  crypto_generichash_blake2b_final(&st, out, kBlake2bLen);
  wipe(&st, sizeof st);
}

}  // namespace

void hmac_blake2b(ByteView key, std::initializer_list<ByteView> parts,
                  std::span<std::uint8_t, kBlake2bLen> out) {
  ensure_init();
  std::uint8_t k0[kBlake2bBlock] = {};
  if (key.size() > kBlake2bBlock) {
    crypto_generichash_blake2b(k0, kBlake2bLen, key.data(), key.size(), nullptr, 0);
  } else if (!key.empty()) {
    std::memcpy(k0, key.data(), key.size());
  }
  std::uint8_t pad[kBlake2bBlock];
  for (std::size_t i = 0; i < kBlake2bBlock; ++i) pad[i] = k0[i] ^ 0x36;
  std::uint8_t inner[kBlake2bLen];
  hash_block_and(pad, parts, inner);
  for (std::size_t i = 0; i < kBlake2bBlock; ++i) pad[i] = k0[i] ^ 0x5c;
  hash_block_and(pad, {ByteView(inner, kBlake2bLen)}, out.data());
  wipe(k0, sizeof k0);
  wipe(pad, sizeof pad);
  wipe(inner, sizeof inner);
}

void hkdf_blake2b(ByteView chaining_key, ByteView ikm, std::span<std::uint8_t, kBlake2bLen> out1,
                  std::span<std::uint8_t, kBlake2bLen> out2, std::span<std::uint8_t> out3) {
  assert(out3.empty() || out3.size() == kBlake2bLen);
  std::uint8_t temp_key[kBlake2bLen];
  hmac_blake2b(chaining_key, {ikm}, temp_key);
  const std::uint8_t one = 1, two = 2, three = 3;
  hmac_blake2b(temp_key, {ByteView(&one, 1)}, out1);
  hmac_blake2b(temp_key, {ByteView(out1), ByteView(&two, 1)}, out2);
  if (!out3.empty()) {
    hmac_blake2b(temp_key, {ByteView(out2), ByteView(&three, 1)},
                 std::span<std::uint8_t, kBlake2bLen>(out3.data(), kBlake2bLen));
  }
  wipe(temp_key, sizeof temp_key);
}

}  // namespace tandem::crypto
