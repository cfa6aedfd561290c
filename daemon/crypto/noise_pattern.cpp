#include "daemon/crypto/noise_pattern.hpp"

#include <charconv>

namespace tandem::crypto::noise {

namespace {

using enum Token;

struct BasePattern {
  std::string_view name;
  std::vector<Token> initiator_pre;
  std::vector<Token> responder_pre;
  std::vector<std::vector<Token>> messages;  // alternate, initiator first
};

// Noise spec rev 34, sections 7.4 (one-way) and 7.5 (interactive).
const std::vector<BasePattern>& base_patterns() {
  static const std::vector<BasePattern> kPatterns = {
      {"N", {}, {kS}, {{kE, kES}}},
      {"K", {kS}, {kS}, {{kE, kES, kSS}}},
      {"X", {}, {kS}, {{kE, kES, kS, kSS}}},
      {"NN", {}, {}, {{kE}, {kE, kEE}}},
      {"NK", {}, {kS}, {{kE, kES}, {kE, kEE}}},
      {"NX", {}, {}, {{kE}, {kE, kEE, kS, kES}}},
      {"XN", {}, {}, {{kE}, {kE, kEE}, {kS, kSE}}},
      {"XK", {}, {kS}, {{kE, kES}, {kE, kEE}, {kS, kSE}}},
      {"XX", {}, {}, {{kE}, {kE, kEE, kS, kES}, {kS, kSE}}},
      {"KN", {kS}, {}, {{kE}, {kE, kEE, kSE}}},
      {"KK", {kS}, {kS}, {{kE, kES, kSS}, {kE, kEE, kSE}}},
      {"KX", {kS}, {}, {{kE}, {kE, kEE, kSE, kS, kES}}},
      {"IN", {}, {}, {{kE, kS}, {kE, kEE, kSE}}},
      {"IK", {}, {kS}, {{kE, kES, kS, kSS}, {kE, kEE, kSE}}},
      {"IX", {}, {}, {{kE, kS}, {kE, kEE, kSE, kS, kES}}},
  };
  return kPatterns;
}

Error unsupported(std::string_view what, std::string_view name) {
  return Error{Code::kInvalidArgument,
               "noise: unsupported " + std::string(what) + " in " + std::string(name)};
}

// Splits "Noise_A_B_C_D" into its five fields.
bool split_name(std::string_view name, std::string_view (&fields)[5]) {
  int i = 0;
  while (i < 5) {
    const auto at = name.find('_');
    if (i == 4) {
      if (at != std::string_view::npos) return false;
      fields[i++] = name;
      break;
    }
    if (at == std::string_view::npos) return false;
    fields[i++] = name.substr(0, at);
    name.remove_prefix(at + 1);
  }
  return i == 5;
}

}  // namespace

Result<HandshakePattern> parse_protocol_name(std::string_view name) {
  std::string_view f[5];
  if (!split_name(name, f) || f[0] != "Noise")
    return Error{Code::kInvalidArgument, "noise: not a protocol name: " + std::string(name)};
  if (f[2] != "25519") return unsupported("DH function", name);
  if (f[3] != "ChaChaPoly") return unsupported("cipher", name);
  if (f[4] != "BLAKE2b") return unsupported("hash", name);

  const std::string_view full = f[1];
  std::size_t base_len = 0;
  while (base_len < full.size() && full[base_len] >= 'A' && full[base_len] <= 'Z') ++base_len;
  const std::string_view base = full.substr(0, base_len);
  const BasePattern* found = nullptr;
  for (const auto& p : base_patterns())
    if (p.name == base) found = &p;
  if (found == nullptr) return unsupported("handshake pattern", name);

  HandshakePattern out;
  out.name = std::string(full);
  out.initiator_pre = found->initiator_pre;
  out.responder_pre = found->responder_pre;
  out.one_way = found->messages.size() == 1 && base.size() == 1;
  for (std::size_t i = 0; i < found->messages.size(); ++i)
    out.messages.push_back({i % 2 == 0, found->messages[i]});

  std::string_view mods = full.substr(base_len);
  while (!mods.empty()) {
    const auto plus = mods.find('+');
    const std::string_view mod = mods.substr(0, plus);
    mods = plus == std::string_view::npos ? std::string_view{} : mods.substr(plus + 1);
    if (plus != std::string_view::npos && mods.empty()) return unsupported("modifier", name);
    if (mod.size() < 4 || mod.substr(0, 3) != "psk") return unsupported("modifier", name);
    unsigned pos = 0;
    const auto digits = mod.substr(3);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pos);
    if (ec != std::errc{} || end != digits.data() + digits.size() || pos > out.messages.size())
      return unsupported("psk position", name);
    if (pos == 0) {
      auto& first = out.messages.front().tokens;
      first.insert(first.begin(), kPsk);
    } else {
      out.messages[pos - 1].tokens.push_back(kPsk);
    }
    ++out.psk_count;
  }
  return out;
}

}  // namespace tandem::crypto::noise
