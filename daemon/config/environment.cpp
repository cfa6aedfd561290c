#include "daemon/config/environment.hpp"

#include <unistd.h>

#include <cstdlib>

namespace tandem::config {
namespace {

std::optional<std::string> var(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// An XDG variable counts only when absolute.
std::optional<std::string> absolute(const std::optional<std::string>& v) {
  if (v && v->starts_with('/')) return v;
  return std::nullopt;
}

}  // namespace

Environment Environment::from_process() {
  Environment env;
  env.home = var("HOME");
  env.xdg_config_home = var("XDG_CONFIG_HOME");
  env.xdg_data_home = var("XDG_DATA_HOME");
  env.xdg_runtime_dir = var("XDG_RUNTIME_DIR");
  env.tandem_socket = var("TANDEM_SOCKET");
  env.uid = ::getuid();
  return env;
}

std::string config_home(const Environment& env) {
  if (auto x = absolute(env.xdg_config_home)) return *x;
  return env.home ? *env.home + "/.config" : "";
}

std::string data_home(const Environment& env) {
  if (auto x = absolute(env.xdg_data_home)) return *x;
  return env.home ? *env.home + "/.local/share" : "";
}

std::string default_config_file(const Environment& env) {
  const std::string base = config_home(env);
  return base.empty() ? "" : base + "/tandem/tandemd.toml";
}

std::string default_data_dir(const Environment& env) {
  const std::string base = data_home(env);
  return base.empty() ? "" : base + "/tandem";
}

std::string default_socket_path(const Environment& env) {
  if (env.tandem_socket) return *env.tandem_socket;
  if (env.xdg_runtime_dir) return *env.xdg_runtime_dir + "/tandem/tandemd.sock";
  return "/tmp/tandem-" + std::to_string(env.uid) + "/tandemd.sock";
}

std::string expand_home(const std::string& path, const Environment& env) {
  if (!env.home || path.empty() || path[0] != '~') return path;
  if (path.size() == 1) return *env.home;
  if (path[1] == '/') return *env.home + path.substr(1);
  return path;  // ~user is not ours to resolve
}

}  // namespace tandem::config
