// The desktop VM's controller with its record (a fake VM behind the DesktopVm seam): every transition
// rewrites vm.json, go-idle writes the epoch's state before the phase says remote, close() keeps a VM
// that is away and clears one that ran here, an adopted remote VM continues at its epoch, take-back
// without a process loads the saved state into a new one, and a take-back after the server's pages
// were committed into the RAM file is refused (the VM stays remote).
#include "emu/agent/vm_controller.hpp"

#include <gtest/gtest.h>

#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

const std::vector<std::byte> kState(100, std::byte{0x5A});

// A VM whose "process" is a pid number; it records what it was asked to do.
class FakeVm final : public DesktopVm {
 public:
  std::string_view backend() const override { return "fake"; }
  std::uint64_t ram_bytes() const override { return 1 << 20; }
  const std::filesystem::path& ram_file() const override { return ram_; }
  std::string description() const override { return "fake-vm"; }
  std::vector<std::byte> migrate_out(Duration) override {
    paused = true;
    return kState;
  }
  void resume_here(Duration) override {
    if (pid < 0) throw VmError("no process");
    paused = false;
    ++resumed;
  }
  void migrate_in(std::span<const std::byte> state, Duration) override {
    loaded.assign(state.begin(), state.end());
    pid = 2000;
    paused = false;
    instance_changed();
  }
  bool running() const override { return pid > 0 && !paused; }
  void shutdown() override { shut_down = true; }
  void detach() override { detached = true; }
  VmInstance instance() const override { return {pid, "/run/fake/qmp.sock"}; }

  int pid = 1000;
  bool paused = false, shut_down = false, detached = false;
  int resumed = 0;
  std::vector<std::byte> loaded;

 private:
  std::filesystem::path ram_ = "/dev/shm/jettison-fake.ram";
};

struct Fixture {
  test::TempDir dir;
  std::shared_ptr<const VmRecordStore> store = std::make_shared<VmRecordStore>(dir.path() / "vm");
  std::uint64_t generation = 4;
  FakeVm* vm = nullptr;

  std::unique_ptr<VmController> make(std::optional<VmResume> resume = std::nullopt) {
    auto owned = std::make_unique<FakeVm>();
    vm = owned.get();
    VmControllerOptions o;
    o.record = store;
    o.ram_generation = [this]() -> std::optional<std::uint64_t> { return generation; };
    return std::make_unique<VmController>(std::move(owned), std::move(o), std::move(resume));
  }
};

TEST(VmControllerRecord, GoIdleWritesTheStateThenTheRemoteRecord) {
  Fixture f;
  auto c = f.make();
  EXPECT_EQ(f.store->load()->phase, VmState::kRunningLocal);
  EXPECT_EQ(c->go_idle(), kState.size());
  const VmRecord r = *f.store->load();
  EXPECT_EQ(r.phase, VmState::kRemote);
  EXPECT_EQ(r.epoch, 1u);
  EXPECT_EQ(r.pid, 1000);
  EXPECT_EQ(r.qmp_socket, "/run/fake/qmp.sock");
  EXPECT_EQ(r.ram_file, "/dev/shm/jettison-fake.ram");
  EXPECT_EQ(r.description, "fake-vm");
  EXPECT_EQ(r.ram_generation, std::optional<std::uint64_t>(4));
  EXPECT_GT(r.migrated_unix_ms, 0);
  EXPECT_EQ(f.store->load_state(1), kState);
  c->user_returned();
  EXPECT_TRUE(f.store->load()->user_returned);
  // The agent exits while the VM is away: the VM and its record stay.
  c->close();
  EXPECT_TRUE(f.vm->detached);
  EXPECT_FALSE(f.vm->shut_down);
  EXPECT_EQ(f.store->load()->phase, VmState::kRemote);
  EXPECT_TRUE(f.store->has_state(1));
}

TEST(VmControllerRecord, CloseWhileRunningHereStopsTheVmAndClearsTheRecord) {
  Fixture f;
  auto c = f.make();
  c->go_idle();
  c->take_back("test");
  EXPECT_EQ(f.vm->resumed, 1);
  EXPECT_EQ(f.store->load()->phase, VmState::kRunningLocal);
  c->close();
  EXPECT_TRUE(f.vm->shut_down);
  EXPECT_FALSE(f.store->load().has_value());
  EXPECT_FALSE(f.store->has_state(1));
}

TEST(VmControllerRecord, AnAdoptedRemoteVmContinuesAtItsEpochAndTakeBackLoadsTheSavedState) {
  Fixture f;
  VmResume resume;
  resume.phase = VmState::kRemote;
  resume.epoch = 3;
  resume.state = std::make_shared<const std::vector<std::byte>>(kState);
  resume.note = "found";
  resume.ram_generation = 4;
  auto c = f.make(resume);
  f.vm->pid = -1;  // its process is gone
  const VmStatus s = c->status();
  EXPECT_EQ(s.state, VmState::kRemote);
  EXPECT_EQ(s.epoch, 3u);
  EXPECT_EQ(s.state_bytes, kState.size());
  EXPECT_EQ(c->status_json().value("adopted", ""), "found");
  const std::string lost = c->take_back("test");
  EXPECT_NE(lost.find("epoch 3"), std::string::npos) << lost;
  EXPECT_NE(lost.find("loaded the saved device state (100 bytes)"), std::string::npos) << lost;
  EXPECT_EQ(f.vm->loaded, kState);
  EXPECT_EQ(c->phase(), VmState::kRunningLocal);
  const VmRecord r = *f.store->load();
  EXPECT_EQ(r.phase, VmState::kRunningLocal);
  EXPECT_EQ(r.pid, 2000);  // the new process, named as soon as it started
}

TEST(VmControllerRecord, TakeBackAfterTheServersPagesWereCommittedIsRefused) {
  Fixture f;
  auto c = f.make();
  c->go_idle();
  f.generation = 5;  // the server's write-back committed, then it never returned the device state
  try {
    c->take_back("test");
    FAIL() << "take-back went ahead";
  } catch (const VmError& e) {
    EXPECT_NE(std::string(e.what()).find("write-back generation 4 -> 5"), std::string::npos) << e.what();
  }
  EXPECT_EQ(c->phase(), VmState::kRemote);
  EXPECT_EQ(f.vm->resumed, 0);
  EXPECT_EQ(f.store->load()->phase, VmState::kRemote);
}

}  // namespace
}  // namespace jettison::emu
