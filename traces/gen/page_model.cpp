#include "traces/gen/page_model.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/config/yaml_checks.hpp"
#include "common/config/yaml_node.hpp"
#include "common/input_error.hpp"
#include "common/units.hpp"

namespace jettison::traces {

double GrowthCurve::pages_by(double t_s) const {
  return initial + late_rate * t_s + burst * -std::expm1(-t_s / burst_tau_s);
}

double GrowthCurve::rate_at(double t_s) const {
  return late_rate + burst / burst_tau_s * std::exp(-t_s / burst_tau_s);
}

namespace {

constexpr std::string_view kModelName = "jettison-page-model";
constexpr std::uint64_t kModelVersion = 1;

// Up to 9 decimals, trailing zeros dropped, never an exponent (what the reader accepts).
std::string num(double v) {
  std::string s = fmt::format("{:.9f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string seconds(double s) {
  std::string t = fmt::format("{:.6f}", s);  // durations are whole microseconds
  while (t.back() == '0') t.pop_back();
  if (t.back() == '.') t.pop_back();
  return t + "s";
}

std::string memory(std::uint64_t bytes) {
  constexpr std::uint64_t kKiB = 1024, kMiB = kKiB << 10, kGiB = kMiB << 10;
  if (bytes % kGiB == 0) return fmt::format("{}GiB", bytes / kGiB);
  if (bytes % kMiB == 0) return fmt::format("{}MiB", bytes / kMiB);
  if (bytes % kKiB == 0) return fmt::format("{}KiB", bytes / kKiB);
  return fmt::format("{}B", bytes);
}

using config::YamlNode;

double number(const YamlNode& n) {
  const std::string s = n.text();
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v))
    n.fail(fmt::format("'{}' is not a number (e.g. 12.5)", s));
  return v;
}

double non_negative(const YamlNode& n) {
  const double v = number(n);
  if (v < 0) n.fail(fmt::format("'{}' must not be negative", n.text()));
  return v;
}

double share(const YamlNode& n) {
  const double v = number(n);
  if (v < 0 || v > 1) n.fail(fmt::format("'{}' is not a share within 0..1", n.text()));
  return v;
}

double duration_s(const YamlNode& n) {
  const Duration d = n.duration();
  if (d.us() < 0) n.fail(fmt::format("'{}' must not be negative", n.text()));
  return static_cast<double>(d.us()) / 1e6;
}

// "1.5/s", "90/min", "3600/h": a count per unit of time, held per second.
double rate(const YamlNode& n) {
  const std::string s = n.text();
  const auto slash = s.rfind('/');
  double per = 0;
  if (slash != std::string::npos) {
    const std::string_view unit = std::string_view(s).substr(slash + 1);
    per = unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 0;
  }
  double v = 0;
  const char* end = s.data() + (slash == std::string::npos ? s.size() : slash);
  auto [ptr, ec] = std::from_chars(s.data(), end, v, std::chars_format::fixed);
  if (per == 0 || ec != std::errc() || ptr != end || !std::isfinite(v) || v < 0)
    n.fail(fmt::format("'{}' is not a rate with its unit (e.g. 1.5/s, 90/min, 3600/h)", s));
  return v / per;
}

void read_growth(const YamlNode& g, GrowthCurve& c) {
  g.expect_keys({"initial", "late_rate", "burst", "burst_tau"});
  c.initial = non_negative(g.at("initial"));
  c.late_rate = rate(g.at("late_rate"));
  c.burst = non_negative(g.at("burst"));
  const YamlNode tau = g.at("burst_tau");
  c.burst_tau_s = duration_s(tau);
  if (c.burst_tau_s <= 0) tau.fail("must be longer than 0 s");
}

void read_fit(const YamlNode& f, GrowthFitError& e) {
  f.expect_keys({"points", "rmse", "r2", "se_initial", "se_late_rate", "se_burst", "se_burst_tau"});
  e.points = f.at("points").unsigned_int();
  e.rmse = non_negative(f.at("rmse"));
  e.r2 = number(f.at("r2"));
  if (e.r2 > 1) f.at("r2").fail(fmt::format("'{}' is above 1", f.at("r2").text()));
  if (auto n = f.find("se_initial")) e.se_initial = non_negative(*n);
  if (auto n = f.find("se_late_rate")) e.se_late_rate = rate(*n);
  if (auto n = f.find("se_burst")) e.se_burst = non_negative(*n);
  if (auto n = f.find("se_burst_tau")) e.se_burst_tau_s = duration_s(*n);
}

}  // namespace

std::string page_model_yaml(const PageModel& m) {
  std::string y;
  auto out = [&y](std::string_view line) {
    y += line;
    y += '\n';
  };
  out("# Page model of an idle VM after it resumed on the server: fitted by `jettison-trace fit pages`,");
  out("# drawn from by `jettison-trace generate pages --model` (traces/FORMAT.md, \"Page model\").");
  out("# Times are since the resume (each source's time 0 after its shift).");
  out(fmt::format("model: {}", kModelName));
  out(fmt::format("version: {}", kModelVersion));
  out(fmt::format("tool: {}", m.tool));
  out("sources:                    # the page traces fitted (CSV or binary, traces/FORMAT.md)");
  for (const ModelSource& s : m.sources) {
    out(fmt::format("  - file: {}", s.file));
    out(fmt::format("    shift: {}{}", seconds(s.shift_s), "  # removed from its times"));
    out(fmt::format("    accesses: {}", s.accesses));
    out(fmt::format("    unique_pages: {}", s.unique_pages));
    out(fmt::format("    span: {}{}", seconds(s.span_s), "  # its last access, after the shift"));
  }
  out(fmt::format("vm_memory: {}{}", memory(m.vm_bytes),
                  m.vm_inferred
                      ? "  # inferred: the highest page + 1, rounded up to a power of two"
                      : "  # new pages are drawn below this; generation stops adding them when it is full"));
  out(fmt::format("page_size: {}", memory(m.page_bytes)));
  out("growth:                     # U(t) = initial + late_rate*t + burst*(1 - exp(-t/burst_tau)) unique "
      "pages");
  out(fmt::format("  initial: {}{}", num(m.growth.initial), "  # pages at once on resume"));
  out(fmt::format("  late_rate: {}/s{}", num(m.growth.late_rate),
                  "  # new pages a second, long after resume"));
  out(fmt::format("  burst: {}{}", num(m.growth.burst), "  # pages of the post-resume burst"));
  out(fmt::format("  burst_tau: {}{}", seconds(m.growth.burst_tau_s), "  # its time constant"));
  out("fit:                        # least squares of U(t) over a uniform grid of each source's span");
  out(fmt::format("  points: {}", m.fit.points));
  out(fmt::format("  rmse: {}{}", num(m.fit.rmse), "  # pages"));
  out(fmt::format("  r2: {}", num(m.fit.r2)));
  out("  # residual standard errors of the parameters (absent: at its bound 0, or not identifiable);");
  out("  # U(t)'s residuals are correlated, so they understate the real uncertainty");
  if (m.fit.se_initial) out(fmt::format("  se_initial: {}", num(*m.fit.se_initial)));
  if (m.fit.se_late_rate) out(fmt::format("  se_late_rate: {}/s", num(*m.fit.se_late_rate)));
  if (m.fit.se_burst) out(fmt::format("  se_burst: {}", num(*m.fit.se_burst)));
  if (m.fit.se_burst_tau_s) out(fmt::format("  se_burst_tau: {}", seconds(*m.fit.se_burst_tau_s)));
  out("batches:                    # new pages come in batches (geometric size)");
  out(fmt::format("  mean_pages: {}{}", num(m.batch_mean_pages), "  # new pages a batch"));
  out(fmt::format("  gap: {}{}", seconds(m.batch_gap_s), "  # mean time between new pages of one batch"));
  out(fmt::format("  split: {}{}", seconds(m.batch_split_s),
                  "  # the fit's rule: first touches further apart start a new batch"));
  out("retouches:                  # accesses to pages already touched, uniform over them");
  out(fmt::format("  rate: {}/s", num(m.retouch_rate)));
  out(fmt::format("  share: {}{}", num(m.retouch_share), "  # of all accesses in the sources"));
  out("writes:");
  out(fmt::format("  first_touch: {}{}", num(m.write_first), "  # share of first touches that write"));
  out(fmt::format("  retouch: {}{}", num(m.write_retouch), "  # share of re-touches that write"));
  out(fmt::format("  share: {}{}", num(m.write_share), "  # of all accesses in the sources"));
  out("locality:                   # gap d from the previous new page's number: shares of new pages");
  out(fmt::format("  next_page: {}{}", num(m.next_page), "  # d = +1"));
  out(fmt::format("  within_1: {}{}", num(m.within_1), "  # |d| <= 1"));
  out(fmt::format("  within_16: {}{}", num(m.within_16), "  # |d| <= 16"));
  out(fmt::format("  within_256: {}{}", num(m.within_256), "  # |d| <= 256; the rest anywhere in vm_memory"));
  out("# Zero pages are not modelled: the page-access format does not carry page contents.");
  return y;
}

PageModel parse_page_model(const std::string& text, const std::string& file) {
  const YAML::Node root = config::load_checked_yaml(text, file);
  config::YamlDocument doc;
  doc.file = file;
  doc.base_file = file;
  const YamlNode top(root, "", &doc);
  top.expect_keys({"model", "version", "tool", "sources", "vm_memory", "page_size", "growth", "fit",
                   "batches", "retouches", "writes", "locality"});
  PageModel m;
  const YamlNode name = top.at("model");
  if (name.text() != kModelName)
    name.fail(fmt::format("'{}' is not a page model (expected '{}')", name.text(), kModelName));
  const YamlNode version = top.at("version");
  if (version.unsigned_int() != kModelVersion)
    version.fail(
        fmt::format("version {} is not supported (this tool reads {})", version.text(), kModelVersion));
  m.tool = top.at("tool").text();
  for (const YamlNode& s : top.at("sources").items()) {
    s.expect_keys({"file", "shift", "accesses", "unique_pages", "span"});
    ModelSource src;
    src.file = s.at("file").text();
    src.shift_s = duration_s(s.at("shift"));
    src.accesses = s.at("accesses").unsigned_int();
    src.unique_pages = s.at("unique_pages").unsigned_int();
    src.span_s = duration_s(s.at("span"));
    m.sources.push_back(src);
  }
  const YamlNode page = top.at("page_size");
  m.page_bytes = static_cast<std::uint64_t>(page.bytes().count());
  if (m.page_bytes == 0) page.fail("must be at least 1 B");
  const YamlNode vm = top.at("vm_memory");
  m.vm_bytes = static_cast<std::uint64_t>(vm.bytes().count());
  if (m.vm_bytes < m.page_bytes || m.vm_bytes % m.page_bytes != 0)
    vm.fail(
        fmt::format("{} B is not a whole number of pages of {} B (at least one)", m.vm_bytes, m.page_bytes));
  read_growth(top.at("growth"), m.growth);
  read_fit(top.at("fit"), m.fit);

  const YamlNode b = top.at("batches");
  b.expect_keys({"mean_pages", "gap", "split"});
  const YamlNode mean = b.at("mean_pages");
  m.batch_mean_pages = number(mean);
  if (m.batch_mean_pages < 1) mean.fail(fmt::format("'{}' is below 1 page", mean.text()));
  m.batch_gap_s = duration_s(b.at("gap"));
  m.batch_split_s = duration_s(b.at("split"));

  const YamlNode r = top.at("retouches");
  r.expect_keys({"rate", "share"});
  m.retouch_rate = rate(r.at("rate"));
  m.retouch_share = share(r.at("share"));

  const YamlNode w = top.at("writes");
  w.expect_keys({"first_touch", "retouch", "share"});
  m.write_first = share(w.at("first_touch"));
  m.write_retouch = share(w.at("retouch"));
  m.write_share = share(w.at("share"));

  const YamlNode l = top.at("locality");
  l.expect_keys({"next_page", "within_1", "within_16", "within_256"});
  m.next_page = share(l.at("next_page"));
  m.within_1 = share(l.at("within_1"));
  m.within_16 = share(l.at("within_16"));
  m.within_256 = share(l.at("within_256"));
  if (m.within_1 < m.next_page) l.at("within_1").fail("must be at least next_page (d = +1 is within 1)");
  if (m.within_16 < m.within_1) l.at("within_16").fail("must be at least within_1");
  if (m.within_256 < m.within_16) l.at("within_256").fail("must be at least within_16");
  return m;
}

PageModel load_page_model(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("--model", fmt::format("cannot open '{}'", path));
  return parse_page_model(config::read_config_text(in, path), path);
}

}  // namespace jettison::traces
