@0xd2ed16d5c578a0c8;
# tandem's reciprocity report, as the local API returns it (api.capnp: `report @N :ReportRequest`
# in Request, `report @N :Report` in Response). Schema version 1; same rules as entry.capnp: never
# renumber, rename or retype a field, only add fields and enumerants at the end.
#
# Perspective: every Entry.Party below is relative to the *reader*, the member whose daemon
# answered (`me` = the reader, `partner` = the other member, `both` = the two together). Names are
# given so that a report the couple reads together can say "Sam" and "Alex" instead.
#
# Shares are fractions in 0..1 of the *reader's* part unless a field says otherwise. Counts are of
# episodes, not taps: records sharing an episode id count once, and an episode the two are credited
# with together (a "both" actor, or records that disagree) counts half to each, so counts may be
# fractional. Intervals are Jeffreys intervals (Beta(x+1/2, n-x+1/2) quantiles).
#
# Order of presentation is part of the contract: perception and appreciation first, patterns next,
# logged shares per dimension and across dimensions as context after them.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tandem::schema");
using Entry = import "entry.capnp";

struct ReportRequest {
  window @0 :Text;                       # "30d", "12w", "6m", "1y", "all"; empty means "8w"
  since @1 :Text;                        # ISO date, inclusive; overrides the window's start
  until @2 :Text;                        # ISO date, inclusive; empty means today
  dimensions @3 :List(Entry.Dimension);  # per-dimension sections to include; empty: all nine
  includePrivate @4 :Bool;               # also count the reader's private entries (a report
                                         # read alone); off by default so that a report read
                                         # together never rests on drafts the partner cannot see
}

enum Reading {
  # What the pattern rule says about one share.
  notEnoughYet @0;    # fewer than 12 episodes or 4 weeks, or the interval straddles the fair band
  balanced @1;        # the 90% interval lies inside the fair band
  pattern @2;         # the 95% interval lies outside the band, also without the busiest week
  fairToBoth @3;      # lopsided, but both partners' latest check-ins call this dimension fair:
                      # complementary contributions are balance
  selfReportOnly @4;  # leans one way only on the favoured partner's own records
  oneBusyWeek @5;     # leans one way, but not once the busiest week is set aside
}

enum Topic {
  # What a share counts. Each is "who ..." over episodes.
  contributions @0;       # did the things logged in a dimension (by count)
  effort @1;              # the same, weighted by effort 1..3
  mentalLoad @2;          # anticipated, identified, decided, monitored (everything but execute)
  turnsToward @3;         # turned toward the other's bids for connection
  bids @4;                # made bids for connection
  initiates @5;           # initiated affection, intimacy, dates or check-ins (talks: below)
  importantTalks @6;      # started the important conversations
  raisesIssues @7;        # raised the issues in conflicts
  repairsFirst @8;        # made the first repair attempt
  apologisesFirst @9;     # apologised first
  yields @10;             # gave way when a conflict ended with one side yielding
  boundariesCrossed @11;  # whose boundaries were crossed
  preferencesPrevail @12; # whose preference prevailed in joint decisions
  goalsSupported @13;     # whose personal goals got the other's support
  supportGiven @14;       # gave support during the other's hard time
  sharedMoney @15;        # paid shared expenses (by amount)
  datesRemembered @16;    # remembered important dates
  datesPlanned @17;       # planned important dates
}

struct Interval {
  low @0 :Float64;
  high @1 :Float64;
}

struct Share {
  # One "who does it" question, with the pattern rule's reading of it.
  topic @0 :Topic;
  dimension @1 :Entry.Dimension;   # unset for topics across dimensions
  area @2 :Text;                   # sharedMoney only: the expense area ("rent")
  reader @3 :Float64;              # episodes credited to the reader (effort or cents: see share)
  partner @4 :Float64;
  episodes @5 :UInt32;             # n
  weeks @6 :UInt32;                # distinct ISO weeks with an episode
  lookbackWeeks @7 :UInt32;        # calendar weeks looked at: the window, or more (at most 26)
                                   # when the window alone held too few episodes
  excludedWeeks @8 :UInt32;        # weeks left out because they fall in a context period
  share @9 :Float64;               # the reader's share, 0..1 (by effort or amount for effort
                                   # and sharedMoney; the interval then uses n episodes)
  interval95 @10 :Interval;        # on the reader's share
  interval90 @11 :Interval;
  bandLow @12 :Float64;            # the fair band on the reader's share (0.4..0.6 by default)
  bandHigh @13 :Float64;
  bandFromAgreement @14 :Bool;     # the band is an agreed target +/- 10 points
  reading @15 :Reading;
  moreNeeded @16 :UInt32;          # notEnoughYet: about how many more episodes, at the current
                                   # share, before the rule can tell (0: can tell now)
  moreNeededCapped @17 :Bool;      # the estimate hit its cap: "many more"
  moreWeeksNeeded @18 :UInt32;     # distinct weeks still missing (4 are needed)
  loggedByReader @19 :UInt32;      # records behind these episodes, by who logged them
  loggedByPartner @20 :UInt32;
}

struct Pattern {
  # A pattern over weeks, never a verdict on one entry. At most three per report, the ones whose
  # interval lies farthest from the fair band first.
  topic @0 :Topic;
  dimension @1 :Entry.Dimension;
  area @2 :Text;
  who @3 :Entry.Party;       # the partner doing most of it
  whoName @4 :Text;
  share @5 :Float64;         # who's share
  low @6 :Float64;           # 95% interval on who's share
  high @7 :Float64;
  episodes @8 :UInt32;
  weeks @9 :UInt32;
  lookbackWeeks @10 :UInt32;
  text @11 :Text;            # the observation with its evidence
  evidence @12 :Text;        # the interval and who logged what, in words
  question @13 :Text;        # an open question for the two of them
  suggestion @14 :Text;      # from the article: "start with your own behaviour", ...
}

struct Unclear {
  # A share the rule cannot read yet, and roughly what would settle it.
  topic @0 :Topic;
  dimension @1 :Entry.Dimension;
  area @2 :Text;
  reading @3 :Reading;       # notEnoughYet, selfReportOnly, oneBusyWeek or fairToBoth
  episodes @4 :UInt32;
  moreNeeded @5 :UInt32;
  moreWeeksNeeded @6 :UInt32;
  text @7 :Text;
}

struct PerceivedFairness {
  # Each partner's latest revealed check-in answer for one dimension, side by side.
  dimension @0 :Entry.Dimension;
  reader @1 :Entry.Fairness;    # in the reader's own words ("unfair to me" = to the reader)
  partner @2 :Entry.Fairness;   # in the partner's own words ("unfair to me" = to the partner)
  readerTilt @3 :Int8;          # one axis for both: +2 very unfair to the reader .. 0 fair ..
  partnerTilt @4 :Int8;         # -2 very unfair to the partner (0 also when not answered)
  gap @5 :UInt8;                # |readerTilt - partnerTilt| when both answered, else 0
  loggedShare @6 :Float64;      # the reader's logged share by effort in this dimension, or -1
}

struct SealedCheckin {
  # A sealed check-in that stays hidden until the other partner's check-in for the same period.
  who @0 :Entry.Party;
  period @1 :Text;              # ISO week, "2026-W48"
}

struct Perception {
  readerPeriod @0 :Text;        # ISO week of the reader's latest revealed check-in, or empty
  partnerPeriod @1 :Text;
  dimensions @2 :List(PerceivedFairness);   # the nine, in schema order
  readerAppreciated @3 :UInt8;  # 1..5 from the latest revealed check-in, 0 when none
  partnerAppreciated @4 :UInt8;
  readerLoaded @5 :UInt8;
  partnerLoaded @6 :UInt8;
  readerSatisfaction @7 :UInt8;
  partnerSatisfaction @8 :UInt8;
  sealed @9 :List(SealedCheckin);
}

struct Acknowledged {
  # One logged contribution that the other partner thanked (by reference). Notes are never shown.
  entryId @0 :Text;             # "<device hex>-<seq>" when known
  actor @1 :Entry.Party;
  dimension @2 :Entry.Dimension;
  date @3 :Text;
}

struct AcknowledgedCounts {
  dimension @0 :Entry.Dimension;
  readerDone @1 :UInt32;        # the reader's contributions in the window
  readerThanked @2 :UInt32;     # of those, thanked by the partner
  partnerDone @3 :UInt32;
  partnerThanked @4 :UInt32;
}

struct AppreciationFlow {
  toReader @0 :UInt32;          # thanks from the partner to the reader in the window
  toPartner @1 :UInt32;
  weeklyToReader @2 :List(UInt32);   # per window week, oldest first
  weeklyToPartner @3 :List(UInt32);
  byDimension @4 :List(AcknowledgedCounts);
  acknowledged @5 :List(Acknowledged);   # newest first, at most 50
}

struct WeekCounts {
  week @0 :Text;                # ISO week, "2026-W10"
  reader @1 :Float64;           # episodes ("both" counts half to each)
  partner @2 :Float64;
  context @3 :Bool;             # inside a context period: left out of the pattern rule
}

struct PhaseCounts {
  phase @0 :Entry.Phase;
  reader @1 :Float64;
  partner @2 :Float64;
}

struct CardView {
  title @0 :Text;
  owner @1 :Entry.Party;
  scope @2 :Entry.CardScope;
  from @3 :Text;
  until @4 :Text;
}

struct DimensionSection {
  dimension @0 :Entry.Dimension;
  count @1 :Share;              # topic contributions
  effort @2 :Share;             # topic effort
  mentalLoad @3 :Share;         # topic mentalLoad
  weeks @4 :List(WeekCounts);   # window weeks, oldest first
  phases @5 :List(PhaseCounts); # anticipate, identify, decide, execute, monitor
  cards @6 :List(CardView);     # cards current at the window's end
}

struct BidFlow {
  readerBids @0 :UInt32;        # bids the reader made
  readerBidsToward @1 :UInt32;  # of those, turned toward by the partner
  readerBidsAway @2 :UInt32;
  readerBidsAgainst @3 :UInt32;
  partnerBids @4 :UInt32;
  partnerBidsToward @5 :UInt32;
  partnerBidsAway @6 :UInt32;
  partnerBidsAgainst @7 :UInt32;
}

struct RepairFlow {
  readerRepairs @0 :UInt32;     # repair attempts by the reader
  readerAccepted @1 :UInt32;
  partnerRepairs @2 :UInt32;
  partnerAccepted @3 :UInt32;
}

struct ConflictEndings {
  conflicts @0 :UInt32;
  compromise @1 :UInt32;
  readerYielded @2 :UInt32;
  partnerYielded @3 :UInt32;
  agreedToDiffer @4 :UInt32;
  open @5 :UInt32;
}

struct BoundaryEvents {
  # Events on one partner's boundaries.
  stated @0 :UInt32;
  respected @1 :UInt32;
  crossed @2 :UInt32;
  renegotiated @3 :UInt32;
}

struct MoneyArea {
  area @0 :Text;
  currency @1 :Text;
  readerCents @2 :Int64;        # paid by the reader in the window
  partnerCents @3 :Int64;
  agreedReaderPercent @4 :Int8; # the agreed split for the reader, or -1 when none
  share @5 :Share;              # topic sharedMoney, band from the agreement when there is one
}

struct DateView {
  title @0 :Text;
  next @1 :Text;                # ISO date of the next occurrence
  daysAway @2 :UInt32;
  lastRememberedBy @3 :Entry.Party;   # at the latest past occurrence recorded
  lastPlannedBy @4 :Entry.Party;
}

struct Across {
  turnsToward @0 :Share;
  bids @1 :Share;
  bidFlow @2 :BidFlow;
  initiates @3 :Share;
  importantTalks @4 :Share;
  raisesIssues @5 :Share;
  repairsFirst @6 :Share;
  repairs @7 :RepairFlow;
  apologisesFirst @8 :Share;
  endings @9 :ConflictEndings;
  yields @10 :Share;
  readerBoundaries @11 :BoundaryEvents;
  partnerBoundaries @12 :BoundaryEvents;
  boundariesCrossed @13 :Share;
  preferencesPrevail @14 :Share;
  blends @15 :UInt32;           # decisions where the preferences blended
  newOptions @16 :UInt32;       # decisions that found a new option
  goalsSupported @17 :Share;
  supportGiven @18 :Share;
  money @19 :List(MoneyArea);
  upcomingDates @20 :List(DateView);   # the next 60 days, soonest first
  datesRemembered @21 :Share;
  datesPlanned @22 :Share;
}

struct LoggedBy {
  # Who logged what in the window: shown so that each share can be read with its source in mind.
  readerEntries @0 :UInt32;
  partnerEntries @1 :UInt32;
  readerAboutPartner @2 :UInt32;   # records where the reader logged something the partner did
  partnerAboutReader @3 :UInt32;
  aggregateEntries @4 :UInt32;     # counted in totals only; their notes are never read
  privateExcluded @5 :UInt32;      # the reader's private entries left out
}

struct ContextPeriod {
  label @0 :Text;
  from @1 :Text;
  until @2 :Text;
}

struct Window {
  label @0 :Text;               # the request's window, normalised ("12w")
  since @1 :Text;               # ISO date, inclusive
  until @2 :Text;               # ISO date, inclusive
  today @3 :Text;
  weeks @4 :UInt32;             # ISO weeks the window touches
  contexts @5 :List(ContextPeriod);   # context periods overlapping the window
}

struct Report {
  generatedAt @0 :UInt64;       # unix milliseconds, set by the daemon (0 when not set)
  window @1 :Window;
  readerName @2 :Text;
  partnerName @3 :Text;
  perception @4 :Perception;
  appreciation @5 :AppreciationFlow;
  patterns @6 :List(Pattern);   # at most three
  notYet @7 :List(Unclear);     # shares the rule cannot read yet, most data first
  dimensions @8 :List(DimensionSection);
  across @9 :Across;
  loggedBy @10 :LoggedBy;
}
