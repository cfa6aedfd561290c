#include "client/enum_names.hpp"
#include "proto/api.capnp.h"

#include <catch2/catch.hpp>

using namespace tandem;
using client::parse_enum;

TEST_CASE("enums: camelCase enumerants are typed in kebab-case", "[client][enums]") {
  CHECK(client::kebab_from_camel("unfairToMe") == "unfair-to-me");
  CHECK(client::kebab_from_camel("importantDate") == "important-date");
  CHECK(client::kebab_from_camel("household") == "household");
  CHECK(parse_enum<schema::Fairness>("unfair-to-me") == schema::Fairness::UNFAIR_TO_ME);
  CHECK(parse_enum<schema::Fairness>("very-unfair-to-partner") ==
        schema::Fairness::VERY_UNFAIR_TO_PARTNER);
  CHECK(parse_enum<schema::EntryKind>("important-date") == schema::EntryKind::IMPORTANT_DATE);
  CHECK(parse_enum<schema::ConflictOutcome>("agreed-to-differ") ==
        schema::ConflictOutcome::AGREED_TO_DIFFER);
}

TEST_CASE("enums: the schema's own spelling is accepted too", "[client][enums]") {
  CHECK(parse_enum<schema::Fairness>("unfairToMe") == schema::Fairness::UNFAIR_TO_ME);
}

TEST_CASE("enums: unset and unknown values are rejected", "[client][enums]") {
  CHECK_FALSE(parse_enum<schema::Party>("unset"));
  CHECK_FALSE(parse_enum<schema::Party>("Me"));
  CHECK_FALSE(parse_enum<schema::Party>(""));
  CHECK_FALSE(parse_enum<schema::Phase>("plan"));
}

TEST_CASE("enums: choices and names round-trip", "[client][enums]") {
  auto party = capnp::Schema::from<schema::Party>();
  CHECK(client::enum_choices_text(party) == "me|partner|both");
  CHECK(client::enum_name(schema::Prevailed::NEW_OPTION) == "new-option");
  CHECK(client::enum_name(party, 99) == "99");
  CHECK(client::bad_enum_message("--by", "them", party) ==
        "bad --by 'them'; valid values: me, partner, both");
}
