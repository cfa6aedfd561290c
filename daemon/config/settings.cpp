#include "daemon/config/settings.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tandem::config {
namespace {

// "SOURCE:LINE: message" for a node (or key) toml++ located.
Error at(const std::string& source, const toml::source_region& where, const std::string& what) {
  return Error{Code::kInvalidArgument,
               source + ":" + std::to_string(where.begin.line) + ": " + what};
}

const char* type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

Result<std::string> string_of(const std::string& source, std::string_view key,
                              const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  return at(source, node.source(), std::string(key) + " must be a string, not " + type_name(node));
}

Result<std::string> path_of(const std::string& source, std::string_view key, const toml::node& node,
                            const Environment& env) {
  auto text = string_of(source, key, node);
  if (!text) return text;
  std::string path = expand_home(*text, env);
  if (!path.starts_with('/')) {
    return at(
        source, node.source(),
        std::string(key) + " must be an absolute path or start with ~/, not \"" + *text + "\"");
  }
  return path;
}

// Applies one key/value pair of the file to `out`.
Status read_key(const std::string& source, std::string_view key, const toml::node& node,
                const Environment& env, Settings& out) {
  if (key == "data_dir" || key == "socket") {
    auto path = path_of(source, key, node, env);
    if (!path) return path.error();
    (key == "data_dir" ? out.data_dir : out.socket_path) = std::move(*path);
  } else if (key == "listen") {
    auto text = string_of(source, key, node);
    if (!text) return text.error();
    auto hp = parse_listen_address(*text);
    if (!hp) return at(source, node.source(), "listen: " + hp.error().message);
    out.listen = std::move(*hp);
  } else if (key == "discovery") {
    const auto* b = node.as_boolean();
    if (b == nullptr) {
      return at(source, node.source(),
                std::string("discovery must be true or false, not ") + type_name(node));
    }
    out.discovery = b->get();
  } else if (key == "peers") {
    const auto* list = node.as_array();
    if (list == nullptr) {
      return at(
          source, node.source(),
          std::string("peers must be an array of \"HOST:PORT\" strings, not ") + type_name(node));
    }
    std::vector<HostPort> peers;
    for (const toml::node& item : *list) {
      auto text = string_of(source, "each of peers", item);
      if (!text) return text.error();
      auto hp = parse_peer_address(*text);
      if (!hp) return at(source, item.source(), "peers: " + hp.error().message);
      peers.push_back(std::move(*hp));
    }
    out.peers = std::move(peers);
  } else if (key == "log_level") {
    auto text = string_of(source, key, node);
    if (!text) return text.error();
    if (!is_log_level(*text)) {
      return at(source, node.source(),
                "log_level must be trace, debug, info, warn or error, not \"" + *text + "\"");
    }
    out.log_level = std::move(*text);
  }
  return Status::Ok();
}

}  // namespace

void Settings::apply(const Settings& over) {
  if (over.data_dir) data_dir = over.data_dir;
  if (over.socket_path) socket_path = over.socket_path;
  if (over.listen) listen = over.listen;
  if (over.discovery) discovery = over.discovery;
  if (over.peers) peers = over.peers;
  if (over.log_level) log_level = over.log_level;
}

bool is_log_level(std::string_view level) {
  return std::find(std::begin(kLogLevels), std::end(kLogLevels), level) != std::end(kLogLevels);
}

Result<Settings> parse_config_text(std::string_view text, const std::string& source,
                                   const Environment& env) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return at(source, e.source(), std::string(e.description()));
  }
  Settings out;
  for (const auto& [key, node] : table) {
    const std::string_view name = key.str();
    if (std::find(std::begin(kConfigKeys), std::end(kConfigKeys), name) == std::end(kConfigKeys)) {
      std::string known;
      for (std::string_view k : kConfigKeys) {
        if (!known.empty()) known += ", ";
        known += k;
      }
      return at(source, key.source(),
                "unknown key \"" + std::string(name) + "\" (known keys: " + known + ")");
    }
    if (auto st = read_key(source, name, node, env, out); !st.ok()) return st.error();
  }
  return out;
}

Result<Settings> read_config_file(const std::string& path, const Environment& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return Error{Code::kNotFound, path + ": no such file"};
    return Error{Code::kIo, path + ": " + std::strerror(err)};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{Code::kIo, path + ": read error"};
  return parse_config_text(text.str(), path, env);
}

}  // namespace tandem::config
