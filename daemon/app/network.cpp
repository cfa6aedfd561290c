#include "daemon/app/network.hpp"

#include "daemon/api/codec.hpp"
#include "daemon/app/commit.hpp"
#include "daemon/discovery/learned_peers.hpp"
#include "daemon/discovery/peers.hpp"
#include "daemon/discovery/random.hpp"
#include "daemon/store/keyfiles.hpp"
#include "daemon/sync/known.hpp"
#include "proto/framing.hpp"
#include "proto/wire.capnp.h"

#include <capnp/serialize.h>
#include <spdlog/spdlog.h>

#include <cstring>

namespace tandem::app {

using asio::ip::tcp;

namespace {

// "ADDR:PORT" or "[V6]:PORT"; an IPv4 address seen through an IPv6 socket is shown as IPv4.
std::string address_text(asio::ip::address a, std::uint16_t port) {
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(port);
}

// True when `a` is one of this host's addresses (a UDP socket can bind to it).
bool is_local_address(asio::io_context& io, const asio::ip::address& a) {
  asio::ip::udp::socket s(io);
  boost::system::error_code ec;
  s.open(a.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (!ec) s.bind(asio::ip::udp::endpoint(a, 0), ec);
  return !ec;
}

Bytes peer_message(std::function<void(schema::PeerMessage::Builder)> fill) {
  capnp::MallocMessageBuilder msg;
  fill(msg.initRoot<schema::PeerMessage>());
  auto words = capnp::messageToFlatArray(msg);
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

}  // namespace

Network::Network(asio::io_context& io, store::Store& store, store::Committer& committer,
                 Journal& journal, const Clock& clock, const store::KeyRing& keys,
                 NetworkOptions options)
    : io_(io),
      store_(store),
      committer_(committer),
      journal_(journal),
      clock_(clock),
      keys_(keys),
      options_(std::move(options)) {}

Network::~Network() {
  stop();
}

Status Network::start() {
  if (started_ || stopped_) return {};
  const Identity* me = journal_.identity();
  if (!me) return {};  // no space yet: nothing to listen for
  TANDEM_TRY(load_space_key());
  auto ep = wire::parse_endpoint(options_.listen);
  if (!ep) return ep.error();
  wire::ListenerOptions lo;
  lo.channel.protocol = std::string(wire::kPeerProtocol);
  lo.channel.prologue = std::string(wire::kPeerPrologue);
  lo.channel.local_static = &me->dh;
  lo.channel.local_static_public = crypto::dh_public(me->dh);
  lo.channel.psk = &*space_key_;
  if (prev_key_) lo.channel.psk_previous = &*prev_key_;
  lo.channel.authorize = [this](const crypto::PublicKey& k) { return authorize(k); };
  lo.channel.handshake_timeout = options_.handshake_timeout;
  auto listener =
      wire::Listener::open(io_.get_executor(), *ep, std::move(lo), [this](wire::Channel ch) {
        asio::co_spawn(io_, run_session(std::make_shared<wire::Channel>(std::move(ch))),
                       asio::detached);
      });
  if (!listener) return listener.error();
  listener_ = std::move(*listener);
  asio::co_spawn(io_, listener_->run(), asio::detached);
  started_ = true;
  spdlog::info("listening for peers on {}", listen_address());

  if (options_.discovery) start_beacons();
  bool other_routes = options_.discovery || !options_.peers.empty();
  for (const auto& p : options_.peers) ensure_dialing(p);
  if (auto stored = stored_peers()) {
    for (const auto& p : *stored) ensure_dialing(p);
    other_routes |= !stored->empty();
  }
  // Remembered addresses wait their turn only when something else may find the device first.
  learned_ = load_learned();
  for (const auto& [dev, address] : learned_)
    ensure_dialing(address, other_routes ? kLearnedFirstDelay : std::chrono::milliseconds(0));
  asio::co_spawn(io_, follow_roster(), asio::detached);  // a rotation a crash left half done
  return {};
}

void Network::start_beacons() {
  if (!started_ || stopped_ || beacon_scope_) return;
  beacon_scope_ = std::make_unique<discovery::BeaconScope>(
      discovery::BeaconScope::space(discovery::beacon_key(*space_key_, 0)));
  discovery::SenderOptions so;
  so.advertised_port = listener_->local_endpoint().port();
  beacon_sender_ = std::make_unique<discovery::BeaconSender>(io_.get_executor(), so, *beacon_scope_,
                                                             clock_, discovery::system_random());
  if (auto st = beacon_sender_->start(); !st)
    spdlog::warn("LAN beacons off: {}", st.error().message);
  beacon_listener_ = std::make_unique<discovery::BeaconListener>(
      io_.get_executor(), discovery::ListenerOptions{}, *beacon_scope_, clock_,
      [this](const discovery::Candidate& c) {
        // Our own beacons come back too: not a peer (the handshake would refuse it anyway).
        if (c.port == listener_->local_endpoint().port() && is_local_address(io_, c.address))
          return;
        const std::string at = address_text(c.address, c.port);
        if (connected_to(at)) return;
        discovered_.insert(at);
        ensure_dialing(at);
      });
  if (auto st = beacon_listener_->start(); !st)
    spdlog::warn("LAN discovery off: {}", st.error().message);
}

void Network::stop_beacons() {
  // The sender and the listener borrow the scope: they go first. Their pending operations hold
  // their own state and touch the scope only while running.
  if (beacon_sender_) beacon_sender_->stop();
  if (beacon_listener_) beacon_listener_->stop();
  beacon_sender_.reset();
  beacon_listener_.reset();
  beacon_scope_.reset();
}

std::map<store::DeviceId, std::string> Network::load_learned() const {
  std::map<store::DeviceId, std::string> out;
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) return out;
  auto v = store_.meta(*txn, "learned-peers");
  if (!v || !*v) return out;
  const auto& text = **v;
  return discovery::parse_learned_peers(
      std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
}

void Network::learn_address(const store::DeviceId& device, const std::string& address) {
  auto& known = learned_[device];
  if (known == address) return;
  const std::string old = known;
  known = address;
  spdlog::info("peer {} accepts peers at {}", to_hex(device), address);
  // The old address is no longer dialled, unless it is a static peer the user gave.
  if (!old.empty()) {
    auto stat = stored_peers();
    const bool is_static =
        std::find(options_.peers.begin(), options_.peers.end(), old) != options_.peers.end() ||
        (stat && std::find(stat->begin(), stat->end(), old) != stat->end());
    if (!is_static) dialing_.erase(old);  // its loop ends at its next turn
  }
  std::string text;
  for (const auto& [dev, a] : learned_) text += to_hex(dev) + " " + a + "\n";
  asio::co_spawn(
      io_,
      [this, text]() -> awaitable<void> {
        Status st = co_await commit_op(committer_, [&, this](store::Txn& txn) -> Status {
          return store_.put_meta(txn, "learned-peers", as_bytes(text));
        });
        if (!st) spdlog::warn("cannot remember peer addresses: {}", st.error().message);
      },
      asio::detached);
  ensure_dialing(address);
}

bool Network::connected_to(const std::string& address) const {
  for (const auto& [dev, a] : learned_) {
    if (a != address) continue;
    auto it = state_.find(dev);
    if (it != state_.end() && it->second.connected) return true;
  }
  return false;
}

void Network::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (beacon_sender_) beacon_sender_->stop();
  if (beacon_listener_) beacon_listener_->stop();
  if (listener_) listener_->stop();
  peer_refusals_.flush(LogLimiter::Clock::now(), /*force=*/true);
  for (auto& w : channels_) {
    if (auto c = w.lock()) c->close();
  }
}

std::string Network::listen_address() const {
  if (!listener_) return {};
  auto ep = listener_->local_endpoint();
  auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

std::optional<store::DeviceId> Network::device_of(const crypto::PublicKey& remote) const {
  const Identity* me = journal_.identity();
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn || !me) return std::nullopt;
  auto roster = store_.roster(*txn);
  if (!roster || !*roster) return std::nullopt;
  for (const auto& d : (*roster)->devices) {
    if (d.dh_key == remote && !d.revoked && d.id != me->device) return d.id;
  }
  return std::nullopt;
}

bool Network::authorize(const crypto::PublicKey& remote) const {
  return device_of(remote).has_value();
}

Result<std::vector<std::string>> Network::stored_peers() const {
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) return txn.error();
  auto v = store_.meta(*txn, "peers");
  if (!v) return v.error();
  std::vector<std::string> out;
  if (!*v) return out;
  std::string all((*v)->begin(), (*v)->end());
  std::size_t pos = 0;
  while (pos < all.size()) {
    auto nl = all.find('\n', pos);
    if (nl == std::string::npos) nl = all.size();
    if (nl > pos) out.push_back(all.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

void Network::ensure_dialing(const std::string& address, std::chrono::milliseconds first_delay) {
  if (stopped_ || !started_ || dialing_.count(address)) return;
  // Do not dial ourselves (our own beacon heard on the LAN).
  if (address == listen_address()) return;
  const std::uint64_t token = ++dial_tokens_;
  dialing_[address] = token;
  asio::co_spawn(io_, dial_loop(address, token, first_delay), asio::detached);
}

bool Network::dialing(const std::string& address, std::uint64_t token) const {
  auto it = dialing_.find(address);
  return it != dialing_.end() && it->second == token;
}

awaitable<void> Network::dial_loop(std::string address, std::uint64_t token,
                                   std::chrono::milliseconds first_delay) {
  auto random = discovery::system_random();
  unsigned attempt = 0;
  bool previous_key = false;  // alternate with the previous key while one is kept
  asio::steady_timer timer(io_);
  if (first_delay.count() > 0) {
    timer.expires_after(first_delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  std::optional<crypto::PublicKey> me_public;
  if (const Identity* me = journal_.identity()) me_public = crypto::dh_public(me->dh);
  while (!stopped_ && dialing(address, token)) {
    const Identity* me = journal_.identity();
    auto parsed = discovery::parse_peer(address);
    if (!me || !space_key_ || !parsed) break;
    if (connected_to(address)) {
      // Already connected (it dialled us): check again later, in case that connection drops.
      timer.expires_after(std::chrono::seconds(2));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      attempt = 0;
      continue;
    }
    tcp::resolver resolver(io_);
    auto [ec, results] = co_await resolver.async_resolve(parsed->host, std::to_string(parsed->port),
                                                         asio::as_tuple(asio::use_awaitable));
    bool ended_cleanly = false;
    if (!ec && !results.empty()) {
      wire::ChannelOptions opts;
      opts.protocol = std::string(wire::kPeerProtocol);
      opts.prologue = std::string(wire::kPeerPrologue);
      opts.local_static = &me->dh;
      opts.local_static_public = me_public;
      opts.psk = previous_key && prev_key_ ? &*prev_key_ : &*space_key_;
      opts.authorize = [this](const crypto::PublicKey& k) { return authorize(k); };
      opts.handshake_timeout = options_.handshake_timeout;
      auto ch = co_await wire::connect(io_.get_executor(), results.begin()->endpoint(), opts);
      if (ch) {
        attempt = 0;
        co_await run_session(std::make_shared<wire::Channel>(std::move(*ch)));
        ended_cleanly = true;
      } else {
        const Code code = ch.error().code;
        if (code == Code::kForbidden || (code == Code::kAuth && (previous_key || !prev_key_))) {
          // The device at this address is not the one the roster names, or is not in this space
          // (a wrong PSK): worth a line, once per interval, unlike a device that is simply off.
          peer_refusals_.note("dialling " + address + ": " + ch.error().message,
                              LogLimiter::Clock::now());
        } else {
          spdlog::debug("peer {}: {}", address, ch.error().message);
        }
        if (prev_key_ && !previous_key) {
          previous_key = true;  // perhaps a device that has not learned the new key yet
          continue;
        }
      }
      previous_key = false;
    }
    if (stopped_) break;
    auto delay = discovery::next_delay(ended_cleanly ? 0 : attempt++, random);
    timer.expires_after(std::max(delay, std::chrono::milliseconds(200)));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (dialing(address, token)) dialing_.erase(address);
}

void Network::poke() {
  std::erase_if(sessions_, [](const auto& w) { return w.expired(); });
  for (auto& w : sessions_) {
    if (auto s = w.lock(); s && s->wake) s->wake->cancel();
  }
}

namespace {
// Batches in flight per peer: bounded memory on both sides (at most kWindow × 60 KiB, 3.75 MiB,
// of records queued at the receiver), and enough in flight that while the writer commits one
// group of batches, the next group arrives (64 rather than 32: 8% more entries/s in sync_bench).
constexpr std::size_t kWindow = 64;
// A sender drops the store pages its reads made resident after this many bytes of batches, so its
// RSS stays bounded however long the history it sends (see Env::release_mapped_pages).
constexpr std::size_t kReleaseEvery = 8 << 20;
}  // namespace

awaitable<void> Network::send_loop(std::shared_ptr<Session> s) {
  {
    auto txn = store::Txn::begin_read(store_.env());
    auto f = txn ? sync::frontier(store_, *txn) : Result<sync::Frontier>(txn.error());
    if (!f) co_return;
    txn->abort();
    const std::uint16_t port = listener_ ? listener_->local_endpoint().port() : 0;
    if (!co_await s->channel->send(sync::encode_hello(*f, 0, port))) co_return;
  }
  while (s->channel->is_open() && !stopped_) {
    bool sent = false;
    if (s->peer && s->in_flight.size() < kWindow) {
      auto txn = store::Txn::begin_read(store_.env());
      if (!txn) break;
      auto mine = sync::frontier(store_, *txn);
      if (!mine) break;
      for (const auto& [dev, seq] : *mine) {
        const std::uint64_t have = s->sent.count(dev) ? s->sent.at(dev) : 0;
        if (seq <= have) continue;
        auto recs = sync::collect(store_, *txn, dev, have);
        if (!recs || recs->empty()) continue;
        Bytes batch = sync::encode_batch(s->next_batch, *recs);
        s->in_flight[s->next_batch++] = {dev, recs->back().header.seq};
        s->sent[dev] = recs->back().header.seq;
        txn->abort();
        read_since_release_ += batch.size();
        if (read_since_release_ >= kReleaseEvery) {
          read_since_release_ = 0;
          store_.env().release_mapped_pages();
        }
        if (!co_await s->channel->send(batch)) co_return;
        sent = true;
        break;
      }
    }
    if (sent) continue;
    s->wake->expires_after(std::chrono::seconds(30));
    co_await s->wake->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void Network::receive_batch(std::shared_ptr<Session> s, sync::Message m) {
  if (m.records.empty()) return;
  // What needs no store (chain links, body hashes) is checked here, on the io thread, while the
  // writer commits the batches before this one; the signature and the rest inside the write,
  // after those batches (they may admit this device or hold the records this one follows).
  auto pre = sync::precheck_batch(m.records, std::nullopt);
  if (!pre) {
    refuse_batch(*s, pre.error());
    return;
  }
  bool submit = false;
  {
    std::lock_guard lock(s->inbox->mu);
    s->inbox->batches.emplace_back(m.id, sync::Incoming{std::move(m.records), std::move(*pre)});
    submit = !s->inbox->op_queued;
    s->inbox->op_queued = true;
  }
  if (submit) asio::co_spawn(io_, commit_inbox(s), asio::detached);
}

void Network::refuse_batch(Session& s, const Error& error) {
  peer_refusals_.note("peer " + to_hex(s.device) + ": refused a batch: " + error.message,
                      LogLimiter::Clock::now());
  if (error.message.rfind("fork: ", 0) == 0) {
    forks_.insert(error.message.substr(6, 16));  // the forking device's id
  }
  s.channel->close();
}

awaitable<void> Network::commit_inbox(std::shared_ptr<Session> s) {
  // Batches that arrived before a refusal closed the channel are still applied (each verified on
  // its own merits): a relay may send a device's records just before the roster record that
  // admits the device, and that roster record must land for the next attempt to succeed.
  std::vector<std::uint64_t> ids;
  std::vector<sync::Incoming> batches;
  std::vector<sync::Outcome> outcomes;
  bool taken = false;
  // A named op, not a temporary inside the co_await: GCC 12 may destroy the by-value captures
  // of a lambda that is a temporary of a co_await expression twice.
  store::Committer::Op op = [&, this, inbox = s->inbox](store::Txn& txn) -> Status {
    {
      std::lock_guard lock(inbox->mu);
      ids.reserve(inbox->batches.size());
      batches.reserve(inbox->batches.size());
      for (auto& [id, batch] : inbox->batches) {
        ids.push_back(id);
        batches.push_back(std::move(batch));
      }
      inbox->batches.clear();
      inbox->op_queued = false;
    }
    taken = true;
    auto r = sync::apply_batches(store_, txn, batches);
    if (!r) return r.error();
    outcomes = std::move(*r);
    return {};
  };
  Status st = co_await commit_op(committer_, std::move(op));
  if (!taken) {
    // The writer never ran the op (tandemd is stopping, or no transaction could begin): the
    // batches stay unacknowledged and the peer sends them again on its next connection.
    std::lock_guard lock(s->inbox->mu);
    s->inbox->batches.clear();
    s->inbox->op_queued = false;
  }
  if (st && outcomes.size() != batches.size()) st = Error{Code::kInternal, "batches unapplied"};
  if (!st) {
    refuse_batch(*s, st.error());
    co_return;
  }
  bool any_stored = false, roster_changed = false;
  std::optional<Error> refused;
  std::vector<std::uint64_t> acks;
  for (std::size_t k = 0; k < batches.size(); ++k) {
    if (!outcomes[k].status) {
      if (!refused) refused = outcomes[k].status.error();
      continue;
    }
    const auto& recs = batches[k].records;
    if (s->peer) {
      auto& have = (*s->peer)[recs.front().header.device];
      have = std::max(have, recs.back().header.seq);
      auto& sent = s->sent[recs.front().header.device];
      sent = std::max(sent, recs.back().header.seq);
    }
    acks.push_back(ids[k]);
    any_stored |= !outcomes[k].stored.empty();
    for (const auto& r : recs) roster_changed |= (r.header.flags & store::kFlagRoster) != 0;
  }
  if (any_stored) journal_.refresh_snapshot();
  for (const auto& o : outcomes) {
    for (const auto& key : o.stored) journal_.announce(key, false);
  }
  if (any_stored) poke();  // relay to the other peers
  if (refused) refuse_batch(*s, *refused);
  if (!refused && s->channel->is_open()) {
    for (auto id : acks) {
      if (!co_await s->channel->send(sync::encode_ack(id))) break;
    }
  }
  if (roster_changed) co_await follow_roster();
}

awaitable<void> Network::run_session(std::shared_ptr<wire::Channel> channel) {
  auto dev = device_of(channel->remote_static());
  if (!dev || stopped_) {
    channel->close();
    co_return;
  }
  channels_.push_back(channel);
  std::erase_if(channels_, [](const auto& w) { return w.expired(); });
  auto session = std::make_shared<Session>();
  session->channel = channel;
  session->device = *dev;
  session->wake = std::make_unique<asio::steady_timer>(io_);
  sessions_.push_back(session);
  auto& st = state_[*dev];
  ++st.sessions;
  st.connected = true;
  st.session = session;
  st.address =
      address_text(channel->remote_endpoint().address(), channel->remote_endpoint().port());
  st.last_seen = clock_.now_ms();
  spdlog::info("peer {} connected from {}", to_hex(*dev), st.address);
  channel->set_read_timeout(options_.keepalive * 4);

  // Keepalives: one writer coroutine beside the reader; the channel serialises their sends.
  auto alive = std::make_shared<bool>(true);
  asio::co_spawn(
      io_,
      [this, channel, alive]() -> awaitable<void> {
        asio::steady_timer t(io_);
        while (*alive && channel->is_open()) {
          const auto now = static_cast<std::uint64_t>(clock_.now_ms());
          if (!co_await channel->send(peer_message([&](auto m) { m.setKeepalive(now); }))) break;
          t.expires_after(options_.keepalive);
          co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        }
      },
      asio::detached);
  asio::co_spawn(io_, send_loop(session), asio::detached);

  while (channel->is_open() && !stopped_) {
    auto bytes = co_await channel->receive();
    if (!bytes) break;
    state_[*dev].last_seen = clock_.now_ms();
    auto m = sync::decode(*bytes);
    if (!m) {
      spdlog::warn("peer {} sent a malformed message ({}); closing", to_hex(*dev),
                   m.error().message);
      break;
    }
    using K = sync::Message::Kind;
    if (m->kind == K::kKeepalive) {
      const auto v = m->id;
      auto& ps = state_[*dev];
      ps.skew_ms = static_cast<std::int64_t>(v) - clock_.now_ms() + ps.rtt_ms / 2;
      if (!co_await channel->send(peer_message([&](auto pm) { pm.setKeepaliveEcho(v); }))) break;
    } else if (m->kind == K::kKeepaliveEcho) {
      auto sent = static_cast<std::int64_t>(m->id);
      auto now = clock_.now_ms();
      if (now >= sent) state_[*dev].rtt_ms = static_cast<std::uint32_t>(now - sent);
    } else if (m->kind == K::kHello) {
      if (m->listen_port != 0) {
        const std::string at = address_text(channel->remote_endpoint().address(), m->listen_port);
        state_[*dev].address = at;
        learn_address(*dev, at);
      }
      session->sent = m->frontier;
      session->peer = std::move(m->frontier);
      session->wake->cancel();
      remember(*dev, *session->peer);
    } else if (m->kind == K::kAck) {
      auto it = session->in_flight.find(m->id);
      if (it != session->in_flight.end() && session->peer) {
        auto& have = (*session->peer)[it->second.first];
        have = std::max(have, it->second.second);
        session->in_flight.erase(it);
        session->wake->cancel();
        // Caught up: remember it once (not per batch) for `bundle export --for`.
        if (session->in_flight.empty()) remember(*dev, *session->peer);
      }
    } else if (m->kind == K::kBatch) {
      receive_batch(session, std::move(*m));
    } else if (m->kind == K::kGoodbye) {
      break;
    }
  }
  *alive = false;
  channel->close();
  session->wake->cancel();
  if (session->peer) remember(*dev, *session->peer);
  auto& s = state_[*dev];
  if (--s.sessions <= 0) {
    s.sessions = 0;
    s.connected = false;
  }
  spdlog::info("peer {} disconnected", to_hex(*dev));
}

void Network::remember(const store::DeviceId& device, sync::Frontier seen) {
  committer_.submit(
      [this, device, seen = std::move(seen)](store::Txn& txn) {
        return sync::remember_frontier(store_, txn, device, seen);
      },
      [](Status) {});  // best effort: a lost update only makes a later bundle larger
}

void Network::peers(schema::Response::Builder out) {
  auto list = out.initPeers();
  list.setListen(listen_address());
  const Identity* me = journal_.identity();
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn || !me) return;
  auto roster = store_.roster(*txn);
  if (!roster || !*roster) return;
  std::vector<const store::DeviceInfo*> others;
  for (const auto& d : (*roster)->devices) {
    if (d.id != me->device) {
      others.push_back(&d);
      continue;
    }
    auto self = list.initThisDevice();
    self.setDeviceId(to_hex(d.id));
    self.setDeviceName(d.name);
    self.setMemberName((*roster)->member_names[d.member]);
    self.setMember(schema::Party::ME);
    self.setAddress(listen_address());
  }
  auto frontier_here = sync::frontier(store_, *txn);
  const sync::Frontier* mine = frontier_here ? &*frontier_here : nullptr;
  auto devs = list.initDevices(static_cast<unsigned>(others.size()));
  for (unsigned i = 0; i < others.size(); ++i) {
    const auto& d = *others[i];
    auto v = devs[i];
    v.setDeviceId(to_hex(d.id));
    v.setDeviceName(d.name);
    v.setMemberName((*roster)->member_names[d.member]);
    v.setMember(d.member == me->member ? schema::Party::ME : schema::Party::PARTNER);
    v.setRevoked(d.revoked);
    if (auto it = state_.find(d.id); it != state_.end()) {
      v.setAddress(it->second.address);
      v.setConnected(it->second.connected);
      v.setLastSeen(static_cast<std::uint64_t>(it->second.last_seen));
      v.setRttMs(it->second.rtt_ms);
      v.setClockSkewMs(it->second.skew_ms);
      if (auto sess = it->second.session.lock(); sess && sess->channel->is_open()) {
        v.setBytesSent(sess->channel->bytes_sent());
        v.setBytesReceived(sess->channel->bytes_received());
        if (sess->peer && mine) {
          std::uint64_t behind = 0;
          for (const auto& [dev, seq] : *mine) {
            const std::uint64_t have = sess->peer->count(dev) ? sess->peer->at(dev) : 0;
            if (seq > have) behind += seq - have;
          }
          v.setBehind(behind);
          std::uint64_t missing = 0;
          for (const auto& [dev, seq] : *sess->peer) {
            const std::uint64_t have = mine->count(dev) ? mine->at(dev) : 0;
            if (seq > have) missing += seq - have;
          }
          v.setMissing(missing);
          // Batches of one device go in sequence order: its newest unacknowledged sequence less
          // the peer's acknowledged head is what is in flight for it.
          std::map<store::DeviceId, std::uint64_t> newest;
          for (const auto& [batch, last] : sess->in_flight) {
            newest[last.first] = std::max(newest[last.first], last.second);
          }
          std::uint64_t in_flight = 0;
          for (const auto& [dev, seq] : newest) {
            const std::uint64_t acked = sess->peer->count(dev) ? sess->peer->at(dev) : 0;
            if (seq > acked) in_flight += seq - acked;
          }
          v.setInFlight(in_flight);
          v.setFrontierKnown(true);
        }
      }
    }
  }
}

awaitable<void> Network::peer_address(schema::Request::Reader req, schema::Response::Builder out) {
  auto current = stored_peers();
  if (!current) {
    api::set_error(out, 0, current.error());
    co_return;
  }
  std::vector<std::string> list = *current;
  if (req.isPeerAdd() || req.isPeerRemove()) {
    auto text =
        std::string((req.isPeerAdd() ? req.getPeerAdd() : req.getPeerRemove()).getAddress().cStr());
    auto parsed = discovery::parse_peer(text);
    if (!parsed) {
      api::set_error(out, 0, {Code::kInvalidArgument, parsed.error().message});
      co_return;
    }
    const std::string canon = discovery::format_peer_address(*parsed);
    if (req.isPeerAdd()) {
      if (std::find(list.begin(), list.end(), canon) == list.end()) list.push_back(canon);
    } else {
      auto it = std::find(list.begin(), list.end(), canon);
      if (it == list.end()) {
        api::set_error(out, 0, {Code::kNotFound, "no static peer " + canon});
        co_return;
      }
      list.erase(it);
    }
    std::string joined;
    for (const auto& p : list) joined += p + "\n";
    Status st = co_await commit_op(committer_, [&, this](store::Txn& txn) -> Status {
      return store_.put_meta(txn, "peers", as_bytes(joined));
    });
    if (!st) {
      api::set_error(out, 0, st.error());
      co_return;
    }
    if (req.isPeerAdd()) {
      ensure_dialing(canon);
    } else {
      stop_dialing_unless_wanted(canon);  // reads the list just stored
    }
  }
  auto addrs = out.initPeerAddresses().initAddresses(static_cast<unsigned>(list.size()));
  for (unsigned i = 0; i < list.size(); ++i) addrs.set(i, list[i]);
}

awaitable<void> Network::handle(schema::Request::Reader req, schema::Response::Builder out,
                                const std::shared_ptr<api::EventSink>& sink) {
  switch (req.which()) {
    case schema::Request::PAIR_INVITE:
      co_await pair_invite(req.getPairInvite(), req.getId(), out, sink);
      break;
    case schema::Request::PAIR_JOIN:
      co_await pair_join(req.getPairJoin(), req.getId(), out, sink);
      break;
    case schema::Request::PEERS:
      peers(out);
      break;
    case schema::Request::REVOKE_DEVICE:
      co_await revoke(req.getRevokeDevice(), out);
      break;
    default:
      co_await peer_address(req, out);
      break;
  }
}

}  // namespace tandem::app
