// tandem-vectors: runs a published vector file against tandem's crypto module.
//   tandem-vectors noise FILE   cacophony-schema Noise vectors
//   tandem-vectors cpace FILE   CPace (ristretto255, SHA-512) vectors
// Prints the pass count and each failure; exits 0 only when every vector passes.
#include "tests/vectors/json.hpp"
#include "tests/vectors/runner.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

namespace {

using tandem::vectors::Json;
using tandem::vectors::Report;

struct Command {
  std::string_view name;
  std::string_view help;
  void (*run)(const Json&, Report&);
};

constexpr Command kCommands[] = {
    {"noise", "Noise handshake and transport vectors (cacophony schema)",
     tandem::vectors::run_noise},
    {"cpace", "CPACE-RISTR255-SHA512 vectors", tandem::vectors::run_cpace},
};

int usage() {
  std::fputs("usage: tandem-vectors COMMAND FILE\n", stderr);
  for (const auto& c : kCommands)
    std::fprintf(stderr, "  %-6.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.help.size()), c.help.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return usage();
  const Command* cmd = nullptr;
  for (const auto& c : kCommands)
    if (c.name == argv[1]) cmd = &c;
  if (cmd == nullptr) return usage();

  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "tandem-vectors: cannot read %s\n", argv[2]);
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  const auto doc = tandem::vectors::parse_json(text.str(), error);
  if (!doc) {
    std::fprintf(stderr, "tandem-vectors: %s: %s\n", argv[2], error.c_str());
    return 2;
  }

  Report report;
  cmd->run(*doc, report);
  const std::size_t total = report.passed + report.failed.size();
  std::printf("%s %s: %d/%zu passed\n", argv[1], argv[2], report.passed, total);
  for (const auto& f : report.failed) std::printf("FAIL %s\n", f.c_str());
  return report.failed.empty() && total > 0 ? 0 : 1;
}
