#include "daemon/config/config.hpp"

#include <CLI/CLI.hpp>

#include <optional>

#ifndef TANDEM_VERSION
#define TANDEM_VERSION "0.0.0"
#endif

namespace tandem::config {
namespace {

constexpr const char* kFooter =
    "Settings come from the config file, then the flags (a flag wins). The file is --config\n"
    "FILE, else $XDG_CONFIG_HOME/tandem/tandemd.toml, else ~/.config/tandem/tandemd.toml;\n"
    "see tandemd.toml(5). SIGHUP re-reads it: log_level, peers and discovery change live.\n"
    "Exit codes: 0 stopped cleanly; 1 could not start or failed; 2 bad flags or config file.";

// The command line as read by CLI11, before validation.
struct RawFlags {
  std::string config;
  std::optional<std::string> data_dir, socket, listen, log_level;
  std::vector<std::string> peers;
  bool discovery = false, no_discovery = false;
};

// The Settings layer of the flags; addresses are validated here, the rest by CLI11.
Result<Settings> flag_layer(const RawFlags& raw) {
  if (raw.discovery && raw.no_discovery) {
    return Error{Code::kInvalidArgument, "--discovery and --no-discovery contradict each other"};
  }
  Settings s;
  s.data_dir = raw.data_dir;
  s.socket_path = raw.socket;
  s.log_level = raw.log_level;
  if (raw.listen) {
    auto hp = parse_listen_address(*raw.listen);
    if (!hp) return Error{Code::kInvalidArgument, "--listen: " + hp.error().message};
    s.listen = std::move(*hp);
  }
  if (raw.discovery || raw.no_discovery) s.discovery = raw.discovery;
  if (!raw.peers.empty()) {
    std::vector<HostPort> peers;
    for (const auto& p : raw.peers) {
      auto hp = parse_peer_address(p);
      if (!hp) return Error{Code::kInvalidArgument, "--peer: " + hp.error().message};
      peers.push_back(std::move(*hp));
    }
    s.peers = std::move(peers);
  }
  return s;
}

// Defaults, then the file named by `origin`, then origin.flags. Updates origin.config_found.
Result<Config> build(Config::Origin origin) {
  Settings merged;
  if (!origin.config_file.empty()) {
    auto file = read_config_file(origin.config_file, origin.env);
    if (file) {
      merged = std::move(*file);
      origin.config_found = true;
    } else if (file.error().code == Code::kNotFound && !origin.config_required) {
      origin.config_found = false;
    } else {
      return file.error();
    }
  }
  merged.apply(origin.flags);
  Config c;
  c.data_dir = merged.data_dir.value_or(default_data_dir(origin.env));
  if (c.data_dir.empty()) {
    return Error{Code::kInvalidArgument,
                 "no data directory: $HOME is not set; give --data-dir or data_dir"};
  }
  c.socket_path = merged.socket_path.value_or(default_socket_path(origin.env));
  if (merged.listen) c.listen = *merged.listen;
  c.discovery = merged.discovery.value_or(true);
  if (merged.peers) c.peers = *merged.peers;
  c.log_level = merged.log_level.value_or("info");
  c.origin = std::move(origin);
  return c;
}

}  // namespace

Result<ParseOutcome> parse_args(int argc, const char* const* argv, const Environment& env) {
  CLI::App app{"tandemd: the tandem daemon. Keeps the couple's journal and serves the local API.",
               "tandemd"};
  app.footer(kFooter);
  RawFlags raw;
  app.add_option("--config", raw.config,
                 "Config file (default: $XDG_CONFIG_HOME/tandem/tandemd.toml)");
  app.add_option("--data-dir", raw.data_dir,
                 "Directory holding the store and keys (default: $XDG_DATA_HOME/tandem)");
  app.add_option(
      "--socket", raw.socket,
      "Local API socket (default: $TANDEM_SOCKET, $XDG_RUNTIME_DIR/tandem/tandemd.sock)");
  app.add_option("--listen", raw.listen,
                 "Address for peer connections, IP:PORT (default [::]:7470)");
  app.add_flag("--discovery", raw.discovery, "Announce and find devices on the LAN (default)");
  app.add_flag("--no-discovery", raw.no_discovery, "No LAN beacons; static peers only");
  app.add_option("--peer", raw.peers, "A static peer HOST:PORT (repeatable; replaces the file's)");
  app.add_option("--log-level", raw.log_level, "trace, debug, info, warn or error (default info)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.set_version_flag("--version", "tandemd " TANDEM_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    app.exit(e);
    ParseOutcome out;
    out.exit_now = true;
    return out;
  } catch (const CLI::ParseError& e) {
    return Error{Code::kInvalidArgument, e.what()};
  }
  auto flags = flag_layer(raw);
  if (!flags) return flags.error();
  Config::Origin origin;
  origin.config_required = !raw.config.empty();
  origin.config_file = origin.config_required ? raw.config : default_config_file(env);
  origin.flags = std::move(*flags);
  origin.env = env;
  auto config = build(std::move(origin));
  if (!config) return config.error();
  return ParseOutcome{std::move(*config), false};
}

Result<ParseOutcome> parse_args(int argc, char** argv) {
  return parse_args(argc, argv, Environment::from_process());
}

Result<Config> reload(const Config& current) {
  auto fresh = build(current.origin);
  if (!fresh) return fresh.error();
  Config next = current;
  next.origin = fresh->origin;
  next.log_level = fresh->log_level;
  next.peers = fresh->peers;
  next.discovery = fresh->discovery;
  next.needs_restart.clear();
  if (fresh->data_dir != current.data_dir) next.needs_restart.push_back("data_dir");
  if (fresh->socket_path != current.socket_path) next.needs_restart.push_back("socket");
  if (fresh->listen != current.listen) next.needs_restart.push_back("listen");
  return next;
}

}  // namespace tandem::config
