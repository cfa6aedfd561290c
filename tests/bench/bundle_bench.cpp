// bundle_bench: an offline bundle of N entries between two real daemons that share no network:
// `tandem bundle export` on one, `tandem bundle import` on the other, each timed as a whole CLI
// process, entries/s, beside raw LMDB durable inserts/s in batches of 1,000 on the same disk;
// each daemon's peak RSS and the bundle's size.
// Usage: bundle_bench [N]      (TANDEM_BUILD_DIR must point at the build directory)
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/raw_lmdb.hpp"

#include "tests/support/backlog.hpp"

#include <lmdb.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace tandem;
using namespace tandem::test;
using Clock = std::chrono::steady_clock;

namespace {

double secs_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::unique_ptr<capnp::MallocMessageBuilder> call(const std::string& sock,
                                                  const std::string& line) {
  JsonClient c(sock);
  return parse_response(c.call(line));
}
schema::Response::Reader root(const std::unique_ptr<capnp::MallocMessageBuilder>& m) {
  return m->getRoot<schema::Response>().asReader();
}

long vm_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

// Appends `n` contribution entries to the device's own log (tests/support/backlog.hpp).
void fill(const std::string& data, int n) {
  test::append_backlog(data, n);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  TempDir dir;
  const std::string a_data = dir.path() + "/alex", a_sock = dir.path() + "/a.sock";
  const std::string s_data = dir.path() + "/sam", s_sock = dir.path() + "/s.sock";
  {
    DaemonProcess a(a_data, a_sock);
    DaemonProcess s(s_data, s_sock);
    call(a_sock, R"({"id": 1, "init": {"name": "Alex"}})");
    JsonClient inviter(a_sock);
    inviter.send_raw("{\"id\": 5, \"pairInvite\": {}}\n");
    auto code = parse_response(inviter.read_line());
    const std::string c = root(code).getPairCode().getCode().cStr();
    const auto port = root(code).getPairCode().getPort();
    auto joined = call(s_sock, R"({"id": 2, "pairJoin": {"code": ")" + c +
                                   R"(", "name": "Sam", "address": "127.0.0.1:)" +
                                   std::to_string(port) + R"("}})");
    if (!root(joined).isPaired()) {
      std::fprintf(stderr, "pairing failed\n");
      return 1;
    }
    inviter.read_line();
  }
  const double raw = raw_lmdb_inserts_per_s(dir.path() + "/raw", std::min(n, 200000));
  fill(a_data, n);
  // Restarted on new ephemeral ports: the address each remembers of the other leads nowhere.
  DaemonProcess alex(a_data, a_sock);
  DaemonProcess sam(s_data, s_sock);
  const std::string file = dir.path() + "/alex.tandem";
  auto t0 = Clock::now();
  auto ex = run({binary("tandem"), "bundle", "export", file, "--socket", a_sock});
  const double export_s = secs_since(t0);
  t0 = Clock::now();
  auto im = run({binary("tandem"), "bundle", "import", file, "--socket", s_sock});
  const double import_s = secs_since(t0);
  if (ex.code != 0 || im.code != 0) {
    std::fprintf(stderr, "bundle failed: %s%s\n", ex.err.c_str(), im.err.c_str());
    return 1;
  }
  const auto a_entries = root(call(a_sock, R"({"id": 3, "status": {}})")).getStatus().getEntries();
  const auto s_entries = root(call(s_sock, R"({"id": 3, "status": {}})")).getStatus().getEntries();
  struct stat st {};
  ::stat(file.c_str(), &st);
  std::printf("bundle of %d entries, %.1f MB (%.0f bytes/entry); Sam holds %llu of %llu\n", n,
              st.st_size / 1e6, double(st.st_size) / n, (unsigned long long)s_entries,
              (unsigned long long)a_entries);
  std::printf("  export: %.2f s, %.0f entries/s\n", export_s, n / export_s);
  std::printf("  import: %.2f s, %.0f entries/s (verified and committed as sync does)\n", import_s,
              n / import_s);
  std::printf("  export + import: %.0f entries/s\n", n / (export_s + import_s));
  std::printf(
      "  baseline: raw LMDB durable inserts in batches of 1,000: %.0f/s; import ratio %.2f\n", raw,
      (n / import_s) / raw);
  std::printf("  peak RSS: Alex %.1f MB, Sam %.1f MB\n", vm_kb(alex.pid(), "VmHWM:") / 1024.0,
              vm_kb(sam.pid(), "VmHWM:") / 1024.0);
  return s_entries == a_entries ? 0 : 1;
}
