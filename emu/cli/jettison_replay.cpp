// jettison-replay: replays a page-access trace on a memory region served through userfaultfd from a
// local image or a desktop's memory server, and writes the period as a row of the simulator's
// periods.csv (emu/replay/period_csv.hpp says which columns are measured). Exit 2 on bad input
// (flags, trace: the message names file:line), 1 on a runtime failure; nothing is written then.
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
#include "emu/replay/client_source.hpp"
#include "emu/replay/replay_run.hpp"
#include "traces/io/input_stream.hpp"

namespace {

using namespace jettison;
using namespace jettison::emu;

constexpr int kInputErrorExit = 2;

struct Args {
  std::string trace, image, source = "local", connect, psk_file, psk_identity, period = "600s",
                            prefetch = "none", out, desktop;
  double speed = 1.0;
  std::uint32_t radius = 16;
  bool dirty_tracking = false, verify = false, insecure = false;
};

Endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw InputError("--connect", fmt::format("expected HOST:PORT, got '{}'", text));
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = 0;
  } catch (const std::exception&) {
    port = 0;
  }
  if (port == 0 || port > 65535) throw InputError("--connect", fmt::format("bad port in '{}'", text));
  return {host, static_cast<std::uint16_t>(port)};
}

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
  const bool remote = !a.connect.empty();
  if (!remote && a.image.empty()) throw InputError("--image", "required with --source local");
  if (a.verify && a.image.empty()) throw InputError("--verify", "needs --image (the file to compare with)");
  if (remote && !a.insecure && (a.psk_file.empty() || a.psk_identity.empty()))
    throw InputError("--connect", "needs --psk-file and --psk-identity (or --insecure-plain-tcp)");
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
  ClientSource* client = nullptr;
  const auto page_size = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  if (remote) {
    const TlsConfig tls =
        a.insecure ? TlsConfig::insecure_plain_tcp() : TlsConfig::psk_from_file(a.psk_identity, a.psk_file);
    ClientOptions copts;
    copts.page_size = static_cast<std::uint32_t>(page_size);
    auto c = std::make_unique<ClientSource>(parse_endpoint(a.connect), tls, copts);
    client = c.get();
    options.wakeups = [client] { return client->wakeups(); };
    options.wire_bytes = [client] { return client->wire_bytes(); };
    source = std::move(c);
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
  app.add_option("--connect", a.connect,
                 "HOST:PORT of a memory server (jettison-desktop) instead of --source local");
  app.add_option("--psk-file", a.psk_file, "TLS pre-shared key file (hex)");
  app.add_option("--psk-identity", a.psk_identity, "TLS pre-shared key identity");
  app.add_flag("--insecure-plain-tcp", a.insecure, "no TLS (benchmarks on loopback only)");
  app.add_option("--speed", a.speed, "time scale: 60 replays 60 s of trace in 1 s (default 1)")
      ->check(CLI::PositiveNumber);
  app.add_option("--period", a.period, "idle period length in trace time, with unit (default 600s)");
  app.add_option("--prefetch", a.prefetch, "prefetcher: none, spatial, history, markov (default none)");
  app.add_option("--radius", a.radius, "spatial prefetcher: pages on each side of a fault (default 16)");
  app.add_flag("--dirty-tracking", a.dirty_tracking, "register write-protect too: exact dirty set");
  app.add_flag("--verify", a.verify, "check every touched page against --image after the replay");
  app.add_option("--desktop", a.desktop, "the record's desktop column (default: the trace's file stem)");
  app.add_option("--out", a.out, "periods.csv to write (atomically)")->required();
  app.get_option("--source")->excludes(app.get_option("--connect"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kInputErrorExit;
  }
  try {
    return run(a);
  } catch (const InputError& e) {
    fmt::print(stderr, "jettison-replay: error: {}\n", e.what());
    return kInputErrorExit;
  } catch (const std::exception& e) {
    fmt::print(stderr, "jettison-replay: error: {}\n", e.what());
    return 1;
  }
}
