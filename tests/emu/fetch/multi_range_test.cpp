// A UffdRegion over two mappings (one uffd, two registered ranges): page numbers run across the
// boundary (range 1's pages follow range 0's), range operations are split there, and a fetcher serves
// both ranges from one image (the RAM files laid end to end).
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <vector>

#include "emu/fetch/fetcher.hpp"
#include "emu/fetch/uffd_region.hpp"
#include "tests/emu/fetch/fetch_test_support.hpp"

namespace jettison::emu {
namespace {

using testing::page_content;
using testing::page_size;
using testing::spatial;
using testing::TempImage;
using testing::touch_read;
using testing::touch_write;

constexpr std::uint64_t kPagesA = 8;
constexpr std::uint64_t kPagesB = 12;

// Two shared RAM files mapped separately (the second 2 pages into its file), like two RAM blocks.
struct TwoMappings {
  TwoMappings() {
    const std::uint64_t ps = page_size();
    fd_a = UniqueFd(::memfd_create("ram-a", MFD_CLOEXEC));
    fd_b = UniqueFd(::memfd_create("ram-b", MFD_CLOEXEC));
    if (!fd_a || !fd_b || ::ftruncate(fd_a.get(), static_cast<off_t>(kPagesA * ps)) != 0 ||
        ::ftruncate(fd_b.get(), static_cast<off_t>((kPagesB + 2) * ps)) != 0)
      throw std::runtime_error("memfd");
    // Both inside one reservation with an unmapped page before, between and after them: an address
    // just past one mapping is never inside the other, whatever order mmap would pick.
    void* area = ::mmap(nullptr, kReserved * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) throw std::runtime_error("mmap");
    reserved = static_cast<std::byte*>(area);
    a = static_cast<std::byte*>(
        ::mmap(reserved + ps, kPagesA * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd_a.get(), 0));
    b = static_cast<std::byte*>(::mmap(reserved + (kPagesA + 2) * ps, kPagesB * ps, PROT_READ | PROT_WRITE,
                                       MAP_SHARED | MAP_FIXED, fd_b.get(), static_cast<off_t>(2 * ps)));
    if (a == MAP_FAILED || b == MAP_FAILED) throw std::runtime_error("mmap");
  }
  ~TwoMappings() { ::munmap(reserved, kReserved * page_size()); }
  static constexpr std::uint64_t kReserved = kPagesA + kPagesB + 3;
  std::byte* reserved = nullptr;
  UffdRegion register_both(bool write_protect) const {
    const std::vector<LocalMapping> mappings{
        {a, kPagesA * page_size(), fd_a.get(), 0, "ram-a"},
        {b, kPagesB * page_size(), fd_b.get(), 2 * page_size(), "ram-b"}};
    return UffdRegion::register_mappings(mappings, write_protect);
  }
  // Global page `p` through its own mapping.
  std::byte* at(std::uint64_t p) const {
    return p < kPagesA ? a + p * page_size() : b + (p - kPagesA) * page_size();
  }
  UniqueFd fd_a, fd_b;
  std::byte* a = nullptr;
  std::byte* b = nullptr;
};

std::vector<std::byte> read_at(const std::byte* where) { return {where, where + page_size()}; }

TEST(MultiRange, PageNumbersRunAcrossTheBoundary) {
  JETTISON_REQUIRE_UFFD();
  TwoMappings m;
  UffdRegion region = m.register_both(true);
  const std::uint64_t ps = page_size();
  EXPECT_EQ(region.pages(), kPagesA + kPagesB);
  ASSERT_EQ(region.ranges().size(), 2u);
  EXPECT_EQ(region.ranges()[1].name, "ram-b");
  EXPECT_EQ(region.first_page(1), kPagesA);
  const auto base_a = reinterpret_cast<std::uint64_t>(m.a);
  const auto base_b = reinterpret_cast<std::uint64_t>(m.b);
  EXPECT_EQ(region.page_of(base_a), 0u);
  EXPECT_EQ(region.page_of(base_a + kPagesA * ps - 1), kPagesA - 1);
  EXPECT_EQ(region.page_of(base_b), kPagesA);  // range 1's first page follows range 0's last
  EXPECT_EQ(region.page_of(base_b + 3 * ps + 17), kPagesA + 3);
  EXPECT_EQ(region.page_of(base_b + kPagesB * ps), std::nullopt);
  EXPECT_EQ(region.address_of(kPagesA + 3), base_b + 3 * ps);
  EXPECT_THROW(region.copy(kPagesA + kPagesB, nullptr, false), UffdError);
}

TEST(MultiRange, ACopyRangeStraddlingTheBoundaryIsSplitAndPlacedRight) {
  JETTISON_REQUIRE_UFFD();
  TwoMappings m;
  UffdRegion region = m.register_both(false);
  // Pages 6..9: the last two of range 0 and the first two of range 1, in one call.
  std::vector<std::byte> src;
  for (std::uint64_t p = 6; p < 10; ++p) {
    const auto bytes = page_content(p);
    src.insert(src.end(), bytes.begin(), bytes.end());
  }
  const RangeOutcome out = region.copy_range(6, 4, src.data(), false);
  EXPECT_EQ(out.placed, 4u);
  EXPECT_EQ(out.outcome, PlaceOutcome::kPlaced);
  for (std::uint64_t p = 6; p < 10; ++p) {
    SCOPED_TRACE(p);
    EXPECT_EQ(read_at(m.at(p)), page_content(p));  // resident now: reading does not fault
    std::vector<std::byte> got(page_size());
    region.read_resident(p, got);  // pread on the page's own range's RAM file (range 1 at offset 2 pages)
    EXPECT_EQ(got, page_content(p));
  }
  // Again over 5..9: page 5 goes in, page 6 is there already. The kernel reports a range cut short
  // after progress as EAGAIN (kRetry); the next call, from 6, says why: EEXIST.
  std::vector<std::byte> five_to_nine = page_content(5);
  five_to_nine.insert(five_to_nine.end(), src.begin(), src.end());
  const RangeOutcome again = region.copy_range(5, 5, five_to_nine.data(), false);
  EXPECT_EQ(again.placed, 1u);
  EXPECT_NE(again.outcome, PlaceOutcome::kPlaced);
  EXPECT_EQ(read_at(m.at(5)), page_content(5));
  const RangeOutcome rest = region.copy_range(6, 4, src.data(), false);
  EXPECT_EQ(rest.placed, 0u);
  EXPECT_EQ(rest.outcome, PlaceOutcome::kExists);
  // Zero pages over 10..11 (range 1's pages 2 and 3): placed through range 1's address.
  const RangeOutcome zeros = region.zero_range(10, 2);
  EXPECT_EQ(zeros.placed, 2u);
  EXPECT_EQ(read_at(m.at(11)), std::vector<std::byte>(page_size()));
  region.wake_range(0, kPagesA + kPagesB);  // one call over both ranges; nobody waits: a no-op
}

TEST(MultiRange, AFetcherServesBothRangesFromTheConcatenatedImage) {
  JETTISON_REQUIRE_UFFD();
  TwoMappings m;
  UffdRegion region = m.register_both(true);
  TempImage image(kPagesA + kPagesB);
  ImageSource source(image.path());
  std::vector<std::uint64_t> dirtied;
  FetcherOptions options;
  options.on_dirty = [&](std::uint64_t p) { dirtied.push_back(p); };
  // Radius 1: a fault on 7 fetches 6 and 8, so one request spans the boundary.
  Fetcher fetcher(region, source, spatial(1, kPagesA + kPagesB), nullptr, options);
  fetcher.start();
  for (const std::uint64_t p : {7u, 2u, 15u, 19u}) {
    SCOPED_TRACE(p);
    EXPECT_EQ(read_at(m.at(p)), page_content(p));
  }
  // Page 8 (range 1's first) came with 7's fault: resident without a fault of its own.
  EXPECT_TRUE(fetcher.resident(8));
  EXPECT_EQ(read_at(m.at(8)), page_content(8));
  EXPECT_EQ(fetcher.faulted_pages(), (std::vector<std::uint64_t>{2, 7, 15, 19}));
  touch_write(m.b, 7, 0xFEED);  // range 1's page 7 = global page 15
  fetcher.stop();
  EXPECT_EQ(fetcher.dirty_pages(), std::vector<std::uint64_t>{15});
  EXPECT_EQ(dirtied, std::vector<std::uint64_t>{15});
  std::vector<std::byte> got(page_size());
  fetcher.read_page(15, got);
  std::uint64_t word;
  std::memcpy(&word, got.data(), sizeof word);
  EXPECT_EQ(word, 0xFEEDu);
}

TEST(MultiRange, OverlappingMappingsAreRefused) {
  JETTISON_REQUIRE_UFFD();
  TwoMappings m;
  const std::vector<LocalMapping> twice{{m.a, kPagesA * page_size(), -1, 0, "x"},
                                        {m.a + page_size(), page_size(), -1, 0, "y"}};
  try {
    (void)UffdRegion::register_mappings(twice, false);
    ADD_FAILURE() << "overlap accepted";
  } catch (const UffdError& e) {
    EXPECT_NE(std::string(e.what()).find("overlap"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace jettison::emu
