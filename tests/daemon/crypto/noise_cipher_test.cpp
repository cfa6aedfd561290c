// CipherState: nonce discipline, in-place encryption, caps and rekeying.
#include "daemon/crypto/noise_cipher.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <limits>

namespace tandem::crypto::noise {
namespace {

std::array<std::uint8_t, 32> test_key(std::uint8_t fill) {
  std::array<std::uint8_t, 32> k;
  k.fill(fill);
  return k;
}

struct Pair {
  CipherState tx, rx;
  Pair() {
    tx.initialize_key(test_key(7));
    rx.initialize_key(test_key(7));
  }
};

TEST_CASE("decrypts transport messages only in nonce order", "[crypto][noise]") {
  Pair p;
  auto c0 = p.tx.encrypt_with_ad({}, as_bytes("first"));
  auto c1 = p.tx.encrypt_with_ad({}, as_bytes("second"));
  REQUIRE(c0.ok());
  REQUIRE(c1.ok());
  auto early = p.rx.decrypt_with_ad({}, *c1);
  REQUIRE_FALSE(early.ok());
  CHECK(early.error().code == Code::kAuth);
  CHECK(p.rx.nonce() == 0);  // a failure leaves the nonce alone
  REQUIRE(p.rx.decrypt_with_ad({}, *c0).ok());
  auto second = p.rx.decrypt_with_ad({}, *c1);
  REQUIRE(second.ok());
  CHECK(*second == Bytes(as_bytes("second").begin(), as_bytes("second").end()));
  CHECK(p.rx.nonce() == 2);
}

TEST_CASE("refuses a replayed transport message", "[crypto][noise]") {
  Pair p;
  auto c0 = p.tx.encrypt_with_ad({}, as_bytes("once"));
  REQUIRE(p.rx.decrypt_with_ad({}, *c0).ok());
  auto again = p.rx.decrypt_with_ad({}, *c0);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Code::kAuth);
}

TEST_CASE("binds the associated data", "[crypto][noise]") {
  Pair p;
  auto c = p.tx.encrypt_with_ad(as_bytes("ad-1"), as_bytes("x"));
  auto d = p.rx.decrypt_with_ad(as_bytes("ad-2"), *c);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == Code::kAuth);
}

TEST_CASE("encrypts and decrypts in place in a caller buffer", "[crypto][noise]") {
  Pair p;
  std::array<std::uint8_t, 64 + kTagSize> buf{};
  for (std::size_t i = 0; i < 64; ++i) buf[i] = static_cast<std::uint8_t>(i);
  auto n = p.tx.encrypt_with_ad({}, ByteView(buf.data(), 64), buf);
  REQUIRE(n.ok());
  CHECK(*n == 64 + kTagSize);
  auto m = p.rx.decrypt_with_ad({}, ByteView(buf.data(), *n), buf);
  REQUIRE(m.ok());
  REQUIRE(*m == 64);
  for (std::size_t i = 0; i < 64; ++i) CHECK(buf[i] == i);
}

TEST_CASE("refuses an output buffer too small for the tag", "[crypto][noise]") {
  Pair p;
  std::array<std::uint8_t, 20> out{};
  auto n = p.tx.encrypt_with_ad({}, ByteView(out.data(), 10), std::span(out.data(), 25 - 16));
  REQUIRE_FALSE(n.ok());
  CHECK(n.error().code == Code::kInvalidArgument);
  CHECK(p.tx.nonce() == 0);
}

TEST_CASE("refuses messages over 65535 bytes", "[crypto][noise]") {
  Pair p;
  const Bytes big(kMaxPlaintext + 1, 0);
  auto c = p.tx.encrypt_with_ad({}, big);
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == Code::kTooLarge);
  REQUIRE(p.tx.encrypt_with_ad({}, Bytes(kMaxPlaintext, 0)).ok());
  auto d = p.rx.decrypt_with_ad({}, Bytes(kMaxMessage + 1, 0));
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == Code::kTooLarge);
}

TEST_CASE("refuses ciphertexts shorter than a tag", "[crypto][noise]") {
  Pair p;
  auto d = p.rx.decrypt_with_ad({}, Bytes(kTagSize - 1, 0));
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().code == Code::kCorrupt);
}

TEST_CASE("stops before the reserved nonce 2^64-1", "[crypto][noise]") {
  Pair p;
  p.tx.set_nonce(std::numeric_limits<std::uint64_t>::max() - 1);
  REQUIRE(p.tx.encrypt_with_ad({}, as_bytes("last")).ok());
  auto over = p.tx.encrypt_with_ad({}, as_bytes("one too many"));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == Code::kForbidden);
}

TEST_CASE("passes bytes through before a key is set", "[crypto][noise]") {
  CipherState c;
  CHECK_FALSE(c.has_key());
  auto out = c.encrypt_with_ad({}, as_bytes("plain"));
  REQUIRE(out.ok());
  CHECK(*out == Bytes(as_bytes("plain").begin(), as_bytes("plain").end()));
  CHECK(c.nonce() == 0);
}

TEST_CASE("rekeyed sides keep talking only when both rekey", "[crypto][noise]") {
  Pair p;
  p.tx.rekey();
  auto c = p.tx.encrypt_with_ad({}, as_bytes("after rekey"));
  CHECK_FALSE(p.rx.decrypt_with_ad({}, *c).ok());
  p.rx.rekey();
  CHECK(p.rx.decrypt_with_ad({}, *c).ok());
}

}  // namespace
}  // namespace tandem::crypto::noise
