// Migration commands over QMP and the outcome read back from query-migrate.
#include "emu/vm/qemu_migration.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;
constexpr Duration kPollEvery = Duration::millis(50);
constexpr Duration kQueryTimeout = Duration::seconds(10);

Duration left_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
  return Duration::micros(std::max<std::int64_t>(left, 0));
}

Clock::time_point deadline_after(Duration d) { return Clock::now() + std::chrono::microseconds(d.us()); }

std::string describe(Duration d) { return fmt::format("{} ms", d.us() / 1000); }

bool finished(std::string_view status) {
  return status == "completed" || status == "failed" || status == "cancelled";
}

}  // namespace

void set_capabilities(QmpClient& qmp, const MigrationCapabilities& caps) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, on] : caps) list.push_back({{"capability", name}, {"state", on}});
  qmp.execute("migrate-set-capabilities", {{"capabilities", std::move(list)}});
}

void set_parameters(QmpClient& qmp, const nlohmann::json& params) {
  qmp.execute("migrate-set-parameters", params);
}

void start_migration(QmpClient& qmp, std::string_view uri) { qmp.execute("migrate", {{"uri", uri}}); }

void migrate_incoming(QmpClient& qmp, std::string_view uri) {
  qmp.execute("migrate-incoming", {{"uri", uri}});
}

MigrationResult migration_result(const nlohmann::json& info) {
  MigrationResult r;
  r.status = info.value("status", std::string("none"));
  if (auto ram = info.find("ram"); ram != info.end() && ram->is_object()) {
    r.transferred_bytes = ram->value("transferred", std::uint64_t{0});
    r.ram_total_bytes = ram->value("total", std::uint64_t{0});
    r.normal_pages = ram->value("normal", std::uint64_t{0});
    r.duplicate_pages = ram->value("duplicate", std::uint64_t{0});
    r.postcopy_requests = ram->value("postcopy-requests", std::uint64_t{0});
  }
  r.total_time_ms = info.value("total-time", std::int64_t{0});
  r.downtime_ms = info.value("downtime", std::int64_t{0});
  r.setup_time_ms = info.value("setup-time", std::int64_t{0});
  r.error_desc = info.value("error-desc", std::string());
  return r;
}

MigrationResult wait_migration(QmpClient& qmp, Duration timeout) {
  const auto deadline = deadline_after(timeout);
  for (;;) {
    const auto info = qmp.execute("query-migrate", nlohmann::json::object(), kQueryTimeout);
    if (finished(info.value("status", std::string("none")))) return migration_result(info);
    if (Clock::now() >= deadline) throw QmpTimeout("migrate", qmp.name(), describe(timeout));
    qmp.wait_event("MIGRATION", min(kPollEvery, left_until(deadline)));
  }
}

std::string query_status(QmpClient& qmp) {
  return qmp.execute("query-status", nlohmann::json::object(), kQueryTimeout)
      .value("status", std::string("?"));
}

void wait_running(QmpClient& qmp, Duration timeout) {
  const auto deadline = deadline_after(timeout);
  for (;;) {
    if (query_status(qmp) == "running") return;
    if (Clock::now() >= deadline) throw QmpTimeout("query-status", qmp.name(), describe(timeout));
    qmp.wait_event("RESUME", min(kPollEvery, left_until(deadline)));
  }
}

namespace {

// One migration between a pair with `caps` on both sides: incoming, migrate, (post-copy switch),
// wait for the end; a completed one also waits for the destination to run.
MigrationResult migrate_pair(QmpClient& src, QmpClient& dst, std::string_view uri,
                             const MigrationCapabilities& caps, bool switch_to_postcopy,
                             std::string_view kind, Duration timeout) {
  const auto deadline = deadline_after(timeout);
  set_capabilities(src, caps);
  set_capabilities(dst, caps);
  migrate_incoming(dst, uri);
  start_migration(src, uri);
  if (switch_to_postcopy) src.execute("migrate-start-postcopy");
  auto result = wait_migration(src, left_until(deadline));
  if (!result.completed())
    spdlog::warn("{} migration from QMP {} ended {}: {}", kind, src.name(), result.status, result.error_desc);
  else
    wait_running(dst, left_until(deadline));
  return result;
}

}  // namespace

MigrationResult precopy(QmpClient& src, QmpClient& dst, std::string_view uri, Duration timeout) {
  return migrate_pair(src, dst, uri, {{"x-ignore-shared", false}, {"postcopy-ram", false}}, false, "pre-copy",
                      timeout);
}

MigrationResult postcopy(QmpClient& src, QmpClient& dst, std::string_view uri, Duration timeout) {
  return migrate_pair(src, dst, uri, {{"x-ignore-shared", false}, {"postcopy-ram", true}}, true, "post-copy",
                      timeout);
}

MigrationResult ignore_shared(QmpClient& src, QmpClient& dst, std::string_view uri, Duration timeout) {
  return migrate_pair(src, dst, uri, {{"x-ignore-shared", true}, {"postcopy-ram", false}}, false,
                      "x-ignore-shared", timeout);
}

}  // namespace jettison::emu
