#include "daemon/app/service.hpp"

#include "daemon/api/codec.hpp"

namespace tandem::app {

using schema::Request;

awaitable<void> Service::handle(Request::Reader req, schema::Response::Builder out,
                                const std::shared_ptr<api::EventSink>& sink) {
  switch (req.which()) {
    case Request::PAIR_JOIN:
      co_await network_.handle(req, out, sink);
      break;
    case Request::PAIR_INVITE:
    case Request::PEERS:
    case Request::PEER_ADD:
    case Request::PEER_REMOVE:
    case Request::PEER_LIST:
    case Request::REVOKE_DEVICE:
    case Request::BUNDLE_EXPORT:
    case Request::BUNDLE_IMPORT:
      if (!journal_.identity()) {
        api::set_error(out, 0,
                       {Code::kNotInitialized,
                        "this device has no journal yet: run `tandem init --name NAME` or "
                        "`tandem pair join CODE --name NAME`"});
        break;
      }
      if (req.isBundleExport() || req.isBundleImport()) {
        co_await bundles_.handle(req, out, sink);
      } else {
        co_await network_.handle(req, out, sink);
      }
      break;
    default:
      co_await journal_.handle(req, out, sink);
      if (req.isInit() && out.isInit()) {
        if (auto st = network_.start(); !st) {
          api::set_error(out, 0,
                         {st.error().code, "the journal was created, but peers cannot connect: " +
                                               st.error().message});
        }
      }
      if (out.isStatus()) {
        auto st = out.getStatus();
        st.setListen(network_.listen_address());
        auto forks = st.initForks(static_cast<unsigned>(network_.forks().size()));
        unsigned i = 0;
        for (const auto& f : network_.forks()) forks.set(i++, f);
      }
      break;
  }
}

}  // namespace tandem::app
