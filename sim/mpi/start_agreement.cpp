#include "sim/mpi/start_agreement.hpp"

#include <fmt/format.h>

#include <vector>

#include "sim/mpi/job_message.hpp"
#include "sim/mpi/rank_failure.hpp"

namespace jettison::sim::mpi {

void agree_to_start(Communicator& comm, const RankStatus& mine) {
  if (comm.rank() != 0) {
    comm.send(0, message(Kind::kChecked)
                     .put(mine.exit_code)
                     .put_string(mine.message)
                     .put_string(mine.fingerprint)
                     .take());
    const Message m = comm.receive(0);
    Decoder d(m.bytes);
    const Kind kind = read_kind(d);
    if (kind == Kind::kGo) return;
    throw QuietExit{kind == Kind::kQuit ? d.get<int>() : 1};
  }
  std::vector<RankStatus> all(static_cast<std::size_t>(comm.size()));
  all[0] = mine;
  for (int received = 1; received < comm.size(); ++received) {
    const Message m = comm.receive();
    Decoder d(m.bytes);
    if (read_kind(d) != Kind::kChecked) throw std::runtime_error("MPI: unexpected message before the start");
    RankStatus& s = all[static_cast<std::size_t>(m.source)];
    s.exit_code = d.get<int>();
    s.message = d.get_string();
    s.fingerprint = d.get_string();
  }
  std::string why;
  int code = 0;
  for (std::size_t r = 0; r < all.size() && code == 0; ++r) {
    if (all[r].exit_code != 0) {
      code = all[r].exit_code;
      why = r == 0 ? all[r].message : fmt::format("rank {}: {}", r, all[r].message);
    } else if (all[r].fingerprint != mine.fingerprint) {
      code = 2;
      why = fmt::format(
          "rank {} sees '{}' where rank 0 sees '{}': every host must read the same scenario and trace files",
          r, all[r].fingerprint, mine.fingerprint);
    }
  }
  for (int r = 1; r < comm.size(); ++r)
    comm.send(r, code == 0 ? message(Kind::kGo).take() : message(Kind::kQuit).put(code).take());
  if (code != 0) throw RankFailure(why, code);
}

}  // namespace jettison::sim::mpi
