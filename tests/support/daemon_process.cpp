#include "tests/support/daemon_process.hpp"

#include "proto/framing.hpp"

#include <capnp/compat/json.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tandem::test {

std::string binary(const std::string& name) {
  const char* dir = std::getenv("TANDEM_BUILD_DIR");
  std::string base = dir ? dir : ".";
  if (name == "tandemd") return base + "/daemon/tandemd";
  return base + "/client/" + name;
}

static int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

DaemonProcess::DaemonProcess(std::string data_dir, std::string socket,
                             std::vector<std::string> extra, Launch launch)
    : data_dir_(std::move(data_dir)),
      socket_(std::move(socket)),
      extra_(std::move(extra)),
      launch_(std::move(launch)) {
  log_ = data_dir_ + ".log";
  start();
}

void DaemonProcess::start() {
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 2);
      ::dup2(fd, 1);
    }
    std::vector<std::string> args = {binary("tandemd"), "--data-dir", data_dir_, "--socket",
                                     socket_};
    // Tests stay on loopback and off the LAN, on a free port, and ignore the user's config file;
    // a test that gives its own config file lets it decide (its SIGHUP reloads must not meet a
    // flag that pins the value).
    auto has = [&](const char* flag) {
      return std::find(extra_.begin(), extra_.end(), flag) != extra_.end();
    };
    const bool own_config = has("--config");
    if (!has("--listen") && !own_config) args.insert(args.end(), {"--listen", "127.0.0.1:0"});
    if (!has("--discovery") && !own_config) args.push_back("--no-discovery");
    if (!own_config) args.insert(args.end(), {"--config", "/dev/null"});
    for (const auto& e : launch_.env) ::putenv(const_cast<char*>(e.c_str()));
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (!launch_.wait_for_socket) return;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = connect_unix(socket_);
    if (fd >= 0) {
      ::close(fd);
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const std::string how =
          WIFEXITED(status)     ? "with status " + std::to_string(WEXITSTATUS(status))
          : WIFSIGNALED(status) ? "on signal " + std::to_string(WTERMSIG(status))
                                : "";
      throw std::runtime_error("tandemd exited at start " + how + ": " + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw std::runtime_error("tandemd did not open its socket: " + log());
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) stop();
}

std::string sanitizer_report(const std::string& log) {
  static constexpr const char* kMarks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                           "runtime error: ", "WARNING: AddressSanitizer"};
  std::size_t first = std::string::npos;
  for (const char* mark : kMarks) first = std::min(first, log.find(mark));
  if (first == std::string::npos) return {};
  const std::size_t line = log.rfind('\n', first);
  return log.substr(line == std::string::npos ? 0 : line + 1, 4000);
}

int DaemonProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool reaped = false;
  for (int i = 0; i < 1000 && !reaped; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped = true;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!reaped) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  // A sanitizer's report (a leak found at exit, undefined behaviour, a bad access) goes to the
  // daemon's stderr, which is its log here: whatever the test checks, such a report fails it.
  if (const std::string report = sanitizer_report(log()); !report.empty()) {
    std::fprintf(stderr, "tandemd (%s) reported a sanitizer error:\n%s\n", data_dir_.c_str(),
                 report.c_str());
    std::abort();
  }
  return status;
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string DaemonProcess::log() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunResult run(const std::vector<std::string>& argv, const std::string& stdin_data,
              const std::vector<std::string>& env) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC)) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!stdin_data.empty()) {
    auto w = ::write(in_pipe[1], stdin_data.data(), stdin_data.size());
    (void)w;
  }
  ::close(in_pipe[1]);
  RunResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open = 2;
  char buf[4096];
  while (open > 0) {
    if (::poll(fds, 2, 30000) <= 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

JsonClient::JsonClient(const std::string& socket) {
  fd_ = connect_unix(socket);
  if (fd_ < 0) throw std::runtime_error("cannot connect to " + socket);
}

JsonClient::~JsonClient() {
  if (fd_ >= 0) ::close(fd_);
}

void JsonClient::send_raw(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    off += static_cast<std::size_t>(n);
  }
}

std::string JsonClient::read_line(int timeout_ms) {
  for (;;) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;  // a signal (the soak's Ctrl-C), not a timeout
    if (ready <= 0) throw std::runtime_error("timed out waiting for a response");
    char tmp[65536];
    ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n <= 0) throw std::runtime_error("connection closed");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

std::string JsonClient::call(const std::string& line) {
  send_raw(line + "\n");
  return read_line();
}

CapnpClient::CapnpClient(const std::string& socket) {
  fd_ = connect_unix(socket);
  if (fd_ < 0) throw std::runtime_error("cannot connect to " + socket);
}

CapnpClient::~CapnpClient() {
  if (fd_ >= 0) ::close(fd_);
}

void CapnpClient::send_raw(const void* data, std::size_t n) {
  const char* p = static_cast<const char*>(data);
  std::size_t off = 0;
  while (off < n) {
    ssize_t w = ::send(fd_, p + off, n - off, MSG_NOSIGNAL);
    if (w <= 0) throw std::runtime_error("send failed");
    off += static_cast<std::size_t>(w);
  }
}

void CapnpClient::send(capnp::MessageBuilder& request) {
  auto words = capnp::messageToFlatArray(request);
  send_raw(words.begin(), words.size() * sizeof(capnp::word));
}

std::unique_ptr<capnp::MallocMessageBuilder> CapnpClient::receive(int timeout_ms) {
  for (;;) {
    kj::Array<capnp::word> words;
    auto r = dec_.next(words);
    if (r == proto::FrameDecoder::Result::kFrame) {
      capnp::FlatArrayMessageReader reader(words);
      auto out = std::make_unique<capnp::MallocMessageBuilder>();
      out->setRoot(reader.getRoot<schema::Response>());
      return out;
    }
    if (r != proto::FrameDecoder::Result::kNeedMore)
      throw std::runtime_error("bad frame from tandemd");
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) throw std::runtime_error("timed out waiting for a frame");
    std::uint8_t tmp[65536];
    ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n <= 0) throw std::runtime_error("connection closed");
    dec_.feed({tmp, static_cast<std::size_t>(n)});
  }
}

std::unique_ptr<capnp::MallocMessageBuilder> parse_response(const std::string& line) {
  capnp::JsonCodec codec;
  codec.handleByAnnotation<schema::Response>();
  auto out = std::make_unique<capnp::MallocMessageBuilder>();
  codec.decode(kj::StringPtr(line.c_str()), out->initRoot<schema::Response>());
  return out;
}

}  // namespace tandem::test
