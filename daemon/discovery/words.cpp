#include "daemon/discovery/words.hpp"

#include <algorithm>
#include <vector>

namespace tandem::discovery {

std::optional<std::size_t> word_index(std::string_view word) {
  auto it = std::lower_bound(kWords.begin(), kWords.end(), word);
  if (it == kWords.end() || *it != word) return std::nullopt;
  return static_cast<std::size_t>(it - kWords.begin());
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rolling rows: the swap of neighbours looks two rows back.
  const std::size_t n = b.size();
  std::vector<std::size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
  for (std::size_t j = 0; j <= n; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

std::size_t closest_word(std::string_view word) {
  word = word.substr(0, kHintPrefix);  // a 1 MiB word would cost 2048 x 1 MiB x 7 steps
  std::size_t best = 0;
  std::size_t best_distance = static_cast<std::size_t>(-1);
  for (std::size_t i = 0; i < kWords.size(); ++i) {
    const std::size_t d = edit_distance(word, kWords[i]);
    if (d < best_distance) {
      best = i;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace tandem::discovery
