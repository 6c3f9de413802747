// ConfigErrors: gathering a file's errors and reporting them together, in file order.
#include "common/config/config_errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace jettison::config {
namespace {

// The text InputError put after "origin: ".
std::string message_of(const InputError& e) {
  const std::string what = e.what();
  if (e.origin().empty() || what.rfind(e.origin() + ": ", 0) != 0) return what;
  return what.substr(e.origin().size() + 2);
}

}  // namespace

void ConfigErrors::add(const LocatedInputError& e) {
  std::vector<Entry>& list = dynamic_cast<const FollowOnInputError*>(&e) ? follow_ons_ : entries_;
  for (const Entry& x : list)
    if (x.origin == e.origin() && x.message == e.message()) return;  // the same check run twice
  list.push_back({e.origin(), e.message(), e.file(), e.line(), list.size()});
}

void ConfigErrors::add(const InputError& e) {
  if (const auto* located = dynamic_cast<const LocatedInputError*>(&e)) return add(*located);
  const std::string message = message_of(e);
  for (const Entry& x : entries_)
    if (x.origin == e.origin() && x.message == message) return;
  entries_.push_back({e.origin(), message, "", 0, entries_.size()});
}

bool ConfigErrors::attempt(const std::function<void()>& f) {
  try {
    f();
    return true;
  } catch (const InputError& e) {
    add(e);
    return false;
  }
}

void ConfigErrors::throw_if_any() const {
  if (entries_.empty() && follow_ons_.empty()) return;
  std::vector<Entry> sorted = entries_.empty() ? follow_ons_ : entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return std::make_tuple(a.file.empty(), a.file, a.line, a.seq) <
           std::make_tuple(b.file.empty(), b.file, b.line, b.seq);
  });
  std::string message = sorted.front().message;
  const std::size_t shown = std::min(sorted.size(), kMaxConfigErrors);
  for (std::size_t i = 1; i < shown; ++i) {
    const Entry& e = sorted[i];
    message += "\n" + (e.origin.empty() ? e.message : e.origin + ": " + e.message);
  }
  if (sorted.size() > shown) message += fmt::format("\n... and {} more errors", sorted.size() - shown);
  if (!sorted.front().file.empty()) {
    throw LocatedInputError(sorted.front().origin, message, sorted.front().file, sorted.front().line);
  }
  throw InputError(sorted.front().origin, message);
}

}  // namespace jettison::config
