// Kind-specific command-line flags, and how they land in an Entry builder.
//
// Each kind of entry (contribution, bid, conflict, ...) has a KindSpec: its name on the command
// line, its help, and its flags. A flag is a FlagSpec: name, help, and a setter that parses the
// typed values and writes one field of the Entry. `tandem add KIND` starts from the kind's
// defaults and applies the given flags; `tandem edit ID` applies the given flags onto the entry's
// current body. Nothing here does I/O: commands read stdin and the clock and pass the results in.
#pragma once

#include "proto/api.capnp.h"
#include "proto/entry.capnp.h"

#include <capnp/schema.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::client {

// Flag values as typed, keyed by flag name ("--effort" -> {"2"}). A repeatable flag keeps every
// value in order; a single-valued flag uses its last value; a switch holds "true".
using FlagValues = std::map<std::string, std::vector<std::string>, std::less<>>;

// What parsing needs from the outside world.
struct FlagContext {
  std::chrono::sys_days today;  // the local date "today", "yesterday" and "Nd" count from
};

// A usage error's message, or nullopt on success.
using FlagError = std::optional<std::string>;

// Writes one flag's `values` (never empty) into `entry`, whose kind union is already set to the
// spec's kind. `flag` is the flag's name, for messages.
using FlagSetter = FlagError (*)(schema::Entry::Builder entry, std::string_view flag,
                                 const std::vector<std::string>& values, const FlagContext& ctx);

struct FlagSpec {
  const char* name;                // "--effort"
  const char* help;                // one line; choices of `choices` are appended
  capnp::EnumSchema (*choices)();  // the enum the flag takes, or nullptr
  bool repeatable;
  bool is_switch;  // takes no value
  FlagSetter set;
};

struct KindSpec {
  const char* name;  // kebab-case, as typed after `tandem add`
  schema::EntryKind kind;
  schema::Entry::Kind::Which which;
  const char* help;
  std::span<const FlagSpec> flags;
  std::span<const char* const> required;  // flags `add` insists on
  // Selects the kind's union member and fills the add-time defaults (documented in the help).
  void (*init)(schema::Entry::Builder entry, const FlagContext& ctx);
};

// Every kind a user can add, in entry.capnp order (edit and retract have their own commands).
std::span<const KindSpec> kind_specs();

// The spec named `name` (kebab-case), or nullptr.
const KindSpec* find_kind(std::string_view name);

// The spec for an entry whose union holds `which`, or nullptr (edit, retract).
const KindSpec* find_kind(schema::Entry::Kind::Which which);

// Flags every kind takes: --dimension, --people, --on, --at, --visibility, --episode, --ref.
// (The note is not a flag here: commands resolve TEXT / --note / stdin themselves.)
std::span<const FlagSpec> common_flags();

// The help line of `flag`, with its choices appended.
std::string flag_help(const FlagSpec& flag);

// Builds a new entry of kind `spec` into `entry`: the kind's defaults, then every flag in
// `values` (common ones and the kind's own). Fails on a missing required flag, a flag the kind
// does not take, or a bad value. The date defaults to today.
FlagError build_entry(const KindSpec& spec, const FlagValues& values, const FlagContext& ctx,
                      schema::Entry::Builder entry);

// Applies `values` onto `entry`, an existing body of kind `spec`: only the given flags change;
// a repeatable flag replaces the whole list. Fails on a flag the kind does not take or a bad
// value.
FlagError apply_flags(const KindSpec& spec, const FlagValues& values, const FlagContext& ctx,
                      schema::Entry::Builder entry);

// An entry id "<device hex>-<seq>" split into its 8-byte device id and sequence number.
struct EntryId {
  std::vector<std::uint8_t> device;
  std::uint64_t seq = 0;
};

// Parses an entry id as the daemon prints it (16 hex digits, '-', decimal sequence).
std::optional<EntryId> parse_entry_id(std::string_view text);

}  // namespace tandem::client
