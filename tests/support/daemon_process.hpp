// Test support: a real tandemd in a temporary data directory, and clients for its socket.
#pragma once

#include "proto/api.capnp.h"
#include "proto/framing.hpp"
#include "tests/support/temp_dir.hpp"

#include <capnp/message.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace tandem::test {

// How a DaemonProcess starts, besides its flags.
struct Launch {
  std::vector<std::string> env;  // "NAME=value" added to the daemon's environment
  bool wait_for_socket = true;   // false: start() returns once the daemon is forked
};

// Runs `tandemd --data-dir DIR --socket SOCK`; stops it (SIGTERM, then SIGKILL) when it dies.
// Unless `extra` says otherwise the daemon listens on 127.0.0.1:0, has no LAN discovery and reads
// no config file. With `--config FILE` in `extra`, the file decides listen and discovery (the
// daemon's defaults are [::]:7470 and beacons on): a test's file should set both.
class DaemonProcess {
 public:
  // Starts the daemon and waits until its socket accepts connections (aborts the test after 10 s).
  DaemonProcess(std::string data_dir, std::string socket, std::vector<std::string> extra = {},
                Launch launch = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // SIGTERM and wait; returns the exit status (as from waitpid). Aborts the test process, printing
  // the report, when the daemon's log holds a sanitizer's report (a leak at exit, say).
  int stop();
  // SIGKILL and reap: a crash at an arbitrary moment.
  void kill9();
  void start();
  pid_t pid() const { return pid_; }
  const std::string& socket() const { return socket_; }
  const std::string& log_path() const { return log_; }
  std::string log() const;

 private:
  std::string data_dir_, socket_, log_;
  std::vector<std::string> extra_;
  Launch launch_;
  pid_t pid_ = -1;
};

// The first sanitizer report in a daemon's log (from its line on, at most 4,000 characters), or
// "" when there is none.
std::string sanitizer_report(const std::string& log);

// Path of a built binary: "tandemd" or "tandem".
std::string binary(const std::string& name);

// Runs a command, returns its exit code and stdout (stderr into `err` when given).
struct RunResult {
  int code = -1;
  std::string out, err;
};
RunResult run(const std::vector<std::string>& argv, const std::string& stdin_data = "",
              const std::vector<std::string>& env = {});

// A JSON-lines client on the local socket.
class JsonClient {
 public:
  explicit JsonClient(const std::string& socket);
  ~JsonClient();
  // Sends one line (a newline is added) and returns the next response line.
  std::string call(const std::string& line);
  void send_raw(const std::string& bytes);
  std::string read_line(int timeout_ms = 10000);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string buf_;
};

// A Cap'n Proto client on the local socket.
class CapnpClient {
 public:
  explicit CapnpClient(const std::string& socket);
  ~CapnpClient();
  void send(capnp::MessageBuilder& request);
  void send_raw(const void* data, std::size_t n);
  // Reads one whole response frame; the returned message owns it.
  std::unique_ptr<capnp::MallocMessageBuilder> receive(int timeout_ms = 10000);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  proto::FrameDecoder dec_{64 << 20};
};

// Decodes a JSON response line into a Response message (capnp's JSON mapping).
std::unique_ptr<capnp::MallocMessageBuilder> parse_response(const std::string& line);

}  // namespace tandem::test
