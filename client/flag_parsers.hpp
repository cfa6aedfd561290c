// Internal to entry_flags: value parsers shared by the common and the kind-specific flags.
// Each takes the flag's name for its message and calls `set` only with a valid value.
#pragma once

#include "client/dates.hpp"
#include "client/entry_flags.hpp"
#include "client/enum_names.hpp"

#include <charconv>
#include <string>
#include <string_view>

namespace tandem::client::detail {

inline std::optional<unsigned> parse_uint(std::string_view text) {
  unsigned v = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

template <typename E, typename F>
FlagError enum_flag(std::string_view flag, std::string_view text, F&& set) {
  auto v = parse_enum<E>(text);
  if (!v) return bad_enum_message(flag, text, capnp::Schema::from<E>());
  set(*v);
  return std::nullopt;
}

// An integer in lo..hi (a 1..5 scale, effort 1..3, a percentage).
template <typename F>
FlagError scale_flag(std::string_view flag, std::string_view text, unsigned lo, unsigned hi,
                     F&& set) {
  auto v = parse_uint(text);
  if (!v || *v < lo || *v > hi) {
    return "bad " + std::string(flag) + " '" + std::string(text) + "'; expected a whole number " +
           std::to_string(lo) + ".." + std::to_string(hi);
  }
  set(static_cast<std::uint8_t>(*v));
  return std::nullopt;
}

template <typename F>
FlagError date_flag(std::string_view flag, std::string_view text, const FlagContext& ctx, F&& set) {
  auto v = parse_date(text, ctx.today);
  if (!v) {
    return "bad " + std::string(flag) + " '" + std::string(text) +
           "'; expected today, yesterday, Nd (N days ago) or YYYY-MM-DD";
  }
  set(*v);
  return std::nullopt;
}

// A non-empty text.
template <typename F>
FlagError text_flag(std::string_view flag, std::string_view text, F&& set) {
  if (text.empty()) return std::string(flag) + " must not be empty";
  set(std::string(text));
  return std::nullopt;
}

// A decimal amount ("42", "42.5", "-3.99") in cents, without floating point.
FlagError parse_cents(std::string_view flag, std::string_view text, std::int64_t& out);

}  // namespace tandem::client::detail
