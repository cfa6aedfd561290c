// journal_bench: the local journal's speed and memory, each figure beside a baseline measured in
// the same run on the same disk.
//   (a) `tandem add` as a whole process (median, p99 over N runs) beside spawning /bin/true and
//       one raw durable LMDB commit;
//   (b) durable adds/s over one connection and over 8 concurrent connections beside raw LMDB
//       durable commits/s;
//   (c) the daemon's idle RSS with 10,000 entries stored.
// Usage: journal_bench [RUNS]   (TANDEM_BUILD_DIR must point at the build directory)
#include "tests/support/daemon_process.hpp"
#include "tests/support/raw_lmdb.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

using namespace tandem::test;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double spawn_ms(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  auto t0 = Clock::now();
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  double ms = ms_since(t0);
  posix_spawn_file_actions_destroy(&fa);
  return (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? ms : -1;
}

struct Stats {
  double median, p99;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)]};
}

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Adds `count` entries over one connection, waiting for each acknowledgement.
void add_loop(const std::string& sock, int count, std::atomic<int>& done) {
  JsonClient c(sock);
  for (int i = 0; i < count; ++i) {
    auto r = c.call(
        R"({"id": 1, "add": {"entry": {"contribution": {"effort": 2}, "dimension": "household", "note": "bench entry"}}})");
    if (r.find("\"entry\"") != std::string::npos) ++done;
  }
}

double adds_per_second(const std::string& sock, int connections, int per_connection) {
  std::atomic<int> done{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back(add_loop, sock, per_connection, std::ref(done));
  for (auto& t : threads) t.join();
  return done / (ms_since(t0) / 1000.0);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 1000;
  TempDir dir;
  const std::string sock = dir.path() + "/s.sock";
  DaemonProcess daemon(dir.path() + "/data", sock);
  {
    JsonClient c(sock);
    c.call(R"({"id": 1, "init": {"name": "Bench"}})");
  }
  std::string raw_dir = dir.path() + "/data/raw-lmdb";
  ::mkdir(raw_dir.c_str(), 0700);

  // (a) whole-process add.
  std::vector<double> t_true, t_add;
  for (int i = 0; i < runs; ++i) t_true.push_back(spawn_ms({"/bin/true"}));
  const double commit_ms = raw_lmdb_commit_ms(raw_dir, 300);
  for (int i = 0; i < runs; ++i) {
    t_add.push_back(spawn_ms(
        {binary("tandem"), "--socket", sock, "add", "contribution", "--effort", "1", "bench"}));
  }
  if (std::count(t_add.begin(), t_add.end(), -1.0) > 0) {
    std::fprintf(stderr, "a tandem add failed\n");
    return 1;
  }
  auto st_true = stats(t_true), st_add = stats(t_add);
  const double baseline = st_true.median + commit_ms;
  std::printf("(a) tandem add, whole process, %d runs: median %.2f ms, p99 %.2f ms\n", runs,
              st_add.median, st_add.p99);
  std::printf(
      "    baseline: spawn /bin/true median %.2f ms + one raw durable LMDB commit %.2f ms = %.2f "
      "ms\n",
      st_true.median, commit_ms, baseline);
  std::printf("    ratio: %.2fx the baseline (target: at most 4x)\n", st_add.median / baseline);

  // (b) durable adds/s.
  ::mkdir((raw_dir + "2").c_str(), 0700);
  const double raw_commits_per_s = 1000.0 / raw_lmdb_commit_ms(raw_dir + "2", 500);
  const double one = adds_per_second(sock, 1, 1000);
  const double eight = adds_per_second(sock, 8, 500);
  std::printf(
      "(b) durable adds/s: 1 connection %.0f/s, 8 connections %.0f/s (%.1fx; target at least 5x)\n",
      one, eight, eight / one);
  std::printf(
      "    baseline: raw LMDB durable commits %.0f/s; 1 connection = %.2f of it, 8 connections = "
      "%.2f\n",
      raw_commits_per_s, one / raw_commits_per_s, eight / raw_commits_per_s);

  // (c) idle RSS with 10,000 entries.
  {
    std::atomic<int> done{0};
    JsonClient c(sock);
    auto st = c.call(R"({"id": 1, "status": {}})");
    auto pos = st.find("\"entries\":\"");
    int have = pos == std::string::npos ? 0 : std::stoi(st.substr(pos + 11));
    std::vector<std::thread> threads;
    int need = std::max(0, 10000 - have);
    for (int t = 0; t < 8; ++t)
      threads.emplace_back(add_loop, sock, (need + 7) / 8, std::ref(done));
    for (auto& t : threads) t.join();
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long rss = rss_kb(daemon.pid());
  std::printf("(c) idle RSS with 10,000+ entries: %.1f MB (target under 15 MB)\n", rss / 1024.0);
  // The same with the report's snapshot in memory (built by the first report and kept), and
  // after a restart followed by a report.
  auto report = [&] {
    JsonClient c(sock);
    c.call(R"({"id": 1, "report": {}})");
    std::this_thread::sleep_for(std::chrono::seconds(2));
  };
  report();
  std::printf("    after a report (snapshot kept): %.1f MB\n", rss_kb(daemon.pid()) / 1024.0);
  daemon.stop();
  daemon.start();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("    after a restart (no snapshot until a report): %.1f MB\n",
              rss_kb(daemon.pid()) / 1024.0);
  report();
  std::printf("    after a restart and a report: %.1f MB\n", rss_kb(daemon.pid()) / 1024.0);
  return 0;
}
