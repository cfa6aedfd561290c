// The device's secret key files (keys/ in the data directory), optionally wrapped by a passphrase.
//
// Without a passphrase each key is a 0600 file holding the raw key (keyfiles.hpp). With one, every
// key file holds the key sealed (XChaCha20-Poly1305, AD = its file name) under a key-encryption
// key derived from the passphrase with Argon2id; `keys/passphrase` holds the salt, the Argon2id
// limits and a check value, never the passphrase or anything derived from it that opens a key
// without Argon2id. A stolen disk then yields neither the journal nor the keys that would let a
// thief sync the partner's entries.
//
// Formats:
//   passphrase: "TDPP" 0x01 salt[16] opslimit[8] memlimit[8] seal(kek, 16 zero bytes, AD = the
//               37 bytes before it)
//   wrapped key: "TDKW" 0x01 seal(kek, key, AD = "tandem/keyfile/v1/" + file name)
//
// A passphrase change rewrites the whole directory into keys.new and swaps the two atomically
// (renameat2 RENAME_EXCHANGE), so a crash leaves either the old or the new set, never a mixture;
// open() discards a leftover keys.new.
//
// Threading: one thread (the daemon's io thread) reads and writes keys; not synchronised.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/crypto/secret.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::store {

class KeyRing {
 public:
  // `dir` must exist (ensure_private_dir). Discards what an interrupted passphrase change left
  // and reads whether the keys are wrapped. kCorrupt for an unreadable passphrase file.
  static Result<KeyRing> open(std::string dir);

  const std::string& dir() const { return dir_; }
  // A passphrase protects the key files.
  bool wrapped() const { return wrapped_; }
  // Wrapped and not unlocked yet: every read and write fails with kLocked.
  bool locked() const { return wrapped_ && !kek_; }

  // Derives the key-encryption key (Argon2id: a fraction of a second and 32 MiB) and checks it.
  // kAuth for a wrong passphrase (nothing changes); a no-op when not wrapped.
  Status unlock(std::string_view passphrase);

  // Whether `passphrase` is the one in force (Argon2id again); kBadPassphrase when not, kOk when
  // no passphrase is set and `passphrase` is empty.
  Status verify(std::string_view passphrase) const;

  // The key in file `name`, plain or wrapped. kNotFound when missing; kLocked when wrapped and
  // locked; kAuth when it does not open under the unlocked key; kCorrupt for a raw key where a
  // passphrase wraps the keys; kIo for a file others can read.
  template <std::size_t N>
  Result<crypto::Secret<N>> read(std::string_view name) const;
  // Writes a new key file (refuses to overwrite: kAlreadyInitialized), wrapped when wrapped.
  template <std::size_t N>
  Status write(std::string_view name, const crypto::Secret<N>& key) const;
  // Replaces a key file atomically, wrapped when wrapped.
  template <std::size_t N>
  Status replace(std::string_view name, const crypto::Secret<N>& key) const;

  // Rewraps every key file under `passphrase`, or stores them plain again when it is empty.
  // kLocked when locked; kInvalidArgument for a passphrase under 8 bytes. All or nothing.
  Status change_passphrase(std::string_view passphrase);

 private:
  explicit KeyRing(std::string dir) : dir_(std::move(dir)) {}
  std::string path(std::string_view name) const { return dir_ + "/" + std::string(name); }

  std::string dir_;
  bool wrapped_ = false;
  std::optional<crypto::SymmetricKey> kek_;
};

// The key files a key ring holds, and their sizes.
struct KeyFileSpec {
  std::string_view name;
  std::size_t size;
};
inline constexpr KeyFileSpec kKeyFiles[] = {{"storage.key", 32},
                                            {"device.sign", 64},
                                            {"device.dh", 32},
                                            {"space.key", 32},
                                            {"space.prev.key", 32}};

}  // namespace tandem::store
