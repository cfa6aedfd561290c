// tandemd's local API backend: the journal's requests go to the Journal, pairing and peers to the
// Network. The one place that knows which requests work before a space exists.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/app/bundles.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/network.hpp"

namespace tandem::app {

class Service final : public api::Backend {
 public:
  // Borrows all three; they must outlive the Service.
  Service(Journal& journal, Network& network, Bundles& bundles)
      : journal_(journal), network_(network), bundles_(bundles) {}

  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder response,
                         const std::shared_ptr<api::EventSink>& sink) override;

 private:
  Journal& journal_;
  Network& network_;
  Bundles& bundles_;
};

}  // namespace tandem::app
