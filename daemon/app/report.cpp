// Journal::on_report and the report snapshot's life: built once on its own thread when the first
// report asks for it, kept up to date after every write, read by the pure report.
#include "daemon/insight/report.hpp"
#include "daemon/api/codec.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/snapshot.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/insight/request.hpp"
#include "daemon/insight/to_capnp.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

namespace tandem::app {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void Journal::start_snapshot(asio::any_io_executor executor) {
  if (!id_ || snapshot_ || snapshot_building_) return;
  snapshot_building_ = true;
  snapshot_ready_ =
      std::make_unique<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  snapshot_builder_ = std::jthread([this, executor, member = id_->member] {
    const auto t0 = std::chrono::steady_clock::now();
    Result<SnapshotCache> built = Error{Code::kIo, "no read transaction"};
    if (auto txn = store::Txn::begin_read(store_.env()); txn) {
      built = SnapshotCache::build(store_, *txn, member);
    } else {
      built = txn.error();
    }
    const double ms = ms_since(t0);
    // The build read every body: give the store's pages it mapped back to the page cache.
    store_.env().release_mapped_pages();
    asio::post(executor, [this, built = std::move(built), ms]() mutable {
      snapshot_building_ = false;
      snapshot_ready_->cancel();
      if (!built) {
        spdlog::warn("report snapshot: {} (the next report builds it)", built.error().message);
        return;
      }
      spdlog::info("report snapshot: {} entries, {} KiB, built in {:.0f} ms",
                   built->snapshot().facts.size(), built->memory_bytes() / 1024, ms);
      snapshot_ = std::move(*built);
      refresh_snapshot();  // what was written while it was built
      ::malloc_trim(0);    // the build's scratch memory
    });
  });
}

void Journal::refresh_snapshot() {
  if (!snapshot_) return;
  auto txn = store::Txn::begin_read(store_.env());
  auto r = txn ? snapshot_->catch_up(store_, *txn) : Result<std::size_t>(txn.error());
  if (!r) {
    spdlog::warn("report snapshot: {} (the next report builds it)", r.error().message);
    snapshot_.reset();
  }
}

awaitable<void> Journal::on_report(schema::ReportRequest::Reader req,
                                   schema::Response::Builder out) {
  const std::int64_t now = clock_.now_ms();
  std::time_t t = static_cast<std::time_t>(now / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  const std::int32_t today = insight::days_from_civil(
      tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
  auto options = insight::options_from_request(req, today);
  if (!options) {
    api::set_error(out, 0, options.error());
    co_return;
  }
  if (snapshot_ && snapshot_->reader() != id_->member) snapshot_.reset();
  // Built on its own thread by the first report (the daemon serves peers meanwhile), then caught
  // up with what was written since; a store error drops it and one more build is tried.
  Status ready = Error{Code::kIo, "the report's snapshot of the journal could not be built"};
  store::Txn txn;
  for (int attempt = 0; attempt < 2 && !ready; ++attempt) {
    if (!snapshot_) start_snapshot(co_await asio::this_coro::executor);
    while (snapshot_building_)
      co_await snapshot_ready_->async_wait(asio::as_tuple(asio::use_awaitable));
    if (!snapshot_) continue;
    auto t = store::Txn::begin_read(store_.env());
    if (!t) {
      ready = t.error();
      break;
    }
    if (auto r = snapshot_->catch_up(store_, *t); !r) {
      ready = r.error();
      snapshot_.reset();
      continue;
    }
    txn = std::move(*t);
    ready = Status{};
  }
  if (!ready) {
    api::set_error(out, 0, ready.error());
    co_return;
  }
  txn.abort();
  auto report = insight::build_report(snapshot_->snapshot(), *options, today, &snapshot_->memo());
  report.generated_at = static_cast<std::uint64_t>(now);
  insight::to_capnp(report, out.initReport());
  // A report is rare and its scratch memory (and the encoded answer) large next to an idle
  // daemon's: once the answer is on its way, hand the freed pages back to the system.
  if (!trim_timer_)
    trim_timer_ = std::make_unique<asio::steady_timer>(co_await asio::this_coro::executor);
  trim_timer_->expires_after(std::chrono::milliseconds(200));
  trim_timer_->async_wait([](const boost::system::error_code& ec) {
    if (!ec) ::malloc_trim(0);
  });
}

}  // namespace tandem::app
