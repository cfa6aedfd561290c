// HMAC-BLAKE2b and the Noise HKDF against known answers computed independently (Python's hmac
// module over hashlib.blake2b, which uses BLAKE2b-512 and its 128-byte block), with the inputs of
// RFC 4231's test cases.
#include "daemon/crypto/hmac.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

namespace tandem::crypto {
namespace {

std::string hmac_hex(const Bytes& key, std::string_view msg) {
  std::array<std::uint8_t, kBlake2bLen> out{};
  hmac_blake2b(key, {as_bytes(msg)}, out);
  return to_hex(out);
}

TEST_CASE("HMAC-BLAKE2b matches RFC 2104 HMAC over BLAKE2b-512", "[crypto][hmac]") {
  CHECK(hmac_hex(Bytes(20, 0x0b), "Hi There") ==
        "358a6a184924894fc34bee5680eedf57d84a37bb38832f288e3b27dc63a98cc8"
        "c91e76da476b508bc6b2d408a248857452906e4a20b48c6b4b55d2df0fe1dd24");
  CHECK(hmac_hex(Bytes{'J', 'e', 'f', 'e'}, "what do ya want for nothing?") ==
        "6ff884f8ddc2a6586b3c98a4cd6ebdf14ec10204b6710073eb5865ade37a2643"
        "b8807c1335d107ecdb9ffeaeb6828c4625ba172c66379efcd222c2de11727ab4");
}

TEST_CASE("HMAC-BLAKE2b hashes keys longer than the 128-byte block", "[crypto][hmac]") {
  CHECK(hmac_hex(Bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First") ==
        "a54b2943b2a20227d41ca46c0945af09bc1faefb2f49894c23aebc557fb79c48"
        "89dca74408dc865086667aedee4a3185c53a49c80b814c4c5813ea0c8b38a8f8");
  CHECK(hmac_hex(Bytes(128, 0xaa), "exactly one block of key") ==
        "10796ab278840243e4cd1f2dc1a3a1ee4be05ca47480e47664b64e3f30857ca3"
        "8d615cec28ec0143f87f27e2a268cd38399c946ddf1569057246d27d17bb6426");
}

TEST_CASE("HMAC-BLAKE2b over several parts equals HMAC over their concatenation",
          "[crypto][hmac]") {
  const Bytes key(20, 0x0b);
  std::array<std::uint8_t, kBlake2bLen> split{}, whole{};
  hmac_blake2b(key, {as_bytes("Hi "), as_bytes(""), as_bytes("There")}, split);
  hmac_blake2b(key, {as_bytes("Hi There")}, whole);
  CHECK(split == whole);
}

TEST_CASE("the Noise HKDF chains HMAC outputs with counters 1, 2, 3", "[crypto][hmac]") {
  const Bytes ck(64, 0x01), ikm(32, 0x02);
  std::array<std::uint8_t, kBlake2bLen> o1{}, o2{}, o3{};
  hkdf_blake2b(ck, ikm, o1, o2, o3);
  CHECK(to_hex(o1) ==
        "12c4352c487964a39209817dc1f3a007a0d46ca33334d4a860fd773ac5dc462c"
        "37dfeaa45b8b38a14b7f416a9107ea18e15700c2de4a105e6607be1964ce0184");
  CHECK(to_hex(o2) ==
        "c9b08b41c790d5ccfb34c7575440ff38aa6daebdf57cc8caf802d7588be685b1"
        "03a8b67a866c7193734491c3f6ca839d82f80844f7ee827c8db71540f039c317");
  CHECK(to_hex(o3) ==
        "9dbe15e48d63a2eab2013bb3f6674837d44c26103a1e4c7ebf47d02803253bf8"
        "4f4119b1057ca2466bfb9798956c66ab1cf32df742fc2b011d1b5c0cfd684f78");
}

}  // namespace
}  // namespace tandem::crypto
