#include "sim/output/stale_staging.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <cerrno>
#include <random>

namespace jettison::sim {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kTokenDigits = 8;
constexpr std::size_t kMaxPidDigits = 10;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_token_char(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string staging_token() {
  std::random_device device;
  std::uniform_int_distribution<std::uint32_t> pick;
  return fmt::format("{:08x}", pick(device));
}

std::string staging_name(const std::string& out_name, pid_t pid, const std::string& token) {
  return fmt::format("{}.staging-{}-{}", out_name, pid, token);
}

std::optional<pid_t> staging_pid(const std::string& out_name, const std::string& candidate) {
  const std::string prefix = out_name + ".staging-";
  if (candidate.size() <= prefix.size() || candidate.compare(0, prefix.size(), prefix) != 0) return {};
  const std::string rest = candidate.substr(prefix.size());
  const std::size_t dash = rest.find('-');
  if (dash == std::string::npos || dash == 0 || dash > kMaxPidDigits || rest[0] == '0') return {};
  const std::string digits = rest.substr(0, dash);
  const std::string token = rest.substr(dash + 1);
  for (const char c : digits)
    if (!is_digit(c)) return {};
  if (token.size() != kTokenDigits) return {};
  for (const char c : token)
    if (!is_token_char(c)) return {};
  const long long pid = std::stoll(digits);
  if (pid <= 0 || pid > 0x7fffffffLL) return {};
  return static_cast<pid_t>(pid);
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

std::vector<fs::path> remove_stale_staging(const fs::path& out) {
  const std::string out_name = out.filename().string();
  std::vector<fs::path> stale;
  std::error_code ec;
  for (fs::directory_iterator it(out.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::optional<pid_t> pid = staging_pid(out_name, it->path().filename().string());
    if (pid && process_gone(*pid) && it->is_directory(ec) && !it->is_symlink(ec)) stale.push_back(it->path());
  }
  std::vector<fs::path> removed;
  for (const fs::path& folder : stale) {
    std::error_code remove_ec;
    fs::remove_all(folder, remove_ec);
    if (!remove_ec) removed.push_back(folder);
  }
  return removed;
}

}  // namespace jettison::sim
