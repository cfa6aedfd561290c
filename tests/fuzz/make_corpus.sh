#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from real messages: JSON request lines, the
# same requests as Cap'n Proto frames (`capnp encode`), and record bodies, rosters, entries and
# headers as the store writes them; then the seeds that need real keys (Noise handshake steps,
# transport frames, sync batches, pairing steps, beacons, config files) with fuzz_make_seeds from
# a normal build (TANDEM_BUILD_DIR, default build/). Run from anywhere; needs the `capnp` tool.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proto="$here/../../proto"
out="$here/corpus"
mkdir -p "$out/fuzz_api_json" "$out/fuzz_api_frame" "$out/fuzz_record_body"

encode() {  # encode SCHEMA TYPE TEXT > file
  printf '%s\n' "$3" | capnp encode -I"$proto" "$proto/$1" "$2"
}
hex() { od -An -v -tx1 | tr -d ' \n'; }

# ---- local API requests, as JSON lines and as frames ----
requests_json=(
  '{"id": 1, "status": {}}'
  '{"id": 2, "init": {"name": "Sam", "deviceName": "laptop", "partnerName": "Jo"}}'
  '{"id": 3, "add": {"entry": {"contribution": {"actor": "me", "effort": 2, "phase": "anticipate"}, "date": "2026-11-25", "note": "planned the week", "visibility": "shared"}}}'
  '{"id": 4, "add": {"entry": {"bid": {"bidder": "partner", "response": "toward", "heard": 4}, "date": "2026-11-24"}}}'
  '{"id": 5, "add": {"entry": {"conflict": {"raisedBy": "me", "topic": "finances", "repairs": [{"by": "partner", "kind": "apology", "accepted": true}], "outcome": "compromise", "fairnessMe": 4}, "date": "2026-11-20"}}}'
  '{"id": 6, "add": {"entry": {"checkin": {"period": "2026-W48", "fairness": [{"dimension": "household", "fairness": "unfairToMe"}], "appreciated": 3, "sealed": true}}}}'
  '{"id": 7, "get": {"id": "0123456789abcdef-17"}}'
  '{"id": 8, "list": {"kind": "contribution", "dimension": "household", "since": "2026-10-01", "limit": 50, "includeRetracted": true}}'
  '{"id": 9, "edit": {"id": "local-3", "entry": {"expense": {"amountCents": "4599", "currency": "EUR", "paidBy": "me", "area": "groceries"}}, "reason": "amount"}}'
  '{"id": 10, "retract": {"id": "0123456789abcdef-2", "reason": "logged twice"}}'
  '{"id": 11, "appreciate": {"ids": ["0123456789abcdef-1"], "note": "thank you", "visibility": "aggregate"}}'
  '{"id": 12, "export": {"cursor": "", "limit": 100}}'
  '{"id": 13, "subscribe": {}}'
  '{"id": 14, "add": {"entry": {"edit": {"reason": "r"}, "refs": [{"device": "0102030405060708", "seq": "1"}], "replacement": {"context": {"label": "exams", "from": "2026-06-01", "until": "2026-06-20"}}}}}'
)
i=0
for r in "${requests_json[@]}"; do
  printf '%s' "$r" > "$out/fuzz_api_json/request-$i.json"
  i=$((i + 1))
done

requests_text=(
  '(id = 1, status = ())'
  '(id = 2, init = (name = "Sam", deviceName = "laptop", partnerName = "Jo"))'
  '(id = 3, add = (entry = (kind = (contribution = (actor = me, effort = 2, phase = anticipate)), date = "2026-11-25", note = "planned the week")))'
  '(id = 5, add = (entry = (kind = (conflict = (raisedBy = me, topic = finances, repairs = [(by = partner, kind = apology, accepted = true)], outcome = compromise)), date = "2026-11-20")))'
  '(id = 7, get = (id = "0123456789abcdef-17"))'
  '(id = 8, list = (kind = contribution, dimension = household, since = "2026-10-01", limit = 50))'
  '(id = 11, appreciate = (ids = ["0123456789abcdef-1", "local-2"], note = "thank you", visibility = aggregate))'
  '(id = 14, add = (entry = (kind = (edit = (reason = "r")), refs = [(device = 0x"0102030405060708", seq = 1)], replacement = (kind = (context = (label = "exams"))))))'
)
# The frame fuzzer takes its chunk sizes and cap from the end of its input: a few trailing bytes.
i=0
for r in "${requests_text[@]}"; do
  { encode api.capnp Request "$r"; printf '\x01\x10\x03\x40'; } > "$out/fuzz_api_frame/request-$i.bin"
  i=$((i + 1))
done
{ for r in "${requests_text[@]}"; do encode api.capnp Request "$r"; done; printf '\x07\x01\x00'; } \
  > "$out/fuzz_api_frame/pipelined.bin"
# Tiny segments: a frame with a real multi-segment table and far pointers.
printf '%s\n' '(id = 2, init = (name = "multi segment", deviceName = "laptop"))' |
  capnp encode --segment-size=2 -I"$proto" "$proto/api.capnp" Request \
  > "$out/fuzz_api_frame/multi-segment.bin"

# ---- store records ----
entry_text=(
  '(kind = (contribution = (actor = me, effort = 2, phase = execute)), date = "2026-11-25")'
  '(kind = (bid = (bidder = partner, response = away, heard = 2)), date = "2026-11-24", people = both)'
  '(kind = (retract = (reason = "twice")), refs = [(device = 0x"0102030405060708", seq = 3)])'
  '(kind = (edit = (reason = "typo")), refs = [(device = 0x"0102030405060708", seq = 1)], replacement = (kind = (support = (needed = partner, gave = me, form = practical, helpful = 5))))'
)
i=0
for e in "${entry_text[@]}"; do
  encode entry.capnp Entry "$e" > "$out/fuzz_record_body/entry-$i.bin"
  fields="$(hex < "$out/fuzz_record_body/entry-$i.bin")"
  encode store.capnp RecordBody \
    "(fields = 0x\"$fields\", noteSalt = 0x\"000102030405060708090a0b0c0d0e0f\", note = \"cooked dinner\")" \
    > "$out/fuzz_record_body/body-$i.bin"
  encode store.capnp RecordBody \
    "(fields = 0x\"$fields\", noteSalt = 0x\"000102030405060708090a0b0c0d0e0f\", noteHash = 0x\"$(printf '%064d' 0)\")" \
    > "$out/fuzz_record_body/body-withheld-$i.bin"
  i=$((i + 1))
done
key="$(printf 'ab%.0s' {1..32})"
encode store.capnp Roster \
  "(spaceId = 0x\"00112233445566778899aabbccddeeff\", members = [(id = 1, name = \"Sam\"), (id = 2, name = \"Jo\")], devices = [(id = 0x\"0102030405060708\", member = 1, name = \"laptop\", signKey = 0x\"$key\", dhKey = 0x\"$key\"), (id = 0x\"1112131415161718\", member = 2, name = \"phone\", signKey = 0x\"$key\", dhKey = 0x\"$key\", revoked = true)], epoch = 2)" \
  > "$out/fuzz_record_body/roster.bin"
# A 153-byte header: device, seq 1, hlc, prev_hash, body_hash, flags, signature.
{ printf '\x01\x02\x03\x04\x05\x06\x07\x08\0\0\0\0\0\0\0\x01'; head -c 137 /dev/zero | tr '\0' '\x5a'; } \
  > "$out/fuzz_record_body/header.bin"
seeds="${TANDEM_BUILD_DIR:-$here/../../build}/tests/fuzz/fuzz_make_seeds"
if [[ -x "$seeds" ]]; then
  "$seeds" "$out"
else
  echo "skipped the keyed seeds: build fuzz_make_seeds first (ninja -C build fuzz_make_seeds)" >&2
fi
echo "corpus written to $out"
