// common/quantity: energy from power and time, transfer times to the nearest microsecond, bytes carried in a
// span.
#include "common/quantity.hpp"

#include <gtest/gtest.h>

#include "common/units.hpp"

namespace jettison {
namespace {

TEST(Energy, IsPowerTimesDuration) {
  const Energy e = Power::watts(60) * Duration::seconds(10);
  EXPECT_DOUBLE_EQ(e.joules(), 600.0);
  EXPECT_DOUBLE_EQ((Duration::seconds(10) * Power::watts(60)).joules(), 600.0);
}

TEST(Energy, ConvertsToKilowattHours) {
  EXPECT_DOUBLE_EQ((Power::watts(1000) * Duration::seconds(3600)).kwh(), 1.0);
  EXPECT_DOUBLE_EQ(Energy::joules(1.8e6).kwh(), 0.5);
}

TEST(Energy, UsesMicrosecondPrecision) {
  EXPECT_DOUBLE_EQ((Power::watts(100) * Duration::micros(1)).joules(), 1e-4);
}

TEST(Energy, AddsSubtractsAndDivides) {
  Energy e = Energy::joules(100);
  e += Energy::joules(50);
  EXPECT_DOUBLE_EQ(e.joules(), 150.0);
  EXPECT_DOUBLE_EQ((e - Energy::joules(30)).joules(), 120.0);
  EXPECT_DOUBLE_EQ(Energy::joules(30) / Energy::joules(120), 0.25);
}

TEST(Energy, OverPowerIsRoundedDuration) {
  EXPECT_EQ((Energy::joules(600) / Power::watts(60)).us(), 10'000'000);
  EXPECT_EQ((Energy::joules(1) / Power::watts(3)).us(), 333'333);
}

TEST(TransferTime, RoundsToTheNearestMicrosecond) {
  // 4096 bytes at 1 Gbps: 32768 bits = 32.768 us -> 33.
  EXPECT_EQ(transfer_time(Bytes::of(4096), parse_bandwidth("1Gbps")).us(), 33);
  // 4 GiB at 1 Gbps: 34359738.368 us -> 34359738 (down: rounding up gave ...739).
  EXPECT_EQ(transfer_time(parse_bytes("4GiB"), parse_bandwidth("1Gbps")).us(), 34'359'738);
  // 50 MiB at 1 Gbps: 419430400 bits = 419430.4 us -> 419430.
  EXPECT_EQ(transfer_time(parse_bytes("50MiB"), parse_bandwidth("1Gbps")).us(), 419'430);
  // A tie goes up: 12345 bytes at 16 Mbps: 98760 bits / 1.6e7 = 6172.5 us -> 6173.
  EXPECT_EQ(transfer_time(Bytes::of(12'345), parse_bandwidth("16Mbps")).us(), 6'173);
  // Under half a microsecond: 1 byte at 1 Gbps = 0.008 us -> 0.
  EXPECT_EQ(transfer_time(Bytes::of(1), parse_bandwidth("1Gbps")).us(), 0);
}

TEST(NearestUs, TiesAndFloatNoiseBelowThemGoUp) {
  EXPECT_EQ(nearest_us(2.4), 2);
  EXPECT_EQ(nearest_us(2.5), 3);
  EXPECT_EQ(nearest_us(2.5 - 1e-9), 3);  // a computed 2.5
  EXPECT_EQ(nearest_us(2.49), 2);
  EXPECT_EQ(nearest_us(0.0), 0);
  EXPECT_EQ(nearest_us(-3.0), 0);
}

TEST(TransferTime, ExactWhenWhole) {
  EXPECT_EQ(transfer_time(Bytes::of(125), parse_bandwidth("1Gbps")).us(), 1);
  EXPECT_EQ(transfer_time(Bytes::of(125'000'000), parse_bandwidth("1Gbps")).us(), 1'000'000);
  EXPECT_EQ(transfer_time(Bytes::of(1250), parse_bandwidth("100Mbps")).us(), 100);
}

TEST(TransferTime, ZeroBytesTakeNoTime) {
  EXPECT_EQ(transfer_time(Bytes::of(0), parse_bandwidth("1Gbps")).us(), 0);
}

TEST(BytesIn, IsRateTimesDurationRoundedDown) {
  EXPECT_EQ(bytes_in(Duration::seconds(1), parse_bandwidth("1Gbps")).count(), 125'000'000U);
  EXPECT_EQ(bytes_in(Duration::micros(33), parse_bandwidth("1Gbps")).count(), 4125U);
  EXPECT_EQ(bytes_in(Duration::micros(1), parse_bandwidth("100Mbps")).count(), 12U);  // 12.5
}

TEST(BytesIn, NothingInNonPositiveSpan) {
  EXPECT_EQ(bytes_in(Duration::micros(0), parse_bandwidth("1Gbps")).count(), 0U);
  EXPECT_EQ(bytes_in(Duration::micros(-5), parse_bandwidth("1Gbps")).count(), 0U);
}

TEST(Bytes, Arithmetic) {
  Bytes b = Bytes::of(4096) * 3;
  EXPECT_EQ(b.count(), 12288U);
  b -= Bytes::of(4096);
  EXPECT_EQ(b.count(), 8192U);
  b += Bytes::of(1);
  EXPECT_EQ((b + Bytes::of(1)).count(), 8194U);
  EXPECT_LT(Bytes::of(1), Bytes::of(2));
}

}  // namespace
}  // namespace jettison
