// The report snapshot the daemon keeps in memory (SnapshotCache, caught up after each write) must
// equal a snapshot built afresh from the store (build_snapshot) after any mix of local appends,
// edits, retracts, private entries, sync merges from other devices (in any order between
// devices, so an edit or retract may arrive before its target) and roster changes.
#include "daemon/app/snapshot_cache.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/insight/to_capnp.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/sync/engine.hpp"
#include "tests/support/temp_dir.hpp"

#include <capnp/message.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace tandem::app {
namespace {

using store::DeviceId;

// Every field of a fact, in one line: two snapshots are equal when their sorted lines are.
std::string describe(const insight::Fact& f) {
  std::ostringstream o;
  auto u = [](auto v) { return static_cast<long long>(v); };
  o << u(f.id.device) << '-' << u(f.id.seq) << " k" << u(f.kind) << " a" << u(f.author) << " l"
    << u(f.logged_by) << " d" << u(f.dimension) << " v" << u(f.visibility) << " p" << u(f.people)
    << " day" << f.day << " w" << f.week << " ep";
  for (auto b : f.episode) o << u(b) << ',';
  o << " act" << u(f.actor) << " sec" << u(f.second) << " e" << u(f.effort) << " ph" << u(f.phase)
    << " s" << u(f.sub) << '/' << u(f.sub2) << " r" << u(f.rating) << " y" << f.yielded_author;
  for (const auto& r : f.detail().repairs)
    o << " rep" << u(r.by) << '/' << u(r.kind) << '/' << r.accepted;
  for (const auto& r : f.detail().refs) o << " ref" << u(r.device) << '-' << u(r.seq);
  o << " $" << f.detail().amount_cents << f.detail().currency << " %"
    << u(f.detail().agreed_percent) << " t[" << f.detail().text << "] " << f.detail().from_day
    << ".." << f.detail().until_day << " fair";
  for (auto x : f.detail().fairness) o << u(x);
  o << " pw" << f.detail().period_week << ' ' << u(f.detail().appreciated) << u(f.detail().loaded)
    << u(f.detail().satisfaction) << f.detail().sealed;
  return o.str();
}

std::vector<std::string> lines(const insight::Snapshot& s) {
  std::vector<std::string> v;
  for (const auto& f : s.facts) v.push_back(describe(f));
  std::sort(v.begin(), v.end());
  v.push_back("names " + s.names[0] + "/" + s.names[1] + " reader " + std::to_string(s.reader));
  return v;
}

crypto::SymmetricKey random_key() {
  crypto::SymmetricKey k;
  crypto::random_fill({k.data(), k.size()});
  return k;
}

// Entry bodies as the journal writes them.
store::Body body(schema::Entry::Reader e) {
  auto [fields, note] = store::split_entry(e);
  return store::make_body(std::move(fields), std::move(note));
}

void fill(schema::Entry::Builder e, unsigned pick, unsigned day) {
  e.setDate("2026-11-" + std::to_string(10 + day % 15));
  e.setNote("note " + std::to_string(pick));
  switch (pick % 5) {
    case 0: {
      auto c = e.getKind().initContribution();
      c.setActor(pick % 2 ? schema::Party::ME : schema::Party::PARTNER);
      c.setEffort(static_cast<std::uint8_t>(1 + pick % 3));
      c.setPhase(schema::Phase::DECIDE);
      break;
    }
    case 1:
      e.getKind().initBid().setBidder(schema::Party::ME);
      break;
    case 2: {
      auto c = e.getKind().initConflict();
      c.setRaisedBy(schema::Party::PARTNER);
      auto r = c.initRepairs(1);
      r[0].setBy(schema::Party::ME);
      r[0].setAccepted(true);
      break;
    }
    case 3: {
      auto x = e.getKind().initExpense();
      x.setAmountCents(1000 + pick);
      x.setCurrency("EUR");
      x.setArea("groceries and a longer area name");
      break;
    }
    default:
      e.getKind().initAppreciation().setTo(schema::Party::PARTNER);
      e.setVisibility(schema::Visibility::AGGREGATE);
      break;
  }
}

struct Device {
  DeviceId id;
  std::uint8_t member;
  crypto::SignKeyPair keys = crypto::sign_keypair();
};

// One device's store (the reader's, or another device whose log is merged into it).
struct Node {
  test::TempDir dir{"tandem-snapcache"};
  std::unique_ptr<store::Store> store;
  std::uint64_t hlc = 1000;

  Node() {
    auto s = store::Store::open(dir / "store", random_key());
    REQUIRE(s);
    store = std::move(*s);
  }
  store::Txn write() {
    auto t = store::Txn::begin_write(store->env());
    REQUIRE(t);
    return std::move(*t);
  }
  store::Txn read() {
    auto t = store::Txn::begin_read(store->env());
    REQUIRE(t);
    return std::move(*t);
  }
  void set_roster(const store::Roster& r) {
    auto t = write();
    REQUIRE(store->put_meta(t, "roster", store::encode_roster(r)));
    REQUIRE(t.commit());
  }
  // Appends one record of `dev` (the private pseudo device too) and returns its seq.
  std::uint64_t append(const Device& dev, const store::Body& b, bool priv = false) {
    auto t = write();
    auto h = store->append(t, priv ? store::kPrivateDevice : dev.id, dev.keys.secret, ++hlc, 0, b);
    REQUIRE(h);
    REQUIRE(t.commit());
    return h->seq;
  }
  std::uint64_t add(const Device& dev, unsigned pick, bool priv = false) {
    capnp::MallocMessageBuilder msg;
    auto e = msg.initRoot<schema::Entry>();
    fill(e, pick, pick);
    if (priv) e.setVisibility(schema::Visibility::PRIVATE);
    return append(dev, body(e.asReader()), priv);
  }
  // The replacement's date is that of pick + day_shift (see fill).
  std::uint64_t edit(const Device& dev, const DeviceId& tdev, std::uint64_t tseq, unsigned pick,
                     bool priv = false, unsigned day_shift = 3) {
    capnp::MallocMessageBuilder msg;
    auto e = msg.initRoot<schema::Entry>();
    e.getKind().initEdit().setReason("fix");
    auto ref = e.initRefs(1)[0];
    ref.setDevice(kj::arrayPtr(tdev.data(), 8));
    ref.setSeq(tseq);
    fill(e.initReplacement(), pick, pick + day_shift);
    e.setDate("2026-11-26");
    return append(dev, body(e.asReader()), priv);
  }
  std::uint64_t retract(const Device& dev, const DeviceId& tdev, std::uint64_t tseq,
                        bool priv = false) {
    capnp::MallocMessageBuilder msg;
    auto e = msg.initRoot<schema::Entry>();
    e.getKind().initRetract().setReason("twice");
    auto ref = e.initRefs(1)[0];
    ref.setDevice(kj::arrayPtr(tdev.data(), 8));
    ref.setSeq(tseq);
    e.setDate("2026-11-26");
    return append(dev, body(e.asReader()), priv);
  }
};

// Merges `from`'s log of `dev` into `to` exactly as a sync session does: collect, verify, apply,
// batch after batch.
void merge(Node& from, Node& to, const DeviceId& dev) {
  for (;;) {
    auto have = to.read();
    auto head = to.store->head(have, dev);
    REQUIRE(head);
    have.abort();
    auto rt = from.read();
    auto recs = sync::collect(*from.store, rt, dev, head->seq);
    REQUIRE(recs);
    if (recs->empty()) return;
    auto wt = to.write();
    REQUIRE(sync::verify_batch(*to.store, wt, *recs));
    REQUIRE(sync::apply_batch(*to.store, wt, *recs));
    REQUIRE(wt.commit());
  }
}

struct Space {
  Device me{{1, 1, 1, 1, 1, 1, 1, 1}, 1};
  Device partner{{2, 2, 2, 2, 2, 2, 2, 2}, 2};
  Device other_mine{{3, 3, 3, 3, 3, 3, 3, 3}, 1};  // a second device of the reader's member
  store::Roster roster;
  Node mine, theirs, second;

  Space() {
    roster.space_id.fill(7);
    roster.member_names[1] = "Alex";
    roster.member_names[2] = "Sam";
    for (const Device* d : {&me, &partner, &other_mine}) {
      store::DeviceInfo info;
      info.id = d->id;
      info.member = d->member;
      info.name = "device";
      info.sign_key = d->keys.pub;
      roster.devices.push_back(info);
    }
    for (Node* n : {&mine, &theirs, &second}) n->set_roster(roster);
  }
};

// The cache caught up after each step, against a fresh build from the same read txn.
// The report as text, every field of its Cap'n Proto form.
std::string report_text(const insight::Report& r) {
  capnp::MallocMessageBuilder msg;
  auto out = msg.initRoot<schema::Report>();
  insight::to_capnp(r, out);
  return kj::str(out.asReader()).cStr();
}

void check(Node& n, SnapshotCache& cache) {
  auto txn = n.read();
  REQUIRE(cache.catch_up(*n.store, txn));
  auto fresh = build_snapshot(*n.store, txn, 1);
  REQUIRE(fresh);
  REQUIRE(lines(cache.snapshot()) == lines(*fresh));
  // The report kept between calls (cache.memo()) must be the report built from nothing.
  insight::ReportOptions all;
  all.all_time = true;
  all.until_day = insight::days_from_civil(2026, 11, 30);
  const auto kept = insight::build_report(cache.snapshot(), all, all.until_day, &cache.memo());
  const auto plain = insight::build_report(cache.snapshot(), all, all.until_day);
  REQUIRE(report_text(kept) == report_text(plain));
}

SnapshotCache built(Node& n) {
  auto txn = n.read();
  auto c = SnapshotCache::build(*n.store, txn, 1);
  REQUIRE(c);
  return std::move(*c);
}

TEST_CASE("the cached snapshot follows appends, edits, retracts and private entries",
          "[app][snapshot]") {
  Space s;
  auto cache = built(s.mine);
  CHECK(cache.snapshot().facts.empty());
  const auto a = s.mine.add(s.me, 0);
  const auto b = s.mine.add(s.me, 2);
  const auto c = s.mine.add(s.me, 3);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 3);
  s.mine.edit(s.me, s.me.id, a, 7);  // contribution edited into another contribution
  check(s.mine, cache);
  s.mine.retract(s.me, s.me.id, b);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 2);
  s.mine.edit(s.me, s.me.id, c, 8);
  s.mine.edit(s.me, s.me.id, c, 13);  // the newest edit wins
  check(s.mine, cache);
  s.mine.retract(s.me, s.me.id, c);  // retracting an edited entry drops it and its edits
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 1);

  // Private entries live in the private log of this device and count for its member.
  const auto p = s.mine.add(s.me, 5, true);
  s.mine.add(s.me, 6, true);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 3);
  s.mine.edit(s.me, store::kPrivateDevice, p, 10, true);
  s.mine.retract(s.me, store::kPrivateDevice, p + 1, true);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 2);
}

TEST_CASE("the report kept beside the snapshot follows an edit of the newest entry",
          "[app][snapshot][memo]") {
  // The edited entry is read again into the very slot it had, with its id and date unchanged
  // (pick 15, dated as pick 15, is pick 0's date and kind with the other actor): only the cache's
  // reset of the report memo, not the memo's own check of its last fact, can notice the change.
  Space s;
  auto cache = built(s.mine);
  for (unsigned p = 1; p < 6; ++p) s.mine.add(s.me, p);
  const auto newest = s.mine.add(s.me, 0);
  check(s.mine, cache);
  s.mine.edit(s.me, s.me.id, newest, 15, false, 0);
  check(s.mine, cache);
}

TEST_CASE("the cached snapshot follows sync merges, in any order between devices",
          "[app][snapshot]") {
  Space s;
  auto cache = built(s.mine);
  // The partner writes, edits and retracts on their own device; we merge their log.
  std::vector<std::uint64_t> seqs;
  for (unsigned i = 0; i < 20; ++i) seqs.push_back(s.theirs.add(s.partner, i));
  merge(s.theirs, s.mine, s.partner.id);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 20);
  s.theirs.edit(s.partner, s.partner.id, seqs[3], 11);
  s.theirs.retract(s.partner, s.partner.id, seqs[4]);
  s.theirs.add(s.partner, 21);
  merge(s.theirs, s.mine, s.partner.id);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 20);

  // A second device of ours writes; a third node learns its log, edits and retracts it, and its
  // own log reaches us first: the edit and the retract arrive before their targets.
  Device third{{4, 4, 4, 4, 4, 4, 4, 4}, 1};
  store::DeviceInfo info;
  info.id = third.id;
  info.member = 1;
  info.name = "tablet";
  info.sign_key = third.keys.pub;
  s.roster.devices.push_back(info);
  s.roster.member_names[2] = "Sam R.";
  for (Node* n : {&s.mine, &s.theirs, &s.second}) n->set_roster(s.roster);
  check(s.mine, cache);  // a device admitted and a member renamed: applied in place
  CHECK(cache.snapshot().names[1] == "Sam R.");
  const auto x = s.second.add(s.other_mine, 1);
  const auto y = s.second.add(s.other_mine, 2);
  Node tablet;
  tablet.set_roster(s.roster);
  merge(s.second, tablet, s.other_mine.id);
  tablet.edit(third, s.other_mine.id, x, 9);
  tablet.retract(third, s.other_mine.id, y);
  merge(tablet, s.mine, third.id);
  check(s.mine, cache);
  merge(s.second, s.mine, s.other_mine.id);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() == 21);
  bool edited = false;
  for (const auto& f : cache.snapshot().facts)
    edited |= f.id == fact_id(store::record_key(s.other_mine.id, x)) &&
              f.kind == insight::Kind::kAppreciation;
  CHECK(edited);  // pick 9 is a thanks: the edit reached its target that arrived after it

  // A device moved to the other member: every fact it wrote changes author, so it rebuilds.
  s.roster.devices[2].member = 2;
  s.mine.set_roster(s.roster);
  check(s.mine, cache);
}

TEST_CASE("the cached snapshot equals a fresh one after a random mix of writes",
          "[app][snapshot]") {
  Space s;
  auto cache = built(s.mine);
  std::mt19937 rng(5);
  struct Known {
    const Device* dev;
    Node* node;
    std::uint64_t seq;
    bool priv;
  };
  std::vector<Known> entries;
  for (int step = 0; step < 300; ++step) {
    const unsigned op = rng() % 10;
    if (op < 5 || entries.empty()) {
      const unsigned who = rng() % 3;
      Node& n = who == 0 ? s.mine : who == 1 ? s.theirs : s.second;
      const Device& d = who == 0 ? s.me : who == 1 ? s.partner : s.other_mine;
      const bool priv = who == 0 && rng() % 4 == 0;
      entries.push_back({&d, &n, n.add(d, rng() % 100, priv), priv});
    } else if (op < 8) {
      const auto& e = entries[rng() % entries.size()];
      const DeviceId tdev = e.priv ? store::kPrivateDevice : e.dev->id;
      if (op < 7)
        e.node->edit(*e.dev, tdev, e.seq, rng() % 100, e.priv);
      else
        e.node->retract(*e.dev, tdev, e.seq, e.priv);
    } else {
      merge(s.theirs, s.mine, s.partner.id);
      merge(s.second, s.mine, s.other_mine.id);
    }
    if (rng() % 3 == 0) check(s.mine, cache);
  }
  merge(s.theirs, s.mine, s.partner.id);
  merge(s.second, s.mine, s.other_mine.id);
  check(s.mine, cache);
  CHECK(cache.snapshot().facts.size() > 50);
}

}  // namespace
}  // namespace tandem::app
