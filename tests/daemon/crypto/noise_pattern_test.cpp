// Protocol-name parsing: the supported patterns and modifiers, and typed refusals of the rest.
#include "daemon/crypto/noise_pattern.hpp"

#include <catch2/catch.hpp>

namespace tandem::crypto::noise {
namespace {

using enum Token;

TEST_CASE("parses XXpsk0 with the psk token first in the first message", "[crypto][noise]") {
  auto p = parse_protocol_name("Noise_XXpsk0_25519_ChaChaPoly_BLAKE2b");
  REQUIRE(p.ok());
  CHECK(p->name == "XXpsk0");
  CHECK(p->psk_count == 1);
  CHECK_FALSE(p->one_way);
  REQUIRE(p->messages.size() == 3);
  CHECK(p->messages[0].tokens == std::vector<Token>{kPsk, kE});
  CHECK(p->messages[1].tokens == std::vector<Token>{kE, kEE, kS, kES});
  CHECK(p->messages[2].tokens == std::vector<Token>{kS, kSE});
  CHECK(p->messages[0].from_initiator);
  CHECK_FALSE(p->messages[1].from_initiator);
}

TEST_CASE("appends pskN at the end of message N and joins modifiers with '+'", "[crypto][noise]") {
  auto p = parse_protocol_name("Noise_NNpsk0+psk2_25519_ChaChaPoly_BLAKE2b");
  REQUIRE(p.ok());
  CHECK(p->psk_count == 2);
  CHECK(p->messages[0].tokens == std::vector<Token>{kPsk, kE});
  CHECK(p->messages[1].tokens == std::vector<Token>{kE, kEE, kPsk});
}

TEST_CASE("knows the pre-messages of K, IK and KK", "[crypto][noise]") {
  auto k = parse_protocol_name("Noise_K_25519_ChaChaPoly_BLAKE2b");
  REQUIRE(k.ok());
  CHECK(k->one_way);
  CHECK(k->initiator_pre == std::vector<Token>{kS});
  CHECK(k->responder_pre == std::vector<Token>{kS});
  auto ik = parse_protocol_name("Noise_IK_25519_ChaChaPoly_BLAKE2b");
  REQUIRE(ik.ok());
  CHECK(ik->initiator_pre.empty());
  CHECK(ik->responder_pre == std::vector<Token>{kS});
}

TEST_CASE("refuses other suites, patterns and modifiers with kInvalidArgument", "[crypto][noise]") {
  for (const char* name : {
           "Noise_XX_448_ChaChaPoly_BLAKE2b",
           "Noise_XX_25519_AESGCM_BLAKE2b",
           "Noise_XX_25519_ChaChaPoly_SHA256",
           "Noise_XXfallback_25519_ChaChaPoly_BLAKE2b",
           "Noise_XXhfs_25519_ChaChaPoly_BLAKE2b",
           "Noise_XXpsk4_25519_ChaChaPoly_BLAKE2b",
           "Noise_XXpsk_25519_ChaChaPoly_BLAKE2b",
           "Noise_XXpsk0+_25519_ChaChaPoly_BLAKE2b",
           "Noise_NNN_25519_ChaChaPoly_BLAKE2b",
           "Noise_XX_25519_ChaChaPoly",
           "Noise_XX_25519_ChaChaPoly_BLAKE2b_extra",
           "Snow_XX_25519_ChaChaPoly_BLAKE2b",
           "",
       }) {
    INFO(name);
    auto p = parse_protocol_name(name);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace tandem::crypto::noise
