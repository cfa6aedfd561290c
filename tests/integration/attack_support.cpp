#include "tests/integration/attack_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace tandem::test {

using SteadyClock = std::chrono::steady_clock;

namespace {

std::uint64_t status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  return 0;
}

// A non-blocking TCP connect to 127.0.0.1:port; -1 when no socket could be made.
int connect_tcp(std::uint16_t port, bool blocking) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the peer closed `fd` (EOF or an error); drains whatever it sent.
bool closed_by_peer(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINPROGRESS;
  }
}

}  // namespace

std::uint64_t peak_rss_kib(pid_t pid) {
  return status_field(pid, "VmHWM");
}

std::uint64_t rss_kib(pid_t pid) {
  return status_field(pid, "VmRSS");
}

void raise_fd_limit(std::size_t n) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= n) return;
  if (r.rlim_max < n) {
    rlimit raised{n, n};  // root may raise the hard limit too
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
  }
  r.rlim_cur = std::min<rlim_t>(r.rlim_max, n);
  ::setrlimit(RLIMIT_NOFILE, &r);
}

std::size_t count_lines(const std::string& log, const std::string& phrase) {
  std::istringstream in(log);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) n += line.find(phrase) != std::string::npos;
  return n;
}

Attack::Attack(std::function<void(const std::atomic<bool>&)> body)
    : thread_([this, body = std::move(body)] {
        body(stop_);
        running_ = false;
      }) {}

Attack::~Attack() {
  stop();
}

void Attack::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void hold_half_open(std::uint16_t port, int count, HalfOpenStats& stats,
                    const std::atomic<bool>& stop) {
  std::vector<pollfd> fds(static_cast<std::size_t>(count), pollfd{-1, POLLIN, 0});
  while (!stop) {
    for (auto& p : fds) {
      if (p.fd < 0 && (p.fd = connect_tcp(port, false)) >= 0) ++stats.opened;
    }
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    for (auto& p : fds) {
      if (p.fd >= 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) && closed_by_peer(p.fd)) {
        ::close(p.fd);
        p.fd = -1;
        ++stats.closed_by_daemon;
      }
    }
  }
  for (auto& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
}

void trickle(std::uint16_t port, int count, TrickleStats& stats, const std::atomic<bool>& stop) {
  struct Conn {
    int fd = -1;
    SteadyClock::time_point opened;
    std::size_t sent = 0;
  };
  // A plausible first handshake frame (a 2-byte length of 64, then its bytes) that never
  // completes: only the deadline can end it.
  auto byte_at = [](std::size_t i) { return i == 0 ? '\0' : i == 1 ? '\x40' : 'x'; };
  std::vector<Conn> conns(static_cast<std::size_t>(count));
  auto next_byte = SteadyClock::now();
  while (!stop) {
    const auto now = SteadyClock::now();
    for (auto& c : conns) {
      if (c.fd < 0 && (c.fd = connect_tcp(port, false)) >= 0) {
        c.opened = now;
        c.sent = 0;
      }
    }
    if (now >= next_byte) {
      // One byte a second on every connection: a frame that never completes.
      for (auto& c : conns) {
        const char b = byte_at(c.sent);
        if (c.fd >= 0 && ::send(c.fd, &b, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
          ++c.sent;
          ++stats.bytes_sent;
        }
      }
      next_byte = now + std::chrono::seconds(1);
    }
    std::vector<pollfd> fds;
    for (auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      auto& c = conns[i];
      if (c.fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && closed_by_peer(c.fd)) {
        const long lived = static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - c.opened)
                .count());
        if (lived > stats.longest_ms) stats.longest_ms = lived;
        ::close(c.fd);
        c.fd = -1;
        ++stats.closed_by_daemon;
      }
    }
  }
  for (auto& c : conns) {
    if (c.fd >= 0) ::close(c.fd);
  }
}

int send_huge_line(const std::string& socket, std::uint64_t bytes, const std::atomic<bool>& stop) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  auto send_all = [fd](const char* p, std::size_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  };
  static const std::string head = R"({"id": 77, "add": {"entry": {"contribution": {}, "note": ")";
  static const std::string tail = "\"}}}\n";
  std::vector<char> chunk(64 * 1024, 'a');
  bool ok = send_all(head.data(), head.size());
  std::uint64_t sent = head.size() + tail.size();
  while (ok && sent < bytes && !stop) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), bytes - sent));
    ok = send_all(chunk.data(), n);
    sent += n;
  }
  // Stopped halfway: leave the line unfinished rather than send a shorter request.
  ok = ok && sent >= bytes && send_all(tail.data(), tail.size());
  if (!ok) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace tandem::test
