// Runs cacophony-schema Noise vectors through two HandshakeStates (one per role) with the
// vector's fixed keys: every handshake message byte-exact, the handshake hash when given, then
// the transport messages under the Split() keys.
#include "daemon/crypto/noise_handshake.hpp"
#include "tests/vectors/runner.hpp"

#include <cstring>

namespace tandem::vectors {

namespace noise = crypto::noise;

std::optional<Bytes> hex_field(const Json& obj, std::string_view key) {
  const Json* v = obj.get(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return from_hex(v->string);
}

namespace {

// The keys of one side, held for the life of the run so the options can borrow them.
struct Side {
  std::optional<crypto::DhSecretKey> static_key;
  std::optional<crypto::DhSecretKey> ephemeral;
  std::optional<crypto::PublicKey> remote_static;
  std::vector<crypto::SymmetricKey> psks;
  Bytes prologue;
};

bool to_secret(const Bytes& b, crypto::DhSecretKey& out) {
  if (b.size() != 32) return false;
  std::memcpy(out.data(), b.data(), 32);
  return true;
}

// Loads the side named by `prefix` ("init" or "resp"); an error message on bad fields.
std::string load_side(const Json& v, const std::string& prefix, Side& side) {
  if (auto p = hex_field(v, prefix + "_prologue")) side.prologue = *p;
  for (const char* which : {"_static", "_ephemeral"}) {
    const Json* field = v.get(prefix + which);
    if (field == nullptr) continue;
    auto b = hex_field(v, prefix + which);
    crypto::DhSecretKey k;
    if (!b || !to_secret(*b, k)) return prefix + which + " is not a 32-byte hex key";
    (std::strcmp(which, "_static") == 0 ? side.static_key : side.ephemeral).emplace(std::move(k));
  }
  if (v.get(prefix + "_remote_static") != nullptr) {
    auto b = hex_field(v, prefix + "_remote_static");
    if (!b || b->size() != 32) return prefix + "_remote_static is not a 32-byte hex key";
    crypto::PublicKey pk;
    std::memcpy(pk.data(), b->data(), 32);
    side.remote_static = pk;
  }
  if (const Json* psks = v.get(prefix + "_psks")) {
    if (!psks->is_array()) return prefix + "_psks is not an array";
    for (const Json& p : psks->array) {
      auto b = p.is_string() ? from_hex(p.string) : std::nullopt;
      if (!b || b->size() != 32) return prefix + "_psks holds a non-32-byte key";
      crypto::SymmetricKey k;
      std::memcpy(k.data(), b->data(), 32);
      side.psks.push_back(std::move(k));
    }
  }
  return {};
}

noise::HandshakeOptions options_for(const std::string& name, noise::Role role, const Side& s) {
  noise::HandshakeOptions o;
  o.protocol_name = name;
  o.role = role;
  o.prologue = s.prologue;
  o.local_static = s.static_key ? &*s.static_key : nullptr;
  o.remote_static = s.remote_static;
  o.psks = s.psks;
  o.fixed_ephemeral = s.ephemeral ? &*s.ephemeral : nullptr;
  return o;
}

// Runs one vector; an empty string on success, else why it failed.
std::string run_one(const Json& v) {
  const Json* name_field = v.get("protocol_name");
  if (name_field == nullptr || !name_field->is_string()) return "no protocol_name";
  const std::string name = name_field->string;
  Side init_side, resp_side;
  if (auto e = load_side(v, "init", init_side); !e.empty()) return e;
  if (auto e = load_side(v, "resp", resp_side); !e.empty()) return e;

  auto init = noise::HandshakeState::create(options_for(name, noise::Role::kInitiator, init_side));
  if (!init) return "initiator: " + init.error().message;
  auto resp = noise::HandshakeState::create(options_for(name, noise::Role::kResponder, resp_side));
  if (!resp) return "responder: " + resp.error().message;
  const bool one_way = noise::parse_protocol_name(name)->one_way;

  const Json* messages = v.get("messages");
  if (messages == nullptr || !messages->is_array()) return "no messages";
  std::optional<noise::Transport> ti, tr;
  for (std::size_t i = 0; i < messages->array.size(); ++i) {
    const Json& m = messages->array[i];
    auto payload = hex_field(m, "payload");
    auto ciphertext = hex_field(m, "ciphertext");
    const std::string at = "message " + std::to_string(i);
    if (!payload || !ciphertext) return at + ": payload or ciphertext missing or not hex";

    if (!ti) {
      const bool init_sends = init->is_my_turn();
      auto& sender = init_sends ? *init : *resp;
      auto& receiver = init_sends ? *resp : *init;
      auto wire = sender.write_message(*payload);
      if (!wire) return at + ": write: " + wire.error().message;
      if (*wire != *ciphertext) return at + ": handshake bytes differ: " + to_hex(*wire);
      auto got = receiver.read_message(*ciphertext);
      if (!got) return at + ": read: " + got.error().message;
      if (*got != *payload) return at + ": payload differs";
      if (init->is_finished() != resp->is_finished()) return at + ": sides disagree on the end";
      if (init->is_finished()) {
        if (init->handshake_hash() != resp->handshake_hash()) return "handshake hashes differ";
        if (auto h = hex_field(v, "handshake_hash")) {
          if (ByteView(init->handshake_hash()).size() != h->size() ||
              !std::equal(h->begin(), h->end(), init->handshake_hash().begin()))
            return "handshake_hash differs: " + to_hex(init->handshake_hash());
        }
        auto si = init->split();
        auto sr = resp->split();
        if (!si || !sr) return "split failed";
        ti.emplace(std::move(si).value());
        tr.emplace(std::move(sr).value());
      }
      continue;
    }
    // Transport: senders keep alternating by message index (one-way: the initiator only).
    const bool init_sends = one_way || i % 2 == 0;
    auto& sender = init_sends ? *ti : *tr;
    auto& receiver = init_sends ? *tr : *ti;
    auto wire = sender.encrypt({}, *payload);
    if (!wire) return at + ": encrypt: " + wire.error().message;
    if (*wire != *ciphertext) return at + ": transport bytes differ: " + to_hex(*wire);
    auto got = receiver.decrypt({}, *ciphertext);
    if (!got) return at + ": decrypt: " + got.error().message;
    if (*got != *payload) return at + ": payload differs";
  }
  if (!ti) return "fewer messages than the handshake pattern";
  return {};
}

}  // namespace

void run_noise(const Json& doc, Report& report) {
  const Json* vectors = doc.get("vectors");
  if (vectors == nullptr || !vectors->is_array()) {
    report.fail("file", "no \"vectors\" array");
    return;
  }
  for (std::size_t i = 0; i < vectors->array.size(); ++i) {
    const Json& v = vectors->array[i];
    const Json* n = v.get("protocol_name");
    const std::string name =
        "#" + std::to_string(i) + " " + (n && n->is_string() ? n->string : "(unnamed)");
    const std::string why = run_one(v);
    if (why.empty()) {
      report.pass();
    } else {
      report.fail(name, why);
    }
  }
}

}  // namespace tandem::vectors
