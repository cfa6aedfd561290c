// Hand-built API values shared by the client tests.
#pragma once

#include "proto/api.capnp.h"

#include <string>

namespace tandem::test {

// A contribution "cooked dinner" by the reader, household, effort 2, execute phase.
inline void fill_contribution_view(schema::EntryView::Builder view,
                                   const std::string& id = "0123456789abcdef-7",
                                   const std::string& note = "cooked dinner") {
  view.setId(id);
  view.setKind(schema::EntryKind::CONTRIBUTION);
  view.setAuthor(schema::Party::ME);
  view.setAuthorName("Sam");
  view.setDeviceName("laptop");
  view.setRecordedAt(1795000000000ull);
  auto entry = view.initEntry();
  auto c = entry.getKind().initContribution();
  c.setActor(schema::Party::ME);
  c.setEffort(2);
  c.setPhase(schema::Phase::EXECUTE);
  entry.setDimension(schema::Dimension::HOUSEHOLD);
  entry.setDate("2026-11-24");
  if (!note.empty()) entry.setNote(note);
}

}  // namespace tandem::test
