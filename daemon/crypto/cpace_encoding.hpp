// CPace's string encodings (draft-irtf-cfrg-cpace-21, section 6.3 and appendix): LEB128 length
// prefixes, length-value concatenation, ordered concatenation, transcripts and the generator
// string. Pure byte functions, no cryptography; every one is checked against the draft's vectors.
#pragma once

#include "daemon/base/bytes.hpp"
#include "daemon/base/result.hpp"

#include <cstddef>
#include <initializer_list>
#include <optional>

namespace tandem::crypto::cpace {

// LEB128(len(s)) || s.
Bytes prepend_len(ByteView s);
// Appends prepend_len(s) to `out` (no temporary).
void append_lv(Bytes& out, ByteView s);
// prepend_len(a0) || prepend_len(a1) || ...
Bytes lv_cat(std::initializer_list<ByteView> parts);
// b"oc" || the lexicographically larger of a, b || the other.
Bytes o_cat(ByteView a, ByteView b);
// Initiator-responder transcript: lv_cat(Ya, ADa) || lv_cat(Yb, ADb).
Bytes transcript_ir(ByteView ya, ByteView ada, ByteView yb, ByteView adb);
// Symmetric transcript: o_cat(lv_cat(Ya, ADa), lv_cat(Yb, ADb)).
Bytes transcript_oc(ByteView ya, ByteView ada, ByteView yb, ByteView adb);
// lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid) with len_zpad filling the first hash block of
// `s_in_bytes`. Holds the PRS: callers wipe it when done.
Bytes generator_string(ByteView dsi, ByteView prs, ByteView ci, ByteView sid,
                       std::size_t s_in_bytes);

// Reads one length-value field from the front of `in`, advancing it. nullopt when the LEB128
// prefix is malformed (over 4 bytes, i.e. over 256 MiB) or longer than what remains.
std::optional<ByteView> read_lv(ByteView& in);

}  // namespace tandem::crypto::cpace
