#include "daemon/discovery/pairing_code.hpp"

#include "daemon/discovery/words.hpp"
#include "tests/daemon/discovery/fake_random.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <set>

using namespace tandem;
using namespace tandem::discovery;

namespace {

PairingCode must_parse(std::string_view text) {
  auto r = parse(text);
  INFO(text);
  REQUIRE(r.ok());
  return r.value();
}

std::string error_of(std::string_view text) {
  auto r = parse(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Code::kInvalidArgument);
  return r.error().message;
}

}  // namespace

TEST_CASE("a generated code formats and parses back to itself") {
  auto random = testing::seeded_random(42);
  for (int i = 0; i < 2000; ++i) {
    const PairingCode code = generate(random);
    REQUIRE(code.channel >= 1);
    REQUIRE(code.channel <= 99);
    for (auto w : code.words) REQUIRE(w < kWordCount);
    const std::string text = format(code);
    INFO(text);
    REQUIRE(must_parse(text) == code);
  }
}

TEST_CASE("generated codes cover every channel and vary their words") {
  auto random = testing::seeded_random(7);
  std::set<int> channels;
  std::set<std::uint16_t> words;
  for (int i = 0; i < 5000; ++i) {
    const PairingCode code = generate(random);
    channels.insert(code.channel);
    words.insert(code.words.begin(), code.words.end());
  }
  CHECK(channels.size() == 99);
  CHECK(*channels.begin() == 1);
  CHECK(*channels.rbegin() == 99);
  CHECK(words.size() > 1900);
}

TEST_CASE("generate stays in range at the extremes of the random source") {
  for (std::uint8_t byte : {std::uint8_t{0}, std::uint8_t{0xfe}}) {
    const PairingCode code = generate(testing::constant_random(byte));
    CHECK(code.channel >= 1);
    CHECK(code.channel <= 99);
    for (auto w : code.words) CHECK(w < kWordCount);
  }
}

TEST_CASE("format writes the channel and lower-case words joined by dashes") {
  PairingCode code{17,
                   {static_cast<std::uint16_t>(*word_index("orbit")),
                    static_cast<std::uint16_t>(*word_index("garden")),
                    static_cast<std::uint16_t>(*word_index("pebble"))}};
  CHECK(format(code) == "17-orbit-garden-pebble");
}

TEST_CASE("parse tolerates case, extra spaces and either separator") {
  const PairingCode want = must_parse("17-orbit-garden-pebble");
  CHECK(must_parse("17 Orbit garden PEBBLE") == want);
  CHECK(must_parse("  17   orbit\tgarden  pebble  ") == want);
  CHECK(must_parse("17 - orbit - garden - pebble") == want);
  CHECK(must_parse("-17--orbit garden-pebble-") == want);
  CHECK(must_parse("017-orbit-garden-pebble") == want);
}

TEST_CASE("parse refuses an unknown word and suggests the closest one") {
  CHECK_THAT(error_of("17-orbit-gardn-pebble"),
             Catch::Contains("unknown word 'gardn'") && Catch::Contains("did you mean 'garden'?"));
  CHECK_THAT(error_of("17-orbit-garden-pebbel"), Catch::Contains("did you mean 'pebble'?"));
  CHECK_THAT(error_of("17-ORBTI-garden-pebble"), Catch::Contains("did you mean 'orbit'?"));
}

TEST_CASE("parse refuses a channel outside 1..99 or not a number") {
  for (auto text :
       {"0-orbit-garden-pebble", "100-orbit-garden-pebble", "x-orbit-garden-pebble",
        "1.5-orbit-garden-pebble", "+3-orbit-garden-pebble", "orbit-17-garden-pebble"}) {
    INFO(text);
    CHECK_THAT(error_of(text), Catch::Contains("channel"));
  }
}

TEST_CASE("parse refuses the wrong number of parts") {
  for (auto text : {"", "   ", "17", "17-orbit-garden", "17-orbit-garden-pebble-castle"}) {
    INFO(text);
    CHECK_THAT(error_of(text), Catch::Contains("three words"));
  }
}

TEST_CASE("a long unknown word is shortened in the message") {
  const std::string junk(1000, 'q');
  const std::string message = error_of("17-" + junk + "-garden-pebble");
  CHECK(message.size() < 200);
}

// Found with fuzz_beacon (tests/fuzz/regressions/fuzz_beacon/long-unknown-word.txt): the hint
// compared the whole word with all 2048 listed words, so a 1 MiB word from a local client held
// the daemon's only network and API thread for tens of seconds.
TEST_CASE("a huge unknown word is answered at once and still gets a hint") {
  const std::string junk(1 << 20, 'q');
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of("17-" + junk + "-garden-pebble");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(message.find("did you mean") != std::string::npos);
  CHECK(std::all_of(kWords.begin(), kWords.end(),
                    [](std::string_view w) { return w.size() * 2 <= kHintPrefix; }));
}

TEST_CASE("prs is canonical across spellings of one code") {
  const auto a = prs(must_parse("17 Orbit garden PEBBLE"));
  const auto b = prs(must_parse("17-orbit-garden-pebble"));
  CHECK(a == b);
  const std::string text(a.begin(), a.end());
  CHECK(text == "tandem-pair-v1:17-orbit-garden-pebble");
}

TEST_CASE("prs differs when the channel or any word differs") {
  const auto base = prs(must_parse("17-orbit-garden-pebble"));
  CHECK(prs(must_parse("18-orbit-garden-pebble")) != base);
  CHECK(prs(must_parse("17-garden-orbit-pebble")) != base);
  CHECK(prs(must_parse("17-orbit-garden-castle")) != base);
  // The channel is delimited, so "1-..." and "11-..." cannot collide through concatenation.
  CHECK(prs(must_parse("1-orbit-garden-pebble")) != prs(must_parse("11-orbit-garden-pebble")));
}
