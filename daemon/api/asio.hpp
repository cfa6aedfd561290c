// Asio for tandem: C++20 coroutines over Boost.Asio 1.81. <utility> comes first (older Asio
// headers forget it).
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace tandem {
namespace asio = boost::asio;
template <class T = void>
using awaitable = asio::awaitable<T>;
}  // namespace tandem
