#include "client/render.hpp"

#include "client/progress.hpp"

#include "client/enum_names.hpp"

#include <fmt/format.h>

#include <ctime>

namespace tandem::client {
namespace {

std::string hex(capnp::Data::Reader data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string local_time(std::uint64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string format_value(capnp::DynamicValue::Reader value, std::string_view field);

// A list item, spelled the way the command line takes it back.
std::string format_struct(capnp::DynamicStruct::Reader s) {
  if (s.getSchema() == capnp::Schema::from<schema::Repair>()) {
    auto r = s.as<schema::Repair>();
    return fmt::format("{}:{}:{}", enum_name(r.getBy()), enum_name(r.getKind()),
                       r.getAccepted() ? "accepted" : "rejected");
  }
  if (s.getSchema() == capnp::Schema::from<schema::DimensionFairness>()) {
    auto f = s.as<schema::DimensionFairness>();
    return fmt::format("{}={}", enum_name(f.getDimension()), enum_name(f.getFairness()));
  }
  std::string out;
  for (auto field : s.getSchema().getFields()) {
    if (!s.has(field, capnp::HasMode::NON_DEFAULT)) continue;
    if (!out.empty()) out += ' ';
    out += format_value(s.get(field), field.getProto().getName().cStr());
  }
  return out;
}

// One field value for people: enums by kebab name, amounts in units, Data in hex.
std::string format_value(capnp::DynamicValue::Reader value, std::string_view field) {
  switch (value.getType()) {
    case capnp::DynamicValue::BOOL:
      return value.as<bool>() ? "yes" : "no";
    case capnp::DynamicValue::INT: {
      auto v = value.as<std::int64_t>();
      if (field == "amountCents") {
        return fmt::format("{}{}.{:02}", v < 0 ? "-" : "", (v < 0 ? -v : v) / 100,
                           (v < 0 ? -v : v) % 100);
      }
      return std::to_string(v);
    }
    case capnp::DynamicValue::UINT:
      return std::to_string(value.as<std::uint64_t>());
    case capnp::DynamicValue::TEXT:
      return value.as<capnp::Text>().cStr();
    case capnp::DynamicValue::DATA:
      return hex(value.as<capnp::Data>());
    case capnp::DynamicValue::ENUM: {
      auto e = value.as<capnp::DynamicEnum>();
      return enum_name(e.getSchema(), e.getRaw());
    }
    case capnp::DynamicValue::STRUCT:
      return format_struct(value.as<capnp::DynamicStruct>());
    case capnp::DynamicValue::LIST: {
      std::string out;
      for (auto item : value.as<capnp::DynamicList>()) {
        if (!out.empty()) out += ", ";
        out += format_value(item, field);
      }
      return out;
    }
    default:
      return "?";
  }
}

// The struct of the kind union's active member (Contribution, Bid, ...), if it is one.
std::optional<capnp::DynamicStruct::Reader> kind_body(schema::Entry::Reader entry) {
  auto kind = capnp::toDynamic(entry).get("kind").as<capnp::DynamicStruct>();
  KJ_IF_MAYBE (field, kind.which()) {
    auto v = kind.get(*field);
    if (v.getType() == capnp::DynamicValue::STRUCT) return v.as<capnp::DynamicStruct>();
  }
  return std::nullopt;
}

// The entry's main actor, from the reader's point of view: who did, bid, gave, started, raised,
// held or paid; the author for kinds without such a role.
std::string who(schema::EntryView::Reader view) {
  auto kind = view.getEntry().getKind();
  schema::Party party = schema::Party::UNSET;
  switch (kind.which()) {
    case schema::Entry::Kind::CONTRIBUTION:
      party = kind.getContribution().getActor();
      break;
    case schema::Entry::Kind::CARD:
      party = kind.getCard().getOwner();
      break;
    case schema::Entry::Kind::BID:
      party = kind.getBid().getBidder();
      break;
    case schema::Entry::Kind::SUPPORT:
      party = kind.getSupport().getGave();
      break;
    case schema::Entry::Kind::INITIATION:
      party = kind.getInitiation().getInitiator();
      break;
    case schema::Entry::Kind::CONFLICT:
      party = kind.getConflict().getRaisedBy();
      break;
    case schema::Entry::Kind::BOUNDARY:
      party = kind.getBoundary().getHolder();
      break;
    case schema::Entry::Kind::GOAL:
      party = kind.getGoal().getHolder();
      break;
    case schema::Entry::Kind::EXPENSE:
      party = kind.getExpense().getPaidBy();
      break;
    case schema::Entry::Kind::IMPORTANT_DATE: {
      auto d = kind.getImportantDate();
      party = d.getRememberedBy() != schema::Party::UNSET ? d.getRememberedBy() : d.getPlannedBy();
      break;
    }
    default:
      break;
  }
  return enum_name(party != schema::Party::UNSET ? party : view.getAuthor());
}

// The note, or a marker, or the kind's fields when there is no note.
std::string summary(schema::EntryView::Reader view) {
  if (view.getRetracted()) return "(retracted)";
  if (view.getSealedUntilPartner()) return "(sealed until your partner's check-in)";
  auto entry = view.getEntry();
  if (entry.hasNote()) return short_note(entry.getNote().cStr(), 48);
  if (view.getNoteWithheld()) return "(note withheld)";
  // No note: the kind's own fields that are set, e.g. "amount=42.50 currency=EUR".
  std::string fields;
  if (auto body = kind_body(entry)) {
    for (auto field : body->getSchema().getFields()) {
      if (!body->has(field, capnp::HasMode::NON_DEFAULT)) continue;
      std::string name = field.getProto().getName().cStr();
      if (!fields.empty()) fields += ' ';
      fields += kebab_from_camel(name == "amountCents" ? "amount" : name) + "=" +
                format_value(body->get(field), name);
    }
  }
  return short_note(fields, 48);
}

// "-" for an entry whose kind has no dimension of its own (check-in, context).
std::string dimension_name(schema::Dimension d) {
  return d == schema::Dimension::UNSET ? "-" : enum_name(d);
}

}  // namespace

JsonWriter::JsonWriter() {
  codec_.handleByAnnotation<schema::Response>();
  codec_.setPrettyPrint(false);
}

std::string JsonWriter::encode(capnp::DynamicStruct::Reader value) const {
  auto text = codec_.encode(capnp::DynamicValue::Reader(value), value.getSchema());
  return std::string(text.cStr(), text.size());
}

std::string short_note(std::string_view note, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < note.size();) {
    unsigned char c = static_cast<unsigned char>(note[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 1;
    if (chars == max_chars) {
      // Replace the last character with an ellipsis to show the cut.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
        out.pop_back();
      }
      if (!out.empty()) out.pop_back();
      out += "\u2026";
      return out;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      out.push_back(' ');
    } else {
      out.append(note.substr(i, len));
    }
    i += len;
    ++chars;
  }
  return out;
}

std::string render_sync_state(schema::PeerView::Reader d) {
  if (d.getRevoked()) return "revoked";
  if (!d.getConnected()) return "not connected";
  if (!d.getFrontierKnown()) return "connecting";
  if (d.getBehind() == 0 && d.getMissing() == 0) return "caught up";
  return fmt::format("to send {} ({} in flight), to receive {}", group_thousands(d.getBehind()),
                     group_thousands(d.getInFlight()), group_thousands(d.getMissing()));
}

std::string render_status(schema::Status::Reader s) {
  std::string out;
  auto line = [&](std::string_view key, auto value) {
    out += fmt::format("{:<17}{}\n", std::string(key) + ":", value);
  };
  if (s.getLocked()) {
    line("locked", "yes: a passphrase wraps the keys; run `tandem unlock`");
  } else {
    line("initialized", s.getInitialized() ? "yes" : "no");
  }
  line("version", s.getVersion().cStr());
  line("api version", s.getApiVersion());
  if (s.getInitialized()) {
    line("member", s.getMemberName().cStr());
    line("partner", s.hasPartnerName() ? s.getPartnerName().cStr() : "(not joined yet)");
    line("device", fmt::format("{} ({})", s.getDeviceName().cStr(), s.getDeviceId().cStr()));
    line("space", s.getSpaceId().cStr());
    line("entries", s.getEntries());
    line("own entries", s.getOwnEntries());
    line("private entries", s.getPrivateEntries());
    if (s.hasListen()) line("listening on", s.getListen().cStr());
  }
  if (!s.getLocked()) line("passphrase", s.getPassphrase() ? "on" : "off");
  line("data dir", s.getDataDir().cStr());
  for (auto fork : s.getForks()) line("fork", fork.cStr());
  return out;
}

std::string render_entry_line(schema::EntryView::Reader view) {
  auto entry = view.getEntry();
  std::string date = entry.getDate().cStr();
  if (entry.hasTime()) date += fmt::format(" {}", entry.getTime().cStr());
  return fmt::format("{:<20}  {:<16}  {:<14}  {:<11}  {:<7}  {}", view.getId().cStr(), date,
                     enum_name(view.getKind()), dimension_name(entry.getDimension()), who(view),
                     summary(view));
}

std::string render_list(schema::EntryList::Reader list) {
  std::string out;
  for (auto view : list.getEntries()) {
    out += render_entry_line(view);
    out += '\n';
  }
  return out;
}

std::string render_entry_detail(schema::EntryView::Reader view) {
  std::string out;
  auto line = [&](std::string_view key, std::string_view value) {
    out += fmt::format("{:<18}{}\n", std::string(key) + ":", value);
  };
  auto entry = view.getEntry();
  line("id", view.getId().cStr());
  line("kind", enum_name(view.getKind()));
  line("author", fmt::format("{} ({}, {})", enum_name(view.getAuthor()),
                             view.getAuthorName().cStr(), view.getDeviceName().cStr()));
  line("recorded", local_time(view.getRecordedAt()));
  std::string date = entry.getDate().cStr();
  if (entry.hasTime()) date += fmt::format(" {}", entry.getTime().cStr());
  line("date", date);
  line("dimension", dimension_name(entry.getDimension()));
  if (entry.getPeople() != schema::Party::UNSET) line("people", enum_name(entry.getPeople()));
  line("visibility", enum_name(entry.getVisibility()));
  if (auto body = kind_body(entry)) {
    for (auto field : body->getSchema().getFields()) {
      if (!body->has(field, capnp::HasMode::NON_DEFAULT)) continue;
      std::string name = field.getProto().getName().cStr();
      line(kebab_from_camel(name == "amountCents" ? "amount" : name),
           format_value(body->get(field), name));
    }
  }
  for (auto ref : entry.getRefs()) {
    line("refers to", fmt::format("{}-{}", hex(ref.getDevice()), ref.getSeq()));
  }
  if (entry.hasEpisode()) line("episode", hex(entry.getEpisode()));
  std::string flags;
  auto flag = [&](bool on, std::string_view name) {
    if (!on) return;
    if (!flags.empty()) flags += ", ";
    flags += name;
  };
  flag(view.getEdited(), "edited");
  flag(view.getRetracted(), "retracted");
  flag(view.getNoteWithheld(), "note withheld");
  flag(view.getFromRevokedDevice(), "from a revoked device");
  flag(view.getSealedUntilPartner(), "sealed until your partner's check-in");
  if (!flags.empty()) line("status", flags);
  if (entry.hasNote()) line("note", entry.getNote().cStr());
  return out;
}

std::string render_event(schema::Event::Reader event) {
  switch (event.which()) {
    case schema::Event::ENTRY_ADDED:
      return "added    " + render_entry_line(event.getEntryAdded());
    case schema::Event::ENTRY_CHANGED:
      return "changed  " + render_entry_line(event.getEntryChanged());
  }
  return "event    (unknown to this tandem)";
}

}  // namespace tandem::client
