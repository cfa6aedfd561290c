// CPace between two in-memory parties: agreement, disagreement on any input, the draft's aborts,
// message parsing and explicit key confirmation.
#include "daemon/crypto/cpace.hpp"
#include "daemon/crypto/cpace_encoding.hpp"

#include <catch2/catch.hpp>

namespace tandem::crypto::cpace {
namespace {

Bytes to_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

struct Setup {
  Bytes prs = to_bytes("red fox 42");
  Bytes ci = lv_cat({as_bytes("initiator-static-key"), as_bytes("responder-static-key")});
  Bytes sid = Bytes(64, 0x5a);
  Mode mode = Mode::kInitiatorResponder;

  Inputs inputs(std::string_view ad) const { return {prs, ci, sid, as_bytes(ad), mode}; }
};

struct Run {
  Result<Session> a;
  Result<Session> b;
};

Run exchange(const Setup& sa, const Setup& sb) {
  auto a = Party::start(Role::kInitiator, sa.inputs("device A"));
  auto b = Party::start(Role::kResponder, sb.inputs("device B"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const Bytes ma = a->message();
  const Bytes mb = b->message();
  return {a->finish(mb), b->finish(ma)};
}

bool same_isk(const Session& x, const Session& y) {
  return equal_ct(x.isk().view(), y.isk().view());
}

TEST_CASE("both roles agree on the ISK and confirm each other", "[crypto][cpace]") {
  Setup s;
  auto r = exchange(s, s);
  REQUIRE(r.a.ok());
  REQUIRE(r.b.ok());
  CHECK(same_isk(*r.a, *r.b));
  CHECK(r.a->sid_output() == r.b->sid_output());
  CHECK(r.a->peer_ad() == to_bytes("device B"));
  CHECK(r.b->check_peer_tag(r.a->own_tag()).ok());
  CHECK(r.a->check_peer_tag(r.b->own_tag()).ok());
  CHECK(r.a->own_tag() != r.b->own_tag());
}

TEST_CASE("a different PRS gives different keys and confirmation fails", "[crypto][cpace]") {
  Setup sa, sb;
  sb.prs.back() ^= 1;
  auto r = exchange(sa, sb);
  REQUIRE(r.a.ok());  // CPace cannot tell before confirmation: the keys just differ
  REQUIRE(r.b.ok());
  CHECK_FALSE(same_isk(*r.a, *r.b));
  auto check = r.b->check_peer_tag(r.a->own_tag());
  REQUIRE_FALSE(check.ok());
  CHECK(check.error().code == Code::kAuth);
  CHECK_FALSE(r.a->check_peer_tag(r.b->own_tag()).ok());
}

TEST_CASE("a different CI or sid gives different keys", "[crypto][cpace]") {
  Setup sa, sb, sc;
  sb.ci.back() ^= 1;
  sc.sid.front() ^= 1;
  for (const Setup* other : {&sb, &sc}) {
    auto r = exchange(sa, *other);
    REQUIRE(r.a.ok());
    REQUIRE(r.b.ok());
    CHECK_FALSE(same_isk(*r.a, *r.b));
    CHECK_FALSE(r.b->check_peer_tag(r.a->own_tag()).ok());
  }
}

TEST_CASE("associated data changed in transit fails confirmation", "[crypto][cpace]") {
  Setup s;
  auto a = Party::start(Role::kInitiator, s.inputs("device A"));
  auto b = Party::start(Role::kResponder, s.inputs("device B"));
  Bytes ma = a->message();
  ma.back() ^= 1;  // last byte of ADa
  auto sb = b->finish(ma);
  auto sa = a->finish(b->message());
  REQUIRE(sa.ok());
  REQUIRE(sb.ok());
  CHECK_FALSE(sa->check_peer_tag(sb->own_tag()).ok());
}

TEST_CASE("aborts on the identity point from the peer", "[crypto][cpace]") {
  Setup s;
  auto a = Party::start(Role::kInitiator, s.inputs("A"));
  const Bytes identity(32, 0);
  auto r = a->finish(lv_cat({identity, as_bytes("B")}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Code::kAuth);
}

TEST_CASE("aborts on a share that is not a ristretto255 encoding", "[crypto][cpace]") {
  Setup s;
  auto a = Party::start(Role::kInitiator, s.inputs("A"));
  auto bad = from_hex("2b3c6b8c4f3800e7aef6864025b4ed79bd599117e427c41bd47d93d654b4a51c");
  auto r = a->finish(lv_cat({*bad, as_bytes("B")}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Code::kAuth);
  // All-ones is not canonical either.
  auto a2 = Party::start(Role::kInitiator, s.inputs("A"));
  auto r2 = a2->finish(lv_cat({Bytes(32, 0xff), as_bytes("B")}));
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error().code == Code::kAuth);
}

TEST_CASE("aborts when its own share is reflected back", "[crypto][cpace]") {
  Setup s;
  auto a = Party::start(Role::kInitiator, s.inputs("A"));
  auto r = a->finish(a->message());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Code::kAuth);
}

TEST_CASE("refuses a reflected confirmation tag", "[crypto][cpace]") {
  Setup s;
  auto r = exchange(s, s);
  REQUIRE(r.a.ok());
  CHECK_FALSE(r.a->check_peer_tag(r.a->own_tag()).ok());
  CHECK_FALSE(r.a->check_peer_tag(ByteView(r.b->own_tag()).first(32)).ok());
}

TEST_CASE("refuses malformed messages", "[crypto][cpace]") {
  Setup s;
  auto b = Party::start(Role::kResponder, s.inputs("B"));
  const Bytes good = b->message();
  for (const Bytes& m :
       {Bytes{}, Bytes(good.begin(), good.end() - 1),
        [&] {
          Bytes x = good;
          x.push_back(0);
          return x;
        }(),
        lv_cat({Bytes(31, 1), as_bytes("B")}), Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}}) {
    auto a = Party::start(Role::kInitiator, s.inputs("A"));
    auto r = a->finish(m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Code::kCorrupt);
  }
}

TEST_CASE("finishes only once: one guess per party", "[crypto][cpace]") {
  Setup s;
  auto a = Party::start(Role::kInitiator, s.inputs("A"));
  auto b = Party::start(Role::kResponder, s.inputs("B"));
  REQUIRE(a->finish(b->message()).ok());
  auto again = a->finish(b->message());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Code::kForbidden);
}

TEST_CASE("symmetric mode agrees and confirms", "[crypto][cpace]") {
  Setup s;
  s.mode = Mode::kSymmetric;
  auto r = exchange(s, s);
  REQUIRE(r.a.ok());
  REQUIRE(r.b.ok());
  CHECK(same_isk(*r.a, *r.b));
  CHECK(r.b->check_peer_tag(r.a->own_tag()).ok());
  CHECK(r.a->check_peer_tag(r.b->own_tag()).ok());
  CHECK_FALSE(r.a->check_peer_tag(r.a->own_tag()).ok());
}

TEST_CASE("fresh scalars give fresh shares and keys each run", "[crypto][cpace]") {
  Setup s;
  auto a1 = Party::start(Role::kInitiator, s.inputs("A"));
  auto a2 = Party::start(Role::kInitiator, s.inputs("A"));
  CHECK(a1->share() != a2->share());
}

TEST_CASE("LEB128 prefixes take two bytes from 128", "[crypto][cpace]") {
  CHECK(prepend_len(Bytes(127, 0)).size() == 128);
  const Bytes p = prepend_len(Bytes(128, 0));
  REQUIRE(p.size() == 130);
  CHECK(p[0] == 0x80);
  CHECK(p[1] == 0x01);
  const Bytes q = prepend_len(Bytes(300, 0));
  CHECK(q[0] == 0xac);
  CHECK(q[1] == 0x02);
  ByteView in = q;
  auto f = read_lv(in);
  REQUIRE(f.has_value());
  CHECK(f->size() == 300);
  CHECK(in.empty());
}

}  // namespace
}  // namespace tandem::crypto::cpace
