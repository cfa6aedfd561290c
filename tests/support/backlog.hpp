// Writes a backlog straight into a stopped daemon's store: `n` contribution entries appended to
// its own log and signed by its device key, 1,000 per transaction. Far faster than `add`
// requests (each a durable commit), for tests and benchmarks of a large catch-up. The daemon
// must be initialised and not running. Aborts on any failure (a broken test set-up).
#pragma once

#include "daemon/store/entry_codec.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/store/store.hpp"

#include <capnp/message.h>

#include <cstdlib>
#include <ctime>
#include <string>

namespace tandem::test {

inline void append_backlog(const std::string& data_dir, int n) {
  auto key = store::read_key_file<32>(data_dir + "/keys/storage.key");
  auto sign = store::read_key_file<64>(data_dir + "/keys/device.sign");
  if (!key || !sign) std::abort();
  auto opened = store::Store::open(data_dir + "/store", std::move(*key));
  if (!opened) std::abort();
  auto& s = **opened;
  auto rtxn = store::Txn::begin_read(s.env());
  auto self_r = s.self(*rtxn);
  const store::DeviceId self = **self_r;
  rtxn->abort();
  std::uint64_t hlc = (static_cast<std::uint64_t>(std::time(nullptr)) * 1000) << 16;
  for (int i = 0; i < n;) {
    auto txn = store::Txn::begin_write(s.env());
    for (int j = 0; j < 1000 && i < n; ++j, ++i) {
      capnp::MallocMessageBuilder msg;
      auto e = msg.initRoot<schema::Entry>();
      auto c = e.getKind().initContribution();
      c.setActor(i % 2 ? schema::Party::ME : schema::Party::PARTNER);
      c.setEffort(static_cast<std::uint8_t>(1 + i % 3));
      e.setDimension(schema::Dimension::HOUSEHOLD);
      e.setDate("2026-06-01");
      e.setNote("entry number " + std::to_string(i) + ": cooked, cleaned, planned the week");
      auto [fields, note] = store::split_entry(e.asReader());
      auto h = s.append(*txn, self, *sign, ++hlc, 0,
                        store::make_body(std::move(fields), std::move(note)));
      if (!h) std::abort();
    }
    if (!txn->commit()) std::abort();
  }
}

}  // namespace tandem::test
