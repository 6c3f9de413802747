// The ways a sleeping desktop can wake to serve pages, by the name a scenario uses in
// policy.resume.pages (policy/resume_planner.hpp): the one list the scenario loader checks names
// against and `jettison-sim list` prints.
#pragma once

#include "common/registry.hpp"
#include "policy/resume_planner.hpp"

namespace jettison::policy {

using ResumeKindRegistry = Registry<ResumeKind>;

inline const ResumeKindRegistry& resume_kinds() {
  static const ResumeKindRegistry registry = [] {
    ResumeKindRegistry r;
    r.add("selective", "context-aware selective resume: only CPU, memory and NIC come up to serve pages",
          [] { return ResumeKind::kSelective; });
    r.add("full", "every device comes up, display included, as when the user returns",
          [] { return ResumeKind::kFull; });
    return r;
  }();
  return registry;
}

}  // namespace jettison::policy
