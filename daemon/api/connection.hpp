// One local client connection: a coroutine that owns its socket, decodes requests through the
// Codec gate, awaits the backend, and writes responses through a single writer queue.
#pragma once

#include "daemon/api/asio.hpp"
#include "daemon/api/backend.hpp"
#include "daemon/api/codec.hpp"
#include "daemon/base/log_limiter.hpp"
#include "proto/framing.hpp"

#include <deque>
#include <memory>
#include <string>

namespace tandem::api {

class Connection final : public EventSink, public std::enable_shared_from_this<Connection> {
 public:
  // shared_ptr because subscriptions hold weak references to the sink and the writer coroutine
  // must outlive a reader that has returned. `refusals` (borrowed, may be null; the server's, on
  // the same executor) counts oversized requests and clients dropped for not reading.
  Connection(asio::local::stream_protocol::socket sock, Backend& backend, const Codec& codec,
             std::size_t max_queued_bytes, LogLimiter* refusals = nullptr);

  // Reads and serves requests until the client leaves or close() is called.
  awaitable<void> run();
  void close();
  void push(capnp::MessageBuilder& response) override;
  awaitable<bool> drained(std::size_t bytes) override;

 private:
  enum class Mode { kUnknown, kJson, kCapnp };
  awaitable<void> serve_json(std::string_view line);
  awaitable<void> serve_frame(kj::ArrayPtr<const capnp::word> words);
  awaitable<void> serve(const RequestMessage& request, bool json);
  void send_error(std::uint32_t id, const Error& e);
  void send(capnp::MessageBuilder& response);
  void enqueue(std::string bytes);
  void note_refusal(const char* kind);
  awaitable<void> write_loop();

  asio::local::stream_protocol::socket sock_;
  Backend& backend_;
  const Codec& codec_;
  std::size_t max_queued_;
  LogLimiter* refusals_;
  Mode mode_ = Mode::kUnknown;
  proto::FrameDecoder frames_{kMaxFrameBytes};
  std::string line_;
  bool discarding_line_ = false;
  std::deque<std::string> out_;
  std::size_t queued_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  asio::steady_timer progress_;  // cancelled whenever the writer finishes a write or closes
};

}  // namespace tandem::api
