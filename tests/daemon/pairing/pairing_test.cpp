// The pairing protocol without sockets: CPace inside a (simulated) Noise session, key
// confirmation, and the welcome.
#include "daemon/pairing/pairing.hpp"

#include <catch2/catch.hpp>

using namespace tandem;
using namespace tandem::pairing;

namespace {

struct Setup {
  Bytes code = Bytes(as_bytes("17 orbit").begin(), as_bytes("17 orbit").end());
  Bytes hh = crypto::random_bytes(64);
  crypto::PublicKey joiner_static{}, inviter_static{};
  Setup() {
    crypto::random_fill(joiner_static);
    crypto::random_fill(inviter_static);
  }
  Binding binding(const Bytes& prs) const { return {prs, hh, joiner_static, inviter_static}; }
};

JoinerInfo info() {
  JoinerInfo i;
  i.device_id = {1, 2, 3, 4, 5, 6, 7, 8};
  i.device_name = "sam-laptop";
  i.member_name = "Sam";
  crypto::random_fill(i.sign_key);
  crypto::random_fill(i.dh_key);
  return i;
}

Welcome welcome() {
  Welcome w;
  w.space_id = {9};
  crypto::random_fill({w.space_key.data(), w.space_key.size()});
  w.roster = {1, 2, 3};
  w.roster_record = {4, 5, 6, 7};
  w.member = 2;
  return w;
}

}  // namespace

TEST_CASE("the right code moves the space key and roster to the joiner", "[pairing]") {
  Setup s;
  const JoinerInfo me = info();
  auto j = Joiner::start(s.binding(s.code), me);
  REQUIRE(j.ok());
  auto inv = Inviter::on_hello(s.binding(s.code), j->hello());
  REQUIRE(inv.ok());
  CHECK(inv->joiner().member_name == "Sam");
  CHECK(inv->joiner().device_name == "sam-laptop");
  // The long-term keys travel in the hello (the Noise session's static keys are throwaways).
  CHECK(inv->joiner().sign_key == me.sign_key);
  CHECK(inv->joiner().dh_key == me.dh_key);
  auto confirm = j->on_reply(inv->reply());
  REQUIRE(confirm.ok());
  REQUIRE(inv->on_confirm(*confirm).ok());
  auto w = welcome();
  auto sealed = inv->welcome(w);
  REQUIRE(sealed.ok());
  auto got = j->on_welcome(*sealed);
  REQUIRE(got.ok());
  CHECK(got->member == 2);
  CHECK(got->space_id == w.space_id);
  CHECK(got->roster == w.roster);
  CHECK(got->roster_record == w.roster_record);
  CHECK(crypto::equal_ct({got->space_key.data(), 32}, {w.space_key.data(), 32}));
}

TEST_CASE("a wrong code fails on both sides and nothing moves", "[pairing]") {
  Setup s;
  Bytes wrong(as_bytes("17 orbix").begin(), as_bytes("17 orbix").end());
  auto j = Joiner::start(s.binding(wrong), info());
  REQUIRE(j.ok());
  auto inv = Inviter::on_hello(s.binding(s.code), j->hello());
  REQUIRE(inv.ok());
  auto confirm = j->on_reply(inv->reply());
  REQUIRE_FALSE(confirm.ok());
  CHECK(confirm.error().code == Code::kAuth);
  CHECK(confirm.error().message.find("wrong code") != std::string::npos);
  // The joiner says so; the inviter fails with that reason and never seals a welcome.
  auto st = inv->on_confirm(refused_message("wrong code"));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == Code::kForbidden);
  CHECK_FALSE(inv->welcome(welcome()).ok());
}

TEST_CASE("a joiner that lies about its confirmation is refused", "[pairing]") {
  Setup s;
  auto j = Joiner::start(s.binding(s.code), info());
  auto inv = Inviter::on_hello(s.binding(s.code), j->hello());
  REQUIRE(inv.ok());
  auto confirm = j->on_reply(inv->reply());
  REQUIRE(confirm.ok());
  Bytes forged = *confirm;
  forged[forged.size() - 5] ^= 1;
  auto st = inv->on_confirm(forged);
  CHECK_FALSE(st.ok());
  CHECK_FALSE(inv->welcome(welcome()).ok());
}

TEST_CASE("a relay in the middle that does not know the code gets nothing", "[pairing]") {
  // The relay runs one Noise session with each side: two different handshake hashes and static
  // keys. It forwards the CPace messages unchanged.
  Setup joiner_side, inviter_side;
  inviter_side.code = joiner_side.code;
  auto j = Joiner::start(joiner_side.binding(joiner_side.code), info());
  REQUIRE(j.ok());
  auto inv = Inviter::on_hello(inviter_side.binding(inviter_side.code), j->hello());
  REQUIRE(inv.ok());
  auto confirm = j->on_reply(inv->reply());
  CHECK_FALSE(confirm.ok());  // the sids differ: the inviter's tag cannot check
}

TEST_CASE("malformed and out-of-order pairing messages get typed errors", "[pairing]") {
  Setup s;
  CHECK(Inviter::on_hello(s.binding(s.code), Bytes{1, 2, 3}).error().code == Code::kCorrupt);
  CHECK_FALSE(Inviter::on_hello(s.binding(s.code), Bytes(16, 0)).ok());
  const JoinerInfo me = info();
  auto j = Joiner::start(s.binding(s.code), me);
  REQUIRE(j.ok());
  CHECK_FALSE(j->on_welcome(Bytes(64, 0)).ok());                  // before confirmation
  CHECK(j->on_reply(j->hello()).error().code == Code::kCorrupt);  // a hello is not a reply
  // Flip bytes all over the hello: whatever the inviter still accepts must carry exactly the
  // joiner's claims (only padding can change without changing them).
  for (std::size_t i = 0; i < j->hello().size(); ++i) {
    Bytes bad = j->hello();
    bad[i] ^= 0x40;
    auto r = Inviter::on_hello(s.binding(s.code), bad);
    if (!r.ok()) continue;
    CHECK(r->joiner().device_id == me.device_id);
    CHECK(r->joiner().sign_key == me.sign_key);
    CHECK(r->joiner().dh_key == me.dh_key);
    CHECK(r->joiner().device_name == me.device_name);
    CHECK(r->joiner().member_name == me.member_name);
  }
}
