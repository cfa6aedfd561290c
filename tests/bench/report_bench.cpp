// report_bench: the reciprocity report over N entries, beside plain scans of the same entries in
// the same run on the same store.
//   baseline: a read txn iterating the bodies table with a cursor, touching each value (sum of
//             sizes). No decryption, no decoding.
//   floor:    the same scan, opening (XChaCha20-Poly1305) every sealed body: what reading the
//             bodies costs at the least, since they are sealed at rest.
//   report:   what tandemd does for `tandem report`: app::build_snapshot (the daemon's own code)
//             in a fresh read txn, then insight::build_report, each timed.
// The store is written directly (Store::append in big write transactions): realistic Entry
// bodies from both members' devices, both in the roster, spread over a year.
// Usage: report_bench [N...]   (default: 10000 1000000)
#include "daemon/app/snapshot.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/insight/report.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/daemon_process.hpp"

#include <capnp/message.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

using namespace tandem;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

[[noreturn]] void die(const char* what, const Error& e) {
  std::fprintf(stderr, "report_bench: %s: %s\n", what, e.message.c_str());
  std::exit(1);
}

std::int32_t local_today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return insight::days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                  static_cast<unsigned>(tm.tm_mday));
}

std::string iso_date(std::int32_t day) {
  std::time_t t = static_cast<std::time_t>(day) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[16];
  std::strftime(b, sizeof b, "%Y-%m-%d", &tm);
  return b;
}

std::string iso_week(std::int32_t day) {
  std::time_t t = static_cast<std::time_t>(day) * 86400;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[16];
  std::strftime(b, sizeof b, "%G-W%V", &tm);
  return b;
}

// One entry as a couple logs them: mostly contributions, then bids, thanks, initiations,
// conflicts, weekly check-ins and the odd important date. Parties are relative to the author.
void fill_entry(schema::Entry::Builder e, std::mt19937_64& rng, std::int32_t day) {
  using S = schema::Party;
  auto party = [&] { return rng() % 3 == 0 ? S::PARTNER : S::ME; };
  e.setDate(iso_date(day));
  const unsigned pick = static_cast<unsigned>(rng() % 100);
  static const char* kNotes[] = {"cooked",    "groceries",    "planned the week's meals",
                                 "laundry",   "school forms", "listened after the hard call",
                                 "date night"};
  if (pick < 55) {
    auto c = e.getKind().initContribution();
    c.setActor(party());
    c.setEffort(static_cast<std::uint8_t>(1 + rng() % 3));
    c.setPhase(static_cast<schema::Phase>(1 + rng() % 5));
    e.setDimension(static_cast<schema::Dimension>(rng() % 4 == 0 ? 1 + rng() % 9 : 3));
    e.setNote(kNotes[rng() % 7]);
  } else if (pick < 70) {
    auto b = e.getKind().initBid();
    b.setBidder(party());
    b.setResponse(static_cast<schema::BidResponse>(rng() % 4));
    b.setHeard(static_cast<std::uint8_t>(1 + rng() % 5));
  } else if (pick < 80) {
    e.getKind().initAppreciation().setTo(S::PARTNER);
    e.setNote("thank you");
  } else if (pick < 88) {
    auto i = e.getKind().initInitiation();
    i.setInitiator(party());
    i.setWhat(static_cast<schema::InitiationWhat>(rng() % 5));
  } else if (pick < 94) {
    auto c = e.getKind().initConflict();
    c.setRaisedBy(party());
    c.setTopic(static_cast<schema::Dimension>(1 + rng() % 9));
    auto repairs = c.initRepairs(1);
    repairs[0].setBy(party());
    repairs[0].setAccepted(rng() % 2 == 0);
    c.setApologisedFirst(party());
    c.setOutcome(static_cast<schema::ConflictOutcome>(rng() % 4));
    c.setFairnessMe(static_cast<std::uint8_t>(1 + rng() % 5));
  } else if (pick < 99) {
    auto c = e.getKind().initCheckin();
    c.setPeriod(iso_week(day));
    auto f = c.initFairness(3);
    for (unsigned k = 0; k < 3; ++k) {
      f[k].setDimension(static_cast<schema::Dimension>(1 + (k * 3 + rng()) % 9));
      f[k].setFairness(static_cast<schema::Fairness>(1 + rng() % 5));
    }
    c.setAppreciated(static_cast<std::uint8_t>(1 + rng() % 5));
    c.setLoaded(static_cast<std::uint8_t>(1 + rng() % 5));
    c.setSatisfaction(static_cast<std::uint8_t>(1 + rng() % 5));
  } else {
    auto d = e.getKind().initImportantDate();
    d.setTitle(rng() % 2 ? "anniversary" : "Sam's birthday");
    d.setDate(iso_date(day));
    d.setRecurrence(schema::Recurrence::YEARLY);
    d.setRememberedBy(party());
  }
}

struct Fixture {
  test::TempDir dir;
  std::unique_ptr<store::Store> store;
};

// A store in a temp dir with both members' devices and `n` entries over the last 52 weeks,
// appended in write transactions of 50,000.
void make_store(Fixture& fx, std::size_t n, std::int32_t today) {
  crypto::SymmetricKey key;
  crypto::random_fill({key.data(), key.size()});
  auto st = store::Store::open(fx.dir.path() + "/store", std::move(key));
  if (!st) die("open", st.error());
  fx.store = std::move(*st);
  auto& s = *fx.store;

  const store::DeviceId devs[2] = {{1, 1, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2, 2, 2}};
  crypto::SignKeyPair keys[2] = {crypto::sign_keypair(), crypto::sign_keypair()};
  store::Roster roster;
  roster.member_names[1] = "Alex";
  roster.member_names[2] = "Sam";
  for (int m = 0; m < 2; ++m) {
    store::DeviceInfo d;
    d.id = devs[m];
    d.member = static_cast<std::uint8_t>(m + 1);
    d.name = m == 0 ? "alex-laptop" : "sam-phone";
    d.sign_key = keys[m].pub;
    roster.devices.push_back(d);
  }
  std::mt19937_64 rng(42);
  std::uint64_t hlc = static_cast<std::uint64_t>(today - 366) * 86400000ull << 16;
  std::size_t written = 0;
  while (written < n) {
    auto txn = store::Txn::begin_write(s.env());
    if (!txn) die("begin_write", txn.error());
    if (written == 0) {
      if (auto r = s.put_meta(*txn, "roster", store::encode_roster(roster)); !r)
        die("roster", r.error());
    }
    for (std::size_t k = 0; k < 50000 && written < n; ++k, ++written) {
      // Dates rise with the log, as a year of logging does.
      const std::int32_t day = today - 364 + static_cast<std::int32_t>(written * 364 / n);
      capnp::MallocMessageBuilder msg;
      fill_entry(msg.initRoot<schema::Entry>(), rng, day);
      auto [fields, note] = store::split_entry(msg.getRoot<schema::Entry>().asReader());
      const int m = static_cast<int>(rng() % 2);
      hlc += 1 << 16;
      auto h = s.append(*txn, devs[m], keys[m].secret, hlc, 0,
                        store::make_body(std::move(fields), std::move(note)));
      if (!h) die("append", h.error());
    }
    if (auto r = txn->commit(); !r) die("commit", r.error());
  }
}

struct Figures {
  double scan, open, snapshot, report;
  std::size_t bytes, facts;
};

Figures measure(const store::Store& s, std::int32_t today, const insight::ReportOptions& options) {
  Figures f{};
  {
    auto t0 = Clock::now();
    auto txn = store::Txn::begin_read(s.env());
    if (!txn) die("begin_read", txn.error());
    auto cur = store::Cursor::open(*txn, s.tables().bodies);
    if (!cur) die("cursor", cur.error());
    std::size_t bytes = 0, touched = 0;
    for (auto it = cur->first(); it; it = cur->next()) {
      bytes += it->value.size();
      touched += it->value[it->value.size() / 2];  // read the value, not just its length
    }
    f.scan = ms_since(t0);
    f.bytes = bytes + (touched & 0);
  }
  {
    // The floor: the same scan, opening each body with the storage key. The bench does not hold
    // the store's key object, so it seals a probe of the average body size and opens that; the
    // cost of XChaCha20-Poly1305 depends on the length only.
    crypto::SymmetricKey key;
    crypto::random_fill({key.data(), key.size()});
    auto txn = store::Txn::begin_read(s.env());
    if (!txn) die("begin_read", txn.error());
    auto cur = store::Cursor::open(*txn, s.tables().bodies);
    if (!cur) die("cursor", cur.error());
    std::vector<Bytes> probes;
    auto t0 = Clock::now();
    std::size_t opened = 0;
    for (auto it = cur->first(); it; it = cur->next()) {
      // Seal outside the timing would need a second pass; instead time opens of sealed copies
      // made per distinct size, cached.
      const std::size_t plain = it->value.size() - 40;  // nonce 24 + tag 16
      if (probes.size() <= plain) probes.resize(plain + 1);
      if (probes[plain].empty()) {
        Bytes p(plain, 0x5a);
        probes[plain] = crypto::seal(key, p, it->key);
      }
      auto o = crypto::open(key, probes[plain], it->key);
      opened += o ? o->size() : 0;
    }
    f.open = ms_since(t0);
    if (opened == 0) std::fprintf(stderr, "report_bench: nothing opened\n");
  }
  {
    auto t0 = Clock::now();
    auto txn = store::Txn::begin_read(s.env());
    if (!txn) die("begin_read", txn.error());
    auto snap = app::build_snapshot(s, *txn, 1);
    if (!snap) die("snapshot", snap.error());
    txn->abort();
    f.snapshot = ms_since(t0);
    f.facts = snap->facts.size();
    auto t1 = Clock::now();
    auto report = insight::build_report(*snap, options, today);
    f.report = ms_since(t1);
    if (report.window.weeks == 0) std::fprintf(stderr, "report_bench: empty window\n");
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {10000, 1000000};
  const std::int32_t today = local_today();
  insight::ReportOptions options;
  options.label = "1y";
  options.until_day = today;
  options.since_day = today - 364;

  std::printf(
      "report over N entries (a year, both members), beside a plain scan of the bodies "
      "table in the same run; medians of 5 runs (3 for N >= 1e6)\n");
  for (std::size_t n : sizes) {
    auto t0 = Clock::now();
    Fixture fx;
    make_store(fx, n, today);
    std::printf("\nN = %zu (store written in %.1f s)\n", n, ms_since(t0) / 1000);
    const int runs = n >= 1000000 ? 3 : 5;
    std::vector<double> scan, open, snapshot, report, total;
    Figures last{};
    for (int r = 0; r < runs; ++r) {
      last = measure(*fx.store, today, options);
      scan.push_back(last.scan);
      open.push_back(last.open);
      snapshot.push_back(last.snapshot);
      report.push_back(last.report);
      total.push_back(last.snapshot + last.report);
    }
    const double base = median(scan);
    std::printf("  %-34s %9.1f ms   1.00x  (%zu bytes)\n", "baseline: scan bodies, no decrypt",
                base, last.bytes);
    std::printf("  %-34s %9.1f ms  %5.2fx\n", "floor: scan + open every body", median(open),
                median(open) / base);
    std::printf("  %-34s %9.1f ms  %5.2fx  (%zu facts)\n", "snapshot (app::build_snapshot)",
                median(snapshot), median(snapshot) / base, last.facts);
    std::printf("  %-34s %9.1f ms  %5.2fx\n", "build_report", median(report),
                median(report) / base);
    std::printf("  %-34s %9.1f ms  %5.2fx   target <= 3x%s\n", "report total (snapshot + build)",
                median(total), median(total) / base, n >= 1000000 ? " and < 1000 ms" : "");
  }
  return 0;
}
