// StagedOutput and its parts on their own: which names count as staging, which stale staging goes
// (only exact names of processes that are gone), and a staged folder that appears only at commit,
// replaces an earlier output whole, and leaves nothing (not even the parent folders it made) when
// dropped without commit.
#include "sim/output/staged_output.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/input_error.hpp"
#include "sim/output/stale_staging.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/dead_pid.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::sim {
namespace {

using jettison::testing::dead_pid;

using jettison::testing::slurp;

namespace fs = std::filesystem;

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(StagingName, OnlyTheExactPatternCounts) {
  EXPECT_EQ(staging_name("out", 42, "0123abcd"), "out.staging-42-0123abcd");
  EXPECT_EQ(staging_pid("out", "out.staging-42-0123abcd"), 42);
  EXPECT_EQ(staging_pid("my out", "my out.staging-7-ffffffff"), 7);
  for (const char* other :
       {"out", "out.staging-42", "out.staging-42-", "out.staging--0123abcd", "out.staging-042-0123abcd",
        "out.staging-4x-0123abcd", "out.staging-42-0123ABCD", "out.staging-42-0123abc",
        "out.staging-42-0123abcde", "out.staging-42-0123abcd.bak", "xout.staging-42-0123abcd",
        "other.staging-42-0123abcd", ".staging-42", "out.staging-99999999999-0123abcd"}) {
    EXPECT_FALSE(staging_pid("out", other).has_value()) << other;
  }
  EXPECT_EQ(staging_token().size(), 8U);
}

TEST(StaleStaging, RemovesOnlyDeadProcessesExactNames) {
  testing::TempDir dir;
  const pid_t gone = dead_pid();
  ASSERT_TRUE(process_gone(gone));
  ASSERT_FALSE(process_gone(::getpid()));
  const fs::path dead = dir.path() / staging_name("out", gone, "00000001");
  const fs::path live = dir.path() / staging_name("out", ::getpid(), "00000002");
  const fs::path other_out = dir.path() / staging_name("out2", gone, "00000003");
  const fs::path odd = dir.path() / ("out.staging-" + std::to_string(gone) + "-keepme!!");
  for (const auto& p : {dead, live, other_out, odd}) fs::create_directories(p / "sub");
  std::ofstream(dead / "sub" / "half.csv") << "half";

  const auto removed = remove_stale_staging(dir.path() / "out");
  EXPECT_EQ(removed, std::vector<fs::path>{dead});
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other_out));
  EXPECT_TRUE(fs::exists(odd));
}

TEST(StagedOutput, NothingAtTheOutputBeforeCommitAndNothingLeftWithoutIt) {
  testing::TempDir dir;
  const fs::path out = dir.path() / "a" / "b" / "out";
  {
    StagedOutput staged(out);
    std::ofstream(staged.staged("summary.json")) << "{}";
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(staged.staging_folder().parent_path(), out.parent_path());
    EXPECT_TRUE(fs::is_regular_file(staged.staging_folder() / "summary.json"));
  }
  EXPECT_FALSE(fs::exists(dir.path() / "a"));
  EXPECT_EQ(entries(dir.path()), 0U);
}

TEST(StagedOutput, CommitReplacesAnEarlierOutputWhole) {
  testing::TempDir dir;
  const fs::path out = dir.path() / "out";
  {
    StagedOutput first(out);
    std::ofstream(first.staged("summary.json")) << "1";
    std::ofstream(first.staged("only-in-first.csv")) << "1";
    first.commit();
  }
  EXPECT_EQ(slurp(out / "summary.json"), "1");
  {
    StagedOutput second(out);
    std::ofstream(second.staged("summary.json")) << "2";
    EXPECT_EQ(slurp(out / "summary.json"), "1");
    second.commit();
  }
  EXPECT_EQ(slurp(out / "summary.json"), "2");
  EXPECT_FALSE(fs::exists(out / "only-in-first.csv"));
  EXPECT_EQ(entries(dir.path()), 1U);  // no staging, no old contents left beside it
}

TEST(StagedOutput, AFolderWithOnlyAnOlderVersionsStagingIsReplaced) {
  // Older versions staged inside the output folder; one killed before its first commit left only that.
  testing::TempDir dir;
  dir.write("out/.staging-4242/periods.csv", "half");
  StagedOutput staged(dir.path() / "out");
  std::ofstream(staged.staged("summary.json")) << "{}";
  staged.commit();
  EXPECT_FALSE(fs::exists(dir.path() / "out" / ".staging-4242"));
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "summary.json"));
}

TEST(StagedOutput, RefusesFilesAndForeignFolders) {
  testing::TempDir dir;
  dir.write("file", "x");
  dir.write("home/notes.txt", "mine");
  dir.write("home/.staging-12x/notes.txt", "mine");
  EXPECT_THROW(StagedOutput(dir.path() / "file"), InputError);
  try {
    StagedOutput staged(dir.path() / "home", "--out");
    FAIL() << "a folder with foreign files was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.origin(), "--out");
  }
  EXPECT_EQ(slurp(dir.path() / "home" / "notes.txt"), "mine");
  EXPECT_EQ(entries(dir.path()), 2U);
  // A folder that became foreign after the run started is refused at commit, and left alone.
  const fs::path out = dir.path() / "late";
  StagedOutput staged(out);
  std::ofstream(staged.staged("summary.json")) << "new";
  dir.write("late/notes.txt", "mine");
  EXPECT_THROW(staged.commit(), InputError);
  EXPECT_EQ(slurp(out / "notes.txt"), "mine");
}

}  // namespace
}  // namespace jettison::sim
