#include "daemon/insight/to_capnp.hpp"

namespace tandem::insight {
namespace {

schema::Party party(Party p) {
  return static_cast<schema::Party>(p);
}
schema::Dimension dim(Dimension d) {
  return static_cast<schema::Dimension>(d);
}
schema::Topic topic(Topic t) {
  return static_cast<schema::Topic>(t);
}
schema::Reading reading(Reading r) {
  return static_cast<schema::Reading>(r);
}

void put(const ShareView& s, schema::Share::Builder b) {
  b.setTopic(topic(s.topic));
  b.setDimension(dim(s.dimension));
  b.setArea(s.area);
  b.setReader(s.reader);
  b.setPartner(s.partner);
  b.setEpisodes(s.episodes);
  b.setWeeks(s.weeks);
  b.setLookbackWeeks(s.lookback_weeks);
  b.setExcludedWeeks(s.excluded_weeks);
  b.setShare(s.share);
  auto i95 = b.initInterval95();
  i95.setLow(s.interval95.low);
  i95.setHigh(s.interval95.high);
  auto i90 = b.initInterval90();
  i90.setLow(s.interval90.low);
  i90.setHigh(s.interval90.high);
  b.setBandLow(s.band_low);
  b.setBandHigh(s.band_high);
  b.setBandFromAgreement(s.band_from_agreement);
  b.setReading(reading(s.reading));
  b.setMoreNeeded(s.more_needed);
  b.setMoreNeededCapped(s.more_needed_capped);
  b.setMoreWeeksNeeded(s.more_weeks_needed);
  b.setLoggedByReader(s.logged_by_reader);
  b.setLoggedByPartner(s.logged_by_partner);
}

void put(const BoundaryEvents& e, schema::BoundaryEvents::Builder b) {
  b.setStated(e.stated);
  b.setRespected(e.respected);
  b.setCrossed(e.crossed);
  b.setRenegotiated(e.renegotiated);
}

template <class T>
auto count(const std::vector<T>& v) {
  return static_cast<unsigned>(v.size());
}

void put_perception(const Perception& p, schema::Perception::Builder b) {
  b.setReaderPeriod(p.reader_period);
  b.setPartnerPeriod(p.partner_period);
  auto dims = b.initDimensions(count(p.dimensions));
  for (unsigned i = 0; i < dims.size(); ++i) {
    const auto& f = p.dimensions[i];
    auto d = dims[i];
    d.setDimension(dim(f.dimension));
    d.setReader(static_cast<schema::Fairness>(f.reader));
    d.setPartner(static_cast<schema::Fairness>(f.partner));
    d.setReaderTilt(f.reader_tilt);
    d.setPartnerTilt(f.partner_tilt);
    d.setGap(f.gap);
    d.setLoggedShare(f.logged_share);
  }
  b.setReaderAppreciated(p.reader_appreciated);
  b.setPartnerAppreciated(p.partner_appreciated);
  b.setReaderLoaded(p.reader_loaded);
  b.setPartnerLoaded(p.partner_loaded);
  b.setReaderSatisfaction(p.reader_satisfaction);
  b.setPartnerSatisfaction(p.partner_satisfaction);
  auto sealed = b.initSealed(count(p.sealed));
  for (unsigned i = 0; i < sealed.size(); ++i) {
    sealed[i].setWho(party(p.sealed[i].who));
    sealed[i].setPeriod(p.sealed[i].period);
  }
}

void put_appreciation(const AppreciationFlow& a, schema::AppreciationFlow::Builder b) {
  b.setToReader(a.to_reader);
  b.setToPartner(a.to_partner);
  auto wr = b.initWeeklyToReader(count(a.weekly_to_reader));
  for (unsigned i = 0; i < wr.size(); ++i) wr.set(i, a.weekly_to_reader[i]);
  auto wp = b.initWeeklyToPartner(count(a.weekly_to_partner));
  for (unsigned i = 0; i < wp.size(); ++i) wp.set(i, a.weekly_to_partner[i]);
  auto bd = b.initByDimension(count(a.by_dimension));
  for (unsigned i = 0; i < bd.size(); ++i) {
    const auto& c = a.by_dimension[i];
    bd[i].setDimension(dim(c.dimension));
    bd[i].setReaderDone(c.reader_done);
    bd[i].setReaderThanked(c.reader_thanked);
    bd[i].setPartnerDone(c.partner_done);
    bd[i].setPartnerThanked(c.partner_thanked);
  }
  auto ak = b.initAcknowledged(count(a.acknowledged));
  for (unsigned i = 0; i < ak.size(); ++i) {
    const auto& k = a.acknowledged[i];
    ak[i].setEntryId(k.entry_id);
    ak[i].setActor(party(k.actor));
    ak[i].setDimension(dim(k.dimension));
    ak[i].setDate(k.date);
  }
}

void put_section(const DimensionSection& s, schema::DimensionSection::Builder b) {
  b.setDimension(dim(s.dimension));
  put(s.count, b.initCount());
  put(s.effort, b.initEffort());
  put(s.mental_load, b.initMentalLoad());
  auto weeks = b.initWeeks(count(s.weeks));
  for (unsigned i = 0; i < weeks.size(); ++i) {
    weeks[i].setWeek(s.weeks[i].week);
    weeks[i].setReader(s.weeks[i].reader);
    weeks[i].setPartner(s.weeks[i].partner);
    weeks[i].setContext(s.weeks[i].context);
  }
  auto phases = b.initPhases(count(s.phases));
  for (unsigned i = 0; i < phases.size(); ++i) {
    phases[i].setPhase(static_cast<schema::Phase>(s.phases[i].phase));
    phases[i].setReader(s.phases[i].reader);
    phases[i].setPartner(s.phases[i].partner);
  }
  auto cards = b.initCards(count(s.cards));
  for (unsigned i = 0; i < cards.size(); ++i) {
    const auto& c = s.cards[i];
    cards[i].setTitle(c.title);
    cards[i].setOwner(party(c.owner));
    cards[i].setScope(static_cast<schema::CardScope>(c.scope));
    cards[i].setFrom(c.from);
    cards[i].setUntil(c.until);
  }
}

void put_across(const Across& a, schema::Across::Builder b) {
  put(a.turns_toward, b.initTurnsToward());
  put(a.bids, b.initBids());
  auto bf = b.initBidFlow();
  bf.setReaderBids(a.bid_flow.reader_bids);
  bf.setReaderBidsToward(a.bid_flow.reader_toward);
  bf.setReaderBidsAway(a.bid_flow.reader_away);
  bf.setReaderBidsAgainst(a.bid_flow.reader_against);
  bf.setPartnerBids(a.bid_flow.partner_bids);
  bf.setPartnerBidsToward(a.bid_flow.partner_toward);
  bf.setPartnerBidsAway(a.bid_flow.partner_away);
  bf.setPartnerBidsAgainst(a.bid_flow.partner_against);
  put(a.initiates, b.initInitiates());
  put(a.important_talks, b.initImportantTalks());
  put(a.raises_issues, b.initRaisesIssues());
  put(a.repairs_first, b.initRepairsFirst());
  auto rf = b.initRepairs();
  rf.setReaderRepairs(a.repairs.reader_repairs);
  rf.setReaderAccepted(a.repairs.reader_accepted);
  rf.setPartnerRepairs(a.repairs.partner_repairs);
  rf.setPartnerAccepted(a.repairs.partner_accepted);
  put(a.apologises_first, b.initApologisesFirst());
  auto en = b.initEndings();
  en.setConflicts(a.endings.conflicts);
  en.setCompromise(a.endings.compromise);
  en.setReaderYielded(a.endings.reader_yielded);
  en.setPartnerYielded(a.endings.partner_yielded);
  en.setAgreedToDiffer(a.endings.agreed_to_differ);
  en.setOpen(a.endings.open);
  put(a.yields, b.initYields());
  put(a.reader_boundaries, b.initReaderBoundaries());
  put(a.partner_boundaries, b.initPartnerBoundaries());
  put(a.boundaries_crossed, b.initBoundariesCrossed());
  put(a.preferences_prevail, b.initPreferencesPrevail());
  b.setBlends(a.blends);
  b.setNewOptions(a.new_options);
  put(a.goals_supported, b.initGoalsSupported());
  put(a.support_given, b.initSupportGiven());
  auto money = b.initMoney(count(a.money));
  for (unsigned i = 0; i < money.size(); ++i) {
    const auto& m = a.money[i];
    money[i].setArea(m.area);
    money[i].setCurrency(m.currency);
    money[i].setReaderCents(m.reader_cents);
    money[i].setPartnerCents(m.partner_cents);
    money[i].setAgreedReaderPercent(m.agreed_reader_percent);
    put(m.share, money[i].initShare());
  }
  auto dates = b.initUpcomingDates(count(a.upcoming_dates));
  for (unsigned i = 0; i < dates.size(); ++i) {
    const auto& d = a.upcoming_dates[i];
    dates[i].setTitle(d.title);
    dates[i].setNext(d.next);
    dates[i].setDaysAway(d.days_away);
    dates[i].setLastRememberedBy(party(d.last_remembered_by));
    dates[i].setLastPlannedBy(party(d.last_planned_by));
  }
  put(a.dates_remembered, b.initDatesRemembered());
  put(a.dates_planned, b.initDatesPlanned());
}

}  // namespace

void to_capnp(const Report& r, schema::Report::Builder b) {
  b.setGeneratedAt(r.generated_at);
  auto w = b.initWindow();
  w.setLabel(r.window.label);
  w.setSince(r.window.since);
  w.setUntil(r.window.until);
  w.setToday(r.window.today);
  w.setWeeks(r.window.weeks);
  auto ctx = w.initContexts(count(r.window.contexts));
  for (unsigned i = 0; i < ctx.size(); ++i) {
    ctx[i].setLabel(r.window.contexts[i].label);
    ctx[i].setFrom(r.window.contexts[i].from);
    ctx[i].setUntil(r.window.contexts[i].until);
  }
  b.setReaderName(r.reader_name);
  b.setPartnerName(r.partner_name);
  put_perception(r.perception, b.initPerception());
  put_appreciation(r.appreciation, b.initAppreciation());
  auto pats = b.initPatterns(count(r.patterns));
  for (unsigned i = 0; i < pats.size(); ++i) {
    const auto& p = r.patterns[i];
    auto o = pats[i];
    o.setTopic(topic(p.topic));
    o.setDimension(dim(p.dimension));
    o.setArea(p.area);
    o.setWho(party(p.who));
    o.setWhoName(p.who_name);
    o.setShare(p.share);
    o.setLow(p.low);
    o.setHigh(p.high);
    o.setEpisodes(p.episodes);
    o.setWeeks(p.weeks);
    o.setLookbackWeeks(p.lookback_weeks);
    o.setText(p.text);
    o.setEvidence(p.evidence);
    o.setQuestion(p.question);
    o.setSuggestion(p.suggestion);
  }
  auto ny = b.initNotYet(count(r.not_yet));
  for (unsigned i = 0; i < ny.size(); ++i) {
    const auto& u = r.not_yet[i];
    ny[i].setTopic(topic(u.topic));
    ny[i].setDimension(dim(u.dimension));
    ny[i].setArea(u.area);
    ny[i].setReading(reading(u.reading));
    ny[i].setEpisodes(u.episodes);
    ny[i].setMoreNeeded(u.more_needed);
    ny[i].setMoreWeeksNeeded(u.more_weeks_needed);
    ny[i].setText(u.text);
  }
  auto secs = b.initDimensions(count(r.dimensions));
  for (unsigned i = 0; i < secs.size(); ++i) put_section(r.dimensions[i], secs[i]);
  put_across(r.across, b.initAcross());
  auto lb = b.initLoggedBy();
  lb.setReaderEntries(r.logged_by.reader_entries);
  lb.setPartnerEntries(r.logged_by.partner_entries);
  lb.setReaderAboutPartner(r.logged_by.reader_about_partner);
  lb.setPartnerAboutReader(r.logged_by.partner_about_reader);
  lb.setAggregateEntries(r.logged_by.aggregate_entries);
  lb.setPrivateExcluded(r.logged_by.private_excluded);
}

}  // namespace tandem::insight
