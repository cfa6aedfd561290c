@0xaef486d158953946;
# tandem's peer wire: what two devices of one space say to each other inside a Noise transport
# session (one message per Noise frame, at most 65535 bytes on the wire). Schema version 1.
# Same evolution rules as entry.capnp.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tandem::schema");
using Store = import "store.capnp";

struct FrontierItem {
  device @0 :Data;   # 8-byte device id
  seq @1 :UInt64;    # the highest sequence held, contiguous from 1
}

struct Hello {
  protocol @0 :UInt32;                # 1
  frontier @1 :List(FrontierItem);
  rosterEpoch @2 :UInt32;
  listenPort @3 :UInt16;              # the TCP port the sender accepts peers on (0: none); its
                                      # peers dial this port at the address the connection came
                                      # from, so a device that restarts on a new port is found again
}

struct Batch {
  batchId @0 :UInt64;
  records @1 :List(Store.Record);    # one device's records, in sequence order
}

struct Ack {
  batchId @0 :UInt64;
}

enum GoodbyeReason {
  normal @0;
  shuttingDown @1;
  protocolError @2;
  revoked @3;
  fork @4;
}

struct PeerMessage {
  union {
    hello @0 :Hello;
    batch @1 :Batch;
    ack @2 :Ack;
    keepalive @3 :UInt64;             # sender's unix ms, echoed for round-trip time
    keepaliveEcho @4 :UInt64;
    goodbye @5 :GoodbyeReason;
  }
}

# ---- Pairing: inside a plain Noise_XX session, the joiner (Noise initiator) and the inviter run
# CPace with the pairing code, confirm keys, and only then does the space move.

struct PairHello {
  version @0 :UInt32;          # 1
  cpace @1 :Data;              # CPace message lv(Ya) || lv(ADa)
  deviceId @2 :Data;           # the joiner's new device id (8 bytes)
  deviceName @3 :Text;
  memberName @4 :Text;         # the joiner's name (a new partner) or empty (another own device)
  signKey @5 :Data;            # the joiner's Ed25519 public key
  dhKey @6 :Data;              # the joiner's long-term X25519 public key (for the roster); the
                               # Noise session's static keys are throwaway keys of this exchange
}

struct PairReply {
  cpace @0 :Data;              # lv(Yb) || lv(ADb)
  confirm @1 :Data;            # the inviter's CPace confirmation tag
}

struct PairConfirm {
  confirm @0 :Data;            # the joiner's CPace confirmation tag
}

struct PairWelcomeBody {
  spaceId @0 :Data;
  spaceKey @1 :Data;
  roster @2 :Data;             # a store.capnp Roster, the joiner's device in it
  member @3 :UInt8;            # the joiner's member id
  peerPort @4 :UInt16;         # where the inviter accepts peer connections (same host)
  rosterRecord @5 :Data;       # the inviter's signed roster record that admitted the joiner, as
                               # sync carries it (a PeerMessage batch of that one record); its
                               # body is `roster`, and the joiner checks both before it keeps any
}

struct PairMessage {
  union {
    hello @0 :PairHello;
    reply @1 :PairReply;
    confirm @2 :PairConfirm;
    welcome @3 :Data;          # PairWelcomeBody sealed under a key derived from the CPace ISK
    refused @4 :Text;          # why this side stopped (wrong code, expired, ...)
  }
}
