// jettison-replay: replays a page-access trace on a memory region served through userfaultfd from a
// local image or a desktop's memory server, and writes the period as a row of the simulator's
// periods.csv (emu/replay/period_csv.hpp says which columns are measured). Exit 2 on bad input
// (flags, trace: the message names file:line), 1 on a runtime failure; nothing is written then.
//
// With --connect the pages come from a desktop agent through RemoteSource (TLS, reconnects, and with
// --wol-interface/--desktop-mac Wake-on-LAN); --sleep RULE lets that rule put the desktop to sleep
// during the replay (SleepController), the next fault waking it; --write-back reintegrates the dirty
// pages at the end.
//
//   jettison-replay --trace traces/samples/pages-linux.csv --connect 10.0.0.1:7000 --psk-file psk.hex
//       --psk-identity desk-1 --wol-interface eth0 --desktop-mac 52:54:00:12:34:56 --sleep timeout
//       --sleep-timeout 2s --speed 60 --period 600s --verify --image vm.ram --write-back --out p.csv
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "emu/fetch/image_source.hpp"
#include "emu/remote/remote_source.hpp"
#include "emu/replay/replay_run.hpp"
#include "emu/server/remote_flags.hpp"
#include "emu/server/sleep_controller.hpp"
#include "emu/tool/cli_main.hpp"
#include "traces/io/input_stream.hpp"

namespace {

using namespace jettison;
using namespace jettison::emu;

struct Args {
  std::string trace, image, source = "local", period = "600s", prefetch = "none", out, desktop,
                            log_level = "info";
  RemoteFlags remote;
  SleepFlags sleep;
  double speed = 1.0;
  std::uint32_t radius = 16;
  bool dirty_tracking = false, verify = false, write_back = false;
};

// Writes `text` to `path` through a temporary file in the same folder and a rename.
void write_atomically(const std::filesystem::path& path, const std::string& text) {
  const auto tmp = path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", tmp.string()));
    out << text;
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp);
      throw std::runtime_error(fmt::format("cannot write '{}'", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, path);
}

double micros(std::chrono::nanoseconds ns) { return static_cast<double>(ns.count()) / 1000.0; }

int run(const Args& a) {
  // Everything about the input is checked before anything is mapped or connected.
  if (a.source != "local" && a.source != "remote")
    throw InputError("--source", fmt::format("expected local, got '{}'", a.source));
  const bool remote = !a.remote.connect.empty();
  if (!remote && a.image.empty()) throw InputError("--image", "required with --source local");
  if (a.verify && a.image.empty()) throw InputError("--verify", "needs --image (the file to compare with)");
  if (!remote && !a.sleep.rule.empty())
    throw InputError("--sleep", "needs --connect (a desktop to put to sleep)");
  if (!remote && a.write_back)
    throw InputError("--write-back", "needs --connect (a desktop to write back to)");
  if (!remote && !a.remote.wol_interface.empty()) throw InputError("--wol-interface", "needs --connect");
  const auto page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::optional<RemoteSourceConfig> remote_config;
  if (remote) remote_config = remote_source_config(a.remote, static_cast<std::uint32_t>(page_size));
  const policy::SleepParams sleep_tunables = sleep_params(a.sleep);
  Duration period;
  try {
    period = parse_duration(a.period);
  } catch (const UnitError& e) {
    throw InputError("--period", e.what());
  }
  if (!a.image.empty() && !std::filesystem::is_regular_file(a.image))
    throw InputError("--image", fmt::format("'{}' is not a readable file", a.image));
  traces::PageProfile profile =
      traces::read_page_profile(traces::open_trace_file(a.trace, "--trace"), a.trace);
  const std::filesystem::path out_path(a.out);
  if (!out_path.parent_path().empty() && !std::filesystem::is_directory(out_path.parent_path()))
    throw InputError("--out", fmt::format("folder '{}' does not exist", out_path.parent_path().string()));

  ReplayRunOptions options;
  options.schedule.period = period;
  options.schedule.speed = a.speed;
  options.prefetch = a.prefetch;
  options.prefetch_params.radius = a.radius;
  options.dirty_tracking = a.dirty_tracking;
  if (a.verify) options.verify_image = a.image;
  options.desktop = a.desktop.empty() ? std::filesystem::path(a.trace).stem().string() : a.desktop;
  // Check prefetcher name, speed and period now (the schedule is checked again against the image).
  (void)make_prefetcher(a.prefetch, options.prefetch_params, {1, Bytes::of(4096)});
  {
    ScheduleOptions check = options.schedule;
    check.region_pages = profile.max_gfn + 1;
    (void)make_schedule(profile, check);
  }

  std::unique_ptr<PageSource> source;
  std::unique_ptr<RemoteDesktop> desktop;
  if (remote) {
    // Connects now (waking the desktop if needed); a refused key fails here, before anything is mapped.
    auto r = std::make_unique<RemoteSource>(*remote_config);
    RemoteSource* rs = r.get();
    options.wakeups = [rs] { return rs->stats().wakeups; };
    options.wire_bytes = [rs] {
      const RemoteSourceStats s = rs->stats();
      return s.bytes_sent.count() + s.bytes_received.count();
    };
    if (!a.sleep.rule.empty()) {
      desktop = std::make_unique<RemoteDesktop>(*rs);
      ReplaySleepOptions so;
      so.desktop = desktop.get();
      so.rule = a.sleep.rule;
      so.params = sleep_tunables;
      options.sleep = so;
    }
    if (a.write_back)
      options.write_back = [rs](std::span<const DirtyPage> pages) { return rs->write_back(pages); };
    source = std::move(r);
  } else {
    source = std::make_unique<ImageSource>(a.image, page_size);
  }

  const ReplayRun r = run_replay(profile, *source, options);
  if (r.verify && !r.verify->ok()) {
    fmt::print(stderr,
               "jettison-replay: error: {} of {} touched pages differ from the image (first: page {})\n",
               r.verify->mismatched.size(), r.verify->checked, r.verify->mismatched.front());
    return 1;
  }
  std::string csv = period_csv_header();
  {
    std::ostringstream row;
    write_period_row(row, r.period);
    csv += row.str();
  }
  write_atomically(out_path, csv);

  const double wall_s = std::max(r.replay.wall.seconds_f(), 1e-9);
  fmt::print("replayed {} accesses ({} reads, {} writes) on {} unique pages in {:.3f} s (speed {}x)\n",
             r.replay.accesses, r.replay.reads, r.replay.writes, r.replay.touched.size(), wall_s, a.speed);
  fmt::print(
      "faults {} (+{} duplicate, {} write-protect), pages fetched {} demand + {} prefetched ({} zero), "
      "{} bytes of page data\n",
      r.stats.faults, r.stats.duplicate_faults, r.stats.wp_faults, r.stats.demand_pages,
      r.stats.prefetched_pages, r.stats.zero_pages, r.stats.bytes);
  fmt::print(
      "fault latency p50 {:.1f} us, p99 {:.1f} us; {:.0f} pages/s fetched; dirty {}; late by at most {:.3f} "
      "ms\n",
      micros(percentile(r.latencies, 0.5)), micros(percentile(r.latencies, 0.99)),
      static_cast<double>(r.stats.pages_fetched()) / wall_s, r.dirty.size(),
      static_cast<double>(r.replay.max_lateness.us()) / 1000.0);
  if (r.sleep)
    fmt::print(
        "sleep rule {}: {} decisions, {} sleeps, {} followed by a fault, {} wakes; {} magic packets, "
        "{} wake-ups counted by the source\n",
        a.sleep.rule, r.sleep->decisions, r.sleep->sleeps, r.sleep->sleeps_then_fault, r.sleep->wakes,
        r.sleep->magic_packets, r.sleep->source_wakeups);
  if (r.sleep_mismatch) fmt::print("note: wake-ups vs sleep decisions: {}\n", *r.sleep_mismatch);
  if (r.write_back)
    fmt::print("write-back: {} pages, {} bytes in {:.1f} ms ({} attempts, image generation {})\n",
               r.write_back->pages, r.write_back->bytes.count(),
               static_cast<double>(r.write_back->elapsed.us()) / 1000.0, r.write_back->attempts,
               r.write_back->generation);
  if (r.verify) fmt::print("verified {} pages: all equal the image\n", r.verify->checked);
  fmt::print("wrote {}\n", out_path.string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"jettison-replay: replay a page-access trace through the userfaultfd page fetcher"};
  Args a;
  app.add_option("--trace", a.trace, "page-access trace (time,page,op; CSV or binary, maybe compressed)")
      ->required();
  app.add_option("--image", a.image,
                 "memory image file (the pages' content; needed for --source local and --verify)");
  app.add_option("--source", a.source, "where pages come from: local (the image file)");
  app.add_option("--connect", a.remote.connect,
                 "HOST:PORT of a desktop agent (jettison-desktop) instead of --source local");
  app.add_option("--psk-file", a.remote.psk_file, "TLS pre-shared key file (hex)");
  app.add_option("--psk-identity", a.remote.psk_identity, "TLS pre-shared key identity");
  app.add_flag("--insecure-plain-tcp", a.remote.insecure, "no TLS (benchmarks on loopback only)");
  app.add_option("--wol-interface", a.remote.wol_interface,
                 "send Wake-on-LAN magic packets out of this interface to wake the desktop");
  app.add_option("--desktop-mac", a.remote.desktop_mac, "the desktop NIC's MAC (for the magic packets)");
  app.add_option("--wol-password", a.remote.wol_password, "SecureOn password for the magic packets");
  app.add_flag("--wol-raw", a.remote.wol_raw, "magic packets as raw EtherType 0x0842 frames (default UDP)");
  app.add_option("--connect-timeout", a.remote.connect_timeout, "one connection attempt (default 2s)");
  app.add_option("--give-up-after", a.remote.give_up_after,
                 "fail when the desktop stays unreachable this long (default: keep trying)");
  app.add_option(
      "--sleep", a.sleep.rule,
      "sleep rule that puts the desktop to sleep: timeout, break-even, adaptive, learning-augmented");
  app.add_option("--sleep-timeout", a.sleep.timeout,
                 "timeout rule: time awake after the last request, in trace time (default 30s)");
  app.add_option("--sleep-trust", a.sleep.trust, "learning-augmented rule: trust in (0, 1] (default 0.5)");
  app.add_option("--sleep-history", a.sleep.history, "adaptive rules: gaps remembered (default 8)");
  app.add_flag("--write-back", a.write_back, "send the dirty pages back to the desktop at the end");
  add_log_level(app, a.log_level);
  app.add_option("--speed", a.speed,
                 "time scale: 60 replays 60 s of trace in 1 s; the sleep rule's clock runs as fast "
                 "(pair with jettison-desktop --speed) (default 1)")
      ->check(CLI::PositiveNumber);
  app.add_option("--period", a.period, "idle period length in trace time, with unit (default 600s)");
  app.add_option("--prefetch", a.prefetch, "prefetcher: none, spatial, history, markov (default none)");
  app.add_option("--radius", a.radius, "spatial prefetcher: pages on each side of a fault (default 16)");
  app.add_flag("--dirty-tracking", a.dirty_tracking, "register write-protect too: exact dirty set");
  app.add_flag("--verify", a.verify, "check every touched page against --image after the replay");
  app.add_option("--desktop", a.desktop, "the record's desktop column (default: the trace's file stem)");
  app.add_option("--out", a.out, "periods.csv to write (atomically)")->required();
  app.get_option("--source")->excludes(app.get_option("--connect"));
  return run_cli("jettison-replay", app, argc, argv, a.log_level, [&] { return run(a); });
}
