// Commands that write or read one entry: add KIND, edit ID, show ID.
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <capnp/message.h>

#include <set>

namespace tandem::client {

void declare_flag(CLI::App& app, Invocation& inv, const FlagSpec& flag) {
  std::string name = flag.name;
  if (flag.is_switch) {
    app.add_flag_function(
        name,
        [&inv, name](std::int64_t n) {
          if (n > 0) inv.flags[name] = {"true"};
        },
        flag_help(flag));
    return;
  }
  auto* opt = app.add_option(
      name,
      [&inv, name](const CLI::results_t& values) {
        auto& out = inv.flags[name];
        out.insert(out.end(), values.begin(), values.end());
        return true;
      },
      flag_help(flag));
  opt->type_size(1)->expected(1)->allow_extra_args(false)->type_name("VALUE");
  opt->multi_option_policy(flag.repeatable ? CLI::MultiOptionPolicy::TakeAll
                                           : CLI::MultiOptionPolicy::TakeLast);
}

namespace {

void declare_note(CLI::App& app, Invocation& inv) {
  app.add_option("text", inv.args, "the note (free text, never used by metrics); - reads stdin")
      ->expected(0, 1);
  app.add_option("--note", inv.note_flag, "the note, instead of TEXT (- reads stdin)");
}

FlagContext flag_context(const Invocation& inv) {
  return FlagContext{inv.io.today};
}

// Prints an added or edited entry: its JSON, or a line.
int print_entry(Invocation& inv, ResponseMessage& response, const char* verb) {
  auto r = response.get();
  if (!r.isEntry()) {
    return report(inv,
                  {ClientError::Kind::kProtocol, {}, std::string(verb) + ": unexpected answer"});
  }
  print_written(inv, r.getEntry(), verb);
  return kExitOk;
}

// ---- add
void setup_add(CLI::App& app, Invocation& inv) {
  // Only the kind named on the command line declares its flags (others just list themselves),
  // unless the kind word is not a kind: then all do, and the parse reports the error.
  const bool known = find_kind(inv.kind_word) != nullptr;
  for (const KindSpec& spec : kind_specs()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    if (known && inv.kind_word != spec.name) continue;
    add_global_flags(*sub, inv);
    for (const FlagSpec& flag : common_flags()) declare_flag(*sub, inv, flag);
    for (const FlagSpec& flag : spec.flags) declare_flag(*sub, inv, flag);
    declare_note(*sub, inv);
    sub->callback([&inv, &spec] { inv.add_kind = &spec; });
  }
  app.require_subcommand(1);
}

int run_add(Invocation& inv) {
  std::string note;
  if (auto err = resolve_note(inv, inv.args.empty() ? "" : inv.args.front(), note)) {
    return usage_error(inv, *err);
  }
  capnp::MallocMessageBuilder message;
  auto entry = message.initRoot<schema::Request>().initAdd().initEntry();
  if (auto err = build_entry(*inv.add_kind, inv.flags, flag_context(inv), entry)) {
    return usage_error(inv, *err);
  }
  if (!note.empty()) entry.setNote(note);
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  return print_entry(inv, *response, "added");
}

// ---- edit
void setup_edit(CLI::App& app, Invocation& inv) {
  app.add_option("id", inv.id, "the entry to edit (only its author may)")->required();
  std::set<std::string, std::less<>> declared;
  auto declare_once = [&](const FlagSpec& flag) {
    if (declared.insert(flag.name).second) declare_flag(app, inv, flag);
  };
  for (const FlagSpec& flag : common_flags()) declare_once(flag);
  for (const KindSpec& spec : kind_specs()) {
    for (const FlagSpec& flag : spec.flags) declare_once(flag);
  }
  declare_note(app, inv);
  app.add_option("--reason", inv.reason, "why it changed, kept with the edit");
  app.footer(
      "Flags are those of `tandem add KIND` for the entry's kind; only the given ones "
      "change. A repeatable flag replaces the whole list.");
}

int run_edit(Invocation& inv) {
  const std::string& id = inv.id;
  if (!parse_entry_id(id)) return usage_error(inv, "bad entry id '" + id + "'");
  std::string note;
  if (auto err = resolve_note(inv, inv.args.empty() ? "" : inv.args.front(), note)) {
    return usage_error(inv, *err);
  }
  bool note_given = !inv.args.empty() || !inv.note_flag.empty();
  if (inv.flags.empty() && !note_given) return usage_error(inv, "edit: nothing to change");

  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  capnp::MallocMessageBuilder get_message;
  get_message.initRoot<schema::Request>().initGet().setId(id);
  auto current = client.value().call(get_message);
  if (!current.ok()) return report(inv, current.error());
  auto got = current.value().get();
  if (!got.isEntry())
    return report(inv, {ClientError::Kind::kProtocol, {}, "get: unexpected answer"});
  auto body = got.getEntry().getEntry();
  const KindSpec* spec = find_kind(body.getKind().which());
  if (!spec) return usage_error(inv, "entries of this kind cannot be edited");

  capnp::MallocMessageBuilder message;
  auto edit = message.initRoot<schema::Request>().initEdit();
  edit.setId(id);
  if (!inv.reason.empty()) edit.setReason(inv.reason);
  edit.setEntry(body);
  auto entry = edit.getEntry();
  if (auto err = apply_flags(*spec, inv.flags, flag_context(inv), entry)) {
    return usage_error(inv, *err);
  }
  if (note_given) entry.setNote(note);
  auto response = client.value().call(message);
  if (!response.ok()) return report(inv, response.error());
  return print_entry(inv, response.value(), "edited");
}

// ---- show
void setup_show(CLI::App& app, Invocation& inv) {
  app.add_option("id", inv.id, "the entry to show")->required();
}

int run_show(Invocation& inv) {
  if (!parse_entry_id(inv.id)) return usage_error(inv, "bad entry id '" + inv.id + "'");
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initGet().setId(inv.id);
  int rc = kExitOk;
  auto response = call_daemon(inv, message, rc);
  if (!response) return rc;
  auto r = response->get();
  if (!r.isEntry())
    return report(inv, {ClientError::Kind::kProtocol, {}, "show: unexpected answer"});
  print(inv,
        inv.json ? JsonWriter().encode(r.getEntry()) + "\n" : render_entry_detail(r.getEntry()));
  return kExitOk;
}

}  // namespace

const Command kAddCommand{"add", "record an entry: tandem add KIND [flags] [TEXT]", setup_add,
                          run_add};
const Command kEditCommand{"edit", "change an entry you wrote: tandem edit ID [flags] [TEXT]",
                           setup_edit, run_edit};
const Command kShowCommand{"show", "show one entry in detail", setup_show, run_show};

}  // namespace tandem::client
