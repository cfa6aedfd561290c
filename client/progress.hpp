// A single-line progress display for long CLI operations (a catch-up sync, a bundle import, a
// report over a large journal).
//
// It draws only on a terminal: when its stream is not a TTY, when TERM is "dumb", or when the
// caller disables it (--quiet), every call is a no-op, so a command calls it unconditionally and
// its output to pipes and files stays byte-for-byte what it was. It never writes to stdout's data
// path: the CLI gives it stderr.
//
//   Progress progress(inv.io.err, progress_allowed(inv), "importing", total, "records");
//   for (...) progress.update(done);
//   progress.finish();  // or let the destructor clear the line
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace tandem::client {

// What one redraw shows. `total` 0: unknown (no bar, no percentage, no ETA).
struct ProgressFigures {
  std::string label;
  std::string unit;  // "records"; may be empty
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  double rate = 0;  // units per second over the last few seconds; 0: not known yet
  double elapsed_s = 0;
  // A wait of unknown length shows the time elapsed after its label unless this is false (the
  // label then carries its own time, e.g. a countdown).
  bool show_elapsed = true;
};

// The line for `figures`, at most `width` columns (never less than 20), without control bytes:
// "catching up [#######.......]  45%  45,000/100,000 records  12,300/s  ETA 0:04". Parts are
// dropped right to left (ETA, rate, bar) when the width is short. With neither a total nor a
// unit it is a wait of unknown length: "building the report  0:03" (the time elapsed). Pure;
// tests call it directly.
std::string format_progress_line(const ProgressFigures& figures, int width);

// 1234567 -> "1,234,567".
std::string group_thousands(std::uint64_t n);

// A duration in seconds as "0:04", "12:30" or "2:05:00".
std::string format_duration(double seconds);

struct ProgressOptions {
  std::string label;
  std::uint64_t total = 0;  // 0: unknown
  std::string unit;
  bool enabled = true;       // false: never draw (--quiet)
  bool force = false;        // draw even when the stream is not a terminal (tests)
  int width = 0;             // 0: the terminal's width (80 when it cannot tell)
  bool show_elapsed = true;  // see ProgressFigures::show_elapsed
  std::chrono::milliseconds min_interval{100};                   // redraws at most this often
  std::function<std::chrono::steady_clock::time_point()> clock;  // default: steady_clock::now
};

class Progress {
 public:
  // Borrows `stream` (which must outlive this). Draws nothing until the first update().
  Progress(std::FILE* stream, ProgressOptions options);
  // The common case: a label, an optional total and unit; enabled unless `enabled` is false.
  Progress(std::FILE* stream, bool enabled, std::string label, std::uint64_t total = 0,
           std::string unit = {});
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  // Clears the line if it is still drawn.
  ~Progress();

  // Whether this draws at all (a terminal, not disabled). Callers need not check it.
  bool active() const { return active_; }

  // Changes the label ("waiting for a peer" -> "catching up"); shown at the next redraw.
  void set_label(std::string label) { options_.label = std::move(label); }
  // Changes the unit; with no unit and no total the line shows the time elapsed instead.
  void set_unit(std::string unit) { options_.unit = std::move(unit); }
  // See ProgressFigures::show_elapsed.
  void set_show_elapsed(bool show) { options_.show_elapsed = show; }
  // Sets the total (0: unknown), e.g. once the first answer says how much there is.
  void set_total(std::uint64_t total);
  // Records `done` units so far and redraws if min_interval has passed since the last redraw.
  void update(std::uint64_t done);
  // Prints `line` (a newline is added) above the progress line, which is then redrawn.
  void message(const std::string& line);
  // Clears the line. Idempotent; later updates draw again.
  void finish();

 private:
  void draw();
  void clear();
  double rate() const;

  std::FILE* stream_;
  ProgressOptions options_;
  bool active_ = false;
  bool drawn_ = false;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_{}, last_draw_{};
  bool started_ = false;
  // (time, done) samples of the last few seconds, for the rate.
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> samples_;
};

// For one long request whose progress the daemon does not report (a report over a large
// journal): if the wait lasts longer than `delay`, shows "label  0:03" with the time elapsed,
// redrawn every 200 ms from a helper thread, until this is destroyed. Quick waits draw nothing.
// A zero `delay` draws the first line at once, in the constructor.
// The label can change as the wait goes through phases the caller learns of (a pairing: "waiting
// for the other device", then "checking the code"), and a wait with a deadline can count down.
//
//   { WaitIndicator waiting(inv.io.err, progress_allowed(inv), "building the report");
//     response = call_daemon(...); }
class WaitIndicator {
 public:
  WaitIndicator(std::FILE* stream, bool enabled, std::string label,
                std::chrono::milliseconds delay = std::chrono::milliseconds(500),
                bool force = false);
  WaitIndicator(const WaitIndicator&) = delete;
  WaitIndicator& operator=(const WaitIndicator&) = delete;
  // Stops the helper thread and clears the line.
  ~WaitIndicator();

  // Whether this draws at all (a terminal, not disabled).
  bool active() const { return progress_.active(); }
  // Any thread. Changes the label, shown at the next redraw; ends a countdown.
  void set_label(std::string label);
  // Any thread. Shows "label  9:58 left" (the time until `deadline`, never below 0:00) instead
  // of the time elapsed.
  void count_down_to(std::string label, std::chrono::system_clock::time_point deadline);
  // Any thread. Prints `line` above the indicator's line (which is redrawn).
  void message(const std::string& line);

 private:
  void redraw();  // with mutex_ held

  Progress progress_;
  std::string label_;
  std::optional<std::chrono::system_clock::time_point> deadline_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tandem::client
