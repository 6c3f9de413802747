// Flow-level network model: every bulk transfer is a flow of B bytes on a route (a list of
// resources); rates follow the sharing solver (max-min by default) over all active flows and are
// recomputed whenever a flow starts or ends. Pure model, no correction factors.
//
// How it stays cheap: flows are grouped by their bottleneck resource (max-min gives all of them the
// same rate, the group's level). Each group keeps a virtual clock (bits sent per member since the
// group formed) and a min-heap of its members' finish points on that clock, so a rate change costs
// O(log n) whatever the group size. A start or an end that touches a single group whose members
// cross no other group's resources is repaired locally (the new level is checked against the
// bottleneck conditions that characterise max-min; if they hold, the result equals a full solve).
// Anything else re-solves the connected component of the change, over classes of flows with the
// same route, and moves only the flows whose bottleneck changed.
//
// Memory: what a resource needs beyond its capacity is allocated at the first flow (a network that
// never carries a flow costs 8 bytes a resource); a group exists only while it has members (a slot
// into a pool of reusable groups), and a route class only while flows use its route. Which slot or
// class id is reused never changes a result: ids are not an order anywhere.
//
// Times: a flow finishes sending at the whole microsecond nearest to when its last bit left
// (nearest_us in common/quantity.hpp: a tie, or a value within 1e-6 us below one, goes to the later
// microsecond), so a flow alone on its route finishes at exactly start + transfer_time(bytes,
// bottleneck capacity), and a reference computed in real numbers agrees to within 0.5 us. It occupies
// its rate until then (up to half a microsecond after or before its last bit; the bytes it reports
// sent at its end are all of them). A flow shorter than half a microsecond ends at its start.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "common/quantity.hpp"
#include "common/time.hpp"
#include "sim/network/compact_list.hpp"
#include "sim/network/resource_id.hpp"
#include "sim/network/sharing_solver.hpp"

namespace jettison::sim::net {

using FlowId = std::uint32_t;  // reused after a flow ends

struct FlowDone {
  FlowId id;
  std::uint64_t tag;
  Time sent;  // when its last byte left
  Bytes bytes;
};

class FlowNetwork {
 public:
  // One capacity (> 0) per resource. `solver`: a name in sharing_solvers() (asserted).
  explicit FlowNetwork(std::vector<Bandwidth> capacities, std::string_view solver = "max-min");

  // A flow of `bytes` (> 0) starts at `now` on `route` (non-empty, no duplicates; order does not
  // matter). `now` >= the last time seen, and flows finishing before `now` must have been collected
  // with advance(now) first (asserted).
  FlowId start(Time now, std::span<const ResourceId> route, Bytes bytes, std::uint64_t tag);
  // Stops a flow early; returns the bytes it had sent (rounded down). Same rule on `now` as start().
  Bytes cancel(Time now, FlowId id);
  // When the next flow finishes sending (nearest whole µs); Time::never() when none is active.
  Time next_completion() const;
  // Advances to `now`, appending every flow that finished sending by `now` to `out` (by finish
  // time, then start order) and removing them; rates are recomputed for the rest at each finish.
  void advance(Time now, std::vector<FlowDone>& out);

  double rate(FlowId id) const;           // bits/s now
  Bytes sent(Time now, FlowId id) const;  // so far, rounded down
  std::size_t active() const { return active_; }
  std::uint64_t tag(FlowId id) const;

  // An estimate of what a single small request on `route` would get now without becoming a flow
  // (page fetches): per resource max(unused capacity, capacity / (flows on it + 1)), the minimum
  // over the route. Not a max-min solve: the request does not slow the flows down.
  // Cheap, and equal bit for bit to share_for_uncached: with no active flow it is the route's
  // smallest capacity; a resource no flow crosses gives its capacity, one crossed by a single group
  // is computed directly, and one crossed by several groups keeps its value until the flows next
  // change (a start, an end, a cancel).
  Bandwidth share_for(std::span<const ResourceId> route) const;
  // The same value computed from the groups crossing each resource, no cache (tests, benchmarks).
  Bandwidth share_for_uncached(std::span<const ResourceId> route) const;
  // Changes whenever flows start or end (the only changes share_for sees): a share computed at one
  // version holds for as long as the version stays.
  std::uint64_t version() const { return version_; }

  struct ResourceStats {
    double peak_utilisation;  // max over time of (sum of rates) / capacity
    double mean_utilisation;  // bytes carried x 8 / (capacity x (now - 0))
    double bytes_carried;     // by finished, cancelled and active flows, up to `now`
  };
  ResourceStats stats(ResourceId r, Time now) const;

  std::uint64_t recomputations() const { return recomputations_; }  // rate recomputations
  std::uint64_t full_solves() const { return full_solves_; }        // of which: solver runs on a component
  std::size_t resources() const { return capacity_.size(); }
  // What the network holds beyond the capacities (memory checks): groups with members, route classes
  // in use, and whether the per-resource state exists (from the first flow on).
  std::size_t live_groups() const { return group_pool_.size() - free_group_slots_.size(); }
  std::size_t live_classes() const { return class_of_route_.size(); }
  bool holds_resource_state() const { return !resources_.empty(); }

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  using ClassId = std::uint32_t;

  struct Flow {
    ClassId cls = kNone;
    ResourceId group = kNone;  // bottleneck resource; kNone while being placed
    std::uint32_t gen = 0;     // bumped at every move/removal: invalidates heap entries
    std::uint32_t pos = 0;     // index in its class's member list
    bool active = false;
    std::uint64_t seq = 0;  // start order
    std::uint64_t tag = 0;
    Bytes bytes;
    double finish = 0.0;  // finish point on the group's virtual clock (bits); remaining bits if no group
  };
  struct RouteClass {
    std::vector<ResourceId> route;  // sorted
    std::vector<FlowId> members;
    std::vector<std::uint32_t> pos;  // index in each route resource's class list, or kNone if empty
  };
  struct HeapEntry {
    double finish;
    std::uint64_t seq;
    FlowId id;
    std::uint32_t gen;
  };
  struct Group {  // flows whose bottleneck is this resource
    std::uint32_t members = 0;
    double level = 0.0;  // bits/s of every member
    double virt = 0.0;   // bits sent per member since the group formed, as of `at`
    Time at;
    std::vector<HeapEntry> heap;  // min-heap on (finish, seq)
    std::uint32_t foreign = 0;    // resources (other than this one) members cross shared with other groups
    std::set<std::pair<double, ResourceId>> thresholds;  // capacity / members crossing, for the
                                                         // other resources only this group crosses
    // Level rises, for the peaks of resources this group alone crosses: (epoch, level, when set),
    // levels decreasing; at most one entry per instant (a later level at the same µs replaces it).
    struct LevelMark {
      std::uint64_t epoch;
      double level;
      Time at;
    };
    std::vector<LevelMark> peak_stack;
    Time key = Time::never();  // scheduled next completion
  };
  struct Resource {
    double capacity = 0.0;
    // share_for's value for this resource, valid while share_version equals `version_`. Mutable:
    // a cache behind a const query (a FlowNetwork is used by one thread); beside the capacity, so a
    // cached query reads one cache line.
    mutable double share = 0.0;
    mutable std::uint64_t share_version = 0;
    CompactList<std::pair<ResourceId, std::uint32_t>> groups;  // (group, its flows crossing here)
    CompactList<ClassId> classes;                              // non-empty classes crossing here
    std::uint32_t flows = 0;
    bool touched = false;     // changed at the current instant: its final load is folded when time moves
    double done_bits = 0.0;   // carried by flows no longer active
    double peak = 0.0;        // recorded peak utilisation (of states held for a positive time)
    std::uint64_t since = 0;  // epoch of the last record (later level rises are folded in lazily)
  };

  // The group whose bottleneck is r: it must exist (group), may not (find_group, null), or is made
  // (make_group). A group is released when rescheduled without members.
  Group& group(ResourceId r) { return group_pool_[group_slot_[r]]; }
  const Group& group(ResourceId r) const { return group_pool_[group_slot_[r]]; }
  const Group* find_group(ResourceId r) const {
    return group_slot_[r] == kNone ? nullptr : &group_pool_[group_slot_[r]];
  }
  std::uint32_t members_of(ResourceId r) const {
    const Group* g = find_group(r);
    return g ? g->members : 0;
  }
  Group& make_group(ResourceId r);
  void release_group(ResourceId r);
  // Allocates the per-resource state at the first flow.
  void ensure_resources();
  void release_class(ClassId c);

  double load(ResourceId r) const;
  double resource_share(ResourceId r) const;  // max(unused, capacity / (flows + 1)), from scratch
  // The recorded peak plus the persisted (set before `until`) level rises since the last record.
  double lazy_peak(ResourceId r, Time until) const;
  void touch_peak(ResourceId r);
  // Moves the clock to `t`: the resources changed at the previous instant held their final loads
  // from then on, so those count towards their peaks now (states at one µs that were replaced within
  // that µs, e.g. flows started one after the other at the same time, never count).
  void move_to(Time t);
  void set_groups_contribution(ResourceId r, bool add);
  void change_count(ResourceId r, ResourceId g, int delta);
  void bring_to(Group& g, Time now);
  void set_level(ResourceId b, double level);
  void reschedule(ResourceId b);
  Time finish_time(const Group& g, double finish) const;
  double remaining(const Flow& f, Time now) const;
  bool valid(const HeapEntry& e, ResourceId b) const;
  void join_group(FlowId id, ResourceId b, double remaining_bits, Time now);
  void leave_group(FlowId id);
  void add_to_class(FlowId id, ClassId c);
  void remove_from_class(FlowId id);
  bool try_fast_start(FlowId id, Time now);
  void remove_flows(Time now, std::span<const FlowId> ids, std::span<const double> bits_sent);
  void resolve(Time now, std::span<const ResourceId> seeds);

  std::vector<Resource> resources_;  // empty until the first flow, then one per resource
  std::vector<double> capacity_;
  std::vector<std::uint32_t> group_slot_;  // per resource: its group in group_pool_, or kNone
  std::vector<std::uint8_t> crossed_;      // per resource: 1 iff some group's flows cross it (share_for)
  std::deque<Group> group_pool_;           // a deque: references stay valid as it grows
  std::vector<std::uint32_t> free_group_slots_;
  std::vector<Flow> flows_;
  std::vector<FlowId> free_ids_;
  std::vector<RouteClass> classes_;
  std::vector<ClassId> free_classes_;  // ids of classes released when their last flow ended
  std::map<std::vector<ResourceId>, ClassId> class_of_route_;
  std::set<std::pair<Time, ResourceId>> schedule_;  // (next completion, group)
  std::unique_ptr<SharingSolver> solver_;
  bool local_repairs_ = false;
  std::size_t active_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t epoch_ = 0;
  std::uint64_t recomputations_ = 0;
  std::uint64_t full_solves_ = 0;
  Time last_;
  std::vector<ResourceId> touched_;  // resources changed at `last_`
  std::uint64_t version_ = 1;        // bumped by every start and every removal of flows
  // Scratch for resolve().
  std::vector<std::uint32_t> seen_resource_;
  std::vector<std::uint32_t> seen_class_;
  std::uint32_t stamp_ = 0;
  SharingProblem problem_;
  SharingSolution solution_;
  std::vector<ClassId> comp_classes_;
  std::vector<ResourceId> comp_resources_;
};

}  // namespace jettison::sim::net
