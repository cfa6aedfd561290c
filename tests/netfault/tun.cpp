#include "tests/netfault/tun.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tandem::netfault {

bool run_command(const std::vector<std::string>& argv) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

Tun Tun::create(const std::string& name, std::string& error) {
  Tun t;
  if (name.empty() || name.size() >= IFNAMSIZ) {
    error = "bad interface name '" + name + "'";
    return t;
  }
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = std::string("/dev/net/tun: ") + std::strerror(errno);
    return t;
  }
  ifreq req{};
  req.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::strncpy(req.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &req) != 0) {
    error = "TUNSETIFF " + name + ": " + std::strerror(errno);
    ::close(fd);
    return t;
  }
  t.fd_ = fd;
  t.name_ = req.ifr_name;
  return t;
}

Tun::~Tun() {
  if (fd_ >= 0) ::close(fd_);
}

Tun::Tun(Tun&& other) noexcept : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)) {}

Tun& Tun::operator=(Tun&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
  }
  return *this;
}

bool Tun::place(const std::string& ns, const std::string& address) const {
  return run_command({"ip", "link", "set", "dev", name_, "netns", ns}) &&
         run_command({"ip", "-n", ns, "addr", "add", address, "dev", name_}) &&
         run_command({"ip", "-n", ns, "link", "set", "dev", name_, "up"}) &&
         run_command({"ip", "-n", ns, "link", "set", "dev", "lo", "up"});
}

}  // namespace tandem::netfault
