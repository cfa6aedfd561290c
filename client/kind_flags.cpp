// The table of kinds and their flags (see entry_flags.hpp). Defaults set by each kind's init are
// stated in its flags' help, so `tandem add KIND --help` is the reference.
#include "client/entry_flags.hpp"
#include "client/flag_parsers.hpp"

namespace tandem::client {
namespace {

using detail::date_flag;
using detail::enum_flag;
using detail::scale_flag;
using detail::text_flag;
using B = schema::Entry::Builder;
using V = std::vector<std::string>;
using C = FlagContext;
using F = std::string_view;
namespace s = schema;

template <typename E>
capnp::EnumSchema choices() {
  return capnp::Schema::from<E>();
}

// ---- contribution
const FlagSpec kContribution[] = {
    {"--by", "who did it (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getContribution().setActor(p); });
     }},
    {"--effort", "1 small .. 3 large (default 1)", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 3,
                         [&](auto n) { e.getKind().getContribution().setEffort(n); });
     }},
    {"--phase", "the mental-load phase", choices<s::Phase>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Phase>(f, v.back(),
                                  [&](auto p) { e.getKind().getContribution().setPhase(p); });
     }},
};

// ---- card
const FlagSpec kCard[] = {
    {"--title", "the responsibility, e.g. \"school forms\"", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return text_flag(f, v.back(), [&](auto t) { e.getKind().getCard().setTitle(t); });
     }},
    {"--owner", "who owns it (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(), [&](auto p) { e.getKind().getCard().setOwner(p); });
     }},
    {"--scope", "which part is owned (default whole)", choices<s::CardScope>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::CardScope>(f, v.back(),
                                      [&](auto x) { e.getKind().getCard().setScope(x); });
     }},
    {"--from", "owned from this date (default today)", nullptr, false, false,
     [](B e, F f, const V& v, const C& c) -> FlagError {
       return date_flag(f, v.back(), c, [&](auto& d) { e.getKind().getCard().setFrom(d); });
     }},
    {"--until", "owned until this date (default open-ended)", nullptr, false, false,
     [](B e, F f, const V& v, const C& c) -> FlagError {
       return date_flag(f, v.back(), c, [&](auto& d) { e.getKind().getCard().setUntil(d); });
     }},
};

// ---- appreciation
const FlagSpec kAppreciation[] = {
    {"--to", "who is thanked (default partner); --ref names what for", choices<s::Party>, false,
     false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getAppreciation().setTo(p); });
     }},
};

// ---- bid
const FlagSpec kBid[] = {
    {"--bidder", "who made the bid for connection (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(), [&](auto p) { e.getKind().getBid().setBidder(p); });
     }},
    {"--response", "how it was met", choices<s::BidResponse>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::BidResponse>(f, v.back(),
                                        [&](auto r) { e.getKind().getBid().setResponse(r); });
     }},
    {"--heard", "how heard the bidder felt, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5, [&](auto n) { e.getKind().getBid().setHeard(n); });
     }},
};

// ---- support
const FlagSpec kSupport[] = {
    {"--needed", "who was going through it (default partner)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getSupport().setNeeded(p); });
     }},
    {"--gave", "who gave the support (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getSupport().setGave(p); });
     }},
    {"--form", "the form of support", choices<s::SupportForm>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::SupportForm>(f, v.back(),
                                        [&](auto x) { e.getKind().getSupport().setForm(x); });
     }},
    {"--helpful", "how helpful the receiver found it, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5,
                         [&](auto n) { e.getKind().getSupport().setHelpful(n); });
     }},
};

// ---- initiation
const FlagSpec kInitiation[] = {
    {"--initiator", "who started it (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getInitiation().setInitiator(p); });
     }},
    {"--what", "what was started (intimacy defaults to --visibility aggregate)",
     choices<s::InitiationWhat>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::InitiationWhat>(f, v.back(),
                                           [&](auto w) { e.getKind().getInitiation().setWhat(w); });
     }},
    {"--received", "how it was received", choices<s::Reception>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Reception>(f, v.back(),
                                      [&](auto r) { e.getKind().getInitiation().setReceived(r); });
     }},
};

// ---- conflict
FlagError set_repairs(B e, F f, const V& v, const C&) {
  auto repairs = e.getKind().getConflict().initRepairs(static_cast<unsigned>(v.size()));
  for (unsigned i = 0; i < v.size(); ++i) {
    std::string_view text = v[i];
    auto c1 = text.find(':');
    std::string_view by = text.substr(0, c1);
    std::string_view rest = c1 == F::npos ? F() : text.substr(c1 + 1);
    auto c2 = rest.find(':');
    std::string_view kind = rest.substr(0, c2);
    std::string_view accepted = c2 == F::npos ? F() : rest.substr(c2 + 1);
    if (c1 == F::npos || kind.empty()) {
      return "bad " + std::string(f) + " '" + v[i] + "'; expected WHO:KIND[:accepted|:rejected]";
    }
    auto r = repairs[i];
    if (auto err = enum_flag<s::Party>(f, by, [&](auto p) { r.setBy(p); })) return err;
    if (auto err = enum_flag<s::RepairKind>(f, kind, [&](auto k) { r.setKind(k); })) return err;
    if (accepted == "accepted" || accepted == "yes") {
      r.setAccepted(true);
    } else if (!accepted.empty() && accepted != "rejected" && accepted != "no") {
      return "bad " + std::string(f) + " '" + v[i] + "'; the third part is accepted or rejected";
    }
  }
  return std::nullopt;
}

const FlagSpec kConflict[] = {
    {"--raised-by", "who raised it (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getConflict().setRaisedBy(p); });
     }},
    {"--topic", "the dimension it was about", choices<s::Dimension>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Dimension>(f, v.back(),
                                      [&](auto d) { e.getKind().getConflict().setTopic(d); });
     }},
    {"--repair",
     "a repair attempt WHO:KIND[:accepted|:rejected], e.g. me:apology:accepted (repeatable); "
     "KIND",
     choices<s::RepairKind>, true, false, set_repairs},
    {"--apologised-first", "who apologised first", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getConflict().setApologisedFirst(p); });
     }},
    {"--outcome", "how it ended (default open)", choices<s::ConflictOutcome>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::ConflictOutcome>(
           f, v.back(), [&](auto o) { e.getKind().getConflict().setOutcome(o); });
     }},
    {"--fairness-me", "how fair you found the outcome, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5,
                         [&](auto n) { e.getKind().getConflict().setFairnessMe(n); });
     }},
    {"--fairness-partner", "how fair you think your partner found it, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5,
                         [&](auto n) { e.getKind().getConflict().setFairnessPartner(n); });
     }},
};

// ---- boundary
const FlagSpec kBoundary[] = {
    {"--holder", "whose boundary (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getBoundary().setHolder(p); });
     }},
    {"--event", "what happened (default stated)", choices<s::BoundaryEvent>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::BoundaryEvent>(f, v.back(),
                                          [&](auto x) { e.getKind().getBoundary().setEvent(x); });
     }},
};

// ---- goal
const FlagSpec kGoal[] = {
    {"--holder", "whose goal (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(), [&](auto p) { e.getKind().getGoal().setHolder(p); });
     }},
    {"--supported-by", "who supported it", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getGoal().setSupportedBy(p); });
     }},
    {"--supported", "how well supported the holder felt, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5, [&](auto n) { e.getKind().getGoal().setSupported(n); });
     }},
};

// ---- decision
const FlagSpec kDecision[] = {
    {"--prevailed", "whose preference prevailed", choices<s::Prevailed>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Prevailed>(f, v.back(),
                                      [&](auto p) { e.getKind().getDecision().setPrevailed(p); });
     }},
};

// ---- expense
const FlagSpec kExpense[] = {
    {"--amount", "the amount, e.g. 42.50", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       std::int64_t cents = 0;
       if (auto err = detail::parse_cents(f, v.back(), cents)) return err;
       e.getKind().getExpense().setAmountCents(cents);
       return std::nullopt;
     }},
    {"--currency", "ISO 4217 code, e.g. EUR", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       std::string code = v.back();
       bool ok = code.size() == 3;
       for (char& c : code) {
         if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
         ok = ok && c >= 'A' && c <= 'Z';
       }
       if (!ok) return "bad " + std::string(f) + " '" + v.back() + "'; expected a code like EUR";
       e.getKind().getExpense().setCurrency(code);
       return std::nullopt;
     }},
    {"--paid-by", "who paid (default me)", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getExpense().setPaidBy(p); });
     }},
    {"--area", "what it was for, matched against agreements: rent, groceries, ...", nullptr, false,
     false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return text_flag(f, v.back(), [&](auto t) { e.getKind().getExpense().setArea(t); });
     }},
};

// ---- agreement
const FlagSpec kAgreement[] = {
    {"--area", "the area the split applies to", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return text_flag(f, v.back(), [&](auto t) { e.getKind().getAgreement().setArea(t); });
     }},
    {"--my-share", "your agreed share in percent, 0..100", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 0, 100,
                         [&](auto n) { e.getKind().getAgreement().setMySharePercent(n); });
     }},
};

// ---- important-date
const FlagSpec kImportantDate[] = {
    {"--title", "what the date is, e.g. \"our anniversary\"", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return text_flag(f, v.back(), [&](auto t) { e.getKind().getImportantDate().setTitle(t); });
     }},
    {"--date", "the (first) occurrence: YYYY-MM-DD, today, yesterday or Nd", nullptr, false, false,
     [](B e, F f, const V& v, const C& c) -> FlagError {
       return date_flag(f, v.back(), c,
                        [&](auto& d) { e.getKind().getImportantDate().setDate(d); });
     }},
    {"--recurrence", "how it recurs (default yearly)", choices<s::Recurrence>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Recurrence>(
           f, v.back(), [&](auto r) { e.getKind().getImportantDate().setRecurrence(r); });
     }},
    {"--remembered-by", "who remembered it this time", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(
           f, v.back(), [&](auto p) { e.getKind().getImportantDate().setRememberedBy(p); });
     }},
    {"--planned-by", "who planned it this time", choices<s::Party>, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return enum_flag<s::Party>(f, v.back(),
                                  [&](auto p) { e.getKind().getImportantDate().setPlannedBy(p); });
     }},
};

// ---- checkin
FlagError set_fairness(B e, F f, const V& v, const C&) {
  auto list = e.getKind().getCheckin().initFairness(static_cast<unsigned>(v.size()));
  for (unsigned i = 0; i < v.size(); ++i) {
    std::string_view text = v[i];
    auto eq = text.find('=');
    if (eq == F::npos) {
      return "bad " + std::string(f) + " '" + v[i] + "'; expected DIMENSION=FAIRNESS";
    }
    auto item = list[i];
    if (auto err =
            enum_flag<s::Dimension>(f, text.substr(0, eq), [&](auto d) { item.setDimension(d); })) {
      return err;
    }
    if (auto err =
            enum_flag<s::Fairness>(f, text.substr(eq + 1), [&](auto x) { item.setFairness(x); })) {
      return err;
    }
  }
  return std::nullopt;
}

const FlagSpec kCheckin[] = {
    {"--period", "the ISO week, e.g. 2026-W48 (default this week)", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       if (!is_iso_week(v.back())) {
         return "bad " + std::string(f) + " '" + v.back() + "'; expected an ISO week like 2026-W48";
       }
       e.getKind().getCheckin().setPeriod(v.back());
       return std::nullopt;
     }},
    {"--fairness", "DIMENSION=FAIRNESS, e.g. household=fair (repeatable); FAIRNESS",
     choices<s::Fairness>, true, false, set_fairness},
    {"--appreciated", "how appreciated you feel, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5,
                         [&](auto n) { e.getKind().getCheckin().setAppreciated(n); });
     }},
    {"--loaded", "how loaded you feel, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5, [&](auto n) { e.getKind().getCheckin().setLoaded(n); });
     }},
    {"--satisfaction", "overall satisfaction, 1..5", nullptr, false, false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return scale_flag(f, v.back(), 1, 5,
                         [&](auto n) { e.getKind().getCheckin().setSatisfaction(n); });
     }},
    {"--sealed", "hide the answers until your partner's check-in for the period arrives", nullptr,
     false, true,
     [](B e, F, const V&, const C&) -> FlagError {
       e.getKind().getCheckin().setSealed(true);
       return std::nullopt;
     }},
};

// ---- context
const FlagSpec kContext[] = {
    {"--label", "what the period is: illness, exams, a new baby, travel, ...", nullptr, false,
     false,
     [](B e, F f, const V& v, const C&) -> FlagError {
       return text_flag(f, v.back(), [&](auto t) { e.getKind().getContext().setLabel(t); });
     }},
    {"--from", "first day (default today)", nullptr, false, false,
     [](B e, F f, const V& v, const C& c) -> FlagError {
       return date_flag(f, v.back(), c, [&](auto& d) { e.getKind().getContext().setFrom(d); });
     }},
    {"--until", "last day, inclusive (default open-ended)", nullptr, false, false,
     [](B e, F f, const V& v, const C& c) -> FlagError {
       return date_flag(f, v.back(), c, [&](auto& d) { e.getKind().getContext().setUntil(d); });
     }},
};

const char* const kCardRequired[] = {"--title"};
const char* const kDecisionRequired[] = {"--prevailed"};
const char* const kExpenseRequired[] = {"--amount", "--currency"};
const char* const kAgreementRequired[] = {"--area", "--my-share"};
const char* const kDateRequired[] = {"--title", "--date"};
const char* const kInitiationRequired[] = {"--what"};
const char* const kContextRequired[] = {"--label"};

std::span<const char* const> none() {
  return {};
}

using W = s::Entry::Kind::Which;
using K = s::EntryKind;

const KindSpec kKinds[] = {
    {"contribution", K::CONTRIBUTION, W::CONTRIBUTION, "someone did something", kContribution,
     none(),
     [](B e, const C&) {
       auto c = e.getKind().initContribution();
       c.setActor(s::Party::ME);
       c.setEffort(1);
     }},
    {"card", K::CARD, W::CARD, "standing ownership of a recurring responsibility", kCard,
     kCardRequired,
     [](B e, const C& c) {
       auto card = e.getKind().initCard();
       card.setOwner(s::Party::ME);
       card.setFrom(format_date(c.today));
     }},
    {"appreciation", K::APPRECIATION, W::APPRECIATION, "thanks to your partner (see also thanks)",
     kAppreciation, none(),
     [](B e, const C&) { e.getKind().initAppreciation().setTo(s::Party::PARTNER); }},
    {"bid", K::BID, W::BID, "a bid for connection and how it was met", kBid, none(),
     [](B e, const C&) { e.getKind().initBid().setBidder(s::Party::ME); }},
    {"support", K::SUPPORT, W::SUPPORT, "support during a hard time", kSupport, none(),
     [](B e, const C&) {
       auto x = e.getKind().initSupport();
       x.setNeeded(s::Party::PARTNER);
       x.setGave(s::Party::ME);
     }},
    {"initiation", K::INITIATION, W::INITIATION, "who started something and how it was received",
     kInitiation, kInitiationRequired,
     [](B e, const C&) { e.getKind().initInitiation().setInitiator(s::Party::ME); }},
    {"conflict", K::CONFLICT, W::CONFLICT, "a conflict: who raised it, repairs, how it ended",
     kConflict, none(),
     [](B e, const C&) { e.getKind().initConflict().setRaisedBy(s::Party::ME); }},
    {"boundary", K::BOUNDARY, W::BOUNDARY, "a stated boundary, or what later happened to it",
     kBoundary, none(), [](B e, const C&) { e.getKind().initBoundary().setHolder(s::Party::ME); }},
    {"goal", K::GOAL, W::GOAL, "a personal goal and the support it got", kGoal, none(),
     [](B e, const C&) { e.getKind().initGoal().setHolder(s::Party::ME); }},
    {"decision", K::DECISION, W::DECISION, "a joint decision and whose preference prevailed",
     kDecision, kDecisionRequired, [](B e, const C&) { e.getKind().initDecision(); }},
    {"expense", K::EXPENSE, W::EXPENSE, "a shared expense and who paid", kExpense, kExpenseRequired,
     [](B e, const C&) { e.getKind().initExpense().setPaidBy(s::Party::ME); }},
    {"agreement", K::AGREEMENT, W::AGREEMENT, "an agreed target split for an area", kAgreement,
     kAgreementRequired, [](B e, const C&) { e.getKind().initAgreement(); }},
    {"important-date", K::IMPORTANT_DATE, W::IMPORTANT_DATE,
     "an anniversary, a birthday: who remembered or planned it", kImportantDate, kDateRequired,
     [](B e, const C&) { e.getKind().initImportantDate().setRecurrence(s::Recurrence::YEARLY); }},
    {"checkin", K::CHECKIN, W::CHECKIN, "your perceived fairness and how you feel, for a week",
     kCheckin, none(),
     [](B e, const C& c) { e.getKind().initCheckin().setPeriod(iso_week(c.today)); }},
    {"context", K::CONTEXT, W::CONTEXT, "a period to read differently (left out of patterns)",
     kContext, kContextRequired,
     [](B e, const C& c) { e.getKind().initContext().setFrom(format_date(c.today)); }},
};

}  // namespace

std::span<const KindSpec> kind_specs() {
  return kKinds;
}

}  // namespace tandem::client
