#include "daemon/wire/handshake_driver.hpp"

#include <span>
#include <utility>

namespace tandem::wire {

namespace noise = crypto::noise;

Result<HandshakeDriver> HandshakeDriver::create(const DriverOptions& o) {
  if (o.local_static == nullptr)
    return Error{Code::kInvalidArgument, "wire: handshake needs a local static key"};
  noise::HandshakeOptions hs_options;
  hs_options.protocol_name = o.protocol;
  hs_options.role = o.role;
  hs_options.prologue = as_bytes(o.prologue);
  hs_options.local_static = o.local_static;
  hs_options.local_static_public = o.local_static_public;
  hs_options.fixed_ephemeral = o.fixed_ephemeral;
  if (o.psk != nullptr) hs_options.psks = std::span<const crypto::SymmetricKey>(o.psk, 1);
  // The engine checks that the PSK count matches the pattern (kInvalidArgument otherwise).
  auto hs = noise::HandshakeState::create(hs_options);
  if (!hs) return hs.error();
  HandshakeDriver driver(std::move(hs).value(), o.role, o.authorize);
  if (o.psk_previous != nullptr && o.psk != nullptr && o.role == Role::kResponder) {
    hs_options.psks = std::span<const crypto::SymmetricKey>(o.psk_previous, 1);
    auto previous = noise::HandshakeState::create(hs_options);
    if (!previous) return previous.error();
    driver.previous_.emplace(std::move(previous).value());
  }
  return driver;
}

Result<Bytes> HandshakeDriver::read_first_or_previous(ByteView frame) {
  auto payload = hs_.read_message(frame);
  if (payload || !previous_ || messages_ != 0 || payload.error().code != Code::kAuth) {
    previous_.reset();
    return payload;
  }
  auto again = previous_->read_message(frame);
  if (again) hs_ = std::move(*previous_);
  previous_.reset();
  if (!again) return payload.error();
  return again;
}

HandshakeDriver::HandshakeDriver(noise::HandshakeState hs, Role role, Authorize authorize)
    : hs_(std::move(hs)), role_(role), authorize_(std::move(authorize)) {}

Error HandshakeDriver::fail(Error e) {
  failure_ = e;
  return e;
}

Status HandshakeDriver::append_next_message(Bytes& out) {
  auto message = hs_.write_message({});
  if (!message) return fail(message.error());
  if (message->size() >
      kMaxHandshakeFrame)  // cannot happen with empty payloads; keep the cap honest
    return fail({Code::kInternal, "wire: handshake message over the frame cap"});
  const std::size_t at = out.size();
  out.resize(at + kFrameHeaderSize);
  put_frame_header(out.data() + at, message->size());
  out.insert(out.end(), message->begin(), message->end());
  ++messages_;
  return {};
}

Status HandshakeDriver::check_remote() {
  if (authorized_ || !hs_.remote_static()) return {};
  authorized_ = true;
  if (authorize_ && !authorize_(*hs_.remote_static()))
    return fail({Code::kForbidden, "wire: the peer's static key is not authorized"});
  return {};
}

Result<Bytes> HandshakeDriver::start() {
  if (failure_) return *failure_;
  if (started_) return Error{Code::kInvalidArgument, "wire: handshake already started"};
  started_ = true;
  Bytes out;
  while (hs_.is_my_turn()) TANDEM_TRY(append_next_message(out));
  return out;
}

Result<Bytes> HandshakeDriver::feed(ByteView bytes) {
  if (failure_) return *failure_;
  if (!started_) return Error{Code::kInvalidArgument, "wire: feed() before start()"};
  Bytes out;
  while (!bytes.empty() && !done_) {
    auto used = parser_.consume(bytes);
    if (!used) return fail(used.error());
    bytes = bytes.subspan(*used);
    auto frame = parser_.frame();
    if (!frame) continue;
    if (hs_.is_my_turn() || hs_.is_finished())  // unreachable: this side writes as soon as it may
      return fail({Code::kInternal, "wire: handshake message out of turn"});
    auto payload = read_first_or_previous(*frame);
    if (!payload) {
      Error e = payload.error();
      e.message = "wire: handshake message " + std::to_string(messages_ + 1) + ": " + e.message;
      return fail(std::move(e));
    }
    // Payloads are empty in tandem's handshakes; one from another implementation is ignored, as
    // nothing may be trusted before the handshake ends anyway.
    parser_.pop();
    ++messages_;
    TANDEM_TRY(check_remote());
    while (hs_.is_my_turn()) TANDEM_TRY(append_next_message(out));
    done_ = hs_.is_finished();
  }
  if (done_ && !bytes.empty()) leftover_.insert(leftover_.end(), bytes.begin(), bytes.end());
  return out;
}

Result<Established> HandshakeDriver::finish() {
  if (failure_) return *failure_;
  if (!done_) return Error{Code::kInvalidArgument, "wire: handshake not finished"};
  if (finished_) return Error{Code::kInvalidArgument, "wire: finish() called twice"};
  if (!hs_.remote_static()) return Error{Code::kInternal, "wire: no remote static key"};
  auto transport = hs_.split();
  if (!transport) return transport.error();
  finished_ = true;
  return Established{std::move(transport).value(), *hs_.remote_static(), std::move(leftover_)};
}

}  // namespace tandem::wire
