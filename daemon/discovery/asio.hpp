// Asio for the discovery module: the same conventions as daemon/api/asio.hpp, which discovery may
// not include. <utility> comes first (older Asio headers forget it).
#pragma once

#include <utility>

#include <boost/asio.hpp>

namespace tandem::discovery {
namespace asio = boost::asio;
using udp = asio::ip::udp;
template <class T = void>
using awaitable = asio::awaitable<T>;
}  // namespace tandem::discovery
