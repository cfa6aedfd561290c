#include "daemon/discovery/pairing_code.hpp"

#include "daemon/discovery/words.hpp"

#include <cctype>
#include <charconv>
#include <vector>

namespace tandem::discovery {
namespace {

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == '-';
}

std::vector<std::string> split_lower(std::string_view text) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : text) {
    if (is_separator(c)) {
      if (!cur.empty()) parts.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!cur.empty()) parts.push_back(std::move(cur));
  return parts;
}

Result<std::uint8_t> parse_channel(const std::string& s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < kMinChannel || v > kMaxChannel) {
    return Error{Code::kInvalidArgument,
                 "the code must start with a channel number from 1 to 99, not '" + s + "'"};
  }
  return static_cast<std::uint8_t>(v);
}

}  // namespace

PairingCode generate(const RandomFill& random) {
  PairingCode code;
  code.channel =
      static_cast<std::uint8_t>(kMinChannel + uniform(random, kMaxChannel - kMinChannel + 1));
  for (auto& w : code.words) w = static_cast<std::uint16_t>(uniform(random, kWordCount));
  return code;
}

Result<PairingCode> parse(std::string_view text) {
  const std::vector<std::string> parts = split_lower(text);
  if (parts.size() != 1 + kCodeWords) {
    return Error{
        Code::kInvalidArgument,
        "a pairing code is a channel number and three words, like 17-orbit-lantern-maple; got " +
            std::to_string(parts.size()) + " part(s)"};
  }
  PairingCode code;
  auto channel = parse_channel(parts[0]);
  if (!channel) return channel.error();
  code.channel = *channel;
  for (std::size_t i = 0; i < kCodeWords; ++i) {
    const std::string& w = parts[1 + i];
    auto index = word_index(w);
    if (!index) {
      std::string shown = w.size() > 32 ? w.substr(0, 32) + "..." : w;
      return Error{Code::kInvalidArgument, "unknown word '" + shown + "': did you mean '" +
                                               std::string(kWords[closest_word(w)]) + "'?"};
    }
    code.words[i] = static_cast<std::uint16_t>(*index);
  }
  return code;
}

std::string format(const PairingCode& code) {
  std::string out = std::to_string(code.channel);
  for (std::uint16_t w : code.words) {
    out += '-';
    out += kWords.at(w);
  }
  return out;
}

Bytes prs(const PairingCode& code) {
  // Built in place, so no std::string copy of the secret is left behind unwiped.
  constexpr std::string_view kPrefix = "tandem-pair-v1:";
  Bytes out(kPrefix.begin(), kPrefix.end());
  const std::string channel = std::to_string(code.channel);
  out.insert(out.end(), channel.begin(), channel.end());
  for (std::uint16_t w : code.words) {
    out.push_back('-');
    out.insert(out.end(), kWords.at(w).begin(), kWords.at(w).end());
  }
  return out;
}

}  // namespace tandem::discovery
