// tandemd's local API backend: the journal's requests go to the Journal, pairing and peers to the
// Network. The one place that knows which requests work before a space exists.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/network.hpp"

namespace tandem::app {

class Service final : public api::Backend {
 public:
  // Borrows both; they must outlive the Service.
  Service(Journal& journal, Network& network) : journal_(journal), network_(network) {}

  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder response,
                         const std::shared_ptr<api::EventSink>& sink) override;

 private:
  Journal& journal_;
  Network& network_;
};

}  // namespace tandem::app
