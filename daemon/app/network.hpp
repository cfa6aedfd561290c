// The network side of tandemd: the peer listener (Noise XXpsk0 under the space key, the peer's
// static key checked against the roster), outgoing connections to known addresses with
// exponential backoff and jitter, LAN beacons, keepalives, and pairing (invite and join).
// Runs on the io_context thread.
#pragma once

#include "daemon/api/backend.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/base/log_limiter.hpp"
#include "daemon/config/config.hpp"
#include "daemon/discovery/beacon.hpp"
#include "daemon/discovery/lan.hpp"
#include "daemon/store/keyring.hpp"
#include "daemon/sync/engine.hpp"
#include "daemon/wire/channel.hpp"
#include "daemon/wire/listener.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace tandem::app {

struct NetworkOptions {
  std::string listen = "[::]:7470";  // where peers connect; port 0: any free port
  bool discovery = true;             // LAN beacons
  std::vector<std::string> peers;    // static peers from the configuration
  std::chrono::milliseconds keepalive{10000};
  std::chrono::milliseconds handshake_timeout{5000};
};

class Network {
 public:
  // Borrows everything; all must outlive the Network.
  Network(asio::io_context& io, store::Store& store, store::Committer& committer, Journal& journal,
          const Clock& clock, const store::KeyRing& keys, NetworkOptions options);
  ~Network();

  // Starts listening and dialling once the device has a space (after init or join); before that
  // it does nothing and returns ok. kIo when the listen address cannot be bound.
  Status start();
  void stop();
  // SIGHUP: the config file's static peers and LAN discovery as they are now (the listen address
  // needs a restart and is not here). A new static peer is dialled at once; a removed one is not
  // dialled again (a connection it has stays until it drops) unless `tandem peer add` stored it
  // or a device of the space was last seen listening there. Beacons and the beacon listener
  // start or stop with `discovery`; a failure to open their sockets is logged, as at start.
  // Before start() (no space yet) it only records the values for start(); after stop(), nothing.
  // Call on the io_context thread.
  void reconfigure(std::vector<std::string> peers, bool discovery);

  // The local API's network requests (pairing, peers). Fills `out`; pairInvite also pushes its
  // first answer (pairCode) through `sink`.
  awaitable<void> handle(schema::Request::Reader request, schema::Response::Builder out,
                         const std::shared_ptr<api::EventSink>& sink);
  // "ADDR:PORT" this daemon accepts peers on; empty when not listening.
  std::string listen_address() const;
  // Devices caught writing two records with one sequence number (refused; shown in status).
  const std::set<std::string>& forks() const { return forks_; }
  // Pushes new local records to every connected peer (called after each append).
  void records_added() { poke(); }
  // Roster records arrived outside a session (an imported bundle): adopt a rotated space key,
  // close the sessions of revoked devices.
  awaitable<void> roster_changed() { return follow_roster(); }

 private:
  struct Session;
  struct PeerState {
    bool connected = false;
    int sessions = 0;
    std::string address;
    std::int64_t last_seen = 0;
    std::uint32_t rtt_ms = 0;
    std::int64_t skew_ms = 0;        // the peer's clock minus ours (keepalive stamp - now + rtt/2)
    std::weak_ptr<Session> session;  // the newest connection to this device
  };

  awaitable<void> pair_invite(schema::PairInviteRequest::Reader req, std::uint32_t id,
                              schema::Response::Builder out,
                              const std::shared_ptr<api::EventSink>& sink);
  awaitable<void> pair_join(schema::PairJoinRequest::Reader req, std::uint32_t id,
                            schema::Response::Builder out,
                            const std::shared_ptr<api::EventSink>& sink);
  void peers(schema::Response::Builder out);
  awaitable<void> peer_address(schema::Request::Reader req, schema::Response::Builder out);

  // One authenticated peer connection and its sync state. Shared by the reader and the sender
  // coroutines (and woken by appends elsewhere), hence shared_ptr.
  struct Session {
    std::shared_ptr<wire::Channel> channel;
    store::DeviceId device{};
    std::optional<sync::Frontier>
        peer;             // what the peer holds: its hello, then acknowledged batches
    sync::Frontier sent;  // what has been sent to it (acknowledged or in flight)
    std::uint64_t next_batch = 1;
    // Batches sent and not yet acknowledged: id -> (device, last sequence). At most kWindow.
    std::map<std::uint64_t, std::pair<store::DeviceId, std::uint64_t>> in_flight;
    std::unique_ptr<asio::steady_timer> wake;
    // Batches from the peer, prechecked, waiting for the writer with their ids. Shared with the
    // writer thread: the commit op queued for them takes every batch there when the writer
    // starts on it, so what arrives while one group commits is the next group, without a round
    // trip through the io thread. At most one op is queued and not yet started, so the batches
    // commit in the order they arrived.
    struct Inbox {
      std::mutex mu;
      std::vector<std::pair<std::uint64_t, sync::Incoming>> batches;
      bool op_queued = false;
    };
    std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();
  };

  // Runs one authenticated peer channel until it closes: sync both ways, keepalives, round trips.
  awaitable<void> run_session(std::shared_ptr<wire::Channel> channel);
  // Sends what the peer lacks, up to kWindow (64) batches in flight, until the channel closes.
  awaitable<void> send_loop(std::shared_ptr<Session> session);
  // Prechecks a batch from the peer (chain links and body hashes, on the io thread), puts it in
  // the session's inbox and, unless one is queued already, queues a commit of the inbox;
  // closes the channel on a refusal.
  void receive_batch(std::shared_ptr<Session> session, sync::Message batch);
  // One commit of the session's inbox: the writer applies every batch there when it starts (one
  // durable commit, and one signature check per run of one device: sync::apply_batches); then,
  // on the io thread, each applied batch is acknowledged and announced.
  awaitable<void> commit_inbox(std::shared_ptr<Session> session);
  // Logs a refused batch (once per kind per interval), notes a fork, and closes the channel.
  void refuse_batch(Session& session, const Error& error);
  // Remembers (in the store, for `bundle export --for`) that `device` holds at least `seen`.
  void remember(const store::DeviceId& device, sync::Frontier seen);
  // Wakes every session's sender (new records here, or from another peer).
  void poke();
  awaitable<void> dial_loop(std::string address, std::uint64_t token,
                            std::chrono::milliseconds first_delay);
  // Dials `address` until stop(), reconnecting with backoff, unless a loop for it runs already.
  // `first_delay` holds the first try back: when there are static peers or beacons, remembered
  // addresses wait kLearnedFirstDelay so that those (the user's chosen route) go first, and a
  // remembered address is dialled only when the device is not already reached another way.
  void ensure_dialing(const std::string& address,
                      std::chrono::milliseconds first_delay = std::chrono::milliseconds(0));
  // True while the dial loop started with `token` is the one wanted for `address`: removing an
  // address and adding it back starts a new loop, and the old one ends at its next turn.
  bool dialing(const std::string& address, std::uint64_t token) const;
  // Ends the dial loop for `address` at its next turn, unless another source still wants it:
  // the config file's static peers, the stored ones (`tandem peer add`), or a learned address.
  // True when it ended the loop (or none ran); false when the address is still wanted.
  bool stop_dialing_unless_wanted(const std::string& address);
  // LAN discovery for the space: a beacon sender advertising the listen port, and a listener
  // that dials the devices it hears. Both need start() to have run (the listener, the space
  // key); stop_beacons() closes their sockets. Each is a no-op when already in that state.
  void start_beacons();
  void stop_beacons();
  static constexpr std::chrono::milliseconds kLearnedFirstDelay{3000};
  // Where each device of the space last said it accepts peers: the address its connection came
  // from and the port in its hello (or, for the inviter, what pairing gave). Persisted in the
  // store's meta "learned-peers" (lines "DEVICE-HEX ADDRESS"), dialled at start, so that either
  // side of a pair finds the other again after a restart on a new port.
  void learn_address(const store::DeviceId& device, const std::string& address);
  std::map<store::DeviceId, std::string> load_learned() const;
  // True when a connected device is known to listen at `address` (no second connection needed).
  bool connected_to(const std::string& address) const;
  bool authorize(const crypto::PublicKey& remote) const;
  std::optional<store::DeviceId> device_of(const crypto::PublicKey& remote) const;
  Result<std::vector<std::string>> stored_peers() const;
  // network_keys.cpp: the space key and its rotation.
  Status load_space_key();
  // Makes the space key follow the roster: adopts a rotated key sealed to this device, closes
  // the sessions of revoked devices, and rotates again when two revocations crossed (a key was
  // sealed to a device that is revoked now). Safe to call at any time; does nothing when all is
  // in step.
  awaitable<void> follow_roster();
  // Commits a roster record that applies `change` to the current roster and moves the space key
  // to a fresh one of the next epoch, sealed to every device not revoked; then adopts it.
  // `change` runs on the committer's thread inside the transaction and may refuse.
  awaitable<Status> rotate(std::function<Status(store::Txn&, store::Roster&)> change);
  // Stores `key` as the current space key (the current one becomes the previous) on disk and in
  // memory, for new handshakes and beacons.
  Status adopt_key(crypto::SymmetricKey key);
  awaitable<void> revoke(schema::RevokeDeviceRequest::Reader req, schema::Response::Builder out);
  void close_revoked(const store::Roster& roster);

  asio::io_context& io_;
  store::Store& store_;
  store::Committer& committer_;
  Journal& journal_;
  const Clock& clock_;
  const store::KeyRing& keys_;
  NetworkOptions options_;
  std::optional<crypto::SymmetricKey> space_key_;
  // The key before the last rotation: accepted from a device that has not yet learned the new
  // one (the roster check still decides who may talk), and tried when dialling one.
  std::optional<crypto::SymmetricKey> prev_key_;
  bool rotating_ = false;
  std::unique_ptr<wire::Listener> listener_;
  std::unique_ptr<discovery::BeaconScope> beacon_scope_;
  std::unique_ptr<discovery::BeaconSender> beacon_sender_;
  std::unique_ptr<discovery::BeaconListener> beacon_listener_;
  std::map<store::DeviceId, PeerState> state_;
  std::map<store::DeviceId, std::string> learned_;
  std::map<std::string, std::uint64_t> dialing_;  // address -> the token of its dial loop
  std::uint64_t dial_tokens_ = 0;
  std::set<std::string> discovered_;  // addresses heard in beacons, dialled until discovery stops
  std::vector<std::weak_ptr<wire::Channel>> channels_;
  std::vector<std::weak_ptr<Session>> sessions_;
  bool started_ = false;
  bool stopped_ = false;
  bool invite_active_ = false;
  std::set<std::string> forks_;
  std::size_t read_since_release_ = 0;  // batch bytes sent since the store's pages were released
  // Batches refused (a full disk refuses every retry of the partner until space returns) and
  // dialled devices that are not who the roster says: one line per kind per minute with the
  // count, not one per event.
  LogLimiter peer_refusals_{std::chrono::minutes(1)};
};

}  // namespace tandem::app
