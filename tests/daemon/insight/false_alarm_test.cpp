// A pattern should be rare when there is none: simulate many journals with a true 50/50 split
// and count how many raise any pattern at all.
#include <catch2/catch.hpp>

#include <iostream>

#include "tests/daemon/insight/report_helpers.hpp"

using namespace tandem::insight;
using namespace tandem::insight::testing;

namespace {

double false_pattern_rate(int journals, bool lopsided_week, std::uint64_t seed0) {
  int raised = 0;
  for (int i = 0; i < journals; ++i) {
    JournalBuilder j(seed0 + static_cast<std::uint64_t>(i));
    j.balanced(12, 3);
    if (lopsided_week) {
      const int w = j.pick(0, 11);
      const Member busy = j.coin(0.5) ? kFirst : kSecond;
      for (int k = 0; k < 10; ++k) j.contribution(j.logger(), busy, j.day(w, k % 7), 3);
    }
    raised += !run(j).patterns.empty();
  }
  return static_cast<double>(raised) / journals;
}

}  // namespace

TEST_CASE("balanced journals almost never raise a pattern", "[false-alarm]") {
  const double plain = false_pattern_rate(2000, false, 1000);
  const double busy = false_pattern_rate(2000, true, 50000);
  std::cout << "false pattern rate: balanced " << plain * 100 << "%, with one lopsided week "
            << busy * 100 << "%\n";
  CHECK(plain < 0.01);
  CHECK(busy < 0.01);
}
