#include "tests/soak/cluster.hpp"
#include "tests/support/data_dir.hpp"

#include "daemon/base/bytes.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace tandem::soak {

using test::JsonClient;
using test::parse_response;

namespace {

schema::Response::Reader root(const std::unique_ptr<capnp::MallocMessageBuilder>& m) {
  return m->getRoot<schema::Response>().asReader();
}

void expect(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

void pair(const Node& inviter, const Node& joiner, const std::string& name, bool as_device) {
  JsonClient inv(inviter.socket());
  inv.send_raw(std::string(R"({"id": 5, "pairInvite": {)") +
               (as_device ? R"("asDevice": true)" : "") + "}}\n");
  auto first = parse_response(inv.read_line());
  expect(root(first).isPairCode(), "pairInvite did not answer with a code");
  const std::string code = root(first).getPairCode().getCode().cStr();
  const auto port = root(first).getPairCode().getPort();
  auto joined = parse_response(
      call(joiner, R"({"id": 2, "pairJoin": {"code": ")" + code + R"(", "name": ")" + name +
                       R"(", "address": "127.0.0.1:)" + std::to_string(port) + R"("}})"));
  expect(root(joined).isPaired(), joiner.name + " could not join: " + joiner.daemon->log());
  expect(root(parse_response(inv.read_line())).isPaired(), "the invite did not complete");
}

void add_peer(const Node& n, const Node& other) {
  auto r = parse_response(call(n, R"({"id": 3, "peerAdd": {"address": ")" + other.listen + "\"}}"));
  expect(root(r).isPeerAddresses(), "peerAdd refused on " + n.name);
}

}  // namespace

std::string call(const Node& n, const std::string& line) {
  JsonClient c(n.socket());
  return c.call(line);
}

std::vector<Node> start_cluster(const std::string& root_dir, int count) {
  expect(count == 2 || count == 3, "a cluster has 2 or 3 devices");
  const char* names[] = {"alex", "sam", "alex-desktop"};
  std::vector<Node> nodes(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    Node& n = nodes[static_cast<std::size_t>(i)];
    n.name = names[i];
    n.dir = root_dir + "/" + n.name;
    std::filesystem::create_directories(n.dir);
    n.listen = test::free_listen();
    n.daemon = std::make_unique<test::DaemonProcess>(
        n.data(), n.socket(), std::vector<std::string>{"--listen", n.listen});
  }
  auto init = parse_response(call(nodes[0], R"({"id": 1, "init": {"name": "Alex"}})"));
  expect(root(init).isInit(), "init failed");
  pair(nodes[0], nodes[1], "Sam", false);
  if (count == 3) pair(nodes[0], nodes[2], "", true);
  // Joiners remember the inviter; the inviter and the joiners learn each other's addresses here.
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (std::size_t j = 0; j < nodes.size(); ++j) {
      if (i != j && !(i > 0 && j == 0)) add_peer(nodes[i], nodes[j]);
    }
  }
  return nodes;
}

EntrySet export_entries(const Node& n) {
  EntrySet out;
  std::set<std::string> notes_seen;
  JsonClient c(n.socket());
  std::string cursor;
  for (;;) {
    auto r = parse_response(
        c.call(R"({"id": 4, "export": {"limit": 1000, "cursor": ")" + cursor + "\"}}"));
    expect(root(r).isList(), "export failed on " + n.name);
    auto list = root(r).getList();
    for (auto e : list.getEntries()) {
      std::string id = e.getId().cStr();
      std::string note = e.getEntry().getNote().cStr();
      if (!out.notes.emplace(id, note).second) ++out.duplicate_ids;
      if (!note.empty() && !notes_seen.insert(note).second) ++out.duplicate_notes;
    }
    cursor = list.getNextCursor().cStr();
    if (cursor.empty()) break;
  }
  return out;
}

std::vector<std::string> missing_on(const Node& n,
                                    const std::map<std::string, std::string>& expected) {
  std::vector<std::string> missing;
  if (expected.empty()) return missing;
  JsonClient c(n.socket());
  for (const auto& [id, note] : expected) {
    auto r = parse_response(c.call(R"({"id": 7, "get": {"id": ")" + id + "\"}}"));
    if (!root(r).isEntry() || note != root(r).getEntry().getEntry().getNote().cStr())
      missing.push_back(id);
  }
  return missing;
}

std::optional<std::uint64_t> record_count(const Node& n) {
  try {
    auto r = parse_response(call(n, R"({"id": 6, "status": {}})"));
    if (!root(r).isStatus()) return std::nullopt;
    return root(r).getStatus().getEntries();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

std::unique_ptr<store::Store> open_store(const std::string& data_dir) {
  auto key = store::read_key_file<32>(data_dir + "/keys/storage.key");
  expect(key.ok(), "no storage key in " + data_dir);
  auto st = store::Store::open(data_dir + "/store", std::move(*key));
  expect(st.ok(), "cannot open the store in " + data_dir);
  return std::move(*st);
}

}  // namespace

Audit audit_store(const std::string& data_dir) {
  auto st = open_store(data_dir);
  auto txn = store::Txn::begin_read(st->env());
  expect(txn.ok(), "no read transaction");
  auto rep = store::verify_log(*st, *txn);
  expect(rep.ok(), "verify_log failed to run");
  return {rep->records, rep->problems};
}

std::vector<std::string> missing_in_store(const std::string& data_dir,
                                          const std::map<std::string, std::string>& expected) {
  auto st = open_store(data_dir);
  auto txn = store::Txn::begin_read(st->env());
  expect(txn.ok(), "no read transaction");
  std::vector<std::string> missing;
  for (const auto& [id, note] : expected) {
    const auto dash = id.find('-');
    auto dev_bytes = from_hex(id.substr(0, dash));
    expect(dash != std::string::npos && dev_bytes && dev_bytes->size() == 8, "bad id " + id);
    store::DeviceId dev{};
    std::copy(dev_bytes->begin(), dev_bytes->end(), dev.begin());
    const std::uint64_t seq = std::stoull(id.substr(dash + 1));
    auto body = st->body(*txn, dev, seq);
    if (!body.ok() || !*body || !(*body)->note || *(*body)->note != note) missing.push_back(id);
  }
  return missing;
}

}  // namespace tandem::soak
