// tandem: the command-line client of tandemd (see commands.cpp for the command table).
//
// Exit codes (stable; scripts rely on them):
//   0  ok
//   1  the daemon answered with an error ("tandem: <code>: <message>" on stderr)
//   2  usage error (bad command line, bad flag value, unknown kind or enum value)
//   3  the daemon is not running or its socket is unreachable
//   4  protocol error: the daemon sent something that is not a valid response
#include "client/commands.hpp"
#include "client/dates.hpp"

int main(int argc, char** argv) {
  tandem::client::Io io;
  io.today = tandem::client::local_today();
  return tandem::client::run_cli(argc, argv, io);
}
