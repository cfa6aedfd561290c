// tandem-netfault: links network namespaces through TUN devices and impairs the packets between
// them (loss, delay with jitter, reordering, duplication, flapping, partitions), for kernels
// without sch_netem. Needs root. The fault-matrix test (fault_matrix.py) drives it.
//
//   tandem-netfault --control FILE [--stats FILE] [--seed N] [--block I-J]... --prefix NAME
//                   NS=ADDR/PREFIXLEN NS=ADDR/PREFIXLEN [NS=ADDR/PREFIXLEN]
//
// Creates the TUN devices NAME0, NAME1, … , moves each into its namespace with its address, prints
// "ready" on stdout, and forwards until SIGTERM or SIGINT. The devices vanish when it exits.
#include "tests/netfault/forwarder.hpp"

#include <arpa/inet.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace tandem::netfault;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "tandem-netfault: %s\nusage: tandem-netfault --control FILE [--stats FILE] "
               "[--seed N] [--block I-J]... --prefix NAME NS=ADDR/LEN NS=ADDR/LEN...\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ForwarderOptions options;
  std::string prefix;
  std::vector<std::pair<std::string, std::string>> places;  // namespace, address/len
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--control") {
      options.control_path = value();
    } else if (a == "--stats") {
      options.stats_path = value();
    } else if (a == "--seed") {
      options.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--prefix") {
      prefix = value();
    } else if (a == "--block") {
      std::string v = value();
      auto dash = v.find('-');
      if (dash == std::string::npos) return usage("--block wants I-J");
      std::size_t x = std::stoul(v.substr(0, dash)), y = std::stoul(v.substr(dash + 1));
      options.blocked.insert({std::min(x, y), std::max(x, y)});
    } else if (auto eq = a.find('='); eq != std::string::npos) {
      places.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else {
      return usage(("unknown argument " + a).c_str());
    }
  }
  if (options.control_path.empty() || prefix.empty() || places.size() < 2)
    return usage("needs --control, --prefix and at least two NS=ADDR/LEN");

  std::vector<Endpoint> eps;
  for (std::size_t i = 0; i < places.size(); ++i) {
    const auto& [ns, addr] = places[i];
    std::string error;
    Endpoint e;
    e.tun = Tun::create(prefix + std::to_string(i), error);
    if (!e.tun.ok()) {
      std::fprintf(stderr, "tandem-netfault: %s\n", error.c_str());
      return 1;
    }
    const std::string host = addr.substr(0, addr.find('/'));
    if (::inet_pton(AF_INET, host.c_str(), &e.address) != 1) return usage("bad IPv4 address");
    if (!e.tun.place(ns, addr)) {
      std::fprintf(stderr, "tandem-netfault: could not place %s in %s as %s\n",
                   e.tun.name().c_str(), ns.c_str(), addr.c_str());
      return 1;
    }
    e.label = ns;
    eps.push_back(std::move(e));
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  std::printf("ready\n");
  std::fflush(stdout);
  return run_forwarder(eps, options, g_stop);
}
