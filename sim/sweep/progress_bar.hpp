// The sweep's progress on one stderr line, redrawn when a point is done (at most ten times a
// second) and every half second:
// "sweep [########----------------] 12/40 points  0:31 elapsed  ETA 1:12" (the label first: "sweep"
// while running, "checking" while the points' scenarios are checked). Inactive when disabled.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace jettison::sim {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total, bool enabled);
  ~ProgressBar();  // erases the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void point_done();

 private:
  void draw();  // with mu_ held
  void tick();

  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool stop_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point drawn_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::thread ticker_;
};

}  // namespace jettison::sim
