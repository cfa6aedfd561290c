// Pairing codes: a channel number and three words, read aloud from one partner to the other,
// e.g. "17-orbit-lantern-maple".
//
// Security: a code carries 3 x 11 bits of words and a channel of 1..99, about 2^33 x 99
// combinations. That is far too little against an offline search, and it need not be more: the
// code is only ever the password of CPace (see daemon/crypto/cpace.hpp), a balanced PAKE in which
// an active attacker gets exactly one online guess per run, and the inviter accepts one run per
// code before the code expires. A passive eavesdropper learns nothing about the code. The channel
// is not secret: it is said aloud and also names the pairing beacon on the LAN (beacon.hpp); only
// the words are secret, and they never leave the device except as CPace's password.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/discovery/random.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tandem::discovery {

inline constexpr int kMinChannel = 1;
inline constexpr int kMaxChannel = 99;
inline constexpr std::size_t kCodeWords = 3;

// A parsed pairing code. Invariants (generate() and parse() keep them; code that builds one by
// hand must too): channel in [kMinChannel, kMaxChannel], each word index < kWordCount.
struct PairingCode {
  std::uint8_t channel = 0;
  std::array<std::uint16_t, kCodeWords> words{};

  friend bool operator==(const PairingCode&, const PairingCode&) = default;
};

// A fresh code: channel uniform in 1..99, words uniform and independent (repeats allowed).
PairingCode generate(const RandomFill& random);

// Reads a code as a person would type it: case-insensitive, words separated by any run of
// spaces, tabs or dashes, leading and trailing separators ignored ("17 Orbit lantern MAPLE",
// " 17-orbit - lantern maple "). Fails with kInvalidArgument and a message for the user:
// a wrong number of parts, a channel that is not a number in 1..99, or a word not in the list
// (the message names the closest listed word: "unknown word 'lanturn': did you mean 'lantern'?").
Result<PairingCode> parse(std::string_view text);

// The canonical text: decimal channel, then the words, lower-case, joined by '-'.
std::string format(const PairingCode& code);

// The password-related string for CPace: the bytes of "tandem-pair-v1:" followed by format(code).
// Canonical, so every spelling parse() accepts for one code yields the same bytes; based on the
// words' text rather than their indexes, so it does not depend on the list's order. Secret: the
// caller wipes it (crypto::wipe) once CPace has consumed it.
Bytes prs(const PairingCode& code);

}  // namespace tandem::discovery
