// Fuzzes tandemd's config file: any text through config::parse_config_text (toml++ and every
// key's validation) with a fixed environment, and the HOST:PORT parsers it uses. Errors must be
// kInvalidArgument and name the file and line; accepted values must be valid and survive a
// round trip through their written form.
#include "daemon/config/settings.hpp"

#include <cstdlib>
#include <string>
#include <string_view>

using namespace tandem;
using namespace tandem::config;

namespace {

void check_listen(const HostPort& hp) {
  auto again = parse_listen_address(hp.to_string());
  if (!again || !(*again == hp)) std::abort();
}

void check_peer(const HostPort& hp) {
  if (hp.port == 0 || hp.host.empty()) std::abort();
  auto again = parse_peer_address(hp.to_string());
  if (!again || !(*again == hp)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Environment env;
  env.home = "/home/sam";
  env.uid = 1000;

  auto settings = parse_config_text(text, "fuzz.toml", env);
  if (!settings) {
    const auto& e = settings.error();
    if (e.code != Code::kInvalidArgument || e.message.rfind("fuzz.toml:", 0) != 0) std::abort();
  } else {
    if (settings->data_dir && !settings->data_dir->starts_with('/')) std::abort();
    if (settings->socket_path && !settings->socket_path->starts_with('/')) std::abort();
    if (settings->log_level && !is_log_level(*settings->log_level)) std::abort();
    if (settings->listen) check_listen(*settings->listen);
    if (settings->peers) {
      for (const auto& p : *settings->peers) check_peer(p);
    }
  }

  if (auto hp = parse_listen_address(text)) check_listen(*hp);
  if (auto hp = parse_peer_address(text)) check_peer(*hp);
  return 0;
}
