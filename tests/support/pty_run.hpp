// Runs a program on a pseudo-terminal (as a person at a terminal would), for tests of what the
// CLI draws only on a TTY: progress lines, colour. stdin, stdout and stderr are all the terminal,
// so everything the program writes comes back in one stream, control bytes included.
#pragma once

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace tandem::test {

struct PtyResult {
  int code = -1;       // the exit status, or -1 if it did not end before the deadline (killed)
  std::string output;  // everything written to the terminal
};

// Runs `argv` on a new 100x30 pseudo-terminal with `env` added ("NAME=value"; TERM defaults to
// xterm) and collects its output until it exits or `timeout` passes (then it is killed).
// `on_output`, when given, is called with all the output so far each time more arrives (a test
// acts on what the program printed while it runs: a pairing code).
inline PtyResult run_on_pty(const std::vector<std::string>& argv,
                            const std::vector<std::string>& env = {},
                            std::chrono::seconds timeout = std::chrono::seconds(60),
                            const std::function<void(const std::string&)>& on_output = {}) {
  winsize ws{};
  ws.ws_row = 30;
  ws.ws_col = 100;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) return {};
  if (pid == 0) {
    ::setenv("TERM", "xterm", 1);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  PtyResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child and every holder of the terminal have gone
    r.output.append(buf, static_cast<std::size_t>(n));
    if (on_output) on_output(r.output);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  if (WIFEXITED(status) && std::chrono::steady_clock::now() < deadline) {
    r.code = WEXITSTATUS(status);
  }
  return r;
}

}  // namespace tandem::test
