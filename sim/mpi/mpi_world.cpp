// The Communicator over MPI_COMM_WORLD (built only when CMake finds MPI: JETTISON_HAVE_MPI).
#include <fmt/format.h>
#include <mpi.h>

#include <climits>
#include <mutex>
#include <stdexcept>

#include "sim/mpi/communicator.hpp"
#include "sim/mpi/termination_cleanup.hpp"

namespace jettison::sim::mpi {
namespace {

constexpr int kTag = 15;

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw std::runtime_error(fmt::format("MPI: {} failed: {}", what, std::string(text, length)));
}

class MpiWorld final : public Communicator {
 public:
  MpiWorld() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised) throw std::runtime_error("MPI: initialised twice");
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      throw std::runtime_error(
          "MPI: this MPI library does not allow calls from several threads (MPI_THREAD_SERIALIZED)");
    }
    // Errors come back as codes (turned into exceptions) instead of ending the job on the spot.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm host;
    check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &host),
          "MPI_Comm_split_type");
    MPI_Comm_size(host, &on_host_);
    MPI_Comm_free(&host);
    if (size_ > 1) TerminationCleanup::install(rank_);
  }
  ~MpiWorld() override {
    std::lock_guard lock(mu_);
    MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int ranks_on_this_host() const override { return on_host_; }

  void send(int dest, const Bytes& bytes) override {
    if (bytes.size() > kMaxMessageBytes) throw std::logic_error("MPI message too long");
    std::lock_guard lock(mu_);
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, dest, kTag, MPI_COMM_WORLD),
          "MPI_Send");
  }

  std::optional<Message> poll(int source) override {
    std::lock_guard lock(mu_);
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, kTag, MPI_COMM_WORLD, &flag, &status),
          "MPI_Iprobe");
    if (!flag) return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    Message m;
    m.source = status.MPI_SOURCE;
    m.bytes.resize(static_cast<std::size_t>(count));
    check(
        MPI_Recv(m.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
    return m;
  }

  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::abort();  // MPI_Abort does not return
  }

 private:
  std::mutex mu_;
  int rank_ = 0;
  int size_ = 1;
  int on_host_ = 1;
};

}  // namespace

bool mpi_available() { return true; }

std::unique_ptr<Communicator> open_world(const LaunchEnv&) { return std::make_unique<MpiWorld>(); }

}  // namespace jettison::sim::mpi
