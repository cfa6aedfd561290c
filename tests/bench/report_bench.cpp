// report_bench: the reciprocity report over N entries through the real daemon, beside a plain
// scan of the same entries out of LMDB in the same run.
//   baseline: a read txn iterating the entries' headers and bodies (the log, pages and bodies
//             tables) with cursors, touching each value (sum of sizes). No decryption, no
//             decoding.
//   report:   a `report` request (JSON lines, window 1y: every entry counts) on tandemd's socket,
//             the daemon started and its snapshot built: what `tandem report --json` waits for,
//             minus the CLI's own start. Median of several requests.
//   after an add: an `add`, then a report (the snapshot catches up with one record).
//   start-up:  spawn to socket ready, then the first report (it starts the snapshot's build, on a
//             thread of the daemon's own, and waits for it), and the build time the daemon logs.
//   build_snapshot: a fresh snapshot built in this process (the daemon's code), for reference.
// The store is written directly (Store::append in big write transactions) into a data directory
// laid out as tandemd's (keys, roster, self): realistic Entry bodies from both members' devices
// over a year; tandemd then runs on it as member 1's device.
// Usage: report_bench [N...]   (default: 10000 1000000)
// REPORT_BENCH_PROFILE=K: print the daemon's pid, wait 2 s, then send K more reports (to attach
// `perf record -g -p PID` to the daemon). REPORT_BENCH_PARTS=K: K rounds of the in-process parts
// (build_report, to_capnp, JSON) instead of 15, to profile them.
#include "daemon/api/codec.hpp"
#include "daemon/app/snapshot.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/insight/report.hpp"
#include "daemon/insight/request.hpp"
#include "daemon/insight/to_capnp.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/daemon_process.hpp"

#include <capnp/message.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <thread>
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

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// A data directory as tandemd keeps it, with both members' devices in the roster (member 1's is
// this daemon's) and `n` entries over the last 52 weeks, appended in write transactions of 50,000.
void make_data_dir(const std::string& data, std::size_t n, std::int32_t today) {
  const std::string keys = data + "/keys";
  for (const auto& d : {data, keys})
    if (auto st = store::ensure_private_dir(d); !st) die("dir", st.error());
  crypto::SymmetricKey storage, space;
  crypto::random_fill({storage.data(), storage.size()});
  crypto::random_fill({space.data(), space.size()});
  if (auto st = store::write_key_file(keys + "/storage.key", storage); !st) die("key", st.error());
  if (auto st = store::write_key_file(keys + "/space.key", space); !st) die("key", st.error());
  auto st = store::Store::open(data + "/store", std::move(storage));
  if (!st) die("open", st.error());
  auto& s = **st;

  const store::DeviceId devs[2] = {{1, 1, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2, 2, 2}};
  crypto::SignKeyPair sign[2] = {crypto::sign_keypair(), crypto::sign_keypair()};
  crypto::DhKeyPair dh[2] = {crypto::dh_keypair(), crypto::dh_keypair()};
  if (auto r = store::write_key_file(keys + "/device.sign", sign[0].secret); !r)
    die("key", r.error());
  if (auto r = store::write_key_file(keys + "/device.dh", dh[0].secret); !r) die("key", r.error());
  store::Roster roster;
  crypto::random_fill(roster.space_id);
  roster.member_names[1] = "Alex";
  roster.member_names[2] = "Sam";
  for (int m = 0; m < 2; ++m) {
    store::DeviceInfo d;
    d.id = devs[m];
    d.member = static_cast<std::uint8_t>(m + 1);
    d.name = m == 0 ? "alex-laptop" : "sam-phone";
    d.sign_key = sign[m].pub;
    d.dh_key = dh[m].pub;
    roster.devices.push_back(d);
  }
  std::mt19937_64 rng(42);
  std::uint64_t hlc = static_cast<std::uint64_t>(today - 366) * 86400000ull << 16;
  std::size_t written = 0;
  do {
    auto txn = store::Txn::begin_write(s.env());
    if (!txn) die("begin_write", txn.error());
    if (written == 0) {
      if (auto r = s.put_meta(*txn, "roster", store::encode_roster(roster)); !r)
        die("roster", r.error());
      if (auto r = s.put_meta(*txn, "self", devs[0]); !r) die("self", r.error());
    }
    for (std::size_t k = 0; k < 50000 && written < n; ++k, ++written) {
      // Dates rise with the log, as a year of logging does.
      const std::int32_t day = today - 364 + static_cast<std::int32_t>(written * 364 / n);
      capnp::MallocMessageBuilder msg;
      fill_entry(msg.initRoot<schema::Entry>(), rng, day);
      auto [fields, note] = store::split_entry(msg.getRoot<schema::Entry>().asReader());
      const int m = static_cast<int>(rng() % 2);
      hlc += 1 << 16;
      auto h = s.append(*txn, devs[m], sign[m].secret, hlc, 0,
                        store::make_body(std::move(fields), std::move(note)));
      if (!h) die("append", h.error());
    }
    if (auto r = txn->commit(); !r) die("commit", r.error());
  } while (written < n);
}

// The baseline: every entry of the store read once in a read txn, no decryption: its header (the
// log table) and its body (the pages of bodies, and any body stored alone before pages). Opens
// the environment read-side while tandemd runs on it (LMDB serves several processes).
double scan_ms(const store::Store& s, std::size_t& bytes) {
  auto t0 = Clock::now();
  auto txn = store::Txn::begin_read(s.env());
  if (!txn) die("begin_read", txn.error());
  std::size_t sum = 0, touched = 0;
  for (MDB_dbi table : {s.tables().log, s.tables().pages, s.tables().bodies}) {
    auto cur = store::Cursor::open(*txn, table);
    if (!cur) die("cursor", cur.error());
    for (auto it = cur->first(); it; it = cur->next()) {
      sum += it->value.size();
      touched += it->value[it->value.size() / 2];  // read the value, not just its length
    }
  }
  bytes = sum + (touched & 0);
  return ms_since(t0);
}

// One request on an open connection; the time until its whole answer line is back.
double call_ms(test::JsonClient& c, const std::string& line, const char* expect) {
  auto t0 = Clock::now();
  c.send_raw(line + "\n");
  const std::string r = c.read_line(300000);  // the first report may wait for a long build
  const double ms = ms_since(t0);
  if (r.find(expect) == std::string::npos) {
    std::fprintf(stderr, "report_bench: unexpected answer: %.300s\n", r.c_str());
    std::exit(1);
  }
  return ms;
}

// The daemon's own account of its start-up build ("built in N ms", "K KiB").
std::pair<double, double> build_figures(const std::string& log) {
  auto at = log.rfind("report snapshot: ");
  if (at == std::string::npos) return {-1, -1};
  auto kib = log.find(" KiB", at);
  auto ms = log.find("built in ", at);
  auto num_before = [&](std::size_t end) {
    std::size_t b = end;
    while (b > 0 && (std::isdigit(static_cast<unsigned char>(log[b - 1])) || log[b - 1] == '.'))
      --b;
    return std::atof(log.substr(b, end - b).c_str());
  };
  return {ms == std::string::npos ? -1 : std::atof(log.c_str() + ms + 9),
          kib == std::string::npos ? -1 : num_before(kib)};
}

// Where a warm report's time goes, in this process on the same snapshot: the insight maths, the
// Cap'n Proto answer, its JSON line (medians of several).
struct Parts {
  double build = 0, memo = 0, capnp = 0, json = 0;
  std::size_t bytes = 0;
};

Parts report_parts(const insight::Snapshot& snap, std::int32_t today) {
  capnp::MallocMessageBuilder req_msg;
  auto req = req_msg.initRoot<schema::ReportRequest>();
  req.setWindow("1y");
  auto options = insight::options_from_request(req.asReader(), today);
  if (!options) die("options", options.error());
  api::Codec codec;
  std::vector<double> build, memo, to_capnp, json;
  insight::ReportMemo kept;  // as the daemon keeps it beside its snapshot
  Parts p;
  // REPORT_BENCH_PARTS=K: K rounds instead of 15 (to profile the in-process parts with perf).
  const char* rounds_env = std::getenv("REPORT_BENCH_PARTS");
  const int rounds = rounds_env != nullptr ? std::max(1, std::atoi(rounds_env)) : 15;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    auto report = insight::build_report(snap, *options, today);
    build.push_back(ms_since(t0));
    auto tm = Clock::now();
    auto again = insight::build_report(snap, *options, today, &kept);
    if (i > 0) memo.push_back(ms_since(tm));  // the first call fills the memo
    capnp::MallocMessageBuilder msg;
    auto t1 = Clock::now();
    auto out = msg.initRoot<schema::Response>();
    out.setId(1);
    insight::to_capnp(report, out.initReport());
    to_capnp.push_back(ms_since(t1));
    auto t2 = Clock::now();
    p.bytes = codec.encode_json(out.asReader()).size();
    json.push_back(ms_since(t2));
  }
  p.build = median(build);
  p.memo = memo.empty() ? 0 : median(memo);
  p.capnp = median(to_capnp);
  p.json = median(json);
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
  if (sizes.empty()) sizes = {10000, 1000000};
  const std::int32_t today = local_today();
  const std::string report = R"({"id": 1, "report": {"window": "1y"}})";
  const std::string add =
      R"({"id": 2, "add": {"entry": {"contribution": {"effort": 2, "actor": "me"}, "dimension": "household", "note": "bench"}}})";

  std::printf(
      "report over N entries (a year, both members) through tandemd's socket, beside a plain "
      "scan of the same entries (headers and bodies) in the same run\n");
  for (std::size_t n : sizes) {
    test::TempDir dir;
    const std::string data = dir.path() + "/data";
    auto t0 = Clock::now();
    make_data_dir(data, n, today);
    std::printf("\nN = %zu (store written in %.1f s)\n", n, ms_since(t0) / 1000);

    // Start-up: spawn to socket ready; the first report waits for the snapshot built at start.
    auto t1 = Clock::now();
    test::DaemonProcess daemon(data, dir.path() + "/s.sock");
    const double ready = ms_since(t1);
    double first = 0;
    {
      test::JsonClient c(daemon.socket());
      first = call_ms(c, report, "\"report\"");
    }
    const double since_spawn = ms_since(t1);
    const auto [built_ms, kib] = build_figures(daemon.log());

    // Warm: reports and scans interleaved, so both see the same machine load.
    auto key = store::read_key_file<32>(data + "/keys/storage.key");
    if (!key) die("storage key", key.error());
    auto st = store::Store::open(data + "/store", std::move(*key));
    if (!st) die("open", st.error());
    const int runs = n >= 1000000 ? 5 : 9;
    std::vector<double> scan, warm, after_add, fresh;
    Parts parts;
    std::size_t bytes = 0, facts = 0;
    test::JsonClient c(daemon.socket());
    for (int r = 0; r < runs; ++r) {
      scan.push_back(scan_ms(**st, bytes));
      warm.push_back(call_ms(c, report, "\"report\""));
    }
    if (const char* p = std::getenv("REPORT_BENCH_PROFILE")) {
      std::printf("daemon pid %d\n", daemon.pid());
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::seconds(2));
      for (int r = 0; r < std::atoi(p); ++r) call_ms(c, report, "\"report\"");
    }
    for (int r = 0; r < 3; ++r) {
      call_ms(c, add, "\"entry\"");
      after_add.push_back(call_ms(c, report, "\"report\""));
    }
    for (int r = 0; r < (n >= 1000000 ? 1 : 3); ++r) {
      auto t2 = Clock::now();
      auto txn = store::Txn::begin_read((*st)->env());
      if (!txn) die("begin_read", txn.error());
      auto snap = app::build_snapshot(**st, *txn, 1);
      if (!snap) die("snapshot", snap.error());
      fresh.push_back(ms_since(t2));
      facts = snap->facts.size();
      if (r == 0) parts = report_parts(*snap, today);
    }
    const long rss = rss_kb(daemon.pid());
    daemon.stop();

    const double base = median(scan);
    std::printf("  %-44s %9.2f ms   1.00x  (%zu bytes)\n", "baseline: scan entries, no decrypt",
                base, bytes);
    std::printf("  %-44s %9.2f ms  %5.2fx   target <= 3x%s\n", "report on the socket (warm)",
                median(warm), median(warm) / base, n >= 1000000 ? " and < 1000 ms" : "");
    std::printf("  %-44s %9.2f ms  %5.2fx\n", "add, then report on the socket", median(after_add),
                median(after_add) / base);
    std::printf("  %-44s %9.1f ms\n", "start-up: spawn to socket ready", ready);
    std::printf("  %-44s %9.1f ms  (%.1f ms after spawn)\n",
                "start-up: first report (builds the snapshot)", first, since_spawn);
    std::printf("  %-44s %9.1f ms  %5.2fx\n", "start-up: snapshot build, daemon's log", built_ms,
                built_ms / base);
    std::printf("  %-44s %9.1f ms  %5.2fx  (%zu facts)\n", "build_snapshot in this process",
                median(fresh), median(fresh) / base, facts);
    std::printf("  %-44s %9.2f ms  %5.2fx\n", "  of a report: build_report (the insight maths)",
                parts.build, parts.build / base);
    std::printf("  %-44s %9.2f ms  %5.2fx\n", "  the same with the daemon's memo, nothing new",
                parts.memo, parts.memo / base);
    std::printf("  %-44s %9.2f ms  %5.2fx\n", "  of a report: to_capnp", parts.capnp,
                parts.capnp / base);
    std::printf("  %-44s %9.2f ms  %5.2fx  (%zu bytes)\n", "  of a report: the JSON answer",
                parts.json, parts.json / base, parts.bytes);
    std::printf("  %-44s %9.1f MiB, %.0f bytes per entry; daemon RSS %.1f MiB\n",
                "snapshot memory (daemon's log)", kib / 1024, kib * 1024 / n, rss / 1024.0);
  }
  return 0;
}
