#include "sim/sweep/distributed_sweep.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>

#include "common/input_error.hpp"
#include "sim/mpi/folder_shipping.hpp"
#include "sim/mpi/job_message.hpp"
#include "sim/mpi/rank_failure.hpp"
#include "sim/mpi/rank_zero_collector.hpp"
#include "sim/mpi/start_agreement.hpp"
#include "sim/mpi/termination_cleanup.hpp"
#include "sim/mpi/work_folder.hpp"
#include "sim/mpi/worker_link.hpp"
#include "sim/output/staged_output.hpp"
#include "sim/sweep/parallel_for.hpp"
#include "sim/sweep/progress_bar.hpp"
#include "sim/sweep/sweep_point.hpp"

namespace jettison::sim {
namespace {

namespace fs = std::filesystem;
using mpi::Kind;

constexpr Kind kPoint = Kind::kItem;  // a point's figures, then its files
constexpr Kind kPointEnd = static_cast<Kind>(static_cast<int>(Kind::kItem) + 1);  // its last file was sent

static_assert(std::is_trivially_copyable_v<StrategyFigures>, "StrategyFigures travel between ranks as bytes");

void encode(mpi::Encoder& e, const SweepPointResult& r) {
  e.put_string(r.folder).put<std::uint64_t>(r.strategies.size());
  for (const auto& [name, figures] : r.strategies) e.put_string(name).put(figures);
  e.put<std::uint8_t>(r.partial_oracle.has_value());
  if (r.partial_oracle) e.put(*r.partial_oracle);
  e.put(r.wall_seconds);
}

SweepPointResult decode(mpi::Decoder& d) {
  SweepPointResult r;
  r.folder = d.get_string();
  for (auto n = d.get<std::uint64_t>(); n > 0; --n) {
    std::string name = d.get_string();
    r.strategies.emplace_back(std::move(name), d.get<StrategyFigures>());
  }
  if (d.get<std::uint8_t>()) r.partial_oracle = d.get<StrategyFigures>();
  r.wall_seconds = d.get<double>();
  return r;
}

// The points of `rank`: p mod ranks == rank, in order.
std::vector<std::size_t> points_of(int rank, int ranks, std::size_t n) {
  std::vector<std::size_t> mine;
  for (std::size_t p = static_cast<std::size_t>(rank); p < n; p += static_cast<std::size_t>(ranks))
    mine.push_back(p);
  return mine;
}

// The status of a rank's check for agree_to_start: InputError is bad input (2), anything else 1.
template <typename Check>
mpi::RankStatus checked(Check check) {
  mpi::RankStatus status;
  try {
    check();
  } catch (const InputError& e) {
    status = {2, e.what(), {}};
  } catch (const std::exception& e) {
    status = {1, e.what(), {}};
  }
  return status;
}

void run_worker_share(const SweepInput& in, const std::vector<std::size_t>& mine, unsigned threads,
                      mpi::Communicator& comm) {
  mpi::WorkerLink link(comm);
  std::exception_ptr error;
  try {
    mpi::WorkFolder work(comm.rank());
    parallel_for(mine.size(), threads, [&](std::size_t i) {
      link.throw_if_stopped();
      mpi::fail_if_asked(comm.rank());
      const std::size_t p = mine[i];
      const fs::path folder = work.path() / point_path(in.grid, p);
      const SweepPointResult result = run_point(in, p, folder);
      {
        auto lock = link.item_lock();
        mpi::Encoder e = mpi::message(kPoint);
        e.put<std::uint64_t>(p);
        encode(e, result);
        comm.send(0, e.take());
        mpi::send_folder(comm, 0, folder);
        comm.send(0, mpi::message(kPointEnd).take());
      }
      fs::remove_all(folder);
    });
  } catch (...) {
    error = std::current_exception();
  }
  const int code = link.report_and_wait(error);
  if (code != 0) throw mpi::QuietExit{code};
}

}  // namespace

SweepReport run_sweep_on_ranks(const SweepInput& in, const SweepOptions& options, mpi::Communicator& comm) {
  const auto t0 = std::chrono::steady_clock::now();
  const int rank = comm.rank();
  const std::size_t n = in.grid.size();
  const std::vector<std::size_t> mine = points_of(rank, comm.size(), n);
  SweepReport report;
  report.points = n;
  report.ranks = static_cast<unsigned>(comm.size());
  // The host's cores shared out among its ranks, unless --threads says otherwise.
  const unsigned per_rank =
      options.threads ? options.threads
                      : std::max(1U, std::max(1U, std::thread::hardware_concurrency()) /
                                         static_cast<unsigned>(std::max(1, comm.ranks_on_this_host())));
  report.threads = thread_count(per_rank, mine.size());

  std::optional<Scenario> base;
  std::unique_ptr<StagedOutput> staged;
  mpi::RankStatus status = checked([&] {
    ProgressBar bar("checking", n, options.progress && rank == 0);
    base = check_sweep(in, thread_count(per_rank, n), [&bar] { bar.point_done(); });
    if (rank == 0) staged = std::make_unique<StagedOutput>(options.out);
  });
  status.fingerprint = fmt::format("a sweep of {} points", n);
  mpi::agree_to_start(comm, status);

  if (rank != 0) {
    run_worker_share(in, mine, report.threads, comm);
    return report;
  }

  const mpi::TerminationCleanup::Guard cleanup(staged->staging_folder());
  std::vector<SweepPointResult> results(n);
  std::vector<mpi::FolderReceiver> receivers(static_cast<std::size_t>(comm.size()));
  std::vector<mpi::Failure> failures;
  {
    ProgressBar bar("sweep", n, options.progress);
    mpi::RankZeroCollector collector(comm, [&](int source, Kind kind, mpi::Decoder& d, const mpi::Bytes& m) {
      mpi::FolderReceiver& receiver = receivers[static_cast<std::size_t>(source)];
      if (kind == kPoint) {
        const auto p = d.get<std::uint64_t>();
        if (p >= n || p % static_cast<std::size_t>(comm.size()) != static_cast<std::size_t>(source))
          throw std::runtime_error(fmt::format("MPI: rank {} sent point {}, not one of its own", source, p));
        results[p] = decode(d);
        receiver.set_root(staged->staged(results[p].folder));
      } else if (kind == Kind::kFile) {
        receiver.begin_file(d);
      } else if (kind == Kind::kChunk) {
        receiver.chunk(m);
      } else if (kind == kPointEnd) {
        bar.point_done();
      } else {
        throw std::runtime_error(fmt::format("MPI: unexpected message from rank {}", source));
      }
    });
    failures = collector.run([&](const std::atomic<bool>& stop) {
      parallel_for(mine.size(), report.threads, [&](std::size_t i) {
        if (stop) throw mpi::Stopped{};
        mpi::fail_if_asked(0);
        const std::size_t p = mine[i];
        results[p] = run_point(in, p, staged->staged(point_path(in.grid, p)));
        bar.point_done();
      });
    });
    if (!failures.empty()) {
      const mpi::RankFailure failure = mpi::describe(failures);
      collector.finish(failure.code());
      throw failure;  // the staging folder goes with `staged`
    }
    for (const auto& r : results) report.rows += r.strategies.size();
    report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    try {
      write_sweep_files(*staged, *base, in, results, report);
      staged->commit();
    } catch (...) {
      collector.finish(1);
      throw;
    }
    collector.finish(0);
  }
  return report;
}

}  // namespace jettison::sim
