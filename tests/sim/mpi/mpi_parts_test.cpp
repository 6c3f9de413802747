// The parts of sim/mpi/ without MPI: which launcher started us, messages as bytes, a folder shipped
// to rank 0 byte for byte, the start agreement and rank 0's collection, over an in-process world
// whose "ranks" are threads.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "sim/mpi/byte_codec.hpp"
#include "sim/mpi/folder_shipping.hpp"
#include "sim/mpi/job_message.hpp"
#include "sim/mpi/launch_env.hpp"
#include "sim/mpi/rank_failure.hpp"
#include "sim/mpi/rank_zero_collector.hpp"
#include "sim/mpi/start_agreement.hpp"
#include "sim/mpi/worker_link.hpp"
#include "tests/support/csv_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace jettison::sim::mpi {
namespace {

namespace fs = std::filesystem;

// Ranks as threads of this process: one inbox per rank, messages kept in the order sent.
struct Hub {
  explicit Hub(int n) : inbox(static_cast<std::size_t>(n)) {}
  std::mutex mu;
  std::vector<std::deque<Message>> inbox;
};

class ThreadRank final : public Communicator {
 public:
  ThreadRank(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return static_cast<int>(hub_.inbox.size()); }
  int ranks_on_this_host() const override { return size(); }
  void send(int dest, const Bytes& bytes) override {
    std::lock_guard lock(hub_.mu);
    hub_.inbox[static_cast<std::size_t>(dest)].push_back({rank_, bytes});
  }
  std::optional<Message> poll(int source) override {
    std::lock_guard lock(hub_.mu);
    auto& box = hub_.inbox[static_cast<std::size_t>(rank_)];
    for (auto it = box.begin(); it != box.end(); ++it) {
      if (source >= 0 && it->source != source) continue;
      Message m = std::move(*it);
      box.erase(it);
      return m;
    }
    return std::nullopt;
  }
  [[noreturn]] void abort(int) override { std::abort(); }

 private:
  Hub& hub_;
  int rank_;
};

TEST(LaunchEnv, PlainProcessIsNotLaunched) {
  const LaunchEnv env = detect_launch([](const char*) -> const char* { return nullptr; });
  EXPECT_FALSE(env.launched);
}

TEST(LaunchEnv, ReadsOpenMpiAndPmixVariables) {
  std::map<std::string, std::string> vars = {{"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_RANK", "3"}};
  auto get = [&vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
  LaunchEnv env = detect_launch(get);
  EXPECT_TRUE(env.launched);
  EXPECT_EQ(env.size, 4);
  EXPECT_EQ(env.rank, 3);
  EXPECT_EQ(env.variable, "OMPI_COMM_WORLD_SIZE=4");

  vars = {{"PMIX_RANK", "1"}};  // srun --mpi=pmix: a rank, no size
  env = detect_launch(get);
  EXPECT_TRUE(env.launched);
  EXPECT_EQ(env.rank, 1);
  EXPECT_EQ(env.size, 0);
}

TEST(ByteCodec, RoundTripsInOrderAndRefusesTruncatedMessages) {
  struct Plain {
    double a;
    std::uint64_t b;
  };
  Encoder e;
  e.put(Plain{0.1 + 0.2, 7}).put_string("points/000-a=b").put<int>(-3).put_string("");
  const Bytes bytes = e.take();
  Decoder d(bytes);
  const auto p = d.get<Plain>();
  EXPECT_EQ(p.a, 0.1 + 0.2);  // bit for bit
  EXPECT_EQ(p.b, 7U);
  EXPECT_EQ(d.get_string(), "points/000-a=b");
  EXPECT_EQ(d.get<int>(), -3);
  EXPECT_EQ(d.get_string(), "");
  EXPECT_TRUE(d.done());
  EXPECT_THROW(d.get<int>(), std::runtime_error);

  const Bytes cut(bytes.begin(), bytes.begin() + 20);  // inside the string
  Decoder short_one(cut);
  short_one.get<Plain>();
  EXPECT_THROW(short_one.get_string(), std::runtime_error);
}

TEST(FolderShipping, RebuildsEveryFileByteForByte) {
  testing::TempDir dir;
  const fs::path from = dir.path() / "from";
  std::string big(kChunkBytes + 12345, '\0');  // more than one chunk
  std::mt19937 random(15);
  for (char& c : big) c = static_cast<char>(random());
  dir.write("from/periods.csv", big);
  dir.write("from/empty.csv", "");
  dir.write("from/nested/summary.json", "{}\n");

  Hub hub(2);
  ThreadRank zero(hub, 0), one(hub, 1);
  EXPECT_EQ(send_folder(one, 0, from), 3U);
  FolderReceiver receiver;
  receiver.set_root(dir.path() / "to");
  std::size_t chunks = 0;
  while (auto m = zero.poll(-1)) {
    Decoder d(m->bytes);
    const Kind kind = read_kind(d);
    if (kind == Kind::kFile) {
      receiver.begin_file(d);
    } else {
      ASSERT_EQ(kind, Kind::kChunk);
      receiver.chunk(m->bytes);
      ++chunks;
    }
  }
  EXPECT_TRUE(receiver.idle());
  EXPECT_EQ(chunks, 3U);  // two for the big file, one for summary.json, none for the empty one
  EXPECT_TRUE(testing::slurp(dir.path() / "to/periods.csv") == big);
  EXPECT_TRUE(fs::exists(dir.path() / "to/empty.csv"));
  EXPECT_EQ(fs::file_size(dir.path() / "to/empty.csv"), 0U);
  EXPECT_EQ(testing::slurp(dir.path() / "to/nested/summary.json"), "{}\n");
}

TEST(FolderShipping, RefusesPathsOutsideTheOutput) {
  testing::TempDir dir;
  FolderReceiver receiver;
  receiver.set_root(dir.path() / "to");
  const Bytes m = message(Kind::kFile).put_string("../escape.csv").put<std::uint64_t>(0).take();
  Decoder d(m);
  read_kind(d);
  EXPECT_THROW(receiver.begin_file(d), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir.path() / "escape.csv"));
}

// Runs fn(comm) for every rank of a world of `n` threads; returns each rank's outcome: "ok", the
// RankFailure's code and message, or "quiet <code>".
std::vector<std::string> on_ranks(int n, const std::function<void(Communicator&)>& fn) {
  Hub hub(n);
  std::vector<std::string> outcome(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] {
      ThreadRank comm(hub, r);
      std::string& o = outcome[static_cast<std::size_t>(r)];
      try {
        fn(comm);
        o = "ok";
      } catch (const RankFailure& e) {
        o = std::to_string(e.code()) + " " + e.what();
      } catch (const QuietExit& e) {
        o = "quiet " + std::to_string(e.code);
      }
    });
  }
  for (auto& t : threads) t.join();
  return outcome;
}

TEST(StartAgreement, AllGoWhenAllAreReady) {
  const auto outcome = on_ranks(3, [](Communicator& c) { agree_to_start(c, {0, "", "4 points"}); });
  EXPECT_EQ(outcome, (std::vector<std::string>{"ok", "ok", "ok"}));
}

TEST(StartAgreement, OneRankNotReadyStopsAllAndRankZeroNamesIt) {
  const auto outcome = on_ranks(3, [](Communicator& c) {
    RankStatus s{0, "", "4 points"};
    if (c.rank() == 2) s = {2, "scenario.yaml:3: key: bad", "4 points"};
    agree_to_start(c, s);
  });
  EXPECT_EQ(outcome, (std::vector<std::string>{"2 rank 2: scenario.yaml:3: key: bad", "quiet 2", "quiet 2"}));
}

TEST(StartAgreement, RanksThatSeeAnotherJobAreBadInput) {
  const auto outcome = on_ranks(2, [](Communicator& c) {
    agree_to_start(c, {0, "", c.rank() == 0 ? "4 points" : "6 points"});
  });
  EXPECT_EQ(outcome[1], "quiet 2");
  EXPECT_EQ(outcome[0].rfind("2 rank 1 sees '6 points' where rank 0 sees '4 points'", 0), 0U) << outcome[0];
}

// Each working rank sends `items` items (kItem with its rank and a number) unless it is `failing`,
// which fails after its first; rank 0 counts what it gets and its own share waits for the stop.
TEST(RankZeroCollector, GathersItemsAndStopsEveryRankAfterAFailure) {
  for (const int failing : {-1, 2}) {
    std::map<int, int> items_from;
    bool own_share_stopped = false;
    const auto outcome = on_ranks(3, [&](Communicator& c) {
      if (c.rank() == 0) {
        RankZeroCollector collector(c, [&](int source, Kind kind, Decoder& d, const Bytes&) {
          ASSERT_EQ(kind, Kind::kItem);
          EXPECT_EQ(d.get<int>(), source);
          ++items_from[source];
        });
        const auto failures = collector.run([&](const std::atomic<bool>& stop) {
          if (failing < 0) return;
          while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          own_share_stopped = true;
          throw Stopped{};
        });
        const RankFailure f = describe(failures);
        collector.finish(failures.empty() ? 0 : f.code());
        if (!failures.empty()) throw f;
        return;
      }
      WorkerLink link(c);
      std::exception_ptr error;
      try {
        for (int i = 0; i < 1000; ++i) {
          link.throw_if_stopped();
          c.send(0, message(Kind::kItem).put(c.rank()).take());
          if (c.rank() == failing) throw std::runtime_error("point 2 (x=1): disk full");
          if (failing >= 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));  // until stopped
          if (failing < 0 && i == 9) break;
        }
      } catch (...) {
        error = std::current_exception();
      }
      const int code = link.report_and_wait(error);
      if (code != 0) throw QuietExit{code};
    });
    if (failing < 0) {
      EXPECT_EQ(outcome, (std::vector<std::string>{"ok", "ok", "ok"}));
      EXPECT_EQ(items_from[1], 10);
      EXPECT_EQ(items_from[2], 10);
    } else {
      EXPECT_EQ(outcome, (std::vector<std::string>{"1 rank 2 failed: point 2 (x=1): disk full", "quiet 1",
                                                   "quiet 1"}));
      EXPECT_TRUE(own_share_stopped);
      EXPECT_LT(items_from[1], 1000);  // rank 1 stopped early
    }
  }
}

}  // namespace
}  // namespace jettison::sim::mpi
