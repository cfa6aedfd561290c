// tandem doctor: checks what a user would otherwise ask about, each finding with its fix.
#include "client/doctor_findings.hpp"
#include "client/doctor_local.hpp"
#include "client/invocation.hpp"
#include "client/render.hpp"
#include "proto/paths.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace tandem::client {
namespace {

using doctor::Finding;
using doctor::Level;

constexpr const char* kStartFix =
    "start it: systemctl --user start tandemd (or tandemd --data-dir DIR)";

// The checks that need tandemd's answers (`s`, its status, and `client` for its peers): its
// socket, the data directory it reports, keys, listener and peers. Appends to `out`.
void check_daemon(ApiClient& client, schema::Status::Reader s, const std::string& socket,
                  std::vector<Finding>& out) {
  const std::string data = s.getDataDir().cStr();
  const std::string restart = "restart tandemd: it recreates " + socket;
  out.push_back(doctor::check_mode("socket", socket, 0600, restart));
  if (auto slash = socket.rfind('/'); slash != std::string::npos && slash > 0) {
    out.push_back(doctor::check_mode("socket directory", socket.substr(0, slash), 0700, restart));
  }
  out.push_back(doctor::check_mode("data directory", data, 0700,
                                   "restore " + data + " from a backup, then restart tandemd"));
  out.push_back(
      doctor::check_mode("keys directory", data + "/keys", 0700,
                         "restore " + data + "/keys from a backup, then restart tandemd"));
  if (s.getLocked()) {
    out.push_back(
        {"keys", Level::kFail, "tandemd is locked: a passphrase wraps its keys", "tandem unlock"});
    return;
  }
  if (!s.getInitialized()) {
    out.push_back({"journal", Level::kWarn, "this device has no journal yet",
                   "tandem init --name NAME, or tandem pair join CODE --name NAME"});
    return;
  }
  for (const char* k : {"storage.key", "device.sign", "device.dh", "space.key"}) {
    out.push_back(doctor::check_mode(std::string("key ") + k, data + "/keys/" + k, 0600,
                                     "restore " + data + "/keys from a backup of this device"));
  }
  if (s.getPassphrase()) {
    out.push_back({"passphrase", Level::kOk, "a passphrase wraps the key files", ""});
  } else {
    out.push_back({"passphrase", Level::kWarn,
                   "the key files are plain: a copy of the data directory opens the journal",
                   "tandem passphrase set (tandemd then starts locked until tandem unlock)"});
  }
  const std::string listen = s.getListen().cStr();
  out.push_back(doctor::listen_finding(listen, !listen.empty() && doctor::reachable(listen)));

  capnp::MallocMessageBuilder preq;
  preq.initRoot<schema::Request>().initPeers();
  auto p = client.call(preq);
  if (!p.ok() || !p.value().get().isPeers()) return;
  auto devs = p.value().get().getPeers().getDevices();
  if (devs.size() == 0) {
    out.push_back(
        {"peers", Level::kWarn, "no other device yet", "tandem pair invite, on this device"});
  }
  const auto now = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
  for (auto d : devs) {
    if (d.getRevoked()) continue;
    const std::string name =
        std::string(d.getDeviceName().cStr()) + " (" + d.getMemberName().cStr() + ")";
    out.push_back(doctor::peer_finding(name, d.getConnected(), d.getRttMs(), d.getLastSeen(), now));
    if (d.getConnected()) out.push_back(doctor::clock_finding(name, d.getClockSkewMs()));
  }
}

// The checks of a data directory tandemd is not running on (or not answering for).
void check_offline_data(const std::string& data, std::vector<Finding>& out) {
  if (data.empty()) {
    out.push_back({"data directory", Level::kWarn, "neither $XDG_DATA_HOME nor $HOME is set",
                   "tandem doctor --data-dir DIR, with the directory tandemd uses"});
    return;
  }
  struct stat st {};
  if (::stat(data.c_str(), &st) != 0) {
    out.push_back({"data directory", Level::kWarn,
                   "no " + data + ": tandemd has not run with it yet",
                   "start tandemd (it creates " + data +
                       "), or tandem doctor --data-dir DIR if tandemd uses another"});
    return;
  }
  out.push_back(
      doctor::check_mode("data directory", data, 0700, "restore " + data + " from a backup"));
  const std::string keys = data + "/keys";
  out.push_back(doctor::check_mode("keys directory", keys, 0700,
                                   "restore " + keys +
                                       " from a backup, or start tandemd on a new "
                                       "data directory and pair it again"));
  for (auto& f : doctor::check_files_in(keys, 0600)) out.push_back(std::move(f));
}

void print_findings(const Invocation& inv, const std::vector<Finding>& out) {
  if (inv.json) {
    auto esc = [](const std::string& v) {
      std::string r;
      for (char c : v) {
        if (static_cast<unsigned char>(c) < 0x20) {
          char u[8];
          std::snprintf(u, sizeof u, "\\u%04x", static_cast<unsigned>(c));
          r += u;
          continue;
        }
        if (c == '"' || c == '\\') r += '\\';
        r += c;
      }
      return r;
    };
    std::string json = "{\"findings\":[";
    for (std::size_t i = 0; i < out.size(); ++i) {
      json += (i ? "," : "") + std::string("{\"check\":\"") + esc(out[i].check) +
              "\",\"status\":\"" + doctor::level_name(out[i].level) + "\",\"detail\":\"" +
              esc(out[i].detail) + "\",\"fix\":\"" + esc(out[i].fix) + "\"}";
    }
    print(inv, json + "]}\n");
    return;
  }
  for (const auto& f : out) {
    std::string line = (f.level == Level::kOk     ? "  ok    "
                        : f.level == Level::kWarn ? "  warn  "
                                                  : "  FAIL  ") +
                       f.check + ": " + f.detail + "\n";
    if (!f.fix.empty()) line += "        fix: " + f.fix + "\n";
    print(inv, line);
  }
}

void setup_doctor(CLI::App& app, Invocation& inv) {
  app.add_option("--data-dir", inv.data_dir,
                 "the data directory to check when tandemd does not answer (default: the "
                 "config file's data_dir, else $XDG_DATA_HOME/tandem)");
  app.add_option("--config", inv.config_file,
                 "the config file to check (default: $XDG_CONFIG_HOME/tandem/tandemd.toml)");
}

int run_doctor(Invocation& inv) {
  std::vector<Finding> out;
  const bool explicit_config = !inv.config_file.empty();
  const auto conf = doctor::check_config(
      explicit_config ? inv.config_file : doctor::default_config_file(), explicit_config, out);
  // tandemd's own order: its config file's socket wins over $TANDEM_SOCKET and the default.
  if (inv.socket.empty() && !conf.socket.empty()) inv.socket = conf.socket;
  const std::string socket = inv.socket.empty() ? proto::default_socket_path() : inv.socket;

  capnp::MallocMessageBuilder sreq;
  sreq.initRoot<schema::Request>().initStatus();
  auto client = connect_daemon(inv);
  std::optional<ResponseMessage> status;
  if (client.ok()) {
    auto r = client.value().call(sreq);
    if (r.ok() && r.value().get().isStatus()) status = std::move(r.value());
  }
  std::string data;
  if (status) {
    out.push_back({"daemon", Level::kOk, "tandemd answers on " + socket, ""});
    auto s = status->get().getStatus();
    data = s.getDataDir().cStr();
    check_daemon(client.value(), s, socket, out);
  } else {
    out.push_back({"daemon", Level::kFail, "tandemd is not answering on " + socket, kStartFix});
    data = !inv.data_dir.empty()    ? inv.data_dir
           : !conf.data_dir.empty() ? conf.data_dir
                                    : doctor::default_data_dir();
    // A socket directory others can enter, or another user's, is worth knowing before a start.
    struct stat st {};
    if (auto slash = socket.rfind('/'); slash != std::string::npos && slash > 0 &&
                                        ::stat(socket.substr(0, slash).c_str(), &st) == 0) {
      out.push_back(doctor::check_mode("socket directory", socket.substr(0, slash), 0700, ""));
    }
    check_offline_data(data, out);
  }
  if (auto disk = doctor::check_disk(data)) out.push_back(std::move(*disk));

  print_findings(inv, out);
  const bool failed =
      std::any_of(out.begin(), out.end(), [](const Finding& f) { return f.level == Level::kFail; });
  return failed ? kExitDaemonError : kExitOk;
}

}  // namespace

const Command kDoctorCommand{
    "doctor", "check the config, daemon, permissions, keys, peers and disk, with fixes",
    setup_doctor, run_doctor};

}  // namespace tandem::client
