// Logging: spdlog to stderr (systemd's journal captures it). The one global in tandem.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace tandem {

// Sets up the stderr logger at `level` ("trace", "debug", "info", "warn", "error").
void init_logging(std::string_view level);

}  // namespace tandem
