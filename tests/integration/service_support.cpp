#include "tests/integration/service_support.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tandem::test {

std::string config_text(const std::string& listen, bool discovery,
                        const std::vector<std::string>& peers, const std::string& extra) {
  std::string text = "listen = \"" + listen + "\"\n";
  text += std::string("discovery = ") + (discovery ? "true" : "false") + "\n";
  text += "peers = [";
  for (std::size_t i = 0; i < peers.size(); ++i) text += (i ? ", \"" : "\"") + peers[i] + "\"";
  text += "]\n";
  return text + extra;
}

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

DialCatcher::DialCatcher() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("DialCatcher: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(a.sin_port);
}

DialCatcher::~DialCatcher() {
  if (fd_ >= 0) ::close(fd_);
}

std::string DialCatcher::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

bool DialCatcher::caught_within(int ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return false;
  int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) return false;
  ::close(c);
  return true;
}

int DialCatcher::drain() {
  int n = 0;
  while (caught_within(0)) ++n;
  return n;
}

BeaconEar::BeaconEar() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  a.sin_port = htons(7471);
  if (fd_ < 0 || ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    throw std::runtime_error("BeaconEar: cannot bind 0.0.0.0:7471");
  }
}

BeaconEar::~BeaconEar() {
  if (fd_ >= 0) ::close(fd_);
}

bool BeaconEar::heard_from(const std::set<unsigned>& ports, int ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[2048];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    if (::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len) < 0)
      return false;
    if (ports.count(ntohs(from.sin_port))) return true;
  }
}

bool has_broadcast_interface() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return false;
  bool found = false;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    const unsigned f = i->ifa_flags;
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && (f & IFF_UP) && (f & IFF_BROADCAST) &&
        !(f & IFF_LOOPBACK))
      found = true;
  }
  ::freeifaddrs(list);
  return found;
}

std::set<unsigned> udp_ports_of(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::set<std::string> inodes;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(proc + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code rec;
    const std::string target = std::filesystem::read_symlink(it->path(), rec).string();
    if (!rec && target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::set<unsigned> ports;
  for (const char* table : {"/net/udp", "/net/udp6"}) {
    std::ifstream in(proc + table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      std::istringstream fields(line);
      std::string f[10];
      for (auto& x : f) fields >> x;
      if (!inodes.count(f[9])) continue;
      const auto colon = f[1].rfind(':');
      if (colon != std::string::npos) ports.insert(std::stoul(f[1].substr(colon + 1), nullptr, 16));
    }
  }
  return ports;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

}  // namespace tandem::test
