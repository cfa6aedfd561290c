#include "daemon/config/config.hpp"

#include "proto/paths.hpp"

#include <CLI/CLI.hpp>

namespace tandem::config {

Result<ParseOutcome> parse_args(int argc, char** argv) {
  CLI::App app{"tandemd: the tandem daemon. Keeps the couple's journal and serves the local API."};
  ParseOutcome out;
  app.add_option("--data-dir", out.config.data_dir, "Directory holding the store and keys")
      ->required();
  app.add_option("--socket", out.config.socket_path,
                 "Local API socket (default: $TANDEM_SOCKET, $XDG_RUNTIME_DIR/tandem/tandemd.sock)");
  app.add_option("--log-level", out.config.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.set_version_flag("--version", "tandemd 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    app.exit(e);
    out.exit_now = true;
    return out;
  } catch (const CLI::ParseError& e) {
    return Error{Code::kInvalidArgument, e.what()};
  }
  if (out.config.socket_path.empty()) out.config.socket_path = proto::default_socket_path();
  return out;
}

}  // namespace tandem::config
