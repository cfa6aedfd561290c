// A temporary directory for one test: created under /tmp (mkdtemp, mode 0700) and removed with
// everything in it when the TempDir dies. Header-only so any test target may use it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace tandem::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tandem-test") {
    std::string templ = "/tmp/" + prefix + "-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    if (kept_) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // best effort: a test must not throw from here
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Leaves the directory in place when the TempDir dies (to look at after a failure).
  void keep() { kept_ = true; }
  // A path inside the directory (not created).
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  bool kept_ = false;
};

}  // namespace tandem::test
