#include "daemon/api/connection.hpp"

#include <spdlog/spdlog.h>

namespace tandem::api {

using asio::as_tuple;
using asio::use_awaitable;

namespace {
// Kinds of the rate-limited log (one line per kind per interval, with the count).
constexpr const char* kRefusedLine = "local requests refused: JSON lines over 1048576 bytes";
constexpr const char* kRefusedFrame =
    "local requests refused: Cap'n Proto frames over 1048576 bytes";
constexpr const char* kDroppedSlowReader =
    "local clients disconnected: not reading their responses";
static_assert(kMaxFrameBytes == 1048576, "the refusal kinds above name the cap");
}  // namespace

Connection::Connection(asio::local::stream_protocol::socket sock, Backend& backend,
                       const Codec& codec, std::size_t max_queued_bytes, LogLimiter* refusals)
    : sock_(std::move(sock)),
      backend_(backend),
      codec_(codec),
      max_queued_(max_queued_bytes),
      refusals_(refusals),
      progress_(sock_.get_executor()) {}

void Connection::note_refusal(const char* kind) {
  if (refusals_) {
    refusals_->note(kind, LogLimiter::Clock::now());
  } else {
    spdlog::warn("{}", kind);
  }
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  sock_.shutdown(asio::socket_base::shutdown_both, ec);
  sock_.close(ec);
  progress_.cancel();
}

awaitable<void> Connection::run() {
  auto self = shared_from_this();
  std::array<char, 16384> buf;
  while (!closed_) {
    auto [ec, n] = co_await sock_.async_read_some(asio::buffer(buf), as_tuple(use_awaitable));
    if (ec || n == 0) break;
    std::size_t i = 0;
    if (mode_ == Mode::kUnknown) {
      // A JSON request starts with '{'. Whitespace cannot decide: a Cap'n Proto frame's first byte
      // is its segment count minus one, and 9, 10, 13 and 32 are whitespace. Such bytes before a
      // '{' are skipped; a connection whose first byte is anything else speaks Cap'n Proto.
      mode_ = buf[0] == '{' ? Mode::kJson : Mode::kCapnp;
    }
    if (mode_ == Mode::kJson) {
      while (i < n && !closed_) {
        const char* start = buf.data() + i;
        const char* nl = static_cast<const char*>(std::memchr(start, '\n', n - i));
        std::size_t take = nl ? static_cast<std::size_t>(nl - start) : n - i;
        if (!discarding_line_) {
          if (line_.size() + take > kMaxFrameBytes) {
            discarding_line_ = true;
            line_.clear();
            line_.shrink_to_fit();
          } else {
            line_.append(start, take);
          }
        }
        i += take;
        if (!nl) break;
        ++i;  // the newline
        if (discarding_line_) {
          discarding_line_ = false;
          note_refusal(kRefusedLine);
          send_error(0, {Code::kTooLarge,
                         "request line over " + std::to_string(kMaxFrameBytes) + " bytes"});
          continue;
        }
        std::string line = std::move(line_);
        line_.clear();
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
        co_await serve_json(line);
      }
    } else {
      frames_.feed({reinterpret_cast<const std::uint8_t*>(buf.data()), n});
      for (;;) {
        kj::Array<capnp::word> words;
        auto r = frames_.next(words);
        if (r == proto::FrameDecoder::Result::kNeedMore) break;
        if (r == proto::FrameDecoder::Result::kTooLarge) {
          note_refusal(kRefusedFrame);
          send_error(0, {Code::kTooLarge,
                         "request frame over " + std::to_string(kMaxFrameBytes) + " bytes"});
          continue;
        }
        if (r == proto::FrameDecoder::Result::kMalformed) {
          send_error(0, {Code::kBadRequest, "malformed Cap'n Proto framing; closing"});
          co_await write_loop();
          close();
          co_return;
        }
        co_await serve_frame(words);
      }
    }
  }
  // Let queued responses drain when the client only half-closed.
  if (!closed_ && !out_.empty() && !writing_) co_await write_loop();
}

awaitable<void> Connection::serve_json(std::string_view line) {
  auto decoded = codec_.decode_json(line);
  if (auto* err = std::get_if<DecodeError>(&decoded)) {
    send_error(err->id, err->error);
    co_return;
  }
  co_await serve(std::get<RequestMessage>(decoded), true);
}

awaitable<void> Connection::serve_frame(kj::ArrayPtr<const capnp::word> words) {
  auto decoded = codec_.decode_frame(words);
  if (auto* err = std::get_if<DecodeError>(&decoded)) {
    send_error(err->id, err->error);
    co_return;
  }
  co_await serve(std::get<RequestMessage>(decoded), false);
}

awaitable<void> Connection::serve(const RequestMessage& request, bool) {
  capnp::MallocMessageBuilder msg;
  auto resp = msg.initRoot<schema::Response>();
  try {
    co_await backend_.handle(request.reader(), resp, shared_from_this());
  } catch (const std::exception& e) {
    spdlog::error("request {} failed: {}", request.id(), e.what());
    set_error(resp, request.id(), {Code::kInternal, "internal error"});
  } catch (const kj::Exception& e) {
    spdlog::error("request {} failed: {}", request.id(), e.getDescription().cStr());
    set_error(resp, request.id(), {Code::kInternal, "internal error"});
  }
  resp.setId(request.id());
  send(msg);
}

void Connection::send_error(std::uint32_t id, const Error& e) {
  capnp::MallocMessageBuilder msg;
  set_error(msg.initRoot<schema::Response>(), id, e);
  send(msg);
}

void Connection::push(capnp::MessageBuilder& response) {
  send(response);
}

awaitable<bool> Connection::drained(std::size_t bytes) {
  auto self = shared_from_this();
  while (!closed_ && queued_ >= bytes) {
    progress_.expires_after(std::chrono::seconds(5));
    co_await progress_.async_wait(as_tuple(use_awaitable));
  }
  co_return !closed_;
}

void Connection::send(capnp::MessageBuilder& response) {
  if (closed_) return;
  if (mode_ == Mode::kCapnp) {
    auto words = Codec::encode_frame(response);
    auto bytes = words.asChars();
    enqueue(std::string(bytes.begin(), bytes.size()));
  } else {
    enqueue(codec_.encode_json(response.getRoot<schema::Response>().asReader()));
  }
}

void Connection::enqueue(std::string bytes) {
  queued_ += bytes.size();
  out_.push_back(std::move(bytes));
  if (queued_ > max_queued_) {
    note_refusal(kDroppedSlowReader);
    close();
    return;
  }
  if (!writing_) {
    asio::co_spawn(
        sock_.get_executor(), [self = shared_from_this()] { return self->write_loop(); },
        asio::detached);
  }
}

awaitable<void> Connection::write_loop() {
  if (writing_) co_return;
  writing_ = true;
  auto self = shared_from_this();
  while (!out_.empty() && !closed_) {
    auto [ec, n] =
        co_await asio::async_write(sock_, asio::buffer(out_.front()), as_tuple(use_awaitable));
    if (ec) {
      close();
      break;
    }
    queued_ -= out_.front().size();
    out_.pop_front();
    progress_.cancel();
  }
  writing_ = false;
}

}  // namespace tandem::api
