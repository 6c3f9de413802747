// Which scenarios may be split into shards, and the reason given when not.
#include "sim/run/shard_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/sim/model/model_support.hpp"

namespace jettison::sim {
namespace {

using testing::TempDir;
using testing::model::Knobs;
using testing::model::load_hand_scenario;

// Four desktops with one idle period each; the page profile is irrelevant to the plan.
const char* kIdle = "desktop,start,end\nd0,0,100\nd1,0,100\nd2,0,100\nd3,0,100\n";
const char* kPages = "time,page,op\n1,1,r\n";

ShardPlan plan_for(const Knobs& k, unsigned wanted) {
  TempDir dir;
  return plan_shards(load_hand_scenario(dir, kIdle, kPages, k), wanted);
}

TEST(ShardPlan, DedicatedLinksPerVmPowerAndRoomForAllAreShardable) {
  const ShardPlan p = plan_for({}, 3);
  EXPECT_TRUE(p.shardable) << p.serial_reason;
  EXPECT_EQ(p.shards, 3U);
  EXPECT_TRUE(p.serial_reason.empty());
  // Four desktops in three shards: one shard gets two, the others one each; each desktop in one.
  std::vector<unsigned> per_shard(3, 0);
  for (std::uint32_t d = 0; d < 4; ++d) {
    ASSERT_LT(p.shard_of(d), 3U);
    ++per_shard[p.shard_of(d)];
    EXPECT_TRUE(p.owns(p.shard_of(d), d));
  }
  std::sort(per_shard.begin(), per_shard.end());
  EXPECT_EQ(per_shard, (std::vector<unsigned>{1, 1, 2}));
}

TEST(ShardPlan, NoMoreShardsThanDesktopsAndAtLeastOne) {
  EXPECT_EQ(plan_for({}, 64).shards, 4U);
  EXPECT_EQ(plan_for({}, 0).shards, 1U);
}

TEST(ShardPlan, SharedUplinkIsSerialAndNamed) {
  Knobs k;
  k.network = "{topology: star, uplink: {bandwidth: 10Gbps, latency: 0.05ms}}";
  const ShardPlan p = plan_for(k, 4);
  EXPECT_FALSE(p.shardable);
  EXPECT_EQ(p.shards, 1U);
  // The first shared resource: the uplink's direction towards the server, used by d0 and d1.
  EXPECT_NE(p.serial_reason.find("sw0"), std::string::npos) << p.serial_reason;
  EXPECT_NE(p.serial_reason.find("d0 and d1"), std::string::npos) << p.serial_reason;
}

TEST(ShardPlan, SharedServerDrawIsSerial) {
  Knobs k;
  k.server_power = "{model: linear, idle: 100W, max: 200W, vm_load: 0.1}";
  const ShardPlan p = plan_for(k, 4);
  EXPECT_FALSE(p.shardable);
  EXPECT_NE(p.serial_reason.find("per-vm"), std::string::npos) << p.serial_reason;
}

TEST(ShardPlan, ServerThatMayFillUpIsSerial) {
  // 4 VMs x (1 GiB + 8 MiB metadata) = 4128 MiB > 4 GiB.
  Knobs k;
  k.server_memory = "4GiB";
  const ShardPlan p = plan_for(k, 4);
  EXPECT_FALSE(p.shardable);
  EXPECT_NE(p.serial_reason.find("may fill up"), std::string::npos) << p.serial_reason;
  // 4128 MiB fit in 5 GiB: shardable again.
  k.server_memory = "5GiB";
  EXPECT_TRUE(plan_for(k, 4).shardable);
}

TEST(ShardPlan, LeastLoadedOverSeveralServersIsSerial) {
  Knobs k;
  k.server_extra = ", count: 2, placement: least-loaded";
  const ShardPlan p = plan_for(k, 4);
  EXPECT_FALSE(p.shardable);
  EXPECT_NE(p.serial_reason.find("least-loaded"), std::string::npos) << p.serial_reason;
}

}  // namespace
}  // namespace jettison::sim
