// The pairing-code word list: 2048 short, common, distinct English words (words.txt, compiled in).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace tandem::discovery {

inline constexpr std::size_t kWordCount = 2048;  // 11 bits per word

// Sorted ascending; a word's index is its value in a pairing code. Every two words are at least
// two edits apart and sound different, so one misheard letter never yields another valid word.
// Static storage: the views stay valid for the whole program.
extern const std::array<std::string_view, kWordCount> kWords;

// The index of `word` (exact, lower-case), or nullopt when it is not in the list.
std::optional<std::size_t> word_index(std::string_view word);

// The index of the word closest to `word` by edit distance (insert, delete, substitute, swap of
// neighbours), the first in list order on a tie; for "did you mean" hints. Only the first
// kHintPrefix characters of `word` are compared (no listed word is even half as long), so the
// time is bounded whatever a client sends.
inline constexpr std::size_t kHintPrefix = 16;
std::size_t closest_word(std::string_view word);

// Optimal-string-alignment edit distance between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace tandem::discovery
