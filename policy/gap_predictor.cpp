#include "policy/gap_predictor.hpp"

#include <algorithm>
#include <vector>

namespace jettison::policy {
namespace {

// The lower median of the remembered gaps longer than `above` (all of them when `above` is null).
std::optional<Duration> median_above(const std::deque<Duration>& gaps, std::optional<Duration> above) {
  std::vector<Duration> v;
  v.reserve(gaps.size());
  for (Duration g : gaps)
    if (!above || g > *above) v.push_back(g);
  if (v.empty()) return std::nullopt;
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>((v.size() - 1) / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

void remember(std::deque<Duration>& gaps, Duration g, std::size_t capacity) {
  gaps.push_back(g);
  while (gaps.size() > capacity) gaps.pop_front();
}

}  // namespace

GapPredictor::GapPredictor(std::uint32_t history, Duration long_gap)
    : history_(std::max<std::uint32_t>(history, 1)), long_gap_(long_gap) {}

void GapPredictor::observe(Duration gap) {
  if (gap < Duration{}) gap = Duration{};
  remember(recent_, gap, history_);
  if (gap >= long_gap_) remember(long_, gap, history_);
}

std::optional<Duration> GapPredictor::predict() const { return median_above(recent_, std::nullopt); }

std::optional<Duration> GapPredictor::predict_beyond(Duration elapsed) const {
  if (auto m = median_above(recent_, elapsed)) return m;
  return median_above(long_, elapsed);
}

IdleGapTracker::IdleGapTracker(std::uint32_t history, Duration long_gap, Duration wake)
    : predictor_(history, long_gap), wake_(wake) {}

void IdleGapTracker::period_start(Time t) {
  last_ = t;
  slept_at_.reset();
  woke_.reset();
}

void IdleGapTracker::sleep(Time t) { slept_at_ = t; }

void IdleGapTracker::wake(Time t) {
  Time start = t - wake_;
  if (slept_at_) start = max(start, *slept_at_);
  woke_ = Woke{start, last_};
  slept_at_.reset();
  last_ = max(last_, t);
}

void IdleGapTracker::request(Time arrival, Time served) {
  if (woke_) {
    // The first request after a wake ends the gap that began before the sleep.
    const Time a = min(arrival, woke_->arrival);
    if (a >= woke_->idle_since) predictor_.observe(a - woke_->idle_since);
    woke_.reset();
  } else if (arrival >= last_) {
    // A request that arrived while an earlier one was still being served ends no idle gap.
    predictor_.observe(arrival - last_);
  }
  last_ = max(last_, served);
}

}  // namespace jettison::policy
