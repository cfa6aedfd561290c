// The command table and the driver: CLI11 subcommands are set up from the table, one parse
// picks the command, and its run function gets the Invocation.
#include "client/commands.hpp"

#include "client/invocation.hpp"
#include "client/render.hpp"
#include "proto/paths.hpp"

#include <kj/exception.h>
#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace tandem::client {
namespace {

const Command* const kCommands[] = {
    &kInitCommand,    &kStatusCommand,     &kAddCommand,    &kEditCommand,   &kListCommand,
    &kShowCommand,    &kRetractCommand,    &kThanksCommand, &kExportCommand, &kWatchCommand,
    &kReportCommand,  &kPairCommand,       &kPeersCommand,  &kPeerCommand,   &kDeviceCommand,
    &kCheckinCommand, &kUpcomingCommand,   &kDoctorCommand, &kBundleCommand, &kSyncCommand,
    &kUnlockCommand,  &kPassphraseCommand,
};

constexpr const char* kEpilog =
    "Exit codes: 0 ok; 1 the daemon answered with an error (or doctor found a failing check,\n"
    "or sync --wait timed out); 2 usage error; 3 the daemon is not running or the socket is\n"
    "unreachable; 4 protocol error. Progress lines appear on stderr only on a terminal.\n"
    "The socket is --socket, else $TANDEM_SOCKET, else $XDG_RUNTIME_DIR/tandem/tandemd.sock,\n"
    "else /tmp/tandem-$UID/tandemd.sock. Dates: today, yesterday, Nd (N days ago), YYYY-MM-DD.";

}  // namespace

void add_global_flags(CLI::App& app, Invocation& inv) {
  app.add_flag("--json", inv.json, "print JSON (one document; JSON lines for export and watch)");
  app.add_option("--socket", inv.socket,
                 "tandemd's socket (default: $TANDEM_SOCKET or the "
                 "per-user runtime directory)");
  app.add_flag("-q,--quiet", inv.quiet,
               "print only errors and the data asked for: no notes, no progress; "
               "add, edit, thanks and checkin print just the new entry's id");
  app.add_flag("-v,--verbose", inv.verbose,
               "also print the socket used and each request's round trip on stderr");
}

void note(const Invocation& inv, const std::string& line) {
  if (!inv.quiet) std::fprintf(inv.io.err, "%s\n", line.c_str());
}

int usage_error(const Invocation& inv, const std::string& message) {
  std::fprintf(inv.io.err, "tandem: %s\n", message.c_str());
  return kExitUsage;
}

int report(const Invocation& inv, const ClientError& error) {
  switch (error.kind) {
    case ClientError::Kind::kDaemon:
      std::fprintf(inv.io.err, "tandem: %s: %s\n", error.code.c_str(), error.message.c_str());
      return kExitDaemonError;
    case ClientError::Kind::kUnreachable:
      std::fprintf(inv.io.err,
                   "tandem: tandemd is not running (%s).\n"
                   "Start it with `tandemd --data-dir DIR` or `systemctl --user start tandemd`.\n",
                   error.message.c_str());
      return kExitUnreachable;
    case ClientError::Kind::kProtocol:
      std::fprintf(inv.io.err, "tandem: protocol error: %s\n", error.message.c_str());
      return kExitProtocol;
  }
  return kExitProtocol;
}

Result<ApiClient> connect_daemon(const Invocation& inv) {
  const std::string path = inv.socket.empty() ? proto::default_socket_path() : inv.socket;
  ApiClientOptions options;
  if (inv.verbose) {
    std::fprintf(inv.io.err, "tandem: socket %s%s\n", path.c_str(),
                 inv.socket.empty()
                     ? (std::getenv("TANDEM_SOCKET") ? " (from $TANDEM_SOCKET)" : " (the default)")
                     : " (from --socket)");
    options.trace = inv.io.err;
  }
  return ApiClient::connect(path, options);
}

std::optional<ResponseMessage> call_daemon(const Invocation& inv, capnp::MessageBuilder& message,
                                           int& exit_code) {
  auto client = connect_daemon(inv);
  if (!client.ok()) {
    exit_code = report(inv, client.error());
    return std::nullopt;
  }
  auto response = client.value().call(message);
  if (!response.ok()) {
    exit_code = report(inv, response.error());
    return std::nullopt;
  }
  return std::move(response.value());
}

void print_written(const Invocation& inv, schema::EntryView::Reader view, const char* verb) {
  if (inv.json) {
    print(inv, JsonWriter().encode(view) + "\n");
  } else if (inv.quiet) {
    print(inv, std::string(view.getId().cStr()) + "\n");
  } else {
    print(inv, std::string(verb) + " " + render_entry_line(view) + "\n");
  }
}

void print(const Invocation& inv, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), inv.io.out);
}

std::optional<std::string> resolve_note(const Invocation& inv, const std::string& positional,
                                        std::string& note) {
  if (!positional.empty() && !inv.note_flag.empty()) {
    return "give the note either as TEXT or with --note, not both";
  }
  const std::string& given = positional.empty() ? inv.note_flag : positional;
  if (given != "-") {
    note = given;
    return std::nullopt;
  }
  note.clear();
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, inv.io.in)) > 0) note.append(buf, n);
  if (!note.empty() && note.back() == '\n') note.pop_back();
  return std::nullopt;
}

namespace {

// Finds the command word (and the word after it) in argv, skipping the global options that may
// come before them. Leaves them empty if the first word is not a command.
void find_command_words(int argc, const char* const* argv, Invocation& inv) {
  std::vector<std::string_view> words;
  for (int i = 1; i < argc && words.size() < 2; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--socket") {
      ++i;
    } else if (!arg.starts_with("-")) {
      words.push_back(arg);
    }
  }
  if (words.empty()) return;
  for (const Command* command : kCommands) {
    if (words[0] == command->name) {
      inv.command_word = words[0];
      if (words.size() > 1) inv.kind_word = words[1];
    }
  }
}

}  // namespace

int run_cli(int argc, const char* const* argv, const Io& io) {
  Invocation inv;
  inv.io = io;
  find_command_words(argc, argv, inv);
  CLI::App app("tandem: a private reciprocity journal for two. Talks to the local tandemd.",
               "tandem");
  app.footer(kEpilog);
  app.require_subcommand(1);
  add_global_flags(app, inv);
  std::vector<std::pair<CLI::App*, const Command*>> subs;
  for (const Command* command : kCommands) {
    CLI::App* sub = app.add_subcommand(command->name, command->help);
    sub->footer(kEpilog);
    add_global_flags(*sub, inv);
    if (inv.command_word.empty() || inv.command_word == command->name) command->setup(*sub, inv);
    subs.emplace_back(sub, command);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    print(inv, app.help());  // the help of the deepest selected subcommand
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    print(inv, app.help("", CLI::AppFormatMode::All));
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    if (inv.command_word == "add" && !find_kind(inv.kind_word)) {
      std::string kinds;
      for (const auto& k : kind_specs()) kinds += std::string(kinds.empty() ? "" : ", ") + k.name;
      return usage_error(inv, inv.kind_word.empty() ? "add: which kind? valid kinds: " + kinds
                                                    : "add: unknown kind '" + inv.kind_word +
                                                          "'; valid kinds: " + kinds);
    }
    std::fprintf(io.err, "tandem: %s\nRun with --help for more information.\n", e.what());
    return kExitUsage;
  }
  if (inv.quiet && inv.verbose) return usage_error(inv, "give --quiet or --verbose, not both");
  try {
    for (auto& [sub, command] : subs) {
      if (!sub->parsed()) continue;
      const auto start = std::chrono::steady_clock::now();
      const int code = command->run(inv);
      if (inv.verbose) {
        std::fprintf(
            io.err, "tandem: %s done in %.1f ms, exit %d\n", command->name,
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count(),
            code);
      }
      return code;
    }
    return usage_error(inv, "no command given");
  } catch (const kj::Exception& e) {
    // A response that passed framing but breaks the schema on access (bad pointers, limits).
    std::fprintf(io.err, "tandem: protocol error: %s\n", e.getDescription().cStr());
    return kExitProtocol;
  } catch (const std::exception& e) {
    std::fprintf(io.err, "tandem: internal error: %s\n", e.what());
    return kExitProtocol;
  }
}

}  // namespace tandem::client
