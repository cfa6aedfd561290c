#include "daemon/wire/channel.hpp"

#include "daemon/wire/deadline.hpp"
#include "daemon/wire/frame.hpp"

#include <array>
#include <cstring>
#include <deque>
#include <exception>
#include <optional>
#include <vector>

namespace tandem::wire {

namespace noise = crypto::noise;
using asio::as_tuple;
using asio::use_awaitable;

namespace {
constexpr std::size_t kReadBuffer = 16 * 1024;
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

  // Decrypts one frame's payload into a new message. The payload may lie in rbuf (out of place)
  // or be `body` itself (in place).
  Result<Bytes> open(ByteView payload) {
    Bytes out(payload.size() - noise::kTagSize);
    auto n = transport.decrypt({}, payload, std::span<std::uint8_t>(out));
    if (!n) {
      fail_read(n.error());
      return n.error();
    }
    ++received;
    return out;
  }
  Result<Bytes> open_body() {
    Bytes frame = std::move(body);
    body = Bytes();
    in_body = false;
    auto n = transport.decrypt({}, frame, std::span<std::uint8_t>(frame));
    if (!n) {
      fail_read(n.error());
      return n.error();
    }
    frame.resize(*n);
    ++received;
    return frame;
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

  // Reading (see receive()): bytes read but not yet used are rbuf[rpos, rend). A frame that did
  // not arrive whole is read straight into `body`, where it is then decrypted in place.
  Bytes rbuf = Bytes(kReadBuffer);
  std::size_t rpos = 0;
  std::size_t rend = 0;
  Bytes body;
  std::size_t body_have = 0;
  bool in_body = false;
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

// Frames of any size arrive in any split. A frame found whole in rbuf is decrypted from there
// straight into the message (no copy); a frame that is not is read into its own buffer, the rest
// of its body straight from the socket (a scatter read also fills rbuf with what follows), and
// decrypted in place. So a 64 KiB frame costs one decryption and at most kReadBuffer of copying.
awaitable<Result<Bytes>> Channel::receive() {
  State& s = *s_;
  try {
    const Deadline deadline = deadline_after(s.read_timeout);
    while (true) {
      if (s.read_error) co_return *s.read_error;
      std::array<asio::mutable_buffer, 2> into;
      std::size_t parts = 1;
      if (!s.in_body) {
        const std::size_t avail = s.rend - s.rpos;
        if (avail >= kFrameHeaderSize) {
          auto len = frame_length(s.rbuf.data() + s.rpos);
          if (len && *len < noise::kTagSize)
            len = Error{Code::kCorrupt, "wire: frame shorter than a tag"};
          if (!len) {
            s.fail_read(len.error());
            co_return len.error();
          }
          const std::uint8_t* payload = s.rbuf.data() + s.rpos + kFrameHeaderSize;
          const std::size_t here = avail - kFrameHeaderSize;
          if (here >= *len) {
            s.rpos += kFrameHeaderSize + *len;
            co_return s.open(ByteView(payload, *len));
          }
          s.body.resize(*len);
          std::memcpy(s.body.data(), payload, here);
          s.body_have = here;
          s.in_body = true;
          s.rpos = s.rend = 0;
          continue;
        }
        // Less than a header: keep its byte (if any) at the front and read more behind it.
        if (s.rpos > 0) {
          if (avail > 0) s.rbuf[0] = s.rbuf[s.rpos];
          s.rpos = 0;
          s.rend = avail;
        }
        into[0] = asio::buffer(s.rbuf.data() + s.rend, s.rbuf.size() - s.rend);
      } else {
        into[0] = asio::buffer(s.body.data() + s.body_have, s.body.size() - s.body_have);
        into[1] = asio::buffer(s.rbuf);  // empty here: rpos == rend == 0
        parts = 2;
      }
      const auto bufs = std::span<const asio::mutable_buffer>(into.data(), parts);
      auto n =
          try_now(s.reads_in_a_row, "read", [&](auto& ec) { return s.socket.read_some(bufs, ec); });
      if (n && *n == 0) n = co_await read_some(s.socket, bufs, deadline, "read");
      if (!n) {
        s.fail_read(n.error());
        co_return n.error();
      }
      s.bytes_in += *n;
      if (!s.in_body) {
        s.rend += *n;
        continue;
      }
      const std::size_t to_body = std::min(*n, s.body.size() - s.body_have);
      s.body_have += to_body;
      s.rend = *n - to_body;
      if (s.body_have == s.body.size()) co_return s.open_body();
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
    if (!est->leftover.empty()) {
      if (est->leftover.size() > state->rbuf.size()) state->rbuf.resize(est->leftover.size());
      std::memcpy(state->rbuf.data(), est->leftover.data(), est->leftover.size());
      state->rend = est->leftover.size();
    }
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
