#include "daemon/discovery/words.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>

using namespace tandem::discovery;

TEST_CASE("the word list has 2048 unique, sorted, short lower-case words") {
  std::set<std::string_view> unique(kWords.begin(), kWords.end());
  CHECK(unique.size() == 2048);
  CHECK(std::is_sorted(kWords.begin(), kWords.end()));
  for (std::string_view w : kWords) {
    INFO(w);
    CHECK(w.size() >= 3);
    CHECK(w.size() <= 8);
    CHECK(std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
  }
}

TEST_CASE("the compiled word list is exactly words.txt") {
  std::ifstream in(TANDEM_WORDS_TXT);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == kWords.size());
  for (std::size_t i = 0; i < lines.size(); ++i) CHECK(lines[i] == kWords[i]);
}

TEST_CASE("no two words are within one edit of each other") {
  std::size_t close_pairs = 0;
  for (std::size_t i = 0; i < kWords.size(); ++i) {
    for (std::size_t j = i + 1; j < kWords.size(); ++j) {
      const auto a = kWords[i], b = kWords[j];
      if (a.size() > b.size() + 1 || b.size() > a.size() + 1) continue;
      if (edit_distance(a, b) < 2) {
        ++close_pairs;
        UNSCOPED_INFO(a << " ~ " << b);
      }
    }
  }
  CHECK(close_pairs == 0);
}

TEST_CASE("edit distance counts inserts, deletes, substitutions and swaps") {
  CHECK(edit_distance("maple", "maple") == 0);
  CHECK(edit_distance("maple", "mapel") == 1);
  CHECK(edit_distance("maple", "mapl") == 1);
  CHECK(edit_distance("maple", "maples") == 1);
  CHECK(edit_distance("maple", "mable") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("orbit", "rbiot") == 2);
}

TEST_CASE("word_index finds listed words only, exactly") {
  for (std::size_t i = 0; i < kWords.size(); i += 97) CHECK(word_index(kWords[i]) == i);
  CHECK_FALSE(word_index("").has_value());
  CHECK_FALSE(word_index("zzzzzz").has_value());
  CHECK_FALSE(word_index(std::string(kWords[5]) + "x").has_value());
}
