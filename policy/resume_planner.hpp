// How a sleeping desktop wakes: selectively (CPU, memory and NIC only: context-aware selective
// resume) to serve pages, fully when the user comes back. `policy.resume.pages: full` turns
// selective resume off, to measure what it is worth.
#pragma once

namespace jettison::policy {

enum class WakeReason { kPageRequest, kUserReturn };
enum class ResumeKind { kSelective, kFull };

class ResumePlanner {
 public:
  explicit ResumePlanner(ResumeKind for_pages = ResumeKind::kSelective) : for_pages_(for_pages) {}
  ResumeKind plan(WakeReason reason) const {
    return reason == WakeReason::kUserReturn ? ResumeKind::kFull : for_pages_;
  }

 private:
  ResumeKind for_pages_;
};

}  // namespace jettison::policy
