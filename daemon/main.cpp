// tandemd: the tandem daemon. Runs in the foreground (systemd-friendly) and logs to stderr.
#include "daemon/app/daemon.hpp"
#include "daemon/base/log.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  auto parsed = tandem::config::parse_args(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "tandemd: %s\n", parsed.error().message.c_str());
    return 2;
  }
  if (parsed->exit_now) return 0;
  tandem::init_logging(parsed->config.log_level);
  return tandem::app::run_daemon(parsed->config);
}
