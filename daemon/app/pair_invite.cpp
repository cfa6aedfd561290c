// Network::pair_invite: the inviting side of the pairing protocol (daemon/pairing) over a plain
// Noise_XX channel, and the roster record that admits the joiner once the keys are confirmed.
//
// The Noise session of an exchange uses a throwaway static key pair on each side (made for this
// invite, for this join), never the device's long-term key: whoever connects to an open invite
// learns nothing that identifies the device, and can at most spend the code's one guess.
#include "daemon/api/codec.hpp"
#include "daemon/app/commit.hpp"
#include "daemon/app/network.hpp"
#include "daemon/app/pair_flow.hpp"
#include "daemon/app/pair_welcome.hpp"
#include "daemon/discovery/pairing_code.hpp"
#include "daemon/discovery/peers.hpp"
#include "daemon/discovery/random.hpp"
#include "daemon/pairing/pairing.hpp"
#include "daemon/store/keyfiles.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstring>

namespace tandem::app {

using asio::ip::tcp;
using pair_flow::pairing_options;
using pair_flow::push_progress;

awaitable<void> Network::pair_invite(schema::PairInviteRequest::Reader req, std::uint32_t id,
                                     schema::Response::Builder out,
                                     const std::shared_ptr<api::EventSink>& sink) {
  const Identity* me = journal_.identity();
  if (!me || !listener_) {
    api::set_error(out, 0, {Code::kUnavailable, "this device is not listening for peers"});
    co_return;
  }
  if (invite_active_) {
    api::set_error(out, 0, {Code::kUnavailable, "another invite is already waiting"});
    co_return;
  }
  invite_active_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{invite_active_};

  const bool as_device = req.getAsDevice();
  if (!as_device) {
    auto txn = store::Txn::begin_read(store_.env());
    auto roster = txn ? store_.roster(*txn) : Result<std::optional<store::Roster>>(txn.error());
    if (roster && *roster) {
      for (const auto& d : (*roster)->devices) {
        if (d.member == me->member) continue;
        api::set_error(out, 0,
                       {Code::kForbidden,
                        "your partner is in this space already; to add a device of yours, use "
                        "--device; a new device of theirs joins with a code from one of theirs"});
        co_return;
      }
    }
  }
  const auto timeout =
      std::chrono::seconds(req.getTimeoutSeconds() ? req.getTimeoutSeconds() : 600);
  const auto code = discovery::generate(discovery::system_random());
  const Bytes prs = discovery::prs(code);

  // A listener of its own for this one code: the first connection that completes the Noise
  // handshake takes the code's one guess. Later ones, while this invite lasts, hear that the
  // code was used; once it ends, the port closes.
  struct Shared {
    std::optional<wire::Channel> channel;
    asio::steady_timer wake;
    crypto::DhKeyPair session = crypto::dh_keypair();  // this invite's throwaway Noise static key
    explicit Shared(asio::io_context& io) : wake(io) {}
  };
  // shared_ptr: handshakes still in flight when this request ends borrow the session key, so
  // they hold it through the copy of `authorize` each one keeps.
  auto shared = std::make_shared<Shared>(io_);
  auto peer_ep = listener_->local_endpoint();
  tcp::endpoint pair_ep(peer_ep.address(),
                        peer_ep.port() == 0 || peer_ep.port() == 65535 ? 0 : peer_ep.port() + 1);
  wire::ListenerOptions lo;
  lo.channel = pairing_options(shared->session.secret);
  lo.channel.local_static_public = shared->session.pub;
  lo.channel.authorize = [keep = shared](const crypto::PublicKey&) { return true; };
  lo.max_handshakes = 8;
  auto on_channel = [this, shared](wire::Channel ch) {
    if (shared->channel) {
      // A refusal is a courtesy: the later device fails whether or not it gets through.
      asio::co_spawn(
          io_,
          [](wire::Channel c) -> awaitable<void> {
            (void)(co_await c.send(pairing::refused_message(
                "this code was already used by another device; ask for a new code "
                "(tandem pair invite)")));
            c.close();
          }(std::move(ch)),
          asio::detached);
      return;
    }
    shared->channel.emplace(std::move(ch));
    shared->wake.cancel();
  };
  auto opened = wire::Listener::open(io_.get_executor(), pair_ep, lo, on_channel);
  if (!opened && pair_ep.port() != 0) {
    opened = wire::Listener::open(io_.get_executor(), tcp::endpoint(pair_ep.address(), 0), lo,
                                  on_channel);
  }
  if (!opened) {
    api::set_error(out, 0, opened.error());
    co_return;
  }
  std::unique_ptr<wire::Listener> pair_listener = std::move(*opened);
  struct StopListener {
    wire::Listener& l;
    ~StopListener() { l.stop(); }
  } stop_listener{*pair_listener};
  asio::co_spawn(io_, pair_listener->run(), asio::detached);
  const std::uint16_t pair_port = pair_listener->local_endpoint().port();

  std::unique_ptr<discovery::BeaconScope> scope;
  std::unique_ptr<discovery::BeaconSender> beacons;
  if (options_.discovery) {
    scope = std::make_unique<discovery::BeaconScope>(discovery::BeaconScope::pairing(code.channel));
    discovery::SenderOptions so;
    so.advertised_port = pair_port;
    so.interval = std::chrono::milliseconds(2000);
    beacons = std::make_unique<discovery::BeaconSender>(io_.get_executor(), so, *scope, clock_,
                                                        discovery::system_random());
    if (auto st = beacons->start(); !st)
      spdlog::warn("pairing beacons off: {}", st.error().message);
  }

  // The first answer: the code, while this request goes on waiting.
  {
    capnp::MallocMessageBuilder msg;
    auto r = msg.initRoot<schema::Response>();
    r.setId(id);
    auto pc = r.initPairCode();
    pc.setCode(discovery::format(code));
    pc.setPort(pair_port);
    pc.setExpiresAt(static_cast<std::uint64_t>(
        clock_.now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
    sink->push(msg);
  }
  spdlog::info("pairing: waiting for a device on port {} (code channel {})", pair_port,
               code.channel);

  shared->wake.expires_after(timeout);
  co_await shared->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (beacons) beacons->stop();
  if (!shared->channel) {
    api::set_error(out, 0,
                   {Code::kUnavailable,
                    "the code expired before a device joined; run `tandem pair invite` again"});
    co_return;
  }
  wire::Channel& ch = *shared->channel;
  push_progress(req.getProgress(), *sink, id, schema::PairStep::CHECKING);
  pairing::Binding binding{prs, ByteView(ch.handshake_hash().data(), ch.handshake_hash().size()),
                           ch.remote_static(), shared->session.pub};
  auto fail = [&](const Error& e) {
    spdlog::warn("pairing failed: {}", e.message);
    api::set_error(out, 0, e);
  };
  // From here on the code is spent, whoever connected.
  const std::string spent = "; the code is spent, run `tandem pair invite` again";
  auto hello = co_await ch.receive();
  if (!hello) {
    fail({Code::kUnavailable, "a device connected but went away without trying the code (" +
                                  hello.error().message + ")" + spent});
    co_return;
  }
  auto inviter = pairing::Inviter::on_hello(binding, *hello);
  if (!inviter) {
    // A refusal is a courtesy: the pairing fails whether or not it gets through.
    (void)(co_await ch.send(pairing::refused_message("pairing failed")));
    ch.close();
    fail({Code::kForbidden, "pairing failed: " + inviter.error().message + spent});
    co_return;
  }
  if (auto sent = co_await ch.send(inviter->reply()); !sent) {
    fail({Code::kUnavailable, "the joining device went away: " + sent.error().message});
    co_return;
  }
  auto confirm = co_await ch.receive();
  if (!confirm) {
    fail({Code::kUnavailable, "the joining device went away: " + confirm.error().message});
    co_return;
  }
  if (auto st = inviter->on_confirm(*confirm); !st) {
    ch.close();
    const bool wrong = st.error().code == Code::kAuth ||
                       st.error().message.find("wrong code") != std::string::npos;
    fail({Code::kForbidden,
          wrong
              ? "wrong code: nothing was shared; the code is spent, run `tandem pair invite` again"
              : "pairing failed: " + st.error().message});
    co_return;
  }

  // Confirmed. Admit the device to the roster (a roster record in this device's log), then hand
  // over the space.
  const auto& j = inviter->joiner();
  auto txn = store::Txn::begin_read(store_.env());
  auto roster = txn ? store_.roster(*txn) : Result<std::optional<store::Roster>>(txn.error());
  if (!roster || !*roster) {
    fail({Code::kInternal, "cannot read the roster"});
    co_return;
  }
  txn->abort();
  store::Roster r = **roster;
  for (const auto& d : r.devices) {
    if (d.id == j.device_id || d.dh_key == j.dh_key || d.sign_key == j.sign_key) {
      // A refusal is a courtesy: the pairing fails whether or not it gets through.
      (void)(co_await ch.send(pairing::refused_message("that device is already in this space")));
      fail({Code::kAlreadyInitialized, "that device is already in this space"});
      co_return;
    }
  }
  if (!as_device) {
    for (const auto& d : r.devices) {
      if (d.member != me->member) {
        // Peers would refuse the roster record: only the partner adds devices of their own.
        // A refusal is a courtesy: the pairing fails whether or not it gets through.
        (void)(co_await ch.send(pairing::refused_message("the partner is in this space already")));
        fail({Code::kForbidden,
              "your partner is in this space already; a new device of theirs joins with a code "
              "from `tandem pair invite --device` on one of their devices"});
        co_return;
      }
    }
  }
  store::DeviceInfo dev;
  dev.id = j.device_id;
  dev.member = as_device ? me->member : store::Roster::other(me->member);
  dev.name = j.device_name;
  dev.sign_key = j.sign_key;
  dev.dh_key = j.dh_key;
  r.devices.push_back(dev);
  if (!as_device && !j.member_name.empty()) r.member_names[dev.member] = j.member_name;
  const Bytes roster_bytes = store::encode_roster(r);
  const store::DeviceId self = me->device;
  Bytes roster_record;  // the record just signed, as sync will carry it, for the welcome
  Status st = co_await commit_op(committer_, [&, this](store::Txn& t) -> Status {
    TANDEM_TRY(store_.put_meta(t, "roster", roster_bytes));
    auto h = store_.append(t, self, me->sign, static_cast<std::uint64_t>(clock_.now_ms()) << 16,
                           store::kFlagRoster, store::make_body(roster_bytes, ""));
    if (!h) return h.error();
    auto packed = pack_roster_record(store_, t, self);
    if (!packed) return packed.error();
    roster_record = std::move(*packed);
    return {};
  });
  if (!st) {
    fail(st.error());
    co_return;
  }
  pairing::Welcome w;
  w.space_id = r.space_id;
  w.space_key = space_key_->clone();
  w.roster = roster_bytes;
  w.roster_record = std::move(roster_record);
  w.member = dev.member;
  w.peer_port = listener_->local_endpoint().port();
  auto sealed = inviter->welcome(w);
  if (!sealed || !co_await ch.send(*sealed)) {
    fail({Code::kUnavailable, "the joining device went away before the welcome"});
    co_return;
  }
  ch.close();
  spdlog::info("pairing: {} joined as {}", to_hex(dev.id),
               as_device ? "another device" : "the partner");
  auto p = out.initPaired();
  p.setDeviceId(to_hex(dev.id));
  p.setDeviceName(dev.name);
  p.setMemberName(r.member_names[dev.member]);
  p.setAsDevice(as_device);
}

}  // namespace tandem::app
