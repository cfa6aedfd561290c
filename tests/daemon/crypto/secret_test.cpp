// Secret memory: slots of a few locked, guarded regions, wiped the moment a secret dies.
#include "daemon/crypto/secret.hpp"

#include "daemon/crypto/secret_pool.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

using namespace tandem::crypto;

TEST_CASE("a dropped secret's slot is wiped before another secret gets it", "[crypto][secret]") {
  const std::uint8_t* where = nullptr;
  {
    Secret<64> s;
    std::memset(s.data(), 0xa5, 64);
    where = s.data();
  }
  // The pool hands out the slot freed last: the new secret lands on the old bytes.
  Secret<32> next;
  REQUIRE(next.data() == where);
  CHECK(std::all_of(next.data(), next.data() + 64, [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("moving a secret moves its slot; assigning over one wipes the old slot",
          "[crypto][secret]") {
  Secret<32> a;
  std::memset(a.data(), 0x11, 32);
  std::uint8_t* slot_a = a.data();
  Secret<32> b(std::move(a));
  CHECK(b.data() == slot_a);
  Secret<32> c;
  std::uint8_t* slot_c = c.data();
  std::memset(slot_c, 0x22, 32);
  c = std::move(b);  // c's old slot goes back to the pool, wiped
  CHECK(c.data() == slot_a);
  CHECK(c.data()[0] == 0x11);
  Secret<32> d;  // takes the slot c gave back
  REQUIRE(d.data() == slot_c);
  CHECK(d.data()[0] == 0);
}

TEST_CASE("secrets never share a slot, and the pool grows by whole regions", "[crypto][secret]") {
  std::vector<Secret<64>> many(1000);
  std::vector<const std::uint8_t*> slots;
  for (auto& s : many) slots.push_back(s.data());
  std::sort(slots.begin(), slots.end());
  for (std::size_t i = 1; i < slots.size(); ++i) CHECK(slots[i] - slots[i - 1] >= 64);
  for (auto* p : slots) CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
  // 255 slots a region: 1000 live secrets need at least four.
  CHECK(detail::secret_pool_regions() >= 4);
  const std::size_t regions = detail::secret_pool_regions();
  many.clear();
  std::vector<Secret<64>> again(1000);  // reuses the wiped slots: no new region
  CHECK(detail::secret_pool_regions() == regions);
}
