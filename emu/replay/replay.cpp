#include "emu/replay/replay.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "common/input_error.hpp"
#include "emu/sys/unique_fd.hpp"

namespace jettison::emu {
namespace {

using SteadyClock = std::chrono::steady_clock;

Duration scaled(Duration trace, double speed) {
  return Duration::micros(static_cast<std::int64_t>(std::llround(static_cast<double>(trace.us()) / speed)));
}

std::vector<std::uint64_t> sorted_unique(std::vector<std::uint64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::vector<ScheduledAccess> make_schedule(const traces::PageProfile& profile,
                                           const ScheduleOptions& options) {
  if (!(options.speed > 0) || !std::isfinite(options.speed))
    throw InputError("--speed", fmt::format("must be a positive number, got {}", options.speed));
  if (options.period <= Duration{}) throw InputError("--period", "must be longer than zero");
  for (std::uint32_t slot = 0; slot < profile.unique_pages(); ++slot) {
    if (profile.gfns[slot] >= options.region_pages)
      throw InputError(profile.origin(slot), fmt::format("page {} is beyond the image ({} pages)",
                                                         profile.gfns[slot], options.region_pages));
  }
  const bool repeat = options.repeat.value_or(profile.repeat);
  const Duration cycle = profile.cycle;
  std::vector<ScheduledAccess> out;
  if (profile.accesses.empty()) return out;
  for (Duration shift{}; shift < options.period; shift += cycle) {
    for (const traces::PageAccess& a : profile.accesses) {
      const Duration at = shift + Duration::micros(a.offset_us);
      if (at >= options.period) break;  // accesses are sorted by offset
      out.push_back({at, scaled(at, options.speed), profile.gfns[a.slot], a.write});
    }
    if (!repeat || cycle <= Duration{}) break;
  }
  return out;
}

ReplayResult replay(std::byte* region, std::uint64_t page_size, std::span<const ScheduledAccess> schedule,
                    const std::function<bool()>& stop) {
  ReplayResult r;
  std::vector<std::uint64_t> touched, written;
  touched.reserve(schedule.size());
  const auto start = SteadyClock::now();
  constexpr auto kPollEvery = std::chrono::milliseconds(50);
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    const ScheduledAccess& a = schedule[i];
    const auto due = start + std::chrono::microseconds(a.due.us());
    // Sleep until due in slices, so `stop` is honoured during long gaps.
    for (auto now = SteadyClock::now(); now < due; now = SteadyClock::now()) {
      if (stop && stop()) break;
      std::this_thread::sleep_until(std::min(due, now + kPollEvery));
    }
    if (stop && stop()) break;
    auto* byte = reinterpret_cast<volatile std::byte*>(region + a.page * page_size + kWriteOffset);
    if (a.write) {
      *byte = write_mark(i);
      ++r.writes;
      written.push_back(a.page);
    } else {
      r.checksum += static_cast<std::uint64_t>(*byte);
      ++r.reads;
    }
    touched.push_back(a.page);
    ++r.accesses;
    const Duration late = Duration::micros(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - due).count());
    r.max_lateness = max(r.max_lateness, late);
  }
  r.wall = Duration::micros(
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start).count());
  r.touched = sorted_unique(std::move(touched));
  r.written = sorted_unique(std::move(written));
  return r;
}

VerifyResult verify_pages(const std::byte* region, std::uint64_t page_size,
                          const std::filesystem::path& image, std::span<const ScheduledAccess> schedule,
                          const ReplayResult& result) {
  UniqueFd fd(::open(image.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw InputError(image.string(), fmt::format("cannot open: {}", std::strerror(errno)));
  // The last mark stored in each written page, by the schedule's index of the access (only the first
  // result.accesses accesses ran).
  std::vector<std::pair<std::uint64_t, std::byte>> marks;
  for (std::size_t i = 0; i < result.accesses && i < schedule.size(); ++i)
    if (schedule[i].write) marks.emplace_back(schedule[i].page, write_mark(i));
  std::stable_sort(marks.begin(), marks.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  VerifyResult v;
  std::vector<std::byte> expected(page_size);
  for (std::uint64_t page : result.touched) {
    const auto offset = static_cast<off_t>(page * page_size);
    const ssize_t n = ::pread(fd.get(), expected.data(), page_size, offset);
    if (n != static_cast<ssize_t>(page_size))
      throw InputError(image.string(), fmt::format("cannot read page {}: {}", page,
                                                   n < 0 ? std::strerror(errno) : "file too short"));
    // The last mark of this page, if it was written: the upper bound's predecessor.
    auto it = std::upper_bound(marks.begin(), marks.end(), page,
                               [](std::uint64_t p, const auto& m) { return p < m.first; });
    if (it != marks.begin() && std::prev(it)->first == page) expected[kWriteOffset] = std::prev(it)->second;
    if (std::memcmp(expected.data(), region + page * page_size, page_size) != 0) v.mismatched.push_back(page);
    ++v.checked;
  }
  return v;
}

}  // namespace jettison::emu
