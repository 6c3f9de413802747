// A run's output folder appears whole or not at all, as a user sees it through jettison-sim: a run
// killed (SIGKILL) once everything is staged leaves the earlier output byte-identical, or no folder
// when there was none; the next run removes the dead run's staging; a rerun replaces the folder whole
// (files the new run does not write are gone); a folder that is not an earlier output is refused.
// Kills use the documented test hook JETTISON_TEST_PAUSE_BEFORE_COMMIT (sim/output/staged_output.hpp).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::testing {
namespace {

namespace fs = std::filesystem;

// Every file (relative path -> bytes) and folder (relative path -> "<folder>") below `dir`.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(entry.path(), dir).string();
    files[rel] = entry.is_directory() ? "<folder>" : slurp(entry.path());
  }
  return files;
}

// The names that differ between two snapshots (missing, extra, or other bytes): short failure messages.
std::vector<std::string> differences(const std::map<std::string, std::string>& got,
                                     const std::map<std::string, std::string>& want) {
  std::vector<std::string> names;
  for (const auto& [name, bytes] : want) {
    const auto it = got.find(name);
    if (it == got.end())
      names.push_back("missing " + name);
    else if (it->second != bytes)
      names.push_back("changed " + name);
  }
  for (const auto& [name, bytes] : got)
    if (!want.count(name)) names.push_back("extra " + name);
  return names;
}

// summary.json without wall_seconds (the one figure that differs between identical runs).
std::string summary_without_wall(const fs::path& file) {
  auto j = nlohmann::json::parse(slurp(file));
  j.erase("wall_seconds");
  return j.dump(1);
}

struct CliResult {
  int exit_code = -1;
  std::string err;
};

class RunOutput : public ::testing::Test {
 protected:
  // Runs jettison-sim with `args` (each one argument) in the temp folder.
  CliResult sim(const std::vector<std::string>& args) {
    const pid_t pid = start(args, "");
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(err_path())};
  }

  // Starts jettison-sim with the pause hook, waits until it says it is about to commit, and kills it
  // with SIGKILL. Returns the killed process's pid.
  pid_t run_and_kill_before_commit(const std::vector<std::string>& args) {
    const pid_t pid = start(args, "60");
    bool paused = false;
    // Bounded wait for the hook's line (a small scenario stages in well under a second).
    for (int i = 0; i < 6000 && !paused; ++i) {
      paused = slurp(err_path()).find("pausing before commit") != std::string::npos;
      if (!paused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(paused) << "the run never reached the pause hook: " << slurp(err_path());
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    return pid;
  }

  // Entries of the temp folder (or `sub`) whose names hold ".staging-".
  std::vector<std::string> staging_in(const fs::path& folder) const {
    std::vector<std::string> found;
    if (!fs::exists(folder)) return found;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (entry.path().filename().string().find(".staging-") != std::string::npos) {
        found.push_back(fs::relative(entry.path(), dir_.path()).string());
      }
    }
    return found;
  }

  fs::path err_path() const { return logs_.path() / "stderr"; }
  fs::path path(const std::string& name) const { return dir_.path() / name; }

  TempDir dir_;   // where the runs write (holds nothing else)
  TempDir logs_;  // their stderr

 private:
  pid_t start(const std::vector<std::string>& args, const std::string& pause) {
    std::vector<std::string> argv_text{JETTISON_SIM_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    const std::string dir = dir_.path().string();
    const std::string err = err_path().string();
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& a : argv_text) argv.push_back(a.data());
      argv.push_back(nullptr);
      const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int null = ::open("/dev/null", O_WRONLY);
      if (fd < 0 || null < 0 || ::chdir(dir.c_str()) != 0) ::_exit(126);
      ::dup2(fd, STDERR_FILENO);
      ::dup2(null, STDOUT_FILENO);
      if (pause.empty())
        ::unsetenv("JETTISON_TEST_PAUSE_BEFORE_COMMIT");
      else
        ::setenv("JETTISON_TEST_PAUSE_BEFORE_COMMIT", pause.c_str(), 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    EXPECT_GT(pid, 0);
    return pid;
  }
};

const std::vector<std::string> kRun = {"run", "-q", "--set", "desktops.count=3", "--out", "out"};

std::vector<std::string> with(std::vector<std::string> args, std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

TEST_F(RunOutput, KilledRunWithoutEarlierOutputLeavesNoOutputFolder) {
  run_and_kill_before_commit(kRun);
  EXPECT_FALSE(fs::exists(path("out")));
  // Everything was staged (the kill came after the last write), beside the output folder.
  const auto staged = staging_in(dir_.path());
  ASSERT_EQ(staged.size(), 1U);
  EXPECT_TRUE(fs::is_regular_file(path(staged[0]) / "summary.json"));
}

TEST_F(RunOutput, KilledRunLeavesTheEarlierOutputByteIdentical) {
  ASSERT_EQ(sim(kRun).exit_code, 0) << slurp(err_path());
  const auto before = snapshot(path("out"));
  ASSERT_TRUE(before.count("summary.json"));
  run_and_kill_before_commit(with(kRun, {"--set", "seed=9"}));
  EXPECT_EQ(differences(snapshot(path("out")), before), std::vector<std::string>{});
}

TEST_F(RunOutput, NextRunRemovesTheDeadRunsStaging) {
  const pid_t dead = run_and_kill_before_commit(kRun);
  ASSERT_EQ(staging_in(dir_.path()).size(), 1U);
  const CliResult r = sim(kRun);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(staging_in(dir_.path()), std::vector<std::string>{});
  EXPECT_NE(r.err.find(".staging-" + std::to_string(dead) + "-"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_regular_file(path("out") / "summary.json"));
}

TEST_F(RunOutput, RerunReplacesTheWholeFolder) {
  ASSERT_EQ(sim(kRun).exit_code, 0);
  std::ofstream(path("out") / "notes-from-an-older-version.csv") << "old\n";
  fs::create_directories(path("out") / ".staging-12345");  // what older versions left inside
  std::ofstream(path("out") / ".staging-12345" / "periods.csv") << "half";

  const std::vector<std::string> seed2 = {"run", "-q", "--set", "desktops.count=3", "--set", "seed=2"};
  ASSERT_EQ(sim(with(seed2, {"--out", "out"})).exit_code, 0) << slurp(err_path());
  ASSERT_EQ(sim(with(seed2, {"--out", "fresh"})).exit_code, 0) << slurp(err_path());
  auto got = snapshot(path("out"));
  auto want = snapshot(path("fresh"));
  ASSERT_TRUE(got.count("summary.json") && want.count("summary.json"));
  EXPECT_EQ(summary_without_wall(path("out") / "summary.json"),
            summary_without_wall(path("fresh") / "summary.json"));
  got.erase("summary.json");
  want.erase("summary.json");
  // Same names, same bytes: nothing of the earlier output is left.
  EXPECT_EQ(differences(got, want), std::vector<std::string>{});
  EXPECT_EQ(staging_in(dir_.path()), std::vector<std::string>{});
}

TEST_F(RunOutput, RefusesAFolderThatIsNotAnEarlierOutput) {
  fs::create_directories(path("home/photos"));
  std::ofstream(path("home/notes.txt")) << "mine\n";
  std::ofstream(path("home/photos/cat.jpg")) << "meow";
  const auto before = snapshot(path("home"));
  for (const char* command : {"run", "sweep"}) {
    const std::vector<std::string> args =
        std::string(command) == "run"
            ? std::vector<std::string>{"run", "-q", "--set", "desktops.count=2", "--out", "home"}
            : std::vector<std::string>{"sweep",  "-q",       "--set", "desktops.count=2",
                                       "--grid", "seed=1,2", "--out", "home"};
    const CliResult r = sim(args);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(r.err.rfind("jettison-sim: error: --out: 'home' ", 0), 0U) << r.err;
    EXPECT_NE(r.err.find("refusing"), std::string::npos) << r.err;
    EXPECT_EQ(differences(snapshot(path("home")), before), std::vector<std::string>{}) << command;
    EXPECT_EQ(staging_in(dir_.path()), std::vector<std::string>{}) << command;
  }
}

TEST_F(RunOutput, AnEmptyFolderIsAcceptedAndAFileRefused) {
  fs::create_directories(path("empty"));
  ASSERT_EQ(sim({"run", "-q", "--set", "desktops.count=2", "--out", "empty"}).exit_code, 0)
      << slurp(err_path());
  EXPECT_TRUE(fs::is_regular_file(path("empty") / "summary.json"));
  std::ofstream(path("file")) << "x";
  const CliResult r = sim({"run", "-q", "--set", "desktops.count=2", "--out", "file"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("jettison-sim: error: --out: 'file' ", 0), 0U) << r.err;
  EXPECT_EQ(slurp(path("file")), "x");
}

TEST_F(RunOutput, FailedRunCreatesNoFolders) {
  // The scenario fails at run time (files may not grow past 8 KiB, and SIGXFSZ is ignored so the
  // writes fail instead): neither the output folder nor the parent folders made for it remain.
  const int status =
      std::system(("cd '" + dir_.path().string() + "' && (trap '' XFSZ; ulimit -f 8; exec '" +
                   JETTISON_SIM_BINARY + "' run -q --set desktops.count=3 --out a/b/out) 2>/dev/null")
                      .c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  EXPECT_FALSE(fs::exists(path("a")));
}

TEST_F(RunOutput, KilledSweepLeavesNoOutputAndARerunReplacesItWhole) {
  const std::vector<std::string> sweep = {
      "sweep", "-q", "--set", "desktops.count=2", "--grid", "seed=1,2", "--threads", "1", "--out", "out"};
  run_and_kill_before_commit(sweep);
  EXPECT_FALSE(fs::exists(path("out")));

  ASSERT_EQ(sim(sweep).exit_code, 0) << slurp(err_path());
  EXPECT_EQ(staging_in(dir_.path()), std::vector<std::string>{});
  std::ofstream(path("out") / "my-plot.png") << "old";
  const std::vector<std::string> one = {"sweep",  "-q",     "--set", "desktops.count=2",
                                        "--grid", "seed=5", "--out", "out"};
  ASSERT_EQ(sim(one).exit_code, 0) << slurp(err_path());
  EXPECT_FALSE(fs::exists(path("out") / "my-plot.png"));
  EXPECT_TRUE(fs::is_regular_file(path("out") / "sweep.csv"));
  EXPECT_EQ(staging_in(dir_.path()), std::vector<std::string>{});
}

}  // namespace
}  // namespace jettison::testing
