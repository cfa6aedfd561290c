// Randomness for discovery, injected so tests can make codes and jitter deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

namespace tandem::discovery {

// Fills its argument with random bytes. Production code passes system_random(); tests a fake.
using RandomFill = std::function<void(std::span<std::uint8_t>)>;

// The OS generator (crypto::random_fill).
RandomFill system_random();

// A uniform integer in [0, bound), by rejection sampling (no modulo bias). Precondition: bound > 0.
std::uint64_t uniform(const RandomFill& random, std::uint64_t bound);

}  // namespace tandem::discovery
