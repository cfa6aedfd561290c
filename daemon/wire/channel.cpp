#include "daemon/wire/channel.hpp"

#include "daemon/wire/deadline.hpp"
#include "daemon/wire/frame.hpp"
#include "daemon/wire/frame_reader.hpp"

#include <array>
#include <deque>
#include <exception>
#include <optional>
#include <vector>

namespace tandem::wire {

namespace noise = crypto::noise;
using asio::as_tuple;
using asio::use_awaitable;

namespace {
constexpr std::size_t kHandshakeReadBuffer = 2048;
constexpr std::size_t kMaxFramesPerWrite = 16;
// Operations completed at once in a row before one goes through the reactor anyway, so that a
// peer whose bytes are always ready cannot keep this io_context thread from its other work.
constexpr int kMaxInARow = 16;

// Reads or writes at once when the socket is ready, sparing the timer and the reactor round trip
// of the deadline-guarded async path. Returns the bytes moved, 0 when the socket was not ready
// (or this side has run kMaxInARow times in a row, see above), or an error (kIo).
template <class Op>
Result<std::size_t> try_now(int& in_a_row, const char* what, Op op) {
  if (in_a_row >= kMaxInARow) {
    in_a_row = 0;
    return std::size_t{0};
  }
  boost::system::error_code ec;
  const std::size_t n = op(ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    in_a_row = 0;
    return std::size_t{0};
  }
  if (ec == asio::error::eof)
    return Error{Code::kIo, std::string("wire: peer closed the connection during ") + what};
  if (ec) return Error{Code::kIo, std::string("wire: ") + what + ": " + ec.message()};
  ++in_a_row;
  return n;
}

// The part of `buffers` after the first `done` bytes.
std::vector<asio::const_buffer> after(const std::vector<asio::const_buffer>& buffers,
                                      std::size_t done) {
  std::vector<asio::const_buffer> rest;
  for (const auto& b : buffers) {
    if (done >= b.size()) {
      done -= b.size();
      continue;
    }
    rest.push_back(b + done);
    done = 0;
  }
  return rest;
}
}  // namespace

struct Channel::State {
  State(tcp::socket s, noise::Transport t, crypto::PublicKey remote, ChannelOptions& o)
      : socket(std::move(s)),
        transport(std::move(t)),
        remote_static(remote),
        wake(socket.get_executor(), asio::steady_timer::time_point::max()),
        read_timeout(o.read_timeout),
        write_timeout(o.write_timeout) {
    boost::system::error_code ec;
    endpoint = socket.remote_endpoint(ec);
    // Reads and writes first try the socket at once (see try_now()); async operations are not
    // affected by this flag.
    socket.non_blocking(true, ec);
  }

  void fail_write(Error e) {
    if (!write_error) write_error = std::move(e);
    shut();
  }
  void fail_read(Error e) {
    if (!read_error) read_error = std::move(e);
    shut();
  }
  void shut() {
    boost::system::error_code ec;
    socket.close(ec);
    wake.cancel();  // wakes senders waiting for the writer
  }

  tcp::socket socket;
  noise::Transport transport;
  crypto::PublicKey remote_static;
  tcp::endpoint endpoint;

  // Reading (see receive()): the framing and decryption, without the socket.
  FrameReader reader{kDefaultReadBuffer};
  std::optional<Error> read_error;
  int reads_in_a_row = 0;  // reads that completed without suspending (see try_now())

  // Writing (see the class comment): frames waiting, sequence numbers of queued and written ones.
  asio::steady_timer wake;
  std::deque<Bytes> queue;
  std::vector<Bytes> spare;  // written frames' buffers, reused so that send() need not clear one
  int writes_in_a_row = 0;
  std::uint64_t queued = 0;
  std::uint64_t written = 0;
  bool writing = false;
  std::optional<Error> write_error;

  std::chrono::milliseconds read_timeout;
  std::chrono::milliseconds write_timeout;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t bytes_out = 0;  // wire bytes, framing and tags included
  std::uint64_t bytes_in = 0;
};

Channel::Channel(std::unique_ptr<State> state) : s_(std::move(state)) {}
Channel::Channel(Channel&&) noexcept = default;
Channel& Channel::operator=(Channel&&) noexcept = default;
Channel::~Channel() {
  if (s_) close();
}

void Channel::close() {
  if (!s_) return;
  s_->fail_read({Code::kIo, "wire: channel closed"});
  s_->fail_write({Code::kIo, "wire: channel closed"});
}

bool Channel::is_open() const {
  return s_ && s_->socket.is_open();
}
const crypto::PublicKey& Channel::remote_static() const {
  return s_->remote_static;
}
const noise::HandshakeHash& Channel::handshake_hash() const {
  return s_->transport.handshake_hash();
}
const tcp::endpoint& Channel::remote_endpoint() const {
  return s_->endpoint;
}
void Channel::set_read_timeout(std::chrono::milliseconds t) {
  s_->read_timeout = t;
}
asio::any_io_executor Channel::get_executor() const {
  return s_->socket.get_executor();
}
std::uint64_t Channel::messages_sent() const {
  return s_->sent;
}
std::uint64_t Channel::bytes_sent() const {
  return s_->bytes_out;
}
std::uint64_t Channel::bytes_received() const {
  return s_->bytes_in;
}
std::uint64_t Channel::messages_received() const {
  return s_->received;
}

awaitable<Status> Channel::send(ByteView message) {
  State& s = *s_;
  if (s.write_error) co_return *s.write_error;
  if (message.size() > kMaxMessage)
    co_return Error{Code::kTooLarge, "wire: message of " + std::to_string(message.size()) +
                                         " bytes is over " + std::to_string(kMaxMessage)};
  Bytes frame;
  if (!s.spare.empty()) {
    frame = std::move(s.spare.back());
    s.spare.pop_back();
  }
  // Every byte is overwritten below; a reused buffer of at least this size is not cleared.
  frame.resize(kFrameHeaderSize + message.size() + noise::kTagSize);
  put_frame_header(frame.data(), message.size() + noise::kTagSize);
  // Encrypted straight from the caller's bytes into the frame: no intermediate copy.
  std::uint8_t* body = frame.data() + kFrameHeaderSize;
  auto n = s.transport.encrypt({}, message,
                               std::span<std::uint8_t>(body, message.size() + noise::kTagSize));
  if (!n) {
    // Nonce exhaustion is the only way here: the session cannot send again.
    s.fail_write(n.error());
    co_return n.error();
  }
  s.queue.push_back(std::move(frame));
  const std::uint64_t mine = ++s.queued;

  if (s.writing) {
    // Another send() is the writer and will write this frame too: wait for it.
    while (s.written < mine && !s.write_error) {
      co_await s.wake.async_wait(as_tuple(use_awaitable));
    }
    if (s.written >= mine) co_return Status{};
    co_return *s.write_error;
  }

  s.writing = true;
  std::vector<asio::const_buffer> buffers;
  try {
    while (!s.queue.empty() && !s.write_error) {
      const std::size_t k = std::min(s.queue.size(), kMaxFramesPerWrite);
      buffers.clear();
      for (std::size_t i = 0; i < k; ++i) buffers.push_back(asio::buffer(s.queue[i]));
      std::size_t total = 0;
      for (const auto& b : buffers) total += b.size();
      auto now = try_now(s.writes_in_a_row, "write",
                         [&](auto& ec) { return s.socket.write_some(buffers, ec); });
      if (!now) {
        s.fail_write(now.error());
        break;
      }
      if (*now < total) {
        auto rest = after(buffers, *now);
        auto st = co_await write_all(s.socket, rest, deadline_after(s.write_timeout), "write");
        if (!st) {
          s.fail_write(st.error());
          break;
        }
      }
      for (std::size_t i = 0; i < k; ++i) {
        s.bytes_out += s.queue.front().size();
        if (s.spare.size() < kMaxFramesPerWrite) s.spare.push_back(std::move(s.queue.front()));
        s.queue.pop_front();
      }
      s.written += k;
      s.sent += k;
      s.wake.cancel();
    }
  } catch (const std::exception& e) {
    s.fail_write({Code::kIo, std::string("wire: write failed: ") + e.what()});
  }
  s.writing = false;
  if (s.write_error) {
    s.queue.clear();
    s.wake.cancel();
    if (s.written < mine) co_return *s.write_error;
  }
  co_return Status{};
}

// Frames of any size arrive in any split; s.reader (see frame_reader.hpp) frames and decrypts
// them without copies on the way, and this only moves bytes from the socket into the space it
// asks for.
awaitable<Result<Bytes>> Channel::receive() {
  State& s = *s_;
  try {
    const Deadline deadline = deadline_after(s.read_timeout);
    while (true) {
      if (s.read_error) co_return *s.read_error;
      auto message = s.reader.next(s.transport);
      if (!message) {
        s.fail_read(message.error());
        co_return message.error();
      }
      if (*message) {
        ++s.received;
        co_return std::move(**message);
      }
      const FrameReader::Space space = s.reader.space();
      const std::array<asio::mutable_buffer, 2> into{
          asio::buffer(space.first.data(), space.first.size()),
          asio::buffer(space.second.data(), space.second.size())};
      const auto bufs =
          std::span<const asio::mutable_buffer>(into.data(), space.second.empty() ? 1 : 2);
      auto n =
          try_now(s.reads_in_a_row, "read", [&](auto& ec) { return s.socket.read_some(bufs, ec); });
      if (n && *n == 0) n = co_await read_some(s.socket, bufs, deadline, "read");
      if (!n) {
        s.fail_read(n.error());
        co_return n.error();
      }
      s.bytes_in += *n;
      s.reader.filled(*n);
    }
  } catch (const std::exception& e) {
    Error err{Code::kIo, std::string("wire: read failed: ") + e.what()};
    s.fail_read(err);
    co_return err;
  }
}

awaitable<Result<Channel>> run_handshake(tcp::socket socket, Role role, ChannelOptions options) {
  auto give_up = [&socket](Error e) -> Result<Channel> {
    boost::system::error_code ec;
    socket.close(ec);
    return e;
  };
  try {
    DriverOptions d;
    d.protocol = options.protocol;
    d.role = role;
    d.prologue = options.prologue;
    d.local_static = options.local_static;
    d.local_static_public = options.local_static_public;
    d.psk = options.psk;
    d.psk_previous = options.psk_previous;
    d.authorize = options.authorize;
    d.fixed_ephemeral = options.fixed_ephemeral;
    auto driver = HandshakeDriver::create(d);
    if (!driver) co_return give_up(driver.error());

    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);  // handshake messages and small frames: no Nagle

    const Deadline deadline = deadline_after(options.handshake_timeout);
    auto first = driver->start();
    if (!first) co_return give_up(first.error());
    if (!first->empty()) {
      asio::const_buffer b = asio::buffer(*first);
      auto st = co_await write_all(socket, std::span(&b, 1), deadline, "handshake");
      if (!st) co_return give_up(st.error());
    }
    std::array<std::uint8_t, kHandshakeReadBuffer> buf;
    while (!driver->done()) {
      auto n = co_await read_some(socket, asio::buffer(buf), deadline, "handshake");
      if (!n) co_return give_up(n.error());
      auto out = driver->feed(ByteView(buf.data(), *n));
      if (!out) co_return give_up(out.error());
      if (!out->empty()) {
        asio::const_buffer b = asio::buffer(*out);
        auto st = co_await write_all(socket, std::span(&b, 1), deadline, "handshake");
        if (!st) co_return give_up(st.error());
      }
    }
    auto est = driver->finish();
    if (!est) co_return give_up(est.error());
    auto state = std::make_unique<Channel::State>(std::move(socket), std::move(est->transport),
                                                  est->remote_static, options);
    state->reader.preload(est->leftover);
    co_return Channel(std::move(state));
  } catch (const std::exception& e) {
    co_return give_up({Code::kIo, std::string("wire: handshake aborted: ") + e.what()});
  }
}

awaitable<Result<Channel>> connect(asio::any_io_executor executor, tcp::endpoint endpoint,
                                   ChannelOptions options) {
  tcp::socket socket(executor);
  try {
    auto st = co_await connect_socket(socket, endpoint, deadline_after(options.connect_timeout));
    if (!st) {
      boost::system::error_code ec;
      socket.close(ec);
      co_return st.error();
    }
  } catch (const std::exception& e) {
    boost::system::error_code ec;
    socket.close(ec);
    co_return Error{Code::kIo, std::string("wire: connect aborted: ") + e.what()};
  }
  co_return co_await run_handshake(std::move(socket), Role::kInitiator, std::move(options));
}

awaitable<Result<Channel>> accept_handshake(tcp::socket socket, ChannelOptions options) {
  co_return co_await run_handshake(std::move(socket), Role::kResponder, std::move(options));
}

}  // namespace tandem::wire
