#include "daemon/crypto/primitives.hpp"

#include <sodium.h>

#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace tandem::crypto {

static_assert(sizeof(crypto_generichash_state) <= 384);

void random_fill(std::span<std::uint8_t> out) {
  ensure_init();
  randombytes_buf(out.data(), out.size());
}

Bytes random_bytes(std::size_t n) {
  Bytes b(n);
  random_fill(b);
  return b;
}

Hasher::Hasher(std::string_view domain) {
  ensure_init();
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, 32);
  update(as_bytes(domain));
}

void Hasher::update(ByteView part) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), part.data(),
                            part.size());
}

Hash32 Hasher::finish() {
  Hash32 out;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), out.data(), 32);
  return out;
}

Hash32 hash(std::string_view domain, std::initializer_list<ByteView> parts) {
  Hasher h(domain);
  for (auto p : parts) h.update(p);
  return h.finish();
}

SignKeyPair sign_keypair() {
  ensure_init();
  SignKeyPair kp;
  crypto_sign_keypair(kp.pub.data(), kp.secret.data());
  return kp;
}

PublicKey sign_public(const SignSecretKey& sk) {
  PublicKey pk;
  crypto_sign_ed25519_sk_to_pk(pk.data(), sk.data());
  return pk;
}

Signature sign(const SignSecretKey& sk, ByteView message) {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
  return sig;
}

bool verify(const PublicKey& pk, ByteView message, const Signature& sig) {
  ensure_init();
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
}

DhKeyPair dh_keypair() {
  ensure_init();
  DhKeyPair kp;
  crypto_box_keypair(kp.pub.data(), kp.secret.data());
  return kp;
}

PublicKey dh_public(const DhSecretKey& sk) {
  PublicKey pk;
  crypto_scalarmult_base(pk.data(), sk.data());
  return pk;
}

std::optional<Secret<32>> dh(const DhSecretKey& sk, const PublicKey& peer) {
  Secret<32> shared;
  if (crypto_scalarmult(shared.data(), sk.data(), peer.data()) != 0) return std::nullopt;
  return shared;
}

namespace {

// Counts forks, so that a child drops the nonces its parent may also hand out.
std::atomic<unsigned> g_forks{0};

unsigned fork_generation() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, [] { g_forks.fetch_add(1); }); });
  return g_forks.load(std::memory_order_relaxed);
}

// Random bytes for the prefixes of seal()'s nonce runs (NonceRun below), drawn from the OS 4 KiB
// at a time rather than one getrandom call each. Nonces are public, so holding unused ones in
// memory gives nothing away; each byte is handed out once (and wiped), each thread has its own
// buffer, and a forked child starts a fresh one.
class NonceBuffer {
 public:
  void take(std::uint8_t* out, std::size_t n) {
    if (generation_ != fork_generation() || used_ + n > sizeof bytes_) refill();
    std::memcpy(out, bytes_ + used_, n);
    sodium_memzero(bytes_ + used_, n);
    used_ += n;
  }

 private:
  void refill() {
    randombytes_buf(bytes_, sizeof bytes_);
    used_ = 0;
    generation_ = fork_generation();
  }

  std::uint8_t bytes_[4096] = {};
  std::size_t used_ = sizeof bytes_;
  unsigned generation_ = 0;
};

// XChaCha20-Poly1305 is ChaCha20-Poly1305 (IETF) under the subkey HChaCha20(key, nonce[0..16])
// with the nonce 0^4 || nonce[16..24] (draft-irtf-cfrg-xchacha; libsodium computes it so too).
// seal_into hands out nonces in runs that share a random 16-byte prefix and count up in the last
// 8 bytes, so a run derives its subkey once rather than once per body (a receiver seals every
// record of a catch-up), and open_into keeps the last subkey it derived (a sender opens the
// records of a run one after another). The bytes are XChaCha20-Poly1305's exactly: seal_test
// opens them with libsodium's own function and the other way round.
class Subkey {
 public:
  // HChaCha20(key, prefix), derived unless it is the one held.
  const std::uint8_t* get(const SymmetricKey& key, const std::uint8_t* prefix) {
    // Plain memcmp: both keys are this process's own, nothing an attacker times.
    if (!held_ || std::memcmp(prefix_, prefix, 16) != 0 ||
        std::memcmp(key_.data(), key.data(), key.size()) != 0) {
      crypto_core_hchacha20(subkey_.data(), prefix, key.data(), nullptr);
      std::memcpy(key_.data(), key.data(), key.size());
      std::memcpy(prefix_, prefix, 16);
      held_ = true;
    }
    return subkey_.data();
  }

 private:
  SymmetricKey key_, subkey_;
  std::uint8_t prefix_[16] = {};
  bool held_ = false;
};

// A thread's run of nonces: a random prefix, then a counter. A new prefix after 2^32 nonces and
// in a forked child (which must not repeat its parent's). Runs are told apart by their 128-bit
// random prefixes; nonces within one by the counter.
class NonceRun {
 public:
  void next(std::uint8_t* nonce, NonceBuffer& fresh) {
    if (count_ >= (std::uint64_t(1) << 32) || generation_ != fork_generation()) {
      fresh.take(prefix_, sizeof prefix_);
      count_ = 0;
      generation_ = fork_generation();
    }
    std::memcpy(nonce, prefix_, 16);
    for (int i = 0; i < 8; ++i) nonce[16 + i] = static_cast<std::uint8_t>(count_ >> (8 * i));
    ++count_;
  }

 private:
  std::uint8_t prefix_[16] = {};
  std::uint64_t count_ = std::uint64_t(1) << 32;  // starts a run on first use
  unsigned generation_ = 0;
};

// The IETF nonce that goes with an XChaCha20 nonce's subkey.
std::array<std::uint8_t, 12> ietf_nonce(const std::uint8_t* xnonce) {
  std::array<std::uint8_t, 12> n{};
  std::memcpy(n.data() + 4, xnonce + 16, 8);
  return n;
}

}  // namespace

void seal_into(const SymmetricKey& key, ByteView plaintext, ByteView ad,
               std::span<std::uint8_t> out) {
  ensure_init();
  if (out.size() != kSealOverhead + plaintext.size()) std::abort();  // a caller's sizing bug
  thread_local NonceBuffer fresh;
  thread_local NonceRun run;
  thread_local Subkey subkey;
  run.next(out.data(), fresh);
  const auto n = ietf_nonce(out.data());
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(
      out.data() + 24, out.data() + 24 + plaintext.size(), nullptr, plaintext.data(),
      plaintext.size(), ad.data(), ad.size(), nullptr, n.data(), subkey.get(key, out.data()));
}

Bytes seal(const SymmetricKey& key, ByteView plaintext, ByteView ad) {
  Bytes out(kSealOverhead + plaintext.size());
  seal_into(key, plaintext, ad, out);
  return out;
}

Status open_into(const SymmetricKey& key, ByteView sealed, ByteView ad,
                 std::span<std::uint8_t> out) {
  if (sealed.size() < kSealOverhead) return Error{Code::kCorrupt, "sealed data too short"};
  if (out.size() != sealed.size() - kSealOverhead)
    return Error{Code::kCorrupt, "sealed data of an unexpected size"};
  ensure_init();
  thread_local Subkey subkey;
  const auto n = ietf_nonce(sealed.data());
  if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
          out.data(), nullptr, sealed.data() + 24, out.size(), sealed.data() + 24 + out.size(),
          ad.data(), ad.size(), n.data(), subkey.get(key, sealed.data())) != 0) {
    return Error{Code::kAuth, "sealed data does not verify under this key"};
  }
  return {};
}

Result<Bytes> open(const SymmetricKey& key, ByteView sealed, ByteView ad) {
  if (sealed.size() < kSealOverhead) return Error{Code::kCorrupt, "sealed data too short"};
  Bytes out(sealed.size() - kSealOverhead);
  TANDEM_TRY(open_into(key, sealed, ad, out));
  return out;
}

Bytes seal_to(const PublicKey& recipient, ByteView plaintext) {
  ensure_init();
  Bytes out(crypto_box_SEALBYTES + plaintext.size());
  crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.data());
  return out;
}

Result<Bytes> open_from(const PublicKey& my_pub, const DhSecretKey& my_secret, ByteView box) {
  if (box.size() < crypto_box_SEALBYTES) return Error{Code::kCorrupt, "sealed box too short"};
  Bytes out(box.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(out.data(), box.data(), box.size(), my_pub.data(), my_secret.data()) !=
      0) {
    return Error{Code::kAuth, "sealed box does not open with this device's key"};
  }
  return out;
}

Result<SymmetricKey> derive_from_passphrase(std::string_view passphrase, ByteView salt,
                                            std::uint64_t opslimit, std::uint64_t memlimit) {
  ensure_init();
  static_assert(kPassphraseSaltSize == crypto_pwhash_SALTBYTES);
  if (salt.size() != crypto_pwhash_SALTBYTES) return Error{Code::kInvalidArgument, "bad salt"};
  // At most 1 GiB and 16 passes: a stored file cannot make the daemon attempt more.
  if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > 16 ||
      memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > (std::uint64_t(1) << 30)) {
    return Error{Code::kInvalidArgument, "Argon2id limits out of range"};
  }
  SymmetricKey key;
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                    opslimit, static_cast<std::size_t>(memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error{Code::kInternal, "Argon2id ran out of memory"};
  }
  return key;
}

SymmetricKey derive_key(const SymmetricKey& key, std::string_view context, std::uint64_t id) {
  SymmetricKey out;
  std::uint8_t personal[crypto_generichash_blake2b_PERSONALBYTES] = {};
  std::memcpy(personal, context.data(), std::min(context.size(), sizeof personal));
  std::uint8_t salt[crypto_generichash_blake2b_SALTBYTES] = {};
  put_be64(salt, id);
  crypto_generichash_blake2b_salt_personal(out.data(), out.size(), nullptr, 0, key.data(),
                                           key.size(), salt, personal);
  return out;
}

Hash32 mac(const SymmetricKey& key, ByteView message) {
  Hash32 out;
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), key.data(),
                     key.size());
  return out;
}

}  // namespace tandem::crypto
