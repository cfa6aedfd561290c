// What makes an entry acceptable, and how it reads from either partner's side. Pure functions
// over entry.capnp builders and readers.
#pragma once

#include "daemon/base/result.hpp"
#include "proto/api.capnp.h"
#include "proto/entry.capnp.h"

#include <string>

namespace tandem::app {

inline constexpr std::size_t kMaxNoteBytes = 16 * 1024;
inline constexpr std::size_t kMaxTitleBytes = 512;

// Checks every field of a new entry (enums in range, effort 1-3, ratings 0-5, ISO dates, caps),
// fills defaults (dimension from the kind, effort 1, date `today`), in place. Edits and retracts
// are refused here: they have their own requests. kInvalidArgument / kTooLarge with a message
// naming the field.
Status normalise_entry(schema::Entry::Builder entry, const std::string& today);

// The dimension a kind implies when the entry does not name one.
schema::Dimension default_dimension(schema::Entry::Reader entry);

// Swaps me and partner everywhere in the body (parties, "yielded me/partner", fairness to
// me/partner, an agreement's share): from the author's point of view to the other member's.
void flip_perspective(schema::Entry::Builder entry);

// The entry's main actor (who did / raised / initiated it), as stored; `unset` when the kind has
// none and the author is meant.
schema::Party main_actor(schema::Entry::Reader entry);

schema::EntryKind kind_of(schema::Entry::Reader entry);

// True for "YYYY-MM-DD" naming a real calendar date.
bool valid_iso_date(std::string_view s);

}  // namespace tandem::app
