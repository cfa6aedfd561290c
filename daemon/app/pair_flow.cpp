#include "daemon/app/pair_flow.hpp"

#include <capnp/message.h>
#include <unistd.h>

namespace tandem::app::pair_flow {

wire::ChannelOptions pairing_options(const crypto::DhSecretKey& local) {
  wire::ChannelOptions o;
  o.protocol = std::string(wire::kPairingProtocol);
  o.prologue = std::string(wire::kPairingPrologue);
  o.local_static = &local;
  o.psk = nullptr;
  o.authorize = [](const crypto::PublicKey&) { return true; };  // the code authenticates, in CPace
  o.read_timeout = kStepTimeout;
  return o;
}

void push_progress(bool wanted, api::EventSink& sink, std::uint32_t id, schema::PairStep step,
                   const std::string& address) {
  if (!wanted) return;
  capnp::MallocMessageBuilder msg;
  auto r = msg.initRoot<schema::Response>();
  r.setId(id);
  auto p = r.initPairProgress();
  p.setStep(step);
  p.setAddress(address);
  sink.push(msg);
}

std::string host_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace tandem::app::pair_flow
