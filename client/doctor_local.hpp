// The checks `tandem doctor` makes on this machine without asking tandemd: file modes, the
// config file, free space and whether a TCP address accepts connections. They run whether or not
// the daemon answers, so a stopped daemon still gets its data directory and config checked.
#pragma once

#include "client/doctor_findings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tandem::client::doctor {

// `path` must exist with exactly `mode` and belong to this user. Fails with a chmod or chown fix;
// when `path` is missing, fails with `missing_fix` (which must say how to get it back).
Finding check_mode(const std::string& what, const std::string& path, unsigned mode,
                   const std::string& missing_fix);

// Every regular file in `dir` must have `mode` and belong to this user: one finding per file
// ("key NAME"), or nothing when `dir` cannot be read (check_mode reports the directory).
std::vector<Finding> check_files_in(const std::string& dir, unsigned mode);

// The disk finding of the file system holding `path` (or its nearest existing parent); nullopt
// when not even "/" can be measured.
std::optional<Finding> check_disk(const std::string& path);

// Whether something accepts TCP connections at "ADDR:PORT" or "[ADDR]:PORT" within one second;
// a wildcard address is tried on loopback.
bool reachable(const std::string& hostport);

// What the config file says about where tandemd keeps things (each empty when it does not say).
struct ConfigPaths {
  std::string data_dir, socket;
};

// The config file tandemd reads by default, as tandemd(8) documents it: $XDG_CONFIG_HOME (when
// absolute), else $HOME/.config, then /tandem/tandemd.toml. Empty without either variable.
std::string default_config_file();

// The data directory tandemd uses by default: $XDG_DATA_HOME (when absolute), else
// $HOME/.local/share, then /tandem. Empty without either variable.
std::string default_data_dir();

// Checks that the config file at `path` parses as TOML and holds only keys tandemd knows, with
// data_dir and socket strings ("~/" expanded). A missing file is ok unless `explicit_path` (the
// user named it). Appends the finding to `out`; returns the paths it names.
ConfigPaths check_config(const std::string& path, bool explicit_path, std::vector<Finding>& out);

}  // namespace tandem::client::doctor
