#include "daemon/app/bundles.hpp"

#include "daemon/api/codec.hpp"
#include "daemon/app/commit.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/sync/known.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace tandem::app {

namespace {

// Unsent bytes an export lets queue up on its connection before it waits for the client.
constexpr std::size_t kExportHighWater = 1 << 20;

// Answers a refused bundle: another space's bundle is `forbidden`; what does not verify (not a
// bundle, altered, truncated, reordered, a refused record) is `badBundle`.
void set_bundle_error(schema::Response::Builder out, const Error& e) {
  if (e.code == Code::kForbidden || e.code == Code::kStorageFull || e.code == Code::kIo ||
      e.code == Code::kUnavailable || e.code == Code::kInternal) {
    api::set_error(out, 0, e);
    return;
  }
  auto err = out.initError();
  err.setCode(schema::ErrorCode::BAD_BUNDLE);
  err.setMessage(e.message);
}

// The device `text` names: its id in hex, or its name when exactly one device has it.
Result<store::DeviceId> find_device(const store::Roster& roster, const std::string& text) {
  const store::DeviceInfo* found = nullptr;
  for (const auto& d : roster.devices) {
    if (to_hex(d.id) == text) return d.id;
  }
  for (const auto& d : roster.devices) {
    if (d.name != text) continue;
    if (found) {
      return Error{Code::kInvalidArgument,
                   "two devices are called '" + text + "': give the device id (tandem peers)"};
    }
    found = &d;
  }
  if (!found) return Error{Code::kNotFound, "no device '" + text + "' in this space"};
  return found->id;
}

}  // namespace

Bundles::Bundles(asio::io_context& io, store::Store& store, store::Committer& committer,
                 Journal& journal, Network& network, const store::KeyRing& keys,
                 std::chrono::milliseconds log_interval)
    : store_(store),
      committer_(committer),
      journal_(journal),
      network_(network),
      keys_(keys),
      log_interval_(log_interval),
      refusals_(log_interval),
      flush_timer_(io) {
  asio::co_spawn(io, flush_refusals(), asio::detached);
}

Bundles::~Bundles() {
  stop();
}

void Bundles::stop() {
  if (stopped_) return;
  stopped_ = true;
  flush_timer_.cancel();
  refusals_.flush(LogLimiter::Clock::now(), /*force=*/true);
}

awaitable<void> Bundles::flush_refusals() {
  while (!stopped_) {
    flush_timer_.expires_after(log_interval_);
    co_await flush_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!stopped_) refusals_.flush(LogLimiter::Clock::now());
  }
}

void Bundles::note_refusal(const Error& e) {
  spdlog::debug("refused a bundle: {}", e.message);  // the client was answered with the reason
  std::string kind;
  switch (e.code) {
    case Code::kForbidden:
      kind = "bundle imports refused: another space's bundle";
      break;
    case Code::kStorageFull:
    case Code::kIo:
    case Code::kUnavailable:
    case Code::kInternal:  // this device's trouble, not the bundle's
      kind = std::string("bundle imports failed: ") + code_name(e.code);
      break;
    default:
      kind = "bundle imports refused: not a bundle, or altered, truncated or forged (badBundle)";
      break;
  }
  refusals_.note(kind, LogLimiter::Clock::now());
}

Result<crypto::SymmetricKey> Bundles::space_key() const {
  return keys_.read<32>("space.key");
}

std::optional<crypto::SymmetricKey> Bundles::previous_key() const {
  auto key = keys_.read<32>("space.prev.key");
  if (!key) return std::nullopt;  // no rotation yet (or unreadable: only the current key opens)
  return std::move(*key);
}

Result<sync::SpaceId> Bundles::space_id() const {
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) return txn.error();
  auto roster = store_.roster(*txn);
  if (!roster) return roster.error();
  if (!*roster) return Error{Code::kNotInitialized, "this device has no space yet"};
  return (*roster)->space_id;
}

awaitable<void> Bundles::handle(schema::Request::Reader req, schema::Response::Builder out,
                                const std::shared_ptr<api::EventSink>& sink) {
  if (req.isBundleExport()) {
    co_await on_export(req.getBundleExport(), req.getId(), out, sink);
  } else {
    co_await on_import(req.getBundleImport(), out, sink);
  }
}

awaitable<void> Bundles::on_export(schema::BundleExportRequest::Reader req, std::uint32_t id,
                                   schema::Response::Builder out,
                                   const std::shared_ptr<api::EventSink>& sink) {
  const Identity* me = journal_.identity();
  auto key = space_key();
  auto space = space_id();
  if (!key || !space) {
    api::set_error(out, 0, !key ? key.error() : space.error());
    co_return;
  }
  // What goes in: every shared log, from what the target is known to hold. Logs in the order
  // their devices joined (the oldest first record first), so that the roster records admitting a
  // device reach the importer before that device's own records do.
  std::optional<store::DeviceId> target;
  sync::Frontier held, mine;
  std::vector<std::pair<std::uint64_t, store::DeviceId>> order;
  {
    auto txn = store::Txn::begin_read(store_.env());
    if (!txn) {
      api::set_error(out, 0, txn.error());
      co_return;
    }
    auto roster = store_.roster(*txn);
    auto f = sync::frontier(store_, *txn);
    if (!roster || !*roster || !f) {
      api::set_error(out, 0, !f ? f.error() : Error{Code::kInternal, "no roster"});
      co_return;
    }
    mine = std::move(*f);
    const std::string for_text = req.getForDevice().cStr();
    if (!for_text.empty()) {
      auto dev = find_device(**roster, for_text);
      if (!dev) {
        api::set_error(out, 0, dev.error());
        co_return;
      }
      if (*dev == me->device) {
        api::set_error(out, 0, {Code::kInvalidArgument, "that is this device"});
        co_return;
      }
      target = *dev;
      auto known = sync::known_frontier(store_, *txn, *dev);
      if (known) held = std::move(*known);
      held[*dev] = UINT64_MAX;  // a device holds every record it wrote
    }
    for (const auto& [dev, seq] : mine) {
      auto first = store_.header(*txn, dev, 1);
      order.emplace_back(first && *first ? (*first)->hlc : 0, dev);
    }
    std::sort(order.begin(), order.end());
  }

  sync::BundleWriter writer(*key, *space, me->device);
  std::uint64_t bytes = 0;
  auto push = [&](Bytes chunk) -> awaitable<bool> {
    capnp::MallocMessageBuilder msg;
    auto resp = msg.initRoot<schema::Response>();
    resp.setId(id);
    resp.initBundleChunk().setData({chunk.data(), chunk.size()});
    bytes += chunk.size();
    sink->push(msg);
    co_return co_await sink->drained(kExportHighWater);
  };
  if (!co_await push(writer.start(mine))) co_return;  // the client left
  for (const auto& [hlc, dev] : order) {
    std::uint64_t after = held.count(dev) ? held.at(dev) : 0;
    while (after < mine.at(dev)) {
      // A fresh read transaction per batch: none is held across the wait for the client.
      Result<std::vector<sync::WireRecord>> recs = Error{Code::kInternal, ""};
      {
        auto txn = store::Txn::begin_read(store_.env());
        if (!txn) {
          api::set_error(out, 0, txn.error());
          co_return;
        }
        recs = sync::collect(store_, *txn, dev, after);
      }
      if (!recs) {
        api::set_error(out, 0, recs.error());
        co_return;
      }
      if (recs->empty()) break;
      after = recs->back().header.seq;
      if (!co_await push(writer.batch(*recs))) co_return;
    }
  }
  if (!co_await push(writer.finish())) co_return;
  auto done = out.initBundleExported();
  done.setRecords(writer.records());
  done.setBytes(bytes);
  if (target) done.setForDevice(to_hex(*target));
  spdlog::info("wrote a bundle of {} records ({} bytes){}", writer.records(), bytes,
               target ? " for " + to_hex(*target) : "");
}

awaitable<Status> Bundles::merge(Import& imp, std::vector<std::vector<sync::WireRecord>> batches) {
  std::vector<store::RecordKey> stored;
  std::optional<Error> refused;
  std::uint64_t offered = 0;
  bool roster_changed = false;
  // One durable commit for the batches of a piece; each is verified after the ones before it
  // and a refused batch stores nothing, exactly as in a sync session. What verified before the
  // refused batch stays: it is valid, signed history.
  Status st = co_await commit_op(committer_, [&, this](store::Txn& txn) -> Status {
    for (const auto& records : batches) {
      if (auto v = sync::verify_batch(store_, txn, records); !v) {
        refused = v.error();
        return {};
      }
      auto r = sync::apply_batch(store_, txn, records);
      if (!r) return r.error();
      offered += records.size();
      stored.insert(stored.end(), r->begin(), r->end());
      for (const auto& rec : records)
        roster_changed |= (rec.header.flags & store::kFlagRoster) != 0;
    }
    return {};
  });
  if (!st) co_return st;
  imp.records += stored.size();
  imp.duplicates += offered - stored.size();
  for (const auto& key : stored) journal_.announce(key, false);
  if (!stored.empty()) network_.records_added();  // relay to connected peers
  if (roster_changed) co_await network_.roster_changed();
  // A refused record is a bad bundle, whatever the reason sync gives (kForbidden included).
  if (refused)
    co_return Error{Code::kCorrupt, "a record in the bundle was refused: " + refused->message};
  co_return Status{};
}

awaitable<void> Bundles::on_import(schema::BundleImportRequest::Reader req,
                                   schema::Response::Builder out,
                                   const std::shared_ptr<api::EventSink>& sink) {
  std::erase_if(imports_, [](const auto& kv) { return kv.second->sink.expired(); });
  const auto data = req.getData();
  if (data.size() > kMaxImportPiece) {
    api::set_error(out, 0,
                   {Code::kTooLarge, "a bundleImport piece holds at most " +
                                         std::to_string(kMaxImportPiece) + " bytes"});
    co_return;
  }
  if (req.getOffset() == 0) {
    auto key = space_key();
    auto space = space_id();
    if (!key || !space) {
      api::set_error(out, 0, !key ? key.error() : space.error());
      co_return;
    }
    auto previous = previous_key();
    imports_[sink.get()] = std::unique_ptr<Import>(new Import{
        sink, sync::BundleReader(*key, *space, previous ? &*previous : nullptr), {}, {}, 0, 0, 0});
  }
  auto it = imports_.find(sink.get());
  if (it == imports_.end() || it->second->offset != req.getOffset()) {
    api::set_error(out, 0,
                   {Code::kInvalidArgument, "no import on this connection continues at offset " +
                                                std::to_string(req.getOffset()) +
                                                ": start with the file's first bytes"});
    co_return;
  }
  Import& imp = *it->second;
  auto fail = [&](const Error& e) {
    note_refusal(e);
    set_bundle_error(out, e);
    imports_.erase(sink.get());
  };
  imp.reader.feed({data.begin(), data.size()});
  imp.offset += data.size();
  std::vector<std::vector<sync::WireRecord>> batches;
  Status problem;
  for (;;) {
    auto item = imp.reader.next();
    if (!item) {
      problem = item.error();
      break;
    }
    if (item->kind == sync::BundleItem::Kind::kNeedMore) break;
    if (item->kind == sync::BundleItem::Kind::kFrontier) {
      imp.exporter = item->exporter;
      imp.exporter_frontier = std::move(item->frontier);
    } else if (item->kind == sync::BundleItem::Kind::kBatch && !item->records.empty()) {
      batches.push_back(std::move(item->records));
    }
  }
  // Batches that opened before a bad chunk are merged: each verifies on its own.
  if (!batches.empty()) {
    if (auto st = co_await merge(imp, std::move(batches)); !st) {
      fail(st.error());
      co_return;
    }
  }
  if (!problem) {
    fail(problem.error());
    co_return;
  }
  if (req.getLast()) {
    if (auto st = imp.reader.finish(); !st) {
      fail(st.error());
      co_return;
    }
    // Learn what the exporter held, so a bundle written back for it leaves that out.
    const store::DeviceId exporter = imp.exporter;
    const sync::Frontier seen = imp.exporter_frontier;
    const bool mine = journal_.identity() && exporter == journal_.identity()->device;
    Status st = co_await commit_op(committer_, [&, this](store::Txn& txn) -> Status {
      auto roster = store_.roster(txn);
      if (mine || !roster || !*roster || !(*roster)->device(exporter)) return {};
      return sync::remember_frontier(store_, txn, exporter, seen);
    });
    if (!st) spdlog::warn("could not remember a bundle's frontier: {}", st.error().message);
  }
  auto r = out.initBundleImported();
  r.setRecords(imp.records);
  r.setDuplicates(imp.duplicates);
  r.setBytes(imp.offset);
  r.setDone(req.getLast());
  r.setFromDevice(to_hex(imp.exporter));
  if (req.getLast()) {
    spdlog::info("imported a bundle from {}: {} new records, {} held already", to_hex(imp.exporter),
                 imp.records, imp.duplicates);
    imports_.erase(sink.get());
  }
}

}  // namespace tandem::app
