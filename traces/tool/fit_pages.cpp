#include "traces/tool/fit_pages.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "common/input_error.hpp"
#include "common/units.hpp"
#include "common/version/version.hpp"
#include "traces/io/input_stream.hpp"
#include "traces/io/page_profile.hpp"
#include "traces/tool/atomic_file.hpp"
#include "traces/tool/fit_growth.hpp"

namespace jettison::traces {
namespace {

std::int64_t duration_us(const std::string& text, const std::string& origin) {
  try {
    const std::int64_t us = parse_duration(text).us();
    if (us < 0) throw InputError(origin, fmt::format("'{}' must not be negative", text));
    return us;
  } catch (const UnitError& e) {
    throw InputError(origin, e.what());
  }
}

std::uint64_t bytes(const std::string& text, const std::string& origin) {
  try {
    return static_cast<std::uint64_t>(parse_bytes(text).count());
  } catch (const UnitError& e) {
    throw InputError(origin, e.what());
  }
}

// What one trace contributes, counted as it is read.
struct Counts {
  std::uint64_t accesses = 0, first = 0, first_writes = 0, retouch_writes = 0;
  std::uint64_t batches = 0, batch_gaps = 0, next = 0, w1 = 0, w16 = 0, w256 = 0, gaps = 0;
  double batch_gap_sum_s = 0, span_s = 0;
  std::uint64_t max_page = 0;
};

}  // namespace

PageModel fit_pages(const FitPagesArgs& args) {
  if (args.traces.empty()) throw InputError("TRACE", "at least one page trace is required");
  const std::int64_t shift_us = duration_us(args.shift, "--shift");
  const std::int64_t split_us = duration_us(args.batch_split, "--batch-split");
  if (split_us <= 0) throw InputError("--batch-split", "must be longer than 0 s");
  const std::uint64_t page_bytes = bytes(args.page_size, "--page-size");
  if (page_bytes == 0) throw InputError("--page-size", "must be at least 1 B");
  std::optional<std::uint64_t> vm_pages;
  if (args.vm_memory) {
    const std::uint64_t vm = bytes(*args.vm_memory, "--vm-memory");
    if (vm < page_bytes || vm % page_bytes != 0)
      throw InputError("--vm-memory",
                       fmt::format("{} is not a whole number of {} B pages", *args.vm_memory, page_bytes));
    vm_pages = vm / page_bytes;
  }

  PageModel m;
  m.tool = fmt::format("jettison-trace {}", project_version());  // no revision: refits stay byte-equal
  m.page_bytes = page_bytes;
  m.batch_split_s = static_cast<double>(split_us) / 1e6;
  std::vector<GrowthSamples> growth;
  Counts all;
  for (const std::string& file : args.traces) {
    PageTraceReader reader(open_trace_file(file, "TRACE"), file);
    std::unordered_map<std::uint64_t, bool> written;  // page -> written yet
    GrowthSamples g;
    Counts c;
    std::int64_t prev_first_us = -1;
    std::uint64_t prev_page = 0;
    PageRow row;
    while (reader.next(row)) {
      if (row.time_us < shift_us) {
        throw InputError(reader.origin(row.line),
                         fmt::format("access at {:.6f} s, before the shift --shift {} (the resume)",
                                     static_cast<double>(row.time_us) / 1e6, args.shift));
      }
      if (vm_pages && row.page >= *vm_pages) {
        throw InputError(reader.origin(row.line), fmt::format("page {} is beyond --vm-memory {} ({} pages)",
                                                              row.page, *args.vm_memory, *vm_pages));
      }
      const std::int64_t t = row.time_us - shift_us;
      ++c.accesses;
      c.span_s = static_cast<double>(t) / 1e6;
      c.max_page = std::max(c.max_page, row.page);
      auto [it, fresh] = written.try_emplace(row.page, row.write);
      if (!fresh) {
        if (row.write) ++c.retouch_writes;
        it->second = it->second || row.write;
        continue;
      }
      ++c.first;
      if (row.write) ++c.first_writes;
      g.first_touch_s.push_back(static_cast<double>(t) / 1e6);
      if (prev_first_us < 0 || t - prev_first_us > split_us) {
        ++c.batches;
      } else {
        ++c.batch_gaps;
        c.batch_gap_sum_s += static_cast<double>(t - prev_first_us) / 1e6;
      }
      if (prev_first_us >= 0) {
        const auto d = static_cast<std::int64_t>(row.page - prev_page);  // two's complement difference
        const std::int64_t ad = d < 0 ? -d : d;
        ++c.gaps;
        c.next += d == 1 ? 1 : 0;
        c.w1 += ad <= 1 ? 1 : 0;
        c.w16 += ad <= 16 ? 1 : 0;
        c.w256 += ad <= 256 ? 1 : 0;
      }
      prev_first_us = t;
      prev_page = row.page;
    }
    if (c.accesses == 0) throw InputError(file, "no page accesses: nothing to fit");
    if (!(c.span_s > 0))
      throw InputError(file, "every access is at the resume (time 0): no growth over time to fit");
    g.span_s = c.span_s;
    growth.push_back(std::move(g));
    m.sources.push_back({file, static_cast<double>(shift_us) / 1e6, c.accesses, c.first, c.span_s});
    all.accesses += c.accesses;
    all.first += c.first;
    all.first_writes += c.first_writes;
    all.retouch_writes += c.retouch_writes;
    all.batches += c.batches;
    all.batch_gaps += c.batch_gaps;
    all.batch_gap_sum_s += c.batch_gap_sum_s;
    all.gaps += c.gaps;
    all.next += c.next;
    all.w1 += c.w1;
    all.w16 += c.w16;
    all.w256 += c.w256;
    all.span_s += c.span_s;
    all.max_page = std::max(all.max_page, c.max_page);
  }

  if (vm_pages) {
    m.vm_bytes = *vm_pages * page_bytes;
  } else {
    std::uint64_t p = 1;
    while (p <= all.max_page) p *= 2;
    m.vm_bytes = p * page_bytes;
    m.vm_inferred = true;
  }
  const GrowthFit fit = fit_growth(growth, args.points);
  m.growth = fit.curve;
  m.fit = fit.error;
  auto ratio = [](std::uint64_t a, std::uint64_t b) {
    return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
  };
  const std::uint64_t retouches = all.accesses - all.first;
  m.batch_mean_pages = std::max(1.0, ratio(all.first, all.batches));
  m.batch_gap_s = all.batch_gaps == 0 ? 0.0 : all.batch_gap_sum_s / static_cast<double>(all.batch_gaps);
  m.retouch_rate = static_cast<double>(retouches) / all.span_s;
  m.retouch_share = ratio(retouches, all.accesses);
  m.write_first = ratio(all.first_writes, all.first);
  m.write_retouch = ratio(all.retouch_writes, retouches);
  m.write_share = ratio(all.first_writes + all.retouch_writes, all.accesses);
  m.next_page = ratio(all.next, all.gaps);
  m.within_1 = ratio(all.w1, all.gaps);
  m.within_16 = ratio(all.w16, all.gaps);
  m.within_256 = ratio(all.w256, all.gaps);
  return m;
}

void add_fit_command(CLI::App& app) {
  auto* fit = app.add_subcommand("fit", "models fitted to traces (traces/README.md, \"Fitted page models\")");
  fit->require_subcommand(1);
  auto args = std::make_shared<FitPagesArgs>();
  auto out = std::make_shared<std::string>();
  auto* cmd = fit->add_subcommand(
      "pages",
      "fit a page model of an idle VM (working-set growth, re-touches, writes, locality) to page traces");
  cmd->add_option("trace", args->traces,
                  "page traces (CSV or binary, plain, .gz or .zst), time 0 = the resume")
      ->required();
  cmd->add_option("--out", *out, "the model (YAML); written whole or not at all")->required();
  cmd->add_option("--shift", args->shift, "removed from every trace's times so that 0 is the resume")
      ->capture_default_str();
  cmd->add_option("--vm-memory", args->vm_memory,
                  "the VM's memory (default: the highest page + 1 rounded up to a power of two pages)");
  cmd->add_option("--page-size", args->page_size, "bytes a page")->capture_default_str();
  cmd->add_option("--batch-split", args->batch_split, "first touches further apart start a new batch")
      ->capture_default_str();
  cmd->callback([args, out] {
    const PageModel m = fit_pages(*args);
    AtomicFile file(*out);
    file.out() << page_model_yaml(m);
    file.commit();
    fmt::print(stderr,
               "{}: U(t) = {:.1f} + {:.4g}/s*t + {:.1f}*(1 - exp(-t/{:.1f}s)) pages; RMSE {:.1f} pages, R^2 "
               "{:.4f}\n",
               *out, m.growth.initial, m.growth.late_rate, m.growth.burst, m.growth.burst_tau_s, m.fit.rmse,
               m.fit.r2);
  });
}

}  // namespace jettison::traces
