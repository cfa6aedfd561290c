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
