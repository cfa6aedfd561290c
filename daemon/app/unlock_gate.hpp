// The local API's front door while the key files may be locked by a passphrase.
//
// A daemon whose keys are wrapped starts locked: its socket answers, but only `status` (with
// `locked` set) and `unlock`; every other request gets the typed error `locked`, and no peer is
// dialled or served. `unlock` derives the key and, when it is the right passphrase, hands control
// back to the daemon's start-up (on_unlocked), which builds the store, the journal and the network
// and then opens the gate: from then on every request goes to the service. The socket, and every
// client connected to it, stays across the unlock. `setPassphrase` is answered here too, since the
// gate holds the key ring.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/store/keyring.hpp"

#include <functional>

namespace tandem::app {

class UnlockGate : public api::Backend {
 public:
  // Borrows `keys`; `on_unlocked` runs on the io thread once, right after a successful unlock.
  UnlockGate(store::KeyRing& keys, std::string data_dir, std::function<void()> on_unlocked)
      : keys_(keys), data_dir_(std::move(data_dir)), on_unlocked_(std::move(on_unlocked)) {}

  // From now on requests go to `service` (which must outlive the gate's use).
  void open(api::Backend& service) { service_ = &service; }

  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder response,
                         const std::shared_ptr<api::EventSink>& sink) override;

 private:
  void unlock(schema::UnlockRequest::Reader req, schema::Response::Builder out);
  void set_passphrase(schema::SetPassphraseRequest::Reader req, schema::Response::Builder out);

  store::KeyRing& keys_;
  std::string data_dir_;
  std::function<void()> on_unlocked_;
  api::Backend* service_ = nullptr;
};

}  // namespace tandem::app
