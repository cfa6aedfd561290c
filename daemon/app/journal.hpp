// The journal: tandemd's implementation of the local API backend. It validates requests, turns
// them into store operations run by the group committer, and answers with entry views in the
// reader's point of view. Runs on the io_context thread; store writes run on the committer's.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/app/snapshot_cache.hpp"
#include "daemon/base/clock.hpp"
#include "daemon/insight/snapshot.hpp"
#include "daemon/store/committer.hpp"
#include "daemon/store/keyring.hpp"
#include "daemon/store/store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tandem::app {

struct Identity {
  store::DeviceId device{};
  std::uint8_t member = 0;
  crypto::SignSecretKey sign;
  crypto::DhSecretKey dh;
};

// tandemd's version as `status` reports it.
inline constexpr const char* kDaemonVersion = "0.1.0";

class Journal final : public api::Backend {
 public:
  // Borrows everything; all must outlive the Journal. `keys` holds the secret key files.
  Journal(store::Store& store, store::Committer& committer, const Clock& clock,
          const store::KeyRing& keys, std::string data_dir);

  // Loads this device's identity if the space exists. kCorrupt/kIo when the keys do not match
  // the store.
  Status load();

  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder response,
                         const std::shared_ptr<api::EventSink>& sink) override;

  // Tells subscribers about a record that arrived from a peer (or was written here).
  void announce(const store::RecordKey& key, bool changed) { publish(key, changed); }
  // Called after every local append (the network pushes it to connected peers at once).
  void set_on_append(std::function<void()> f) { on_append_ = std::move(f); }

  // This device's identity; nullptr before init or join. Valid until the next load().
  const Identity* identity() const { return id_ ? &*id_ : nullptr; }

  // Builds the report snapshot (snapshot_cache.hpp) on a thread of its own, so the daemon serves
  // peers and requests meanwhile; reports wait for it. Once built, it is handed over on
  // `executor` (the io_context's). The first report starts it: a daemon that is never asked for a
  // report never holds one (at a million entries it is 80 MiB). Does nothing before init or join,
  // or while a build runs.
  void start_snapshot(asio::any_io_executor executor);
  // Brings the report snapshot up to date with the store, if it is built: called after local
  // appends and after each batch a peer's records were merged from. Logs and drops it on a store
  // error (the next report builds it again).
  void refresh_snapshot();

 private:
  awaitable<Status> commit(store::Committer::Op op);
  awaitable<void> on_status(schema::Response::Builder out);
  awaitable<void> on_init(schema::InitRequest::Reader req, schema::Response::Builder out);
  awaitable<void> on_add(schema::Entry::Reader entry, schema::Response::Builder out);
  awaitable<void> on_get(schema::GetRequest::Reader req, schema::Response::Builder out);
  awaitable<void> on_list(schema::ListRequest::Reader req, schema::Response::Builder out);
  awaitable<void> on_export(schema::ExportRequest::Reader req, schema::Response::Builder out);
  awaitable<void> on_edit(schema::EditRequest::Reader req, schema::Response::Builder out);
  awaitable<void> on_retract(schema::RetractRequest::Reader req, schema::Response::Builder out);
  awaitable<void> on_appreciate(schema::AppreciateRequest::Reader req,
                                schema::Response::Builder out);
  awaitable<void> on_report(schema::ReportRequest::Reader req, schema::Response::Builder out);
  void on_subscribe(std::uint32_t id, const std::shared_ptr<api::EventSink>& sink,
                    schema::Response::Builder out);

  // Appends one entry of this device (already normalised by the caller) (shared/aggregate to the
  // signed log, private to the local one) and answers with its view; publishes the event.
  awaitable<void> append_entry(schema::Entry::Reader entry, schema::Response::Builder out,
                               std::optional<store::RecordKey> changes = {});
  // Writes the view of `key` into `out`; kNotFound when there is no such entry.
  Status view(const store::Txn& txn, const store::RecordKey& key,
              schema::EntryView::Builder out) const;
  void publish(const store::RecordKey& key, bool changed);
  std::string today() const;

  store::Store& store_;
  store::Committer& committer_;
  const Clock& clock_;
  Hlc hlc_;  // ticked on the committer thread only
  const store::KeyRing& keys_;
  std::string data_dir_;
  std::optional<Identity> id_;
  struct Subscriber {
    std::weak_ptr<api::EventSink> sink;
    std::uint32_t id;
  };
  std::vector<Subscriber> subscribers_;
  std::function<void()> on_append_;
  // The report snapshot: absent until built; `snapshot_building_` while the start-up thread works,
  // `snapshot_ready_` (a timer that never fires by itself) is cancelled to wake waiting reports.
  std::optional<SnapshotCache> snapshot_;
  bool snapshot_building_ = false;
  std::unique_ptr<asio::steady_timer> snapshot_ready_;
  std::unique_ptr<asio::steady_timer> trim_timer_;  // gives memory back after a report
  std::jthread snapshot_builder_;                   // last member: joined before the rest goes
};

}  // namespace tandem::app
