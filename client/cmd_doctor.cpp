// tandem doctor: checks what a user would otherwise ask about, each finding with its fix.
#include "client/invocation.hpp"
#include "client/render.hpp"
#include "proto/paths.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>

namespace tandem::client {
namespace {

struct Finding {
  std::string check;
  std::string status;  // ok, warn, fail
  std::string detail;
  std::string fix;
};

// "ok" when `path` exists with exactly `mode` and belongs to this user.
Finding check_mode(const std::string& what, const std::string& path, mode_t mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {what, "fail", path + " is missing", ""};
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03o", st.st_mode & 0777);
  if (st.st_uid != ::geteuid())
    return {what, "fail", path + " belongs to another user", "chown it back to you"};
  if ((st.st_mode & 0777) != mode) {
    char want[8];
    std::snprintf(want, sizeof want, "%03o", mode);
    return {what, "fail", path + " has mode " + buf, std::string("chmod ") + want + " " + path};
  }
  return {what, "ok", path + " " + buf, ""};
}

// Whether something accepts TCP connections at "ADDR:PORT" (a wildcard address means loopback).
bool reachable(const std::string& hostport) {
  auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = hostport.substr(0, colon);
  const int port = std::atoi(hostport.c_str() + colon + 1);
  const bool v6 = !host.empty() && host.front() == '[';
  if (v6) host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  int rc;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET6, host.c_str(), &a.sin6_addr);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  bool ok = rc == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    ok = ::poll(&p, 1, 1000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
         err == 0;
  }
  ::close(fd);
  return ok;
}

void setup_doctor(CLI::App&, Invocation&) {}

int run_doctor(Invocation& inv) {
  std::vector<Finding> out;
  const std::string socket = inv.socket.empty() ? proto::default_socket_path() : inv.socket;
  capnp::MallocMessageBuilder sreq;
  sreq.initRoot<schema::Request>().initStatus();
  auto client = connect_daemon(inv);
  std::optional<ResponseMessage> status;
  if (client.ok()) {
    auto r = client.value().call(sreq);
    if (r.ok() && r.value().get().isStatus()) status = std::move(r.value());
  }
  if (!status) {
    out.push_back({"daemon", "fail", "tandemd is not answering on " + socket,
                   "start it: systemctl --user start tandemd (or tandemd --data-dir DIR)"});
  } else {
    out.push_back({"daemon", "ok", "tandemd answers on " + socket, ""});
    auto slash = socket.rfind('/');
    out.push_back(check_mode("socket", socket, 0600));
    if (slash != std::string::npos)
      out.push_back(check_mode("socket directory", socket.substr(0, slash), 0700));
    auto s = status->get().getStatus();
    const std::string data = s.getDataDir().cStr();
    out.push_back(check_mode("data directory", data, 0700));
    out.push_back(check_mode("keys directory", data + "/keys", 0700));
    if (s.getLocked()) {
      out.push_back(
          {"keys", "fail", "tandemd is locked: a passphrase wraps its keys", "tandem unlock"});
    } else if (!s.getInitialized()) {
      out.push_back({"journal", "warn", "this device has no journal yet",
                     "tandem init --name NAME, or tandem pair join CODE --name NAME"});
    } else {
      for (const char* k : {"storage.key", "device.sign", "device.dh", "space.key"}) {
        out.push_back(check_mode(std::string("key ") + k, data + "/keys/" + k, 0600));
      }
      if (s.getPassphrase()) {
        out.push_back({"passphrase", "ok", "a passphrase wraps the key files", ""});
      } else {
        out.push_back({"passphrase", "warn",
                       "the key files are plain: a copy of the data directory opens the journal",
                       "tandem passphrase set (tandemd then starts locked until tandem unlock)"});
      }
      const std::string listen = s.getListen().cStr();
      if (listen.empty()) {
        out.push_back({"listen", "fail", "not listening for peers",
                       "check tandemd's log and its listen address"});
      } else if (reachable(listen)) {
        out.push_back({"listen", "ok", "peers can connect to " + listen, ""});
      } else {
        out.push_back({"listen", "fail", listen + " does not accept connections",
                       "check the listen address in tandemd.toml and any firewall"});
      }
      capnp::MallocMessageBuilder preq;
      preq.initRoot<schema::Request>().initPeers();
      auto p = client.value().call(preq);
      if (p.ok() && p.value().get().isPeers()) {
        auto devs = p.value().get().getPeers().getDevices();
        if (devs.size() == 0) {
          out.push_back(
              {"peers", "warn", "no other device yet", "tandem pair invite, on this device"});
        }
        const auto now = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
        for (auto d : devs) {
          std::string name =
              std::string(d.getDeviceName().cStr()) + " (" + d.getMemberName().cStr() + ")";
          if (d.getRevoked()) continue;
          if (d.getConnected()) {
            out.push_back({"peer " + name, "ok",
                           "connected, round trip " + std::to_string(d.getRttMs()) + " ms", ""});
            const auto skew = d.getClockSkewMs();
            if (skew > 120000 || skew < -120000) {
              out.push_back(
                  {"clock " + name, "warn",
                   "clocks differ by about " + std::to_string(skew / 1000) + " s",
                   "turn on time synchronisation (systemd-timesyncd or chrony) on both devices"});
            }
          } else if (d.getLastSeen() == 0) {
            out.push_back({"peer " + name, "warn", "never seen",
                           "start tandemd there; on another network: tandem peer add HOST:PORT"});
          } else {
            const auto ago = (now - static_cast<std::int64_t>(d.getLastSeen())) / 60000;
            out.push_back({"peer " + name, ago > 7 * 24 * 60 ? "warn" : "ok",
                           "last seen " + std::to_string(ago) + " minutes ago", ""});
          }
        }
      }
    }
    struct statvfs vfs {};
    if (::statvfs(data.c_str(), &vfs) == 0) {
      const auto free_mb =
          static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize / (1024 * 1024);
      const bool low = free_mb < 100;
      out.push_back({"disk", low ? "warn" : "ok", std::to_string(free_mb) + " MB free for " + data,
                     low ? "free some space: writes fail cleanly when the disk is full" : ""});
    }
  }
  bool failed = false;
  if (inv.json) {
    std::string json = "{\"findings\":[";
    for (std::size_t i = 0; i < out.size(); ++i) {
      auto esc = [](const std::string& v) {
        std::string r;
        for (char c : v) {
          if (c == '"' || c == '\\') r += '\\';
          r += c;
        }
        return r;
      };
      json += (i ? "," : "") + std::string("{\"check\":\"") + esc(out[i].check) +
              "\",\"status\":\"" + out[i].status + "\",\"detail\":\"" + esc(out[i].detail) +
              "\",\"fix\":\"" + esc(out[i].fix) + "\"}";
    }
    print(inv, json + "]}\n");
  }
  for (const auto& f : out) {
    failed |= f.status == "fail";
    if (inv.json) continue;
    std::string line = (f.status == "ok"     ? "  ok    "
                        : f.status == "warn" ? "  warn  "
                                             : "  FAIL  ") +
                       f.check + ": " + f.detail + "\n";
    if (!f.fix.empty()) line += "        fix: " + f.fix + "\n";
    print(inv, line);
  }
  return failed ? kExitDaemonError : kExitOk;
}

}  // namespace

const Command kDoctorCommand{"doctor",
                             "check the daemon, permissions, keys, peers and disk, with fixes",
                             setup_doctor, run_doctor};

}  // namespace tandem::client
