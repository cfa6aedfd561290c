// Socket operations with a deadline: each races the operation against a steady_timer (Asio's
// awaitable operator ||) and closes nothing itself; the caller decides what a timeout means.
// Used by the channel and the listener; every network wait in this module goes through here.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/wire/asio.hpp"

#include <chrono>
#include <cstddef>
#include <span>

namespace tandem::wire {

using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

// now + `timeout`, or kNoDeadline for a zero timeout.
Deadline deadline_after(std::chrono::milliseconds timeout);

// Error codes shared by the helpers below: kUnavailable when the deadline passed (message says
// "timed out"), kIo when the peer closed the connection or the OS reported an error (including
// cancellation). They never throw for I/O errors; they run on the socket's executor and must be
// co_awaited from a coroutine on it.
awaitable<Result<std::size_t>> read_some(tcp::socket& socket, asio::mutable_buffer buffer,
                                         Deadline deadline, const char* what);
// The same into several buffers, filled in order (a scatter read).
awaitable<Result<std::size_t>> read_some(tcp::socket& socket,
                                         std::span<const asio::mutable_buffer> buffers,
                                         Deadline deadline, const char* what);
awaitable<Status> write_all(tcp::socket& socket, std::span<const asio::const_buffer> buffers,
                            Deadline deadline, const char* what);
awaitable<Status> connect_socket(tcp::socket& socket, const tcp::endpoint& endpoint,
                                 Deadline deadline);

}  // namespace tandem::wire
