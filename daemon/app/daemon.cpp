#include "daemon/app/daemon.hpp"

#include "daemon/api/server.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/network.hpp"
#include "daemon/app/service.hpp"
#include "daemon/app/unlock_gate.hpp"
#include "daemon/base/log.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/store/committer.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/keyring.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstring>

namespace tandem::app {

namespace {

// Tells systemd (Type=notify) about readiness, reloads and shutdown; harmless when not run by
// systemd (sd_notify does nothing without $NOTIFY_SOCKET).
void notify(const char* state) {
  sd_notify(0, state);
}

// An flock on DATA_DIR/tandemd.lock: one daemon per data directory.
class DirLock {
 public:
  static Result<DirLock> take(const std::string& dir) {
    std::string path = dir + "/tandemd.lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Error{Code::kIo, "cannot open " + path + ": " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Error{Code::kUnavailable, "another tandemd is already running on " + dir};
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0 && ::write(fd, pid.data(), pid.size()) < 0) {
      // The pid is informative only.
    }
    return DirLock(fd);
  }
  DirLock(DirLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  DirLock(const DirLock&) = delete;
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

Result<crypto::SymmetricKey> storage_key(const store::KeyRing& keys) {
  auto key = keys.read<32>("storage.key");
  if (key || key.error().code != Code::kNotFound) return key;
  crypto::SymmetricKey fresh;
  crypto::random_fill({fresh.data(), fresh.size()});
  if (auto st = keys.write("storage.key", fresh); !st) return st.error();
  return fresh;
}

std::vector<std::string> peer_texts(const config::Config& config) {
  std::vector<std::string> out;
  for (const auto& p : config.peers) out.push_back(p.to_string());
  return out;
}

// Once shutdown has begun, another SIGTERM or SIGINT (a second Ctrl-C, a service manager that
// repeats itself) changes nothing: without this, the default action would kill the process
// once the signal_set is gone, in the last moments of a clean exit.
void ignore_further_stop_signals(asio::signal_set& signals) {
  boost::system::error_code ec;
  signals.clear(ec);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
}

// SIGHUP, on the io_context thread (the signal_set's handler), which owns `network`: re-reads
// the config file and applies what may change live: the log level, and the static peers and
// discovery of `network` (null while locked: the network is built later from `running`). What
// needs a restart is logged in one line naming the options. On success `running` becomes the new
// Config; a file that fails (FILE:LINE: message) leaves everything as it was.
void reload_config(config::Config& running, Network* network) {
  notify("RELOADING=1");
  auto next = config::reload(running);
  if (!next) {
    spdlog::error("reload refused, keeping the running configuration: {}", next.error().message);
    notify("READY=1");
    return;
  }
  spdlog::set_level(spdlog::level::from_str(next->log_level));
  if (!next->needs_restart.empty()) {
    std::string names;
    for (const auto& n : next->needs_restart) names += (names.empty() ? "" : ", ") + n;
    spdlog::warn(
        "needs a restart to take effect: {} (changed in the config file; the running "
        "value stays until then)",
        names);
  }
  if (network) network->reconfigure(peer_texts(*next), next->discovery);
  running = std::move(*next);
  spdlog::info("configuration reloaded (log level {}, discovery {}, {} static peer{})",
               running.log_level, running.discovery ? "on" : "off", running.peers.size(),
               running.peers.size() == 1 ? "" : "s");
  notify("READY=1");
}

}  // namespace

int run_daemon(const config::Config& config) {
  // What SIGHUP may change (log level, peers, discovery) is read from here, never from `config`.
  config::Config running = config;
  // 1. The data directory and its lock.
  if (auto st = store::ensure_private_dir(config.data_dir); !st) {
    spdlog::error("{}", st.error().message);
    return 1;
  }
  auto lock = DirLock::take(config.data_dir);
  if (!lock) {
    spdlog::error("{}", lock.error().message);
    return 1;
  }
  // 2. Keys.
  const std::string keys_dir = config.data_dir + "/keys";
  if (auto st = store::ensure_private_dir(keys_dir); !st) {
    spdlog::error("{}", st.error().message);
    return 1;
  }
  auto keys = store::KeyRing::open(keys_dir);
  if (!keys) {
    spdlog::error("keys: {}", keys.error().message);
    return 1;
  }
  // 3. The io_context and the local API, behind the gate that keeps it locked until `unlock`
  // when a passphrase wraps the keys.
  asio::io_context io(1);
  // Signals are caught from here on (asio queues them until the wait below), so a SIGHUP or
  // SIGTERM that arrives while the daemon starts never falls to the default action.
  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  bool stop_requested = false;
  UnlockGate gate(*keys, config.data_dir, [&io] { io.stop(); });
  auto server = api::Server::listen(io, gate, {config.socket_path});
  if (!server) {
    spdlog::error("{}", server.error().message);
    return 1;
  }
  asio::co_spawn(io, (*server)->run(), asio::detached);
  ::signal(SIGPIPE, SIG_IGN);
  if (keys->locked()) {
    // Locked: the socket answers status and unlock only, no peer is served, until the
    // passphrase arrives (or a signal stops the daemon).
    std::function<void(const boost::system::error_code&, int)> while_locked;
    while_locked = [&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload_config(running, nullptr);
        signals.async_wait(while_locked);
        return;
      }
      spdlog::info("received signal {}, shutting down", sig);
      notify("STOPPING=1");
      stop_requested = true;
      io.stop();
    };
    signals.async_wait(while_locked);
    spdlog::info(
        "tandemd locked: the keys are wrapped by a passphrase; run `tandem unlock` (socket {})",
        config.socket_path);
    notify("READY=1\nSTATUS=locked: waiting for tandem unlock");
    io.run();
    signals.cancel();  // the locked handler is done with; the running one waits below
    if (stop_requested) {
      ignore_further_stop_signals(signals);
      (*server)->stop();
      spdlog::info("tandemd stopped");
      return 0;
    }
    io.restart();
  }
  auto skey = storage_key(*keys);
  if (!skey) {
    spdlog::error("storage key: {}", skey.error().message);
    return 1;
  }
  // 4. The store.
  auto store = store::Store::open(config.data_dir + "/store", std::move(*skey));
  if (!store) {
    spdlog::error("store: {}", store.error().message);
    return 1;
  }
  // 5. The group committer.
  SystemClock clock;
  store::Committer committer(**store,
                             [&io](std::function<void()> fn) { asio::post(io, std::move(fn)); });
  // 6. The journal.
  Journal journal(**store, committer, clock, *keys, config.data_dir);
  if (auto st = journal.load(); !st) {
    spdlog::error("loading the journal: {}", st.error().message);
    return 1;
  }
  // 7. The network: peers, discovery, pairing (listening starts once a space exists).
  NetworkOptions net;
  net.listen = config.listen.to_string();
  net.discovery = running.discovery;
  net.peers = peer_texts(running);
  Network network(io, **store, committer, journal, clock, *keys, net);
  if (auto st = network.start(); !st) {
    spdlog::error("cannot listen for peers on {}: {}", net.listen, st.error().message);
    return 1;
  }
  journal.set_on_append([&network] { network.records_added(); });
  Bundles bundles(io, **store, committer, journal, network, *keys);
  Service service(journal, network, bundles);
  // The gate opens: every request now reaches the service.
  gate.open(service);
  // 8. Signals: SIGTERM and SIGINT stop; SIGHUP reloads what may change live.
  std::function<void(const boost::system::error_code&, int)> on_signal;
  on_signal = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      reload_config(running, &network);
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("received signal {}, shutting down", sig);
    notify("STOPPING=1");
    bundles.stop();
    network.stop();
    (*server)->stop();
    committer.stop();
    io.stop();
  };
  signals.async_wait(on_signal);
  spdlog::info("tandemd ready: data {} socket {}", config.data_dir, config.socket_path);
  notify("READY=1\nSTATUS=serving");
  io.run();
  ignore_further_stop_signals(signals);
  // Shutdown in reverse: the server and the network are closed; the committer finishes what it
  // had and joins; then the store and the lock go with their owners.
  bundles.stop();
  network.stop();
  (*server)->stop();
  committer.stop();
  spdlog::info("tandemd stopped");
  return 0;
}

}  // namespace tandem::app
