#include "daemon/discovery/random.hpp"

#include "daemon/crypto/primitives.hpp"

#include <array>
#include <cstdlib>

namespace tandem::discovery {

RandomFill system_random() {
  return [](std::span<std::uint8_t> out) { crypto::random_fill(out); };
}

std::uint64_t uniform(const RandomFill& random, std::uint64_t bound) {
  if (bound == 0) std::abort();
  // Reject the top partial block of 2^64 so that every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % bound + 1) % bound;
  for (;;) {
    std::array<std::uint8_t, 8> b{};
    random(b);
    std::uint64_t v = 0;
    for (std::uint8_t x : b) v = (v << 8) | x;
    if (v <= limit) return v % bound;
  }
}

}  // namespace tandem::discovery
