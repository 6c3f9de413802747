// Crash-safe write-back of dirty pages (PROTOCOL.md, "Write-back journal"). Steps:
//   1. PUT_PAGES data -> journal records (each with a SHA-256), fdatasync   [kPagesJournaled]
//   2. COMMIT -> commit record (total pages, records, new generation), fsync [kCommitWritten]
//   3. pages applied to the image from the journal, fdatasync               [kPartiallyApplied, kApplied]
//   4. generation file replaced atomically                                   [kGenerationSaved]
//   5. journal removed, directory fsynced                                    [kJournalRemoved]
// On startup recover() replays a journal with a valid commit record (idempotent) and discards
// one without, so the image is either as it was or fully updated, never mixed. A commit whose
// image changed under the server (MemoryImage::check) throws ImageChanged and removes the journal:
// its pages are never applied to whatever file is at the image's path now.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>

#include "emu/memserver/memory_image.hpp"
#include "emu/wire/messages.hpp"

namespace jettison::emu {

enum class JournalStep {
  kPagesJournaled,
  kCommitWritten,
  kPartiallyApplied,
  kApplied,
  kGenerationSaved,
  kJournalRemoved
};

const char* journal_step_name(JournalStep step);

// Tests only: called after each step; throwing from it simulates a crash at that point (the
// files are left exactly as they are).
using JournalCrashHook = std::function<void(JournalStep)>;

struct RecoveryResult {
  enum class Outcome { kNothing, kReplayed, kDiscarded } outcome = Outcome::kNothing;
  std::uint64_t pages = 0;
  std::string reason;  // why a journal was discarded
};

struct CommitResult {
  std::uint64_t pages = 0;
  std::uint64_t generation = 0;
};

class Journal {
 public:
  // Files: <image>.journal and <image>.generation next to the image.
  Journal(MemoryImage& image, JournalCrashHook hook = {});

  RecoveryResult recover();

  bool active() const { return active_; }
  std::uint64_t session() const { return session_; }
  std::uint64_t pages() const { return pages_; }
  std::uint64_t generation() const { return generation_; }

  // Starts a session (creates the journal with its header). Throws InputError on I/O failure.
  void begin(std::uint64_t session_id);
  // Appends runs (page numbers already validated by the decoder) and makes them durable.
  void append(std::span<const PageRun> runs);
  // Writes the commit record, applies, bumps the generation, removes the journal.
  CommitResult commit();
  // Drops an uncommitted session (connection lost).
  void abort() noexcept;

  const std::filesystem::path& journal_path() const { return journal_path_; }

 private:
  void step(JournalStep s) {
    if (hook_) hook_(s);
  }
  // Checks the whole journal; if it holds a valid commit record, applies it. Returns pages applied
  // or nullopt with a reason.
  RecoveryResult replay();
  void save_generation(std::uint64_t g);
  void remove_journal();

  MemoryImage& image_;
  JournalCrashHook hook_;
  std::filesystem::path journal_path_, generation_path_;
  int fd_ = -1;
  bool active_ = false;
  std::uint64_t session_ = 0, pages_ = 0, records_ = 0, generation_ = 0;
};

}  // namespace jettison::emu
