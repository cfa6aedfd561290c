#include "daemon/store/keyfiles.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tandem::store {

namespace {

Error os_error(const std::string& what) {
  int e = errno;
  Code c = (e == ENOSPC || e == EDQUOT) ? Code::kStorageFull : Code::kIo;
  return Error{c, what + ": " + std::strerror(e)};
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

Status write_all_atomic(const std::string& path, const std::uint8_t* data, std::size_t n,
                        unsigned mode, bool exclusive) {
  if (exclusive && ::access(path.c_str(), F_OK) == 0) {
    return Error{Code::kAlreadyInitialized, path + " exists already"};
  }
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return os_error("cannot create " + tmp);
  ::fchmod(fd, mode);
  std::size_t off = 0;
  while (off < n) {
    ssize_t w = ::write(fd, data + off, n - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      auto err = os_error("cannot write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    off += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) {
    auto err = os_error("cannot sync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error("cannot rename " + tmp);
  int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace

template <std::size_t N>
Status write_key_file(const std::string& path, const crypto::Secret<N>& secret) {
  return write_all_atomic(path, secret.data(), N, 0600, true);
}

template <std::size_t N>
Status replace_key_file(const std::string& path, const crypto::Secret<N>& secret) {
  return write_all_atomic(path, secret.data(), N, 0600, false);
}

namespace {

// Opens `path` for reading if it is a file of this user that nobody else may read.
Result<int> open_private(const std::string& path, struct stat& st) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error{Code::kNotFound, path + " does not exist"};
    return os_error("cannot open " + path);
  }
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0 || st.st_uid != ::geteuid()) {
    ::close(fd);
    return Error{Code::kIo, path + " must be a 0600 file of this user (chmod 600 " + path + ")"};
  }
  return fd;
}

}  // namespace

Result<Bytes> read_private_file(const std::string& path, std::size_t max) {
  struct stat st {};
  auto fd = open_private(path, st);
  if (!fd) return fd.error();
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > max) {
    ::close(*fd);
    return Error{Code::kCorrupt, path + " is too long"};
  }
  Bytes out(static_cast<std::size_t>(st.st_size));
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t r = ::read(*fd, out.data() + off, out.size() - off);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      ::close(*fd);
      return Error{Code::kIo, "cannot read " + path};
    }
    off += static_cast<std::size_t>(r);
  }
  ::close(*fd);
  return out;
}

template <std::size_t N>
Result<crypto::Secret<N>> read_key_file(const std::string& path) {
  struct stat st {};
  auto opened = open_private(path, st);
  if (!opened) return opened.error();
  const int fd = *opened;
  if (st.st_size != static_cast<off_t>(N)) {
    ::close(fd);
    return Error{Code::kCorrupt, path + " has the wrong size"};
  }
  crypto::Secret<N> s;
  std::size_t off = 0;
  while (off < N) {
    ssize_t r = ::read(fd, s.data() + off, N - off);
    if (r <= 0) {
      if (r < 0 && errno == EINTR) continue;
      ::close(fd);
      return Error{Code::kIo, "cannot read " + path};
    }
    off += static_cast<std::size_t>(r);
  }
  ::close(fd);
  return s;
}

template Status write_key_file<32>(const std::string&, const crypto::Secret<32>&);
template Status write_key_file<64>(const std::string&, const crypto::Secret<64>&);
template Status replace_key_file<64>(const std::string&, const crypto::Secret<64>&);
template Status replace_key_file<32>(const std::string&, const crypto::Secret<32>&);
template Result<crypto::Secret<32>> read_key_file<32>(const std::string&);
template Result<crypto::Secret<64>> read_key_file<64>(const std::string&);

Status ensure_private_dir(const std::string& dir) {
  // Missing parents (a fresh account without ~/.local/share) are created 0700 too.
  for (std::size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    std::string parent = dir.substr(0, slash);
    if (::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST)
      return os_error("cannot create " + parent);
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return os_error("cannot create " + dir);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return os_error("cannot stat " + dir);
  if (!S_ISDIR(st.st_mode)) return Error{Code::kIo, dir + " is not a directory"};
  if (st.st_uid != ::geteuid()) return Error{Code::kIo, dir + " belongs to another user"};
  if ((st.st_mode & 077) != 0) {
    return Error{Code::kIo, dir + " is open to other users (chmod 700 " + dir + ")"};
  }
  return {};
}

Status write_file_atomic(const std::string& path, ByteView bytes, unsigned mode) {
  return write_all_atomic(path, bytes.data(), bytes.size(), mode, false);
}

Result<Bytes> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error{Code::kNotFound, path + " does not exist"};
    return os_error("cannot open " + path);
  }
  Bytes out;
  std::uint8_t buf[4096];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    out.insert(out.end(), buf, buf + r);
    if (out.size() > (1u << 20)) break;
  }
  ::close(fd);
  return out;
}

}  // namespace tandem::store
