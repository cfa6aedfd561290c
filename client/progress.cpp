#include "client/progress.hpp"

#include "client/terminal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tandem::client {

std::string group_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  const std::size_t lead = digits.size() % 3;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (i + 3 - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 359999) return "--:--";
  const auto s = static_cast<std::uint64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_progress_line(const ProgressFigures& f, int width) {
  width = std::max(width, 20);
  std::string count = group_thousands(f.done);
  if (f.total > 0) count += "/" + group_thousands(f.total);
  if (!f.unit.empty()) count += " " + f.unit;
  std::string percent, eta, bar;
  if (f.total > 0) {
    const double frac = std::min(1.0, static_cast<double>(f.done) / static_cast<double>(f.total));
    percent = fmt::format("{:3}%", static_cast<int>(frac * 100));
    if (f.rate > 0 && f.done < f.total) {
      eta = "ETA " + format_duration(static_cast<double>(f.total - f.done) / f.rate);
    }
  }
  if (f.total == 0 && f.unit.empty()) {
    std::string line = f.show_elapsed ? f.label + "  " + format_duration(f.elapsed_s) : f.label;
    return line.substr(0, static_cast<std::size_t>(width));
  }
  std::string rate = f.rate > 0 ? group_thousands(static_cast<std::uint64_t>(f.rate)) + "/s" : "";

  auto join = [&](bool with_bar, bool with_rate, bool with_eta, int bar_cols) {
    std::string line = f.label;
    if (with_bar && bar_cols > 0) {
      const double frac = std::min(1.0, static_cast<double>(f.done) / static_cast<double>(f.total));
      const int fill = static_cast<int>(frac * bar_cols);
      line += " [" + std::string(fill, '#') + std::string(bar_cols - fill, '.') + "]";
    }
    if (!percent.empty()) line += " " + percent;
    line += "  " + count;
    if (with_rate && !rate.empty()) line += "  " + rate;
    if (with_eta && !eta.empty()) line += "  " + eta;
    return line;
  };
  // The widest form that fits: the bar takes what is left, from 10 to 30 columns.
  const int plain = static_cast<int>(join(false, true, true, 0).size());
  if (f.total > 0) {
    const int room = width - plain - 3;
    if (room >= 10) return join(true, true, true, std::min(room, 30));
  }
  for (auto [r, e] : {std::pair{true, true}, {true, false}, {false, false}}) {
    std::string line = join(false, r, e, 0);
    if (static_cast<int>(line.size()) <= width) return line;
  }
  return join(false, false, false, 0).substr(0, static_cast<std::size_t>(width));
}

Progress::Progress(std::FILE* stream, ProgressOptions options)
    : stream_(stream), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::steady_clock::now(); };
  active_ = options_.enabled && (options_.force || is_interactive(stream_));
  if (active_ && options_.width <= 0) options_.width = terminal_width(stream_);
}

namespace {

ProgressOptions simple_options(bool enabled, std::string label, std::uint64_t total,
                               std::string unit, bool force = false) {
  ProgressOptions o;
  o.label = std::move(label);
  o.total = total;
  o.unit = std::move(unit);
  o.enabled = enabled;
  o.force = force;
  return o;
}

}  // namespace

Progress::Progress(std::FILE* stream, bool enabled, std::string label, std::uint64_t total,
                   std::string unit)
    : Progress(stream, simple_options(enabled, std::move(label), total, std::move(unit))) {}

Progress::~Progress() {
  finish();
}

void Progress::set_total(std::uint64_t total) {
  options_.total = total;
}

void Progress::update(std::uint64_t done) {
  if (!active_) return;
  const auto now = options_.clock();
  if (!started_) {
    started_ = true;
    start_ = now;
  }
  done_ = done;
  samples_.emplace_back(now, done);
  while (samples_.size() > 2 && now - samples_.front().first > std::chrono::seconds(5)) {
    samples_.pop_front();
  }
  if (drawn_ && now - last_draw_ < options_.min_interval) return;
  last_draw_ = now;
  draw();
}

double Progress::rate() const {
  if (samples_.size() < 2) return 0;
  const auto& [t0, d0] = samples_.front();
  const auto& [t1, d1] = samples_.back();
  const double secs = std::chrono::duration<double>(t1 - t0).count();
  if (secs < 0.2 || d1 < d0) return 0;
  return static_cast<double>(d1 - d0) / secs;
}

void Progress::draw() {
  ProgressFigures f{options_.label,
                    options_.unit,
                    done_,
                    options_.total,
                    rate(),
                    std::chrono::duration<double>(options_.clock() - start_).count(),
                    options_.show_elapsed};
  // One column short of the width, so the cursor never wraps to a new line.
  std::string line = format_progress_line(f, options_.width - 1);
  std::fprintf(stream_, "\r\x1b[K%s", line.c_str());
  std::fflush(stream_);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stream_);
  std::fflush(stream_);
  drawn_ = false;
}

void Progress::message(const std::string& line) {
  if (!active_) return;
  const bool was = drawn_;
  clear();
  std::fprintf(stream_, "%s\n", line.c_str());
  if (was) draw();
  std::fflush(stream_);
}

void Progress::finish() {
  clear();
}

WaitIndicator::WaitIndicator(std::FILE* stream, bool enabled, std::string label,
                             std::chrono::milliseconds delay, bool force)
    : progress_(stream, simple_options(enabled, label, 0, {}, force)), label_(std::move(label)) {
  if (!progress_.active()) return;
  if (delay.count() <= 0) redraw();  // at once, so that even a short wait shows its first label
  thread_ = std::thread([this, delay] {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, delay, [this] { return stop_; })) return;
    do {
      redraw();
    } while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; }));
  });
}

void WaitIndicator::redraw() {
  if (deadline_) {
    const double left =
        std::chrono::duration<double>(*deadline_ - std::chrono::system_clock::now()).count();
    progress_.set_label(label_ + "  " + format_duration(std::max(0.0, std::ceil(left))) + " left");
  } else {
    progress_.set_label(label_);
  }
  progress_.set_show_elapsed(!deadline_);
  progress_.update(0);
}

void WaitIndicator::set_label(std::string label) {
  std::lock_guard lock(mutex_);
  label_ = std::move(label);
  deadline_.reset();
}

void WaitIndicator::count_down_to(std::string label,
                                  std::chrono::system_clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  label_ = std::move(label);
  deadline_ = deadline;
}

void WaitIndicator::message(const std::string& line) {
  std::lock_guard lock(mutex_);
  progress_.message(line);
}

WaitIndicator::~WaitIndicator() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  progress_.finish();
}

}  // namespace tandem::client
