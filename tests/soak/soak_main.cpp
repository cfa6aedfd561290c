// tandem-soak: the crash soak. Two or three real paired daemons under load (writers adding entries
// on every device, each add pushed live to the others, so a sync is always in progress); each
// round kills one daemon with SIGKILL at a random moment (sometimes twice: again while it catches
// up after its restart), restarts it and checks that
//   - every acknowledged entry is in its author's store, read straight from the dead store
//     before the restart (so a peer cannot mask a loss by syncing the entry back),
//   - the killed store's log verifies (chains, hashes, every signature),
//   - all devices converge to the same entry set, with every acknowledged entry on every device,
//   - no entry appears twice (by id, or by its unique note).
// Prints one line per round and a summary; exits 1 when anything was lost, duplicated, failed
// to verify or did not converge.
//
//   tandem-soak [--rounds N] [--devices 2|3] [--writers W] [--pause-ms P] [--seed S]
//               [--max-seconds T] [--full-check-every K]
// Defaults: 100 rounds, 3 devices, 2 writers per device pausing 20 ms between adds, a full
// comparison of every device's export every 25 rounds and at the end.
#include "tests/soak/cluster.hpp"
#include "tests/soak/load.hpp"
#include "tests/support/temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>

using namespace tandem;
using namespace tandem::soak;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int rounds = 100;
  int devices = 3;
  int writers = 2;
  unsigned seed = 0;
  double max_seconds = 0;  // 0: no limit; else no new round starts after this
  int pause_ms = 20;       // each writer's pause between adds
  int full_check_every = 25;
};

Options parse(int argc, char** argv) {
  Options o;
  o.seed = static_cast<unsigned>(Clock::now().time_since_epoch().count());
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--rounds")
      o.rounds = std::atoi(v);
    else if (flag == "--devices")
      o.devices = std::atoi(v);
    else if (flag == "--writers")
      o.writers = std::atoi(v);
    else if (flag == "--seed")
      o.seed = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    else if (flag == "--max-seconds")
      o.max_seconds = std::atof(v);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return o;
}

long ms_since(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

struct Totals {
  int rounds = 0, kills = 0;
  std::uint64_t acknowledged = 0, lost = 0, duplicates = 0, audits = 0, problems = 0;
  std::vector<long> reconverge_ms;
  bool failed = false;
};

// All acknowledged entries so far, per node: id -> note.
using Acked = std::vector<std::map<std::string, std::string>>;

// The victim is dead: its store must hold every entry it acknowledged, and verify.
void check_dead_store(const Node& victim, const std::map<std::string, std::string>& acked,
                      Totals& t) {
  auto missing = missing_in_store(victim.data(), acked);
  for (const auto& id : missing) std::printf("  LOST on %s: %s\n", victim.name.c_str(), id.c_str());
  t.lost += missing.size();
  auto audit = audit_store(victim.data());
  ++t.audits;
  for (const auto& p : audit.problems)
    std::printf("  VERIFY %s: %s\n", victim.name.c_str(), p.c_str());
  t.problems += audit.problems.size();
}

bool same_counts(const std::vector<Node>& nodes) {
  std::optional<std::uint64_t> first;
  for (const auto& n : nodes) {
    auto c = record_count(n);
    if (!c || (first && *c != *first)) return false;
    first = c;
  }
  return true;
}

// Waits until every node holds as many records as the others and every entry acknowledged in
// this round is readable, with its note, on every node. Returns the time it took from `since`,
// or -1 after 60 s.
long wait_converged(const std::vector<Node>& nodes, const Acked& round_acked,
                    Clock::time_point since) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    if (same_counts(nodes)) {
      const long took = ms_since(since);
      bool all = true;
      for (const auto& n : nodes) {
        for (const auto& per_author : round_acked) {
          if (!missing_on(n, per_author).empty()) {
            all = false;
            break;
          }
        }
        if (!all) break;
      }
      if (all) return took;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

// The full comparison (every --full-check-every rounds and at the end): every node's whole export,
// the same entry set on each, every acknowledged entry on every node, no duplicate anywhere.
// Returns the number of entries on each.
std::uint64_t check_full(const std::vector<Node>& nodes, const Acked& acked, Totals& t) {
  std::vector<EntrySet> sets;
  for (const auto& n : nodes) sets.push_back(export_entries(n));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    const auto& set = sets[i];
    t.duplicates += set.duplicate_ids + set.duplicate_notes;
    if (set.duplicate_ids + set.duplicate_notes)
      std::printf("  DUPLICATES on %s: %llu ids, %llu notes\n", n.name.c_str(),
                  static_cast<unsigned long long>(set.duplicate_ids),
                  static_cast<unsigned long long>(set.duplicate_notes));
    const bool same = set.notes.size() == sets[0].notes.size() &&
                      std::equal(set.notes.begin(), set.notes.end(), sets[0].notes.begin(),
                                 [](const auto& x, const auto& y) { return x.first == y.first; });
    if (!same) {
      std::printf("  DIVERGED: %s and %s hold different entry sets\n", n.name.c_str(),
                  nodes[0].name.c_str());
      t.failed = true;
    }
    for (const auto& per_author : acked) {
      for (const auto& [id, note] : per_author) {
        auto it = set.notes.find(id);
        if (it == set.notes.end() || it->second != note) {
          std::printf("  MISSING on %s: %s\n", n.name.c_str(), id.c_str());
          ++t.lost;
        }
      }
    }
  }
  return sets[0].notes.size();
}

volatile std::sig_atomic_t interrupted = 0;

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  if (opt.devices != 2 && opt.devices != 3) {
    std::fprintf(stderr, "--devices must be 2 or 3\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // Ctrl-C ends the run after the current round, so the daemons are stopped and checked.
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  std::printf("tandem-soak: %d rounds, %d devices, %d writers each (pause %d ms), seed %u\n",
              opt.rounds, opt.devices, opt.writers, opt.pause_ms, opt.seed);
  std::mt19937 rng(opt.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto started = Clock::now();
  Totals t;
  test::TempDir dir("tandem-soak");
  try {
    auto nodes = start_cluster(dir.path(), opt.devices);
    Acked acked(nodes.size());
    for (int round = 1; round <= opt.rounds; ++round) {
      if (interrupted || (opt.max_seconds > 0 && ms_since(started) > opt.max_seconds * 1000)) break;
      const auto round_started = Clock::now();
      const auto lost_before = t.lost, dup_before = t.duplicates, problems_before = t.problems;
      Load load(nodes, opt.writers, opt.pause_ms, "r" + std::to_string(round));
      const int load_ms = uniform(100, 1500);
      std::this_thread::sleep_for(std::chrono::milliseconds(load_ms));
      Node& victim = nodes[static_cast<std::size_t>(uniform(0, opt.devices - 1))];
      const std::size_t vi = static_cast<std::size_t>(&victim - nodes.data());
      int kills = 0, down_ms = 0;
      Clock::time_point restarted;
      do {
        victim.daemon->kill9();
        ++kills;
        // Writers on the victim notice at once; an answer read just before the kill is recorded
        // within this pause.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        for (const auto& [id, note] : load.snapshot(vi)) acked[vi].emplace(id, note);
        load.pause();
        check_dead_store(victim, acked[vi], t);
        load.resume();
        down_ms = uniform(0, 1000);
        std::this_thread::sleep_for(std::chrono::milliseconds(down_ms));
        victim.daemon->start();
        restarted = Clock::now();
        // One round in four kills it again while it catches up.
        if (kills == 1 && uniform(0, 3) == 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(uniform(50, 400)));
          continue;
        }
        break;
      } while (true);
      std::this_thread::sleep_for(std::chrono::milliseconds(uniform(0, 300)));
      load.stop();
      std::uint64_t round_acked_total = 0;
      Acked round_acked(nodes.size());
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        round_acked[i] = load.acknowledged()[i];
        round_acked_total += round_acked[i].size();
        acked[i].insert(round_acked[i].begin(), round_acked[i].end());
      }
      const long took = wait_converged(nodes, round_acked, restarted);
      std::uint64_t held = 0;
      if (took < 0) {
        // Name what is missing where, and count it as lost.
        for (const auto& n : nodes) {
          for (const auto& per_author : round_acked) {
            for (const auto& id : missing_on(n, per_author)) {
              std::printf("  MISSING on %s: %s\n", n.name.c_str(), id.c_str());
              ++t.lost;
            }
          }
        }
        std::printf("  DID NOT CONVERGE within 60 s\n");
        t.failed = true;
      } else {
        t.reconverge_ms.push_back(took);
        if (round % opt.full_check_every == 0) held = check_full(nodes, acked, t);
      }
      ++t.rounds;
      t.kills += kills;
      t.acknowledged += round_acked_total;
      const std::string full =
          held ? "; full check: " + std::to_string(held) + " entries, the same on each" : "";
      std::printf(
          "round %d: killed %s %dx after %d ms of load (down %d ms); acknowledged %llu; "
          "reconverged in %ld ms%s; lost %llu, duplicates %llu, verify problems %llu (%.1f s)\n",
          round, victim.name.c_str(), kills, load_ms, down_ms,
          static_cast<unsigned long long>(round_acked_total), took, full.c_str(),
          static_cast<unsigned long long>(t.lost - lost_before),
          static_cast<unsigned long long>(t.duplicates - dup_before),
          static_cast<unsigned long long>(t.problems - problems_before),
          ms_since(round_started) / 1000.0);
      if (took < 0) break;
    }
    // The end: one full comparison, then every daemon stops cleanly; every store verifies and
    // holds what its device acknowledged.
    if (t.rounds > 0 && !t.failed) {
      const auto held = check_full(nodes, acked, t);
      std::printf("final full check: %llu entries, the same on each\n",
                  static_cast<unsigned long long>(held));
    }
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      nodes[i].daemon->stop();
      check_dead_store(nodes[i], acked[i], t);
    }
  } catch (const std::exception& e) {
    std::printf("FAILED: %s\n(the devices' directories are kept in %s)\n", e.what(),
                dir.path().c_str());
    dir.keep();
    t.failed = true;
  }
  long mean = 0, max = 0;
  if (!t.reconverge_ms.empty()) {
    long sum = 0;
    for (long v : t.reconverge_ms) sum += v;
    mean = sum / static_cast<long>(t.reconverge_ms.size());
    max = *std::max_element(t.reconverge_ms.begin(), t.reconverge_ms.end());
  }
  std::printf(
      "summary: rounds %d, kills %d, entries acknowledged %llu, lost %llu, duplicates %llu, "
      "stores verified %llu (problems %llu), reconverge mean %ld ms, max %ld ms, wall %ld s\n",
      t.rounds, t.kills, static_cast<unsigned long long>(t.acknowledged),
      static_cast<unsigned long long>(t.lost), static_cast<unsigned long long>(t.duplicates),
      static_cast<unsigned long long>(t.audits), static_cast<unsigned long long>(t.problems), mean,
      max, ms_since(started) / 1000);
  const bool ok = !t.failed && t.lost == 0 && t.duplicates == 0 && t.problems == 0 && t.rounds > 0;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
