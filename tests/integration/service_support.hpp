// Test support for the service tests (config file, SIGHUP, sd_notify): a config file to rewrite,
// a TCP listener that catches a daemon's dial attempts, and the UDP ports a process holds.
#pragma once

#include <sys/types.h>

#include <set>
#include <string>
#include <vector>

namespace tandem::test {

// A tandemd.toml with these values; `extra` is appended as is (more keys, or a broken line).
std::string config_text(const std::string& listen, bool discovery,
                        const std::vector<std::string>& peers, const std::string& extra = "");
// Replaces the file's contents (written to a temporary name, then renamed: a reload never reads
// half a file).
void write_file(const std::string& path, const std::string& text);

// A TCP listener on 127.0.0.1 standing in for a peer: it accepts each connection and closes it at
// once, so the daemon's handshake fails and it retries with its backoff.
class DialCatcher {
 public:
  DialCatcher();
  ~DialCatcher();
  DialCatcher(const DialCatcher&) = delete;
  DialCatcher& operator=(const DialCatcher&) = delete;

  // "127.0.0.1:PORT"
  std::string address() const;
  // Waits up to `ms` for a connection; accepts and closes it. True when one came.
  bool caught_within(int ms);
  // Accepts and closes the connections already queued; returns how many.
  int drain();

 private:
  int fd_ = -1;
  unsigned port_ = 0;
};

// A UDP socket on the LAN beacon port (0.0.0.0:7471, shared with SO_REUSEADDR as tandemd does):
// it hears the beacons broadcast from this host.
class BeaconEar {
 public:
  BeaconEar();
  ~BeaconEar();
  BeaconEar(const BeaconEar&) = delete;
  BeaconEar& operator=(const BeaconEar&) = delete;

  // Waits up to `ms` for a datagram whose source port is one of `ports`; true when one came.
  bool heard_from(const std::set<unsigned>& ports, int ms);

 private:
  int fd_ = -1;
};

// True when the host has an interface up, other than loopback, that can broadcast: where
// tandemd's beacons have a way out (and so come back to this host's listeners).
bool has_broadcast_interface();

// The local ports of the UDP sockets `pid` holds open (from /proc: its fds, then its network
// namespace's udp and udp6 tables).
std::set<unsigned> udp_ports_of(pid_t pid);

// How many times `needle` occurs in `text`.
std::size_t count_of(const std::string& text, const std::string& needle);

}  // namespace tandem::test
