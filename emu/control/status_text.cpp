#include "emu/control/status_text.hpp"

#include <fmt/format.h>

#include <chrono>

namespace jettison::emu {
namespace {

std::string text(const nlohmann::json& j, const char* key, const std::string& fallback = "?") {
  if (!j.contains(key)) return fallback;
  const nlohmann::json& v = j.at(key);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::uint64_t count(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number_integer()) return 0;
  const nlohmann::json& v = j.at(key);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  const std::int64_t n = v.get<std::int64_t>();
  return n < 0 ? 0 : static_cast<std::uint64_t>(n);
}

// ", last wake 12.3 s ago (magic-packet)" or "".
std::string last_wake(const nlohmann::json& answer) {
  if (!answer.contains("last_wake")) return ", never woken";
  const nlohmann::json& w = answer.at("last_wake");
  std::string out = w.contains("ago_s") ? fmt::format(", last wake {:.1f} s ago", w.at("ago_s").get<double>())
                                        : std::string(", woken");
  if (w.contains("cause")) out += fmt::format(" ({})", text(w, "cause"));
  return out;
}

double seconds(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : 0.0;
}

// "server 10.0.0.2 (psk:lab-1): connected for 5.2 s (1 connection), holds the VM for 4.1 s".
std::string server_line(const nlohmann::json& a) {
  if (!a.contains("server")) return "server: none connected yet";
  const nlohmann::json& s = a.at("server");
  std::string line = fmt::format("server {} ({}): ", text(s, "address"), text(s, "identity"));
  if (s.value("connected", false)) {
    const std::uint64_t n = count(s, "connections");
    line += fmt::format("connected for {:.1f} s ({} connection{})", seconds(s, "connected_for_s"), n,
                        n == 1 ? "" : "s");
  } else {
    line += fmt::format("not connected, last seen {:.1f} s ago", seconds(s, "last_seen_ago_s"));
  }
  if (s.value("holds_vm", false))
    line += fmt::format(", holds the VM for {:.1f} s", seconds(s, "holds_vm_for_s"));
  return line;
}

std::vector<std::string> desktop_lines(const nlohmann::json& a) {
  std::vector<std::string> lines;
  std::string head =
      fmt::format("desktop: power {}, {}serving, {} pages served, {} sleeps, {} wake-ups{}",
                  text(a, "power_state"), a.value("serving", false) ? "" : "not ", count(a, "pages_served"),
                  count(a, "sleeps"), count(a, "wakeups"), last_wake(a));
  if (a.contains("write_back")) {
    const nlohmann::json& wb = a.at("write_back");
    head += fmt::format("; write-back: {} pages in, generation {}", count(wb, "pages_written_back"),
                        count(wb, "generation"));
    if (wb.value("in_progress", false))
      head += fmt::format(", one in progress ({} pages journalled)", count(wb, "journal_pages"));
  }
  lines.push_back(head);
  lines.push_back(server_line(a));
  const std::string location = text(a, "location", "no-vm");
  if (location == "no-vm") {
    lines.push_back(fmt::format("no VM: serves the image {}", text(a, "image")));
    return lines;
  }
  std::string vm = fmt::format("vm epoch {}: {}", count(a, "epoch"), location);
  if (location == "home") vm = fmt::format("vm epoch {}: home (runs here)", count(a, "epoch"));
  if (location == "server") vm = fmt::format("vm epoch {}: on the server", count(a, "epoch"));
  if (a.value("user_returned", false)) vm += ", user back";
  vm += fmt::format(", {} backend", text(a, "backend"));
  if (a.contains("last_error")) vm += fmt::format(", last error: {}", text(a, "last_error"));
  lines.push_back(vm);
  return lines;
}

std::vector<std::string> server_lines(const nlohmann::json& a) {
  std::vector<std::string> lines;
  std::string head = fmt::format("server: desktop {}, {}, {} periods hosted{}", text(a, "desktop"),
                                 text(a, "phase"), count(a, "periods_hosted"), last_wake(a));
  if (a.contains("last_period")) {
    const nlohmann::json& p = a.at("last_period");
    head += fmt::format("; last period epoch {}: {} pages fetched, {} dirty written back", count(p, "epoch"),
                        count(p, "pages_fetched"), count(p, "dirty_written_back"));
  }
  if (a.contains("failure")) head += fmt::format("; failed: {}", text(a, "failure"));
  lines.push_back(head);
  const nlohmann::json vms = a.value("vms", nlohmann::json::array());
  if (vms.empty()) lines.push_back("no VM hosted");
  for (const nlohmann::json& v : vms)
    lines.push_back(fmt::format(
        "vm epoch {} of {}: {}, {} pages fetched ({} demand, {} prefetched), {} faults (+{} write-protect), "
        "{} dirty pending write-back, desktop {}, {} sleeps, {} wake-ups",
        count(v, "epoch"), text(v, "desktop"), text(v, "phase"), count(v, "pages_fetched"),
        count(v, "demand_pages"), count(v, "prefetched_pages"), count(v, "faults"), count(v, "wp_faults"),
        count(v, "dirty_pending"), v.value("desktop_asleep", false) ? "asleep" : "awake", count(v, "sleeps"),
        count(v, "wakeups")));
  return lines;
}

}  // namespace

std::vector<std::string> status_lines(const nlohmann::json& answer) {
  const std::string side = text(answer, "side", "");
  if (side == "server") return server_lines(answer);
  if (side == "desktop") return desktop_lines(answer);
  std::vector<std::string> lines;
  for (const auto& [k, v] : answer.items())
    if (k != "ok") lines.push_back(fmt::format("{}: {}", k, v.is_string() ? v.get<std::string>() : v.dump()));
  return lines;
}

std::int64_t unix_millis_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace jettison::emu
