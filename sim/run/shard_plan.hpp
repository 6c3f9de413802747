// Whether the desktops of one run can be simulated in separate shards (threads, MPI ranks) and
// merged into exactly the outputs of one engine, and which shard each desktop belongs to.
//
// Desktops can be split when nothing they use is shared: no network resource (link direction) is
// on the routes of two desktops, the server's draw is the per-VM model (a VM's share does not
// depend on how many others are hosted), and placement cannot depend on the others (first-fit,
// with room on the first server for every desktop's VM at once: it takes every VM, never refuses,
// never overcommits). Anything else runs as one shard, and the plan says why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace jettison::sim {

struct ShardPlan {
  unsigned shards = 1;        // how many shards the desktops are dealt into (1: one engine)
  bool shardable = false;     // desktops never interact (even when `shards` is 1)
  std::string serial_reason;  // why not shardable, for the run's message; empty when shardable

  // Desktops are dealt in equal numbers (to one), in the order of a hash of their index, so each
  // shard gets a mix: not round-robin (profiles are often assigned round-robin too, and
  // round-robin over 2 shards would give one shard every desktop of one profile) and not in blocks
  // (desktops that appear early in a trace may idle differently; a 1,000-desktop trace's first
  // half does 23% more partial work than its second).
  std::vector<std::uint32_t> shard_of_desktop;
  unsigned shard_of(std::uint32_t desktop) const { return shards == 1 ? 0 : shard_of_desktop[desktop]; }
  bool owns(unsigned shard, std::uint32_t desktop) const { return shard_of(desktop) == shard; }
};

// `wanted`: the shards asked for (threads, MPI ranks); the plan gives at most that many and at most
// one per desktop, and exactly 1 with a reason when the scenario's desktops interact.
ShardPlan plan_shards(const Scenario& s, unsigned wanted);

}  // namespace jettison::sim
