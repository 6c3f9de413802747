// The fetcher over an in-process region and the image source: content, prefetch counts, zero pages,
// deduplication, dirty tracking, a paused source. Every expected number is derived in a comment.
#include "emu/fetch/fetcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "common/input_error.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

using namespace std::chrono_literals;
using testing::CountingSource;
using testing::Gate;
using testing::is_zero_page;
using testing::page_content;
using testing::page_size;
using testing::spatial;
using testing::TempImage;
using testing::touch_read;
using testing::touch_write;

TEST(Fetcher, ThreadsTouchingPagesSeeExactlyTheImage) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 256;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource counting(source);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, counting, make_prefetcher("none", {}, {kPages, Bytes::of(page_size())}));
  fetcher.start();

  // Four threads, each touching 40 distinct random pages of its own quarter (no prefetch).
  std::vector<std::thread> threads;
  std::vector<std::vector<std::uint64_t>> touched(4);
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<unsigned>(t + 1));
      std::vector<std::uint64_t> quarter(kPages / 4);
      for (std::uint64_t i = 0; i < quarter.size(); ++i)
        quarter[i] = static_cast<std::uint64_t>(t) * kPages / 4 + i;
      std::shuffle(quarter.begin(), quarter.end(), rng);
      quarter.resize(40);
      for (auto p : quarter) {
        if (touch_read(region.local_data(), p) != page_content(p)) ++mismatches[static_cast<std::size_t>(t)];
      }
      touched[static_cast<std::size_t>(t)] = quarter;
    });
  }
  for (auto& th : threads) th.join();
  fetcher.stop();

  std::uint64_t zeros = 0;
  for (const auto& list : touched)
    for (auto p : list) {
      EXPECT_EQ(counting.fetched(p), 1) << "page " << p;
      zeros += is_zero_page(p) ? 1 : 0;
    }
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
  const FetchStats s = fetcher.stats();
  // 4 threads x 40 distinct pages = 160 faults, each its own fetch; no prefetcher.
  EXPECT_EQ(s.faults, 160u);
  EXPECT_EQ(s.duplicate_faults, 0u);
  EXPECT_EQ(s.demand_pages, 160u);
  EXPECT_EQ(s.prefetched_pages, 0u);
  EXPECT_EQ(s.zero_pages, zeros);
  EXPECT_EQ(s.bytes, (160 - zeros) * page_size());  // zero pages carry no data
  EXPECT_EQ(s.latency_samples, 160u);
  EXPECT_EQ(fetcher.latency_samples().size(), 160u);
  EXPECT_GT(percentile(fetcher.latency_samples(), 0.99).count(), 0);
  // Reads only: nothing dirty.
  EXPECT_TRUE(fetcher.dirty_pages().empty());
  EXPECT_EQ(fetcher.state(), Fetcher::State::kStopped);
}

TEST(Fetcher, SpatialPrefetchFetchesExactlyTheNeighbours) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource counting(source);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  policy::SleepParams sleep_params;
  sleep_params.timeout = Duration::seconds(30);
  Fetcher fetcher(region, counting, spatial(2, kPages), make_sleep_scheduler("timeout", sleep_params, {}));
  fetcher.start();

  // One thread, in order (each fault is served before the next access):
  //   0  -> fault, fetch {0, 1, 2}           (left side clipped at 0): 1 demand + 2 prefetched
  //   10 -> fault, fetch {8, 9, 10, 11, 12}:                            1 demand + 4 prefetched
  //   11 -> already resident: no fault
  //   30 -> fault, fetch {28 .. 32}:                                    1 demand + 4 prefetched
  //   63 -> fault, fetch {61, 62, 63}         (right side clipped):     1 demand + 2 prefetched
  // Unique pages faulted 4 + prefetches 12 = 16 pages in 4 requests.
  std::thread vm([&] {
    for (std::uint64_t p : {0u, 10u, 11u, 30u, 63u})
      EXPECT_EQ(touch_read(region.local_data(), p), page_content(p));
  });
  vm.join();
  fetcher.stop();

  const FetchStats s = fetcher.stats();
  EXPECT_EQ(s.faults, 4u);
  EXPECT_EQ(s.requests, 4u);
  EXPECT_EQ(s.demand_pages, 4u);
  EXPECT_EQ(s.prefetched_pages, 12u);
  EXPECT_EQ(s.pages_fetched(), 16u);
  EXPECT_EQ(counting.calls(), 4);
  EXPECT_EQ(fetcher.faulted_pages(), (std::vector<std::uint64_t>{0, 10, 30, 63}));
  for (std::uint64_t p = 0; p < kPages; ++p) {
    const bool expected = p <= 2 || (p >= 8 && p <= 12) || (p >= 28 && p <= 32) || p >= 61;
    EXPECT_EQ(fetcher.resident(p), expected) << "page " << p;
    EXPECT_EQ(counting.fetched(p), expected ? 1 : 0) << "page " << p;
  }
  // The timeout rule: sleep 30 s after the last request was served (which was before now()).
  EXPECT_GT(fetcher.sleep_at(), Time::micros(0) + Duration::seconds(30));
  EXPECT_LE(fetcher.sleep_at(), fetcher.now() + Duration::seconds(30));
}

TEST(Fetcher, ZeroPagesArePlacedWithoutData) {
  JETTISON_REQUIRE_UFFD();
  for (const bool wp : {false, true}) {
    SCOPED_TRACE(wp ? "write-protected (zero buffer copied with MODE_WP)" : "UFFDIO_ZEROPAGE");
    constexpr std::uint64_t kPages = 32;
    TempImage image(kPages);
    ImageSource source(image.path());
    UffdRegion region = UffdRegion::create(kPages, wp);
    Fetcher fetcher(region, source, nullptr);
    fetcher.start();
    // Pages 3, 8 and 13 are zero pages (p % 5 == 3); page 4 has data.
    std::thread vm([&] {
      for (std::uint64_t p : {3u, 8u, 13u, 4u})
        EXPECT_EQ(touch_read(region.local_data(), p), page_content(p));
    });
    vm.join();
    fetcher.stop();
    const FetchStats s = fetcher.stats();
    EXPECT_EQ(s.demand_pages, 4u);
    EXPECT_EQ(s.zero_pages, 3u);
    EXPECT_EQ(s.bytes, page_size());  // only page 4 carried data
  }
}

TEST(Fetcher, TwoThreadsFaultingOnePageFetchItOnce) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 16;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource counting(source);
  UffdRegion region = UffdRegion::create(kPages, true);
  Fetcher fetcher(region, counting, nullptr);

  // Case 2 below holds the source while it fetches page 9.
  Gate entered, release;
  counting.set_hook([&](std::span<const std::uint64_t> pages) {
    if (std::find(pages.begin(), pages.end(), 9) != pages.end()) {
      entered.open();
      release.wait();
    }
  });
  // Case 1: both faults are queued before the fetcher starts, so they arrive in one batch.
  std::vector<std::thread> vms;
  for (int i = 0; i < 2; ++i)
    vms.emplace_back([&] { EXPECT_EQ(touch_read(region.local_data(), 5), page_content(5)); });
  std::this_thread::sleep_for(100ms);
  fetcher.start();
  // Case 2: the second fault comes while the first fetch is in flight.
  vms.emplace_back([&] { EXPECT_EQ(touch_read(region.local_data(), 9), page_content(9)); });
  entered.wait();
  vms.emplace_back([&] { EXPECT_EQ(touch_read(region.local_data(), 9), page_content(9)); });
  std::this_thread::sleep_for(100ms);
  release.open();
  for (auto& t : vms) t.join();
  fetcher.stop();

  EXPECT_EQ(counting.fetched(5), 1);
  EXPECT_EQ(counting.fetched(9), 1);
  const FetchStats s = fetcher.stats();
  EXPECT_EQ(s.demand_pages, 2u);  // pages 5 and 9, once each
  // Each fault that was read beyond the first per page was a duplicate (a thread that reached the
  // page after its placement does not fault at all).
  EXPECT_EQ(s.duplicate_faults, s.faults - 2);
}

TEST(Fetcher, WritesAfterPlacementAreDirtyReadsAreNot) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 40;
  TempImage image(kPages);
  ImageSource source(image.path());
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, source, spatial(1, kPages));
  fetcher.start();
  std::thread vm([&] {
    std::byte* ram = region.local_data();
    (void)touch_read(ram, 5);     // fetch {4, 5, 6}; read only
    (void)touch_read(ram, 10);    // fetch {9, 10, 11}
    touch_write(ram, 10, 0xA10);  // WP fault: dirty
    touch_write(ram, 15, 0xA15);  // first access a write: fetch {14, 15, 16}, 15 placed writable and dirty
    (void)touch_read(ram, 20);    // fetch {19, 20, 21}
    touch_write(ram, 21, 0xA21);  // a prefetched page written: WP fault, dirty
    (void)touch_read(ram, 25);    // fetch {24, 25, 26}
    touch_write(ram, 25, 0xA25);  // WP fault, dirty
    touch_write(ram, 25, 0xB25);  // already unprotected: no fault
    (void)touch_read(ram, 28);    // a zero page (28 % 5 == 3), fetch {27, 28, 29}
    touch_write(ram, 28, 0xA28);  // still write-protected although zero: WP fault, dirty
  });
  vm.join();
  fetcher.stop();

  EXPECT_EQ(fetcher.dirty_pages(), (std::vector<std::uint64_t>{10, 15, 21, 25, 28}));
  const FetchStats s = fetcher.stats();
  EXPECT_EQ(s.wp_faults, 4u);  // 10, 21, 25, 28 (15 needed none, the second write to 25 neither)
  EXPECT_EQ(s.dirty_pages, 5u);
  // Write-back content: the image's page with its first word overwritten.
  const std::pair<std::uint64_t, std::uint64_t> written[] = {
      {10, 0xA10}, {15, 0xA15}, {21, 0xA21}, {25, 0xB25}, {28, 0xA28}};
  for (auto [page, value] : written) {
    std::vector<std::byte> expected = page_content(page);
    std::memcpy(expected.data(), &value, sizeof value);
    std::vector<std::byte> got(page_size());
    fetcher.read_page(page, got);
    EXPECT_EQ(got, expected) << "page " << page;
  }
  std::vector<std::byte> buf(page_size());
  EXPECT_THROW(fetcher.read_page(35, buf), UffdError);  // missing: must not be read
}

TEST(Fetcher, WithoutWriteProtectionEveryResidentPageCountsDirty) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 16;
  TempImage image(kPages);
  ImageSource source(image.path());
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/false);
  Fetcher fetcher(region, source, spatial(1, kPages));
  fetcher.start();
  std::thread vm([&] { (void)touch_read(region.local_data(), 7); });  // fetch {6, 7, 8}
  vm.join();
  fetcher.stop();
  EXPECT_FALSE(fetcher.dirty_tracking());
  EXPECT_EQ(fetcher.dirty_pages(), (std::vector<std::uint64_t>{6, 7, 8}));  // the safe superset
}

TEST(Fetcher, AnUnreachableSourcePausesTheFaultInsteadOfAnsweringIt) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 16;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource counting(source);
  std::vector<std::string> statuses;
  std::mutex statuses_mu;
  FetcherOptions options;
  options.on_status = [&](std::string_view s) {
    std::lock_guard lock(statuses_mu);
    statuses.emplace_back(s);
  };
  UffdRegion region = UffdRegion::create(kPages, true);
  Fetcher fetcher(region, counting, nullptr, nullptr, options);
  Gate entered, reachable;
  counting.set_hook([&](std::span<const std::uint64_t>) {
    counting.status("desktop unreachable: waking it");
    entered.open();
    reachable.wait();  // the desktop is "asleep" until the test says otherwise
    counting.status("desktop reachable again");
  });
  fetcher.start();

  std::atomic<bool> done{false};
  std::vector<std::byte> seen;
  std::thread vm([&] {
    seen = touch_read(region.local_data(), 7);
    done = true;
  });
  entered.wait();
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(done.load());  // the page cannot have been placed: the source has not answered
  EXPECT_EQ(fetcher.last_status(), "desktop unreachable: waking it");
  reachable.open();
  vm.join();
  fetcher.stop();

  EXPECT_EQ(seen, page_content(7));
  EXPECT_EQ(statuses,
            (std::vector<std::string>{"desktop unreachable: waking it", "desktop reachable again"}));
}

TEST(Fetcher, StopCancelsAFetchBlockedOnTheSource) {
  JETTISON_REQUIRE_UFFD();
  // The source blocks until cancel(), as a network source waiting for an unreachable desktop does.
  constexpr std::uint64_t kPages = 8;
  TempImage image(kPages);
  ImageSource source(image.path());
  CountingSource counting(source);
  UffdRegion region = UffdRegion::create(kPages, true);
  Fetcher fetcher(region, counting, nullptr);
  Gate entered;
  counting.set_hook([&](std::span<const std::uint64_t>) {
    entered.open();
    while (!counting.cancelled()) std::this_thread::sleep_for(1ms);
    throw SourceFailed("cancelled");
  });
  fetcher.start();
  // The faulting thread stays blocked after stop() (never given a page nobody fetched); the test
  // releases it by placing the right page by hand.
  std::thread vm([&] { EXPECT_EQ(touch_read(region.local_data(), 2), page_content(2)); });
  entered.wait();
  fetcher.stop();
  EXPECT_EQ(fetcher.state(), Fetcher::State::kStopped);
  EXPECT_TRUE(fetcher.error().empty());
  EXPECT_FALSE(fetcher.resident(2));
  ASSERT_EQ(region.copy(2, source.page(2).data(), false), PlaceOutcome::kPlaced);
  vm.join();
}

TEST(Fetcher, PoliciesComeFromTheRegistriesByName) {
  EXPECT_THROW(make_prefetcher("nope", {}, {8, Bytes::of(4096)}), InputError);
  try {
    make_prefetcher("nope", {}, {8, Bytes::of(4096)});
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("spatial"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_sleep_scheduler("oracle", {}, {}), InputError);  // needs the future
  EXPECT_NE(make_sleep_scheduler("timeout", {}, {}), nullptr);
}

TEST(Fetcher, PercentileIsNearestRank) {
  std::vector<std::chrono::nanoseconds> s;
  for (int i = 1; i <= 100; ++i) s.emplace_back(i);
  // Nearest rank: p50 of 1..100 is the 50th value, p99 the 99th.
  EXPECT_EQ(percentile(s, 0.5).count(), 50);
  EXPECT_EQ(percentile(s, 0.99).count(), 99);
  EXPECT_EQ(percentile({}, 0.5).count(), 0);
}

}  // namespace
}  // namespace jettison::emu
