@0xa93a10f2f75b1cb0;
# tandem's local API: what the CLI and every other frontend say to tandemd over its Unix socket.
#
# Transport: the same socket takes either
#   * Cap'n Proto messages in the standard stream framing (segment table, then segments), or
#   * JSON lines: one JSON object per line, the JSON form of the same structs (capnp's JSON
#     mapping: field names as below, enums as their names, 64-bit integers as strings, Data as hex).
# The daemon decides from the first byte of a connection: '{' means JSON lines, anything else a
# Cap'n Proto frame (whose first byte is its segment count minus one, which may be whitespace).
#
# Every request carries an `id` chosen by the client; every response echoes it. A subscription
# answers once with `subscribed`, then pushes `event` responses carrying the subscribe request's
# id. Errors are a `code` (stable) and a human `message` (may change); the connection survives them.
#
# Versioning (apiVersion in `status`): fields and enumerants are only ever added; a field is never
# renumbered, retyped or renamed; a request a daemon does not know gets `unknownRequest`. A change
# that breaks a client bumps apiVersion's major part. apiVersion is 1 for this file.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tandem::schema");
using Json = import "/capnp/compat/json.capnp";
using Entry = import "entry.capnp";
using Report = import "report.capnp";

const apiVersion :UInt32 = 1;

enum ErrorCode {
  internal @0;            # a bug or an unexpected failure; the daemon logs it
  badRequest @1;          # not a request: garbage, truncated, wrong types, unknown enum
  unknownRequest @2;      # a well-formed request this daemon does not implement
  tooLarge @3;            # a frame, line or field over its cap
  invalidArgument @4;     # a field out of range: effort 7, a bad date, a note over its cap
  notInitialized @5;      # run `tandem init` first
  alreadyInitialized @6;
  notFound @7;            # no such entry
  forbidden @8;           # e.g. editing or retracting an entry another member wrote
  storageFull @9;         # the disk or the map is full; nothing was written
  unavailable @10;        # try again later (shutting down, busy)
  badBundle @11;          # a bundle that does not verify: truncated, altered, reordered, forged,
                          # or sealed under a space key this device does not hold
  locked @12;             # the keys are wrapped by a passphrase: `unlock` first
  badPassphrase @13;      # the passphrase does not unlock the keys; nothing changed
}

struct Error {
  code @0 :ErrorCode;
  message @1 :Text;
}

enum EntryKind {
  any @0;
  contribution @1;
  card @2;
  appreciation @3;
  bid @4;
  support @5;
  initiation @6;
  conflict @7;
  boundary @8;
  goal @9;
  decision @10;
  expense @11;
  agreement @12;
  importantDate @13;
  checkin @14;
  context @15;
  edit @16;
  retract @17;
}

struct EntryView {
  # One entry as the reader sees it: the current body (edits applied), parties relative to the
  # reader ("me" is the member who owns the daemon answering).
  id @0 :Text;                 # "<device hex>-<seq>", stable across devices
  kind @1 :EntryKind;
  author @2 :Entry.Party;      # me or partner
  authorName @3 :Text;
  deviceName @4 :Text;
  recordedAt @5 :UInt64;       # unix milliseconds, from the hybrid logical clock
  entry @6 :Entry.Entry;       # the body; note empty when withheld or retracted
  edited @7 :Bool;
  retracted @8 :Bool;
  noteWithheld @9 :Bool;       # an aggregate entry from another device: synced without its note
  fromRevokedDevice @10 :Bool;
  sealedUntilPartner @11 :Bool;  # a sealed check-in whose answers are hidden for now
}

struct StatusRequest {}

struct Status {
  apiVersion @0 :UInt32;
  version @1 :Text;           # tandemd's version
  initialized @2 :Bool;
  spaceId @3 :Text;           # hex
  deviceId @4 :Text;          # hex
  deviceName @5 :Text;
  memberName @6 :Text;
  partnerName @7 :Text;       # empty until the partner joins
  entries @8 :UInt64;         # records in the store, every device
  ownEntries @9 :UInt64;      # records this device wrote
  privateEntries @10 :UInt64;
  dataDir @11 :Text;
  forks @12 :List(Text);      # devices caught writing two records with one sequence number
  listen @13 :Text;           # where this daemon accepts peers ("127.0.0.1:7470")
  locked @14 :Bool;           # waiting for `unlock`: only status and unlock are served
  passphrase @15 :Bool;       # the key files are wrapped by a passphrase
}

struct UnlockRequest {
  passphrase @0 :Text;
}

struct Unlocked {
  wasLocked @0 :Bool;         # false when the keys were already open (nothing happened)
}

struct SetPassphraseRequest {
  passphrase @0 :Text;        # the new one, at least 8 bytes; empty removes the passphrase
  current @1 :Text;           # the one in force, when there is one
}

struct PassphraseSet {
  passphrase @0 :Bool;        # whether a passphrase now wraps the key files
}

struct InitRequest {
  name @0 :Text;         # the member's name, shown to the partner
  deviceName @1 :Text;   # defaults to the host name
  partnerName @2 :Text;  # optional: how to call the partner until they join
}

struct InitResponse {
  spaceId @0 :Text;
  deviceId @1 :Text;
}

struct AddRequest {
  entry @0 :Entry.Entry;
}

struct GetRequest {
  id @0 :Text;
}

struct ListRequest {
  kind @0 :EntryKind;
  dimension @1 :Entry.Dimension;   # unset: every dimension
  actor @2 :Entry.Party;           # unset: anyone; me / partner: the entry's main actor
  since @3 :Text;                  # ISO date, inclusive
  until @4 :Text;                  # ISO date, inclusive
  limit @5 :UInt32;                # 0: the default (100); at most 1000
  cursor @6 :Text;                 # from a previous page's nextCursor
  includeRetracted @7 :Bool;
}

struct EntryList {
  entries @0 :List(EntryView);
  nextCursor @1 :Text;   # empty on the last page
}

struct EditRequest {
  id @0 :Text;
  entry @1 :Entry.Entry;   # the new body, same kind as the original
  reason @2 :Text;
}

struct RetractRequest {
  id @0 :Text;
  reason @1 :Text;
}

struct Retracted {
  id @0 :Text;
}

struct AppreciateRequest {
  ids @0 :List(Text);   # the entries the thanks is for (may be empty)
  note @1 :Text;
  visibility @2 :Entry.Visibility;
}

struct ExportRequest {
  # Pages through every entry the reader can see, oldest first, retracted ones included as
  # markers. Same paging as list.
  cursor @0 :Text;
  limit @1 :UInt32;
}

struct SubscribeRequest {}

struct Subscribed {}

struct Event {
  union {
    entryAdded @0 :EntryView;     # a new entry, written here or arrived from a peer
    entryChanged @1 :EntryView;   # an entry was edited or retracted
  }
}

struct PairInviteRequest {
  asDevice @0 :Bool;          # add another device of this member (a second laptop), not a partner
  timeoutSeconds @1 :UInt32;  # how long the code stays valid; 0: 600 (10 minutes)
  progress @2 :Bool;          # also answer pairProgress (checking) before the final answer
}

struct PairCode {
  # The first answer to pairInvite: read the code aloud; the final answer (paired or an error)
  # follows with the same id once the other device has joined, failed, or the code expired.
  code @0 :Text;              # "17-orbit-lantern-maple"
  port @1 :UInt16;            # the TCP port the invite listens on (for `pair join --address`)
  expiresAt @2 :UInt64;       # unix ms
}

struct PairJoinRequest {
  code @0 :Text;
  name @1 :Text;              # your name, for the partner (empty when joining as another device)
  deviceName @2 :Text;        # defaults to the host name
  address @3 :Text;           # HOST:PORT of the inviting device; empty: find it on the LAN
  timeoutSeconds @4 :UInt32;  # how long to look for the inviter on the LAN; 0: 60
  progress @5 :Bool;          # answer pairProgress (searching, found, checking) before paired
}

enum PairStep {
  searching @0;               # the joiner looks for the inviter's beacon on the LAN
  found @1;                   # the joiner found the inviter (address)
  checking @2;                # a Noise session with the other device is up; the code is checked
}

struct PairProgress {
  # Pushed with the request's id while pairInvite or pairJoin goes on, when it asked for progress.
  step @0 :PairStep;
  address @1 :Text;           # found: the inviter's HOST:PORT
}

struct Paired {
  deviceId @0 :Text;          # the device that joined
  deviceName @1 :Text;
  memberName @2 :Text;
  asDevice @3 :Bool;
}

struct PeersRequest {}

struct PeerView {
  deviceId @0 :Text;
  deviceName @1 :Text;
  memberName @2 :Text;
  member @3 :Entry.Party;      # me (another device of mine) or partner
  address @4 :Text;            # the last address it was reached at, if any
  connected @5 :Bool;
  lastSeen @6 :UInt64;         # unix ms; 0: never
  rttMs @7 :UInt32;            # the last keepalive round trip
  revoked @8 :Bool;
  bytesSent @9 :UInt64;        # on the current connection, after its handshake
  bytesReceived @10 :UInt64;
  behind @11 :UInt64;          # records this device holds that the peer has not acknowledged
  clockSkewMs @12 :Int64;      # the peer's clock minus ours, estimated from keepalives
  inFlight @13 :UInt64;        # records sent to the peer and not yet acknowledged (part of behind)
  missing @14 :UInt64;         # records the peer holds (its hello, then what it sent since) that
                               # this device has not stored yet: what a catch-up still has to bring
  frontierKnown @15 :Bool;     # connected and the peer's hello has arrived: behind, inFlight and
                               # missing are meaningful (all 0 before)
}

struct PeerList {
  devices @0 :List(PeerView);  # every other device of the space
  listen @1 :Text;             # where this daemon accepts peers
  thisDevice @2 :PeerView;     # this device (id, name, member; address: where it listens);
                               # absent before the space exists
}

struct PeerAddressRequest {
  address @0 :Text;            # HOST:PORT of a static peer (an overlay network address)
}

struct PeerAddresses {
  addresses @0 :List(Text);
}

struct RevokeDeviceRequest {
  device @0 :Text;             # a device id (16 hex digits) or a device's unique name
}

struct DeviceRevoked {
  deviceId @0 :Text;
  deviceName @1 :Text;
  epoch @2 :UInt32;            # the space key's new epoch
  keptThrough @3 :UInt64;      # the device's records up to this sequence stay valid
  rekeyed @4 :UInt32;          # devices the new space key was sealed to (this one included)
}

struct BundleExportRequest {
  # Writes an offline bundle: the space's shared records (never private ones; aggregate ones
  # without their note), sealed under the space key, for a device that shares no network with
  # this one. The answer streams: `bundleChunk` responses carrying the bundle's bytes in order
  # (append each to the file as it comes), then `bundleExported`. The daemon sends the next
  # chunks only as the client reads the earlier ones.
  forDevice @0 :Text;   # a device id (hex) or name: leave out what that device is known to hold
                        # (from sync sessions and bundles it wrote); empty: every record
}

struct BundleChunk {
  data @0 :Data $Json.hex;  # the next bytes of the bundle
}

struct BundleExported {
  records @0 :UInt64;   # records in the bundle
  bytes @1 :UInt64;     # the bundle's size in bytes
  forDevice @2 :Text;   # the device id it was written for; empty: every record
}

struct BundleImportRequest {
  # One piece of a bundle file. An import is a sequence of these on one connection, in file
  # order: offset 0 starts one (dropping an unfinished one on this connection), each next piece
  # starts where the last ended. Each piece is verified and merged exactly as sync does, batch by
  # batch; duplicates are harmless. The first bad chunk ends the import with `badBundle` (or
  # `forbidden` for another space's bundle) and nothing of it is stored.
  data @0 :Data $Json.hex;  # at most 262144 bytes
  offset @1 :UInt64;    # where `data` starts in the file
  last @2 :Bool;        # the file ends with this piece: the daemon checks the bundle is whole
}

struct BundleImported {
  records @0 :UInt64;     # new records stored by this import so far
  duplicates @1 :UInt64;  # records this device held already
  bytes @2 :UInt64;       # bundle bytes read so far
  done @3 :Bool;          # the whole bundle verified and merged (answer to the `last` piece)
  fromDevice @4 :Text;    # the device that wrote the bundle (hex)
}

struct Request {
  id @0 :UInt32;
  union {
    status @1 :StatusRequest;
    init @2 :InitRequest;
    add @3 :AddRequest;
    get @4 :GetRequest;
    list @5 :ListRequest;
    edit @6 :EditRequest;
    retract @7 :RetractRequest;
    appreciate @8 :AppreciateRequest;
    export @9 :ExportRequest;
    subscribe @10 :SubscribeRequest;
    report @11 :Report.ReportRequest;   # the reciprocity report (report.capnp)
    pairInvite @12 :PairInviteRequest;  # answers pairCode, then paired (or an error)
    pairJoin @13 :PairJoinRequest;      # answers paired (or an error)
    peers @14 :PeersRequest;            # answers peers
    peerAdd @15 :PeerAddressRequest;    # answers peerAddresses
    peerRemove @16 :PeerAddressRequest; # answers peerAddresses
    peerList @17 :PeersRequest;         # answers peerAddresses
    revokeDevice @18 :RevokeDeviceRequest;  # answers revoked
    bundleExport @19 :BundleExportRequest;  # answers bundleChunk..., then bundleExported
    bundleImport @20 :BundleImportRequest;  # answers bundleImported
    unlock @21 :UnlockRequest;              # answers unlocked
    setPassphrase @22 :SetPassphraseRequest;  # answers passphraseSet
  }
}

struct Response {
  id @0 :UInt32;
  union {
    error @1 :Error;
    status @2 :Status;
    init @3 :InitResponse;
    entry @4 :EntryView;       # add, get, edit, appreciate
    list @5 :EntryList;        # list, export
    retracted @6 :Retracted;
    subscribed @7 :Subscribed;
    event @8 :Event;
    report @9 :Report.Report;
    pairCode @10 :PairCode;
    paired @11 :Paired;
    peers @12 :PeerList;
    peerAddresses @13 :PeerAddresses;
    revoked @14 :DeviceRevoked;
    bundleChunk @15 :BundleChunk;
    bundleExported @16 :BundleExported;
    bundleImported @17 :BundleImported;
    unlocked @18 :Unlocked;
    passphraseSet @19 :PassphraseSet;
    pairProgress @20 :PairProgress;  # pairInvite / pairJoin with progress: true
  }
}
