// The crash soak's cluster: two or three real tandemd daemons on loopback, paired with the real
// pairing protocol, each on a fixed port so that a restarted daemon is found again at the address
// its peers remember. Plain functions that throw std::runtime_error on a broken expectation (the
// soak is a program, not a Catch2 test).
#pragma once

#include "tests/support/daemon_process.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tandem::soak {

struct Node {
  std::string name;  // "alex", "sam", "alex-desktop"
  std::string dir;   // holds data/, s.sock and data.log
  std::string listen;
  std::unique_ptr<test::DaemonProcess> daemon;

  std::string data() const { return dir + "/data"; }
  std::string socket() const { return dir + "/s.sock"; }
  bool alive() const { return daemon && daemon->pid() > 0; }
};

// One JSON call on a fresh connection; throws when the daemon does not answer.
std::string call(const Node& n, const std::string& line);

// Starts `count` (2 or 3) daemons under `root` and pairs them: alex initialises the space, sam
// joins as the partner, and a third node joins as another device of alex. Every node learns every
// other node's address (static peers), so the death of any one cannot partition the others.
std::vector<Node> start_cluster(const std::string& root, int count);

// What one device's export says: entry id -> note, and the duplicates seen (an id or a note
// listed twice).
struct EntrySet {
  std::map<std::string, std::string> notes;
  std::uint64_t duplicate_ids = 0;
  std::uint64_t duplicate_notes = 0;
};
EntrySet export_entries(const Node& n);

// Which of `expected` (id -> note) are not readable on the running node with that note.
std::vector<std::string> missing_on(const Node& n,
                                    const std::map<std::string, std::string>& expected);

// status.entries (every record held, all devices), or nullopt when the daemon does not answer.
std::optional<std::uint64_t> record_count(const Node& n);

// Opens the store of a stopped (or killed) daemon and checks the whole log with the store's own
// audit (chains, hashes, every signature). Returns the problems (empty: it verifies) and counts
// the records.
struct Audit {
  std::uint64_t records = 0;
  std::vector<std::string> problems;
};
Audit audit_store(const std::string& data_dir);

// In the store of a stopped daemon, which of `ids` ("<device hex>-<seq>") are missing, or are
// present with a note other than the expected one.
std::vector<std::string> missing_in_store(const std::string& data_dir,
                                          const std::map<std::string, std::string>& expected);

}  // namespace tandem::soak
