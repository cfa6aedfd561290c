#include "daemon/insight/from_entry.hpp"

#include <kj/exception.h>

#include <algorithm>

#include "daemon/insight/dates.hpp"

namespace tandem::insight {
namespace {

using K = schema::Entry::Kind;

Member resolve(schema::Party p, Member author) {
  switch (p) {
    case schema::Party::ME:
      return author;
    case schema::Party::PARTNER:
      return other(author);
    case schema::Party::BOTH:
      return kBoth;
    default:
      return kNoOne;
  }
}

template <class E>
std::uint8_t ord(E e, unsigned max) {
  auto v = static_cast<unsigned>(e);
  return static_cast<std::uint8_t>(v <= max ? v : 0);
}

std::int32_t date_or(capnp::Text::Reader t, std::int32_t fallback) {
  auto d = parse_iso_date(std::string_view(t.cStr(), t.size()));
  return d ? *d : fallback;
}

EntryId ref_id(schema::EntryRef::Reader r) {
  EntryId id;
  for (auto b : r.getDevice()) id.device = (id.device << 8) | b;
  id.seq = r.getSeq();
  return id;
}

// Fills the kind-specific fields. Returns false for kinds a snapshot never holds.
bool fill_kind(K::Reader k, Member a, Fact& f) {
  switch (k.which()) {
    case K::CONTRIBUTION: {
      auto c = k.getContribution();
      f.kind = Kind::kContribution;
      f.actor = resolve(c.getActor(), a);
      f.effort = static_cast<std::uint8_t>(std::clamp<unsigned>(c.getEffort(), 1, 3));
      f.phase = ord(c.getPhase(), 5);
      return true;
    }
    case K::CARD: {
      auto c = k.getCard();
      f.kind = Kind::kCard;
      f.actor = resolve(c.getOwner(), a);
      f.sub = ord(c.getScope(), 3);
      f.detail_mut().text = c.getTitle().cStr();
      f.detail_mut().from_day = date_or(c.getFrom(), f.day);
      f.detail_mut().until_day = date_or(c.getUntil(), 0);
      return true;
    }
    case K::APPRECIATION:
      f.kind = Kind::kAppreciation;
      f.actor = resolve(k.getAppreciation().getTo(), a);
      if (f.actor == kNoOne) f.actor = other(a);
      return true;
    case K::BID: {
      auto b = k.getBid();
      f.kind = Kind::kBid;
      f.actor = resolve(b.getBidder(), a);
      f.sub = ord(b.getResponse(), 3);
      f.rating = std::min<std::uint8_t>(b.getHeard(), 5);
      return true;
    }
    case K::SUPPORT: {
      auto s = k.getSupport();
      f.kind = Kind::kSupport;
      f.actor = resolve(s.getGave(), a);
      f.second = resolve(s.getNeeded(), a);
      f.sub = ord(s.getForm(), 4);
      f.rating = std::min<std::uint8_t>(s.getHelpful(), 5);
      return true;
    }
    case K::INITIATION: {
      auto i = k.getInitiation();
      f.kind = Kind::kInitiation;
      f.actor = resolve(i.getInitiator(), a);
      f.sub = ord(i.getWhat(), 4);
      f.sub2 = ord(i.getReceived(), 3);
      return true;
    }
    case K::CONFLICT: {
      auto c = k.getConflict();
      f.kind = Kind::kConflict;
      f.actor = resolve(c.getRaisedBy(), a);
      f.second = resolve(c.getApologisedFirst(), a);
      f.sub = ord(c.getOutcome(), 4);
      f.yielded_author = c.getOutcome() == schema::ConflictOutcome::YIELDED_ME;
      for (auto r : c.getRepairs())
        f.detail_mut().repairs.push_back(
            {resolve(r.getBy(), a), ord(r.getKind(), 6), r.getAccepted()});
      return true;
    }
    case K::BOUNDARY: {
      auto b = k.getBoundary();
      f.kind = Kind::kBoundary;
      f.actor = resolve(b.getHolder(), a);
      f.sub = ord(b.getEvent(), 3);
      return true;
    }
    case K::GOAL: {
      auto g = k.getGoal();
      f.kind = Kind::kGoal;
      f.actor = resolve(g.getHolder(), a);
      f.second = resolve(g.getSupportedBy(), a);
      f.rating = std::min<std::uint8_t>(g.getSupported(), 5);
      return true;
    }
    case K::DECISION: {
      auto p = k.getDecision().getPrevailed();
      f.kind = Kind::kDecision;
      f.sub = ord(p, 4);
      f.actor = p == schema::Prevailed::ME        ? a
                : p == schema::Prevailed::PARTNER ? other(a)
                                                  : kNoOne;
      return true;
    }
    case K::EXPENSE: {
      auto e = k.getExpense();
      f.kind = Kind::kExpense;
      f.actor = resolve(e.getPaidBy(), a);
      f.detail_mut().amount_cents = std::max<std::int64_t>(e.getAmountCents(), 0);
      f.detail_mut().currency = e.getCurrency().cStr();
      f.detail_mut().text = e.getArea().cStr();
      return true;
    }
    case K::AGREEMENT: {
      auto g = k.getAgreement();
      f.kind = Kind::kAgreement;
      f.actor = a;
      f.detail_mut().text = g.getArea().cStr();
      f.detail_mut().agreed_percent = std::min<std::uint8_t>(g.getMySharePercent(), 100);
      return true;
    }
    case K::IMPORTANT_DATE: {
      auto d = k.getImportantDate();
      f.kind = Kind::kImportantDate;
      f.actor = resolve(d.getRememberedBy(), a);
      f.second = resolve(d.getPlannedBy(), a);
      f.sub = ord(d.getRecurrence(), 2);
      f.detail_mut().text = d.getTitle().cStr();
      f.detail_mut().from_day = date_or(d.getDate(), f.day);
      return true;
    }
    case K::CHECKIN: {
      auto c = k.getCheckin();
      f.kind = Kind::kCheckin;
      f.actor = a;
      auto p = c.getPeriod();
      auto w = parse_iso_week(std::string_view(p.cStr(), p.size()));
      f.detail_mut().period_week = w ? *w : f.week;
      for (auto d : c.getFairness()) {
        auto dim = static_cast<unsigned>(d.getDimension());
        if (dim >= 1 && dim <= kDimensions) f.detail_mut().fairness[dim] = ord(d.getFairness(), 5);
      }
      f.detail_mut().appreciated = std::min<std::uint8_t>(c.getAppreciated(), 5);
      f.detail_mut().loaded = std::min<std::uint8_t>(c.getLoaded(), 5);
      f.detail_mut().satisfaction = std::min<std::uint8_t>(c.getSatisfaction(), 5);
      f.detail_mut().sealed = c.getSealed();
      return true;
    }
    case K::CONTEXT: {
      auto c = k.getContext();
      f.kind = Kind::kContext;
      f.actor = a;
      f.detail_mut().text = c.getLabel().cStr();
      f.detail_mut().from_day = date_or(c.getFrom(), f.day);
      f.detail_mut().until_day =
          std::max(date_or(c.getUntil(), f.detail_mut().from_day), f.detail_mut().from_day);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Dimension default_dimension(K::Which kind) {
  using D = schema::Dimension;
  auto d = [](D x) { return static_cast<Dimension>(x); };
  switch (kind) {
    case K::CONTRIBUTION:
    case K::CARD:
      return d(D::HOUSEHOLD);
    case K::BID:
    case K::INITIATION:
      return d(D::AFFECTION);
    case K::SUPPORT:
      return d(D::SUPPORT);
    case K::CONFLICT:
      return d(D::CONFLICT);
    case K::BOUNDARY:
      return d(D::BOUNDARIES);
    case K::GOAL:
      return d(D::GROWTH);
    case K::DECISION:
    case K::EXPENSE:
    case K::AGREEMENT:
      return d(D::FINANCES);
    case K::APPRECIATION:
    case K::IMPORTANT_DATE:
    case K::CHECKIN:
      return d(D::MAINTENANCE);
    default:
      return 0;
  }
}

Result<Fact> fact_from_entry(schema::Entry::Reader entry, Member author, EntryId id) {
  if (author != kFirst && author != kSecond)
    return Error{Code::kInvalidArgument, "author must be member 1 or 2"};
  Fact f;
  bool kind_ok = false;
  bool date_ok = false;
  auto failure = kj::runCatchingExceptions([&] {
    f.author = f.logged_by = author;
    f.id = id;
    auto date = entry.getDate();
    auto day = parse_iso_date(std::string_view(date.cStr(), date.size()));
    if (!day) return;
    date_ok = true;
    f.day = *day;
    f.week = week_of(f.day);
    f.visibility = static_cast<Visibility>(ord(entry.getVisibility(), 2));
    f.people = resolve(entry.getPeople(), author);
    auto kind = entry.getKind();
    auto dim = static_cast<unsigned>(entry.getDimension());
    f.dimension = dim >= 1 && dim <= kDimensions ? static_cast<Dimension>(dim)
                                                 : default_dimension(kind.which());
    auto ep = entry.getEpisode();
    if (ep.size() > 0)
      std::copy_n(ep.begin(), std::min<std::size_t>(ep.size(), f.episode.size()),
                  f.episode.begin());
    kind_ok = fill_kind(kind, author, f);
    if (f.kind == Kind::kAppreciation)
      for (auto r : entry.getRefs()) f.detail_mut().refs.push_back(ref_id(r));
  });
  if (failure != nullptr) return Error{Code::kCorrupt, "unreadable entry body"};
  if (!date_ok) return Error{Code::kInvalidArgument, "entry date is not an ISO date"};
  if (!kind_ok) return Error{Code::kInvalidArgument, "edit and retract bodies are not facts"};
  return f;
}

}  // namespace tandem::insight
