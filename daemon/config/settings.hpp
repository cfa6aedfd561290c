// One layer of tandemd settings: what a config file or the command line says, each field unset
// unless that source gave it. Config (config.hpp) is built by stacking layers over the defaults.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/config/environment.hpp"
#include "daemon/config/host_port.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::config {

struct Settings {
  std::optional<std::string> data_dir;
  std::optional<std::string> socket_path;
  std::optional<HostPort> listen;
  std::optional<bool> discovery;
  std::optional<std::vector<HostPort>> peers;
  std::optional<std::string> log_level;

  // Each field of `over` that is set replaces this one's (a list is replaced whole).
  void apply(const Settings& over);
};

// The log levels tandemd knows, lowest first.
inline constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
bool is_log_level(std::string_view level);

// The keys a config file may hold, in documentation order (tandemd.toml(5) lists each one).
inline constexpr std::string_view kConfigKeys[] = {"data_dir",  "socket", "listen",
                                                   "discovery", "peers",  "log_level"};

// Parses the TOML text of a config file. `source` names it in messages, which read
// "SOURCE:LINE: message" (kInvalidArgument) for a syntax error, an unknown key, a value of the
// wrong type or a bad value. Paths may start with "~/" (expanded with env's $HOME) and must then
// be absolute.
Result<Settings> parse_config_text(std::string_view text, const std::string& source,
                                   const Environment& env);

// Reads and parses the file at `path`. kNotFound when it does not exist; kIo when it cannot be
// read; otherwise as parse_config_text.
Result<Settings> read_config_file(const std::string& path, const Environment& env);

}  // namespace tandem::config
