#include "tests/integration/hostile_handshakes.hpp"

#include "daemon/crypto/primitives.hpp"
#include "daemon/wire/handshake_driver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace tandem::test {

namespace {

using Clock = std::chrono::steady_clock;
// The daemon's handshake deadline (5 s) and slack for a loaded machine.
constexpr auto kCloseWait = std::chrono::milliseconds(7000);

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, ByteView b) {
  std::size_t done = 0;
  while (done < b.size()) {
    ssize_t n = ::send(fd, b.data() + done, b.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

long ms_since(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// Reads exactly `n` bytes before `until`; false when the daemon closed first or time ran out.
bool read_exactly(int fd, std::uint8_t* out, std::size_t n, Clock::time_point until) {
  std::size_t have = 0;
  while (have < n) {
    const long left = -ms_since(until);
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    ssize_t got = ::recv(fd, out + have, n - have, 0);
    if (got <= 0) return false;
    have += static_cast<std::size_t>(got);
  }
  return true;
}

// One whole frame (its header included, as HandshakeDriver::feed takes it), or nullopt.
std::optional<Bytes> read_frame(int fd) {
  const auto until = Clock::now() + kCloseWait;
  Bytes f(2);
  if (!read_exactly(fd, f.data(), 2, until)) return std::nullopt;
  f.resize(2 + ((std::size_t{f[0]} << 8) | f[1]));
  if (!read_exactly(fd, f.data() + 2, f.size() - 2, until)) return std::nullopt;
  return f;
}

// Milliseconds until the daemon closes `fd` (EOF or reset), or -1 when it is still open after
// kCloseWait. Adds the bytes it sent meanwhile to `received`.
long ms_until_closed(int fd, Clock::time_point from, std::size_t& received) {
  const auto until = from + kCloseWait;
  std::uint8_t buf[512];
  for (;;) {
    const long left = -ms_since(until);
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return -1;
    ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got <= 0) return ms_since(from);
    received += static_cast<std::size_t>(got);
  }
}

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  crypto::random_fill(b);
  return b;
}

Bytes framed(ByteView payload) {
  Bytes f(2 + payload.size());
  f[0] = static_cast<std::uint8_t>(payload.size() >> 8);
  f[1] = static_cast<std::uint8_t>(payload.size() & 0xff);
  std::copy(payload.begin(), payload.end(), f.begin() + 2);
  return f;
}

// A frame whose header announces 65535 bytes, followed by a little of them.
Bytes oversized() {
  Bytes f = random_bytes(2 + 100);
  f[0] = f[1] = 0xff;
  return f;
}

// The first `n` payload bytes of the framed message `m`, in a frame of their own.
Bytes truncated(const Bytes& m, std::size_t n) {
  return framed(ByteView(m).subspan(2, std::min(n, m.size() - 2)));
}

std::optional<wire::HandshakeDriver> initiator(const crypto::DhSecretKey& me,
                                               const crypto::SymmetricKey& psk) {
  wire::DriverOptions o;
  o.role = wire::Role::kInitiator;
  o.local_static = &me;
  o.psk = &psk;
  auto d = wire::HandshakeDriver::create(o);
  if (!d) return std::nullopt;
  return std::move(*d);
}

bool needs_message2(Hostile h) {
  return h == Hostile::kUnknownKey || h == Hostile::kTruncated3 || h == Hostile::kOversized3 ||
         h == Hostile::kGarbled3 || h == Hostile::kReplay;
}

// One hostile connection; false when the attacker itself failed (no connection, no driver).
bool run_one(Hostile h, std::uint16_t port, const crypto::SymmetricKey& space_key,
             const Recorded& recorded, HostileStats& stats) {
  auto& k = stats[h];
  ++k.attempts;
  crypto::DhSecretKey stranger;
  crypto::random_fill({stranger.data(), stranger.size()});
  crypto::SymmetricKey other_space;
  crypto::random_fill({other_space.data(), other_space.size()});
  auto d = initiator(stranger, h == Hostile::kWrongPsk ? other_space : space_key);
  if (!d) return false;
  auto m1 = d->start();
  if (!m1) return false;
  Fd fd(connect_loopback(port));
  if (fd.get() < 0) return false;

  Bytes first;
  switch (h) {
    case Hostile::kTruncated1:
      first = truncated(*m1, 20);
      break;
    case Hostile::kOversized1:
      first = oversized();
      break;
    case Hostile::kGarbled1:
      first = framed(random_bytes(48));
      break;
    case Hostile::kCut1:
      first = Bytes(m1->begin(), m1->begin() + 2 + 24);
      break;
    case Hostile::kReplay:
      first = recorded.message1;
      break;
    default:
      first = *m1;
      break;
  }
  std::size_t received = 0;
  auto sent_at = Clock::now();
  if (!send_all(fd.get(), first)) return false;
  if (h == Hostile::kCut1) ::shutdown(fd.get(), SHUT_WR);
  if (needs_message2(h)) {
    auto m2 = read_frame(fd.get());
    if (!m2) {
      // Refused at message 1 after all: still a refusal, timed from message 1.
      ++k.closed_by_daemon;
      return true;
    }
    ++k.answered;
    Bytes third;
    if (h == Hostile::kReplay) {
      third = recorded.message3;
    } else if (h == Hostile::kOversized3) {
      third = oversized();
    } else if (h == Hostile::kGarbled3) {
      third = framed(random_bytes(64));
    } else {
      auto m3 = d->feed(*m2);
      if (!m3 || m3->size() < 2 + 64) return false;
      third = h == Hostile::kTruncated3 ? truncated(*m3, 30) : *m3;
    }
    sent_at = Clock::now();
    if (!send_all(fd.get(), third)) {
      // The daemon closed before taking all of it: refused.
      ++k.closed_by_daemon;
      return true;
    }
  }
  const long ms = ms_until_closed(fd.get(), sent_at, received);
  if (received > 0) ++k.answered;  // nothing is owed to a message the daemon refuses
  if (ms >= 0) {
    ++k.closed_by_daemon;
    if (ms > k.longest_ms) k.longest_ms = ms;
  }
  return true;
}

}  // namespace

const char* hostile_name(Hostile h) {
  switch (h) {
    case Hostile::kWrongPsk:
      return "wrong PSK";
    case Hostile::kUnknownKey:
      return "static key not in the roster";
    case Hostile::kTruncated1:
      return "message 1 truncated";
    case Hostile::kTruncated3:
      return "message 3 truncated";
    case Hostile::kOversized1:
      return "oversized frame at message 1";
    case Hostile::kOversized3:
      return "oversized frame at message 3";
    case Hostile::kGarbled1:
      return "garbled message 1";
    case Hostile::kGarbled3:
      return "garbled message 3";
    case Hostile::kCut1:
      return "connection cut in message 1";
    case Hostile::kReplay:
      return "replayed messages 1 and 3";
    case Hostile::kCount:
      break;
  }
  return "?";
}

Recorded record_handshake(std::uint16_t port, const crypto::SymmetricKey& space_key,
                          const crypto::DhSecretKey& device_dh) {
  auto d = initiator(device_dh, space_key);
  if (!d) return {};
  auto m1 = d->start();
  Fd fd(connect_loopback(port));
  if (!m1 || fd.get() < 0 || !send_all(fd.get(), *m1)) return {};
  auto m2 = read_frame(fd.get());
  if (!m2) return {};
  auto m3 = d->feed(*m2);
  if (!m3 || !d->done() || !send_all(fd.get(), *m3)) return {};
  return Recorded{*m1, *m3};
}

void hostile_handshakes(std::uint16_t port, const crypto::SymmetricKey& space_key,
                        const Recorded& recorded, int per_second, HostileStats& stats,
                        const std::atomic<bool>& stop) {
  const auto pause = std::chrono::milliseconds(1000 / std::max(per_second, 1));
  std::size_t next = 0;
  while (!stop) {
    const auto h = static_cast<Hostile>(next++ % static_cast<std::size_t>(Hostile::kCount));
    if (!run_one(h, port, space_key, recorded, stats)) ++stats.errors;
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace tandem::test
