// Offline bundles over the local API (bundleExport, bundleImport): the sync protocol carried in a
// file. The bytes travel over the client's socket and the client reads and writes the file: the
// daemon runs sandboxed (systemd's PrivateTmp and a read-only file system outside its data
// directory), so a path the user typed means something else, or nothing writable, to the daemon.
// Runs on the io_context thread; verification and writes run in the committer, batch by batch.
// Refused imports are logged once per kind per interval with their count (a local client can
// send forged bundles as fast as it likes), never once per refusal.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/network.hpp"
#include "daemon/base/log_limiter.hpp"
#include "daemon/store/keyring.hpp"
#include "daemon/sync/bundle.hpp"

#include <map>
#include <memory>

namespace tandem::app {

inline constexpr std::size_t kMaxImportPiece = 256 * 1024;  // bundleImport.data

class Bundles {
 public:
  // Borrows everything; all must outlive the Bundles. `keys` holds space.key. Flushes the
  // refusal log on `io` every `log_interval` (held-back counts after a burst) until stop().
  Bundles(asio::io_context& io, store::Store& store, store::Committer& committer, Journal& journal,
          Network& network, const store::KeyRing& keys,
          std::chrono::milliseconds log_interval = std::chrono::minutes(1));
  ~Bundles();
  Bundles(const Bundles&) = delete;
  Bundles& operator=(const Bundles&) = delete;

  // Stops the flush timer and reports every count still held back. Idempotent; on `io`.
  void stop();

  // Serves bundleExport and bundleImport (the device must have a space). An export pushes its
  // chunks through `sink` at the client's pace and answers bundleExported in `out`; an import
  // keeps its progress per connection (keyed by `sink`) between pieces.
  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder out,
                         const std::shared_ptr<api::EventSink>& sink);

 private:
  struct Import {
    std::weak_ptr<api::EventSink> sink;
    sync::BundleReader reader;
    store::DeviceId exporter{};
    sync::Frontier exporter_frontier;
    std::uint64_t offset = 0;  // bytes of the file received
    std::uint64_t records = 0, duplicates = 0;
  };

  awaitable<void> on_export(schema::BundleExportRequest::Reader req, std::uint32_t id,
                            schema::Response::Builder out,
                            const std::shared_ptr<api::EventSink>& sink);
  awaitable<void> on_import(schema::BundleImportRequest::Reader req, schema::Response::Builder out,
                            const std::shared_ptr<api::EventSink>& sink);
  // Verifies and commits a piece's batches exactly as a sync session does, in one durable commit;
  // stops at the first refused batch (kCorrupt with sync's reason), keeping those before it.
  awaitable<Status> merge(Import& imp, std::vector<std::vector<sync::WireRecord>> batches);
  // Counts a refused import under a fixed phrase for its kind (the client gets the details).
  void note_refusal(const Error& e);
  awaitable<void> flush_refusals();
  Result<crypto::SymmetricKey> space_key() const;
  std::optional<crypto::SymmetricKey> previous_key() const;
  Result<sync::SpaceId> space_id() const;

  store::Store& store_;
  store::Committer& committer_;
  Journal& journal_;
  Network& network_;
  const store::KeyRing& keys_;
  std::map<const api::EventSink*, std::unique_ptr<Import>> imports_;
  std::chrono::milliseconds log_interval_;
  LogLimiter refusals_;
  asio::steady_timer flush_timer_;
  bool stopped_ = false;
};

}  // namespace tandem::app
