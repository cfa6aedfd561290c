#include "client/progress.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <thread>

using namespace tandem::client;
using namespace std::chrono_literals;

namespace {

// A temporary file standing in for stderr, and what was written to it.
struct Capture {
  std::FILE* f = std::tmpfile();
  ~Capture() { std::fclose(f); }
  std::string text() {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    return s;
  }
};

}  // namespace

TEST_CASE("progress: numbers are grouped by thousands and durations read as clocks",
          "[client][progress]") {
  CHECK(group_thousands(0) == "0");
  CHECK(group_thousands(999) == "999");
  CHECK(group_thousands(1000) == "1,000");
  CHECK(group_thousands(1234567) == "1,234,567");
  CHECK(format_duration(4) == "0:04");
  CHECK(format_duration(750) == "12:30");
  CHECK(format_duration(7500) == "2:05:00");
  CHECK(format_duration(-1) == "--:--");
}

TEST_CASE("progress: a line shows the bar, share, count, rate and time left",
          "[client][progress]") {
  ProgressFigures f{"catching up", "records", 45000, 100000, 12300, 3};
  std::string line = format_progress_line(f, 80);
  CHECK(line.size() <= 80);
  CHECK(line.starts_with("catching up ["));
  CHECK(line.find(" 45%") != std::string::npos);
  CHECK(line.find("45,000/100,000 records") != std::string::npos);
  CHECK(line.find("12,300/s") != std::string::npos);
  CHECK(line.find("ETA 0:04") != std::string::npos);  // 55,000 left at 12,300/s
}

TEST_CASE("progress: a narrow terminal drops the bar, then the time left, then the rate",
          "[client][progress]") {
  ProgressFigures f{"catching up", "records", 45000, 100000, 12300, 3};
  std::string mid = format_progress_line(f, 50);
  CHECK(mid.size() <= 50);
  CHECK(mid.find('[') == std::string::npos);
  CHECK(mid.find("45,000/100,000") != std::string::npos);
  std::string narrow = format_progress_line(f, 20);
  CHECK(narrow.size() <= 20);
}

TEST_CASE("progress: without a total there is no bar, share or time left", "[client][progress]") {
  ProgressFigures f{"reading", "entries", 5000, 0, 2500, 2};
  CHECK(format_progress_line(f, 80) == "reading  5,000 entries  2,500/s");
}

TEST_CASE("progress: nothing is written when the stream is not a terminal", "[client][progress]") {
  Capture out;
  {
    Progress p(out.f, true, "importing", 100, "records");
    CHECK_FALSE(p.active());
    p.update(50);
    p.message("hello");
    p.finish();
  }
  CHECK(out.text().empty());
}

TEST_CASE("progress: disabled (--quiet) draws nothing even where it could", "[client][progress]") {
  Capture out;
  {
    ProgressOptions o;
    o.label = "x";
    o.total = 10;
    o.enabled = false;
    o.force = true;
    Progress p(out.f, o);
    p.update(5);
  }
  CHECK(out.text().empty());
}

TEST_CASE("progress: redraws one line in place, throttled, and clears it at the end",
          "[client][progress]") {
  Capture out;
  auto t = std::chrono::steady_clock::time_point{};
  ProgressOptions o;
  o.label = "sync";
  o.total = 1000;
  o.unit = "records";
  o.force = true;
  o.width = 80;
  o.clock = [&] { return t; };
  {
    Progress p(out.f, o);
    REQUIRE(p.active());
    p.update(0);
    t += 10ms;
    p.update(100);  // within 100 ms of the last redraw: not drawn
    t += 990ms;
    p.update(500);  // 500 records in 1 s
    p.finish();
  }
  std::string s = out.text();
  CHECK(s.find('\n') == std::string::npos);
  CHECK(s.find("100/1,000") == std::string::npos);
  CHECK(s.find("500/1,000 records  500/s  ETA 0:01") != std::string::npos);
  CHECK(s.ends_with("\r\x1b[K"));
}

TEST_CASE("progress: a wait of unknown length shows the time elapsed, only once it is long",
          "[client][progress]") {
  CHECK(format_progress_line({"building the report", "", 0, 0, 0, 3.2}, 80) ==
        "building the report  0:03");
  Capture quick, slow;
  { WaitIndicator w(quick.f, true, "building the report", 300ms, /*force=*/true); }
  CHECK(quick.text().empty());
  {
    WaitIndicator w(slow.f, true, "building the report", 20ms, /*force=*/true);
    std::this_thread::sleep_for(300ms);
  }
  std::string s = slow.text();
  CHECK(s.find("\r\x1b[Kbuilding the report  0:00") != std::string::npos);
  CHECK(s.ends_with("\r\x1b[K"));
}

TEST_CASE("progress: a wait with a deadline counts down, and steps change its label",
          "[client][progress]") {
  Capture c;
  {
    WaitIndicator w(c.f, true, "waiting", 0ms, /*force=*/true);
    w.count_down_to("waiting for the other device…",
                    std::chrono::system_clock::now() + std::chrono::seconds(90));
    std::this_thread::sleep_for(300ms);
    w.message("a device connected, checking the code…");
    w.set_label("checking the code…");
    std::this_thread::sleep_for(300ms);
  }
  std::string s = c.text();
  INFO(s);
  // The time left, without the time elapsed after it.
  CHECK(s.find("\r\x1b[Kwaiting for the other device…  1:30 left\r") != std::string::npos);
  CHECK(s.find("a device connected, checking the code…\n") != std::string::npos);
  // After a step the label is the step's, with the time elapsed again (no countdown).
  CHECK(s.find("\r\x1b[Kchecking the code…  0:") != std::string::npos);
  CHECK(s.find("checking the code…  0:00 left") == std::string::npos);
  CHECK(s.ends_with("\r\x1b[K"));
}

TEST_CASE("progress: a countdown past its deadline stays at 0:00", "[client][progress]") {
  Capture c;
  {
    WaitIndicator w(c.f, true, "waiting", 0ms, /*force=*/true);
    w.count_down_to("the code", std::chrono::system_clock::now() - std::chrono::seconds(5));
    std::this_thread::sleep_for(250ms);
  }
  CHECK(c.text().find("\r\x1b[Kthe code  0:00 left") != std::string::npos);
}
