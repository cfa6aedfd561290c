// sd_notify as systemd sees it under the unit's Type=notify: a real tandemd with NOTIFY_SOCKET
// pointing at a datagram socket the test reads.
#include "tests/support/devices.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <optional>
#include <stdexcept>

using namespace tandem;
using namespace tandem::test;

namespace {

// The receiving end of NOTIFY_SOCKET: a bound AF_UNIX datagram socket.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("cannot bind " + path_);
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  // The next datagram, or nothing within `ms`.
  std::optional<std::string> next(int ms = 10000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

 private:
  std::string path_;
  int fd_ = -1;
};

bool has_line(const std::optional<std::string>& message, const std::string& line) {
  if (!message) return false;
  const std::string text = "\n" + *message + "\n";
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("tandemd tells NOTIFY_SOCKET it is ready once its socket accepts, reloading, stopping",
          "[notify][daemon]") {
  TempDir dir;
  NotifySocket notify(dir / "notify.sock");
  DaemonProcess d(dir / "data", dir / "s.sock", {}, {{"NOTIFY_SOCKET=" + notify.path()}, false});

  // The first word systemd hears is READY=1 (with a status), and by then the API answers.
  auto ready = notify.next();
  INFO(d.log());
  REQUIRE(ready);
  CHECK(has_line(ready, "READY=1"));
  CHECK(has_line(ready, "STATUS=serving"));
  {
    JsonClient c(d.socket());  // throws if the socket did not accept
    CHECK(parse_response(c.call(R"({"id": 1, "status": {}})"))
              ->getRoot<schema::Response>()
              .isStatus());
  }

  // SIGHUP: RELOADING=1, then READY=1 once the new configuration is in place.
  REQUIRE(::kill(d.pid(), SIGHUP) == 0);
  auto reloading = notify.next();
  CHECK(has_line(reloading, "RELOADING=1"));
  auto ready_again = notify.next();
  CHECK(has_line(ready_again, "READY=1"));
  CHECK_FALSE(has_line(ready_again, "RELOADING=1"));

  // SIGTERM: STOPPING=1, then a clean exit.
  REQUIRE(::kill(d.pid(), SIGTERM) == 0);
  auto stopping = notify.next();
  CHECK(has_line(stopping, "STOPPING=1"));
  const int status = d.stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(notify.next(200));  // nothing after STOPPING=1
}

TEST_CASE("a NOTIFY_SOCKET nobody listens on does not stop tandemd", "[notify][daemon]") {
  TempDir dir;
  DaemonProcess d(dir / "data", dir / "s.sock", {}, {{"NOTIFY_SOCKET=" + (dir / "gone.sock")}});
  ::kill(d.pid(), SIGHUP);
  JsonClient c(d.socket());
  CHECK(
      parse_response(c.call(R"({"id": 1, "status": {}})"))->getRoot<schema::Response>().isStatus());
  const int status = d.stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
