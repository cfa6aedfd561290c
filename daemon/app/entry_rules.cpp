#include "daemon/app/entry_rules.hpp"

#include <capnp/schema.h>

#include <cstdio>

namespace tandem::app {

using schema::Entry;
using schema::Party;

bool valid_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(5, 2))),
      d = std::stoi(std::string(s.substr(8, 2)));
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int dim = kDays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
  return d <= dim;
}

static bool valid_time(std::string_view s) {
  if (s.empty()) return true;
  if (s.size() != 5 || s[2] != ':') return false;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return (s[0] - '0') * 10 + (s[1] - '0') < 24 && (s[3] - '0') * 10 + (s[4] - '0') < 60;
}

template <class E>
static bool enum_ok(E v) {
  return static_cast<std::uint16_t>(v) < capnp::Schema::from<E>().getEnumerants().size();
}

namespace {
struct Checker {
  Status st;
  void fail(Code c, std::string msg) {
    if (st) st = Error{c, std::move(msg)};
  }
  template <class E>
  void en(E v, const char* field) {
    if (!enum_ok(v)) fail(Code::kInvalidArgument, std::string("unknown value for ") + field);
  }
  void rating(std::uint8_t v, const char* field) {
    if (v > 5) fail(Code::kInvalidArgument, std::string(field) + " must be 1 to 5");
  }
  void text(capnp::Text::Reader t, const char* field, std::size_t cap = kMaxTitleBytes) {
    if (t.size() > cap)
      fail(Code::kTooLarge, std::string(field) + " is over " + std::to_string(cap) + " bytes");
  }
  void date(capnp::Text::Reader t, const char* field, bool required) {
    if (t.size() == 0 && !required) return;
    if (!valid_iso_date(std::string_view(t.cStr(), t.size()))) {
      fail(Code::kInvalidArgument, std::string(field) + " must be an ISO date (YYYY-MM-DD)");
    }
  }
};
}  // namespace

schema::Dimension default_dimension(Entry::Reader e) {
  using D = schema::Dimension;
  auto k = e.getKind();
  switch (k.which()) {
    case Entry::Kind::CONTRIBUTION:
      return D::HOUSEHOLD;
    case Entry::Kind::CARD:
      return D::HOUSEHOLD;
    case Entry::Kind::APPRECIATION:
      return D::MAINTENANCE;
    case Entry::Kind::BID:
      return D::AFFECTION;
    case Entry::Kind::SUPPORT:
      return D::SUPPORT;
    case Entry::Kind::INITIATION:
      switch (k.getInitiation().getWhat()) {
        case schema::InitiationWhat::TALK:
          return D::CONFLICT;
        case schema::InitiationWhat::CHECKIN:
          return D::MAINTENANCE;
        default:
          return D::AFFECTION;
      }
    case Entry::Kind::CONFLICT:
      return D::CONFLICT;
    case Entry::Kind::BOUNDARY:
      return D::BOUNDARIES;
    case Entry::Kind::GOAL:
      return D::GROWTH;
    case Entry::Kind::DECISION:
      return D::GROWTH;
    case Entry::Kind::EXPENSE:
      return D::FINANCES;
    case Entry::Kind::AGREEMENT:
      return D::FINANCES;
    case Entry::Kind::IMPORTANT_DATE:
      return D::MAINTENANCE;
    default:
      return D::UNSET;
  }
}

schema::EntryKind kind_of(Entry::Reader e) {
  return static_cast<schema::EntryKind>(static_cast<std::uint16_t>(e.getKind().which()) + 1);
}

Status normalise_entry(Entry::Builder e, const std::string& today) {
  Checker c;
  auto k = e.getKind();
  auto which = k.which();
  if (static_cast<unsigned>(which) > static_cast<unsigned>(Entry::Kind::RETRACT)) {
    return Error{Code::kInvalidArgument, "unknown entry kind"};
  }
  if (which == Entry::Kind::EDIT || which == Entry::Kind::RETRACT) {
    return Error{Code::kInvalidArgument,
                 "edits and retracts have their own requests (edit, retract)"};
  }
  if (e.hasReplacement()) return Error{Code::kInvalidArgument, "replacement is only for edits"};
  c.en(e.getDimension(), "dimension");
  c.en(e.getPeople(), "people");
  c.en(e.getVisibility(), "visibility");
  c.text(e.getNote(), "note", kMaxNoteBytes);
  c.date(e.getDate(), "date", false);
  if (!valid_time(std::string_view(e.getTime().cStr(), e.getTime().size()))) {
    c.fail(Code::kInvalidArgument, "time must be HH:MM");
  }
  if (e.hasEpisode() && e.getEpisode().size() != 16) {
    c.fail(Code::kInvalidArgument, "episode must be 16 bytes (32 hex digits)");
  }
  if (e.getRefs().size() > 64) c.fail(Code::kTooLarge, "at most 64 references");
  for (auto r : e.getRefs()) {
    if (r.getDevice().size() != 8 || r.getSeq() == 0)
      c.fail(Code::kInvalidArgument, "malformed reference");
  }
  switch (which) {
    case Entry::Kind::CONTRIBUTION: {
      auto x = k.getContribution();
      c.en(x.getActor(), "actor");
      c.en(x.getPhase(), "phase");
      if (x.getEffort() == 0) x.setEffort(1);
      if (x.getEffort() > 3) c.fail(Code::kInvalidArgument, "effort must be 1, 2 or 3");
      if (x.getActor() == Party::UNSET) x.setActor(Party::ME);
      break;
    }
    case Entry::Kind::CARD: {
      auto x = k.getCard();
      c.text(x.getTitle(), "title");
      c.en(x.getOwner(), "owner");
      c.en(x.getScope(), "scope");
      c.date(x.getFrom(), "from", false);
      c.date(x.getUntil(), "until", false);
      break;
    }
    case Entry::Kind::APPRECIATION:
      c.en(k.getAppreciation().getTo(), "to");
      break;
    case Entry::Kind::BID: {
      auto x = k.getBid();
      c.en(x.getBidder(), "bidder");
      c.en(x.getResponse(), "response");
      c.rating(x.getHeard(), "heard");
      break;
    }
    case Entry::Kind::SUPPORT: {
      auto x = k.getSupport();
      c.en(x.getNeeded(), "needed");
      c.en(x.getGave(), "gave");
      c.en(x.getForm(), "form");
      c.rating(x.getHelpful(), "helpful");
      break;
    }
    case Entry::Kind::INITIATION: {
      auto x = k.getInitiation();
      c.en(x.getInitiator(), "initiator");
      c.en(x.getWhat(), "what");
      c.en(x.getReceived(), "received");
      break;
    }
    case Entry::Kind::CONFLICT: {
      auto x = k.getConflict();
      c.en(x.getRaisedBy(), "raisedBy");
      c.en(x.getTopic(), "topic");
      c.en(x.getApologisedFirst(), "apologisedFirst");
      c.en(x.getOutcome(), "outcome");
      c.rating(x.getFairnessMe(), "fairnessMe");
      c.rating(x.getFairnessPartner(), "fairnessPartner");
      if (x.getRepairs().size() > 32) c.fail(Code::kTooLarge, "at most 32 repairs");
      for (auto r : x.getRepairs()) {
        c.en(r.getBy(), "repair by");
        c.en(r.getKind(), "repair kind");
      }
      break;
    }
    case Entry::Kind::BOUNDARY:
      c.en(k.getBoundary().getHolder(), "holder");
      c.en(k.getBoundary().getEvent(), "event");
      break;
    case Entry::Kind::GOAL:
      c.en(k.getGoal().getHolder(), "holder");
      c.en(k.getGoal().getSupportedBy(), "supportedBy");
      c.rating(k.getGoal().getSupported(), "supported");
      break;
    case Entry::Kind::DECISION:
      c.en(k.getDecision().getPrevailed(), "prevailed");
      break;
    case Entry::Kind::EXPENSE: {
      auto x = k.getExpense();
      if (x.getAmountCents() < 0) c.fail(Code::kInvalidArgument, "amount must not be negative");
      c.text(x.getCurrency(), "currency", 8);
      c.en(x.getPaidBy(), "paidBy");
      c.text(x.getArea(), "area");
      break;
    }
    case Entry::Kind::AGREEMENT:
      c.text(k.getAgreement().getArea(), "area");
      if (k.getAgreement().getMySharePercent() > 100)
        c.fail(Code::kInvalidArgument, "mySharePercent must be 0 to 100");
      break;
    case Entry::Kind::IMPORTANT_DATE: {
      auto x = k.getImportantDate();
      c.text(x.getTitle(), "title");
      c.date(x.getDate(), "importantDate.date", true);
      c.en(x.getRecurrence(), "recurrence");
      c.en(x.getRememberedBy(), "rememberedBy");
      c.en(x.getPlannedBy(), "plannedBy");
      break;
    }
    case Entry::Kind::CHECKIN: {
      auto x = k.getCheckin();
      c.text(x.getPeriod(), "period", 16);
      if (x.getFairness().size() > 9)
        c.fail(Code::kTooLarge, "at most one fairness answer per dimension");
      for (auto f : x.getFairness()) {
        c.en(f.getDimension(), "fairness dimension");
        c.en(f.getFairness(), "fairness");
      }
      c.rating(x.getAppreciated(), "appreciated");
      c.rating(x.getLoaded(), "loaded");
      c.rating(x.getSatisfaction(), "satisfaction");
      break;
    }
    case Entry::Kind::CONTEXT:
      c.text(k.getContext().getLabel(), "label");
      c.date(k.getContext().getFrom(), "from", true);
      c.date(k.getContext().getUntil(), "until", false);
      break;
    default:
      break;
  }
  if (!c.st) return c.st;
  if (e.getDimension() == schema::Dimension::UNSET) e.setDimension(default_dimension(e.asReader()));
  if (e.getDate().size() == 0) e.setDate(today);
  return {};
}

static Party flip(Party p) {
  if (p == Party::ME) return Party::PARTNER;
  if (p == Party::PARTNER) return Party::ME;
  return p;
}

static schema::Fairness flip(schema::Fairness f) {
  using F = schema::Fairness;
  switch (f) {
    case F::VERY_UNFAIR_TO_ME:
      return F::VERY_UNFAIR_TO_PARTNER;
    case F::UNFAIR_TO_ME:
      return F::UNFAIR_TO_PARTNER;
    case F::UNFAIR_TO_PARTNER:
      return F::UNFAIR_TO_ME;
    case F::VERY_UNFAIR_TO_PARTNER:
      return F::VERY_UNFAIR_TO_ME;
    default:
      return f;
  }
}

void flip_perspective(Entry::Builder e) {
  e.setPeople(flip(e.getPeople()));
  auto k = e.getKind();
  switch (k.which()) {
    case Entry::Kind::CONTRIBUTION:
      k.getContribution().setActor(flip(k.getContribution().getActor()));
      break;
    case Entry::Kind::CARD:
      k.getCard().setOwner(flip(k.getCard().getOwner()));
      break;
    case Entry::Kind::APPRECIATION:
      k.getAppreciation().setTo(flip(k.getAppreciation().getTo()));
      break;
    case Entry::Kind::BID:
      k.getBid().setBidder(flip(k.getBid().getBidder()));
      break;
    case Entry::Kind::SUPPORT:
      k.getSupport().setNeeded(flip(k.getSupport().getNeeded()));
      k.getSupport().setGave(flip(k.getSupport().getGave()));
      break;
    case Entry::Kind::INITIATION:
      k.getInitiation().setInitiator(flip(k.getInitiation().getInitiator()));
      break;
    case Entry::Kind::CONFLICT: {
      auto x = k.getConflict();
      x.setRaisedBy(flip(x.getRaisedBy()));
      x.setApologisedFirst(flip(x.getApologisedFirst()));
      for (auto r : x.getRepairs()) r.setBy(flip(r.getBy()));
      using O = schema::ConflictOutcome;
      if (x.getOutcome() == O::YIELDED_ME)
        x.setOutcome(O::YIELDED_PARTNER);
      else if (x.getOutcome() == O::YIELDED_PARTNER)
        x.setOutcome(O::YIELDED_ME);
      auto a = x.getFairnessMe();
      x.setFairnessMe(x.getFairnessPartner());
      x.setFairnessPartner(a);
      break;
    }
    case Entry::Kind::BOUNDARY:
      k.getBoundary().setHolder(flip(k.getBoundary().getHolder()));
      break;
    case Entry::Kind::GOAL:
      k.getGoal().setHolder(flip(k.getGoal().getHolder()));
      k.getGoal().setSupportedBy(flip(k.getGoal().getSupportedBy()));
      break;
    case Entry::Kind::DECISION: {
      using P = schema::Prevailed;
      auto x = k.getDecision();
      if (x.getPrevailed() == P::ME)
        x.setPrevailed(P::PARTNER);
      else if (x.getPrevailed() == P::PARTNER)
        x.setPrevailed(P::ME);
      break;
    }
    case Entry::Kind::EXPENSE:
      k.getExpense().setPaidBy(flip(k.getExpense().getPaidBy()));
      break;
    case Entry::Kind::AGREEMENT:
      k.getAgreement().setMySharePercent(static_cast<std::uint8_t>(
          100 - std::min<int>(100, k.getAgreement().getMySharePercent())));
      break;
    case Entry::Kind::IMPORTANT_DATE:
      k.getImportantDate().setRememberedBy(flip(k.getImportantDate().getRememberedBy()));
      k.getImportantDate().setPlannedBy(flip(k.getImportantDate().getPlannedBy()));
      break;
    case Entry::Kind::CHECKIN:
      for (auto f : k.getCheckin().getFairness()) f.setFairness(flip(f.getFairness()));
      break;
    case Entry::Kind::EDIT:
      if (e.hasReplacement()) flip_perspective(e.getReplacement());
      break;
    default:
      break;
  }
}

Party main_actor(Entry::Reader e) {
  auto k = e.getKind();
  switch (k.which()) {
    case Entry::Kind::CONTRIBUTION:
      return k.getContribution().getActor();
    case Entry::Kind::CARD:
      return k.getCard().getOwner();
    case Entry::Kind::BID:
      return k.getBid().getBidder();
    case Entry::Kind::SUPPORT:
      return k.getSupport().getGave();
    case Entry::Kind::INITIATION:
      return k.getInitiation().getInitiator();
    case Entry::Kind::CONFLICT:
      return k.getConflict().getRaisedBy();
    case Entry::Kind::BOUNDARY:
      return k.getBoundary().getHolder();
    case Entry::Kind::GOAL:
      return k.getGoal().getHolder();
    case Entry::Kind::EXPENSE:
      return k.getExpense().getPaidBy();
    case Entry::Kind::IMPORTANT_DATE:
      return k.getImportantDate().getPlannedBy();
    default:
      return Party::ME;  // the author
  }
}

}  // namespace tandem::app
