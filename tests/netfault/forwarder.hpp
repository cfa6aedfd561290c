// The forwarding loop of tandem-netfault: reads IP packets from each namespace's TUN device,
// routes them by destination address to another namespace's device, and applies the current
// Impairment on the way (drop, hold, send twice). The impairment is re-read from a control file
// whenever that file changes, so a test can start and heal a partition while connections live.
#pragma once

#include "tests/netfault/impairment.hpp"
#include "tests/netfault/tun.hpp"

#include <netinet/in.h>

#include <csignal>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tandem::netfault {

// One namespace on the forwarder: its device and its IPv4 address (network byte order).
struct Endpoint {
  Tun tun;
  in_addr_t address = 0;
  std::string label;  // the namespace's name, for the log
};

struct ForwarderOptions {
  std::string control_path;  // key=value impairment, re-read on change (see parse_impairment)
  std::string stats_path;    // rewritten (atomically) every half second and at the end
  std::uint64_t seed = 1;
  // Pairs of endpoint indices that may not reach each other (a three-device topology whose middle
  // device must relay).
  std::set<std::pair<std::size_t, std::size_t>> blocked;
};

// What the forwarder did, for the stats file.
struct Counters {
  std::uint64_t in = 0, sent = 0, lost = 0, down = 0, duplicated = 0, jumped = 0, unroutable = 0,
                overflow = 0, queue_max = 0;
};

// Runs until SIGTERM or SIGINT (the caller installs handlers that set `stop`), then writes the
// stats file a last time. Returns 0, or 1 when the control file cannot be read at the start.
int run_forwarder(std::vector<Endpoint>& endpoints, const ForwarderOptions& options,
                  const volatile std::sig_atomic_t& stop);

}  // namespace tandem::netfault
