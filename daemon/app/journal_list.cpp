// Journal::on_list and on_export: paging through the recording-order index.
#include "daemon/api/codec.hpp"
#include "daemon/app/entry_rules.hpp"
#include "daemon/app/journal.hpp"

#include <cstring>

namespace tandem::app {

namespace {

constexpr std::uint32_t kDefaultLimit = 100;
constexpr std::uint32_t kMaxLimit = 1000;

struct Filter {
  schema::EntryKind kind = schema::EntryKind::ANY;
  schema::Dimension dimension = schema::Dimension::UNSET;
  schema::Party actor = schema::Party::UNSET;
  std::string since, until;
  bool include_retracted = false;
  bool include_actions = false;  // edit and retract records themselves

  bool keep(schema::EntryView::Reader v) const {
    if (v.getRetracted() && !include_retracted) return false;
    // A header whose body is gone: a retracted entry (shown on request) or an erased edit.
    if (v.getKind() == schema::EntryKind::ANY) {
      return v.getRetracted() && include_retracted && kind == schema::EntryKind::ANY;
    }
    if ((v.getKind() == schema::EntryKind::EDIT || v.getKind() == schema::EntryKind::RETRACT) &&
        !include_actions && kind != v.getKind()) {
      return false;
    }
    if (kind != schema::EntryKind::ANY && v.getKind() != kind) return false;
    auto e = v.getEntry();
    if (dimension != schema::Dimension::UNSET && e.getDimension() != dimension) return false;
    if (actor != schema::Party::UNSET) {
      auto a = main_actor(e);
      if (a == schema::Party::ME && v.getAuthor() == schema::Party::PARTNER)
        a = schema::Party::PARTNER;
      if (a != actor && a != schema::Party::BOTH) return false;
    }
    std::string_view date(e.getDate().cStr(), e.getDate().size());
    if (!since.empty() && date < since) return false;
    if (!until.empty() && date > until) return false;
    return true;
  }
};

// Pages through `order` from the cursor (exclusive), newest first or oldest first, keeping the
// views the filter accepts.
template <class ViewFn>
Status page(const store::Store& store, const store::Txn& txn, const Filter& filter,
            std::string_view cursor_hex, std::uint32_t limit, bool newest_first, ViewFn&& view,
            schema::EntryList::Builder out) {
  auto cur = store::Cursor::open(txn, store.tables().order);
  if (!cur) return cur.error();
  std::optional<store::Cursor::Item> it;
  Bytes from;
  if (!cursor_hex.empty()) {
    auto b = from_hex(cursor_hex);
    if (!b || b->size() != 24) return Error{Code::kInvalidArgument, "malformed cursor"};
    from = *b;
    it = cur->seek(from);
    if (newest_first) {
      it = it ? cur->prev() : cur->last();
    } else if (it && std::equal(it->key.begin(), it->key.end(), from.begin(), from.end())) {
      it = cur->next();
    }
  } else {
    it = newest_first ? cur->last() : cur->first();
  }
  capnp::MallocMessageBuilder scratch;
  std::vector<capnp::Orphan<schema::EntryView>> kept;
  Bytes last_key;
  bool more = false;
  for (; it; it = newest_first ? cur->prev() : cur->next()) {
    if (kept.size() == limit) {
      more = true;
      break;
    }
    store::RecordKey key;
    std::memcpy(key.data(), it->key.data() + 8, 16);
    last_key.assign(it->key.begin(), it->key.end());
    auto orphan = scratch.getOrphanage().newOrphan<schema::EntryView>();
    if (!view(txn, key, orphan.get())) continue;  // roster records and the unreadable
    if (!filter.keep(orphan.getReader())) continue;
    kept.push_back(std::move(orphan));
  }
  auto list = out.initEntries(static_cast<unsigned>(kept.size()));
  for (unsigned i = 0; i < kept.size(); ++i) list.setWithCaveats(i, kept[i].getReader());
  if (more) out.setNextCursor(to_hex(last_key));
  return {};
}

// Answers one page of `list` or `export` in `out`.
template <class ViewFn>
void answer_page(const store::Store& store, ViewFn&& view, const Filter& f,
                 capnp::Text::Reader cursor, std::uint32_t limit, bool newest_first,
                 schema::Response::Builder out) {
  auto txn = store::Txn::begin_read(store.env());
  if (!txn) {
    api::set_error(out, 0, txn.error());
    return;
  }
  auto st = page(store, *txn, f, std::string_view(cursor.cStr(), cursor.size()), limit,
                 newest_first, view, out.initList());
  if (!st) api::set_error(out, 0, st.error());
}

}  // namespace

awaitable<void> Journal::on_list(schema::ListRequest::Reader req, schema::Response::Builder out) {
  Filter f;
  f.kind = req.getKind();
  f.dimension = req.getDimension();
  f.actor = req.getActor();
  f.since = req.getSince();
  f.until = req.getUntil();
  f.include_retracted = req.getIncludeRetracted();
  if ((!f.since.empty() && !valid_iso_date(f.since)) ||
      (!f.until.empty() && !valid_iso_date(f.until))) {
    api::set_error(out, 0, {Code::kInvalidArgument, "since and until must be ISO dates"});
    co_return;
  }
  if (static_cast<unsigned>(f.kind) > static_cast<unsigned>(schema::EntryKind::RETRACT) ||
      static_cast<unsigned>(f.dimension) > static_cast<unsigned>(schema::Dimension::MAINTENANCE) ||
      static_cast<unsigned>(f.actor) > static_cast<unsigned>(schema::Party::BOTH)) {
    api::set_error(out, 0, {Code::kInvalidArgument, "unknown value in a filter"});
    co_return;
  }
  std::uint32_t limit = req.getLimit() == 0 ? kDefaultLimit : std::min(req.getLimit(), kMaxLimit);
  answer_page(
      store_, [this](const auto& t, const auto& k, auto b) { return view(t, k, b); }, f,
      req.getCursor(), limit, /*newest_first=*/true, out);
  co_return;
}

awaitable<void> Journal::on_export(schema::ExportRequest::Reader req,
                                   schema::Response::Builder out) {
  Filter f;
  f.include_retracted = true;
  f.include_actions = true;
  std::uint32_t limit = req.getLimit() == 0 ? kMaxLimit : std::min(req.getLimit(), kMaxLimit);
  answer_page(
      store_, [this](const auto& t, const auto& k, auto b) { return view(t, k, b); }, f,
      req.getCursor(), limit, /*newest_first=*/false, out);
  co_return;
}

}  // namespace tandem::app
