// tandemd's configuration: defaults, then the config file, then the command line, into one
// immutable Config. See tandemd(8) and tandemd.toml(5) (packaging/man/) for the user's view.
//
// Precedence, lowest first: built-in defaults (XDG paths from the environment), the config file
// (--config FILE, else $XDG_CONFIG_HOME/tandem/tandemd.toml, else ~/.config/tandem/tandemd.toml;
// a missing default file is fine, a missing --config file is an error), then flags.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/config/environment.hpp"
#include "daemon/config/host_port.hpp"
#include "daemon/config/settings.hpp"

#include <string>
#include <vector>

namespace tandem::config {

// The default port for peer connections.
inline constexpr std::uint16_t kDefaultPort = 7470;

// A Config is a value, built only by parse_args() and reload() and then passed by const
// reference; nothing mutates one in place. A SIGHUP builds a new one with reload().
struct Config {
  std::string data_dir;     // store, keys and lock; default $XDG_DATA_HOME/tandem
  std::string socket_path;  // the local API socket; default proto::default_socket_path()'s rule
  HostPort listen{"::", kDefaultPort, true};  // where peers connect to this device
  bool discovery = true;                      // LAN beacons on/off
  std::vector<HostPort> peers;                // static peers, tried besides discovered ones
  std::string log_level = "info";

  // Where this Config came from, kept so that reload() can redo the same steps.
  struct Origin {
    std::string config_file;       // the file read, or that would be read if it existed
    bool config_required = false;  // named with --config: its absence is an error
    bool config_found = false;     // the file existed and was read
    Settings flags;                // the command line's layer, reapplied over the file
    Environment env;
  };
  Origin origin;

  // After reload(): the keys whose value in the file changed but only take effect at the next
  // start (data_dir, socket, listen). The daemon logs them. Empty after parse_args().
  std::vector<std::string> needs_restart;
};

// Parses tandemd's command line and config file with the process environment.
// On --help or --version the text is printed and exit_now is set. A bad flag, or a config file
// with a syntax error, an unknown key or a bad value, is kInvalidArgument with a message for the
// user (file problems read "FILE:LINE: message"); an unreadable file is kIo.
struct ParseOutcome {
  Config config;
  bool exit_now = false;  // --help or --version was printed
};
Result<ParseOutcome> parse_args(int argc, char** argv);

// The same, with an explicit environment (tests).
Result<ParseOutcome> parse_args(int argc, const char* const* argv, const Environment& env);

// Re-reads the config file for SIGHUP and returns the Config to run with from now on.
// What changes live: log_level, peers and discovery (file values, unless a flag pinned them).
// data_dir, socket and listen keep their running values; a changed one is listed in
// needs_restart. A file that disappeared falls back to the defaults (unless it was given with
// --config). Fails, leaving the caller on `current`, exactly as parse_args would fail on the file.
Result<Config> reload(const Config& current);

}  // namespace tandem::config
