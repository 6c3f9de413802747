// Crash safety of the write-back journal: a crash after every step, then a fresh instance
// recovers; the image is either exactly as before or exactly fully updated.
#include "emu/memserver/journal.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

using test::kPage;

struct SimulatedCrash {};

constexpr std::uint64_t kPages = 64;

// The write-back under test: pages 1..8 get new content (salt 9), pages 20..23 become zero.
struct WriteBack {
  std::vector<std::vector<std::byte>> data;
  WriteBack() {
    for (std::uint64_t p = 1; p <= 8; ++p) data.push_back(test::page_content(p, 9));
  }
  std::vector<PageRun> runs_a() const {  // two records: pages 1..4 (one run per page) and a zero run
    std::vector<PageRun> r;
    for (std::uint64_t i = 0; i < 4; ++i) r.push_back(PageRun{1 + i, 1, false, data[i]});
    r.push_back(PageRun{20, 4, true, {}});
    return r;
  }
  std::vector<PageRun> runs_b() const {
    std::vector<PageRun> r;
    for (std::uint64_t i = 4; i < 8; ++i) r.push_back(PageRun{1 + i, 1, false, data[i]});
    return r;
  }
  std::vector<std::byte> expected_image(const std::vector<std::byte>& before) const {
    auto after = before;
    for (std::uint64_t i = 0; i < 8; ++i) std::memcpy(after.data() + (1 + i) * kPage, data[i].data(), kPage);
    std::memset(after.data() + 20 * kPage, 0, 4 * kPage);
    return after;
  }
};

// Runs a write-back (two PUT batches and a commit) that crashes right after `crash_at`.
void run_until_crash(const std::filesystem::path& image_path, std::optional<JournalStep> crash_at) {
  MemoryImage image(image_path, kPage);
  Journal journal(image, [&](JournalStep s) {
    if (crash_at && s == *crash_at) throw SimulatedCrash{};
  });
  journal.recover();
  const WriteBack wb;
  try {
    journal.begin(77);
    journal.append(wb.runs_a());
    journal.append(wb.runs_b());
    const CommitResult r = journal.commit();
    EXPECT_EQ(r.pages, 12u);  // 8 data pages + 4 zero pages
    EXPECT_EQ(r.generation, 1u);
  } catch (const SimulatedCrash&) {
  }
}

class JournalCrash : public ::testing::TestWithParam<JournalStep> {};

TEST_P(JournalCrash, ImageIsOldOrFullyNewNeverMixed) {
  test::TempDir dir;
  const auto image_path = test::write_image(dir.path(), kPages);
  const auto before = test::read_file(image_path);
  const WriteBack wb;
  const auto after = wb.expected_image(before);

  run_until_crash(image_path, GetParam());

  MemoryImage image(image_path, kPage);
  Journal fresh(image);
  const RecoveryResult r = fresh.recover();
  const bool committed = GetParam() != JournalStep::kPagesJournaled;
  EXPECT_EQ(test::read_file(image_path) == after, committed) << journal_step_name(GetParam());
  EXPECT_EQ(test::read_file(image_path) == before, !committed) << journal_step_name(GetParam());
  EXPECT_EQ(fresh.generation(), committed ? 1u : 0u);
  EXPECT_FALSE(std::filesystem::exists(fresh.journal_path()));
  if (GetParam() == JournalStep::kPagesJournaled) {
    EXPECT_EQ(r.outcome, RecoveryResult::Outcome::kDiscarded);
  }
  if (GetParam() == JournalStep::kJournalRemoved) {
    EXPECT_EQ(r.outcome, RecoveryResult::Outcome::kNothing);
  }
  if (GetParam() == JournalStep::kCommitWritten) {
    EXPECT_EQ(r.outcome, RecoveryResult::Outcome::kReplayed);
    EXPECT_EQ(r.pages, 12u);
  }
  // Recovering again changes nothing (replay is idempotent, the journal is gone).
  Journal again(image);
  EXPECT_EQ(again.recover().outcome, RecoveryResult::Outcome::kNothing);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, JournalCrash,
                         ::testing::Values(JournalStep::kPagesJournaled, JournalStep::kCommitWritten,
                                           JournalStep::kPartiallyApplied, JournalStep::kApplied,
                                           JournalStep::kGenerationSaved, JournalStep::kJournalRemoved),
                         [](const ::testing::TestParamInfo<JournalStep>& step) {
                           std::string n = journal_step_name(step.param);
                           std::erase(n, '-');
                           return n;
                         });

TEST(Journal, ReplayTwiceAfterPartialApplyIsIdempotent) {
  test::TempDir dir;
  const auto image_path = test::write_image(dir.path(), kPages);
  const auto after = WriteBack().expected_image(test::read_file(image_path));
  run_until_crash(image_path, JournalStep::kPartiallyApplied);
  // The recovery itself crashes half-way, then a third instance finishes.
  {
    MemoryImage image(image_path, kPage);
    Journal j(image, [](JournalStep s) {
      if (s == JournalStep::kPartiallyApplied) throw SimulatedCrash{};
    });
    EXPECT_THROW(j.recover(), SimulatedCrash);
  }
  MemoryImage image(image_path, kPage);
  Journal j(image);
  EXPECT_EQ(j.recover().outcome, RecoveryResult::Outcome::kReplayed);
  EXPECT_EQ(test::read_file(image_path), after);
}

// A commit record torn by the crash (the tail of the file missing) or a corrupted data byte: the
// journal is discarded and the image stays as it was.
void damage_and_check(const std::function<void(const std::filesystem::path&)>& damage) {
  test::TempDir dir;
  const auto image_path = test::write_image(dir.path(), kPages);
  const auto before = test::read_file(image_path);
  run_until_crash(image_path, JournalStep::kCommitWritten);
  damage(image_path.string() + ".journal");
  MemoryImage image(image_path, kPage);
  Journal j(image);
  EXPECT_EQ(j.recover().outcome, RecoveryResult::Outcome::kDiscarded);
  EXPECT_EQ(test::read_file(image_path), before);
}

TEST(Journal, TornCommitRecordIsDiscarded) {
  damage_and_check([](const std::filesystem::path& j) {
    std::filesystem::resize_file(j, std::filesystem::file_size(j) - 5);
  });
}

TEST(Journal, CorruptedRecordIsDiscarded) {
  damage_and_check([](const std::filesystem::path& j) {
    std::fstream f(j, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(32 + 40 + 100);  // inside the first record's data
    f.put('\x5A');
  });
}

TEST(Journal, AbortLeavesTheImageAlone) {
  test::TempDir dir;
  const auto image_path = test::write_image(dir.path(), kPages);
  const auto before = test::read_file(image_path);
  MemoryImage image(image_path, kPage);
  Journal j(image);
  j.recover();
  j.begin(1);
  j.append(WriteBack().runs_a());
  j.abort();
  EXPECT_FALSE(std::filesystem::exists(j.journal_path()));
  EXPECT_EQ(test::read_file(image_path), before);
}

}  // namespace
}  // namespace jettison::emu
