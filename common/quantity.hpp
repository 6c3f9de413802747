// Strong types for the quantities an energy simulator can mix up. Energy = Power * Duration is the
// only way to make an energy from a power; a unit slip does not compile.
#pragma once

#include <cmath>
#include <compare>
#include <cstdint>

#include "common/time.hpp"

namespace jettison {

class Energy {
 public:
  constexpr Energy() = default;
  static constexpr Energy joules(double j) { return Energy(j); }
  constexpr double joules() const { return j_; }
  constexpr double kwh() const { return j_ / 3.6e6; }
  constexpr Energy operator+(Energy o) const { return Energy(j_ + o.j_); }
  constexpr Energy operator-(Energy o) const { return Energy(j_ - o.j_); }
  constexpr Energy& operator+=(Energy o) {
    j_ += o.j_;
    return *this;
  }
  constexpr double operator/(Energy o) const { return j_ / o.j_; }
  constexpr auto operator<=>(const Energy&) const = default;

 private:
  constexpr explicit Energy(double j) : j_(j) {}
  double j_ = 0.0;
};

class Power {
 public:
  constexpr Power() = default;
  static constexpr Power watts(double w) { return Power(w); }
  constexpr double watts() const { return w_; }
  constexpr Power operator-(Power o) const { return Power(w_ - o.w_); }
  constexpr Power operator+(Power o) const { return Power(w_ + o.w_); }
  constexpr Power operator*(double k) const { return Power(w_ * k); }
  constexpr auto operator<=>(const Power&) const = default;

 private:
  constexpr explicit Power(double w) : w_(w) {}
  double w_ = 0.0;
};

constexpr Energy operator*(Power p, Duration d) { return Energy::joules(p.watts() * d.seconds_f()); }
constexpr Energy operator*(Duration d, Power p) { return p * d; }
// The time a power takes to use up an energy (break-even computations).
inline Duration operator/(Energy e, Power p) {
  return Duration::micros(static_cast<std::int64_t>(e.joules() / p.watts() * 1e6 + 0.5));
}

class Bytes {
 public:
  constexpr Bytes() = default;
  static constexpr Bytes of(std::uint64_t b) { return Bytes(b); }
  constexpr std::uint64_t count() const { return b_; }
  constexpr Bytes operator+(Bytes o) const { return Bytes(b_ + o.b_); }
  constexpr Bytes operator-(Bytes o) const { return Bytes(b_ - o.b_); }
  constexpr Bytes operator*(std::uint64_t k) const { return Bytes(b_ * k); }
  constexpr Bytes& operator+=(Bytes o) {
    b_ += o.b_;
    return *this;
  }
  constexpr Bytes& operator-=(Bytes o) {
    b_ -= o.b_;
    return *this;
  }
  constexpr auto operator<=>(const Bytes&) const = default;

 private:
  constexpr explicit Bytes(std::uint64_t b) : b_(b) {}
  std::uint64_t b_ = 0;
};

// A link rate in bits per second.
class Bandwidth {
 public:
  constexpr Bandwidth() = default;
  static constexpr Bandwidth bits_per_second(double bps) { return Bandwidth(bps); }
  constexpr double bits_per_second() const { return bps_; }
  constexpr auto operator<=>(const Bandwidth&) const = default;

 private:
  constexpr explicit Bandwidth(double bps) : bps_(bps) {}
  double bps_ = 0.0;
};

// A non-negative number of microseconds to the nearest whole one. Ties go up, and so does a value
// within 1e-6 us below a tie (float noise: 0.4999999999 computed for an exact 0.5 still goes up), so
// the result is the same whichever way the value was computed. Negative values give 0.
inline std::int64_t nearest_us(double us) {
  if (!(us > 0.0)) return 0;
  return static_cast<std::int64_t>(std::floor(us + 0.5 + 1e-6));
}

// Time to push `b` through a link of rate `bw`, to the nearest whole microsecond (nearest_us: ties
// up). The flow network ends a flow alone on its route at exactly its start plus this.
inline Duration transfer_time(Bytes b, Bandwidth bw) {
  return Duration::micros(nearest_us(static_cast<double>(b.count()) * 8.0 * 1e6 / bw.bits_per_second()));
}

// Bytes a link of rate `bw` carries in `d` (rounded down), for transfers cut short.
inline Bytes bytes_in(Duration d, Bandwidth bw) {
  if (d.us() <= 0) return Bytes::of(0);
  return Bytes::of(static_cast<std::uint64_t>(d.seconds_f() * bw.bits_per_second() / 8.0));
}

}  // namespace jettison
