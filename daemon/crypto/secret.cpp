#include "daemon/crypto/secret.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tandem::crypto {

void ensure_init() {
  static const int rc = sodium_init();
  if (rc < 0) {
    std::fputs("tandem: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

template <std::size_t N>
Secret<N>::Secret() {
  ensure_init();
  p_ = static_cast<std::uint8_t*>(sodium_malloc(N));
  if (p_ == nullptr) std::abort();
  std::memset(p_, 0, N);
}

template <std::size_t N>
Secret<N>::~Secret() {
  if (p_) sodium_free(p_);
}

template <std::size_t N>
Secret<N>& Secret<N>::operator=(Secret&& o) noexcept {
  if (this != &o) {
    if (p_) sodium_free(p_);
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}

template <std::size_t N>
Secret<N> Secret<N>::clone() const {
  Secret<N> s;
  std::memcpy(s.p_, p_, N);
  return s;
}

template class Secret<32>;
template class Secret<64>;

bool equal_ct(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(void* p, std::size_t n) {
  sodium_memzero(p, n);
}

}  // namespace tandem::crypto
