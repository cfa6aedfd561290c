// The words tandem never says: no accounts, no contest, no verdicts.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::insight::testing {

inline const std::vector<std::string>& forbidden_words() {
  static const std::vector<std::string> kWords = {"score",
                                                  "scores",
                                                  "scored",
                                                  "points",
                                                  "point",
                                                  "debt",
                                                  "debts",
                                                  "owes",
                                                  "owe",
                                                  "owed",
                                                  "owing",
                                                  "winner",
                                                  "winners",
                                                  "win",
                                                  "wins",
                                                  "won",
                                                  "loser",
                                                  "losing",
                                                  "streak",
                                                  "streaks",
                                                  "balances",
                                                  "ledger",
                                                  "leaderboard",
                                                  "verdict",
                                                  "guilty",
                                                  "blame",
                                                  "credit",
                                                  "credits",
                                                  "average couple",
                                                  "other couples",
                                                  "most couples",
                                                  "studies show",
                                                  "research shows",
                                                  "balance of account",
                                                  "in the red",
                                                  "in the black",
                                                  "keeping count",
                                                  "tally"};
  return kWords;
}

// The forbidden words or phrases found in `text` as whole words (case-insensitive).
inline std::vector<std::string> forbidden_in(std::string_view text) {
  std::string low(text);
  std::transform(low.begin(), low.end(), low.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> found;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (const auto& w : forbidden_words()) {
    for (std::size_t at = low.find(w); at != std::string::npos; at = low.find(w, at + 1)) {
      const bool left = at == 0 || !is_word(low[at - 1]);
      const bool right = at + w.size() >= low.size() || !is_word(low[at + w.size()]);
      if (left && right) {
        found.push_back(w);
        break;
      }
    }
  }
  return found;
}

}  // namespace tandem::insight::testing
