// What one shard of a run hands to the merger, in a canonical order that does not depend on how the
// desktops were split: ShardItems ordered by (time, kind, desktop). Each shard emits its items in
// that order (records closing at the same instant sorted by desktop index; the instant's changes
// before its records), so a k-way merge of the shards' streams is the stream of a single engine.
//
// Items and ShardResult are plain data; encode/decode turn them into bytes for other processes (MPI
// ranks running the same binary).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/metrics/period_record.hpp"
#include "sim/model/power_meter.hpp"

namespace jettison::sim {

// What one server's holdings did over one instant, net (a shard's VMs only).
struct ServerDelta {
  std::uint32_t server = 0;
  std::int64_t bytes = 0;      // memory reserved (+) or freed (-)
  std::int32_t vms = 0;        // VMs that started (+) or stopped (-) running there
  std::uint32_t admitted = 0;  // VMs admitted
};

struct ShardItem {
  enum class Kind : std::uint8_t {
    kChanges = 0,  // the instant's net changes of a server and flows in flight (sharded runs only)
    kRecord = 1,   // a window closed
  };
  Kind kind = Kind::kRecord;
  Time at;  // the instant; for a record, when its window closed (start + window)

  // kChanges: one item per server that changed over the instant (the first also carries the
  // flows' change), or one with no server when only flows did.
  static constexpr std::uint32_t kNoServer = ~std::uint32_t{0};
  std::int64_t flows = 0;  // change of the flows in flight
  ServerDelta server{kNoServer, 0, 0, 0};

  // kRecord
  PeriodRecord record;
  std::vector<StateChange> timeline;  // the window's power-state changes (timeline desktops only)

  std::uint32_t desktop() const { return kind == Kind::kRecord ? record.desktop : 0; }
};

// The canonical order: time, then changes before records, then desktop index.
inline bool comes_before(const ShardItem& a, const ShardItem& b) {
  if (a.at != b.at) return a.at < b.at;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.desktop() < b.desktop();
}

// Where a shard's items go, in order.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void put(ShardItem&& item) = 0;
};

// A shard's own figures once its last item is out: what the merger adds to the items.
struct ShardResult {
  struct Link {
    std::uint32_t resource = 0;  // net::ResourceId
    double peak_utilisation = 0;
    double bytes_carried = 0;
  };
  std::uint64_t events = 0;
  std::uint64_t inline_events = 0;
  std::uint64_t flows = 0;
  std::uint64_t rate_recomputations = 0;
  std::uint64_t skipped_periods = 0;
  std::uint64_t server_refusals = 0;
  Time end;                 // the shard's last event that did something
  std::vector<Link> links;  // resources that carried any flow, by id
};

// Appends the item's (result's) bytes to `out`.
void encode(const ShardItem& item, std::string& out);
void encode(const ShardResult& result, std::string& out);
// Reads one item (result) from the front of `in` and advances it; throws std::runtime_error on
// truncated input.
void decode(std::string_view& in, ShardItem& item);
void decode(std::string_view& in, ShardResult& result);

}  // namespace jettison::sim
