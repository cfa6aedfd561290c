// seal()/open(): XChaCha20-Poly1305 at rest, with nonces drawn from a per-thread buffer.
#include "daemon/crypto/primitives.hpp"

#include <sodium.h>

#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tandem::crypto {
namespace {

using Nonce = std::array<std::uint8_t, 24>;

SymmetricKey test_key() {
  SymmetricKey k;
  random_fill(std::span<std::uint8_t>(k.data(), k.size()));
  return k;
}

Nonce nonce_of(const Bytes& sealed) {
  Nonce n;
  std::memcpy(n.data(), sealed.data(), n.size());
  return n;
}

TEST_CASE("a sealed body opens under its key and AD, and nothing else", "[crypto][seal]") {
  const auto key = test_key(), other = test_key();
  const std::string text = "cooked dinner";
  const Bytes plain(text.begin(), text.end());
  const Bytes ad{1, 2, 3};
  Bytes sealed = seal(key, plain, ad);
  REQUIRE(sealed.size() == plain.size() + kSealOverhead);
  auto opened = open(key, sealed, ad);
  REQUIRE(opened);
  CHECK(*opened == plain);
  CHECK_FALSE(open(other, sealed, ad));
  CHECK_FALSE(open(key, sealed, Bytes{1, 2, 4}));
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bent = sealed;
    bent[i] ^= 0x01;
    CHECK_FALSE(open(key, bent, ad));
  }
}

TEST_CASE("sealing into and opening into caller buffers match seal() and open()",
          "[crypto][seal]") {
  const auto key = test_key();
  const Bytes plain(300, 0x5a), ad{9, 9};
  Bytes sealed(plain.size() + kSealOverhead);
  seal_into(key, plain, ad, sealed);
  auto opened = open(key, sealed, ad);
  REQUIRE(opened);
  CHECK(*opened == plain);
  Bytes out(plain.size());
  REQUIRE(open_into(key, seal(key, plain, ad), ad, out));
  CHECK(out == plain);
  // A wrong-sized buffer, a wrong AD or a flipped byte: a typed error, never a partial open.
  Bytes small(plain.size() - 1);
  auto wrong_size = open_into(key, sealed, ad, small);
  REQUIRE_FALSE(wrong_size);
  CHECK(wrong_size.error().code == Code::kCorrupt);
  auto wrong_ad = open_into(key, sealed, Bytes{9, 8}, out);
  REQUIRE_FALSE(wrong_ad);
  CHECK(wrong_ad.error().code == Code::kAuth);
  sealed[sealed.size() / 2] ^= 1;
  CHECK_FALSE(open_into(key, sealed, ad, out));
  auto too_short = open_into(key, Bytes(kSealOverhead - 1), ad, out);
  REQUIRE_FALSE(too_short);
  CHECK(too_short.error().code == Code::kCorrupt);
}

TEST_CASE("seal() is XChaCha20-Poly1305 exactly: libsodium's own function opens it and back",
          "[crypto][seal]") {
  // seal() derives one HChaCha20 subkey per run of nonces and open() keeps the last it derived:
  // interleaving two keys, and messages libsodium sealed with random nonces, checks both caches.
  const auto a = test_key(), b = test_key();
  const Bytes ad{7, 7, 7};
  for (int i = 0; i < 200; ++i) {
    const SymmetricKey& key = (i % 3 == 0) ? b : a;
    const Bytes plain(static_cast<std::size_t>(i * 7 % 600), static_cast<std::uint8_t>(i));
    // Ours, opened by libsodium.
    Bytes sealed = seal(key, plain, ad);
    Bytes out(plain.size());
    REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(
                out.data(), nullptr, nullptr, sealed.data() + 24, sealed.size() - 24, ad.data(),
                ad.size(), sealed.data(), key.data()) == 0);
    CHECK(out == plain);
    // libsodium's, with a random nonce, opened by ours; and under the other key, refused.
    Bytes theirs(plain.size() + kSealOverhead);
    randombytes_buf(theirs.data(), 24);
    crypto_aead_xchacha20poly1305_ietf_encrypt(theirs.data() + 24, nullptr, plain.data(),
                                               plain.size(), ad.data(), ad.size(), nullptr,
                                               theirs.data(), key.data());
    auto opened = open(key, theirs, ad);
    REQUIRE(opened);
    CHECK(*opened == plain);
    CHECK_FALSE(open(&key == &a ? b : a, theirs, ad));
    CHECK_FALSE(open(&key == &a ? b : a, sealed, ad));
  }
}

TEST_CASE("nonces never repeat: across many seals, threads, and a fork", "[crypto][seal]") {
  const auto key = test_key();
  const Bytes plain{42};
  std::set<Nonce> seen;
  // Several refills of the 4 KiB buffer on this thread.
  for (int i = 0; i < 2000; ++i) REQUIRE(seen.insert(nonce_of(seal(key, plain, {}))).second);
  // Other threads draw from buffers of their own.
  std::vector<Nonce> theirs(400);
  std::thread t([&] {
    for (auto& n : theirs) n = nonce_of(seal(key, plain, {}));
  });
  t.join();
  for (const auto& n : theirs) REQUIRE(seen.insert(n).second);
  // A thread's run of nonces has a random prefix of its own.
  CHECK(std::memcmp(theirs[0].data(), nonce_of(seal(key, plain, {})).data(), 16) != 0);
  // A forked child must not hand out the nonces left in its parent's buffer.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const Nonce n = nonce_of(seal(key, plain, {}));
    const bool ok = ::write(fds[1], n.data(), n.size()) == static_cast<ssize_t>(n.size());
    ::_exit(ok ? 0 : 1);
  }
  const Nonce parent = nonce_of(seal(key, plain, {}));
  Nonce child{};
  REQUIRE(::read(fds[0], child.data(), child.size()) == static_cast<ssize_t>(child.size()));
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK(child != parent);
  CHECK(seen.count(child) == 0);
  CHECK(seen.count(parent) == 0);
}

}  // namespace
}  // namespace tandem::crypto
