// Internal to the commands: the state one run of the CLI works on, and the command table's row
// type. One Invocation is built by run_cli and borrowed by every command's setup and run.
#pragma once

#include "client/api_client.hpp"
#include "client/commands.hpp"
#include "client/entry_flags.hpp"
#include "client/progress.hpp"

#include <CLI/App.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tandem::client {

struct Invocation {
  Io io;
  // The command words of argv (the command, then for add its kind), found before parsing so
  // that only the chosen command declares its options: start-up stays cheap. Empty when argv
  // names no known command; then every command is set up in full.
  std::string command_word, kind_word;

  bool json = false;
  bool quiet = false;    // --quiet: nothing on stderr but errors; no progress; ids for writes
  bool verbose = false;  // --verbose: the socket used and each request's time, on stderr
  std::string socket;    // empty: proto::default_socket_path()

  // Positional arguments and options of whichever command runs; each command reads its own.
  std::string id;                               // show, edit, retract
  std::vector<std::string> args;                // TEXT; thanks: IDs then TEXT
  std::string note_flag;                        // --note (may be "-": stdin)
  std::string reason;                           // --reason
  std::string name, device_name, partner_name;  // init
  std::string kind, dimension, by, since, until, cursor, visibility;
  std::uint32_t limit = 0;
  bool all = false;
  bool include_retracted = false;
  std::string window, html_path;         // report
  std::vector<std::string> dimensions;   // report
  bool include_private = false;          // report
  bool as_device = false;                // pair invite
  bool wait = false;                     // sync --wait
  std::uint32_t timeout_seconds = 0;     // pair
  std::string code, address, peer_verb;  // pair join, peer
  std::string device;                    // device revoke
  std::string passphrase_verb;           // passphrase set|remove
  CLI::App* pair_invite = nullptr;       // set up by pair: which subcommand ran
  std::string for_device, file;          // bundle
  CLI::App* bundle_export = nullptr;     // set up by bundle: which subcommand ran
  std::string data_dir, config_file;     // doctor
  FlagValues flags;                      // kind flags of add and edit
  const KindSpec* add_kind = nullptr;
};

// A row of the command table: `setup` declares the command's options on its CLI11 subcommand,
// binding them to `inv`; `run` executes it after a successful parse and returns an ExitCode.
struct Command {
  const char* name;
  const char* help;
  void (*setup)(CLI::App& app, Invocation& inv);
  int (*run)(Invocation& inv);
};

// Declares one kind flag on `app`, collecting its values into inv.flags[flag.name] (add, edit
// and checkin share the flag table).
void declare_flag(CLI::App& app, Invocation& inv, const FlagSpec& flag);

// Declares --json, --socket, --quiet and --verbose on `app` (every command takes them).
void add_global_flags(CLI::App& app, Invocation& inv);

// Whether a command may show progress (client/progress.hpp) and other notes meant for a person
// at a terminal: not under --quiet. Progress also checks that stderr is a terminal itself.
inline bool progress_allowed(const Invocation& inv) {
  return !inv.quiet;
}

// Prints `line` and a newline on stderr unless --quiet: the informational notes of a command
// ("no entries", "wrote FILE"), never its data and never an error.
void note(const Invocation& inv, const std::string& line);

// Prints "tandem: <message>" to stderr and returns kExitUsage.
int usage_error(const Invocation& inv, const std::string& message);

// Reports `error` on stderr in the documented form and returns its exit code.
int report(const Invocation& inv, const ClientError& error);

// Connects to the daemon at inv.socket (or the default path).
Result<ApiClient> connect_daemon(const Invocation& inv);

// Sends the request in `message` and waits for its response.
// On failure, reports it and sets `exit_code`; returns nullopt.
std::optional<ResponseMessage> call_daemon(const Invocation& inv, capnp::MessageBuilder& message,
                                           int& exit_code);

// Prints an entry just written (added, edited, thanks, checkin): its JSON with --json, its id
// alone with --quiet, else "<verb> <entry line>".
void print_written(const Invocation& inv, schema::EntryView::Reader view, const char* verb);

// Writes `text` to stdout as is.
void print(const Invocation& inv, const std::string& text);

// The note from TEXT (`positional`), or --note; "-" in either reads all of stdin (one trailing
// newline dropped). Giving both is a usage error (returned as a message).
std::optional<std::string> resolve_note(const Invocation& inv, const std::string& positional,
                                        std::string& note);

// Command rows, by file.
extern const Command kInitCommand, kStatusCommand, kAddCommand, kEditCommand, kListCommand,
    kShowCommand, kRetractCommand, kThanksCommand, kExportCommand, kWatchCommand, kReportCommand,
    kPairCommand, kPeersCommand, kPeerCommand, kDeviceCommand, kUnlockCommand, kPassphraseCommand,
    kDoctorCommand, kCheckinCommand, kUpcomingCommand, kBundleCommand, kSyncCommand;

}  // namespace tandem::client
