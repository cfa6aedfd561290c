// Where Secret<N> keeps its bytes: fixed 64-byte slots carved from a few large sodium_malloc
// regions, instead of one sodium_malloc per secret. Internal to the crypto module.
//
// Why: a Noise handshake creates and drops about seven short-lived secrets per side (chaining
// key, cipher keys, ephemeral key, copies of the static key and PSK, the two transport keys). One
// sodium_malloc each costs an mmap, two mprotects and an mlock, and one sodium_free a munlock and
// a munmap (a TLB shootdown across cores): about a fifth of a whole handshake. It also locks a
// whole page per 32-byte key, so under RLIMIT_MEMLOCK (often 64 KiB or 8 MiB) a flood of
// half-open handshakes runs the limit out and later secrets silently go unlocked.
//
// What still holds, and why pooling is sound:
//  - Locked: every region comes from sodium_malloc, which mlocks it (where the OS allows, as
//    before); 255 secrets share four locked pages instead of taking one page each.
//  - Guarded: each region sits between sodium_malloc's guard pages, so a linear overrun from
//    ordinary heap memory, or off either end of the region, faults before it reads or writes a
//    secret. What is lost is a guard page between two secrets of the same region; every access
//    to a slot goes through Secret<N>, whose size is a compile-time constant <= 64, so no code
//    path can index past its own slot.
//  - Wiped: a slot is zeroed (sodium_memzero) the moment its secret dies, before it can be handed
//    out again, so a freed secret is never readable through a later one. Free slots hold zeros.
//  - Never freed to the OS: regions live for the process (they hold only zeros when unused); the
//    pool grows to the peak number of live secrets and no further (about 24 KiB of address space,
//    16 KiB locked, per 255 secrets).
//
// Thread-safe: a mutex guards the free list (secrets are created and dropped on any thread).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tandem::crypto::detail {

inline constexpr std::size_t kSecretSlot = 64;

// A zeroed slot of kSecretSlot bytes in locked, guarded memory, 64-byte aligned. Aborts when the
// OS refuses memory (as sodium_malloc failing did before).
std::uint8_t* secret_slot_take();
// Wipes the slot and returns it to the pool. `p` must come from secret_slot_take(); null is
// ignored.
void secret_slot_give(std::uint8_t* p);

// Regions allocated so far (tests).
std::size_t secret_pool_regions();

}  // namespace tandem::crypto::detail
