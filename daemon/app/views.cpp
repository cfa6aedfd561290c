// Journal::view: one entry as the reader sees it (edits applied, retracts marked, parties in the
// reader's point of view, sealed check-ins hidden until the reader's own for that period).
#include "daemon/app/entry_rules.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/store/entry_codec.hpp"

#include <cstring>

namespace tandem::app {

using store::RecordKey;

static std::pair<store::DeviceId, std::uint64_t> split_key(const RecordKey& k) {
  store::DeviceId d;
  std::memcpy(d.data(), k.data(), 8);
  return {d, get_be64(k.data() + 8)};
}

Status Journal::view(const store::Txn& txn, const RecordKey& key,
                     schema::EntryView::Builder out) const {
  auto [dev, seq] = split_key(key);
  auto header = store_.header(txn, dev, seq);
  if (!header) return header.error();
  if (!*header || ((*header)->flags & store::kFlagRoster))
    return Error{Code::kNotFound, "no such entry"};
  auto roster = store_.roster(txn);
  if (!roster) return roster.error();
  std::uint8_t author = id_ ? id_->member : 1;
  std::string device_name = "this device";
  bool revoked = false;
  if (dev != store::kPrivateDevice) {
    const store::DeviceInfo* info = *roster ? (*roster)->device(dev) : nullptr;
    if (!info) return Error{Code::kCorrupt, "entry from a device outside the roster"};
    author = info->member;
    device_name = info->name;
    revoked = info->revoked;
  }
  const bool mine = id_ && author == id_->member;

  auto body = store_.body(txn, dev, seq);
  if (!body) return body.error();
  auto retract = store_.retract_of(txn, key);
  if (!retract) return retract.error();

  out.setId(store::entry_id(dev, seq));
  out.setAuthor(mine ? schema::Party::ME : schema::Party::PARTNER);
  if (*roster) out.setAuthorName((*roster)->member_names[author]);
  out.setDeviceName(device_name);
  out.setRecordedAt(static_cast<std::uint64_t>(Hlc::millis((*header)->hlc)));
  out.setFromRevokedDevice(revoked);
  out.setRetracted(retract->has_value());

  if (!*body) {
    // Retracted (erased) or never received in full: the header alone remains.
    out.setKind(schema::EntryKind::ANY);
    return {};
  }
  out.setNoteWithheld(!(*body)->note.has_value());
  auto parsed = store::ParsedEntry::parse((*body)->fields, (*body)->note);
  if (!parsed) return parsed.error();
  out.setKind(kind_of(parsed->reader()));
  out.setEntry(parsed->reader());

  // The newest edit's replacement is the current body.
  auto edit = store_.latest_edit(txn, key);
  if (!edit) return edit.error();
  if (*edit) {
    auto [edev, eseq] = split_key(**edit);
    auto ebody = store_.body(txn, edev, eseq);
    if (ebody && *ebody) {
      auto eparsed = store::ParsedEntry::parse((*ebody)->fields, (*ebody)->note);
      if (eparsed && eparsed->reader().hasReplacement()) {
        out.setEntry(eparsed->reader().getReplacement());
        out.setEdited(true);
        out.setNoteWithheld(!(*ebody)->note.has_value());
      }
    }
  }
  auto entry = out.getEntry();
  if (!mine) flip_perspective(entry);

  // Mutual reveal: a partner's sealed check-in shows nothing until the reader's own check-in
  // for the same period exists.
  if (!mine && entry.getKind().isCheckin() && entry.getKind().getCheckin().getSealed()) {
    bool revealed = false;
    std::string period = entry.getKind().getCheckin().getPeriod().cStr();
    auto cur = store::Cursor::open(txn, store_.tables().log);
    if (cur && id_) {
      for (auto it = cur->seek(ByteView(id_->device.data(), 8));
           it && !revealed && std::memcmp(it->key.data(), id_->device.data(), 8) == 0;
           it = cur->next()) {
        auto b = store_.body(txn, id_->device, get_be64(it->key.data() + 8));
        if (!b || !*b) continue;
        auto p = store::ParsedEntry::parse((**b).fields, std::nullopt);
        if (p && p->reader().getKind().isCheckin() &&
            std::string(p->reader().getKind().getCheckin().getPeriod()) == period) {
          revealed = true;
        }
      }
    }
    if (!revealed) {
      auto c = entry.getKind().initCheckin();
      c.setPeriod(period);
      c.setSealed(true);
      entry.setNote("");
      out.setSealedUntilPartner(true);
    }
  }
  return {};
}

}  // namespace tandem::app
