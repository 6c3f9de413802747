#include "sim/network/flow_network.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace jettison::sim::net {

namespace {

double bits_of(Bytes b) { return static_cast<double>(b.count()) * 8.0; }

}  // namespace

FlowNetwork::FlowNetwork(std::vector<Bandwidth> capacities, std::string_view solver) {
  const auto* entry = sharing_solvers().find(solver);
  assert(entry != nullptr && "unknown sharing solver");
  solver_ = entry->make();
  local_repairs_ = solver_->bottleneck_characterised();
  const std::size_t n = capacities.size();
  capacity_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    assert(capacities[i].bits_per_second() > 0.0);
    capacity_[i] = capacities[i].bits_per_second();
  }
}

void FlowNetwork::ensure_resources() {
  if (!resources_.empty() || capacity_.empty()) return;
  const std::size_t n = capacity_.size();
  resources_.resize(n);
  group_slot_.assign(n, kNone);
  crossed_.assign(n, 0);
  seen_resource_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) resources_[i].capacity = capacity_[i];
  problem_.capacity = capacity_;
}

FlowNetwork::Group& FlowNetwork::make_group(ResourceId r) {
  if (group_slot_[r] != kNone) return group(r);
  std::uint32_t slot;
  if (!free_group_slots_.empty()) {
    slot = free_group_slots_.back();
    free_group_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(group_pool_.size());
    group_pool_.emplace_back();
  }
  group_slot_[r] = slot;
  return group_pool_[slot];
}

// A group without members holds nothing a later one needs (its level, heap, peak stack and schedule
// entry are cleared; no resource lists it, so it has no thresholds and no foreign count): its slot
// is reset and reused.
void FlowNetwork::release_group(ResourceId r) {
  const std::uint32_t slot = group_slot_[r];
  Group& g = group_pool_[slot];
  assert(g.members == 0 && g.key == Time::never() && g.foreign == 0 && g.thresholds.empty());
  g.heap.clear();
  g.peak_stack.clear();
  g.level = 0.0;
  g.virt = 0.0;
  g.at = Time{};
  group_slot_[r] = kNone;
  free_group_slots_.push_back(slot);
}

// ---- per-resource bookkeeping ----------------------------------------------------------------

double FlowNetwork::load(ResourceId r) const {
  double sum = 0.0;
  for (const auto& [g, n] : resources_[r].groups) sum += static_cast<double>(n) * group(g).level;
  return sum;
}

// The recorded peak, plus the level rises of the only group crossing `r` since the last record (a
// resource crossed by one group only changes load when that group's level does), counting only
// levels set before `until` (a level set at the current instant may still be replaced within it).
double FlowNetwork::lazy_peak(ResourceId r, Time until) const {
  const Resource& res = resources_[r];
  double peak = res.peak;
  if (res.groups.size() == 1 && res.groups[0].first != r) {
    const auto& stack = group(res.groups[0].first).peak_stack;
    const auto it =
        std::partition_point(stack.begin(), stack.end(), [&](const auto& e) { return e.epoch <= res.since; });
    if (it != stack.end() && it->at < until)
      peak = std::max(peak, static_cast<double>(res.groups[0].second) * it->level / res.capacity);
  }
  return peak;
}

void FlowNetwork::touch_peak(ResourceId r) {
  Resource& res = resources_[r];
  res.peak = lazy_peak(r, last_);
  res.since = epoch_;
  if (!res.touched) {
    res.touched = true;
    touched_.push_back(r);
  }
}

void FlowNetwork::move_to(Time t) {
  assert(t >= last_);
  if (t == last_) return;
  for (ResourceId r : touched_) {
    Resource& res = resources_[r];
    res.peak = std::max(lazy_peak(r, t), load(r) / res.capacity);
    res.since = epoch_;
    res.touched = false;
  }
  touched_.clear();
  last_ = t;
}

// What `r` tells the groups crossing it: "shared with another group" (foreign) or "only you cross
// me, keep your level at most capacity / your flows here" (threshold).
void FlowNetwork::set_groups_contribution(ResourceId r, bool add) {
  const Resource& res = resources_[r];
  const bool shared = res.groups.size() >= 2;
  for (const auto& [g, n] : res.groups) {
    if (g == r) continue;
    Group& other = group(g);
    if (shared) {
      if (add)
        ++other.foreign;
      else
        --other.foreign;
    } else {
      const std::pair<double, ResourceId> key{res.capacity / static_cast<double>(n), r};
      if (add)
        other.thresholds.insert(key);
      else
        other.thresholds.erase(key);
    }
  }
}

void FlowNetwork::change_count(ResourceId r, ResourceId g, int delta) {
  set_groups_contribution(r, false);
  auto& list = resources_[r].groups;
  auto it = std::find_if(list.begin(), list.end(), [g](const auto& e) { return e.first == g; });
  if (it == list.end()) {
    assert(delta > 0);
    list.emplace_back(g, static_cast<std::uint32_t>(delta));
  } else {
    it->second = static_cast<std::uint32_t>(static_cast<std::int64_t>(it->second) + delta);
    if (it->second == 0) {
      list.erase(it);
      if (list.empty()) list.release();
    }
  }
  crossed_[r] = list.empty() ? 0 : 1;
  set_groups_contribution(r, true);
}

// ---- groups ------------------------------------------------------------------------------------

void FlowNetwork::bring_to(Group& g, Time now) {
  if (now > g.at) {
    g.virt += g.level * static_cast<double>((now - g.at).us()) / 1e6;
    g.at = now;
  }
}

void FlowNetwork::set_level(ResourceId b, double level) {
  Group& g = group(b);
  assert(level > 0.0);
  g.level = level;
  ++epoch_;
  // A level set earlier in this same µs never held: this one replaces it.
  while (!g.peak_stack.empty() && g.peak_stack.back().at == last_) g.peak_stack.pop_back();
  while (!g.peak_stack.empty() && g.peak_stack.back().level <= level) g.peak_stack.pop_back();
  g.peak_stack.push_back({epoch_, level, last_});
}

Time FlowNetwork::finish_time(const Group& g, double finish) const {
  return g.at + Duration::micros(nearest_us((finish - g.virt) * 1e6 / g.level));
}

double FlowNetwork::remaining(const Flow& f, Time now) const {
  if (f.group == kNone) return f.finish;
  const Group& g = group(f.group);
  return f.finish - (g.virt + g.level * static_cast<double>((now - g.at).us()) / 1e6);
}

bool FlowNetwork::valid(const HeapEntry& e, ResourceId b) const {
  const Flow& f = flows_[e.id];
  return f.active && f.gen == e.gen && f.group == b;
}

namespace {
bool heap_later(const auto& a, const auto& b) {
  return a.finish > b.finish || (a.finish == b.finish && a.seq > b.seq);
}
}  // namespace

void FlowNetwork::reschedule(ResourceId b) {
  if (group_slot_[b] == kNone) return;  // no group: nothing scheduled
  Group& g = group(b);
  if (g.key != Time::never()) schedule_.erase({g.key, b});
  g.key = Time::never();
  if (g.members == 0) {
    release_group(b);
    return;
  }
  if (g.heap.size() > 2 * static_cast<std::size_t>(g.members) + 32) {
    std::erase_if(g.heap, [&](const HeapEntry& e) { return !valid(e, b); });
    std::make_heap(g.heap.begin(), g.heap.end(),
                   [](const auto& x, const auto& y) { return heap_later(x, y); });
  }
  while (!g.heap.empty() && !valid(g.heap.front(), b)) {
    std::pop_heap(g.heap.begin(), g.heap.end(),
                  [](const auto& x, const auto& y) { return heap_later(x, y); });
    g.heap.pop_back();
  }
  assert(!g.heap.empty());
  g.key = finish_time(g, g.heap.front().finish);
  schedule_.emplace(g.key, b);
}

void FlowNetwork::join_group(FlowId id, ResourceId b, double remaining_bits, Time now) {
  Group& g = make_group(b);
  if (g.members == 0) {
    g.heap.clear();
    g.peak_stack.clear();
    g.virt = 0.0;
    g.at = now;
  }
  assert(g.at == now);
  Flow& f = flows_[id];
  f.group = b;
  ++f.gen;
  f.finish = g.virt + remaining_bits;
  g.heap.push_back({f.finish, f.seq, id, f.gen});
  std::push_heap(g.heap.begin(), g.heap.end(), [](const auto& x, const auto& y) { return heap_later(x, y); });
  ++g.members;
  for (ResourceId r : classes_[f.cls].route) change_count(r, b, +1);
}

void FlowNetwork::leave_group(FlowId id) {
  Flow& f = flows_[id];
  if (f.group == kNone) return;
  for (ResourceId r : classes_[f.cls].route) change_count(r, f.group, -1);
  --group(f.group).members;
  f.group = kNone;
  ++f.gen;
}

// ---- classes -----------------------------------------------------------------------------------

void FlowNetwork::add_to_class(FlowId id, ClassId c) {
  RouteClass& cls = classes_[c];
  if (cls.members.empty())
    for (std::size_t k = 0; k < cls.route.size(); ++k) {
      auto& list = resources_[cls.route[k]].classes;
      cls.pos[k] = static_cast<std::uint32_t>(list.size());
      list.push_back(c);
    }
  Flow& f = flows_[id];
  f.cls = c;
  f.pos = static_cast<std::uint32_t>(cls.members.size());
  cls.members.push_back(id);
  for (ResourceId r : cls.route) ++resources_[r].flows;
}

void FlowNetwork::remove_from_class(FlowId id) {
  Flow& f = flows_[id];
  RouteClass& cls = classes_[f.cls];
  const FlowId last = cls.members.back();
  cls.members[f.pos] = last;
  flows_[last].pos = f.pos;
  cls.members.pop_back();
  for (ResourceId r : cls.route) --resources_[r].flows;
  if (!cls.members.empty()) return;
  for (std::size_t k = 0; k < cls.route.size(); ++k) {
    auto& list = resources_[cls.route[k]].classes;
    const ClassId moved = list.back();
    list[cls.pos[k]] = moved;
    RouteClass& other = classes_[moved];
    const auto at = std::lower_bound(other.route.begin(), other.route.end(), cls.route[k]);
    other.pos[static_cast<std::size_t>(at - other.route.begin())] = cls.pos[k];
    list.pop_back();
    if (list.empty()) list.release();
    cls.pos[k] = kNone;
  }
  release_class(f.cls);
}

// A class without flows is in no resource's list and no flow's: its route is forgotten and its id
// reused by the next new route.
void FlowNetwork::release_class(ClassId c) {
  RouteClass& cls = classes_[c];
  class_of_route_.erase(cls.route);
  cls = RouteClass{};
  free_classes_.push_back(c);
}

// ---- starting and ending flows -----------------------------------------------------------------

FlowId FlowNetwork::start(Time now, std::span<const ResourceId> route, Bytes bytes, std::uint64_t tag) {
  assert(now >= last_);
  assert(next_completion() >= now && "advance(now) first");
  assert(!route.empty() && bytes.count() > 0);
  ensure_resources();
  move_to(now);
  ++version_;
  std::vector<ResourceId> key(route.begin(), route.end());
  std::sort(key.begin(), key.end());
  assert(std::adjacent_find(key.begin(), key.end()) == key.end());
  assert(key.back() < resources_.size());
  const ClassId fresh = free_classes_.empty() ? static_cast<ClassId>(classes_.size()) : free_classes_.back();
  const auto [it, inserted] = class_of_route_.try_emplace(key, fresh);
  if (inserted) {
    RouteClass made{key, {}, std::vector<std::uint32_t>(key.size(), kNone)};
    if (fresh == classes_.size()) {
      classes_.push_back(std::move(made));
    } else {
      free_classes_.pop_back();
      classes_[fresh] = std::move(made);
    }
  }
  FlowId id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<FlowId>(flows_.size());
    flows_.emplace_back();
  }
  Flow& f = flows_[id];  // keeps its generation counter: stale heap entries stay stale
  f.active = true;
  f.group = kNone;
  f.seq = next_seq_++;
  f.tag = tag;
  f.bytes = bytes;
  f.finish = bits_of(bytes);
  add_to_class(id, it->second);
  ++active_;
  ++recomputations_;
  if (!(local_repairs_ && try_fast_start(id, now))) resolve(now, key);
  return id;
}

// A new flow whose route crosses exactly one bottleneck b, whose group's members cross no resource
// shared with another group, and whose other resources are free or crossed by b's group only: it
// joins b's group, whose level drops to (capacity - other groups' load) / (members + 1). If no
// other group on b is above the new level and every resource the group crosses still fits, every
// flow still has a saturated bottleneck where it gets the most: that is the max-min allocation.
bool FlowNetwork::try_fast_start(FlowId id, Time now) {
  const Flow& f = flows_[id];
  const RouteClass& cls = classes_[f.cls];
  ResourceId b = kNone;
  for (ResourceId r : cls.route)
    if (members_of(r) > 0) {
      if (b != kNone) return false;
      b = r;
    }
  if (b == kNone) return false;
  Group& g = group(b);
  if (g.foreign != 0) return false;
  double others = 0.0;
  double highest_other = 0.0;
  for (const auto& [o, n] : resources_[b].groups)
    if (o != b) {
      others += static_cast<double>(n) * group(o).level;
      highest_other = std::max(highest_other, group(o).level);
    }
  const double level = (resources_[b].capacity - others) / static_cast<double>(g.members + 1);
  if (level < highest_other) return false;
  for (ResourceId r : cls.route) {
    if (r == b) continue;
    const Resource& res = resources_[r];
    std::uint32_t n = 0;
    if (!res.groups.empty()) {
      if (res.groups.size() != 1 || res.groups[0].first != b) return false;
      n = res.groups[0].second;
    }
    if (res.capacity / static_cast<double>(n + 1) < level) return false;
  }
  for (ResourceId r : cls.route) touch_peak(r);
  bring_to(g, now);
  join_group(id, b, f.finish, now);
  set_level(b, level);
  reschedule(b);
  for (ResourceId r : cls.route) touch_peak(r);
  return true;
}

Bytes FlowNetwork::cancel(Time now, FlowId id) {
  assert(now >= last_);
  assert(next_completion() >= now && "advance(now) first");
  assert(id < flows_.size() && flows_[id].active);
  move_to(now);
  const Flow& f = flows_[id];
  const double bits = bits_of(f.bytes);
  const double sent_bits = std::clamp(bits - remaining(f, now), 0.0, bits);
  const Bytes out = Bytes::of(std::min(f.bytes.count(), static_cast<std::uint64_t>(sent_bits / 8.0)));
  const FlowId ids[1] = {id};
  const double sent[1] = {sent_bits};
  remove_flows(now, ids, sent);
  return out;
}

// Removes flows at `now`. When they all belong to one group whose members cross no resource shared
// with another group, the group's level rises to (capacity - other groups' load) / members, valid
// when every resource only the group crosses still fits (its thresholds); else the component is
// solved again.
void FlowNetwork::remove_flows(Time now, std::span<const FlowId> ids, std::span<const double> bits_sent) {
  ++version_;
  const ResourceId b = flows_[ids[0]].group;
  bool local = local_repairs_ && group(b).foreign == 0;
  for (FlowId id : ids) local = local && flows_[id].group == b;
  std::vector<ResourceId> seeds;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Flow& f = flows_[ids[i]];
    const auto& route = classes_[f.cls].route;
    for (ResourceId r : route) {
      touch_peak(r);
      resources_[r].done_bits += bits_sent[i];
    }
    seeds.insert(seeds.end(), route.begin(), route.end());
    leave_group(ids[i]);
    remove_from_class(ids[i]);
    f.active = false;
    ++f.gen;
    free_ids_.push_back(ids[i]);
    --active_;
  }
  ++recomputations_;
  if (local) {
    Group& g = group(b);
    bring_to(g, now);
    if (g.members > 0) {
      double others = 0.0;
      for (const auto& [o, n] : resources_[b].groups)
        if (o != b) others += static_cast<double>(n) * group(o).level;
      const double level = (resources_[b].capacity - others) / static_cast<double>(g.members);
      if (g.thresholds.empty() || g.thresholds.begin()->first >= level)
        set_level(b, level);
      else
        local = false;
    }
    if (local) reschedule(b);
  }
  if (local) {
    for (ResourceId r : seeds) touch_peak(r);
  } else {
    std::sort(seeds.begin(), seeds.end());
    seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
    resolve(now, seeds);
  }
}

// Solves the connected component of `seeds` (resources linked by the classes crossing them) from
// scratch, then moves only the flows whose bottleneck changed.
void FlowNetwork::resolve(Time now, std::span<const ResourceId> seeds) {
  ++full_solves_;
  if (++stamp_ == 0) {
    std::fill(seen_resource_.begin(), seen_resource_.end(), 0);
    std::fill(seen_class_.begin(), seen_class_.end(), 0);
    stamp_ = 1;
  }
  if (seen_class_.size() < classes_.size()) seen_class_.resize(classes_.size(), 0);
  comp_resources_.clear();
  comp_classes_.clear();
  for (ResourceId r : seeds)
    if (seen_resource_[r] != stamp_) {
      seen_resource_[r] = stamp_;
      comp_resources_.push_back(r);
    }
  for (std::size_t i = 0; i < comp_resources_.size(); ++i)
    for (ClassId c : resources_[comp_resources_[i]].classes) {
      if (seen_class_[c] == stamp_) continue;
      seen_class_[c] = stamp_;
      comp_classes_.push_back(c);
      for (ResourceId r : classes_[c].route)
        if (seen_resource_[r] != stamp_) {
          seen_resource_[r] = stamp_;
          comp_resources_.push_back(r);
        }
    }
  for (ResourceId r : comp_resources_) {
    touch_peak(r);
    if (members_of(r) > 0) bring_to(group(r), now);
  }
  problem_.clear();
  for (ClassId c : comp_classes_)
    problem_.add(classes_[c].route, static_cast<std::uint32_t>(classes_[c].members.size()));
  solver_->solve(problem_, solution_);
  for (std::size_t i = 0; i < comp_classes_.size(); ++i) {
    const ResourceId b = solution_.bottleneck[i];
    for (FlowId id : classes_[comp_classes_[i]].members) {
      if (flows_[id].group == b) continue;
      const double rem = remaining(flows_[id], now);
      leave_group(id);
      join_group(id, b, rem, now);
    }
  }
  for (std::size_t i = 0; i < comp_classes_.size(); ++i) {
    const ResourceId b = solution_.bottleneck[i];
    if (group(b).level != solution_.rate[i]) set_level(b, solution_.rate[i]);
  }
  for (ResourceId r : comp_resources_) reschedule(r);
  for (ResourceId r : comp_resources_) touch_peak(r);
}

void FlowNetwork::advance(Time now, std::vector<FlowDone>& out) {
  assert(now >= last_);
  std::vector<FlowId> batch;
  std::vector<double> bits;
  while (!schedule_.empty() && schedule_.begin()->first <= now) {
    const Time t = schedule_.begin()->first;
    batch.clear();
    while (!schedule_.empty() && schedule_.begin()->first == t) {
      const ResourceId b = schedule_.begin()->second;
      schedule_.erase(schedule_.begin());
      Group& g = group(b);
      g.key = Time::never();
      while (!g.heap.empty()) {
        const HeapEntry top = g.heap.front();
        if (valid(top, b) && finish_time(g, top.finish) > t) break;
        std::pop_heap(g.heap.begin(), g.heap.end(),
                      [](const auto& x, const auto& y) { return heap_later(x, y); });
        g.heap.pop_back();
        if (valid(top, b)) batch.push_back(top.id);
      }
    }
    assert(!batch.empty());
    std::sort(batch.begin(), batch.end(), [&](FlowId x, FlowId y) { return flows_[x].seq < flows_[y].seq; });
    bits.clear();
    for (FlowId id : batch) {
      const Flow& f = flows_[id];
      out.push_back({id, f.tag, t, f.bytes});
      bits.push_back(bits_of(f.bytes));
    }
    move_to(t);
    remove_flows(t, batch, bits);
  }
  move_to(now);
}

// ---- queries -----------------------------------------------------------------------------------

Time FlowNetwork::next_completion() const {
  return schedule_.empty() ? Time::never() : schedule_.begin()->first;
}

double FlowNetwork::rate(FlowId id) const {
  assert(id < flows_.size() && flows_[id].active);
  return group(flows_[id].group).level;
}

std::uint64_t FlowNetwork::tag(FlowId id) const {
  assert(id < flows_.size() && flows_[id].active);
  return flows_[id].tag;
}

Bytes FlowNetwork::sent(Time now, FlowId id) const {
  assert(id < flows_.size() && flows_[id].active);
  const Flow& f = flows_[id];
  const double bits = bits_of(f.bytes);
  const double done = std::clamp(bits - remaining(f, now), 0.0, bits);
  return Bytes::of(std::min(f.bytes.count(), static_cast<std::uint64_t>(done / 8.0)));
}

double FlowNetwork::resource_share(ResourceId r) const {
  const Resource& res = resources_[r];
  const double unused = res.capacity - load(r);
  return std::max(unused, res.capacity / static_cast<double>(res.flows + 1));
}

Bandwidth FlowNetwork::share_for(std::span<const ResourceId> route) const {
  double best = std::numeric_limits<double>::infinity();
  if (active_ == 0) {
    // No flow anywhere: every load is 0.0 and every count 0, so resource_share is
    // max(capacity - 0.0, capacity / 1) = capacity exactly.
    for (ResourceId r : route) best = std::min(best, capacity_[r]);
    return Bandwidth::bits_per_second(best);
  }
  for (ResourceId r : route) {
    // No flow here: max(capacity - 0.0, capacity / 1), as above. Read from the dense arrays: most
    // routes start at a desktop's own link, whose Resource would be a cache miss for nothing.
    if (!crossed_[r]) {
      best = std::min(best, capacity_[r]);
      continue;
    }
    const Resource& res = resources_[r];
    if (res.groups.size() == 1) {  // one group: its load is one product, cheaper than a cache write
      best = std::min(best, resource_share(r));
      continue;
    }
    if (res.share_version != version_) {
      res.share = resource_share(r);
      res.share_version = version_;
    }
    best = std::min(best, res.share);
  }
  return Bandwidth::bits_per_second(best);
}

Bandwidth FlowNetwork::share_for_uncached(std::span<const ResourceId> route) const {
  double best = std::numeric_limits<double>::infinity();
  if (resources_.empty()) {  // never a flow: every share is the capacity (as in share_for)
    for (ResourceId r : route) best = std::min(best, capacity_[r]);
    return Bandwidth::bits_per_second(best);
  }
  for (ResourceId r : route) best = std::min(best, resource_share(r));
  return Bandwidth::bits_per_second(best);
}

FlowNetwork::ResourceStats FlowNetwork::stats(ResourceId r, Time now) const {
  assert(r < capacity_.size());
  if (resources_.empty()) return {0.0, 0.0, 0.0};  // never a flow: nothing carried, no load
  const Resource& res = resources_[r];
  double carried = res.done_bits;
  for (ClassId c : res.classes)
    for (FlowId id : classes_[c].members) {
      const Flow& f = flows_[id];
      const double bits = bits_of(f.bytes);
      carried += std::clamp(bits - remaining(f, now), 0.0, bits);
    }
  ResourceStats s{};
  // The current load counts once it has held for a while (the state at `last_` is final by `now`).
  s.peak_utilisation = now > last_ ? std::max(lazy_peak(r, now), load(r) / res.capacity) : lazy_peak(r, now);
  s.mean_utilisation = now.us() > 0 ? carried / (res.capacity * now.seconds_f()) : 0.0;
  s.bytes_carried = carried / 8.0;
  return s;
}

}  // namespace jettison::sim::net
