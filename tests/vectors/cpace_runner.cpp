// Runs the CPace vector file: the exchange (generator, shares, K, transcripts, ISKs, sid outputs)
// through the Party state machine and the group functions, scalar_mult_vfy valid and invalid
// points, and the string utilities. Each listed output is one vector; an output this runner does
// not know is a failure, never silently skipped.
#include "daemon/crypto/cpace.hpp"
#include "daemon/crypto/cpace_encoding.hpp"
#include "tests/vectors/runner.hpp"

#include <cstring>
#include <functional>
#include <map>

namespace tandem::vectors {

namespace cpace = crypto::cpace;

namespace {

bool same(ByteView got, const Bytes& want) {
  return got.size() == want.size() && std::equal(want.begin(), want.end(), got.begin());
}

// Checks one expected value against what tandem computes; the computed bytes may be missing
// (nullopt) with a reason, e.g. when the exchange aborted.
void check(Report& r, const std::string& name, const Json& expected,
           const std::optional<Bytes>& got, const std::string& why_missing = "not computed") {
  auto want = expected.is_string() ? from_hex(expected.string) : std::nullopt;
  if (!want) return r.fail(name, "expected value is not hex");
  if (!got) return r.fail(name, why_missing);
  if (!same(*got, *want)) return r.fail(name, "got " + to_hex(*got));
  r.pass();
}

std::optional<cpace::Scalar> scalar_from(const std::optional<Bytes>& b) {
  if (!b || b->size() != 32) return std::nullopt;
  cpace::Scalar s;
  std::memcpy(s.data(), b->data(), 32);
  return s;
}

template <std::size_t N>
Bytes bytes_of(const crypto::Secret<N>& s) {
  return Bytes(s.data(), s.data() + N);
}

// The exchange: inputs PRS, CI, sid, ADa, ADb, ya, yb; every other key of `outputs` an output.
void run_exchange(const std::string& prefix, const Json& inputs, const Json& outputs, Report& r) {
  static const std::map<std::string, bool> kInputKeys = {
      {"PRS", true}, {"CI", true}, {"sid", true}, {"ADa", true},
      {"ADb", true}, {"ya", true}, {"yb", true}};
  const auto prs = hex_field(inputs, "PRS");
  const auto ci = hex_field(inputs, "CI");
  const auto sid = hex_field(inputs, "sid");
  const auto ada = hex_field(inputs, "ADa");
  const auto adb = hex_field(inputs, "ADb");
  auto ya = scalar_from(hex_field(inputs, "ya"));
  auto yb = scalar_from(hex_field(inputs, "yb"));
  if (!prs || !ci || !sid || !ada || !adb || !ya || !yb)
    return r.fail(prefix, "inputs PRS, CI, sid, ADa, ADb, ya, yb missing or malformed");

  std::map<std::string, std::optional<Bytes>> got;
  std::string abort_reason = "not computed";
  got["generator_string"] =
      cpace::generator_string(as_bytes(cpace::kDsi), *prs, *ci, *sid, cpace::kHashBlock);
  got["generator_hash"] = bytes_of(cpace::generator_hash(*prs, *ci, *sid));
  got["g"] = bytes_of(cpace::calculate_generator(*prs, *ci, *sid));

  // Both roles through the state machine, in each mode.
  for (const auto mode : {cpace::Mode::kInitiatorResponder, cpace::Mode::kSymmetric}) {
    const bool ir = mode == cpace::Mode::kInitiatorResponder;
    auto a = cpace::Party::start(cpace::Role::kInitiator, {*prs, *ci, *sid, *ada, mode}, &*ya);
    auto b = cpace::Party::start(cpace::Role::kResponder, {*prs, *ci, *sid, *adb, mode}, &*yb);
    if (!a || !b) {
      abort_reason = "start aborted";
      continue;
    }
    got["Ya"] = Bytes(a->share().begin(), a->share().end());
    got["Yb"] = Bytes(b->share().begin(), b->share().end());
    const Bytes msg_a = a->message(), msg_b = b->message();
    auto sa = a->finish(msg_b);
    auto sb = b->finish(msg_a);
    if (!sa || !sb) {
      abort_reason = "finish aborted: " + (sa ? sb.error().message : sa.error().message);
      continue;
    }
    if (!crypto::equal_ct(sa->isk().view(), sb->isk().view())) {
      abort_reason = "the two roles derived different ISKs";
      continue;
    }
    if (sb->check_peer_tag(sa->own_tag()).ok() && sa->check_peer_tag(sb->own_tag()).ok()) {
      got[ir ? "ISK_IR" : "ISK_SY"] = bytes_of(sa->isk());
      const auto sid_out = sa->sid_output();
      got[ir ? "sid_output_ir" : "sid_output_oc"] = Bytes(sid_out.begin(), sid_out.end());
    } else {
      abort_reason = "key confirmation failed between the roles";
    }
  }
  // K and the ISK inputs from the group functions directly (K never leaves a Session).
  if (got["Ya"] && got["Yb"]) {
    auto ka = cpace::scalar_mult_vfy(*ya, *got["Yb"]);
    auto kb = cpace::scalar_mult_vfy(*yb, *got["Ya"]);
    if (ka && kb && crypto::equal_ct(ka->view(), kb->view())) {
      got["K"] = bytes_of(*ka);
      const Bytes tir = cpace::transcript_ir(*got["Ya"], *ada, *got["Yb"], *adb);
      const Bytes toc = cpace::transcript_oc(*got["Ya"], *ada, *got["Yb"], *adb);
      Bytes prefix_lv = cpace::lv_cat({as_bytes(cpace::kDsiIsk), *sid, ka->view()});
      got["transcript_ir"] = tir;
      got["transcript_oc"] = toc;
      Bytes in_ir = prefix_lv, in_oc = prefix_lv;
      in_ir.insert(in_ir.end(), tir.begin(), tir.end());
      in_oc.insert(in_oc.end(), toc.begin(), toc.end());
      got["ISK_input_ir"] = in_ir;
      got["ISK_input_oc"] = in_oc;
    }
  }

  for (const auto& [key, expected] : outputs.object) {
    if (&inputs == &outputs && kInputKeys.count(key)) continue;
    const std::string name = prefix + "." + key;
    auto it = got.find(key);
    if (it == got.end()) {
      r.fail(name, "output not known to this runner");
      continue;
    }
    check(r, name, expected, it->second, abort_reason);
  }
}

// Valid point: the result; each invalid point: an abort (kAuth).
void run_vfy_valid(const std::string& name, const Json& s, const Json& x,
                   const std::vector<const Json*>& expected, Report& r) {
  auto scalar = s.is_string() ? scalar_from(from_hex(s.string)) : std::nullopt;
  auto point = x.is_string() ? from_hex(x.string) : std::nullopt;
  if (!scalar || !point) return r.fail(name, "s or X malformed");
  auto k = cpace::scalar_mult_vfy(*scalar, *point);
  const std::optional<Bytes> got = k ? std::optional<Bytes>(bytes_of(*k)) : std::nullopt;
  for (const Json* e : expected) check(r, name, *e, got, k ? "" : "aborted: " + k.error().message);
}

void run_vfy_invalid(const std::string& name, const Json& s, const Json& y, Report& r) {
  auto scalar = s.is_string() ? scalar_from(from_hex(s.string)) : std::nullopt;
  auto point = y.is_string() ? from_hex(y.string) : std::nullopt;
  if (!scalar || !point) return r.fail(name, "s or Y malformed");
  auto k = cpace::scalar_mult_vfy(*scalar, *point);
  if (k) return r.fail(name, "accepted an invalid point: " + to_hex(bytes_of(*k)));
  if (k.error().code != Code::kAuth) return r.fail(name, "wrong error: " + k.error().message);
  r.pass();
}

void run_scalar_mult_vfy(const Json& section, Report& r) {
  for (const auto& [key, v] : section.object) {
    if (key == "valid" && v.get("s") && v.get("X") && v.get("result")) {
      run_vfy_valid("scalar_mult_vfy.valid", *v.get("s"), *v.get("X"), {v.get("result")}, r);
    } else if (key == "invalid" && v.is_array()) {
      for (std::size_t i = 0; i < v.array.size(); ++i) {
        const Json& c = v.array[i];
        const std::string name = "scalar_mult_vfy.invalid[" + std::to_string(i) + "]";
        if (!c.get("s") || !c.get("Y")) {
          r.fail(name, "no s or Y");
          continue;
        }
        run_vfy_invalid(name, *c.get("s"), *c.get("Y"), r);
      }
    } else {
      r.fail("scalar_mult_vfy." + key, "unknown case");
    }
  }
}

// String utilities: {"in": hex or [hex...], "out": hex}.
void run_string_utils(const Json& section, Report& r) {
  using Fn = std::function<std::optional<Bytes>(const std::vector<Bytes>&)>;
  const std::map<std::string, std::pair<int, Fn>> kFns = {
      {"prepend_len", {1, [](const auto& a) { return cpace::prepend_len(a[0]); }}},
      {"lv_cat",
       {-1,
        [](const auto& a) {
          Bytes out;
          for (const auto& p : a) cpace::append_lv(out, p);
          return std::optional<Bytes>(out);
        }}},
      {"o_cat", {2, [](const auto& a) { return cpace::o_cat(a[0], a[1]); }}},
      {"transcript_ir",
       {4, [](const auto& a) { return cpace::transcript_ir(a[0], a[1], a[2], a[3]); }}},
      {"transcript_oc",
       {4, [](const auto& a) { return cpace::transcript_oc(a[0], a[1], a[2], a[3]); }}},
  };
  for (const auto& [fn_name, cases] : section.object) {
    auto fn = kFns.find(fn_name);
    if (!cases.is_array()) {
      r.fail("string_utils." + fn_name, "not an array of cases");
      continue;
    }
    for (std::size_t i = 0; i < cases.array.size(); ++i) {
      const Json& c = cases.array[i];
      const std::string name = "string_utils." + fn_name + "[" + std::to_string(i) + "]";
      if (fn == kFns.end()) {
        r.fail(name, "function not known to this runner");
        continue;
      }
      std::vector<Bytes> args;
      bool ok = true;
      const Json* in = c.get("in");
      if (in && in->is_string()) {
        auto b = from_hex(in->string);
        ok = b.has_value();
        if (ok) args.push_back(*b);
      } else if (in && in->is_array()) {
        for (const Json& a : in->array) {
          auto b = a.is_string() ? from_hex(a.string) : std::nullopt;
          if (!b)
            ok = false;
          else
            args.push_back(*b);
        }
      } else {
        ok = false;
      }
      const int arity = fn->second.first;
      if (!ok || !c.get("out") || (arity >= 0 && args.size() != static_cast<std::size_t>(arity))) {
        r.fail(name, "malformed case");
        continue;
      }
      check(r, name, *c.get("out"), fn->second.second(args));
    }
  }
}

void run_constants(const Json& section, const Json* inputs, Report& r) {
  for (const auto& [key, v] : section.object) {
    const std::string name = "constants." + key;
    if (key == "DSI") {
      check(r, name, v, Bytes(cpace::kDsi.begin(), cpace::kDsi.end()));
    } else if (key == "DSI_ISK") {
      check(r, name, v, Bytes(cpace::kDsiIsk.begin(), cpace::kDsiIsk.end()));
    } else if (key == "sid_output_prefix") {
      check(r, name, v, Bytes(cpace::kSidOutputPrefix.begin(), cpace::kSidOutputPrefix.end()));
    } else if (key == "hash") {
      if (v.is_string() && v.string == "SHA-512")
        r.pass();
      else
        r.fail(name, "not SHA-512");
    } else if (key == "s_in_bytes") {
      if (v.number == cpace::kHashBlock)
        r.pass();
      else
        r.fail(name, "block size differs");
    } else if (key == "len_zpad") {
      // For the file's PRS: the length of the generator string's third (zero padding) field.
      const auto prs = inputs ? hex_field(*inputs, "PRS") : std::nullopt;
      if (!prs) {
        r.fail(name, "no PRS input to compute it for");
        continue;
      }
      const Bytes gen =
          cpace::generator_string(as_bytes(cpace::kDsi), *prs, {}, {}, cpace::kHashBlock);
      ByteView rest = gen;
      cpace::read_lv(rest);
      cpace::read_lv(rest);
      const auto zpad = cpace::read_lv(rest);
      if (zpad && v.number == static_cast<double>(zpad->size()))
        r.pass();
      else
        r.fail(name, "got " + std::to_string(zpad ? zpad->size() : 0));
    } else {
      r.fail(name, "unknown constant");
    }
  }
}

// The draft's testvectors.json objects: an exchange object (inputs and outputs together) and a
// points object {Valid: {s, X, ...results}, "Invalid Y1": hex, ...}.
void run_draft_objects(const Json& section, Report& r) {
  for (const auto& [key, obj] : section.object) {
    const std::string prefix = "draft_testvectors_json." + key;
    if (obj.get("PRS")) {
      run_exchange(prefix, obj, obj, r);
    } else if (const Json* valid = obj.get("Valid")) {
      const Json* s = valid->get("s");
      const Json* x = valid->get("X");
      if (!s || !x) {
        r.fail(prefix + ".Valid", "no s or X");
        continue;
      }
      std::vector<const Json*> results;
      for (const auto& [k, v] : valid->object)
        if (k != "s" && k != "X") results.push_back(&v);
      run_vfy_valid(prefix + ".Valid", *s, *x, results, r);
      for (const auto& [k, v] : obj.object)
        if (k != "Valid") run_vfy_invalid(prefix + "." + k, *s, v, r);
    } else {
      r.fail(prefix, "unknown object");
    }
  }
}

}  // namespace

void run_cpace(const Json& doc, Report& r) {
  if (!doc.is_object()) return r.fail("file", "not an object");
  const Json* inputs = doc.get("inputs");
  for (const auto& [key, section] : doc.object) {
    if (key == "_meta" || key == "inputs") continue;
    if (key == "outputs") {
      if (!inputs)
        r.fail("outputs", "no inputs");
      else
        run_exchange("outputs", *inputs, section, r);
    } else if (key == "constants") {
      run_constants(section, inputs, r);
    } else if (key == "scalar_mult_vfy") {
      run_scalar_mult_vfy(section, r);
    } else if (key == "string_utils") {
      run_string_utils(section, r);
    } else if (key == "draft_testvectors_json") {
      run_draft_objects(section, r);
    } else {
      r.fail(key, "unknown section");
    }
  }
}

}  // namespace tandem::vectors
