#include "daemon/api/server.hpp"

#include "daemon/api/connection.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tandem::api {

using asio::as_tuple;
using asio::use_awaitable;
using stream = asio::local::stream_protocol;

struct Server::Registry {
  std::vector<std::weak_ptr<Connection>> connections;
};

Server::Server(asio::io_context& io, Backend& backend, ServerOptions options)
    : io_(io),
      backend_(backend),
      options_(std::move(options)),
      acceptor_(io),
      refusals_(options_.log_interval),
      flush_timer_(io),
      registry_(std::make_unique<Registry>()) {}

Server::~Server() {
  stop();
}

static Status prepare_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  std::string dir = path.substr(0, slash);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error{Code::kIo, "cannot create " + dir + ": " + std::strerror(errno)};
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Error{Code::kIo, "cannot stat " + dir};
  if (st.st_uid != ::geteuid()) return Error{Code::kIo, dir + " belongs to another user"};
  if ((st.st_mode & 077) != 0) {
    // Only tighten a directory tandem owns by name; refuse to chmod a shared one.
    if (dir.find("tandem") != std::string::npos) {
      ::chmod(dir.c_str(), 0700);
    } else {
      return Error{Code::kIo, dir + " is open to other users; use a 0700 directory for the socket"};
    }
  }
  return {};
}

Result<std::unique_ptr<Server>> Server::listen(asio::io_context& io, Backend& backend,
                                               ServerOptions options) {
  const std::string path = options.socket_path;
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Error{Code::kInvalidArgument, "socket path is too long: " + path};
  }
  if (auto st = prepare_dir(path); !st) return st.error();
  // A socket file that answers belongs to a running daemon; one that does not is stale.
  if (::access(path.c_str(), F_OK) == 0) {
    stream::socket probe(io);
    boost::system::error_code ec;
    probe.connect(stream::endpoint(path), ec);
    if (!ec) return Error{Code::kUnavailable, "another tandemd is listening on " + path};
    ::unlink(path.c_str());
  }
  std::unique_ptr<Server> s(new Server(io, backend, std::move(options)));
  boost::system::error_code ec;
  mode_t old = ::umask(0177);  // the socket is created 0600
  s->acceptor_.open(stream(), ec);
  if (!ec) s->acceptor_.bind(stream::endpoint(path), ec);
  ::umask(old);
  if (!ec) s->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{Code::kIo, "cannot listen on " + path + ": " + ec.message()};
  ::chmod(path.c_str(), 0600);
  return s;
}

awaitable<void> Server::run() {
  asio::co_spawn(io_, flush_refusals(), asio::detached);
  while (!stopped_) {
    auto [ec, sock] = co_await acceptor_.async_accept(as_tuple(use_awaitable));
    if (ec) {
      if (stopped_ || ec == asio::error::operation_aborted) break;
      spdlog::warn("local accept failed: {}", ec.message());
      continue;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
        cred.uid != ::geteuid()) {
      // One kind per uid: the line names who tried, at most once per interval each.
      refusals_.note("refused a local client of uid " + std::to_string(cred.uid) + " (only uid " +
                         std::to_string(::geteuid()) + " may use this daemon)",
                     LogLimiter::Clock::now());
      continue;  // closing the socket refuses it
    }
    if (live_ >= options_.max_connections) {
      refusals_.note("local clients refused: " + std::to_string(options_.max_connections) +
                         " connections already open",
                     LogLimiter::Clock::now());
      continue;
    }
    asio::co_spawn(io_, serve(std::move(sock)), asio::detached);
  }
}

awaitable<void> Server::serve(stream::socket sock) {
  auto conn = std::make_shared<Connection>(std::move(sock), backend_, codec_,
                                           options_.max_queued_bytes, &refusals_);
  auto& list = registry_->connections;
  std::erase_if(list, [](const auto& w) { return w.expired(); });
  list.push_back(conn);
  ++live_;
  try {
    co_await conn->run();
  } catch (const std::exception& e) {
    spdlog::warn("local connection ended: {}", e.what());
  }
  --live_;
  conn->close();
}

awaitable<void> Server::flush_refusals() {
  while (!stopped_) {
    flush_timer_.expires_after(options_.log_interval);
    co_await flush_timer_.async_wait(as_tuple(use_awaitable));
    refusals_.flush(LogLimiter::Clock::now());
  }
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  flush_timer_.cancel();
  refusals_.flush(LogLimiter::Clock::now(), /*force=*/true);
  boost::system::error_code ec;
  std::string path = options_.socket_path;
  if (acceptor_.is_open()) {
    acceptor_.close(ec);
    ::unlink(path.c_str());
  }
  for (auto& w : registry_->connections) {
    if (auto c = w.lock()) c->close();
  }
}

}  // namespace tandem::api
