// The replay workload over a local image: the schedule (time scaling, period cut, repetition), pages
// fetched with and without prefetch, content, dirty set, and the periods.csv row. Every expected
// number is derived in a comment.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "common/input_error.hpp"
#include "emu/fetch/image_source.hpp"
#include "emu/memserver/memory_server.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/replay/replay_run.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

using testing::page_size;
using testing::TempImage;

traces::PageProfile profile_of(const std::string& csv) {
  return traces::read_page_profile(std::make_unique<std::istringstream>(csv), "pages.csv");
}

std::vector<std::int64_t> dues_us(const std::vector<ScheduledAccess>& s) {
  std::vector<std::int64_t> out;
  for (const auto& a : s) out.push_back(a.due.us());
  return out;
}

TEST(ReplaySchedule, SpeedScalesEveryDueTime) {
  // A 10 s trace at speed 100 is due over 0.1 s: 0 -> 0, 2.5 s -> 25 ms, 10 s -> 100 ms.
  const auto p = profile_of("time,page,op\n0,1,r\n2.5,2,w\n10,3,r\n");
  ScheduleOptions o;
  o.period = Duration::seconds(600);
  o.speed = 100;
  o.repeat = false;
  o.region_pages = 16;
  const auto s = make_schedule(p, o);
  EXPECT_EQ(dues_us(s), (std::vector<std::int64_t>{0, 25'000, 100'000}));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].trace_offset, Duration::millis(2500));
  EXPECT_EQ(s[1].page, 2u);
  EXPECT_TRUE(s[1].write);
  EXPECT_FALSE(s[2].write);
}

TEST(ReplaySchedule, PeriodCutsAndProfileRepeatsEveryCycle) {
  // Last access at 2.5 s: the profile's cycle is the whole second after it, 3 s. A 7 s period plays
  // copies shifted by 0, 3 and 6 s; of the third only offset 0 (6 s) is < 7 s: 2 + 2 + 1 = 5 accesses.
  const auto p = profile_of("time,page,op\n0,1,r\n2.5,2,w\n");
  ScheduleOptions o;
  o.period = Duration::seconds(7);
  o.region_pages = 16;
  const auto s = make_schedule(p, o);
  EXPECT_EQ(dues_us(s), (std::vector<std::int64_t>{0, 2'500'000, 3'000'000, 5'500'000, 6'000'000}));
  o.repeat = false;  // without repetition: only the first copy
  EXPECT_EQ(make_schedule(p, o).size(), 2u);
}

TEST(ReplaySchedule, RejectsBadSpeedAndPagesBeyondTheImage) {
  const auto p = profile_of("time,page,op\n0,1,r\n1,2,r\n2,99,w\n");
  ScheduleOptions o;
  o.region_pages = 16;
  o.speed = 0;
  EXPECT_THROW(make_schedule(p, o), InputError);
  o.speed = 1;
  try {
    (void)make_schedule(p, o);
    FAIL() << "page 99 of a 16-page image accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "pages.csv:4");  // the header is line 1, page 99 first appears on line 4
  }
}

// A run at a high speed so the test takes milliseconds.
ReplayRunOptions fast(std::string prefetch = "none", std::uint32_t radius = 0) {
  ReplayRunOptions o;
  o.schedule.period = Duration::seconds(60);
  o.schedule.speed = 1000;
  o.prefetch = std::move(prefetch);
  o.prefetch_params.radius = radius;
  o.desktop = "d1";
  return o;
}

TEST(Replay, NoPrefetchFetchesExactlyTheTracesUniquePagesWithTheirContent) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 128;
  TempImage image(kPages);
  ImageSource source(image.path(), page_size());
  // 8 accesses on 5 unique pages (3, 10, 11, 40, 127); page 3 is an all-zero page of the image.
  const auto p =
      profile_of("time,page,op\n0,10,r\n0.5,11,w\n1,10,r\n1,3,r\n2,40,w\n3,127,r\n3,11,r\n4,40,r\n");
  auto o = fast();
  o.schedule.repeat = false;
  o.verify_image = image.path();
  const ReplayRun r = run_replay(p, source, o);
  EXPECT_EQ(r.replay.accesses, 8u);
  EXPECT_EQ(r.replay.touched, (std::vector<std::uint64_t>{3, 10, 11, 40, 127}));
  EXPECT_EQ(r.stats.demand_pages, 5u);
  EXPECT_EQ(r.stats.prefetched_pages, 0u);
  EXPECT_EQ(r.stats.zero_pages, 1u);          // page 3 (3 % 5 == 3)
  EXPECT_EQ(r.stats.bytes, 4 * page_size());  // the zero page carries no data
  ASSERT_TRUE(r.verify);
  EXPECT_EQ(r.verify->checked, 5u);
  EXPECT_TRUE(r.verify->ok()) << "first mismatch: page " << r.verify->mismatched.front();
  EXPECT_EQ(r.period.fetched_pages, 5u);
  EXPECT_EQ(r.period.fetched.count(), 5 * page_size());
  EXPECT_EQ(r.period.prefetch_used, 0u);
}

TEST(Replay, SpatialPrefetchFetchesUniquePlusPrefetched) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 512;
  TempImage image(kPages);
  ImageSource source(image.path(), page_size());
  // Faults at 100, 200, 300 each fetch the page and 2 on each side (radius 2): 3 demand + 12
  // prefetched. Page 101 was prefetched with 100, so touching it is no fault: 4 unique pages touched =
  // 3 demand + 1 prefetch used; fetched = 15 = unique (4) + prefetched never touched (11).
  const auto p = profile_of("time,page,op\n0,100,r\n1,101,r\n2,200,w\n3,300,r\n");
  auto o = fast("spatial", 2);
  o.schedule.repeat = false;
  o.verify_image = image.path();
  const ReplayRun r = run_replay(p, source, o);
  EXPECT_EQ(r.stats.demand_pages, 3u);
  EXPECT_EQ(r.stats.prefetched_pages, 12u);
  EXPECT_EQ(r.stats.pages_fetched(),
            r.replay.touched.size() + (r.stats.prefetched_pages - r.period.prefetch_used));
  EXPECT_EQ(r.period.prefetch_used, 1u);
  EXPECT_EQ(r.prefetched,
            (std::vector<std::uint64_t>{98, 99, 101, 102, 198, 199, 201, 202, 298, 299, 301, 302}));
  ASSERT_TRUE(r.verify);
  EXPECT_TRUE(r.verify->ok());
}

TEST(Replay, WritesAreDirtyReadsAreNot) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  TempImage image(kPages);
  ImageSource source(image.path(), page_size());
  // Written: 5 (write first), 7 (read, then written: a write-protect fault). Only read: 6, 9.
  const auto p = profile_of("time,page,op\n0,5,w\n0.1,6,r\n0.2,7,r\n0.3,7,w\n0.4,9,r\n0.5,6,r\n");
  auto o = fast();
  o.schedule.repeat = false;
  o.dirty_tracking = true;
  o.verify_image = image.path();
  const ReplayRun r = run_replay(p, source, o);
  EXPECT_EQ(r.replay.written, (std::vector<std::uint64_t>{5, 7}));
  EXPECT_EQ(r.dirty, (std::vector<std::uint64_t>{5, 7}));
  EXPECT_EQ(r.period.dirty_pages, 2u);
  EXPECT_GE(r.stats.wp_faults, 1u);  // page 7's write after its read
  ASSERT_TRUE(r.verify);
  EXPECT_TRUE(r.verify->ok());  // the written pages hold the image plus the last write mark
}

TEST(Replay, OverRemoteSourceWithTlsPskOnLoopback) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 256;
  TempImage image(kPages);
  const TlsConfig tls = TlsConfig::psk("replay-test", std::vector<unsigned char>(32, 0x5a));
  MemoryServerConfig config;
  config.image_path = image.path();
  config.page_size = static_cast<std::uint32_t>(page_size());
  config.tls = tls;
  MemoryServer server(config);
  server.start();
  RemoteSourceConfig rc;
  rc.endpoint = Endpoint{"127.0.0.1", server.port()};
  rc.tls = tls;
  rc.client.page_size = static_cast<std::uint32_t>(page_size());
  rc.give_up_after = Duration::seconds(10);
  RemoteSource source(rc);
  // Faults at 20 and 200 with radius 4: 2 demand + 2 x 8 prefetched; 22 was prefetched with 20.
  const auto p = profile_of("time,page,op\n0,20,r\n0.1,22,w\n0.2,200,r\n");
  auto o = fast("spatial", 4);
  o.schedule.repeat = false;
  o.verify_image = image.path();
  o.wire_bytes = [&] {
    const RemoteSourceStats s = source.stats();
    return s.bytes_sent.count() + s.bytes_received.count();
  };
  o.wakeups = [&] { return source.stats().wakeups; };
  const ReplayRun r = run_replay(p, source, o);
  EXPECT_EQ(r.stats.demand_pages, 2u);
  EXPECT_EQ(r.stats.prefetched_pages, 16u);
  EXPECT_EQ(r.period.prefetch_used, 1u);
  EXPECT_EQ(r.period.wakeups, 0u);
  EXPECT_GT(r.period.network.count(), r.stats.bytes);  // frame headers and the handshake on top
  ASSERT_TRUE(r.verify);
  EXPECT_TRUE(r.verify->ok());
  server.stop();
}

TEST(PeriodCsv, HeaderIsTheSimulatorsAndRowsHaveItsColumns) {
  // common/period_csv.hpp's columns (the simulator's periods.csv), written out to pin them.
  const std::string expected =
      "strategy,desktop,period,start_s,idle_s,window_s,outcome,energy_j,baseline_j,savings_pct,"
      "server_energy_j,proxy_energy_j,migrated_bytes,fetched_pages,fetched_bytes,prefetched_pages,"
      "prefetch_used,"
      "reintegrated_bytes,network_bytes,dirty_pages,wakeups,migration_latency_s,return_latency_s,"
      "migration_latency_uncontended_s,server,t_active_s,t_idle_s,t_migrating_s,t_suspending_s,t_asleep_s,"
      "t_resuming_full_s,t_resuming_selective_s,t_serving_s\n";
  EXPECT_EQ(period_csv_header(), expected);

  EmulatedPeriod p;
  p.desktop = "d1";
  p.idle = Duration::millis(600'500);
  p.fetched_pages = 5;
  p.fetched = Bytes::of(20480);
  p.prefetched_pages = 12;
  p.prefetch_used = 1;
  p.network = Bytes::of(16384);
  p.dirty_pages = 2;
  p.wakeups = 3;
  std::ostringstream out;
  write_period_row(out, p);
  EXPECT_EQ(
      out.str(),
      "emulated,d1,0,0.000000,600.500000,600.500000,migrated,,,,,,,5,20480,12,1,,16384,2,3,,,,,,,,,,,,\n");
  const auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  EXPECT_EQ(commas(out.str()), commas(expected));

  StateTimes t{};
  t[index_of(PowerState::kAsleep)] = Duration::seconds(590);
  p.state_time = t;
  p.energy = Energy::joules(12.5);
  std::ostringstream with_energy;
  write_period_row(with_energy, p);
  EXPECT_EQ(with_energy.str(),
            "emulated,d1,0,0.000000,600.500000,600.500000,migrated,12.500,,,,,,5,20480,12,1,,16384,2,3,,,,,"
            "0.000000,0.000000,0.000000,0.000000,590.000000,0.000000,0.000000,0.000000\n");
}

}  // namespace
}  // namespace jettison::emu
