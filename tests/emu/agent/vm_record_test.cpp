// The desktop's VM record in --vm-dir: the JSON record and the state files round-trip, writes leave
// no temporary file behind, old state files are removed on request, and a damaged record is an error
// naming the file.
#include "emu/agent/vm_record.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/emu/memserver/test_image.hpp"

namespace jettison::emu {
namespace {

VmRecord sample() {
  VmRecord r;
  r.phase = VmState::kRemote;
  r.epoch = 7;
  r.user_returned = true;
  r.migrated_unix_ms = 1'700'000'000'123;
  r.backend = "qemu";
  r.pid = 4242;
  r.qmp_socket = "/run/jettison/desk/qmp.sock";
  r.ram_file = "/dev/shm/jettison-desk.ram";
  r.description = R"({"name":"desk","ram_bytes":134217728})";
  return r;
}

TEST(VmRecordStore, NoRecordIsNotAnError) {
  test::TempDir dir;
  EXPECT_FALSE(VmRecordStore(dir.path() / "vm").load().has_value());
}

TEST(VmRecordStore, RecordRoundTripsAndLeavesNoTemporaryFile) {
  test::TempDir dir;
  const VmRecordStore store(dir.path() / "vm");
  store.save(sample());
  const auto back = store.load();
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->phase, VmState::kRemote);
  EXPECT_EQ(back->epoch, 7u);
  EXPECT_TRUE(back->user_returned);
  EXPECT_EQ(back->migrated_unix_ms, 1'700'000'000'123);
  EXPECT_EQ(back->backend, "qemu");
  EXPECT_EQ(back->pid, 4242);
  EXPECT_EQ(back->qmp_socket, "/run/jettison/desk/qmp.sock");
  EXPECT_EQ(back->ram_file, "/dev/shm/jettison-desk.ram");
  EXPECT_EQ(back->description, sample().description);
  VmRecord next = sample();
  next.phase = VmState::kRunningLocal;
  store.save(next);
  EXPECT_EQ(store.load()->phase, VmState::kRunningLocal);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(store.dir())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "vm.json");
  }
  EXPECT_EQ(files, 1u);
}

TEST(VmRecordStore, StatesRoundTripAndOldOnesAreRemoved) {
  test::TempDir dir;
  const VmRecordStore store(dir.path() / "vm");
  const std::vector<std::byte> a(1000, std::byte{0x11}), b(3, std::byte{0x22});
  store.save_state(1, a);
  store.save_state(2, b);
  EXPECT_EQ(store.load_state(1), a);
  EXPECT_EQ(store.load_state(2), b);
  store.remove_states(2);
  EXPECT_FALSE(store.has_state(1));
  EXPECT_TRUE(store.has_state(2));
  store.save(sample());
  store.clear();
  EXPECT_FALSE(store.has_state(2));
  EXPECT_FALSE(store.load().has_value());
}

TEST(VmRecordStore, MissingStateNamesItsFile) {
  test::TempDir dir;
  const VmRecordStore store(dir.path());
  try {
    store.load_state(5);
    FAIL() << "no error";
  } catch (const VmRecordError& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "state-5.bin").string()), std::string::npos)
        << e.what();
  }
}

TEST(VmRecordStore, DamagedRecordNamesTheFile) {
  test::TempDir dir;
  const VmRecordStore store(dir.path());
  for (const std::string& text :
       {std::string("{not json"), std::string(R"({"phase":"remote"})"),
        std::string(R"({"phase":"flying","epoch":1,"user_returned":false,"backend":"qemu",)"
                    R"("pid":1,"qmp_socket":"","ram_file":"","description":""})")}) {
    std::ofstream(store.record_path()) << text;
    try {
      store.load();
      FAIL() << "no error for " << text;
    } catch (const VmRecordError& e) {
      EXPECT_NE(std::string(e.what()).find(store.record_path().string()), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace jettison::emu
