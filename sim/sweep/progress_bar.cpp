#include "sim/sweep/progress_bar.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace jettison::sim {
namespace {

constexpr std::size_t kBarWidth = 24;

std::string clock(double seconds) {
  const auto s = static_cast<long long>(seconds);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()) {
  if (!enabled_) return;
  {
    std::lock_guard lock(mu_);
    draw();
  }
  ticker_ = std::thread([this] { tick(); });
}

ProgressBar::~ProgressBar() {
  if (!enabled_) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  ticker_.join();
  std::fprintf(stderr, "\r%*s\r", 100, "");
  std::fflush(stderr);
}

void ProgressBar::point_done() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  ++done_;
  if (done_ == total_ || std::chrono::steady_clock::now() - drawn_ >= std::chrono::milliseconds(100)) draw();
}

void ProgressBar::tick() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) draw();
}

void ProgressBar::draw() {
  drawn_ = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(drawn_ - start_).count();
  const std::size_t filled = total_ ? kBarWidth * done_ / total_ : kBarWidth;
  const std::string eta =
      done_ ? clock(elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_)) : "?";
  const std::string line = fmt::format("{} [{}{}] {:>{}}/{} points  {} elapsed  ETA {}", label_,
                                       std::string(filled, '#'), std::string(kBarWidth - filled, '-'), done_,
                                       fmt::format("{}", total_).size(), total_, clock(elapsed), eta);
  std::fprintf(stderr, "\r%s", line.c_str());
  std::fflush(stderr);
}

}  // namespace jettison::sim
