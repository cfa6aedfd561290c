// The seam between the local socket server and what serves requests (the app implements it;
// tests may plug in their own). The server owns connections and encodings; the backend never
// sees bytes.
#pragma once

#include "daemon/api/asio.hpp"
#include "proto/api.capnp.h"

#include <capnp/message.h>

#include <memory>

namespace tandem::api {

// Where a subscription's events go: one connection. Only ever used on the io_context thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Queues one whole response message (an `event` with the subscribe request's id) for the
  // client. Never blocks; a client that stops reading is disconnected once its queue passes
  // the cap.
  virtual void push(capnp::MessageBuilder& response) = 0;
  // Resolves once fewer than `bytes` of this connection's responses wait to be written, so a
  // long answer (a bundle's chunks) goes at the client's pace and never reaches the cap; false
  // once the connection has closed.
  virtual awaitable<bool> drained(std::size_t bytes) = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Serves one request on the io_context thread. Fills `response` (its id is set by the caller
  // afterwards). Never throws: every failure is an error response. `sink` lives as long as the
  // connection; a subscribe keeps a weak reference to it.
  virtual awaitable<void> handle(schema::Request::Reader request,
                                 schema::Response::Builder response,
                                 const std::shared_ptr<EventSink>& sink) = 0;
};

}  // namespace tandem::api
