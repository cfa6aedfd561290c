// A small JSON reader for the vector files: the whole document in memory, depth-limited, no
// exceptions. Enough for published test-vector files; not a general-purpose library.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tandem::vectors {

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;  // in file order

  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  // The member named `key` of an object, or nullptr (also for non-objects).
  const Json* get(std::string_view key) const;
};

// Parses a complete document. On failure returns nullopt and sets `error` to a message with the
// byte offset.
std::optional<Json> parse_json(std::string_view text, std::string& error);

}  // namespace tandem::vectors
