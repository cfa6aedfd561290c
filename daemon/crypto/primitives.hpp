// tandem's composed primitives over libsodium: randomness, BLAKE2b hashing with domain
// separation, Ed25519 signatures, X25519 key pairs, XChaCha20-Poly1305 sealing, Argon2id.
// Nothing here is home-made cryptography: each function is one libsodium construction.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"
#include "daemon/crypto/secret.hpp"

#include <initializer_list>
#include <optional>
#include <string_view>

namespace tandem::crypto {

// Fills `out` with random bytes from the OS.
void random_fill(std::span<std::uint8_t> out);
Bytes random_bytes(std::size_t n);

// BLAKE2b-256 of domain || parts..., the domain as its bytes without a terminator. Domains are
// fixed ASCII strings such as "tandem/record/v1"; no two uses share one.
Hash32 hash(std::string_view domain, std::initializer_list<ByteView> parts);

// Incremental BLAKE2b-256 for long inputs (a whole log).
class Hasher {
 public:
  explicit Hasher(std::string_view domain);
  void update(ByteView part);
  Hash32 finish();

 private:
  alignas(64) std::uint8_t state_[384];
};

struct SignKeyPair {
  PublicKey pub;
  SignSecretKey secret;
};
SignKeyPair sign_keypair();
// Rebuilds the public key from a stored secret key.
PublicKey sign_public(const SignSecretKey& sk);
Signature sign(const SignSecretKey& sk, ByteView message);
bool verify(const PublicKey& pk, ByteView message, const Signature& sig);

struct DhKeyPair {
  PublicKey pub;
  DhSecretKey secret;
};
DhKeyPair dh_keypair();
PublicKey dh_public(const DhSecretKey& sk);
// X25519(sk, peer): the raw shared secret (what Noise's DH() is), or nothing when the peer's key
// is of low order (an all-zero result).
std::optional<Secret<32>> dh(const DhSecretKey& sk, const PublicKey& peer);

// XChaCha20-Poly1305 with a 24-byte nonce never used before (a random 16-byte prefix per run of up
// to 2^32 seals on one thread, then a counter; a forked child starts a run of its own): returns
// nonce || ciphertext || tag.
inline constexpr std::size_t kSealOverhead = 24 + 16;
Bytes seal(const SymmetricKey& key, ByteView plaintext, ByteView ad);
// Opens what seal() produced; kAuth when the key, the AD or any byte is wrong.
Result<Bytes> open(const SymmetricKey& key, ByteView sealed, ByteView ad);
// As seal() and open(), into `out` (e.g. space reserved in a table, or a buffer reused from call
// to call): exactly plaintext.size() + kSealOverhead bytes for seal_into, exactly sealed.size() -
// kSealOverhead for open_into (kCorrupt otherwise). `out` must not overlap the input.
void seal_into(const SymmetricKey& key, ByteView plaintext, ByteView ad,
               std::span<std::uint8_t> out);
Status open_into(const SymmetricKey& key, ByteView sealed, ByteView ad,
                 std::span<std::uint8_t> out);

// Sealed box to an X25519 public key (for handing a rotated space key to one device).
Bytes seal_to(const PublicKey& recipient, ByteView plaintext);
Result<Bytes> open_from(const PublicKey& my_pub, const DhSecretKey& my_secret, ByteView box);

// Argon2id from a passphrase and a 16-byte salt to a 32-byte key, with libsodium's interactive
// limits for tandem's key files (3 passes over 32 MiB: about as slow as libsodium's interactive
// limits, with half the daemon's peak memory) unless others are given. kInvalidArgument for a bad
// salt or limits outside libsodium's range (a stored file asking for 1 TiB is refused, not
// attempted).
inline constexpr std::uint64_t kPassphraseOps = 3;
inline constexpr std::uint64_t kPassphraseMem = std::uint64_t(32) << 20;
inline constexpr std::size_t kPassphraseSaltSize = 16;
Result<SymmetricKey> derive_from_passphrase(std::string_view passphrase, ByteView salt,
                                            std::uint64_t opslimit = kPassphraseOps,
                                            std::uint64_t memlimit = kPassphraseMem);

// A 32-byte key derived from `key` for one purpose (BLAKE2b keyed, personalised by `context`).
SymmetricKey derive_key(const SymmetricKey& key, std::string_view context, std::uint64_t id);

// BLAKE2b-256 MAC of `message` under `key` (keyed BLAKE2b, a PRF; not HMAC).
Hash32 mac(const SymmetricKey& key, ByteView message);

}  // namespace tandem::crypto
