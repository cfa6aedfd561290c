// What crosses the wire between two real daemons, captured by a TCP relay in the middle: no note
// in clear, and a private entry not at all (not even encrypted: the bytes say so).
#include "tests/support/devices.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

using namespace tandem;
using namespace tandem::test;

namespace {

// Relays every connection made to its port to 127.0.0.1:`target`, keeping a copy of each byte.
class CapturingRelay {
 public:
  explicit CapturingRelay(std::uint16_t target) : target_(target) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listen_fd_, 8) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~CapturingRelay() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  std::uint16_t port() const { return port_; }
  std::string captured() {
    std::lock_guard<std::mutex> l(mu_);
    return bytes_;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> l(mu_);
    return bytes_.size();
  }

 private:
  void run() {
    std::vector<std::pair<int, int>> links;  // (from, to), both directions
    while (!stop_) {
      std::vector<pollfd> fds{{listen_fd_, POLLIN, 0}};
      for (auto [from, to] : links) fds.push_back({from, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int in = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        int out = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(target_);
        if (in >= 0 && ::connect(out, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
          links.push_back({in, out});
          links.push_back({out, in});
        } else {
          if (in >= 0) ::close(in);
          ::close(out);
        }
      }
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        auto [from, to] = links[i - 1];
        char buf[65536];
        ssize_t n = ::read(from, buf, sizeof buf);
        if (n <= 0) {
          ::shutdown(to, SHUT_WR);
          continue;
        }
        {
          std::lock_guard<std::mutex> l(mu_);
          bytes_.append(buf, static_cast<std::size_t>(n));
        }
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::write(to, buf + off, static_cast<std::size_t>(n - off));
          if (w <= 0) break;
          off += w;
        }
      }
    }
    for (auto [from, to] : links) ::close(from);
  }

  std::uint16_t target_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string bytes_;
  std::thread thread_;
};

std::string add(Device& d, const std::string& entry) {
  auto r = d.call(R"({"id": 9, "add": {"entry": )" + entry + "}}");
  REQUIRE(root(r).isEntry());
  return root(r).getEntry().getId().cStr();
}

bool has(Device& d, const std::string& id) {
  return root(d.call(R"({"id": 8, "get": {"id": ")" + id + R"("}})")).isEntry();
}

// Letters that do not compress, so a byte count says whether a note travelled.
std::string noise_text(const std::string& prefix, std::size_t n, unsigned seed) {
  std::string s = prefix;
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    s += static_cast<char>('a' + (seed >> 16) % 26);
  }
  return s;
}

std::uint16_t port_of(const std::string& address) {
  return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace

TEST_CASE("captured on the wire: no note in clear, and a private entry not even encrypted",
          "[sync][network][security]") {
  Device alex, sam;
  REQUIRE(root(alex.call(R"({"id": 1, "init": {"name": "Alex"}})")).isInit());
  pair(alex, sam, "Sam");
  // From now on Sam reaches Alex only through the relay.
  CapturingRelay relay(port_of(alex.listen()));
  auto stored = sam.call(R"({"id": 2, "peerList": {}})");
  for (auto a : root(stored).getPeerAddresses().getAddresses()) {
    sam.call(R"({"id": 2, "peerRemove": {"address": ")" + std::string(a.cStr()) + R"("}})");
  }
  REQUIRE(root(sam.call(R"({"id": 2, "peerAdd": {"address": "127.0.0.1:)" +
                        std::to_string(relay.port()) + R"("}})"))
              .isPeerAddresses());
  REQUIRE(sam.daemon.stop() == 0);  // ends the direct connection made at pairing
  sam.daemon.start();

  const std::string shared_note = noise_text("shared-", 4000, 1);
  const std::string first = add(alex, R"({"contribution": {}, "note": ")" + shared_note + R"("})");
  REQUIRE(eventually([&] { return has(sam, first); }, 30));
  const std::size_t before = relay.size();
  CHECK(before > shared_note.size());  // the entry did travel through the relay

  // A private entry with a long note, then a small shared marker.
  const std::string private_note = noise_text("private-", 16000, 2);
  add(alex, R"({"contribution": {}, "visibility": "private", "note": ")" + private_note + R"("})");
  const std::string marker_note = noise_text("marker-", 2000, 3);
  const std::string marker = add(alex, R"({"contribution": {}, "note": ")" + marker_note + R"("})");
  REQUIRE(eventually([&] { return has(sam, marker); }, 30));
  const std::size_t grew = relay.size() - before;
  INFO("bytes on the wire for the private entry and the marker: " << grew);
  CHECK(grew >= marker_note.size());      // the marker went through the relay...
  CHECK(grew < private_note.size() / 2);  // ...and the private entry did not, in any form

  const std::string wire = relay.captured();
  CHECK(wire.find(shared_note.substr(0, 24)) == std::string::npos);
  CHECK(wire.find(marker_note.substr(0, 24)) == std::string::npos);
  CHECK(wire.find(private_note.substr(0, 24)) == std::string::npos);
  CHECK(wire.find("Alex") == std::string::npos);  // names travel inside the encryption too
}
