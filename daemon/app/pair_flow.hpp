// What Network::pair_invite (pair_invite.cpp) and Network::pair_join (pair_join.cpp) share: the
// plain Noise_XX options of a pairing session and the pairProgress answers.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/crypto/secret.hpp"
#include "daemon/wire/channel.hpp"
#include "proto/api.capnp.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace tandem::app::pair_flow {

// How long either side waits for the other's next pairing message.
inline constexpr auto kStepTimeout = std::chrono::seconds(30);

// Options for a pairing session: plain Noise_XX (no PSK), any static key accepted (the code
// authenticates, inside), `local` borrowed until the session's handshake is done. Callers pass a
// throwaway key of this one exchange, never the device's long-term key.
wire::ChannelOptions pairing_options(const crypto::DhSecretKey& local);

// Pushes a pairProgress answer with the request's id when the client asked for them (`wanted`).
void push_progress(bool wanted, api::EventSink& sink, std::uint32_t id, schema::PairStep step,
                   const std::string& address = {});

// This machine's host name (a joining device's default name).
std::string host_name();

}  // namespace tandem::app::pair_flow
