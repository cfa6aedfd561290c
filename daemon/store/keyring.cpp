#include "daemon/store/keyring.hpp"

#include "daemon/base/bytes.hpp"
#include "daemon/crypto/primitives.hpp"
#include "daemon/store/keyfiles.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <vector>

namespace tandem::store {

namespace {

constexpr std::string_view kPassphraseFile = "passphrase";
constexpr std::uint8_t kPassMagic[5] = {'T', 'D', 'P', 'P', 1};
constexpr std::uint8_t kWrapMagic[5] = {'T', 'D', 'K', 'W', 1};
constexpr std::size_t kPassHeader = 5 + crypto::kPassphraseSaltSize + 8 + 8;  // 37
constexpr std::size_t kCheckSize = 16;
constexpr std::size_t kPassFileSize = kPassHeader + crypto::kSealOverhead + kCheckSize;
constexpr std::size_t kMinPassphrase = 8;

std::string ad_for(std::string_view name) {
  return "tandem/keyfile/v1/" + std::string(name);
}

ByteView view(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct PassParams {
  Bytes header;  // the kPassHeader bytes: magic, salt, limits
  Bytes check;   // the sealed check value
};

Result<PassParams> parse_pass_file(ByteView file, const std::string& path) {
  if (file.size() != kPassFileSize || std::memcmp(file.data(), kPassMagic, 5) != 0) {
    return Error{Code::kCorrupt, path + " is not a tandem passphrase file"};
  }
  return PassParams{Bytes(file.begin(), file.begin() + kPassHeader),
                    Bytes(file.begin() + kPassHeader, file.end())};
}

Result<crypto::SymmetricKey> derive(std::string_view passphrase, const Bytes& header) {
  ByteView salt(header.data() + 5, crypto::kPassphraseSaltSize);
  const std::uint64_t ops = get_be64(header.data() + 5 + crypto::kPassphraseSaltSize);
  const std::uint64_t mem = get_be64(header.data() + 5 + crypto::kPassphraseSaltSize + 8);
  auto kek = crypto::derive_from_passphrase(passphrase, salt, ops, mem);
  if (!kek && kek.error().code == Code::kInvalidArgument) {
    return Error{Code::kCorrupt, "the passphrase file asks for " + kek.error().message};
  }
  return kek;
}

Error os_error(const std::string& what) {
  const int e = errno;
  return Error{(e == ENOSPC || e == EDQUOT) ? Code::kStorageFull : Code::kIo,
               what + ": " + std::strerror(e)};
}

// Overwrites a file's bytes with zeros where it lies (best effort: on a journaling or
// copy-on-write file system, or flash, older copies may survive in free blocks).
void overwrite_with_zeros(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < 65536) {
    std::vector<std::uint8_t> zeros(static_cast<std::size_t>(st.st_size));
    if (::pwrite(fd, zeros.data(), zeros.size(), 0) == static_cast<ssize_t>(zeros.size())) {
      ::fsync(fd);
    }
  }
  ::close(fd);
}

// Removes `dir` and the regular files in it (a key directory has no subdirectories), zeroing
// each file first: it may hold a set of keys that is no longer in force.
Status remove_flat_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno == ENOENT ? Status{} : os_error("cannot open " + dir);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    overwrite_with_zeros(dir + "/" + name);
    if (::unlink((dir + "/" + name).c_str()) != 0 && errno != ENOENT) {
      ::closedir(d);
      return os_error("cannot remove " + dir + "/" + name);
    }
  }
  ::closedir(d);
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) return os_error("cannot remove " + dir);
  return {};
}

void sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string parent_of(const std::string& dir) {
  auto slash = dir.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : dir.substr(0, slash));
}

std::optional<std::size_t> key_size(std::string_view name) {
  for (const auto& k : kKeyFiles)
    if (k.name == name) return k.size;
  return std::nullopt;
}

// The bytes of a key file for `key`: raw, or wrapped under `kek`.
template <std::size_t N>
Bytes key_file_bytes(const crypto::Secret<N>& key, const crypto::SymmetricKey* kek,
                     std::string_view name) {
  if (kek == nullptr) return Bytes(key.data(), key.data() + N);
  Bytes out(kWrapMagic, kWrapMagic + 5);
  auto sealed = crypto::seal(*kek, {key.data(), N}, view(ad_for(name)));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

}  // namespace

Result<KeyRing> KeyRing::open(std::string dir) {
  // A leftover keys.new is either an unfinished new set (the swap never happened: the old set is
  // in place) or the old set after the swap: either way it goes.
  TANDEM_TRY(remove_flat_dir(dir + ".new"));
  KeyRing ring(std::move(dir));
  auto file = read_file(ring.path(kPassphraseFile));
  if (!file) {
    if (file.error().code == Code::kNotFound) return ring;
    return file.error();
  }
  auto params = parse_pass_file(*file, ring.path(kPassphraseFile));
  if (!params) return params.error();
  ring.wrapped_ = true;
  return ring;
}

namespace {

// The key-encryption key `passphrase` gives under the passphrase file in `dir`, if it is the one.
Result<crypto::SymmetricKey> derive_checked(const std::string& file_path,
                                            std::string_view passphrase) {
  auto file = read_file(file_path);
  if (!file) return file.error();
  auto params = parse_pass_file(*file, file_path);
  if (!params) return params.error();
  auto kek = derive(passphrase, params->header);
  if (!kek) return kek.error();
  if (!crypto::open(*kek, params->check, params->header)) {
    return Error{Code::kBadPassphrase, "wrong passphrase"};
  }
  return kek;
}

}  // namespace

Status KeyRing::unlock(std::string_view passphrase) {
  if (!wrapped_ || kek_) return {};
  auto kek = derive_checked(path(kPassphraseFile), passphrase);
  if (!kek) return kek.error();
  kek_ = std::move(*kek);
  return {};
}

Status KeyRing::verify(std::string_view passphrase) const {
  if (!wrapped_) {
    if (passphrase.empty()) return {};
    return Error{Code::kBadPassphrase, "no passphrase is set"};
  }
  auto kek = derive_checked(path(kPassphraseFile), passphrase);
  if (!kek) return kek.error();
  return {};
}

template <std::size_t N>
Result<crypto::Secret<N>> KeyRing::read(std::string_view name) const {
  const std::string p = path(name);
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    if (errno == ENOENT) return Error{Code::kNotFound, p + " does not exist"};
    return os_error("cannot stat " + p);
  }
  if (st.st_size == static_cast<off_t>(N)) {
    // A raw key where wrapped ones belong was put there by someone else: a key they know.
    if (wrapped_)
      return Error{Code::kCorrupt, p + " is a raw key, but a passphrase wraps the keys"};
    return read_key_file<N>(p);
  }
  if (locked()) return Error{Code::kLocked, "the keys are locked: run `tandem unlock`"};
  if (!kek_) return Error{Code::kCorrupt, p + " has the wrong size"};
  auto bytes = read_private_file(p, 5 + crypto::kSealOverhead + N);
  if (!bytes) return bytes.error();
  if (bytes->size() != 5 + crypto::kSealOverhead + N ||
      std::memcmp(bytes->data(), kWrapMagic, 5) != 0) {
    return Error{Code::kCorrupt, p + " is not a wrapped key"};
  }
  auto plain =
      crypto::open(*kek_, ByteView(bytes->data() + 5, bytes->size() - 5), view(ad_for(name)));
  if (!plain) return Error{Code::kAuth, p + " does not open under the passphrase's key"};
  crypto::Secret<N> key;
  std::memcpy(key.data(), plain->data(), N);
  crypto::wipe(plain->data(), plain->size());
  return key;
}

template <std::size_t N>
Status KeyRing::write(std::string_view name, const crypto::Secret<N>& key) const {
  if (locked()) return Error{Code::kLocked, "the keys are locked: run `tandem unlock`"};
  if (!kek_) return write_key_file(path(name), key);
  const std::string p = path(name);
  if (::access(p.c_str(), F_OK) == 0)
    return Error{Code::kAlreadyInitialized, p + " exists already"};
  return write_file_atomic(p, key_file_bytes(key, &*kek_, name), 0600);
}

template <std::size_t N>
Status KeyRing::replace(std::string_view name, const crypto::Secret<N>& key) const {
  if (locked()) return Error{Code::kLocked, "the keys are locked: run `tandem unlock`"};
  if (!kek_) return replace_key_file(path(name), key);
  return write_file_atomic(path(name), key_file_bytes(key, &*kek_, name), 0600);
}

Status KeyRing::change_passphrase(std::string_view passphrase) {
  if (locked()) return Error{Code::kLocked, "the keys are locked: run `tandem unlock`"};
  if (!passphrase.empty() && passphrase.size() < kMinPassphrase) {
    return Error{Code::kInvalidArgument, "a passphrase needs at least 8 characters"};
  }
  // The new key-encryption key and its passphrase file.
  std::optional<crypto::SymmetricKey> kek;
  Bytes pass_file;
  if (!passphrase.empty()) {
    Bytes header(kPassMagic, kPassMagic + 5);
    auto salt = crypto::random_bytes(crypto::kPassphraseSaltSize);
    header.insert(header.end(), salt.begin(), salt.end());
    header.resize(kPassHeader);
    put_be64(header.data() + 5 + crypto::kPassphraseSaltSize, crypto::kPassphraseOps);
    put_be64(header.data() + 5 + crypto::kPassphraseSaltSize + 8, crypto::kPassphraseMem);
    auto derived = derive(passphrase, header);
    if (!derived) return derived.error();
    kek = std::move(*derived);
    const std::uint8_t zeros[kCheckSize] = {};
    auto check = crypto::seal(*kek, {zeros, kCheckSize}, header);
    pass_file = header;
    pass_file.insert(pass_file.end(), check.begin(), check.end());
  }
  // The whole directory, rewritten into keys.new.
  const std::string next = dir_ + ".new";
  TANDEM_TRY(remove_flat_dir(next));
  if (::mkdir(next.c_str(), 0700) != 0) return os_error("cannot create " + next);
  auto fail = [&next](Error e) -> Status {
    (void)remove_flat_dir(next);
    return e;
  };
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return fail(os_error("cannot open " + dir_));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const auto& name : names) {
    if (name == "." || name == ".." || name == kPassphraseFile || name.ends_with(".tmp")) continue;
    // A key is re-read through this ring and written wrapped under the new key (or raw);
    // anything else is copied as it is.
    auto rewrap = [&](auto size_tag) -> Result<Bytes> {
      auto key = read<decltype(size_tag)::value>(name);
      if (!key) return key.error();
      return key_file_bytes(*key, kek ? &*kek : nullptr, name);
    };
    const auto size = key_size(name);
    auto bytes = size == 64   ? rewrap(std::integral_constant<std::size_t, 64>{})
                 : size == 32 ? rewrap(std::integral_constant<std::size_t, 32>{})
                              : read_file(path(name));
    if (!bytes) return fail(bytes.error());
    Status st = write_file_atomic(next + "/" + name, *bytes, 0600);
    if (!st) return fail(st.error());
  }
  if (kek) {
    if (auto st = write_file_atomic(next + "/" + std::string(kPassphraseFile), pass_file, 0600);
        !st) {
      return fail(st.error());
    }
  }
  sync_dir(next);
  if (::renameat2(AT_FDCWD, next.c_str(), AT_FDCWD, dir_.c_str(), RENAME_EXCHANGE) != 0) {
    return fail(os_error("cannot swap " + next + " and " + dir_));
  }
  sync_dir(parent_of(dir_));
  (void)remove_flat_dir(next);  // the old set; open() removes it if this fails
  wrapped_ = kek.has_value();
  kek_ = std::move(kek);
  return {};
}

template Result<crypto::Secret<32>> KeyRing::read<32>(std::string_view) const;
template Result<crypto::Secret<64>> KeyRing::read<64>(std::string_view) const;
template Status KeyRing::write<32>(std::string_view, const crypto::Secret<32>&) const;
template Status KeyRing::write<64>(std::string_view, const crypto::Secret<64>&) const;
template Status KeyRing::replace<32>(std::string_view, const crypto::Secret<32>&) const;

}  // namespace tandem::store
