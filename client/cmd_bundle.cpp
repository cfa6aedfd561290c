// tandem bundle export [--for DEVICE] FILE, tandem bundle import FILE: offline bundles. The CLI
// reads and writes the file (the user's path, the user's view of the file system) and streams its
// bytes over the socket; tandemd seals, verifies and merges them.
#include "client/invocation.hpp"
#include "client/render.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace tandem::client {
namespace {

constexpr std::size_t kPiece = 256 * 1024;  // the daemon's cap on one bundleImport piece

int file_error(const Invocation& inv, const char* what, const std::string& path, int err) {
  std::fprintf(inv.io.err, "tandem: cannot %s %s: %s\n", what, path.c_str(), std::strerror(err));
  return kExitDaemonError;
}

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Reads until `n` bytes or the end of the file; -1 on an error (errno set).
ssize_t read_full(int fd, std::uint8_t* p, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

void setup_bundle(CLI::App& app, Invocation& inv) {
  app.require_subcommand(1);
  auto* exp = app.add_subcommand(
      "export", "write the space's shared records to FILE, sealed under the space key");
  add_global_flags(*exp, inv);
  exp->add_option("--for", inv.for_device,
                  "leave out what DEVICE (an id from `tandem peers`, or a device name) is known "
                  "to hold");
  exp->add_option("FILE", inv.file, "the bundle to write (- for stdout)")->required();
  auto* imp = app.add_subcommand("import", "verify a bundle and merge its records, as sync does");
  add_global_flags(*imp, inv);
  imp->add_option("FILE", inv.file, "the bundle to read (- for stdin)")->required();
  inv.bundle_export = exp;
}

int run_export(Invocation& inv) {
  const bool to_stdout = inv.file == "-";
  if (to_stdout && ::isatty(STDOUT_FILENO)) {
    return usage_error(inv, "bundle export: refusing to write a bundle to a terminal");
  }
  // Written beside the target and renamed into place once whole: a failed export never leaves a
  // file that looks like a bundle. 0600: it holds the couple's entries (sealed, but still).
  const std::string partial = inv.file + ".partial";
  int fd = to_stdout ? STDOUT_FILENO
                     : ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return file_error(inv, "write", inv.file, errno);
  auto abandon = [&](int rc) {
    if (!to_stdout) {
      ::close(fd);
      ::unlink(partial.c_str());
    }
    return rc;
  };
  auto client = connect_daemon(inv);
  if (!client.ok()) return abandon(report(inv, client.error()));
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initBundleExport().setForDevice(inv.for_device);
  auto id = client.value().send(message);
  if (!id.ok()) return abandon(report(inv, id.error()));
  Progress progress(inv.io.err, progress_allowed(inv), "exporting", 0, "bytes");
  std::uint64_t written = 0;
  for (;;) {
    auto next = client.value().receive(id.value());
    if (!next.ok()) return abandon(report(inv, next.error()));
    auto r = next.value().get();
    if (r.isBundleChunk()) {
      auto data = r.getBundleChunk().getData();
      if (!write_all(fd, data.begin(), data.size())) {
        const int err = errno;
        return abandon(file_error(inv, "write", inv.file, err));
      }
      written += data.size();
      progress.update(written);
      continue;
    }
    if (!r.isBundleExported()) {
      return abandon(
          report(inv, {ClientError::Kind::kProtocol, {}, "bundle export: unexpected answer"}));
    }
    if (!to_stdout) {
      if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        ::unlink(partial.c_str());
        return file_error(inv, "write", inv.file, err);
      }
      if (::rename(partial.c_str(), inv.file.c_str()) != 0) {
        const int err = errno;
        ::unlink(partial.c_str());
        return file_error(inv, "write", inv.file, err);
      }
    }
    progress.finish();
    auto done = r.getBundleExported();
    if (inv.json) {
      print(inv, JsonWriter().encode(done) + "\n");
    } else if (!to_stdout) {
      print(inv, fmt::format("wrote {}: {} records, {} bytes{}\n", inv.file, done.getRecords(),
                             done.getBytes(),
                             done.getForDevice().size()
                                 ? std::string(" for ") + done.getForDevice().cStr()
                                 : std::string()));
    }
    return kExitOk;
  }
}

int run_import(Invocation& inv) {
  const bool from_stdin = inv.file == "-";
  int fd = from_stdin ? STDIN_FILENO : ::open(inv.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return file_error(inv, "read", inv.file, errno);
  struct Closer {
    int fd;
    bool own;
    ~Closer() {
      if (own) ::close(fd);
    }
  } closer{fd, !from_stdin};
  auto client = connect_daemon(inv);
  if (!client.ok()) return report(inv, client.error());
  std::vector<std::uint8_t> buf(kPiece);
  std::uint64_t offset = 0;
  struct stat st {};
  const std::uint64_t size =
      ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
  Progress progress(inv.io.err, progress_allowed(inv), "importing", size, "bytes");
  for (;;) {
    ssize_t n = read_full(fd, buf.data(), buf.size());
    if (n < 0) return file_error(inv, "read", inv.file, errno);
    const bool last = static_cast<std::size_t>(n) < buf.size();
    capnp::MallocMessageBuilder message;
    auto req = message.initRoot<schema::Request>().initBundleImport();
    req.setData({buf.data(), static_cast<std::size_t>(n)});
    req.setOffset(offset);
    req.setLast(last);
    offset += static_cast<std::uint64_t>(n);
    auto response = client.value().call(message);
    if (!response.ok()) return report(inv, response.error());
    auto r = response.value().get();
    if (!r.isBundleImported()) {
      return report(inv, {ClientError::Kind::kProtocol, {}, "bundle import: unexpected answer"});
    }
    auto got = r.getBundleImported();
    progress.update(offset);
    if (!last) continue;
    progress.finish();
    if (inv.json) {
      print(inv, JsonWriter().encode(got) + "\n");
    } else {
      print(inv, fmt::format("imported {} new records ({} held already) from device {}\n",
                             got.getRecords(), got.getDuplicates(), got.getFromDevice().cStr()));
    }
    return kExitOk;
  }
}

int run_bundle(Invocation& inv) {
  return inv.bundle_export && inv.bundle_export->parsed() ? run_export(inv) : run_import(inv);
}

}  // namespace

const Command kBundleCommand{
    "bundle",
    "offline sync through a file: tandem bundle export [--for DEVICE] FILE | bundle import FILE",
    setup_bundle, run_bundle};

}  // namespace tandem::client
