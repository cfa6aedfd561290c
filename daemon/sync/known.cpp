#include "daemon/sync/known.hpp"

#include <cstring>

namespace tandem::sync {

namespace {

std::string meta_name(const store::DeviceId& device) {
  return "known/" + to_hex(device);
}

}  // namespace

Result<Frontier> known_frontier(const store::Store& store, const store::Txn& txn,
                                const store::DeviceId& device) {
  auto v = store.meta(txn, meta_name(device));
  if (!v) return v.error();
  if (!*v) return Frontier{};
  return decode_known_frontier(**v);
}

Result<Frontier> decode_known_frontier(ByteView b) {
  if (b.size() % 16) return Error{Code::kCorrupt, "a malformed known frontier"};
  Frontier f;
  for (std::size_t i = 0; i < b.size(); i += 16) {
    store::DeviceId d;
    std::memcpy(d.data(), b.data() + i, 8);
    f[d] = get_be64(b.data() + i + 8);
  }
  return f;
}

Bytes encode_known_frontier(const Frontier& frontier) {
  Bytes out(frontier.size() * 16);
  std::size_t i = 0;
  for (const auto& [d, seq] : frontier) {
    std::memcpy(out.data() + i, d.data(), 8);
    put_be64(out.data() + i + 8, seq);
    i += 16;
  }
  return out;
}

Status remember_frontier(store::Store& store, store::Txn& txn, const store::DeviceId& device,
                         const Frontier& seen) {
  auto current = known_frontier(store, txn, device);
  Frontier merged = current ? std::move(*current) : Frontier{};
  bool changed = false;
  for (const auto& [d, seq] : seen) {
    if (d == store::kPrivateDevice) continue;
    auto& have = merged[d];
    if (seq > have) {
      have = seq;
      changed = true;
    }
  }
  if (!changed) return {};
  return store.put_meta(txn, meta_name(device), encode_known_frontier(merged));
}

}  // namespace tandem::sync
