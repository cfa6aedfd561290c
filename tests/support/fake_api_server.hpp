// A stand-in for tandemd's local API in tests: a Unix socket in a fresh temporary directory,
// served by one background thread that decodes Request frames and answers with whatever the
// test's handler puts in Replies. It records every request so tests can inspect what a client
// sent. Not a daemon: no store, no validation beyond the framing.
#pragma once

#include "proto/api.capnp.h"

#include <capnp/message.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tandem::test {

// What the server sends back for one request, in order.
class Replies {
 public:
  explicit Replies(std::uint32_t request_id) : request_id_(request_id) {}

  // A new Response whose id is the request's; fill in its union. Valid until the handler returns.
  schema::Response::Builder add();

  // An error Response for the request.
  void error(schema::ErrorCode code, const std::string& message);

  // Raw bytes written as they are (for garbage and truncation tests).
  void raw(std::string bytes);

  // Close the connection after these replies.
  void close() { close_ = true; }

 private:
  friend class FakeApiServer;
  struct Item {
    std::unique_ptr<capnp::MallocMessageBuilder> message;  // null for raw bytes
    std::string raw;
  };
  std::uint32_t request_id_;
  std::vector<Item> items_;
  bool close_ = false;
};

class FakeApiServer {
 public:
  using Handler = std::function<void(schema::Request::Reader request, Replies& replies)>;

  // Starts listening and serving connections one after another. Throws std::runtime_error if
  // the socket cannot be set up.
  explicit FakeApiServer(Handler handler);

  // Stops the thread, closes the socket and removes the temporary directory.
  ~FakeApiServer();

  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  const std::string& socket_path() const { return socket_path_; }

  // Every request received so far, as capnp's JSON (field names as in api.capnp).
  std::vector<std::string> requests_json() const;

  // The number of requests received so far.
  std::size_t request_count() const;

 private:
  void serve();
  void serve_connection(int fd);

  Handler handler_;
  std::string dir_;
  std::string socket_path_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace tandem::test
