#include "daemon/app/pair_welcome.hpp"

#include "daemon/sync/engine.hpp"

#include <algorithm>

namespace tandem::app {

Result<Bytes> pack_roster_record(const store::Store& store, const store::Txn& txn,
                                 const store::DeviceId& self) {
  auto head = store.head(txn, self);
  if (!head) return head.error();
  if (head->seq == 0) return Error{Code::kNotFound, "no roster record to hand over"};
  auto records = sync::collect(store, txn, self, head->seq - 1);
  if (!records) return records.error();
  if (records->size() != 1 || !records->front().body ||
      !(records->front().header.flags & store::kFlagRoster)) {
    return Error{Code::kInternal, "the newest record is not the roster record"};
  }
  return sync::encode_batch(0, *records);
}

Result<WelcomeRoster> verify_welcome_roster(ByteView roster_record, ByteView roster_bytes,
                                            const JoinerClaims& me) {
  auto msg = sync::decode(roster_record);
  if (!msg) return Error{Code::kCorrupt, "the welcome's roster record: " + msg.error().message};
  if (msg->kind != sync::Message::Kind::kBatch || msg->records.size() != 1) {
    return Error{Code::kCorrupt, "the welcome does not carry one roster record"};
  }
  const sync::WireRecord& rec = msg->records.front();
  if (!rec.body || !(rec.header.flags & store::kFlagRoster)) {
    return Error{Code::kCorrupt, "the welcome's record is not a roster record"};
  }
  if (!std::equal(rec.body->fields.begin(), rec.body->fields.end(), roster_bytes.begin(),
                  roster_bytes.end())) {
    return Error{Code::kCorrupt, "the welcome's roster is not the one its record signs"};
  }
  auto roster = store::decode_roster(rec.body->fields);
  if (!roster) return Error{Code::kCorrupt, "the welcome's roster: " + roster.error().message};
  const store::DeviceInfo* signer = roster->device(rec.header.device);
  if (!signer || signer->revoked || signer->id == me.device) {
    return Error{Code::kCorrupt, "the welcome's roster record is not signed by a device it lists"};
  }
  // Body hash and signature, exactly as a batch from a peer is checked.
  auto pre = sync::precheck_batch(msg->records, signer->sign_key);
  if (!pre) return pre.error();
  const store::DeviceInfo* mine = roster->device(me.device);
  if (!mine || mine->sign_key != me.sign_key || mine->dh_key != me.dh_key ||
      mine->member != me.member || mine->revoked || roster->space_id != me.space_id) {
    return Error{Code::kCorrupt, "the welcome's roster does not hold this device as it asked"};
  }
  return WelcomeRoster{std::move(*roster), rec.header.device};
}

}  // namespace tandem::app
