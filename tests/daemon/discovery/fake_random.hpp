// A deterministic RandomFill for tests: a seeded xorshift64* stream, or a fixed script of bytes.
#pragma once

#include "daemon/discovery/random.hpp"

#include <memory>
#include <vector>

namespace tandem::discovery::testing {

inline RandomFill seeded_random(std::uint64_t seed) {
  auto state = std::make_shared<std::uint64_t>(seed | 1);
  return [state](std::span<std::uint8_t> out) {
    for (auto& b : out) {
      std::uint64_t& x = *state;
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      b = static_cast<std::uint8_t>((x * 0x2545F4914F6CDD1DULL) >> 56);
    }
  };
}

// Returns `byte` for every byte asked: all zeros, all 0xff...
inline RandomFill constant_random(std::uint8_t byte) {
  return [byte](std::span<std::uint8_t> out) {
    for (auto& b : out) b = byte;
  };
}

}  // namespace tandem::discovery::testing
