// A store in a temporary directory with one signing device in its roster, and builders for the
// entry bodies the store tests append. Shared by the store tests only.
#pragma once

#include "daemon/crypto/primitives.hpp"
#include "daemon/store/entry_codec.hpp"
#include "daemon/store/store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace tandem::store::test {

using tandem::test::TempDir;

inline crypto::SymmetricKey random_key() {
  crypto::SymmetricKey k;
  crypto::random_fill({k.data(), k.size()});
  return k;
}

// Entry fields and note of a contribution by the author ("me").
inline std::pair<Bytes, std::string> contribution(std::string note, std::uint8_t effort = 2) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  auto c = e.getKind().initContribution();
  c.setActor(schema::Party::ME);
  c.setEffort(effort);
  c.setPhase(schema::Phase::EXECUTE);
  e.setDate("2026-11-25");
  e.setNote(note);
  return split_entry(e.asReader());
}

inline void set_ref(schema::Entry::Builder e, const DeviceId& dev, std::uint64_t seq) {
  auto ref = e.initRefs(1)[0];
  ref.setDevice(kj::arrayPtr(dev.data(), dev.size()));
  ref.setSeq(seq);
}

// An edit of (dev, seq) whose replacement carries `note`.
inline std::pair<Bytes, std::string> edit_of(const DeviceId& dev, std::uint64_t seq,
                                             std::string note) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  e.getKind().initEdit().setReason("typo");
  set_ref(e, dev, seq);
  auto rep = e.initReplacement();
  rep.getKind().initContribution().setEffort(3);
  rep.setNote(note);
  return split_entry(e.asReader());
}

inline std::pair<Bytes, std::string> retract_of(const DeviceId& dev, std::uint64_t seq) {
  capnp::MallocMessageBuilder msg;
  auto e = msg.initRoot<schema::Entry>();
  e.getKind().initRetract().setReason("logged twice");
  set_ref(e, dev, seq);
  return split_entry(e.asReader());
}

inline Body body_of(std::pair<Bytes, std::string> split) {
  return make_body(std::move(split.first), std::move(split.second));
}

// One device of member 1, a roster naming it, and a store whose meta holds that roster.
struct StoreFixture {
  TempDir dir{"tandem-store"};
  crypto::SymmetricKey storage_key = random_key();
  crypto::SignKeyPair keys = crypto::sign_keypair();
  DeviceId device{1, 2, 3, 4, 5, 6, 7, 8};
  Roster roster;
  std::unique_ptr<Store> store;

  explicit StoreFixture(const Env::Options& options = {}) {
    roster.space_id.fill(0x5a);
    roster.member_names[1] = "Sam";
    roster.member_names[2] = "Jo";
    DeviceInfo info;
    info.id = device;
    info.member = 1;
    info.name = "laptop";
    info.sign_key = keys.pub;
    roster.devices.push_back(info);
    open(options);
    auto txn = write();
    REQUIRE(store->put_meta(txn, "roster", encode_roster(roster)));
    REQUIRE(txn.commit());
  }

  void open(const Env::Options& options = {}) {
    store.reset();  // close the environment before opening it again
    auto s = Store::open(dir / "store", storage_key.clone(), options);
    REQUIRE(s);
    store = std::move(*s);
  }

  Txn write() {
    auto t = Txn::begin_write(store->env());
    REQUIRE(t);
    return std::move(*t);
  }
  Txn read() {
    auto t = Txn::begin_read(store->env());
    REQUIRE(t);
    return std::move(*t);
  }

  // Appends and commits one record of `device`.
  Header append(const Body& body, std::uint64_t hlc, std::uint8_t flags = 0,
                const DeviceId* dev = nullptr) {
    auto txn = write();
    auto h = store->append(txn, dev ? *dev : device, keys.secret, hlc, flags, body);
    REQUIRE(h);
    REQUIRE(txn.commit());
    return *h;
  }

  VerifyReport verify(const Txn& txn) {
    auto rep = verify_log(*store, txn);
    REQUIRE(rep);
    return *rep;
  }
  VerifyReport verify() {
    auto txn = read();
    return verify(txn);
  }
};

inline std::string problems_of(const VerifyReport& rep) {
  std::string all;
  for (const auto& p : rep.problems) all += p + "; ";
  return all;
}

}  // namespace tandem::store::test
