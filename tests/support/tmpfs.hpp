// Test support for real small file systems: a tmpfs mounted by the test itself, in a private
// mount namespace so nothing outlives the test process. Needs root; a test executable calls
// enter_private_mount_namespace() first in its main and exits 77 (ctest's skip) when it fails.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <string>

namespace tandem::test {

// Whether this process is root and now has a mount namespace of its own (mounts seen by it and
// its children only). Prints why not, for the skip message.
inline bool enter_private_mount_namespace() {
  if (::geteuid() != 0) {
    std::puts("skipped: mounting a tmpfs needs root");
    return false;
  }
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr)) {
    std::puts("skipped: no private mount namespace here");
    return false;
  }
  return true;
}

// A tmpfs of `size` ("8m") mounted on `dir` (created), mode 0700, unmounted when this dies.
class Tmpfs {
 public:
  Tmpfs(std::string dir, const std::string& size) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string opts = "size=" + size + ",mode=0700";
    REQUIRE(::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) == 0);
  }
  ~Tmpfs() { ::umount2(dir_.c_str(), MNT_DETACH); }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

 private:
  std::string dir_;
};

}  // namespace tandem::test
