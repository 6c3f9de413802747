#include "sim/mpi/rank_zero_collector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

#include "sim/mpi/rank_failure.hpp"

namespace jettison::sim::mpi {
namespace {

enum class State { kRunning, kDone, kFailed, kStopped };

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown error";
  }
}

}  // namespace

std::vector<Failure> RankZeroCollector::run(
    const std::function<void(const std::atomic<bool>& stop)>& own_share) {
  std::atomic<bool> stop{false};
  std::atomic<bool> own_done{false};
  std::exception_ptr own_error;
  std::thread own([&] {
    try {
      own_share(stop);
    } catch (const Stopped&) {
    } catch (...) {
      own_error = std::current_exception();
    }
    own_done = true;
  });

  std::vector<State> state(static_cast<std::size_t>(comm_.size()), State::kRunning);
  std::vector<Failure> failures;
  auto fail = [&](Failure f) {
    failures.push_back(std::move(f));
    if (stop.exchange(true)) return;
    for (int r = 1; r < comm_.size(); ++r) {
      if (state[static_cast<std::size_t>(r)] == State::kRunning) comm_.send(r, message(Kind::kStop).take());
    }
  };
  auto running = [&] { return std::count(state.begin() + 1, state.end(), State::kRunning) > 0; };
  bool own_reported = false;
  auto pause = std::chrono::microseconds(50);
  while (true) {
    if (own_done && !own_reported) {
      own_reported = true;
      if (own_error) fail({0, 1, what_of(own_error)});
    }
    if (own_reported && !running()) break;
    auto m = comm_.poll();
    if (!m) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(2000));
      continue;
    }
    pause = std::chrono::microseconds(50);
    const std::size_t r = static_cast<std::size_t>(m->source);
    Decoder d(m->bytes);
    const Kind kind = read_kind(d);
    if (kind == Kind::kDone) {
      state[r] = State::kDone;
    } else if (kind == Kind::kStopped) {
      state[r] = State::kStopped;
    } else if (kind == Kind::kFailed) {
      state[r] = State::kFailed;
      const int code = d.get<int>();
      fail({m->source, code, d.get_string()});
    } else if (!stop) {
      try {
        handler_(m->source, kind, d, m->bytes);
      } catch (const std::exception& e) {
        fail({0, 1, e.what()});  // rank 0 could not take what was sent (e.g. its disk is full)
      }
    }
  }
  own.join();
  std::sort(failures.begin(), failures.end(),
            [](const Failure& a, const Failure& b) { return a.rank < b.rank; });
  return failures;
}

void RankZeroCollector::finish(int code) {
  for (int r = 1; r < comm_.size(); ++r) comm_.send(r, message(Kind::kFinish).put(code).take());
}

RankFailure describe(const std::vector<Failure>& failures) {
  std::string what;
  bool all_input = true;
  for (const Failure& f : failures) {
    what += fmt::format("{}rank {} failed: {}", what.empty() ? "" : "\n", f.rank, f.message);
    all_input = all_input && f.exit_code == 2;
  }
  return RankFailure(what, all_input && !failures.empty() ? 2 : 1);
}

}  // namespace jettison::sim::mpi
