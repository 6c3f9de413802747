#include "sim/run/shard_item.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace jettison::sim {
namespace {

static_assert(std::is_trivially_copyable_v<PeriodRecord>);
static_assert(std::is_trivially_copyable_v<StateChange>);
static_assert(std::is_trivially_copyable_v<ServerDelta>);
static_assert(std::is_trivially_copyable_v<ShardResult::Link>);
static_assert(std::is_trivially_copyable_v<Time>);

template <class T>
void put(std::string& out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
void put_vector(std::string& out, const std::vector<T>& v) {
  put(out, static_cast<std::uint64_t>(v.size()));
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

template <class T>
void take(std::string_view& in, T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (in.size() < sizeof v) throw std::runtime_error("shard stream: truncated item");
  std::memcpy(&v, in.data(), sizeof v);
  in.remove_prefix(sizeof v);
}

template <class T>
void take_vector(std::string_view& in, std::vector<T>& v) {
  std::uint64_t n = 0;
  take(in, n);
  if (n > in.size() / sizeof(T)) throw std::runtime_error("shard stream: truncated item");
  v.resize(n);
  std::memcpy(v.data(), in.data(), n * sizeof(T));
  in.remove_prefix(n * sizeof(T));
}

}  // namespace

void encode(const ShardItem& item, std::string& out) {
  put(out, item.kind);
  put(out, item.at);
  if (item.kind == ShardItem::Kind::kChanges) {
    put(out, item.flows);
    put(out, item.server);
  } else {
    put(out, item.record);
    put_vector(out, item.timeline);
  }
}

void decode(std::string_view& in, ShardItem& item) {
  take(in, item.kind);
  take(in, item.at);
  if (item.kind == ShardItem::Kind::kChanges) {
    take(in, item.flows);
    take(in, item.server);
    item.timeline.clear();
  } else if (item.kind == ShardItem::Kind::kRecord) {
    take(in, item.record);
    take_vector(in, item.timeline);
  } else {
    throw std::runtime_error("shard stream: unknown item kind");
  }
}

void encode(const ShardResult& r, std::string& out) {
  for (const std::uint64_t v :
       {r.events, r.inline_events, r.flows, r.rate_recomputations, r.skipped_periods, r.server_refusals})
    put(out, v);
  put(out, r.end);
  put_vector(out, r.links);
}

void decode(std::string_view& in, ShardResult& r) {
  for (std::uint64_t* v : {&r.events, &r.inline_events, &r.flows, &r.rate_recomputations, &r.skipped_periods,
                           &r.server_refusals})
    take(in, *v);
  take(in, r.end);
  take_vector(in, r.links);
}

}  // namespace jettison::sim
