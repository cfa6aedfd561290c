// Noise protocol names and handshake patterns: parses "Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b" into
// the token lists the handshake engine runs. Pure data; no cryptography.
#pragma once

#include "daemon/base/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tandem::crypto::noise {

enum class Token { kE, kS, kEE, kES, kSE, kSS, kPsk };

struct MessagePattern {
  bool from_initiator = true;
  std::vector<Token> tokens;
};

struct HandshakePattern {
  std::string name;                  // base pattern and modifiers, e.g. "XXpsk0"
  std::vector<Token> initiator_pre;  // pre-message keys the responder knows ("s")
  std::vector<Token> responder_pre;  // pre-message keys the initiator knows ("s")
  std::vector<MessagePattern> messages;
  bool one_way = false;  // N, K, X: only the initiator sends
  int psk_count = 0;     // number of psk tokens; nonzero makes "e" also MixKey
};

// Parses a full protocol name. Supported: the one-way patterns N, K, X and the interactive NN,
// NK, NX, XN, XK, XX, KN, KK, KX, IN, IK, IX, each with any "pskN" modifiers joined by '+', over
// 25519 / ChaChaPoly / BLAKE2b. Anything else fails with kInvalidArgument naming what is
// unsupported (another DH, cipher or hash; fallback or hfs modifiers; an out-of-range pskN).
Result<HandshakePattern> parse_protocol_name(std::string_view name);

}  // namespace tandem::crypto::noise
