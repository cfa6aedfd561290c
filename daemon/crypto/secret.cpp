#include "daemon/crypto/secret.hpp"

#include "daemon/crypto/secret_pool.hpp"

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

static_assert(detail::kSecretSlot >= 64, "every Secret<N> must fit one pool slot");

template <std::size_t N>
Secret<N>::Secret() {
  static_assert(N <= detail::kSecretSlot);
  ensure_init();
  p_ = detail::secret_slot_take();  // already zeroed
}

template <std::size_t N>
Secret<N>::~Secret() {
  detail::secret_slot_give(p_);
}

template <std::size_t N>
Secret<N>& Secret<N>::operator=(Secret&& o) noexcept {
  if (this != &o) {
    detail::secret_slot_give(p_);
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
