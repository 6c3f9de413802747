// Simulated and policy time: integer microseconds, never accumulated floating seconds.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace jettison {

// A span of time in whole microseconds.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration micros(std::int64_t us) { return Duration(us); }
  static constexpr Duration millis(std::int64_t ms) { return Duration(ms * 1000); }
  static constexpr Duration seconds(std::int64_t s) { return Duration(s * 1'000'000); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max() / 4); }

  constexpr std::int64_t us() const { return us_; }
  constexpr double seconds_f() const { return static_cast<double>(us_) / 1e6; }

  constexpr Duration operator+(Duration o) const { return Duration(us_ + o.us_); }
  constexpr Duration operator-(Duration o) const { return Duration(us_ - o.us_); }
  constexpr Duration operator*(std::int64_t k) const { return Duration(us_ * k); }
  constexpr Duration& operator+=(Duration o) {
    us_ += o.us_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    us_ -= o.us_;
    return *this;
  }
  constexpr auto operator<=>(const Duration&) const = default;

 private:
  constexpr explicit Duration(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

// A point in simulated (or, in emu, monotonic) time: microseconds since the trace start.
class Time {
 public:
  constexpr Time() = default;
  static constexpr Time micros(std::int64_t us) { return Time(us); }
  static constexpr Time never() { return Time(std::numeric_limits<std::int64_t>::max() / 2); }

  constexpr std::int64_t us() const { return us_; }
  constexpr double seconds_f() const { return static_cast<double>(us_) / 1e6; }

  constexpr Time operator+(Duration d) const { return Time(us_ + d.us()); }
  constexpr Time operator-(Duration d) const { return Time(us_ - d.us()); }
  constexpr Duration operator-(Time o) const { return Duration::micros(us_ - o.us_); }
  constexpr Time& operator+=(Duration d) {
    us_ += d.us();
    return *this;
  }
  constexpr auto operator<=>(const Time&) const = default;

 private:
  constexpr explicit Time(std::int64_t us) : us_(us) {}
  std::int64_t us_ = 0;
};

constexpr Time max(Time a, Time b) { return a < b ? b : a; }
constexpr Time min(Time a, Time b) { return a < b ? a : b; }
constexpr Duration max(Duration a, Duration b) { return a < b ? b : a; }
constexpr Duration min(Duration a, Duration b) { return a < b ? a : b; }

}  // namespace jettison
