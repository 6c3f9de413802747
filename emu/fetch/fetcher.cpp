#include "emu/fetch/fetcher.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "common/input_error.hpp"
#include "policy/prefetchers.hpp"
#include "policy/sleep_schedulers.hpp"

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kMissing = 0;
constexpr std::uint8_t kInFlight = 1;
constexpr std::uint8_t kResident = 2;

constexpr std::uint8_t kPrefetch = 0;
constexpr std::uint8_t kDemandRead = 1;
constexpr std::uint8_t kDemandWrite = 2;

// EAGAIN on a placement means the address space is changing (non-cooperative events such as REMOVE
// pending); give up after this long, since nothing we can do will resolve it.
constexpr auto kRetryLimit = std::chrono::seconds(10);

// Thrown from place() (through the source's fetch()) when the memory's owner is gone.
struct OwnerGone {};

// The fetcher whose loop is inside PageSource::fetch() on this thread: a status report made there
// (the source is about to wait) places the pending run first. Thread-local, so reports from other
// threads never touch the loop's state.
thread_local const Fetcher* t_fetching = nullptr;

struct FetchingScope {
  explicit FetchingScope(const Fetcher* f) : previous(std::exchange(t_fetching, f)) {}
  ~FetchingScope() { t_fetching = previous; }
  FetchingScope(const FetchingScope&) = delete;
  FetchingScope& operator=(const FetchingScope&) = delete;
  const Fetcher* previous;
};

}  // namespace

std::unique_ptr<policy::Prefetcher> make_prefetcher(std::string_view name,
                                                    const policy::PrefetchParams& params,
                                                    const policy::VmShape& vm) {
  const auto* entry = policy::prefetchers().find(name);
  if (entry == nullptr)
    throw InputError("policy.prefetch", fmt::format("unknown prefetcher '{}'; choose one of: {}", name,
                                                    policy::prefetchers().names()));
  return entry->make(params, vm);
}

std::unique_ptr<policy::SleepScheduler> make_sleep_scheduler(std::string_view name,
                                                             const policy::SleepParams& params,
                                                             const policy::SleepCosts& costs) {
  const auto* entry = policy::sleep_schedulers().find(name);
  if (entry == nullptr)
    throw InputError("policy.sleep.rule", fmt::format("unknown sleep rule '{}'; choose one of: {}", name,
                                                      policy::sleep_schedulers().names()));
  auto scheduler = entry->make(params, costs);
  if (scheduler->offline())
    throw InputError("policy.sleep.rule",
                     fmt::format("'{}' needs the idle period's future and cannot run live", name));
  return scheduler;
}

std::chrono::nanoseconds percentile(std::vector<std::chrono::nanoseconds> samples, double q) {
  if (samples.empty()) return std::chrono::nanoseconds(0);
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the smallest sample with at least q of all samples at or below it.
  auto rank = static_cast<std::size_t>(q * static_cast<double>(samples.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, samples.size());
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank - 1), samples.end());
  return samples[rank - 1];
}

Fetcher::Fetcher(UffdRegion& region, PageSource& source, std::unique_ptr<policy::Prefetcher> prefetcher,
                 std::unique_ptr<policy::SleepScheduler> sleep, FetcherOptions options)
    : region_(region),
      source_(source),
      prefetcher_(std::move(prefetcher)),
      sleep_(std::move(sleep)),
      options_(std::move(options)),
      pages_(region.pages()) {
  if (source_.page_size() != region_.page_size())
    throw UffdError(fmt::format("the page source serves {}-byte pages, the region has {}-byte pages",
                                source_.page_size(), region_.page_size()));
  if (source_.pages() < pages_)
    throw UffdError(
        fmt::format("the page source has {} pages, fewer than the region's {}", source_.pages(), pages_));
  if (!prefetcher_) prefetcher_ = make_prefetcher("none", {}, {pages_, Bytes::of(region_.page_size())});
  if (options_.read_batch == 0) options_.read_batch = 1;
  options_.max_run_pages = std::clamp<std::size_t>(options_.max_run_pages, 1, 4096);
  if (!(options_.clock_speed > 0) || !std::isfinite(options_.clock_speed))
    throw std::invalid_argument(
        fmt::format("fetcher: clock speed must be > 0, got {}", options_.clock_speed));
  staging_.resize(options_.max_run_pages * region_.page_size());
  page_state_ = std::make_unique<std::atomic<std::uint8_t>[]>(pages_);
  dirty_ = std::make_unique<std::atomic<std::uint8_t>[]>(pages_);
  faulted_ = std::make_unique<std::atomic<std::uint8_t>[]>(pages_);
  demand_write_.assign(pages_, kPrefetch);
  fault_time_.resize(pages_);
  zeros_.assign(region_.page_size(), std::byte{0});
  stop_fd_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop_fd_) throw UffdError(fmt::format("eventfd: {}", std::strerror(errno)));
  epoch_ = Clock::now().time_since_epoch().count();
  // The source logs its own status lines; the fetcher only passes them on.
  source_.on_status([this](std::string_view s) { report(s, false); });
}

Fetcher::~Fetcher() {
  stop();
  source_.on_status({});
}

void Fetcher::preload_dirty(std::span<const std::uint64_t> pages) {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kIdle) throw std::logic_error("Fetcher::preload_dirty: after start()");
  }
  std::uint64_t added = 0;
  for (const std::uint64_t p : pages) {
    if (p >= pages_)
      throw UffdError(fmt::format("preload_dirty: page {} beyond the region ({} pages)", p, pages_));
    page_state_[p] = kResident;
    if (dirty_[p].exchange(1) == 0) ++added;
  }
  std::lock_guard lock(mu_);
  stats_.dirty_pages += added;
}

void Fetcher::start() {
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kIdle) throw std::logic_error("Fetcher::start: already started");
    state_ = State::kRunning;
    epoch_ = Clock::now().time_since_epoch().count();
    if (sleep_) sleep_->on_period_start(Time::micros(0), nullptr);
  }
  thread_ = std::thread([this] { run(); });
}

void Fetcher::stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  if (stop_fd_ && ::write(stop_fd_.get(), &one, sizeof one) < 0)
    spdlog::debug("fetcher: eventfd write: {}", std::strerror(errno));
  source_.cancel();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (state_ == State::kRunning || state_ == State::kIdle) state_ = State::kStopped;
  ended_.notify_all();
}

bool Fetcher::wait_stopped(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return ended_.wait_for(lock, timeout, [&] { return state_ != State::kRunning; });
}

Fetcher::State Fetcher::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::string Fetcher::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

std::string Fetcher::last_status() const {
  std::lock_guard lock(mu_);
  return last_status_;
}

FetchStats Fetcher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::vector<std::chrono::nanoseconds> Fetcher::latency_samples() const {
  std::lock_guard lock(mu_);
  return latencies_;
}

std::vector<std::uint64_t> Fetcher::dirty_pages() const {
  std::vector<std::uint64_t> out;
  const bool tracking = dirty_tracking();
  for (std::uint64_t p = 0; p < pages_; ++p) {
    if (tracking ? dirty_[p].load() != 0 : page_state_[p].load() == kResident) out.push_back(p);
  }
  return out;
}

std::vector<std::uint64_t> Fetcher::faulted_pages() const {
  std::vector<std::uint64_t> out;
  for (std::uint64_t p = 0; p < pages_; ++p)
    if (faulted_[p].load() != 0) out.push_back(p);
  return out;
}

bool Fetcher::resident(std::uint64_t page) const {
  return page < pages_ && page_state_[page].load() == kResident;
}

void Fetcher::read_page(std::uint64_t page, std::span<std::byte> out) const {
  if (!resident(page))
    throw UffdError(
        fmt::format("page {} is not resident: reading it would fill it behind the VM's back", page));
  region_.read_resident(page, out);
}

Time Fetcher::clock_at(Clock::time_point t) const {
  const Clock::duration since(t.time_since_epoch().count() - epoch_.load());
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(since).count();
  if (options_.clock_speed == 1.0) return Time::micros(us);
  return Time::micros(
      static_cast<std::int64_t>(std::llround(static_cast<double>(us) * options_.clock_speed)));
}

Time Fetcher::now() const { return clock_at(Clock::now()); }

Time Fetcher::sleep_at() const {
  std::lock_guard lock(mu_);
  return sleep_ ? sleep_->sleep_at() : Time::never();
}

void Fetcher::desktop_woke(Time t) {
  std::lock_guard lock(mu_);
  if (sleep_) sleep_->on_wake(t);
}

void Fetcher::desktop_slept(Time t) {
  std::lock_guard lock(mu_);
  if (sleep_) sleep_->on_sleep(t);
}

void Fetcher::end_period() {
  stop();
  std::vector<std::uint64_t> touched;
  for (std::uint64_t p = 0; p < pages_; ++p)
    if (faulted_[p].load() != 0 || dirty_[p].load() != 0) touched.push_back(p);
  prefetcher_->on_period_end(touched);
  const Time t = now();
  std::lock_guard lock(mu_);
  if (sleep_) sleep_->on_period_end(t);
}

void Fetcher::report(std::string_view status, bool log) {
  if (t_fetching == this) {
    // The source is about to wait (reconnect, wake the desktop): what arrived goes in now. A failure
    // here is raised in the loop, at the next placement or when the fetch returns.
    try {
      flush_run();
    } catch (...) {
      if (!deferred_error_) deferred_error_ = std::current_exception();
    }
  }
  {
    std::lock_guard lock(mu_);
    last_status_ = std::string(status);
  }
  if (log) spdlog::info("fetcher: {}", status);
  if (options_.on_status) options_.on_status(status);
}

void Fetcher::finish(State state, std::string message) {
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kRunning) {
      state_ = state;
      error_ = state == State::kFailed ? message : std::string();
    }
    ended_.notify_all();
  }
  if (state == State::kFailed) spdlog::error("fetcher stopped: {}", message);
  if (!message.empty()) report(message);
}

void Fetcher::run() {
  try {
    // Threads blocked on fault messages an earlier fetcher of this uffd read and never answered fault
    // again; for a fresh region this wakes nobody.
    region_.wake_range(0, pages_);
    std::vector<policy::PageId> initial;
    prefetcher_->on_migration(now(), initial);
    std::vector<std::uint64_t> wanted;
    for (const policy::PageId p : initial) {
      if (p < pages_ && page_state_[p].load() == kMissing) {
        page_state_[p] = kInFlight;
        wanted.push_back(p);
      }
    }
    std::sort(wanted.begin(), wanted.end());
    fetch_pages(wanted, Clock::now());

    // When the memory lives in another process, its exit ends the loop at once (rather than at the
    // next placement, which would fail with ESRCH).
    UniqueFd owner_fd;
    if (region_.owner() != ::getpid()) {
      owner_fd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, region_.owner(), 0)));
      if (!owner_fd && errno == ESRCH) throw OwnerGone{};
      if (!owner_fd) spdlog::debug("fetcher: pidfd_open({}): {}", region_.owner(), std::strerror(errno));
    }
    std::vector<uffd_msg> batch;
    while (!stopping_) {
      if (backlog_.empty()) {
        pollfd fds[3] = {{region_.fd(), POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}, {owner_fd.get(), POLLIN, 0}};
        if (::poll(fds, owner_fd ? 3 : 2, -1) < 0) {
          if (errno == EINTR) continue;
          throw UffdError(fmt::format("poll on the userfaultfd: {}", std::strerror(errno)));
        }
        if (fds[1].revents != 0) break;
        if (owner_fd && fds[2].revents != 0 && (fds[0].revents & POLLIN) == 0) throw OwnerGone{};
        if ((fds[0].revents & (POLLERR | POLLNVAL)) != 0)
          throw UffdError("poll reports an error on the userfaultfd (not initialised, or closed)");
      }
      batch.swap(backlog_);
      backlog_.clear();
      read_messages(batch);
      if (!batch.empty()) serve_batch(batch);
      batch.clear();
    }
    finish(State::kStopped, "");
  } catch (const OwnerGone&) {
    finish(State::kOwnerGone, "the process owning the memory is gone: fetcher stopped");
  } catch (const SourceFailed& e) {
    if (stopping_)
      finish(State::kStopped, "");
    else
      finish(State::kFailed, fmt::format("page source failed: {}", e.what()));
  } catch (const std::exception& e) {
    finish(State::kFailed, e.what());
  }
}

void Fetcher::read_messages(std::vector<uffd_msg>& out) {
  const std::size_t old = out.size();
  out.resize(old + options_.read_batch);
  ssize_t n;
  do n = ::read(region_.fd(), out.data() + old, options_.read_batch * sizeof(uffd_msg));
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    const int e = errno;
    out.resize(old);
    if (e == EAGAIN) return;
    throw UffdError(fmt::format("read from the userfaultfd: {}", std::strerror(e)));
  }
  out.resize(old + static_cast<std::size_t>(n) / sizeof(uffd_msg));
}

void Fetcher::serve_batch(const std::vector<uffd_msg>& msgs) {
  const auto arrival = Clock::now();
  std::vector<std::uint64_t> demand;
  std::uint64_t faults = 0, duplicates = 0;
  for (const uffd_msg& m : msgs) {
    if (m.event != UFFD_EVENT_PAGEFAULT) {
      spdlog::debug("fetcher: ignoring userfaultfd event {}", static_cast<int>(m.event));
      continue;
    }
    const auto page = region_.page_of(m.arg.pagefault.address);
    if (!page) {
      spdlog::warn("fetcher: fault at {:#x} outside the region", m.arg.pagefault.address);
      continue;
    }
    const std::uint64_t p = *page;
    if ((m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) != 0) {
      handle_wp_fault(p);
      continue;
    }
    const bool write = (m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE) != 0;
    ++faults;
    const std::uint8_t state = page_state_[p].load();
    if (state == kResident) {  // placed after this fault was raised: make sure its thread runs
      ++duplicates;
      region_.wake(p);
      continue;
    }
    if (state == kInFlight) {  // a second fault on a page of this batch
      ++duplicates;
      if (write) demand_write_[p] = kDemandWrite;
      continue;
    }
    page_state_[p] = kInFlight;
    demand_write_[p] = write ? kDemandWrite : kDemandRead;
    fault_time_[p] = arrival;
    faulted_[p] = 1;
    demand.push_back(p);
    if (options_.on_access) options_.on_access(p, write, now());
  }
  {
    std::lock_guard lock(mu_);
    stats_.faults += faults;
    stats_.duplicate_faults += duplicates;
  }
  if (demand.empty()) return;

  // The faulting pages first, in the order they faulted, so that they come (and are placed) before
  // their prefetched neighbours; then the prefetched pages in ascending order, which makes runs.
  std::vector<std::uint64_t> wanted = demand;
  std::vector<policy::PageId> suggested;
  const Time t = now();
  for (const std::uint64_t p : demand) {
    suggested.clear();
    prefetcher_->on_fault(t, p, suggested);
    for (const policy::PageId q : suggested) {
      if (q < pages_ && page_state_[q].load() == kMissing) {
        page_state_[q] = kInFlight;
        demand_write_[q] = kPrefetch;
        wanted.push_back(q);
      }
    }
  }
  std::sort(wanted.begin() + static_cast<std::ptrdiff_t>(demand.size()), wanted.end());
  fetch_pages(wanted, arrival);
}

void Fetcher::fetch_pages(std::vector<std::uint64_t>& pages, Clock::time_point arrival) {
  if (pages.empty()) return;
  {
    std::lock_guard lock(mu_);
    ++stats_.requests;
  }
  const Time arrived = clock_at(arrival);
  {
    FetchingScope scope(this);
    try {
      source_.fetch(pages, [this](std::uint64_t page, const std::byte* data) { place(page, data); });
    } catch (...) {
      // Pages that arrived are correct: place them even though the rest will not come.
      try {
        flush_run();
      } catch (...) {
        spdlog::debug("fetcher: placing the last run after a failed fetch failed too");
      }
      throw;
    }
  }
  if (deferred_error_) std::rethrow_exception(std::exchange(deferred_error_, nullptr));
  flush_run();
  for (const std::uint64_t p : pages) {
    if (page_state_[p].load() != kResident)
      throw SourceFailed(fmt::format("the page source returned without delivering page {}", p));
  }
  std::lock_guard lock(mu_);
  if (sleep_) sleep_->on_request(arrived, max(arrived, now()));
}

template <class Op>
PlaceOutcome Fetcher::with_retries(std::uint64_t page, Op op) {
  const auto first = Clock::now();
  auto backoff = std::chrono::microseconds(50);
  for (;;) {
    const PlaceOutcome outcome = op();
    if (outcome == PlaceOutcome::kGone) throw OwnerGone{};
    if (outcome != PlaceOutcome::kRetry) return outcome;
    {
      std::lock_guard lock(mu_);
      ++stats_.retries;
    }
    // Reading the pending events lets the kernel finish the address-space change behind EAGAIN; the
    // faults read meanwhile are served after this batch.
    drain_messages();
    if (Clock::now() - first > kRetryLimit)
      throw UffdError(fmt::format("page {}: the kernel kept answering EAGAIN for {} s", page,
                                  std::chrono::duration_cast<std::chrono::seconds>(kRetryLimit).count()));
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::microseconds(1000));
  }
}

void Fetcher::drain_messages() {
  for (;;) {
    const std::size_t before = backlog_.size();
    read_messages(backlog_);
    if (backlog_.size() - before < options_.read_batch) return;
  }
}

void Fetcher::place(std::uint64_t page, const std::byte* data) {
  if (deferred_error_) std::rethrow_exception(std::exchange(deferred_error_, nullptr));
  if (page >= pages_ || page_state_[page].load() != kInFlight ||
      (run_count_ > 0 && page >= run_first_ && page < run_first_ + run_count_))
    throw SourceFailed(
        fmt::format("the page source delivered page {}, which was not asked for (or twice)", page));
  const std::uint8_t kind = demand_write_[page];
  if (kind == kPrefetch)
    stage(page, data);
  else
    place_demand(page, data, kind);
}

void Fetcher::place_demand(std::uint64_t page, const std::byte* data, std::uint8_t kind) {
  // A page whose first access is a write goes in writable and dirty; every other page goes in
  // write-protected under dirty tracking, so that its first write is seen.
  const bool protect = region_.write_protect() && kind != kDemandWrite;
  if (kind == kDemandWrite) mark_dirty(page);  // before it goes in writable
  const PlaceOutcome outcome = with_retries(page, [&] {
    if (data != nullptr) return region_.copy(page, data, protect);
    if (protect) return region_.copy(page, zeros_.data(), true);
    return region_.zero(page);
  });
  page_state_[page] = kResident;
  const auto placed = Clock::now();
  const bool exists = outcome == PlaceOutcome::kExists;
  if (exists) spdlog::debug("fetcher: page {} was already mapped (EEXIST)", page);
  // EEXIST under dirty tracking: someone else's page, not write-protected, content unknown: dirty.
  if (exists && region_.write_protect()) mark_dirty(page);
  std::lock_guard lock(mu_);
  ++stats_.demand_pages;
  ++stats_.latency_samples;
  if (latencies_.size() < options_.max_latency_samples)
    latencies_.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(placed - fault_time_[page]));
  if (data == nullptr)
    ++stats_.zero_pages;
  else
    stats_.bytes += region_.page_size();
  if (exists)
    ++stats_.already_mapped;
  else
    ++stats_.placements;
}

void Fetcher::stage(std::uint64_t page, const std::byte* data) {
  // Without dirty tracking zero pages go as UFFDIO_ZEROPAGE runs; with it, every prefetched page is a
  // write-protected copy (ZEROPAGE has no WP mode), zeros included, so they share the copy runs.
  const bool zero_run = data == nullptr && !region_.write_protect();
  if (run_count_ > 0 &&
      (zero_run != run_is_zero_ || page != run_first_ + run_count_ || run_count_ == options_.max_run_pages))
    flush_run();
  if (run_count_ == 0) {
    run_first_ = page;
    run_is_zero_ = zero_run;
    run_zero_pages_ = 0;
  }
  const std::uint64_t ps = region_.page_size();
  if (!zero_run) {
    std::byte* slot = staging_.data() + run_count_ * ps;
    if (data != nullptr)
      std::memcpy(slot, data, ps);
    else
      std::memset(slot, 0, ps);
  }
  if (data == nullptr) ++run_zero_pages_;
  ++run_count_;
}

void Fetcher::flush_run() {
  if (run_count_ == 0) return;
  const std::uint64_t first = run_first_, count = run_count_, zeros = run_zero_pages_;
  const bool zero_run = run_is_zero_;
  run_count_ = 0;
  const bool protect = region_.write_protect();
  const std::uint64_t ps = region_.page_size();
  const std::uint64_t end = first + count;
  std::uint64_t next = first;  // the first page not placed yet
  std::uint64_t ioctls = 0;
  const PlaceOutcome outcome = with_retries(first, [&] {
    for (;;) {
      const RangeOutcome r =
          zero_run ? region_.zero_range(next, end - next)
                   : region_.copy_range(next, end - next, staging_.data() + (next - first) * ps, protect);
      next += r.placed;
      if (r.placed > 0) ++ioctls;
      if (next == end) return PlaceOutcome::kPlaced;
      if (r.placed == 0) return r.outcome;  // cut short with progress: go on with the rest
    }
  });
  // A page in the middle of the run was mapped already: finish the rest page by page.
  std::uint64_t exists = 0;
  if (outcome == PlaceOutcome::kExists) {
    for (std::uint64_t p = next; p < end; ++p) {
      const std::byte* src = staging_.data() + (p - first) * ps;
      const PlaceOutcome one =
          with_retries(p, [&] { return zero_run ? region_.zero(p) : region_.copy(p, src, protect); });
      if (one == PlaceOutcome::kExists) {
        ++exists;
        spdlog::debug("fetcher: page {} was already mapped (EEXIST)", p);
        // Someone else's page, not write-protected, content unknown: dirty.
        if (protect) mark_dirty(p);
      } else {
        ++ioctls;
      }
    }
  }
  for (std::uint64_t p = first; p < end; ++p) page_state_[p] = kResident;
  std::lock_guard lock(mu_);
  stats_.prefetched_pages += count;
  stats_.zero_pages += zeros;
  stats_.bytes += (count - zeros) * ps;
  stats_.already_mapped += exists;
  stats_.placements += ioctls;
}

void Fetcher::handle_wp_fault(std::uint64_t page) {
  {
    std::lock_guard lock(mu_);
    ++stats_.wp_faults;
  }
  // A write-protect fault proves the page is mapped: placed by an earlier fetcher of this uffd when
  // this one does not know it (re-adoption).
  if (page_state_[page].load() == kMissing) page_state_[page] = kResident;
  if (options_.on_access && dirty_[page].load() == 0) options_.on_access(page, true, now());
  mark_dirty(page);  // before the unprotect lets the write land
  with_retries(page, [&] { return region_.set_write_protect(page, false); });
}

void Fetcher::mark_dirty(std::uint64_t page) {
  if (dirty_[page].load() != 0) return;
  if (options_.on_dirty) options_.on_dirty(page);
  dirty_[page] = 1;  // only this thread (or preload_dirty() before start) writes it
  std::lock_guard lock(mu_);
  ++stats_.dirty_pages;
}

}  // namespace jettison::emu
