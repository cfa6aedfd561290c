#include "proto/paths.hpp"

#include <unistd.h>

#include <cstdlib>

namespace tandem::proto {

std::string default_socket_dir() {
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) {
    return std::string(xdg) + "/tandem";
  }
  return "/tmp/tandem-" + std::to_string(getuid());
}

std::string default_socket_path() {
  if (const char* s = std::getenv("TANDEM_SOCKET"); s && *s) return s;
  return default_socket_dir() + "/tandemd.sock";
}

}  // namespace tandem::proto
