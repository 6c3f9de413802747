#include "sim/mpi/distributed_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "common/input_error.hpp"
#include "sim/mpi/job_message.hpp"
#include "sim/mpi/rank_failure.hpp"
#include "sim/mpi/rank_zero_collector.hpp"
#include "sim/mpi/start_agreement.hpp"
#include "sim/mpi/termination_cleanup.hpp"
#include "sim/mpi/worker_link.hpp"
#include "sim/output/output_estimate.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/run/item_queue.hpp"
#include "sim/run/sharded_run.hpp"

namespace jettison::sim::mpi {
namespace {

constexpr Kind kItems = Kind::kItem;                                              // a batch of items
constexpr Kind kShardEnd = static_cast<Kind>(static_cast<int>(Kind::kItem) + 1);  // the shard's figures
constexpr std::size_t kBatchBytes = std::size_t{1} << 20;

enum class State { kRunning, kDone, kFailed, kStopped };

// Rank 0's view of the other ranks: which are still at work, and what failed where.
struct Ranks {
  explicit Ranks(int n) : state(static_cast<std::size_t>(n), State::kRunning) { state[0] = State::kDone; }
  std::vector<State> state;
  std::vector<Failure> failures;
  std::atomic<bool> abandoned{false};  // stop merging: some shard failed
};

// A remote rank failed (its failure is in Ranks): unwinds rank 0's merge.
struct RemoteFailed {};

int code_of(const std::exception_ptr& e, std::string& what) {
  try {
    std::rethrow_exception(e);
  } catch (const InputError& x) {
    what = x.what();
    return 2;
  } catch (const std::exception& x) {
    what = x.what();
  } catch (...) {
    what = "unknown error";
  }
  return 1;
}

// Takes a report (kDone, kFailed, kStopped) from `m` into `ranks`; false for any other message.
bool take_report(const Message& m, Ranks& ranks) {
  Decoder d(m.bytes);
  const Kind kind = read_kind(d);
  State& state = ranks.state[static_cast<std::size_t>(m.source)];
  if (kind == Kind::kDone) {
    state = State::kDone;
  } else if (kind == Kind::kStopped) {
    state = State::kStopped;
  } else if (kind == Kind::kFailed) {
    state = State::kFailed;
    const int code = d.get<int>();
    ranks.failures.push_back({m.source, code, d.get_string()});
  } else {
    return false;
  }
  return true;
}

bool any_running(const Ranks& ranks) {
  for (const State s : ranks.state)
    if (s == State::kRunning) return true;
  return false;
}

// After a failure: asks every rank still at work to stop, and takes (and drops) what they send
// until each has reported.
void stop_and_drain(Communicator& comm, Ranks& ranks) {
  for (int r = 1; r < comm.size(); ++r) {
    if (ranks.state[static_cast<std::size_t>(r)] == State::kRunning)
      comm.send(r, message(Kind::kStop).take());
  }
  while (any_running(ranks)) take_report(comm.receive(), ranks);
}

// Rank k's items as they come, for merge_items.
class RemoteSource final : public ItemSource {
 public:
  RemoteSource(Communicator& comm, int rank, Ranks& ranks) : comm_(comm), rank_(rank), ranks_(ranks) {}
  bool next(ShardItem& item) override {
    while (view_.empty()) {
      if (ended_) return false;
      if (ranks_.abandoned) throw RemoteFailed{};
      const Message m = comm_.receive(rank_);
      Decoder d(m.bytes);
      const Kind kind = read_kind(d);
      if (kind == kItems) {
        batch_ = d.get_string();
        view_ = batch_;
      } else if (kind == kShardEnd) {
        const std::string bytes = d.get_string();
        std::string_view v = bytes;
        decode(v, part_);
        ended_ = true;
      } else if (take_report(m, ranks_)) {
        ranks_.abandoned = true;
        throw RemoteFailed{};
      } else {
        throw std::runtime_error(fmt::format("MPI: unexpected message from rank {}", rank_));
      }
    }
    decode(view_, item);
    return true;
  }
  const ShardResult& part() const { return part_; }

 private:
  Communicator& comm_;
  int rank_;
  Ranks& ranks_;
  std::string batch_;
  std::string_view view_;
  ShardResult part_;
  bool ended_ = false;
};

// A working rank's items, sent to rank 0 in batches; checks for rank 0's request to stop between them.
class BatchSink final : public RecordSink {
 public:
  explicit BatchSink(WorkerLink& link) : link_(link) {}
  void put(ShardItem&& item) override {
    encode(item, buffer_);
    if (buffer_.size() >= kBatchBytes) flush();
  }
  void flush() {
    link_.throw_if_stopped();
    if (buffer_.empty()) return;
    link_.comm().send(0, message(kItems).put_string(buffer_).take());
    buffer_.clear();
  }

 private:
  WorkerLink& link_;
  std::string buffer_;
};

void run_worker_shards(const Scenario& s, const ShardPlan& plan, Communicator& comm) {
  WorkerLink link(comm);
  std::exception_ptr error;
  const auto shard = static_cast<unsigned>(comm.rank());
  if (plan.shardable && shard < plan.shards) {
    try {
      fail_if_asked(comm.rank());
      for (const std::string& strategy : s.strategies) {
        BatchSink sink(link);
        const ShardResult part = run_shard(s, strategy, plan, shard, sink);
        sink.flush();
        std::string bytes;
        encode(part, bytes);
        comm.send(0, message(kShardEnd).put_string(bytes).take());
      }
    } catch (...) {
      error = std::current_exception();
    }
  }
  const int code = link.report_and_wait(error);
  if (code != 0) throw QuietExit{code};
}

// Rank 0's run of one strategy: shard 0 on a thread, the other shards' items from their ranks.
StrategyResult merge_strategy(const Scenario& s, const std::string& strategy, const ShardPlan& plan,
                              OutputFile* periods, OutputFile* timeline, const Progress& progress,
                              Communicator& comm, Ranks& ranks) {
  ItemQueue own;
  ShardResult own_part;
  std::exception_ptr own_error;
  std::thread thread([&] {
    try {
      fail_if_asked(0);
      own_part = run_shard(s, strategy, plan, 0, own, progress);
      own.close();
    } catch (const RunAbandoned&) {
    } catch (...) {
      own_error = std::current_exception();
      ranks.abandoned = true;
      own.abandon();
    }
  });
  std::vector<std::unique_ptr<RemoteSource>> remotes;
  std::vector<ItemSource*> sources{&own};
  for (unsigned k = 1; k < plan.shards; ++k) {
    remotes.push_back(std::make_unique<RemoteSource>(comm, static_cast<int>(k), ranks));
    sources.push_back(remotes.back().get());
  }
  ShardMerger merger(s, strategy, periods, timeline);
  std::exception_ptr merge_error;
  try {
    merge_items(sources, merger);
  } catch (...) {
    merge_error = std::current_exception();
    ranks.abandoned = true;
    own.abandon();
  }
  thread.join();
  if (own_error) std::rethrow_exception(own_error);
  if (merge_error) std::rethrow_exception(merge_error);
  std::vector<ShardResult> parts{own_part};
  for (const auto& r : remotes) parts.push_back(r->part());
  return merger.finish(parts);
}

}  // namespace

RankRun run_on_ranks(const std::function<Scenario()>& load,
                     const std::function<std::filesystem::path(const Scenario&)>& out_of, RunOptions options,
                     Communicator& comm) {
  RankRun run;
  ShardPlan plan;
  RankStatus status;
  try {
    run.scenario = load();
    plan = plan_shards(*run.scenario, static_cast<unsigned>(comm.size()));
    options.out = out_of(*run.scenario);
    if (comm.rank() == 0) {
      check_output_budget(*run.scenario);
      StagedOutput check(options.out);  // a bad --out is found now; the run stages its own
    }
  } catch (const InputError& e) {
    status = {2, e.what(), {}};
  } catch (const std::exception& e) {
    status = {1, e.what(), {}};
  }
  if (run.scenario) {
    status.fingerprint = fmt::format("{} desktops, strategies {}, {} shards", run.scenario->desktops.size(),
                                     fmt::join(run.scenario->strategies, ","), plan.shards);
  }
  agree_to_start(comm, status);
  const Scenario& s = *run.scenario;
  run.sharded = plan.shardable && plan.shards > 1;

  if (comm.rank() != 0) {
    run_worker_shards(s, plan, comm);
    return run;
  }
  if (!run.sharded) {
    fmt::print(stderr,
               "jettison-sim: not sharded over {} MPI ranks: {}; rank 0 runs the whole scenario, the other "
               "ranks wait\n",
               comm.size(), plan.shardable ? "one desktop" : plan.serial_reason);
  }
  Ranks ranks(comm.size());
  const TerminationCleanup::Guard cleanup(options.out, true);
  if (run.sharded) {
    options.threads = 1;  // strategies one after another, as the other ranks run them
    options.shards = static_cast<unsigned>(comm.size());
    options.sharded_runner = [&](const std::string& strategy, const ShardPlan& p, OutputFile* periods,
                                 OutputFile* timeline, Progress progress) {
      return merge_strategy(s, strategy, p, periods, timeline, progress, comm, ranks);
    };
  }
  std::exception_ptr error;
  try {
    run.report = run_scenario(s, options);  // its staging folder is gone if it throws
  } catch (const RemoteFailed&) {
  } catch (...) {
    error = std::current_exception();
  }
  if (error) {
    std::string what;
    const int code = code_of(error, what);
    ranks.failures.push_back({0, code, what});
  }
  if (ranks.failures.empty()) {
    while (any_running(ranks)) {
      const Message m = comm.receive();
      if (!take_report(m, ranks))
        throw std::runtime_error(fmt::format("MPI: unexpected message from rank {}", m.source));
    }
  }
  if (!ranks.failures.empty()) stop_and_drain(comm, ranks);
  RankZeroCollector collector(comm, {});
  if (ranks.failures.empty()) {
    collector.finish(0);
    return run;
  }
  std::sort(ranks.failures.begin(), ranks.failures.end(),
            [](const Failure& a, const Failure& b) { return a.rank < b.rank; });
  const RankFailure failure = describe(ranks.failures);
  collector.finish(failure.code());
  throw failure;
}

}  // namespace jettison::sim::mpi
