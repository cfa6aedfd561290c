#include "client/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace tandem::client {

bool is_interactive(std::FILE* stream) {
  if (stream == nullptr) return false;
  const int fd = ::fileno(stream);
  if (fd < 0 || ::isatty(fd) != 1) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

int terminal_width(std::FILE* stream) {
  if (stream == nullptr) return 80;
  winsize ws{};
  if (::ioctl(::fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

bool colour_enabled(std::FILE* stream) {
  const char* no_colour = std::getenv("NO_COLOR");
  return is_interactive(stream) && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace tandem::client
