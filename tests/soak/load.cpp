#include "tests/soak/load.hpp"

#include <chrono>
#include <memory>

namespace tandem::soak {

Load::Load(const std::vector<Node>& nodes, int writers_per_node, int pause_ms, std::string tag)
    : nodes_(nodes), pause_ms_(pause_ms), tag_(std::move(tag)), acked_(nodes.size()) {
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    for (int w = 0; w < writers_per_node; ++w)
      threads_.emplace_back([this, n, w] { writer(n, w); });
  }
}

Load::~Load() {
  stop();
}

void Load::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::map<std::string, std::string> Load::snapshot(std::size_t node) {
  std::lock_guard lock(mu_);
  return acked_[node];
}

void Load::writer(std::size_t node, int index) {
  const std::string prefix = tag_ + "-" + nodes_[node].name + "-w" + std::to_string(index) + "-";
  std::unique_ptr<test::JsonClient> conn;
  for (int i = 0; !stop_; ++i) {
    if (paused_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (!conn) {
      try {
        conn = std::make_unique<test::JsonClient>(nodes_[node].socket());
      } catch (const std::exception&) {
        // The daemon is down: try again shortly.
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
    }
    const std::string note = prefix + std::to_string(i);
    try {
      auto r = test::parse_response(
          conn->call(R"({"id": 9, "add": {"entry": {"contribution": {"effort": 2}, "note": ")" +
                     note + "\"}}}"));
      auto resp = r->getRoot<schema::Response>().asReader();
      if (resp.isEntry()) {
        std::lock_guard lock(mu_);
        acked_[node].emplace(resp.getEntry().getId().cStr(), note);
      } else {
        ++unacked_;
      }
    } catch (const std::exception&) {
      ++unacked_;  // killed mid-request: the add may or may not have been stored
      conn.reset();
    }
    if (pause_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms_));
  }
}

}  // namespace tandem::soak
