#include "traces/tool/row_errors.hpp"

#include <fmt/format.h>

namespace jettison::traces {

void RowErrors::add(const InputError& e) {
  ++count_;
  if (shown_.size() < kShownRowErrors) shown_.emplace_back(e);
}

void RowErrors::throw_if_any() const {
  const std::uint64_t total = count_ + (last_ ? 1 : 0);
  if (total == 0) return;
  if (total == 1) throw last_ ? *last_ : shown_.front();  // as it was raised
  std::string text = fmt::format("{} errors, in file order:", total);
  for (const auto& e : shown_) text += fmt::format("\n  {}", e.what());
  if (count_ > shown_.size()) text += fmt::format("\n  ... and {} more", count_ - shown_.size());
  if (last_) text += fmt::format("\n  {}", last_->what());
  throw InputError(file_, text);
}

void RowErrors::throw_with(const InputError& last) {
  last_ = last;
  throw_if_any();
  throw last;  // not reached: throw_if_any() throws with last_ set
}

}  // namespace jettison::traces
