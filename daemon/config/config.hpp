// tandemd's configuration: flags (and, later, the config file) into one immutable Config.
#pragma once

#include "daemon/base/result.hpp"

#include <string>
#include <vector>

namespace tandem::config {

struct Config {
  std::string data_dir;     // required
  std::string socket_path;  // default: proto::default_socket_path()
  std::string log_level = "info";
};

// Parses tandemd's command line. kInvalidArgument with a message for the user on a bad flag;
// `help` is set (and the Result is an error with code kNotFound) when --help/--version printed.
struct ParseOutcome {
  Config config;
  bool exit_now = false;  // --help or --version was printed
};
Result<ParseOutcome> parse_args(int argc, char** argv);

}  // namespace tandem::config
