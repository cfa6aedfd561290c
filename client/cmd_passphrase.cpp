// tandem unlock, tandem passphrase set|remove: the passphrase that wraps this device's key files.
// A passphrase is read from the terminal without echo, or as one line of standard input when that
// is not a terminal (`printf '%s\n' "$PASS" | tandem unlock`); never from the command line, where
// other users could read it in the process list.
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <termios.h>
#include <unistd.h>

#include <cstring>

namespace tandem::client {
namespace {

// One line from `in`, without its newline; nullopt at end of input. On a terminal the echo is
// off while it is typed.
std::optional<std::string> read_secret(const Invocation& inv, const char* prompt) {
  const int fd = ::fileno(inv.io.in);
  const bool tty = fd >= 0 && ::isatty(fd);
  termios saved{};
  if (tty) {
    // Echo off before the prompt shows: a passphrase typed the moment the prompt appears must be
    // neither echoed nor dropped (turning echo off flushes what was typed before it).
    ::tcgetattr(fd, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    std::fprintf(inv.io.err, "%s", prompt);
    std::fflush(inv.io.err);
  }
  std::string line;
  int c;
  bool any = false;
  while ((c = std::fgetc(inv.io.in)) != EOF) {
    any = true;
    if (c == '\n') break;
    line.push_back(static_cast<char>(c));
  }
  if (tty) {
    ::tcsetattr(fd, TCSAFLUSH, &saved);
    std::fprintf(inv.io.err, "\n");
  }
  if (!any) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void wipe(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

// Whether the daemon says a passphrase is set (asked first, so that remove and set know whether
// to ask for the current one). A locked daemon is an error here: it must be unlocked first.
std::optional<bool> passphrase_set(const Invocation& inv, int& code) {
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initStatus();
  auto response = call_daemon(inv, message, code);
  if (!response) return std::nullopt;
  auto r = response->get();
  if (!r.isStatus()) {
    code = report(inv, {ClientError::Kind::kProtocol, {}, "status: unexpected answer"});
    return std::nullopt;
  }
  if (r.getStatus().getLocked()) {
    std::fprintf(inv.io.err, "tandem: tandemd is locked: run `tandem unlock` first\n");
    code = kExitDaemonError;
    return std::nullopt;
  }
  return r.getStatus().getPassphrase();
}

void setup_unlock(CLI::App&, Invocation&) {}

int run_unlock(Invocation& inv) {
  auto pass = read_secret(inv, "Passphrase: ");
  if (!pass) return usage_error(inv, "unlock: no passphrase on standard input");
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initUnlock().setPassphrase(*pass);
  wipe(*pass);
  int code = kExitOk;
  auto response = call_daemon(inv, message, code);
  if (!response) return code;
  auto r = response->get();
  if (!r.isUnlocked())
    return report(inv, {ClientError::Kind::kProtocol, {}, "unlock: unexpected answer"});
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getUnlocked()) + "\n");
    return kExitOk;
  }
  if (!inv.quiet) {
    print(inv, r.getUnlocked().getWasLocked() ? "unlocked: tandemd is serving the journal.\n"
                                              : "tandemd was not locked.\n");
  }
  return kExitOk;
}

void setup_passphrase(CLI::App& app, Invocation& inv) {
  app.require_subcommand(1);
  for (auto [verb, help] :
       {std::pair{"set",
                  "wrap this device's key files with a passphrase (or change it): from the next "
                  "start, tandemd waits locked for `tandem unlock`"},
        std::pair{"remove", "store the key files plain again"}}) {
    auto* sub = app.add_subcommand(verb, help);
    add_global_flags(*sub, inv);
    sub->parse_complete_callback([&inv, verb = std::string(verb)] { inv.passphrase_verb = verb; });
  }
}

int run_passphrase(Invocation& inv) {
  const bool remove = inv.passphrase_verb == "remove";
  int code = kExitOk;
  auto is_set = passphrase_set(inv, code);
  if (!is_set) return code;
  if (remove && !*is_set) {
    std::fprintf(inv.io.err, "tandem: no passphrase is set; nothing to remove\n");
    return kExitDaemonError;
  }
  std::string current, next;
  if (*is_set) {
    auto c = read_secret(inv, "Current passphrase: ");
    if (!c) return usage_error(inv, "passphrase: no current passphrase on standard input");
    current = std::move(*c);
  }
  if (!remove) {
    auto n = read_secret(inv, "New passphrase: ");
    if (!n) return usage_error(inv, "passphrase: no new passphrase on standard input");
    next = std::move(*n);
    if (next.empty())
      return usage_error(inv, "passphrase: an empty passphrase; use `passphrase remove`");
    if (::isatty(::fileno(inv.io.in))) {
      auto again = read_secret(inv, "Again: ");
      const bool same = again && *again == next;
      if (again) wipe(*again);
      if (!same) {
        wipe(next);
        wipe(current);
        return usage_error(inv, "passphrase: the two entries differ; nothing changed");
      }
    }
  }
  capnp::MallocMessageBuilder message;
  auto req = message.initRoot<schema::Request>().initSetPassphrase();
  req.setPassphrase(next);
  req.setCurrent(current);
  wipe(next);
  wipe(current);
  auto response = call_daemon(inv, message, code);
  if (!response) return code;
  auto r = response->get();
  if (!r.isPassphraseSet())
    return report(inv, {ClientError::Kind::kProtocol, {}, "passphrase: unexpected answer"});
  if (inv.json) {
    print(inv, JsonWriter().encode(r.getPassphraseSet()) + "\n");
    return kExitOk;
  }
  if (!inv.quiet) {
    print(inv, r.getPassphraseSet().getPassphrase()
                   ? "the key files are wrapped: after a restart, run `tandem unlock`.\n"
                   : "the passphrase is removed: the key files are plain again.\n");
  }
  return kExitOk;
}

}  // namespace

const Command kUnlockCommand{"unlock",
                             "unlock a tandemd whose keys a passphrase wraps (read from the "
                             "terminal, or a line of standard input)",
                             setup_unlock, run_unlock};
const Command kPassphraseCommand{
    "passphrase", "wrap this device's key files with a passphrase: tandem passphrase set|remove",
    setup_passphrase, run_passphrase};

}  // namespace tandem::client
