// Where tandemd's local socket lives by default: shared by the daemon and every client.
#pragma once

#include <string>

namespace tandem::proto {

// $TANDEM_SOCKET if set; else $XDG_RUNTIME_DIR/tandem/tandemd.sock; else
// /tmp/tandem-<uid>/tandemd.sock (the daemon creates that directory 0700 and refuses one it does
// not own).
std::string default_socket_path();

// The directory that holds default_socket_path() when neither override is set.
std::string default_socket_dir();

}  // namespace tandem::proto
