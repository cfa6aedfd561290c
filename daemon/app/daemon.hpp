// tandemd's composition root: builds the modules in numbered steps from one Config, runs the
// io_context, and shuts down in reverse order (tolerating a partial start).
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/config/config.hpp"

namespace tandem::app {

// Runs the daemon until SIGTERM or SIGINT; SIGHUP re-reads the config file and applies the log
// level, static peers and discovery live (see tandemd(8)). Tells systemd READY=1 once the API
// socket accepts connections, RELOADING=1 then READY=1 around a reload, STOPPING=1 at a stop.
// Returns the process exit code: 0 after a clean shutdown, 1 when start-up failed (the reason is
// logged).
int run_daemon(const config::Config& config);

}  // namespace tandem::app
