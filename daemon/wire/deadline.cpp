#include "daemon/wire/deadline.hpp"

#include <string>
#include <variant>

namespace tandem::wire {

using namespace asio::experimental::awaitable_operators;
using asio::as_tuple;
using asio::use_awaitable;

Deadline deadline_after(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return kNoDeadline;
  return std::chrono::steady_clock::now() + timeout;
}

namespace {

Error io_error(const boost::system::error_code& ec, const char* what) {
  if (ec == asio::error::eof)
    return Error{Code::kIo, std::string("wire: peer closed the connection during ") + what};
  return Error{Code::kIo, std::string("wire: ") + what + ": " + ec.message()};
}

Error timeout_error(const char* what) {
  return Error{Code::kUnavailable, std::string("wire: ") + what + " timed out"};
}

}  // namespace

namespace {

template <class Buffers>
awaitable<Result<std::size_t>> read_some_of(tcp::socket& socket, const Buffers& buffers,
                                            Deadline deadline, const char* what) {
  if (deadline == kNoDeadline) {
    auto [ec, n] = co_await socket.async_read_some(buffers, as_tuple(use_awaitable));
    if (ec) co_return io_error(ec, what);
    co_return n;
  }
  asio::steady_timer timer(socket.get_executor(), deadline);
  auto r = co_await (socket.async_read_some(buffers, as_tuple(use_awaitable)) ||
                     timer.async_wait(as_tuple(use_awaitable)));
  if (r.index() == 1) co_return timeout_error(what);
  auto [ec, n] = std::get<0>(r);
  if (ec) co_return io_error(ec, what);
  co_return n;
}

}  // namespace

awaitable<Result<std::size_t>> read_some(tcp::socket& socket, asio::mutable_buffer buffer,
                                         Deadline deadline, const char* what) {
  co_return co_await read_some_of(socket, buffer, deadline, what);
}

awaitable<Result<std::size_t>> read_some(tcp::socket& socket,
                                         std::span<const asio::mutable_buffer> buffers,
                                         Deadline deadline, const char* what) {
  co_return co_await read_some_of(socket, buffers, deadline, what);
}

awaitable<Status> write_all(tcp::socket& socket, std::span<const asio::const_buffer> buffers,
                            Deadline deadline, const char* what) {
  if (deadline == kNoDeadline) {
    auto [ec, n] = co_await asio::async_write(socket, buffers, as_tuple(use_awaitable));
    if (ec) co_return io_error(ec, what);
    co_return Status{};
  }
  asio::steady_timer timer(socket.get_executor(), deadline);
  auto r = co_await (asio::async_write(socket, buffers, as_tuple(use_awaitable)) ||
                     timer.async_wait(as_tuple(use_awaitable)));
  if (r.index() == 1) co_return timeout_error(what);
  auto [ec, n] = std::get<0>(r);
  if (ec) co_return io_error(ec, what);
  co_return Status{};
}

awaitable<Status> connect_socket(tcp::socket& socket, const tcp::endpoint& endpoint,
                                 Deadline deadline) {
  asio::steady_timer timer(socket.get_executor(), deadline);
  auto r = co_await (socket.async_connect(endpoint, as_tuple(use_awaitable)) ||
                     timer.async_wait(as_tuple(use_awaitable)));
  if (r.index() == 1) co_return timeout_error("connect");
  auto [ec] = std::get<0>(r);
  if (ec) co_return io_error(ec, "connect");
  co_return Status{};
}

}  // namespace tandem::wire
