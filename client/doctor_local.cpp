#include "client/doctor_local.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tandem::client::doctor {
namespace {

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03o", mode & 0777);
  return buf;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

// An XDG base directory: the variable when absolute, else $HOME + `fallback`.
std::string xdg_home(const char* var, const char* fallback) {
  std::string v = env(var);
  if (v.starts_with('/')) return v;
  const std::string home = env("HOME");
  return home.empty() ? "" : home + fallback;
}

std::string expand_home(const std::string& path) {
  const std::string home = env("HOME");
  if (home.empty() || !path.starts_with('~')) return path;
  if (path.size() == 1) return home;
  if (path[1] == '/') return home + path.substr(1);
  return path;
}

// The keys of tandemd.toml(5); tandemd refuses any other.
constexpr const char* kConfigKeys[] = {"data_dir",  "socket", "listen",
                                       "discovery", "peers",  "log_level"};

}  // namespace

Finding check_mode(const std::string& what, const std::string& path, unsigned mode,
                   const std::string& missing_fix) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return {what, Level::kFail, path + " is missing (" + std::strerror(errno) + ")", missing_fix};
  }
  if (st.st_uid != ::geteuid()) {
    return {what, Level::kFail,
            path + " belongs to another user (uid " + std::to_string(st.st_uid) + ")",
            "chown " + std::to_string(::geteuid()) + " " + path +
                " (as root), or run tandem as its owner"};
  }
  if ((st.st_mode & 0777) != mode) {
    return {what, Level::kFail, path + " has mode " + octal(st.st_mode),
            "chmod " + octal(mode) + " " + path};
  }
  return {what, Level::kOk, path + " " + octal(st.st_mode), ""};
}

std::vector<Finding> check_files_in(const std::string& dir, unsigned mode) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      struct stat st {};
      if (::lstat((dir + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        names.push_back(name);
      }
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::vector<Finding> out;
  for (const auto& name : names) {
    out.push_back(check_mode("key " + name, dir + "/" + name, mode,
                             "restore " + dir + " from a backup of this device"));
  }
  return out;
}

std::optional<Finding> check_disk(const std::string& path) {
  std::string at = path.empty() ? "/" : path;
  struct statvfs vfs {};
  while (::statvfs(at.c_str(), &vfs) != 0) {
    if (at == "/") return std::nullopt;
    const auto slash = at.rfind('/');
    at = slash == 0 || slash == std::string::npos ? "/" : at.substr(0, slash);
  }
  return disk_finding(path.empty() ? at : path,
                      static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize);
}

bool reachable(const std::string& hostport) {
  const auto colon = hostport.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = hostport.substr(0, colon);
  const int port = std::atoi(hostport.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return false;
  const bool v6 = !host.empty() && host.front() == '[';
  if (v6) host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  int rc = -1;
  if (v6) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, host.c_str(), &a.sin6_addr) == 1) {
      rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
  } else {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) == 1) {
      rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
  }
  bool ok = rc == 0;
  if (!ok && rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    ok = ::poll(&p, 1, 1000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
         err == 0;
  }
  ::close(fd);
  return ok;
}

std::string default_config_file() {
  const std::string base = xdg_home("XDG_CONFIG_HOME", "/.config");
  return base.empty() ? "" : base + "/tandem/tandemd.toml";
}

std::string default_data_dir() {
  const std::string base = xdg_home("XDG_DATA_HOME", "/.local/share");
  return base.empty() ? "" : base + "/tandem";
}

ConfigPaths check_config(const std::string& path, bool explicit_path, std::vector<Finding>& out) {
  ConfigPaths paths;
  if (path.empty()) return paths;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (explicit_path) {
      out.push_back({"config", Level::kFail, path + " is missing",
                     "give the file tandemd reads (tandemd --config FILE), or create it from "
                     "/usr/share/doc/tandem/tandemd.toml.example"});
    } else {
      out.push_back({"config", Level::kOk, "no " + path + ": tandemd uses its defaults", ""});
    }
    return paths;
  }
  const std::string fix_suffix =
      " (tandemd.toml(5) lists the keys); tandemd refuses to start "
      "with it, and keeps the old settings on SIGHUP";
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto line = std::to_string(e.source().begin.line);
    out.push_back({"config", Level::kFail, path + ":" + line + ": " + std::string(e.description()),
                   "correct line " + line + " of " + path + fix_suffix});
    return paths;
  }
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    const auto line = std::to_string(node.source().begin.line);
    if (std::find(std::begin(kConfigKeys), std::end(kConfigKeys), k) == std::end(kConfigKeys)) {
      out.push_back({"config", Level::kFail, path + ":" + line + ": unknown key " + k,
                     "remove or correct " + k + " in " + path + fix_suffix});
      return paths;
    }
    if (k == "data_dir" || k == "socket") {
      const auto* s = node.as_string();
      if (s == nullptr) {
        out.push_back({"config", Level::kFail, path + ":" + line + ": " + k + " is not a string",
                       "quote the path given to " + k + " in " + path + fix_suffix});
        return paths;
      }
      (k == "data_dir" ? paths.data_dir : paths.socket) = expand_home(s->get());
    }
  }
  out.push_back({"config", Level::kOk, path + " parses", ""});
  return paths;
}

}  // namespace tandem::client::doctor
