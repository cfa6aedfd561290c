// The crash soak's load: writer threads adding entries on every device of the cluster, each on its
// own local connection. A writer whose daemon dies reconnects when it is back. Every add that
// returned an entry is recorded as acknowledged, with its unique note, under its author device.
#pragma once

#include "tests/soak/cluster.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tandem::soak {

class Load {
 public:
  // Borrows `nodes` (their sockets must stay where they are). `tag` makes every note unique
  // across rounds ("r12").
  // Each writer pauses `pause_ms` between adds.
  Load(const std::vector<Node>& nodes, int writers_per_node, int pause_ms, std::string tag);
  ~Load();  // stops
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  // Holds every writer before its next add until resume() (the soak audits a dead store
  // meanwhile, so that the check's own length does not pile up entries).
  void pause() { paused_ = true; }
  void resume() { paused_ = false; }
  // Stops every writer and joins; a request in flight gets its answer first (or the connection
  // dies).
  void stop();

  // Acknowledged entries per node index: id -> note. Call after stop().
  const std::vector<std::map<std::string, std::string>>& acknowledged() const { return acked_; }
  // A copy of the entries acknowledged so far on node `node` (while the load runs).
  std::map<std::string, std::string> snapshot(std::size_t node);
  // Adds that did not return an entry (the daemon died mid-request, or refused).
  std::uint64_t unacknowledged() const { return unacked_; }

 private:
  void writer(std::size_t node, int index);

  const std::vector<Node>& nodes_;
  int pause_ms_;
  std::string tag_;
  std::atomic<bool> stop_{false}, paused_{false};
  std::mutex mu_;
  std::vector<std::map<std::string, std::string>> acked_;
  std::atomic<std::uint64_t> unacked_{0};
  std::vector<std::thread> threads_;
};

}  // namespace tandem::soak
