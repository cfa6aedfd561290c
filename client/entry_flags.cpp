#include "client/entry_flags.hpp"

#include "client/flag_parsers.hpp"

#include <algorithm>

namespace tandem::client {
namespace detail {

FlagError parse_cents(std::string_view flag, std::string_view text, std::int64_t& out) {
  auto bad = [&] {
    return "bad " + std::string(flag) + " '" + std::string(text) +
           "'; expected an amount such as 42 or 42.50";
  };
  std::string_view t = text;
  bool negative = !t.empty() && t.front() == '-';
  if (negative) t.remove_prefix(1);
  auto dot = t.find('.');
  std::string_view whole = t.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || frac.size() > 2) return bad();
  if (dot != std::string_view::npos && frac.empty()) return bad();
  std::int64_t units = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return bad();
    units = units * 10 + (c - '0');
  }
  std::int64_t cents = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return bad();
    cents = cents * 10 + (c - '0');
  }
  out = (units * 100 + cents) * (negative ? -1 : 1);
  return std::nullopt;
}

}  // namespace detail

namespace {

using detail::date_flag;
using detail::enum_flag;
using B = schema::Entry::Builder;
using V = std::vector<std::string>;

capnp::EnumSchema dimension_schema() {
  return capnp::Schema::from<schema::Dimension>();
}
capnp::EnumSchema party_schema() {
  return capnp::Schema::from<schema::Party>();
}
capnp::EnumSchema visibility_schema() {
  return capnp::Schema::from<schema::Visibility>();
}

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    std::uint8_t byte = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc() || end != text.data() + i + 2) return std::nullopt;
    out.push_back(byte);
  }
  return out;
}

const FlagSpec kCommonFlags[] = {
    {"--dimension", "the dimension, when not the kind's own", dimension_schema, false, false,
     [](B e, std::string_view f, const V& v, const FlagContext&) -> FlagError {
       return enum_flag<schema::Dimension>(f, v.back(), [&](auto d) { e.setDimension(d); });
     }},
    {"--people", "who was involved besides the kind's own roles", party_schema, false, false,
     [](B e, std::string_view f, const V& v, const FlagContext&) -> FlagError {
       return enum_flag<schema::Party>(f, v.back(), [&](auto p) { e.setPeople(p); });
     }},
    {"--on", "when it happened: today, yesterday, Nd or YYYY-MM-DD (default today)", nullptr, false,
     false,
     [](B e, std::string_view f, const V& v, const FlagContext& c) -> FlagError {
       return date_flag(f, v.back(), c, [&](const std::string& d) { e.setDate(d); });
     }},
    {"--at", "the time it happened, HH:MM", nullptr, false, false,
     [](B e, std::string_view f, const V& v, const FlagContext&) -> FlagError {
       auto t = parse_time(v.back());
       if (!t) return "bad " + std::string(f) + " '" + v.back() + "'; expected HH:MM";
       e.setTime(*t);
       return std::nullopt;
     }},
    {"--visibility",
     "who sees it: shared syncs in full, aggregate syncs without the note, private stays here",
     visibility_schema, false, false,
     [](B e, std::string_view f, const V& v, const FlagContext&) -> FlagError {
       return enum_flag<schema::Visibility>(f, v.back(), [&](auto x) { e.setVisibility(x); });
     }},
    {"--episode", "a 16-byte id (32 hex digits) grouping records about one event", nullptr, false,
     false,
     [](B e, std::string_view f, const V& v, const FlagContext&) -> FlagError {
       auto bytes = parse_hex(v.back());
       if (!bytes || bytes->size() != 16) {
         return "bad " + std::string(f) + " '" + v.back() + "'; expected 32 hex digits";
       }
       e.setEpisode(capnp::Data::Reader(bytes->data(), bytes->size()));
       return std::nullopt;
     }},
    {"--ref", "an entry id this one refers to (repeatable)", nullptr, true, false,
     [](B e, std::string_view f, const V& v, const FlagContext&) -> FlagError {
       std::vector<EntryId> ids;
       for (const auto& text : v) {
         auto id = parse_entry_id(text);
         if (!id) return "bad " + std::string(f) + " '" + text + "'; expected an entry id";
         ids.push_back(std::move(*id));
       }
       auto refs = e.initRefs(static_cast<unsigned>(ids.size()));
       for (unsigned i = 0; i < ids.size(); ++i) {
         refs[i].setDevice(capnp::Data::Reader(ids[i].device.data(), ids[i].device.size()));
         refs[i].setSeq(ids[i].seq);
       }
       return std::nullopt;
     }},
};

const FlagSpec* find_flag(std::span<const FlagSpec> flags, std::string_view name) {
  for (const auto& f : flags) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

}  // namespace

std::span<const FlagSpec> common_flags() {
  return kCommonFlags;
}

std::string flag_help(const FlagSpec& flag) {
  std::string out = flag.help;
  if (flag.choices) {
    out += ": ";
    out += enum_choices_text(flag.choices(), "|");
  }
  return out;
}

const KindSpec* find_kind(std::string_view name) {
  for (const auto& k : kind_specs()) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

const KindSpec* find_kind(schema::Entry::Kind::Which which) {
  for (const auto& k : kind_specs()) {
    if (k.which == which) return &k;
  }
  return nullptr;
}

FlagError apply_flags(const KindSpec& spec, const FlagValues& values, const FlagContext& ctx,
                      schema::Entry::Builder entry) {
  for (const auto& [name, given] : values) {
    if (given.empty()) continue;
    const FlagSpec* flag = find_flag(spec.flags, name);
    if (!flag) flag = find_flag(common_flags(), name);
    if (!flag) return name + " does not apply to " + spec.name + " entries";
    if (auto err = flag->set(entry, flag->name, given, ctx)) return err;
  }
  return std::nullopt;
}

FlagError build_entry(const KindSpec& spec, const FlagValues& values, const FlagContext& ctx,
                      schema::Entry::Builder entry) {
  for (const char* required : spec.required) {
    auto it = values.find(std::string_view(required));
    if (it == values.end() || it->second.empty()) {
      return std::string(spec.name) + " needs " + required;
    }
  }
  entry.setDate(format_date(ctx.today));
  spec.init(entry, ctx);
  if (auto err = apply_flags(spec, values, ctx, entry)) return err;
  // Intimacy is counted in totals only unless the author says otherwise (DESIGN.md).
  if (entry.getKind().isInitiation() &&
      entry.getKind().getInitiation().getWhat() == schema::InitiationWhat::INTIMACY &&
      values.find(std::string_view("--visibility")) == values.end()) {
    entry.setVisibility(schema::Visibility::AGGREGATE);
  }
  return std::nullopt;
}

std::optional<EntryId> parse_entry_id(std::string_view text) {
  auto dash = text.find('-');
  if (dash != 16) return std::nullopt;
  auto device = parse_hex(text.substr(0, dash));
  if (!device) return std::nullopt;
  auto seq_text = text.substr(dash + 1);
  std::uint64_t seq = 0;
  if (seq_text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (ec != std::errc() || end != seq_text.data() + seq_text.size()) return std::nullopt;
  return EntryId{std::move(*device), seq};
}

}  // namespace tandem::client
