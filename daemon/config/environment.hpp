// The part of the process environment tandemd's defaults depend on, captured once as a value so
// that tests (and reload) see exactly the same inputs.
#pragma once

#include <optional>
#include <string>

namespace tandem::config {

struct Environment {
  std::optional<std::string> home;             // $HOME
  std::optional<std::string> xdg_config_home;  // $XDG_CONFIG_HOME
  std::optional<std::string> xdg_data_home;    // $XDG_DATA_HOME
  std::optional<std::string> xdg_runtime_dir;  // $XDG_RUNTIME_DIR
  std::optional<std::string> tandem_socket;    // $TANDEM_SOCKET
  unsigned uid = 0;                            // for the /tmp/tandem-UID fallback

  // Reads the variables above from the running process; empty variables count as unset.
  static Environment from_process();
};

// The XDG base directories. Per the XDG spec a relative value is ignored. Empty when neither
// the variable nor $HOME gives an answer.
std::string config_home(const Environment& env);  // $XDG_CONFIG_HOME else ~/.config
std::string data_home(const Environment& env);    // $XDG_DATA_HOME else ~/.local/share

// tandemd's default paths. Empty when no home directory is known.
std::string default_config_file(const Environment& env);  // CONFIG_HOME/tandem/tandemd.toml
std::string default_data_dir(const Environment& env);     // DATA_HOME/tandem
// The same rule as proto::default_socket_path(), evaluated on `env`: $TANDEM_SOCKET, else
// $XDG_RUNTIME_DIR/tandem/tandemd.sock, else /tmp/tandem-UID/tandemd.sock.
std::string default_socket_path(const Environment& env);

// "~" and "~/..." become $HOME and $HOME/...; anything else is returned unchanged.
std::string expand_home(const std::string& path, const Environment& env);

}  // namespace tandem::config
