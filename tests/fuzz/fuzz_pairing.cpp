// Fuzzes the pairing state machines at each step of a real exchange (fixed code and scalars):
// the fuzz bytes arrive instead of the real message that step expects.
//   step 0: the inviter reads a hello            (Inviter::on_hello)
//   step 1: the joiner reads the reply           (Joiner::on_reply, after a real hello)
//   step 2: the inviter reads the confirmation   (Inviter::on_confirm, after a real hello)
//   step 3: the joiner reads the welcome         (Joiner::on_welcome, after a real confirmation)
//   step 4: the welcome's plaintext               (decode_welcome_body, past the seal)
// Input: the message, then a step byte at the end (step = byte % 5).
#include "tests/fuzz/fuzz_input.hpp"
#include "tests/fuzz/pairing_fixture.hpp"

#include <cstdlib>

using namespace tandem;

namespace {

// A joiner that has confirmed with the real inviter (on_welcome changes nothing, so one serves
// every input).
pairing::Joiner& confirmed_joiner() {
  static pairing::Joiner joiner = [] {
    const auto& s = fuzz::pairing_setup();
    auto j = s.joiner();
    auto inv = s.inviter(j.hello());
    auto confirm = j.on_reply(inv.reply());
    if (!confirm || !inv.on_confirm(*confirm)) std::abort();
    return j;
  }();
  return joiner;
}

const Bytes& real_hello() {
  static const Bytes hello = fuzz::pairing_setup().joiner().hello();
  return hello;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const int step = in.integral<std::uint8_t>() % 5;
  const ByteView msg = in.rest_view();
  const auto& s = fuzz::pairing_setup();
  switch (step) {
    case 0: {
      auto inv = pairing::Inviter::on_hello(s.binding(), msg, &s.inviter_scalar);
      if (!inv) break;
      const auto& j = inv->joiner();
      if (j.device_name.size() > 64 || j.member_name.size() > 64) std::abort();
      if (inv->reply().empty() || inv->welcome(s.welcome()).ok()) std::abort();  // not confirmed
      break;
    }
    case 1: {
      auto joiner = s.joiner();
      auto confirm = joiner.on_reply(msg);
      if (!confirm) break;
      // Only the real inviter's CPace share and tag get here: its confirmation must then hold.
      auto inv = s.inviter(joiner.hello());
      if (!inv.on_confirm(*confirm)) std::abort();
      if (joiner.on_reply(msg).ok()) std::abort();  // single use
      break;
    }
    case 2: {
      auto inv = s.inviter(real_hello());
      if (!inv.on_confirm(msg)) {
        if (inv.welcome(s.welcome()).ok()) std::abort();  // nothing is shared after a failure
        break;
      }
      auto sealed = inv.welcome(s.welcome());
      if (!sealed) std::abort();
      auto joiner = s.joiner();
      auto real_confirm = joiner.on_reply(inv.reply());
      if (!real_confirm || !joiner.on_welcome(*sealed)) std::abort();
      break;
    }
    case 3: {
      auto w = confirmed_joiner().on_welcome(msg);
      if (!w) break;
      // Only the inviter's sealed welcome opens: it must say what the inviter sealed.
      const auto real = s.welcome();
      if (w->space_id != real.space_id || w->member != real.member ||
          !crypto::equal_ct(w->space_key.view(), real.space_key.view())) {
        std::abort();
      }
      break;
    }
    default: {
      auto w = pairing::decode_welcome_body(msg);
      if (w && w->member != 1 && w->member != 2) std::abort();
      break;
    }
  }
  return 0;
}
