@0xa24561c00eefaa05;
# tandem entries: what a couple records. Schema version 1.
#
# Rules for every schema in proto/: never renumber, rename on the wire or retype a field; only add
# fields (with new ordinals) and enumerants at the end. The file id above never changes.
#
# People are recorded as a Party relative to the entry's *author*: the author's member is fixed by
# the signing device (see store.capnp), so "me" in a stored body always means the member who owns
# the device that signed the record. API views translate parties to the reader's point of view.
#
# Dates are ISO 8601 calendar dates ("2026-11-25") and optional times ("19:30"), as the author
# lived them; the recording time is the record's hybrid logical clock, not a body field.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tandem::schema");
using Json = import "/capnp/compat/json.capnp";

enum Dimension {
  # The nine dimensions of reciprocity. `unset` means "derive from the kind".
  unset @0;
  support @1;      # emotional availability in difficult times
  listening @2;    # attentive listening, genuine interest
  household @3;    # household responsibilities, including the mental load
  growth @4;       # support of each other's goals
  affection @5;    # initiation of affection and intimacy
  conflict @6;     # conflict resolution
  boundaries @7;   # respect for boundaries
  finances @8;     # financial partnership
  maintenance @9;  # relationship maintenance
}

enum Party {
  unset @0;
  me @1;       # the author (stored) or the reader (API views)
  partner @2;  # the other member
  both @3;
}

enum Visibility {
  shared @0;     # syncs in full
  aggregate @1;  # syncs without its note; counted in totals only
  private @2;    # never leaves the device that wrote it
}

enum Phase {
  # Mental-load phase of a contribution: the cognitive part of a task is the invisible part.
  unset @0;
  anticipate @1;
  identify @2;
  decide @3;
  execute @4;
  monitor @5;
}

struct Contribution {
  actor @0 :Party;       # who did it (either partner: one may record what the other did)
  effort @1 :UInt8;      # 1 (small) .. 3 (large)
  phase @2 :Phase;
}

enum CardScope {
  whole @0;     # owned end to end
  conceive @1;
  plan @2;
  execute @3;
}

struct Card {
  # Standing ownership of a recurring responsibility (school forms, the car, birthdays).
  title @0 :Text;
  owner @1 :Party;
  scope @2 :CardScope;
  from @3 :Text;   # ISO date
  until @4 :Text;  # ISO date, empty for open-ended
}

struct Appreciation {
  # Thanks from the author to the partner, optionally for specific entries (see Entry.refs).
  to @0 :Party;
}

enum BidResponse {
  unclear @0;
  toward @1;
  away @2;
  against @3;
}

struct Bid {
  # A bid for connection and how it was met.
  bidder @0 :Party;
  response @1 :BidResponse;
  heard @2 :UInt8;  # how heard the bidder felt, 1..5 (0: not given)
}

enum SupportForm {
  unset @0;
  listening @1;
  practical @2;
  presence @3;
  encouragement @4;
}

struct SupportEvent {
  # Support during a hard time.
  needed @0 :Party;     # who was going through it
  gave @1 :Party;       # who gave the support
  form @2 :SupportForm;
  helpful @3 :UInt8;    # how helpful the receiver found it, 1..5 (0: not given)
}

enum InitiationWhat {
  affection @0;
  intimacy @1;
  date @2;
  talk @3;      # an important conversation
  checkin @4;
}

enum Reception {
  unclear @0;
  welcomed @1;
  declined @2;
  postponed @3;
}

struct Initiation {
  initiator @0 :Party;
  what @1 :InitiationWhat;
  received @2 :Reception;
}

enum RepairKind {
  other @0;
  apology @1;
  humour @2;
  affection @3;
  takingResponsibility @4;
  compromiseOffer @5;
  break @6;  # a pause to calm down
}

struct Repair {
  by @0 :Party;
  kind @1 :RepairKind;
  accepted @2 :Bool;
}

enum ConflictOutcome {
  open @0;
  compromise @1;
  yieldedMe @2;       # the author yielded (the reader, in API views)
  yieldedPartner @3;
  agreedToDiffer @4;
}

struct Conflict {
  raisedBy @0 :Party;
  topic @1 :Dimension;        # what it was about, if any
  repairs @2 :List(Repair);
  apologisedFirst @3 :Party;  # unset when nobody apologised
  outcome @4 :ConflictOutcome;
  fairnessMe @5 :UInt8;       # how fair the author found the outcome, 1..5 (0: not given)
  fairnessPartner @6 :UInt8;  # how fair the partner found it, as the author understood it
}

enum BoundaryEvent {
  stated @0;
  respected @1;
  crossed @2;
  renegotiated @3;
}

struct Boundary {
  holder @0 :Party;       # whose boundary
  event @1 :BoundaryEvent;
}

struct Goal {
  # A personal goal and the support it got.
  holder @0 :Party;
  supportedBy @1 :Party;
  supported @2 :UInt8;    # how well supported the holder felt, 1..5 (0: not given)
}

enum Prevailed {
  unset @0;
  me @1;
  partner @2;
  blend @3;
  newOption @4;
}

struct Decision {
  # A joint decision and whose preference prevailed.
  prevailed @0 :Prevailed;
}

struct Expense {
  amountCents @0 :Int64;
  currency @1 :Text;      # ISO 4217, e.g. "EUR"
  paidBy @2 :Party;
  area @3 :Text;          # "rent", "groceries": matched against agreements
}

struct Agreement {
  # An agreed target split for an area, e.g. 60/40 by income: equitable, not equal.
  area @0 :Text;
  mySharePercent @1 :UInt8;  # the author's agreed share, 0..100
}

enum Recurrence {
  none @0;
  yearly @1;
  monthly @2;
}

struct ImportantDate {
  title @0 :Text;
  date @1 :Text;              # ISO date of the (first) occurrence
  recurrence @2 :Recurrence;
  rememberedBy @3 :Party;     # who remembered it this time, if recorded
  plannedBy @4 :Party;        # who planned it this time, if recorded
}

enum Fairness {
  unset @0;
  veryUnfairToMe @1;
  unfairToMe @2;
  fair @3;
  unfairToPartner @4;
  veryUnfairToPartner @5;
}

struct DimensionFairness {
  dimension @0 :Dimension;
  fairness @1 :Fairness;
}

struct Checkin {
  # Each partner's perceived fairness per dimension, in their own words.
  period @0 :Text;                        # ISO week, e.g. "2026-W48"
  fairness @1 :List(DimensionFairness);
  appreciated @2 :UInt8;                  # how appreciated the author feels, 1..5
  loaded @3 :UInt8;                       # how loaded the author feels, 1..5
  satisfaction @4 :UInt8;                 # overall, 1..5
  sealed @5 :Bool;                        # hidden from the partner until their check-in
                                          # for the same period arrives (mutual reveal)
}

struct Context {
  # A period to read differently (illness, exams, a new baby, travel); left out of patterns.
  label @0 :Text;
  from @1 :Text;   # ISO date
  until @2 :Text;  # ISO date, inclusive
}

struct Edit {
  # Replaces the target's body (only its original author may edit). The replacement is
  # `Entry.replacement`; the target is `Entry.refs[0]`.
  reason @0 :Text;
}

struct Retract {
  # Erases the target (`Entry.refs[0]`): every device drops its body and keeps the signed header.
  reason @0 :Text;
}

struct EntryRef {
  # A reference to another entry: the device that wrote it and its sequence number there.
  device @0 :Data $Json.hex;  # 8-byte device id
  seq @1 :UInt64;
}

struct Entry {
  # One entry's body. It is sealed at rest and hashed into its signed record header.
  kind :union $Json.flatten() {
    # In JSON the kind is a member of the entry itself: {"contribution": {...}, "date": ...}.
    contribution @0 :Contribution;
    card @1 :Card;
    appreciation @2 :Appreciation;
    bid @3 :Bid;
    support @4 :SupportEvent;
    initiation @5 :Initiation;
    conflict @6 :Conflict;
    boundary @7 :Boundary;
    goal @8 :Goal;
    decision @9 :Decision;
    expense @10 :Expense;
    agreement @11 :Agreement;
    importantDate @12 :ImportantDate;
    checkin @13 :Checkin;
    context @14 :Context;
    edit @15 :Edit;
    retract @16 :Retract;
  }
  dimension @17 :Dimension;     # derived from the kind when unset
  people @18 :Party;            # who was involved, besides the kind's own roles
  date @19 :Text;               # when it happened (ISO date)
  time @20 :Text;               # optional "HH:MM"
  visibility @21 :Visibility;
  note @22 :Text;               # free text; never used by metrics; never synced for aggregate
  refs @23 :List(EntryRef);     # references to other entries
  episode @24 :Data $Json.hex;  # optional 16-byte id grouping records about one event
  replacement @25 :Entry;       # the new body, for kind edit only
}
