// Awaiting a group-committed store operation from a coroutine on the io_context.
#pragma once

#include "daemon/api/asio.hpp"
#include "daemon/store/committer.hpp"

#include <memory>

namespace tandem::app {

// Submits `op` to the committer and resumes (on the io_context, through the committer's post)
// once the batch holding it is durable or failed.
inline awaitable<Status> commit_op(store::Committer& committer, store::Committer::Op op) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Status)>(
      [&committer, op = std::move(op)](auto handler) mutable {
        // shared_ptr: the committer's callback type must be copyable; the handler is move-only.
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        committer.submit(std::move(op), [h](Status st) { std::move (*h)(std::move(st)); });
      },
      asio::use_awaitable);
}

}  // namespace tandem::app
