// Secret memory: fixed-size buffers in locked memory between guard pages, wiped the moment they
// are dropped (slots of a few sodium_malloc regions: see secret_pool.hpp for why pooling is
// sound). The only way tandem holds a secret key or a session key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tandem::crypto {

// Calls sodium_init once; every entry point of this module calls it, so callers need not.
// Aborts if libsodium cannot initialise (no usable randomness).
void ensure_init();

// Owns N secret bytes. Move-only; the bytes are wiped when it dies. Never printed.
template <std::size_t N>
class Secret {
 public:
  Secret();  // zero-filled
  ~Secret();
  Secret(Secret&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Secret& operator=(Secret&& o) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  std::uint8_t* data() { return p_; }
  const std::uint8_t* data() const { return p_; }
  static constexpr std::size_t size() { return N; }
  std::span<const std::uint8_t, N> view() const { return std::span<const std::uint8_t, N>(p_, N); }
  // A copy in fresh secret memory.
  Secret clone() const;

 private:
  std::uint8_t* p_;
};

// Public values of fixed size: plain arrays, fine to copy and print.
using PublicKey = std::array<std::uint8_t, 32>;
using Hash32 = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

using SignSecretKey = Secret<64>;  // Ed25519 (seed || public key, libsodium's layout)
using DhSecretKey = Secret<32>;    // X25519
using SymmetricKey = Secret<32>;   // XChaCha20-Poly1305, ChaCha20-Poly1305, PSKs

// Constant-time comparison of two equal-length byte ranges (false when lengths differ).
bool equal_ct(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// Wipes a buffer in a way the compiler cannot elide.
void wipe(void* p, std::size_t n);

}  // namespace tandem::crypto
