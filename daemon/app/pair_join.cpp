// Network::pair_join: the joining side of the pairing protocol (daemon/pairing) over a plain
// Noise_XX channel with a throwaway static key, and what it stores once the welcome checked.
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
using pair_flow::host_name;
using pair_flow::pairing_options;
using pair_flow::push_progress;

awaitable<void> Network::pair_join(schema::PairJoinRequest::Reader req, std::uint32_t id,
                                   schema::Response::Builder out,
                                   const std::shared_ptr<api::EventSink>& sink) {
  const bool progress = req.getProgress();
  if (journal_.identity()) {
    api::set_error(out, 0,
                   {Code::kAlreadyInitialized,
                    "this device already keeps a journal; pairing joins a new one"});
    co_return;
  }
  auto code = discovery::parse(std::string_view(req.getCode().cStr(), req.getCode().size()));
  if (!code) {
    api::set_error(out, 0, {Code::kInvalidArgument, code.error().message});
    co_return;
  }
  std::string name = req.getName();
  std::string device_name = req.getDeviceName();
  if (device_name.empty()) device_name = host_name();
  if (name.size() > 64 || device_name.size() > 64) {
    api::set_error(out, 0, {Code::kInvalidArgument, "names must be at most 64 bytes"});
    co_return;
  }

  // Where the inviter is: the given address, or its pairing beacon on the LAN.
  std::optional<tcp::endpoint> target;
  discovery::PeerAddress host;  // the inviter's host, as given or as its beacon came from
  if (req.getAddress().size() > 0) {
    auto parsed =
        discovery::parse_peer(std::string_view(req.getAddress().cStr(), req.getAddress().size()));
    if (!parsed) {
      api::set_error(out, 0, {Code::kInvalidArgument, parsed.error().message});
      co_return;
    }
    tcp::resolver resolver(io_);
    auto [ec, results] = co_await resolver.async_resolve(parsed->host, std::to_string(parsed->port),
                                                         asio::as_tuple(asio::use_awaitable));
    if (ec || results.empty()) {
      api::set_error(out, 0, {Code::kUnavailable, "cannot resolve " + parsed->host});
      co_return;
    }
    target = results.begin()->endpoint();
    host = *parsed;
  } else {
    auto scope = discovery::BeaconScope::pairing(code->channel);
    asio::steady_timer wait(io_);
    discovery::BeaconListener listener(io_.get_executor(), discovery::ListenerOptions{}, scope,
                                       clock_, [&](const discovery::Candidate& c) {
                                         if (!target) {
                                           target = tcp::endpoint(c.address, c.port);
                                           wait.cancel();
                                         }
                                       });
    if (auto st = listener.start(); !st) {
      api::set_error(
          out, 0,
          {Code::kUnavailable, "cannot listen for the inviter on the LAN (" + st.error().message +
                                   "); give its address with --address HOST:PORT"});
      co_return;
    }
    push_progress(progress, *sink, id, schema::PairStep::SEARCHING);
    wait.expires_after(
        std::chrono::seconds(req.getTimeoutSeconds() ? req.getTimeoutSeconds() : 60));
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
    listener.stop();
    if (!target) {
      api::set_error(
          out, 0,
          {Code::kUnavailable, "no inviting device found on the LAN for channel " +
                                   std::to_string(code->channel) + "; try --address HOST:PORT"});
      co_return;
    }
    host.host = target->address().to_string();
    host.ipv6 = target->address().is_v6();
    push_progress(progress, *sink, id, schema::PairStep::FOUND,
                  discovery::format_peer_address({host.host, target->port(), host.ipv6}));
  }

  auto sign = crypto::sign_keypair();
  auto dh = crypto::dh_keypair();
  const auto session = crypto::dh_keypair();  // this join's throwaway Noise static key
  pairing::JoinerInfo info;
  crypto::random_fill(info.device_id);
  if (info.device_id == store::kPrivateDevice) info.device_id[0] = 1;
  info.device_name = device_name;
  info.member_name = name;
  info.sign_key = sign.pub;
  info.dh_key = dh.pub;

  auto opts = pairing_options(session.secret);
  auto ch = co_await wire::connect(io_.get_executor(), *target, opts);
  if (!ch) {
    // Connection refused is what a spent or expired code looks like: its port closed.
    const std::string where = target->address().to_string() + ":" + std::to_string(target->port());
    const bool refused = ch.error().message.find("refused") != std::string::npos;
    api::set_error(
        out, 0,
        {Code::kUnavailable,
         refused ? "no invite is open at " + where +
                       " any more: the code was most likely used already or has expired (or the "
                       "address is wrong); run `tandem pair invite` again on the inviting device"
                 : "cannot reach the inviting device at " + where + " (" + ch.error().message +
                       "): it may not be reachable from here, or the code was used or has "
                       "expired; run `tandem pair invite` again on it"});
    co_return;
  }
  push_progress(progress, *sink, id, schema::PairStep::CHECKING);
  const Bytes prs = discovery::prs(*code);
  pairing::Binding binding{prs, ByteView(ch->handshake_hash().data(), ch->handshake_hash().size()),
                           session.pub, ch->remote_static()};
  auto joiner = pairing::Joiner::start(binding, info);
  if (!joiner) {
    api::set_error(out, 0, joiner.error());
    co_return;
  }
  if (auto sent = co_await ch->send(joiner->hello()); !sent) {
    api::set_error(out, 0,
                   {Code::kUnavailable, "the inviting device went away: " + sent.error().message});
    co_return;
  }
  auto reply = co_await ch->receive();
  if (!reply) {
    api::set_error(out, 0,
                   {Code::kUnavailable, "the inviting device hung up before answering (" +
                                            reply.error().message +
                                            "): the code may have been used or expired; run "
                                            "`tandem pair invite` again on it"});
    co_return;
  }
  auto confirm = joiner->on_reply(*reply);
  if (!confirm) {
    if (confirm.error().code == Code::kAuth) {
      // A refusal is a courtesy: the pairing fails whether or not it gets through.
      (void)(co_await ch->send(pairing::refused_message("wrong code")));
      api::set_error(out, 0,
                     {Code::kForbidden, "wrong code: nothing was shared; ask for a new code"});
    } else {
      api::set_error(out, 0,
                     {Code::kForbidden, "the inviting device refused: " + confirm.error().message +
                                            "; nothing was shared"});
    }
    ch->close();
    co_return;
  }
  if (auto sent = co_await ch->send(*confirm); !sent) {
    ch->close();
    api::set_error(out, 0,
                   {Code::kUnavailable, "the inviting device went away: " + sent.error().message});
    co_return;
  }
  auto welcome_msg = co_await ch->receive();
  ch->close();
  if (!welcome_msg) {
    api::set_error(out, 0,
                   {Code::kUnavailable, "the inviting device went away before the welcome"});
    co_return;
  }
  auto welcome = joiner->on_welcome(*welcome_msg);
  if (!welcome) {
    api::set_error(out, 0, {Code::kForbidden, "pairing failed: " + welcome.error().message});
    co_return;
  }
  // The roster as sync would accept it (signed by a device it lists, holding this device as it
  // asked), before anything is stored.
  auto verified =
      verify_welcome_roster(welcome->roster_record, welcome->roster,
                            {welcome->space_id, welcome->member, info.device_id, sign.pub, dh.pub});
  if (!verified) {
    spdlog::warn("pairing: refused the welcome: {}", verified.error().message);
    api::set_error(out, 0,
                   {Code::kForbidden,
                    "pairing failed: the inviting device sent a roster this device "
                    "cannot accept (" +
                        verified.error().message + "); nothing was stored"});
    co_return;
  }
  const store::Roster* roster = &verified->roster;

  // Keys first (0600 files), then the store; a leftover from an earlier failed attempt goes.
  for (const char* f : {"/device.sign", "/device.dh", "/space.key"})
    ::unlink((keys_.dir() + f).c_str());
  for (auto st : {keys_.write("device.sign", sign.secret), keys_.write("device.dh", dh.secret),
                  keys_.write("space.key", welcome->space_key)}) {
    if (!st) {
      api::set_error(out, 0, st.error());
      co_return;
    }
  }
  const Bytes roster_bytes = welcome->roster;
  const store::DeviceId dev_id = info.device_id;
  // Where the inviter accepts peers: a learned address (not a static peer the user gave), which
  // its hellos keep up to date if it moves to another port.
  std::string learned;
  host.port = welcome->peer_port;
  learned = to_hex(verified->inviter) + " " + discovery::format_peer_address(host) + "\n";
  Status st = co_await commit_op(committer_, [&, this](store::Txn& t) -> Status {
    auto self = store_.self(t);
    if (!self) return self.error();
    if (*self) return Error{Code::kAlreadyInitialized, "this device already keeps a journal"};
    TANDEM_TRY(store_.put_meta(t, "self", dev_id));
    TANDEM_TRY(store_.put_meta(t, "roster", roster_bytes));
    TANDEM_TRY(store_.put_meta(t, "learned-peers", as_bytes(learned)));
    return {};
  });
  if (!st) {
    api::set_error(out, 0, st.error());
    co_return;
  }
  if (auto loaded = journal_.load(); !loaded) {
    api::set_error(out, 0, loaded.error());
    co_return;
  }
  if (auto started = start(); !started)
    spdlog::warn("joined, but not listening: {}", started.error().message);
  spdlog::info("pairing: joined space {} as device {}", to_hex(welcome->space_id), to_hex(dev_id));
  auto p = out.initPaired();
  p.setDeviceId(to_hex(dev_id));
  p.setDeviceName(device_name);
  p.setMemberName(roster->member_names[welcome->member]);
  bool as_device = false;
  for (const auto& d : roster->devices) as_device |= d.id != dev_id && d.member == welcome->member;
  p.setAsDevice(as_device);
}

}  // namespace tandem::app
