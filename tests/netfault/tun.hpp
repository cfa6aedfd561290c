// TUN devices placed in network namespaces: the forwarder keeps each device's file descriptor in
// the root namespace while the interface lives in a test namespace, so every IP packet that
// namespace sends to the test subnet arrives here, and whatever is written here is delivered there.
#pragma once

#include <string>
#include <vector>

namespace tandem::netfault {

// Runs `argv` (argv[0] looked up on PATH) and waits; true when it exits with status 0. Its output
// goes to this process's stderr.
bool run_command(const std::vector<std::string>& argv);

// A TUN device (IFF_TUN | IFF_NO_PI: each read and write is one raw IP packet), non-blocking.
// Owns the descriptor: the kernel deletes the interface, wherever it has moved, when it closes.
class Tun {
 public:
  // Creates the device `name` (at most 15 characters) in the caller's namespace. On failure
  // returns a Tun that is not ok(), with `error` set.
  static Tun create(const std::string& name, std::string& error);

  Tun() = default;
  ~Tun();
  Tun(Tun&& other) noexcept;
  Tun& operator=(Tun&& other) noexcept;
  Tun(const Tun&) = delete;
  Tun& operator=(const Tun&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

  // Moves the interface into namespace `ns` (as made by `ip netns add`), gives it `address`
  // (e.g. "10.77.0.1/24") and brings it and the namespace's loopback up. False on any failure.
  bool place(const std::string& ns, const std::string& address) const;

 private:
  int fd_ = -1;
  std::string name_;
};

}  // namespace tandem::netfault
