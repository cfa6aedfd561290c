// The vector runners behind tandem-vectors: each reads one parsed file and checks every vector in
// it against tandem's crypto module, recording a pass or a named failure per vector.
#pragma once

#include "daemon/base/bytes.hpp"
#include "tests/vectors/json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tandem::vectors {

struct Report {
  int passed = 0;
  std::vector<std::string> failed;  // "name: why"

  void pass() { ++passed; }
  void fail(const std::string& name, const std::string& why) {
    failed.push_back(name + ": " + why);
  }
};

// Cacophony schema: {"vectors": [{protocol_name, init_*, resp_*, handshake_hash?, messages}]}.
void run_noise(const Json& doc, Report& report);
// The cpace-ristretto255-sha512.json schema (see /work/shared/vectors/README.md).
void run_cpace(const Json& doc, Report& report);

// Hex of a string member, or nullopt when absent or not hex.
std::optional<Bytes> hex_field(const Json& obj, std::string_view key);

}  // namespace tandem::vectors
