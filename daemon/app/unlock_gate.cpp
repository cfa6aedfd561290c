#include "daemon/app/unlock_gate.hpp"

#include "daemon/api/codec.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/base/log.hpp"
#include "daemon/crypto/secret.hpp"

namespace tandem::app {

namespace {

// Wipes the passphrase's bytes in the request message once it has been used.
void wipe_text(capnp::Text::Reader text) {
  crypto::wipe(const_cast<char*>(text.begin()), text.size());
}

}  // namespace

awaitable<void> UnlockGate::handle(schema::Request::Reader req, schema::Response::Builder out,
                                   const std::shared_ptr<api::EventSink>& sink) {
  if (req.isUnlock()) {
    unlock(req.getUnlock(), out);
    co_return;
  }
  if (req.isSetPassphrase()) {
    set_passphrase(req.getSetPassphrase(), out);
    co_return;
  }
  if (keys_.locked() || service_ == nullptr) {
    if (req.isStatus()) {
      auto s = out.initStatus();
      s.setApiVersion(schema::API_VERSION);
      s.setVersion(kDaemonVersion);
      s.setDataDir(data_dir_);
      s.setLocked(true);
      s.setPassphrase(true);
      co_return;
    }
    api::set_error(out, 0,
                   {Code::kLocked, "the keys are locked by a passphrase: run `tandem unlock`"});
    co_return;
  }
  co_await service_->handle(req, out, sink);
  if (req.isStatus() && out.isStatus()) out.getStatus().setPassphrase(keys_.wrapped());
}

void UnlockGate::unlock(schema::UnlockRequest::Reader req, schema::Response::Builder out) {
  const bool was_locked = keys_.locked();
  auto st = keys_.unlock(std::string_view(req.getPassphrase().cStr(), req.getPassphrase().size()));
  wipe_text(req.getPassphrase());
  if (!st) {
    if (st.error().code == Code::kBadPassphrase) spdlog::warn("unlock refused: wrong passphrase");
    api::set_error(out, 0, st.error());
    return;
  }
  out.initUnlocked().setWasLocked(was_locked);
  if (was_locked) {
    spdlog::info("keys unlocked");
    if (on_unlocked_) on_unlocked_();
  }
}

void UnlockGate::set_passphrase(schema::SetPassphraseRequest::Reader req,
                                schema::Response::Builder out) {
  auto fail = [&](const Error& e) {
    wipe_text(req.getPassphrase());
    wipe_text(req.getCurrent());
    api::set_error(out, 0, e);
  };
  if (keys_.locked() || service_ == nullptr) {
    return fail({Code::kLocked, "the keys are locked by a passphrase: run `tandem unlock`"});
  }
  if (keys_.wrapped()) {
    if (auto st = keys_.verify({req.getCurrent().cStr(), req.getCurrent().size()}); !st) {
      return fail({st.error().code, st.error().code == Code::kBadPassphrase
                                        ? "the current passphrase is not right; nothing changed"
                                        : st.error().message});
    }
  }
  auto st = keys_.change_passphrase({req.getPassphrase().cStr(), req.getPassphrase().size()});
  if (!st) return fail(st.error());
  wipe_text(req.getPassphrase());
  wipe_text(req.getCurrent());
  spdlog::info(keys_.wrapped() ? "the key files are now wrapped by a passphrase"
                               : "the passphrase was removed: the key files are plain again");
  out.initPassphraseSet().setPassphrase(keys_.wrapped());
}

}  // namespace tandem::app
