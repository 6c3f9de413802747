// The replay workload: plays a page-access trace (traces/io/page_profile.hpp) on a memory region
// served by a Fetcher, as real loads and stores at the trace's times, for one idle period.
//
// Two steps, so the timing logic is testable without a clock:
//   make_schedule()  turns the profile into the list of accesses of one idle period of length
//                    `period` (trace time), repeating the profile every `cycle` as the simulator
//                    does (traces/FORMAT.md, "Replay inside an idle period"), each with its wall-clock
//                    due time (trace offset / speed).
//   replay()         sleeps (steady clock, absolute deadlines) until each access is due, then loads
//                    one byte of the page (a read) or stores one byte (a write: the fault carries
//                    the WRITE flag, so dirty tracking sees it).
// A write stores write_mark(i) (i: the access's index in the schedule) at byte kWriteOffset of the
// page, so a page's expected content is the image's with that byte replaced by the last mark;
// verify_pages() checks exactly that, reading the image file directly (never the region before
// its pages are resident: it runs after replay(), on pages the replay touched).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/time.hpp"
#include "traces/io/page_profile.hpp"

namespace jettison::emu {

struct ScheduleOptions {
  Duration period = Duration::seconds(600);  // idle period length, in trace time
  double speed = 1.0;                        // > 0: 60 plays 60 s of trace in 1 s
  std::optional<bool> repeat;                // replay the profile again when the period outlasts it;
                                             // default: the profile's own setting (repeat)
  std::uint64_t region_pages = 0;            // pages of the region: every trace page must be below
};

struct ScheduledAccess {
  Duration trace_offset;  // since the period's start, in trace time
  Duration due;           // since the replay's start, in wall time: trace_offset / speed
  std::uint64_t page;     // guest page frame number = page index in the region
  bool write = false;
};

// Checks speed and period (InputError naming `origin`, e.g. "--speed") and every page against the
// region (InputError naming the trace row, "pages.csv:12"). Accesses at offsets >= period are dropped.
std::vector<ScheduledAccess> make_schedule(const traces::PageProfile& profile,
                                           const ScheduleOptions& options);

inline constexpr std::size_t kWriteOffset = 0;
constexpr std::byte write_mark(std::size_t access_index) {
  return static_cast<std::byte>(0xA5u ^ (access_index & 0xFFu));
}

struct ReplayResult {
  std::uint64_t accesses = 0, reads = 0, writes = 0;
  std::vector<std::uint64_t> touched;  // sorted, unique
  std::vector<std::uint64_t> written;  // sorted, unique
  Duration wall;                       // first access due -> last access done
  Duration max_lateness;               // worst (done - due) over all accesses
  std::uint64_t checksum = 0;          // sum of the bytes read (keeps the loads observable)
};

// Plays `schedule` on `region` (page_size bytes per page). `stop`, if set, is polled between
// accesses and while waiting (at least every 50 ms): returning true ends the replay early.
ReplayResult replay(std::byte* region, std::uint64_t page_size, std::span<const ScheduledAccess> schedule,
                    const std::function<bool()>& stop = {});

struct VerifyResult {
  std::uint64_t checked = 0;
  std::vector<std::uint64_t> mismatched;  // pages whose content differs from the expected
  bool ok() const { return mismatched.empty(); }
};

// Compares every page in result.touched (all resident after replay) to the image file's page, with
// the last write mark of written pages applied. Reads the image with pread; InputError if it cannot.
VerifyResult verify_pages(const std::byte* region, std::uint64_t page_size,
                          const std::filesystem::path& image, std::span<const ScheduledAccess> schedule,
                          const ReplayResult& result);

}  // namespace jettison::emu
