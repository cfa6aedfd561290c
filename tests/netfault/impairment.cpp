#include "tests/netfault/impairment.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace tandem::netfault {
namespace {

bool parse_double(const std::string& s, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size();
  } catch (...) {
    return false;
  }
}

bool parse_int(const std::string& s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

bool parse_probability(const std::string& s, double& out) {
  return parse_double(s, out) && out >= 0 && out <= 1;
}

}  // namespace

std::optional<Impairment> parse_impairment(const std::string& text, std::string& error) {
  Impairment i;
  std::string spaced = text;
  std::replace(spaced.begin(), spaced.end(), ',', ' ');
  std::istringstream in(spaced);
  std::string word;
  while (in >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) {
      error = "expected key=value, got '" + word + "'";
      return std::nullopt;
    }
    const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    bool ok = false;
    if (key == "loss") {
      ok = parse_probability(value, i.loss);
    } else if (key == "delay") {
      ok = parse_int(value, i.delay_ms);
    } else if (key == "jitter") {
      ok = parse_int(value, i.jitter_ms);
    } else if (key == "reorder") {
      ok = parse_probability(value, i.reorder);
    } else if (key == "duplicate") {
      ok = parse_probability(value, i.duplicate);
    } else if (key == "flap") {
      auto slash = value.find('/');
      ok = slash != std::string::npos && parse_int(value.substr(0, slash), i.flap_up_ms) &&
           parse_int(value.substr(slash + 1), i.flap_down_ms) &&
           (i.flap_up_ms > 0) == (i.flap_down_ms > 0);
    } else if (key == "down") {
      ok = value == "0" || value == "1";
      i.down = value == "1";
    } else {
      error = "unknown key '" + key + "'";
      return std::nullopt;
    }
    if (!ok) {
      error = "bad value for " + key + ": '" + value + "'";
      return std::nullopt;
    }
  }
  return i;
}

std::string describe(const Impairment& i) {
  std::ostringstream out;
  out << "loss=" << i.loss << " delay=" << i.delay_ms << " jitter=" << i.jitter_ms
      << " reorder=" << i.reorder << " duplicate=" << i.duplicate << " flap=" << i.flap_up_ms << "/"
      << i.flap_down_ms << " down=" << (i.down ? 1 : 0);
  return out.str();
}

bool link_up(const Impairment& i, std::int64_t since_change_ms) {
  if (i.down) return false;
  if (i.flap_up_ms <= 0 || i.flap_down_ms <= 0) return true;
  return std::max<std::int64_t>(since_change_ms, 0) % (i.flap_up_ms + i.flap_down_ms) <
         i.flap_up_ms;
}

Fate decide(const Impairment& i, std::int64_t since_change_ms, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Fate f;
  if (!link_up(i, since_change_ms)) {
    f.dropped = Fate::Drop::kDown;
    return f;
  }
  if (i.loss > 0 && unit(rng) < i.loss) {
    f.dropped = Fate::Drop::kLoss;
    return f;
  }
  std::int64_t delay = i.delay_ms;
  if (i.jitter_ms > 0) {
    std::uniform_int_distribution<std::int64_t> j(-i.jitter_ms, i.jitter_ms);
    delay = std::max<std::int64_t>(0, delay + j(rng));
  }
  if (i.reorder > 0 && unit(rng) < i.reorder) {
    delay = 0;
    f.jumped = true;
  }
  f.delays_ms.push_back(delay);
  // The copy follows the original on the wire, as a duplicating link would deliver it.
  if (i.duplicate > 0 && unit(rng) < i.duplicate) f.delays_ms.push_back(delay);
  return f;
}

}  // namespace tandem::netfault
