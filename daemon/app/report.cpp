// Journal::on_report: a read snapshot of the journal as insight facts (snapshot.hpp), then the
// pure report.
#include "daemon/insight/report.hpp"
#include "daemon/api/codec.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/snapshot.hpp"
#include "daemon/insight/dates.hpp"
#include "daemon/insight/request.hpp"
#include "daemon/insight/to_capnp.hpp"

#include <ctime>

namespace tandem::app {

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
  auto txn = store::Txn::begin_read(store_.env());
  if (!txn) {
    api::set_error(out, 0, txn.error());
    co_return;
  }
  auto snap = build_snapshot(store_, *txn, id_->member);
  txn->abort();
  if (!snap) {
    api::set_error(out, 0, snap.error());
    co_return;
  }
  auto report = insight::build_report(*snap, *options, today);
  report.generated_at = static_cast<std::uint64_t>(now);
  insight::to_capnp(report, out.initReport());
}

}  // namespace tandem::app
