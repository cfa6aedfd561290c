// The tandem CLI's entry point: parses argv into one of the commands of the table in
// commands.cpp, runs it against tandemd, and returns a process exit code (see ExitCode).
#pragma once

#include <chrono>
#include <cstdio>

namespace tandem::client {

// Stable exit codes; scripts rely on them. Keep in sync with main.cpp and the --help epilog.
enum ExitCode : int {
  kExitOk = 0,
  kExitDaemonError = 1,  // the daemon answered with an error
  kExitUsage = 2,        // bad command line
  kExitUnreachable = 3,  // the daemon is not running or the socket is unreachable
  kExitProtocol = 4,     // the daemon sent something that is not a valid response
};

// Everything a command touches besides the socket: its streams and the local date. main
// passes the process's own; tests pass temporary files and a fixed day.
struct Io {
  std::FILE* out = stdout;
  std::FILE* err = stderr;
  std::FILE* in = stdin;
  std::chrono::sys_days today{};
};

// Runs `tandem` with argv. Never throws; returns an ExitCode.
int run_cli(int argc, const char* const* argv, const Io& io);

}  // namespace tandem::client
