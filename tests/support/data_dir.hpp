// Helpers for tests that run real daemons on real data directories: a loopback listen address
// that stays free across restarts, and a full verification of a stopped daemon's store.
#pragma once

#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace tandem::test {

// "127.0.0.1:PORT" with a port free now, so a daemon restarted on it listens where its peers
// remember it (an ephemeral port would change with every start).
inline std::string free_listen() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
}

// store::verify_log over the store of the (stopped) daemon whose data directory is `data`,
// opened with its own storage key. Throws std::runtime_error when the store cannot be read.
inline store::VerifyReport verify_data_dir(const std::string& data) {
  auto key = store::read_key_file<32>(data + "/keys/storage.key");
  if (!key) throw std::runtime_error("storage key of " + data + ": " + key.error().message);
  auto st = store::Store::open(data + "/store", std::move(*key));
  if (!st) throw std::runtime_error("store of " + data + ": " + st.error().message);
  auto txn = store::Txn::begin_read((*st)->env());
  if (!txn) throw std::runtime_error("read txn on " + data + ": " + txn.error().message);
  auto rep = store::verify_log(**st, *txn);
  if (!rep) throw std::runtime_error("verifying " + data + ": " + rep.error().message);
  return *rep;
}

}  // namespace tandem::test
