// Test support for the resource-bound tests: attackers that run on their own thread against a
// real daemon (raw TCP connections to its peer port, a local client streaming a huge line), and
// readings of the daemon's process (peak RSS) and of its stderr log.
#pragma once

#include <sys/types.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace tandem::test {

// Peak resident set (VmHWM) and current RSS (VmRSS) of `pid`, in KiB; 0 when unreadable.
std::uint64_t peak_rss_kib(pid_t pid);
std::uint64_t rss_kib(pid_t pid);

// Raises this process's descriptor limit to at least `n` (the hard one too when root), so a test
// can hold a thousand sockets; children (the daemon) inherit it.
void raise_fd_limit(std::size_t n);

// Lines of `log` containing `phrase`.
std::size_t count_lines(const std::string& log, const std::string& phrase);

// Runs `body(stop)` on a thread until stop() (or until body returns by itself).
class Attack {
 public:
  explicit Attack(std::function<void(const std::atomic<bool>& stop)> body);
  ~Attack();
  Attack(const Attack&) = delete;
  Attack& operator=(const Attack&) = delete;
  void stop();
  bool running() const { return running_; }

 private:
  std::atomic<bool> stop_{false}, running_{true};
  std::thread thread_;
};

// Keeps `count` TCP connections open to 127.0.0.1:`port` that never send a byte; reopens each
// one the daemon closes. Counts connections opened and closed by the daemon.
struct HalfOpenStats {
  std::atomic<std::uint64_t> opened{0}, closed_by_daemon{0};
};
void hold_half_open(std::uint16_t port, int count, HalfOpenStats& stats,
                    const std::atomic<bool>& stop);

// `count` connections to 127.0.0.1:`port`, each sending one byte a second until the daemon
// closes it, then reconnecting. Records the longest a trickling connection was kept open.
struct TrickleStats {
  std::atomic<std::uint64_t> closed_by_daemon{0}, bytes_sent{0};
  std::atomic<long> longest_ms{0};
};
void trickle(std::uint16_t port, int count, TrickleStats& stats, const std::atomic<bool>& stop);

// Sends one JSON request line of `bytes` bytes (a note of that length) to the local socket,
// generated chunk by chunk (never held in memory), then a newline; returns the connection's fd
// (the caller reads the answer and closes it), or -1 when the daemon closed the connection early.
int send_huge_line(const std::string& socket, std::uint64_t bytes, const std::atomic<bool>& stop);

}  // namespace tandem::test
