// A validated scenario: everything a run needs, in typed units. Built only by the scenario loader,
// which checks every value up front; a run never meets a bad value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config/desktop_figures.hpp"
#include "common/quantity.hpp"
#include "policy/migration_trigger.hpp"
#include "policy/prefetcher.hpp"
#include "policy/resume_planner.hpp"
#include "policy/sleep_scheduler.hpp"
#include "sim/model/power_state.hpp"
#include "sim/model/server_spec.hpp"
#include "sim/network/topology.hpp"
#include "sim/scenario/hybrid_spec.hpp"
#include "sim/scenario/proxy_spec.hpp"
#include "sim/trace/idle_trace.hpp"
#include "sim/trace/page_profile.hpp"

namespace jettison::sim {

using config::Link;
using config::Transitions;

// What desktops of one kind share: `desktop:`'s figures, or a listed desktop's own when it overrides
// any of them (scenario_loader.cpp). One object per kind, not per desktop (issue 15: 112 bytes a
// desktop less).
struct DesktopClass {
  Bytes vm_memory;
  PowerTable power;
  Transitions transitions;
  Link link;
};

struct DesktopSpec {
  std::string id;
  const DesktopClass* cls = nullptr;  // one of Scenario::desktop_classes
  std::uint32_t profile = 0;          // index into Scenario::profiles

  const Bytes& vm_memory() const { return cls->vm_memory; }
  const PowerTable& power() const { return cls->power; }
  const Transitions& transitions() const { return cls->transitions; }
  const Link& link() const { return cls->link; }
};

// The network between desktops and servers: a checked-by-construction topology spec (generators
// already expanded) and the bandwidth-sharing solver.
struct NetworkSpec {
  std::string topology = "dedicated";  // dedicated | star | two-tier | custom (for reports)
  std::string solver = "max-min";
  // Built (and so checked) by the loader: desktops in scenario order, servers in list order.
  std::shared_ptr<const net::Topology> graph;
};

struct PartialMigrationSpec {
  Bytes metadata;  // CPU and device state and page tables: what partial migration moves
  Duration setup;  // checkpoint/restore work besides the transfer
};

struct FullMigrationSpec {
  Duration setup;
  std::uint32_t max_rounds = 30;  // pre-copy rounds before stop-and-copy
  Bytes stop_copy_below;          // stop-and-copy once a round's dirty set is this small
  // How fast the VM dirties memory during pre-copy: unset, the writes of its page profile replayed;
  // set, this many bytes per second (each byte a page written for the first time in the round).
  std::optional<Bandwidth> dirty_rate;
};

struct MigrationSpec {
  Duration migrate_after;  // idleness before acting (migrating, or sleeping in sleep-only)
  PartialMigrationSpec partial;
  FullMigrationSpec full;
  HybridMigrationSpec hybrid;    // the `hybrid` strategy's bulk phase
  Duration reintegration_setup;  // restore work on the desktop besides the transfer back
};

struct SleepPolicySpec {
  std::string rule;
  policy::SleepParams params;
};

struct PrefetchPolicySpec {
  std::string rule = "none";
  policy::PrefetchParams params;
};

struct TriggerPolicySpec {
  std::string rule = "idle-time";
  policy::TriggerParams params;
};

// A paper's published range for one of our figures, shown next to ours in reports.
struct PublishedRange {
  std::string
      metric;  // a summary.json key of a strategy (or a flattened latency like migration_latency_s.p50)
  std::string strategy;
  double low = 0;
  double high = 0;
  std::string unit;
  std::string source;
};

// Free-form description of a scenario for reports: `about:` in YAML.
struct About {
  std::string title;
  std::string description;
  std::vector<PublishedRange> published;
};

// What a run writes per idle period (`output.periods`): periods.csv, periods.csv.zst, or nothing.
enum class PeriodsOutput : std::uint8_t { kCsv, kCsvZst, kNone };

// `output:` in YAML, besides the timeline desktops.
struct OutputSpec {
  PeriodsOutput periods = PeriodsOutput::kCsv;
  std::optional<Bytes> budget;  // the most a run may write; unset: no limit
  std::string budget_origin;    // where the budget was set, for the refusal's message
};

struct Scenario {
  std::string name;
  std::string source;  // the file it came from, or "embedded:scenarios/default.yaml"
  std::uint64_t seed = 0;
  // Whether the seed draws anything (a generated idle trace, profiles assigned at random): without,
  // every seed gives the same run and replicates (jettison-sim sweep --replicates) are refused.
  bool seed_draws = false;
  Bytes page_size;
  IdleTraceIndex idle_trace;
  std::vector<PageProfile> profiles;
  std::vector<DesktopSpec> desktops;
  // What the desktops' `cls` point to; shared, so a copy of the scenario points to the same ones.
  std::vector<std::shared_ptr<const DesktopClass>> desktop_classes;
  ServersSpec servers;
  NetworkSpec network;
  MigrationSpec migration;
  ProxySpec proxy;  // the `proxy` strategy's network-presence proxy
  SleepPolicySpec sleep;
  PrefetchPolicySpec prefetch;
  policy::ResumeKind resume_pages = policy::ResumeKind::kSelective;
  TriggerPolicySpec trigger;
  std::vector<std::string> strategies;
  About about;
  OutputSpec output;
  std::vector<std::uint32_t> timeline_desktops;  // desktops whose state changes go to timeline.csv
  std::string resolved_yaml;                     // the scenario as run (extends and --set applied)
  bool replay_every_access = false;  // tests only: replay every page access (sim/model/first_touch_index.hpp)
  bool run_ahead = true;  // tests only: false runs every desktop's page accesses in queue order (sim/MODEL.md)
};

// A desktop's figures as the emulator and the shared cost functions see them.
inline config::DesktopFigures figures_of(const Scenario& s, const DesktopSpec& d) {
  return {d.vm_memory(), d.power(), d.transitions(), d.link(), s.page_size};
}

}  // namespace jettison::sim
