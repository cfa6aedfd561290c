// A command running in the background, its stdout and stderr read as they come: for CLI commands
// that print something (a pairing code) and then go on waiting while the test acts on it.
#pragma once

#include "tests/support/daemon_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace tandem::test {

class Spawned {
 public:
  // Starts `argv` (stdin is /dev/null). Throws std::runtime_error when it cannot.
  explicit Spawned(const std::vector<std::string>& argv) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    fds_[0] = out[0];
    fds_[1] = err[0];
  }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  // Kills the command if it still runs.
  ~Spawned() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }

  // Reads until stdout (or stderr, with `from_err`) contains `text`, or `timeout_ms` passes.
  bool wait_for(const std::string& text, bool from_err = false, int timeout_ms = 10000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if ((from_err ? err_ : out_).find(text) != std::string::npos) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !pump(static_cast<int>(left.count()))) return false;
    }
  }
  // Reads everything until the command exits (or `timeout_ms` passes: then it is killed and
  // the code is -1).
  RunResult finish(int timeout_ms = 30000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      if (!pump(static_cast<int>(left.count()))) break;
    }
    int status = 0;
    const bool ended = fds_[0] < 0 && fds_[1] < 0;
    if (!ended) ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return {ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1, out_, err_};
  }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // One poll and read; false once both pipes are closed or nothing came in time.
  bool pump(int timeout_ms) {
    pollfd p[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
    if (fds_[0] < 0 && fds_[1] < 0) return false;
    if (::poll(p, 2, timeout_ms) <= 0) return false;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if (fds_[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = ::read(fds_[i], buf, sizeof buf);
      if (n <= 0) {
        ::close(fds_[i]);
        fds_[i] = -1;
      } else {
        (i == 0 ? out_ : err_).append(buf, static_cast<std::size_t>(n));
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int fds_[2] = {-1, -1};
  bool reaped_ = false;
  std::string out_, err_;
};

}  // namespace tandem::test
