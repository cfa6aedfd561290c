// tandem device revoke DEVICE: cut a lost or retired device of yours out of the space.
#include "client/invocation.hpp"
#include "client/render.hpp"

namespace tandem::client {
namespace {

void setup_device(CLI::App& app, Invocation& inv) {
  app.require_subcommand(1);
  auto* revoke = app.add_subcommand(
      "revoke",
      "revoke a device of yours (a lost phone): the space key rotates and the device can no "
      "longer connect; what it wrote before stays, marked as from a revoked device");
  add_global_flags(*revoke, inv);
  revoke->add_option("DEVICE", inv.device, "the device's id or name (see tandem peers)")
      ->required();
}

int run_device(Invocation& inv) {
  capnp::MallocMessageBuilder message;
  message.initRoot<schema::Request>().initRevokeDevice().setDevice(inv.device);
  int code = kExitOk;
  auto response = call_daemon(inv, message, code);
  if (!response) return code;
  auto r = response->get();
  if (!r.isRevoked())
    return report(inv, {ClientError::Kind::kProtocol, {}, "device: unexpected answer"});
  auto v = r.getRevoked();
  if (inv.json) {
    print(inv, JsonWriter().encode(v) + "\n");
    return kExitOk;
  }
  if (inv.quiet) return kExitOk;  // like retract: the exit code says it is done
  print(inv, "revoked " + std::string(v.getDeviceName().cStr()) + " (" + v.getDeviceId().cStr() +
                 "): it can no longer connect.\n" + "The space key moved to epoch " +
                 std::to_string(v.getEpoch()) + ", sealed to your " +
                 std::to_string(v.getRekeyed()) +
                 " remaining devices; they pick it up as they sync.\n" + "Its first " +
                 std::to_string(v.getKeptThrough()) +
                 " records stay, marked as from a revoked device.\n");
  return kExitOk;
}

}  // namespace

const Command kDeviceCommand{"device", "manage this space's devices: tandem device revoke DEVICE",
                             setup_device, run_device};

}  // namespace tandem::client
