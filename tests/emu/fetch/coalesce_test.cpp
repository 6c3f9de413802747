// Coalesced placement: prefetched pages that arrive for consecutive addresses go in with one
// UFFDIO_COPY (or UFFDIO_ZEROPAGE) over the run; the faulting page goes first, on its own; a page
// already mapped in the middle of a run (EEXIST) and write protection on runs; the range ioctls of
// UffdRegion themselves. Every expected number is derived in a comment.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "emu/fetch/fetcher.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

using namespace std::chrono_literals;
using testing::Gate;
using testing::page_content;
using testing::page_size;
using testing::spatial;
using testing::TempImage;
using testing::touch_read;
using testing::touch_write;

// Pages of the image served from memory: page_content(p), except that pages in [zero_begin, zero_end)
// are all zero too. Delivers in the order asked, records each fetch() call's order, and can stop
// after `pause_after` pages of a call to report a status and wait for a gate (a source waiting for
// the network) before delivering the rest.
class PatternSource final : public PageSource {
 public:
  PatternSource(std::uint64_t pages, std::uint64_t zero_begin = 0, std::uint64_t zero_end = 0)
      : pages_(pages), zero_begin_(zero_begin), zero_end_(zero_end) {}
  std::uint64_t page_size() const override { return testing::page_size(); }
  std::uint64_t pages() const override { return pages_; }

  std::vector<std::byte> content(std::uint64_t p) const {
    if (p >= zero_begin_ && p < zero_end_) return std::vector<std::byte>(page_size());
    return page_content(p);
  }
  bool zero(std::uint64_t p) const {
    const auto c = content(p);
    return std::all_of(c.begin(), c.end(), [](std::byte b) { return b == std::byte{0}; });
  }

  void fetch(std::span<const std::uint64_t> pages, const Place& place) override {
    {
      std::lock_guard lock(mu_);
      calls_.emplace_back(pages.begin(), pages.end());
    }
    std::size_t i = 0;
    for (const std::uint64_t p : pages) {
      if (pause_after_ != 0 && i++ == pause_after_) {
        if (status_) status_("waiting for the desktop");
        paused_.open();
        resume_.wait();
      }
      // A fresh buffer per page: data is only valid during the call.
      const std::vector<std::byte> bytes = content(p);
      place(p, zero(p) ? nullptr : bytes.data());
    }
  }
  void on_status(std::function<void(std::string_view)> cb) override { status_ = std::move(cb); }

  std::vector<std::vector<std::uint64_t>> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void pause_after(std::size_t n) { pause_after_ = n; }
  Gate& paused() { return paused_; }
  Gate& resume() { return resume_; }

 private:
  std::uint64_t pages_, zero_begin_, zero_end_;
  mutable std::mutex mu_;
  std::vector<std::vector<std::uint64_t>> calls_;
  std::function<void(std::string_view)> status_;
  std::size_t pause_after_ = 0;
  Gate paused_, resume_;
};

// Reads pages [first, last] (resident ones: no fault) and compares them with the source.
void expect_content(const UffdRegion& region, const PatternSource& source, std::uint64_t first,
                    std::uint64_t last) {
  for (std::uint64_t p = first; p <= last; ++p)
    EXPECT_EQ(touch_read(region.local_data(), p), source.content(p)) << "page " << p;
}

TEST(Coalesce, TheFaultingPageIsAskedForFirst) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 32;
  PatternSource source(kPages);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, source, spatial(2, kPages));
  fetcher.start();
  std::thread vm([&] { (void)touch_read(region.local_data(), 10); });
  vm.join();
  fetcher.stop();
  // The fault on 10, then its neighbours 8, 9, 11, 12 in ascending order.
  ASSERT_EQ(source.calls().size(), 1u);
  EXPECT_EQ(source.calls()[0], (std::vector<std::uint64_t>{10, 8, 9, 11, 12}));
  // 10 alone (its thread must not wait for the others); 8-9 and 11-12 are two runs of two (under
  // write protection the zero page 8 is a copy of zeros, in the run).
  const FetchStats s = fetcher.stats();
  EXPECT_EQ(s.demand_pages, 1u);
  EXPECT_EQ(s.prefetched_pages, 4u);
  EXPECT_EQ(s.placements, 3u);
  expect_content(region, source, 8, 12);
}

TEST(Coalesce, AContiguousRunGoesInWithOneCopy) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  // No zero pages in 0..40 except the pattern's own (p % 5 == 3); under write protection zero pages
  // share the copy runs, so 1..20 is one run.
  PatternSource source(kPages);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, source, spatial(20, kPages));
  fetcher.start();
  std::thread vm([&] { (void)touch_read(region.local_data(), 0); });
  vm.join();
  fetcher.stop();
  const FetchStats s = fetcher.stats();
  EXPECT_EQ(s.faults, 1u);
  EXPECT_EQ(s.demand_pages, 1u);
  EXPECT_EQ(s.prefetched_pages, 20u);
  EXPECT_EQ(s.placements, 2u);  // page 0, then 1..20 in one UFFDIO_COPY
  EXPECT_EQ(s.zero_pages, 4u);  // 3, 8, 13, 18
  EXPECT_EQ(s.bytes, 17 * page_size());
  EXPECT_EQ(s.already_mapped, 0u);
  expect_content(region, source, 0, 20);
  EXPECT_EQ(fetcher.stats().faults, 1u);  // reading the prefetched run raised no fault
  EXPECT_TRUE(fetcher.dirty_pages().empty());
}

TEST(Coalesce, RunsAreCappedAtMaxRunPages) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  PatternSource source(kPages);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  FetcherOptions options;
  options.max_run_pages = 8;
  Fetcher fetcher(region, source, spatial(20, kPages), nullptr, options);
  fetcher.start();
  std::thread vm([&] { (void)touch_read(region.local_data(), 0); });
  vm.join();
  fetcher.stop();
  // 1..20 in runs of 8, 8 and 4, after page 0.
  EXPECT_EQ(fetcher.stats().placements, 4u);
  expect_content(region, source, 0, 20);
}

TEST(Coalesce, ZeroRunsGoInWithOneZeroPage) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  // Zero: 3..15 (the block 4..15 plus the pattern's 3 and 8, 13), 18.
  PatternSource source(kPages, 4, 16);
  {
    UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/false);
    Fetcher fetcher(region, source, spatial(20, kPages));
    fetcher.start();
    std::thread vm([&] { (void)touch_read(region.local_data(), 0); });
    vm.join();
    fetcher.stop();
    const FetchStats s = fetcher.stats();
    // Page 0; then copy 1-2, zero 3-15, copy 16-17, zero 18, copy 19-20.
    EXPECT_EQ(s.placements, 6u);
    EXPECT_EQ(s.zero_pages, 14u);
    EXPECT_EQ(s.bytes, 7 * page_size());  // 0, 1, 2, 16, 17, 19, 20
    expect_content(region, source, 0, 20);
  }
  {
    SCOPED_TRACE("write-protected: the zeros are copied, in the same run");
    UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
    Fetcher fetcher(region, source, spatial(20, kPages));
    fetcher.start();
    std::thread vm([&] {
      (void)touch_read(region.local_data(), 0);
      touch_write(region.local_data(), 9, 0xA9);  // a zero page of the run: still write-protected
    });
    vm.join();
    fetcher.stop();
    const FetchStats s = fetcher.stats();
    EXPECT_EQ(s.placements, 2u);
    EXPECT_EQ(s.zero_pages, 14u);
    EXPECT_EQ(s.wp_faults, 1u);
    EXPECT_EQ(fetcher.dirty_pages(), (std::vector<std::uint64_t>{9}));
    std::vector<std::byte> expected(page_size());
    const std::uint64_t value = 0xA9;
    std::memcpy(expected.data(), &value, sizeof value);
    std::vector<std::byte> got(page_size());
    fetcher.read_page(9, got);
    EXPECT_EQ(got, expected);
  }
}

TEST(Coalesce, APageAlreadyMappedInARunLeavesEveryPageCorrect) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  PatternSource source(kPages);
  for (const bool wp : {false, true}) {
    SCOPED_TRACE(wp ? "write-protected" : "missing only");
    UffdRegion region = UffdRegion::create(kPages, wp);
    // Someone else maps pages before the fetcher does, with the image's content (as a VM process
    // placing its own pages would). Without write protection the zero pages split 1..20 into runs
    // (1-2, 3, 4-7, 8, 9-12, ...): page 1 is the head of one, page 10 the middle of 9-12. With it
    // 1..20 is one run and page 10 is in its middle: the copy stops after 1..9, the rest goes in page
    // by page.
    const std::vector<std::uint64_t> mapped =
        wp ? std::vector<std::uint64_t>{10} : std::vector<std::uint64_t>{1, 10};
    for (const std::uint64_t p : mapped) {
      const auto bytes = source.content(p);
      ASSERT_EQ(region.copy(p, bytes.data(), /*write_protect=*/false), PlaceOutcome::kPlaced);
    }
    Fetcher fetcher(region, source, spatial(20, kPages));
    fetcher.start();
    std::thread vm([&] { (void)touch_read(region.local_data(), 0); });
    vm.join();
    fetcher.stop();
    const FetchStats s = fetcher.stats();
    EXPECT_EQ(s.prefetched_pages, 20u);
    EXPECT_EQ(s.already_mapped, mapped.size());
    for (std::uint64_t p = 0; p <= 20; ++p) EXPECT_TRUE(fetcher.resident(p)) << "page " << p;
    expect_content(region, source, 0, 20);
    // Pages mapped by someone else are not write-protected, their content unknown: dirty.
    if (wp) {
      EXPECT_EQ(fetcher.dirty_pages(), mapped);
      EXPECT_EQ(s.placements, 1u + 1u + 10u);  // page 0, the copy of 1..9, then 11..20 one by one
    }
    EXPECT_FALSE(fetcher.resident(21));  // never asked for
  }
}

TEST(Coalesce, WritesToPagesOfACoalescedRunAreDirty) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  PatternSource source(kPages);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, source, spatial(20, kPages));
  fetcher.start();
  std::thread vm([&] {
    std::byte* ram = region.local_data();
    (void)touch_read(ram, 0);     // fetch 0, then 1..20 in one run, write-protected
    (void)touch_read(ram, 4);     // resident: no fault
    touch_write(ram, 5, 0xA5);    // WP fault: dirty
    touch_write(ram, 12, 0xA12);  // WP fault: dirty
    touch_write(ram, 12, 0xB12);  // unprotected already: no fault
    touch_write(ram, 20, 0xA20);  // the run's last page: WP fault, dirty
  });
  vm.join();
  fetcher.stop();
  const FetchStats s = fetcher.stats();
  EXPECT_EQ(s.placements, 2u);
  EXPECT_EQ(s.faults, 1u);
  EXPECT_EQ(s.wp_faults, 3u);
  EXPECT_EQ(fetcher.dirty_pages(), (std::vector<std::uint64_t>{5, 12, 20}));
  const std::pair<std::uint64_t, std::uint64_t> written[] = {{5, 0xA5}, {12, 0xB12}, {20, 0xA20}};
  for (auto [page, value] : written) {
    std::vector<std::byte> expected = source.content(page);
    std::memcpy(expected.data(), &value, sizeof value);
    std::vector<std::byte> got(page_size());
    fetcher.read_page(page, got);
    EXPECT_EQ(got, expected) << "page " << page;
  }
}

TEST(Coalesce, AStatusReportPlacesThePagesThatArrivedBeforeTheSourceWaits) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 64;
  PatternSource source(kPages);
  // The fetch of {0, 1..20} delivers 0 and 1..5, then the source reports that it is waiting and
  // blocks: the run 1..5 must go in at once, so a thread reading page 4 is not held up.
  source.pause_after(6);
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/true);
  Fetcher fetcher(region, source, spatial(20, kPages));
  fetcher.start();
  std::thread first([&] { (void)touch_read(region.local_data(), 0); });
  source.paused().wait();
  std::atomic<bool> read{false};
  std::thread second([&] {
    EXPECT_EQ(touch_read(region.local_data(), 4), source.content(4));
    read = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!read && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(read.load()) << "page 4 arrived before the pause but was not placed";
  EXPECT_TRUE(fetcher.resident(5));
  EXPECT_FALSE(fetcher.resident(6));
  source.resume().open();
  first.join();
  second.join();
  fetcher.stop();
  EXPECT_EQ(fetcher.last_status(), "waiting for the desktop");
  expect_content(region, source, 0, 20);
}

TEST(UffdRegionRange, CopyAndZeroRangesStopAtAMappedPage) {
  JETTISON_REQUIRE_UFFD();
  constexpr std::uint64_t kPages = 16;
  const std::uint64_t ps = page_size();
  UffdRegion region = UffdRegion::create(kPages, /*write_protect=*/false);
  std::vector<std::byte> src(8 * ps);
  for (std::uint64_t i = 0; i < 8; ++i) {
    const auto c = page_content(i);
    std::copy(c.begin(), c.end(), src.begin() + static_cast<std::ptrdiff_t>(i * ps));
  }
  ASSERT_EQ(region.copy(5, src.data() + 5 * ps, false), PlaceOutcome::kPlaced);
  // 0..7 from src: the kernel stops at page 5 after placing 0..4 and says so.
  RangeOutcome r = region.copy_range(0, 8, src.data(), false);
  EXPECT_EQ(r.placed, 5u);
  EXPECT_EQ(r.outcome, PlaceOutcome::kRetry);  // cut short: the next call tells why
  r = region.copy_range(5, 3, src.data() + 5 * ps, false);
  EXPECT_EQ(r.placed, 0u);
  EXPECT_EQ(r.outcome, PlaceOutcome::kExists);
  r = region.copy_range(6, 2, src.data() + 6 * ps, false, /*wake=*/false);
  EXPECT_EQ(r.placed, 2u);
  EXPECT_EQ(r.outcome, PlaceOutcome::kPlaced);
  region.wake_range(6, 2);
  for (std::uint64_t p = 0; p < 8; ++p) EXPECT_EQ(touch_read(region.local_data(), p), page_content(p));

  ASSERT_EQ(region.zero(12), PlaceOutcome::kPlaced);
  r = region.zero_range(8, 8);
  EXPECT_EQ(r.placed, 4u);
  r = region.zero_range(12, 4);
  EXPECT_EQ(r.outcome, PlaceOutcome::kExists);
  EXPECT_EQ(region.zero_range(13, 3).outcome, PlaceOutcome::kPlaced);
  for (std::uint64_t p = 8; p < kPages; ++p)
    EXPECT_EQ(touch_read(region.local_data(), p), std::vector<std::byte>(ps)) << "page " << p;
}

}  // namespace
}  // namespace jettison::emu
