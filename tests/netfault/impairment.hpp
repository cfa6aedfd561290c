// The impairments the fault-matrix forwarder applies to each IP packet it carries between network
// namespaces: loss, delay with jitter, reordering, duplication, a flapping link and a partition.
// Pure: a packet's fate depends only on the settings, the random source and the time given, so
// tests can check the rates without a network.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace tandem::netfault {

// What happens to packets. All probabilities are in [0, 1]; times in milliseconds.
struct Impairment {
  double loss = 0;             // each packet dropped with this probability
  std::int64_t delay_ms = 0;   // each packet held this long…
  std::int64_t jitter_ms = 0;  // …plus or minus up to this much, uniformly (packets may overtake)
  double reorder = 0;          // with this probability a packet skips the delay (netem's reorder)
  double duplicate = 0;        // with this probability a packet is sent twice
  std::int64_t flap_up_ms = 0;    // when both flap times are set, the link is up this long…
  std::int64_t flap_down_ms = 0;  // …then down this long (everything dropped), and again
  bool down = false;              // a partition: every packet dropped until this is cleared
};

// Parses "loss=0.2 delay=100 jitter=50 reorder=0.25 duplicate=0.1 flap=3000/3000 down=1"
// (any subset, any order, whitespace- or comma-separated; unset keys keep their defaults).
// Returns nullopt and sets `error` on an unknown key or a value out of range.
std::optional<Impairment> parse_impairment(const std::string& text, std::string& error);

// One line describing `i`, in the syntax parse_impairment reads.
std::string describe(const Impairment& i);

// The fate of one packet: no copy (dropped), or one or two copies, each with its delay.
struct Fate {
  enum class Drop { kNone, kLoss, kDown };
  Drop dropped = Drop::kNone;
  std::vector<std::int64_t> delays_ms;  // one entry per copy sent; empty when dropped
  bool jumped = false;                  // sent at once, ahead of packets still held (reorder)
};

// Decides a packet's fate. `since_change_ms` is the time since these settings took effect (the
// flap cycle starts with the link up at that moment).
Fate decide(const Impairment& i, std::int64_t since_change_ms, std::mt19937_64& rng);

// Whether the link is up at `since_change_ms` under `i` (false during a partition or the down
// part of a flap cycle).
bool link_up(const Impairment& i, std::int64_t since_change_ms);

}  // namespace tandem::netfault
