#include "daemon/crypto/secret_pool.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace tandem::crypto::detail {

namespace {

// 255 slots: with sodium_malloc's 16-byte canary this fills exactly four pages, which
// sodium_malloc places between guard pages.
constexpr std::size_t kSlotsPerRegion = 255;
constexpr std::size_t kRegionBytes = kSlotsPerRegion * kSecretSlot;

struct Pool {
  std::mutex mu;
  std::vector<std::uint8_t*> free;  // zeroed slots, ready to hand out
  std::size_t regions = 0;

  void grow() {
    auto* region = static_cast<std::uint8_t*>(sodium_malloc(kRegionBytes));
    if (region == nullptr) {
      std::fputs("tandem: cannot allocate secret memory\n", stderr);
      std::abort();
    }
    sodium_memzero(region, kRegionBytes);  // sodium_malloc fills with 0xdb
    free.reserve(free.size() + kSlotsPerRegion);
    // Hand out low addresses first (free is a stack): purely cosmetic, keeps tests predictable.
    for (std::size_t i = kSlotsPerRegion; i-- > 0;) free.push_back(region + i * kSecretSlot);
    ++regions;
  }
};

// Process-wide, like the allocator it stands in for. Never destroyed: a Secret held by another
// static object may be dropped after main returns, and must still find its pool.
Pool& pool() {
  static Pool* p = [] {
    if (sodium_init() < 0) std::abort();
    return new Pool;
  }();
  return *p;
}

}  // namespace

std::uint8_t* secret_slot_take() {
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  if (p.free.empty()) p.grow();
  std::uint8_t* slot = p.free.back();
  p.free.pop_back();
  return slot;
}

void secret_slot_give(std::uint8_t* slot) {
  if (slot == nullptr) return;
  sodium_memzero(slot, kSecretSlot);  // before anyone else can be handed this slot
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  p.free.push_back(slot);
}

std::size_t secret_pool_regions() {
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  return p.regions;
}

}  // namespace tandem::crypto::detail
