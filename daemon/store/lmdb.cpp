#include "daemon/store/lmdb.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace tandem::store {

Error lmdb_error(int rc, const char* what) {
  Code code = Code::kInternal;
  if (rc == MDB_MAP_FULL || rc == ENOSPC || rc == EDQUOT)
    code = Code::kStorageFull;
  else if (rc == EACCES || rc == EROFS || rc == ENOENT)
    code = Code::kIo;
  else if (rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_PAGE_NOTFOUND)
    code = Code::kCorrupt;
  std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  if (code == Code::kStorageFull) msg = std::string(what) + ": the disk or the store is full";
  return Error{code, std::move(msg)};
}

Result<Env> Env::open(const std::string& dir, const Options& options) {
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc) return lmdb_error(rc, "mdb_env_create");
  Env holder(env);
  if ((rc = mdb_env_set_mapsize(env, options.map_size))) return lmdb_error(rc, "set_mapsize");
  if ((rc = mdb_env_set_maxdbs(env, options.max_dbs))) return lmdb_error(rc, "set_maxdbs");
  if ((rc = mdb_env_set_maxreaders(env, options.max_readers)))
    return lmdb_error(rc, "set_maxreaders");
  // MDB_NOTLS: read transactions are not tied to a thread (the writer thread and the io thread
  // each use their own). No MDB_NOSYNC / MDB_NOMETASYNC: every commit is durable.
  if ((rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0600)))
    return lmdb_error(rc, "opening the store");
  return holder;
}

namespace {

// The address of this process's mapping of the file with `st`'s device and inode, from
// /proc/self/maps (LMDB only reports its map address for MDB_FIXEDMAP environments).
void* find_mapping(const struct stat& st) {
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (!maps) return nullptr;
  void* found = nullptr;
  char line[512];
  while (!found && std::fgets(line, sizeof line, maps)) {
    unsigned long long from = 0, to = 0, offset = 0, inode = 0;
    unsigned major = 0, minor = 0;
    char perms[8] = {};
    if (std::sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &from, &to, perms, &offset, &major,
                    &minor, &inode) == 7 &&
        offset == 0 && inode == st.st_ino && makedev(major, minor) == st.st_dev) {
      found = reinterpret_cast<void*>(static_cast<std::uintptr_t>(from));
    }
  }
  std::fclose(maps);
  return found;
}

}  // namespace

std::size_t Env::used_size() const {
  MDB_envinfo info{};
  MDB_stat est{};
  if (!env_ || mdb_env_info(env_, &info) != 0 || mdb_env_stat(env_, &est) != 0) return 0;
  return std::min((static_cast<std::size_t>(info.me_last_pgno) + 1) * est.ms_psize,
                  info.me_mapsize);
}

std::size_t Env::release_mapped_pages() const {
  if (!env_) return 0;
  unsigned flags = 0;
  if (mdb_env_get_flags(env_, &flags) != 0 || (flags & MDB_WRITEMAP)) return 0;
  mdb_filehandle_t fd = -1;
  struct stat st {};
  if (mdb_env_get_fd(env_, &fd) != 0 || ::fstat(fd, &st) != 0) return 0;
  void* base = find_mapping(st);
  // Only the part of the map the file uses; pages past it were never touched.
  const std::size_t used = used_size();
  if (!base || used == 0) return 0;
  if (::madvise(base, used, MADV_DONTNEED) != 0) return 0;
  return used;
}

Env::~Env() {
  if (env_) mdb_env_close(env_);
}

Env& Env::operator=(Env&& o) noexcept {
  if (this != &o) {
    if (env_) mdb_env_close(env_);
    env_ = o.env_;
    o.env_ = nullptr;
  }
  return *this;
}

Result<Txn> Txn::begin_read(const Env& env) {
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(env.get(), nullptr, MDB_RDONLY, &t))
    return lmdb_error(rc, "begin read");
  return Txn(t);
}

Result<Txn> Txn::begin_write(const Env& env) {
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(env.get(), nullptr, 0, &t)) return lmdb_error(rc, "begin write");
  return Txn(t);
}

Result<Txn> Txn::begin_nested(const Env& env, Txn& parent) {
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(env.get(), parent.get(), 0, &t)) return lmdb_error(rc, "begin nested");
  return Txn(t);
}

Txn& Txn::operator=(Txn&& o) noexcept {
  if (this != &o) {
    abort();
    txn_ = o.txn_;
    o.txn_ = nullptr;
  }
  return *this;
}

namespace {

// Whether the filesystem holding the store has (next to) no room left for this user.
bool out_of_room(MDB_env* env) {
  mdb_filehandle_t fd = -1;
  struct statvfs fs {};
  if (env == nullptr || mdb_env_get_fd(env, &fd) != 0 || ::fstatvfs(fd, &fs) != 0) return false;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < (std::uint64_t{4} << 20);
}

}  // namespace

Status Txn::commit() {
  MDB_txn* t = txn_;
  txn_ = nullptr;  // mdb_txn_commit frees the txn whatever it returns
  MDB_env* env = t != nullptr ? mdb_txn_env(t) : nullptr;
  if (int rc = mdb_txn_commit(t)) {
    // LMDB reports a page write cut short by a full filesystem as EIO ("short write, filesystem
    // full?"), not ENOSPC: with no room left it is the same refusal, and nothing was committed.
    if (rc == EIO && out_of_room(env)) rc = ENOSPC;
    return lmdb_error(rc, "commit");
  }
  return {};
}

void Txn::abort() {
  if (txn_) {
    mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
}

Result<std::optional<ByteView>> Txn::get(MDB_dbi dbi, ByteView key) const {
  MDB_val k = to_val(key), v{};
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<ByteView>{};
  if (rc) return lmdb_error(rc, "get");
  return std::optional<ByteView>{from_val(v)};
}

Status Txn::put(MDB_dbi dbi, ByteView key, ByteView value, unsigned flags) {
  MDB_val k = to_val(key), v = to_val(value);
  if (int rc = mdb_put(txn_, dbi, &k, &v, flags)) return lmdb_error(rc, "put");
  return {};
}

Result<std::span<std::uint8_t>> Txn::reserve(MDB_dbi dbi, ByteView key, std::size_t size) {
  MDB_val k = to_val(key), v{size, nullptr};
  if (int rc = mdb_put(txn_, dbi, &k, &v, MDB_RESERVE)) return lmdb_error(rc, "put");
  return std::span<std::uint8_t>(static_cast<std::uint8_t*>(v.mv_data), size);
}

Result<bool> Txn::del(MDB_dbi dbi, ByteView key) {
  MDB_val k = to_val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc) return lmdb_error(rc, "del");
  return true;
}

Result<MDB_dbi> open_table(Txn& txn, const char* name, unsigned flags) {
  MDB_dbi dbi = 0;
  if (int rc = mdb_dbi_open(txn.get(), name, flags | MDB_CREATE, &dbi)) {
    return lmdb_error(rc, "open table");
  }
  return dbi;
}

Result<Cursor> Cursor::open(const Txn& txn, MDB_dbi dbi) {
  Cursor c;
  if (int rc = mdb_cursor_open(txn.get(), dbi, &c.c_)) return lmdb_error(rc, "cursor");
  return c;
}

Cursor::~Cursor() {
  if (c_) mdb_cursor_close(c_);
}

Cursor& Cursor::operator=(Cursor&& o) noexcept {
  if (this != &o) {
    if (c_) mdb_cursor_close(c_);
    c_ = o.c_;
    o.c_ = nullptr;
  }
  return *this;
}

std::optional<Cursor::Item> Cursor::move(MDB_val* k, MDB_cursor_op op) {
  MDB_val key{}, val{};
  if (k) key = *k;
  if (mdb_cursor_get(c_, &key, &val, op) != 0) return std::nullopt;
  return Item{from_val(key), from_val(val)};
}

std::optional<Cursor::Item> Cursor::first() {
  return move(nullptr, MDB_FIRST);
}
std::optional<Cursor::Item> Cursor::last() {
  return move(nullptr, MDB_LAST);
}
std::optional<Cursor::Item> Cursor::next() {
  return move(nullptr, MDB_NEXT);
}
std::optional<Cursor::Item> Cursor::prev() {
  return move(nullptr, MDB_PREV);
}
std::optional<Cursor::Item> Cursor::seek(ByteView key) {
  MDB_val k = to_val(key);
  return move(&k, MDB_SET_RANGE);
}

}  // namespace tandem::store
