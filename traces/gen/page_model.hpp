// A fitted page model of an idle VM after it resumed on the server (traces/FORMAT.md, "Page model"):
// the working set's growth over time, how new pages cluster in time (batches) and in the page space
// (locality), the re-touches of resident pages and the writes. Written by `jettison-trace fit pages`,
// read back (with file:line: key errors) by `jettison-trace generate pages --model`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jettison::traces {

// Unique pages touched by t seconds after resume:
//   U(t) = initial + late_rate * t + burst * (1 - exp(-t / burst_tau))
// The burst term is the fault storm right after resume; late_rate is what a long night keeps adding.
struct GrowthCurve {
  double initial = 0;      // pages
  double late_rate = 0;    // pages per second
  double burst = 0;        // pages
  double burst_tau_s = 1;  // seconds
  double pages_by(double t_s) const;
  double rate_at(double t_s) const;  // new pages per second at t (t > 0)
};

// How well the curve fits the sources' U(t), sampled on a uniform time grid over each source's span.
struct GrowthFitError {
  std::uint64_t points = 0;
  double rmse = 0;  // pages
  double r2 = 0;
  // Residual standard errors from the fit's Jacobian (absent when a parameter sits on its bound 0, or
  // when the Jacobian is singular).
  // The residuals of a cumulative curve are correlated, so these understate the real uncertainty.
  std::optional<double> se_initial, se_late_rate, se_burst, se_burst_tau_s;
};

struct ModelSource {
  std::string file;
  double shift_s = 0;  // removed from the trace's times so that 0 is the resume
  std::uint64_t accesses = 0;
  std::uint64_t unique_pages = 0;
  double span_s = 0;  // last access, after the shift
};

struct PageModel {
  std::string tool;  // "jettison-trace <version>"
  std::vector<ModelSource> sources;
  std::uint64_t vm_bytes = 0;
  std::uint64_t page_bytes = 4096;
  bool vm_inferred = false;  // vm_bytes from the highest page, not given

  GrowthCurve growth;
  GrowthFitError fit;

  // New pages come in batches: first touches less than `split` apart belong to one batch.
  double batch_mean_pages = 1;  // geometric
  double batch_gap_s = 0;       // mean time between consecutive new pages of a batch
  double batch_split_s = 0.01;

  double retouch_rate = 0;   // accesses per second to pages already touched
  double retouch_share = 0;  // of all accesses, in the sources
  double write_first = 0;    // share of first touches that write
  double write_retouch = 0;  // share of re-touches that write (first writes of read pages too)
  double write_share = 0;    // of all accesses, in the sources

  // Page-number gap d from the previous new page: shares with d = +1, |d| <= 1, <= 16, <= 256.
  double next_page = 0, within_1 = 0, within_16 = 0, within_256 = 0;

  std::uint64_t vm_pages() const { return vm_bytes / page_bytes; }
};

// The model as YAML, every value with its unit or as a share, each key commented.
std::string page_model_yaml(const PageModel& m);

// Reads and checks a model file: unknown or missing keys, values without or with the wrong unit,
// shares outside [0, 1] and the like are InputErrors "file:line: key: what is wrong".
PageModel load_page_model(const std::string& path);
PageModel parse_page_model(const std::string& text, const std::string& file);

}  // namespace jettison::traces
