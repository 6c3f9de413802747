// QEMU migration over QMP: capabilities, starting a migration and the incoming side, waiting for the
// outcome with its figures (bytes, times), run states; and the two comparison baselines on the same
// pair of QEMUs, plain pre-copy and post-copy.
//
// Partial migration (Jettison's): both QEMUs map the same shared RAM file and set x-ignore-shared, so
// only device state and small ROM blocks travel. The baselines copy all RAM: their destination must
// have RAM of its own (another file), never the source's, or it overwrites the running source.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.hpp"
#include "emu/vm/qmp_client.hpp"

namespace jettison::emu {

using MigrationCapabilities = std::vector<std::pair<std::string, bool>>;

// What query-migrate reported when the migration ended.
struct MigrationResult {
  std::string status;                   // completed, failed or cancelled
  std::uint64_t transferred_bytes = 0;  // ram.transferred
  std::uint64_t ram_total_bytes = 0;    // ram.total
  std::uint64_t normal_pages = 0;       // pages sent whole (ram.normal)
  std::uint64_t duplicate_pages = 0;    // zero pages sent as a marker (ram.duplicate)
  std::uint64_t postcopy_requests = 0;  // pages the destination asked for (ram.postcopy-requests)
  std::int64_t total_time_ms = 0;
  std::int64_t downtime_ms = 0;
  std::int64_t setup_time_ms = 0;
  std::string error_desc;  // QEMU's error-desc when it failed

  bool completed() const { return status == "completed"; }
};

// migrate-set-capabilities, e.g. set_capabilities(qmp, {{"x-ignore-shared", true}}).
void set_capabilities(QmpClient& qmp, const MigrationCapabilities& caps);
// migrate-set-parameters with `params` as given (e.g. {"max-bandwidth": 0}).
void set_parameters(QmpClient& qmp, const nlohmann::json& params);
// migrate to `uri` (e.g. "unix:/run/x.sock", "tcp:10.0.0.1:4444"): the migration starts in the background.
void start_migration(QmpClient& qmp, std::string_view uri);
// migrate-incoming on a QEMU started with -incoming defer (capabilities must be set before).
void migrate_incoming(QmpClient& qmp, std::string_view uri);
// The result once status is completed, failed or cancelled (query-migrate polling, woken early by
// MIGRATION events); QmpTimeout naming "migrate" when `timeout` passes first.
MigrationResult wait_migration(QmpClient& qmp, Duration timeout);
// The figures of query-migrate's answer `info` (what wait_migration returns at the end).
MigrationResult migration_result(const nlohmann::json& info);

// The run state (query-status "status": running, paused, inmigrate, postmigrate, ...).
std::string query_status(QmpClient& qmp);
// Waits for the run state "running"; QmpTimeout naming "query-status" when `timeout` passes first.
void wait_running(QmpClient& qmp, Duration timeout);

// Full pre-copy from `src` to `dst` (started with -incoming defer, RAM of its own) at `uri`:
// x-ignore-shared and postcopy-ram off on both sides, until it ends; then `dst` runs.
MigrationResult precopy(QmpClient& src, QmpClient& dst, std::string_view uri,
                        Duration timeout = Duration::seconds(120));
// Post-copy: postcopy-ram on both sides, migrate, switch to post-copy at once, until completed.
MigrationResult postcopy(QmpClient& src, QmpClient& dst, std::string_view uri,
                         Duration timeout = Duration::seconds(120));
// Partial: x-ignore-shared on both sides (both map the same RAM file), device state only.
MigrationResult ignore_shared(QmpClient& src, QmpClient& dst, std::string_view uri,
                              Duration timeout = Duration::seconds(60));

}  // namespace jettison::emu
