#include "sim/mpi/worker_link.hpp"

#include "common/input_error.hpp"
#include "sim/mpi/rank_failure.hpp"

namespace jettison::sim::mpi {

void WorkerLink::throw_if_stopped() {
  std::lock_guard lock(poll_mu_);
  // Before the end of the share, rank 0 sends nothing but kStop.
  while (!stopped_) {
    auto m = comm_.poll(0);
    if (!m) break;
    Decoder d(m->bytes);
    stopped_ = read_kind(d) == Kind::kStop;
  }
  if (stopped_) throw Stopped{};
}

int WorkerLink::report_and_wait(const std::exception_ptr& error) {
  Encoder report = message(Kind::kDone);
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const Stopped&) {
      report = message(Kind::kStopped);
    } catch (const InputError& e) {
      report = message(Kind::kFailed).put(2).put_string(e.what());
    } catch (const std::exception& e) {
      report = message(Kind::kFailed).put(1).put_string(e.what());
    } catch (...) {
      report = message(Kind::kFailed).put(1).put_string("unknown error");
    }
  }
  comm_.send(0, report.take());
  while (true) {
    const Message m = comm_.receive(0);
    Decoder d(m.bytes);
    if (read_kind(d) == Kind::kFinish) return d.get<int>();  // a late kStop is skipped
  }
}

}  // namespace jettison::sim::mpi
