// Test support for the hostile-handshake attack on a real daemon's peer port: one attacker thread
// that cycles through the ways a stranger or a replayer can misbehave at each step of the Noise
// XXpsk0 handshake (wrong PSK, a static key not in the roster, truncated, oversized and garbled
// messages 1 and 3, a cut connection, replayed messages), timing how long the daemon takes to
// close each connection. Handshakes are built with the wire module's HandshakeDriver.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/crypto/secret.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace tandem::test {

enum class Hostile : std::size_t {
  kWrongPsk,    // message 1 under another space's key
  kUnknownKey,  // the right PSK, a static key the roster does not hold (refused at message 3)
  kTruncated1,  // message 1 cut short, in a well-formed frame
  kTruncated3,  // message 3 cut short, after a real message 1 and the daemon's message 2
  kOversized1,  // a frame header of 65535 bytes (over the 1 KiB handshake cap) at message 1
  kOversized3,  // the same at message 3
  kGarbled1,    // 48 random bytes as message 1
  kGarbled3,    // 64 random bytes as message 3
  kCut1,        // half of message 1, then the attacker closes its side
  kReplay,      // a recorded real message 1, then the recorded message 3 of that handshake
  kCount
};
const char* hostile_name(Hostile h);

struct HostileStats {
  struct PerKind {
    std::atomic<std::uint64_t> attempts{0};
    std::atomic<std::uint64_t> closed_by_daemon{0};  // the daemon closed the connection in 7 s
    std::atomic<std::uint64_t> answered{0};          // the daemon sent a message 2
    std::atomic<long> longest_ms{0};                 // the hostile step sent -> the daemon's close
  };
  std::array<PerKind, static_cast<std::size_t>(Hostile::kCount)> kinds;
  std::atomic<std::uint64_t> errors{0};  // attempts that failed on the attacker's side
  PerKind& operator[](Hostile h) { return kinds[static_cast<std::size_t>(h)]; }
};

// Message 1 and message 3 (framed) of one real handshake, for replays.
struct Recorded {
  Bytes message1, message3;
};

// Runs a complete, legitimate handshake with 127.0.0.1:`port` as the device whose static key is
// `device_dh`, in the space of `space_key`, records its messages 1 and 3, and closes. Empty
// messages when the handshake failed.
Recorded record_handshake(std::uint16_t port, const crypto::SymmetricKey& space_key,
                          const crypto::DhSecretKey& device_dh);

// Cycles through every Hostile kind against 127.0.0.1:`port` (one connection at a time, about
// `per_second` attempts a second) until `stop`. `space_key` is the attacked space's key: the
// kinds that get past message 1 need it, as a device that was removed from the roster would.
void hostile_handshakes(std::uint16_t port, const crypto::SymmetricKey& space_key,
                        const Recorded& recorded, int per_second, HostileStats& stats,
                        const std::atomic<bool>& stop);

}  // namespace tandem::test
