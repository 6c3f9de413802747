#include "emu/server/host_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "emu/server/dirty_log.hpp"

namespace jettison::emu {
namespace {

using Clock = std::chrono::steady_clock;

Duration since(Clock::time_point t) {
  return Duration::micros(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count());
}

// Reads `pages` back from the desktop and compares them with what was written; VmError naming the
// first differing pages otherwise. Returns how many were checked.
std::uint64_t verify_written_back(PageSource& source, std::span<const DirtyPage> pages) {
  std::vector<std::uint64_t> numbers;
  numbers.reserve(pages.size());
  std::unordered_map<std::uint64_t, std::size_t> index;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    numbers.push_back(pages[i].page);
    index[pages[i].page] = i;
  }
  std::vector<std::uint64_t> differ;
  source.rearm();  // the fetcher cancelled the source as it stopped
  source.fetch(numbers, [&](std::uint64_t page, const std::byte* data) {
    const std::span<const std::byte> want = pages[index.at(page)].data;
    const bool same =
        data == nullptr ? std::all_of(want.begin(), want.end(), [](std::byte b) { return b == std::byte{0}; })
                        : std::memcmp(data, want.data(), want.size()) == 0;
    if (!same) differ.push_back(page);
  });
  if (!differ.empty())
    throw VmError(fmt::format("{} of {} written-back pages differ in the desktop's RAM file (first: page {})",
                              differ.size(), pages.size(), differ.front()));
  return pages.size();
}

// How often the desktop's status is asked while serving: the user's return is noticed this late at
// worst (a sleeping desktop is merely probed, never woken).
constexpr std::chrono::milliseconds kReturnPoll{500};

}  // namespace

SessionSource remote_session_source(RemoteSource& source, RemoteDesktop& desktop) {
  SessionSource s;
  s.pages = &source;
  s.power = &desktop;
  s.write_back = [&source](std::span<const DirtyPage> pages) { return source.write_back(pages); };
  s.wakeups = [&source] { return source.stats().wakeups; };
  s.wire_bytes = [&source] {
    const RemoteSourceStats st = source.stats();
    return (st.bytes_sent + st.bytes_received).count();
  };
  return s;
}

HostSession::HostSession(HostSessionConfig config, SessionSource source, DesktopLink* link,
                         HostedVmFactory factory)
    : config_(std::move(config)),
      source_(std::move(source)),
      link_(link),
      factory_(std::move(factory)),
      phases_(fmt::format("session {}", config_.desktop), SessionPhase::kWaitingForVm,
              &session_transition_allowed) {}

HostSession::~HostSession() = default;

std::string HostSession::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

HostStatus HostSession::status() const {
  HostStatus h;
  h.desktop = config_.desktop;
  h.phase = phases_.phase();
  std::lock_guard lock(mu_);
  h.periods_hosted = periods_hosted_;
  h.last_wake_unix_ms = last_wake_unix_ms_;
  h.last_period = last_period_;
  h.error = error_;
  if (live_epoch_) {
    HostedVmStatus v;
    v.epoch = *live_epoch_;
    if (live_fetcher_ != nullptr) {
      v.fetch = live_fetcher_->stats();
      if (!live_written_back_) v.dirty_pending = live_fetcher_->dirty_pages().size();
    }
    if (live_controller_ != nullptr) v.sleeps = live_controller_->summary().sleeps;
    if (source_.power != nullptr) v.desktop_asleep = source_.power->asleep();
    if (source_.wakeups) v.wakeups = source_.wakeups() - live_wakeups_before_;
    h.vm = v;
  }
  return h;
}

void HostSession::request_stop(std::string why) {
  {
    std::lock_guard lock(mu_);
    if (stop_why_.empty()) stop_why_ = std::move(why);
  }
  stop_ = true;
}

std::string HostSession::stop_reason() {
  if (!stop_ && config_.stop_requested) {
    if (std::string why = config_.stop_requested(); !why.empty()) request_stop(std::move(why));
  }
  if (!stop_) return {};
  std::lock_guard lock(mu_);
  return stop_why_;
}

void HostSession::fail(std::string why) {
  {
    std::lock_guard lock(mu_);
    error_ = why;
  }
  spdlog::error("session {}: {}", config_.desktop, why);
  if (!is_final(phases_.phase())) phases_.to(SessionPhase::kFailed, why);
}

std::vector<HostedPeriod> HostSession::run() {
  std::vector<HostedPeriod> periods;
  for (std::uint64_t n = 0; config_.periods == 0 || n < config_.periods; ++n) {
    std::optional<IncomingVm> incoming;
    try {
      incoming = wait_for_vm(n);
    } catch (const std::exception& e) {
      fail(fmt::format("waiting for the VM: {}", e.what()));
      return periods;
    }
    if (!incoming) {
      phases_.to(SessionPhase::kDone, stop_reason());
      return periods;
    }
    periods.emplace_back();
    if (!host(std::move(*incoming), periods.back())) return periods;
    const bool last = (config_.periods != 0 && n + 1 >= config_.periods) || !stop_reason().empty();
    if (last) {
      phases_.to(SessionPhase::kDone,
                 stop_reason().empty() ? fmt::format("{} period(s) hosted", n + 1) : stop_reason());
      return periods;
    }
    phases_.to(SessionPhase::kWaitingForVm, "the VM is back on the desktop");
  }
  return periods;
}

std::optional<IncomingVm> HostSession::wait_for_vm(std::uint64_t period) {
  IncomingVm in;
  in.pages = source_.pages->pages();
  in.page_size = source_.pages->page_size();
  if (period == 0 && config_.adopt_epoch) {
    in.epoch = *config_.adopt_epoch;
    in.adopted = true;
    return in;
  }
  if (link_ == nullptr) {
    if (!stop_reason().empty()) return std::nullopt;
    in.epoch = period + 1;
    return in;
  }
  spdlog::info("session {}: waiting for the desktop's VM to migrate out (after epoch {})", config_.desktop,
               last_epoch_);
  int state_failures = 0;  // the state could not be fetched: tried again on the next polls, 3 times
  while (stop_reason().empty()) {
    const std::optional<DesktopVmStatus> s = link_->status();
    if (s && s->remote && s->epoch > last_epoch_) {
      in.epoch = s->epoch;
      in.guest_ram_bytes = s->guest_ram_bytes;
      try {
        in.device_state = link_->device_state(s->epoch);
        return in;
      } catch (const std::exception& e) {
        if (++state_failures >= 3) throw;
        spdlog::warn("session {}: fetching the device state of epoch {}: {}; trying again", config_.desktop,
                     s->epoch, e.what());
      }
    }
    std::this_thread::sleep_for(config_.poll);
  }
  return std::nullopt;
}

bool HostSession::host(IncomingVm incoming, HostedPeriod& out) {
  PageSource& pages_from = *source_.pages;
  const std::uint64_t page_size = pages_from.page_size();
  out.epoch = incoming.epoch;
  out.state_in = Bytes::of(incoming.device_state.size());
  phases_.to(
      SessionPhase::kMigratingIn,
      incoming.adopted
          ? fmt::format("epoch {}: taking over the guest a dead server left running", incoming.epoch)
          : fmt::format("epoch {}: {} bytes of device state", incoming.epoch, incoming.device_state.size()));
  const auto migrate_start = Clock::now();
  // The source's counters run over the whole session: the period's share is the difference.
  const std::uint64_t wakeups_before = source_.wakeups ? source_.wakeups() : 0;
  const std::uint64_t wire_before = source_.wire_bytes ? source_.wire_bytes() : 0;

  std::unique_ptr<HostedVm> vm;
  std::unique_ptr<Fetcher> fetcher;
  std::unique_ptr<FetcherClock> clock;
  std::unique_ptr<SleepController> controller;
  std::unique_ptr<DirtyLog> dirty_log;
  // Stops the period's machinery in the only safe order: no more decisions, then the fetcher (it
  // cancels a fetch a decision may wait for), then the controller.
  auto stop_machinery = [&] {
    if (controller) controller->request_stop();
    if (fetcher) fetcher->stop();
    if (controller) controller->stop();
  };
  // status() sees this period's machinery while it exists: the guard forgets it before it goes.
  {
    std::lock_guard lock(mu_);
    live_epoch_ = incoming.epoch;
    live_wakeups_before_ = wakeups_before;
    live_written_back_ = false;
  }
  struct Forget {
    HostSession& s;
    ~Forget() {
      std::lock_guard lock(s.mu_);
      s.live_epoch_.reset();
      s.live_fetcher_ = nullptr;
      s.live_controller_ = nullptr;
    }
  } forget{*this};
  bool guest_ran = false;
  try {
    if (config_.max_guest_ram != 0 && incoming.guest_ram_bytes > config_.max_guest_ram)
      throw VmError(fmt::format("the guest's {} MiB of RAM exceed this server's limit of {} MiB",
                                incoming.guest_ram_bytes >> 20, config_.max_guest_ram >> 20));
    pages_from.rearm();  // the last period's fetcher cancelled the source as it stopped
    vm = factory_(incoming);
    UffdRegion& region = vm->region();
    if (region.page_size() != page_size)
      throw VmError(
          fmt::format("the VM's pages are {} bytes, the desktop's {}", region.page_size(), page_size));
    if (region.pages() > pages_from.pages())
      throw VmError(fmt::format("the VM's memory ({} pages) is larger than the desktop's image ({} pages)",
                                region.pages(), pages_from.pages()));
    std::unique_ptr<policy::SleepScheduler> scheduler;
    if (!config_.sleep_rule.empty() && source_.power == nullptr)
      throw VmError(fmt::format("sleep rule '{}' needs a desktop to put to sleep", config_.sleep_rule));
    if (!config_.sleep_rule.empty())
      scheduler = make_sleep_scheduler(config_.sleep_rule, config_.sleep_params, config_.sleep_costs);
    FetcherOptions fo = config_.fetcher;
    std::vector<std::uint64_t> known_dirty;
    if (const auto path = vm->dirty_log(); !path.empty()) {
      // Write-ahead: a page is recorded before it turns writable, so a server that dies leaves the
      // whole dirty set behind for the one that adopts the guest.
      known_dirty = DirtyLog::read(path);
      dirty_log = std::make_unique<DirtyLog>(path);
      fo.on_dirty = [log = dirty_log.get()](std::uint64_t page) { log->append(page); };
    }
    fo.on_access = [&out](std::uint64_t page, bool write, Time at) {
      out.trace.push_back(traces::PageRow{at.us(), page, write, 0});
    };
    fetcher = std::make_unique<Fetcher>(
        region, pages_from,
        make_prefetcher(config_.prefetch, config_.prefetch_params, {region.pages(), Bytes::of(page_size)}),
        std::move(scheduler), std::move(fo));
    fetcher->preload_dirty(known_dirty);
    fetcher->start();
    {
      std::lock_guard lock(mu_);
      live_fetcher_ = fetcher.get();
    }
    guest_ran = true;  // from here on, a failure may have let it run
    if (!vm->adopted()) vm->start(incoming.device_state, config_.state_timeout);
    out.migrate_in = since(migrate_start);
    phases_.to(SessionPhase::kServing,
               vm->adopted() ? fmt::format("re-adopted the running guest ({} dirty pages from the log)",
                                           known_dirty.size())
                             : fmt::format("guest running here ({} backend) after {:.3f} s", vm->backend(),
                                           out.migrate_in.seconds_f()));
  } catch (const std::exception& e) {
    stop_machinery();
    if (vm) vm->discard();
    std::string why = fmt::format("migrating in epoch {}: {}", incoming.epoch, e.what());
    if (!guest_ran && link_ != nullptr && !incoming.device_state.empty()) {
      // Nothing ran here: the desktop gets its own state back and its VM runs on, nothing lost.
      try {
        link_->return_state(incoming.epoch, incoming.device_state, config_.state_timeout);
        why += "; the VM was sent back to the desktop untouched and runs there";
      } catch (const std::exception& again) {
        why += fmt::format(
            "; sending it back failed too ({}): the desktop still holds its VM and can take "
            "it back",
            again.what());
      }
    }
    fail(why);
    return false;
  }

  if (!config_.sleep_rule.empty()) {
    clock = std::make_unique<FetcherClock>(*fetcher);
    SleepControllerOptions options = config_.controller;
    options.on_event = [this, chained = config_.controller.on_event](const SleepEvent& e) {
      if (e.kind == SleepEvent::Kind::kWake) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        std::lock_guard lock(mu_);
        last_wake_unix_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
      }
      if (chained) chained(e);
    };
    controller = std::make_unique<SleepController>(*clock, *source_.power, std::move(options));
    controller->start();
    {
      std::lock_guard lock(mu_);
      live_controller_ = controller.get();
    }
  }
  const auto serving_start = Clock::now();
  out.ended_because = serve(*vm, *fetcher);
  // No sleep decision from here on: the guest is done with this period (what it still faults in while
  // being saved, and the write-back, wake the desktop if they must).
  if (controller) controller->request_stop();
  const Duration served = since(serving_start);
  phases_.to(SessionPhase::kReintegrating, out.ended_because);
  const auto reintegrate_start = Clock::now();

  std::vector<std::byte> state;
  if (fetcher->state() == Fetcher::State::kFailed) {
    stop_machinery();
    const bool kept = vm->keep_for_adoption();
    fail(fmt::format("the fetcher failed: {}; {}; the desktop keeps its pre-migration state",
                     fetcher->error(),
                     kept ? "the guest stays frozen here for a server started with --adopt to take over"
                          : "the guest ends here"));
    return false;
  }
  try {
    // The guest is paused while the fetcher still serves: saving device state may read guest memory.
    // A backend whose guest died throws here; one whose workload merely ended returns no state.
    state = vm->stop_and_save(config_.state_timeout);
  } catch (const std::exception& e) {
    stop_machinery();
    fail(fmt::format("saving the guest's device state: {}", e.what()));
    return false;
  }
  try {
    if (config_.inspect) config_.inspect(vm->region(), *fetcher);
  } catch (const std::exception& e) {
    stop_machinery();
    fail(e.what());
    return false;
  }
  stop_machinery();
  if (controller) {
    out.sleep_events = controller->events();
    out.sleep = controller->summary();
    out.sleep_mismatch = controller->check_wakeups();
  }
  fetcher->end_period();
  out.stats = fetcher->stats();
  out.latencies = fetcher->latency_samples();
  out.dirty = fetcher->dirty_pages();
  out.state_out = Bytes::of(state.size());
  std::stable_sort(out.trace.begin(), out.trace.end(),
                   [](const traces::PageRow& a, const traces::PageRow& b) { return a.time_us < b.time_us; });

  try {
    if (config_.write_back && source_.write_back && !out.dirty.empty()) {
      std::vector<std::byte> content(out.dirty.size() * page_size);
      std::vector<DirtyPage> pages;
      pages.reserve(out.dirty.size());
      for (std::size_t i = 0; i < out.dirty.size(); ++i) {
        std::span<std::byte> page(content.data() + i * page_size, page_size);
        fetcher->read_page(out.dirty[i], page);
        pages.push_back(DirtyPage{out.dirty[i], page});
      }
      out.write_back = source_.write_back(pages);
      if (config_.verify_write_back) out.verified_pages = verify_written_back(pages_from, pages);
    }
    {
      std::lock_guard lock(mu_);
      live_written_back_ = true;
    }
    // Only now, with every dirty page in the desktop's RAM file, may its VM resume there.
    if (link_ != nullptr) link_->return_state(incoming.epoch, state, config_.state_timeout);
  } catch (const std::exception& e) {
    fail(fmt::format(
        "reintegrating epoch {} ({} dirty pages): {}; the guest ends here and the desktop can take "
        "its VM back from its state at migration (jettison-ctl take-back)",
        incoming.epoch, out.dirty.size(), e.what()));
    return false;
  }
  try {
    if (config_.reintegrated) config_.reintegrated(vm->region(), *fetcher);
  } catch (const std::exception& e) {
    fail(e.what());
    return false;
  }
  vm->discard();
  out.reintegration = since(reintegrate_start);
  last_epoch_ = incoming.epoch;
  {
    std::lock_guard lock(mu_);
    ++periods_hosted_;
    last_period_ = HostedPeriodStatus{incoming.epoch, out.stats.demand_pages, out.stats.prefetched_pages,
                                      out.write_back ? out.write_back->pages : 0, out.ended_because};
  }

  EmulatedPeriod& p = out.period;
  p.desktop = config_.desktop;
  p.period = static_cast<std::uint32_t>(incoming.epoch - 1);
  p.fetched_pages = out.stats.demand_pages;
  p.fetched = Bytes::of(out.stats.demand_pages * page_size);
  p.prefetched_pages = out.stats.prefetched_pages;
  p.idle = served;
  p.network = Bytes::of(source_.wire_bytes ? source_.wire_bytes() - wire_before : out.stats.bytes);
  p.dirty_pages = out.dirty.size();
  p.wakeups = source_.wakeups ? source_.wakeups() - wakeups_before : 0;
  if (out.write_back) p.reintegrated = out.write_back->bytes + out.state_out;
  p.migrated = out.state_in;
  p.migration_latency = out.migrate_in;
  p.return_latency = out.reintegration;
  return true;
}

std::string HostSession::serve(HostedVm& vm, Fetcher& fetcher) {
  const auto started = Clock::now();
  auto last_poll = Clock::now();
  while (true) {
    if (std::string why = stop_reason(); !why.empty()) return why;
    if (config_.run_for && since(started) >= *config_.run_for)
      return fmt::format("--run-for {:.3f} s elapsed", config_.run_for->seconds_f());
    if (!vm.running()) return fmt::format("the guest ended: {}", vm.ended());
    const Fetcher::State fs = fetcher.state();
    if (fs == Fetcher::State::kFailed) return fmt::format("the fetcher failed: {}", fetcher.error());
    if (fs == Fetcher::State::kOwnerGone) return "the VM's process is gone";
    if (link_ != nullptr && Clock::now() - last_poll >= kReturnPoll) {
      last_poll = Clock::now();
      try {
        if (const std::optional<DesktopVmStatus> s = link_->status(); s && s->user_returned)
          return "the user is back at the desktop";
      } catch (const std::exception& e) {
        // The guest keeps running here; the next poll tries again.
        spdlog::warn("session {}: asking the desktop about its user: {}", config_.desktop, e.what());
      }
    }
    std::this_thread::sleep_for(std::min(config_.poll, std::chrono::milliseconds(100)));
  }
}

}  // namespace jettison::emu
