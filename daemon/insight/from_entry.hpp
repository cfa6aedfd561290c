// The module edge: a stored entry body becomes a plain Fact. Parties in a stored body are relative
// to the entry's author ("me" = the author's member); a Fact holds member ids instead.
#pragma once

#include "daemon/base/result.hpp"
#include "daemon/insight/snapshot.hpp"
#include "proto/entry.capnp.h"

namespace tandem::insight {

// The dimension a kind falls in when the entry leaves it unset (schema::Dimension ordinal).
Dimension default_dimension(schema::Entry::Kind::Which kind);

// Builds the Fact for one materialized entry body (edits already applied) written by `author`
// (kFirst or kSecond), with its stable id when known. Reads only `entry`, which must outlive the
// call; the Fact owns copies of every text it keeps. The note is never read.
// Fails with kInvalidArgument for edit and retract bodies (they never reach a snapshot), an author
// that is not 1 or 2, or a date that is not an ISO date; with kCorrupt when capnp rejects the
// message while reading it (capnp exceptions are caught here and do not escape).
Result<Fact> fact_from_entry(schema::Entry::Reader entry, Member author, EntryId id = {});

}  // namespace tandem::insight
