// Asio for the wire module: C++20 coroutines over Boost.Asio 1.81, the same conventions as the
// API server's (daemon/api/asio.hpp), which wire may not include. <utility> comes first (older
// Asio headers forget it).
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace tandem::wire {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
template <class T = void>
using awaitable = asio::awaitable<T>;
}  // namespace tandem::wire
