// End-to-end: the real `deconflict` binary writes a snapshot, detects on it, and its output
// equals the reference detector's on the same file; bad input is an error with a line number.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/track_csv.h"
#include "tactical/reference_detector.h"

namespace deconflict::sim {
namespace {

using ::testing::HasSubstr;

class DetectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // DECONFLICT_BINARY if set, else the binary of the same build tree (src/cli/deconflict).
    const char* binary = std::getenv("DECONFLICT_BINARY");
    std::filesystem::path path =
        binary != nullptr ? std::filesystem::path(binary)
                          : std::filesystem::read_symlink("/proc/self/exe").parent_path() / ".." /
                                "cli" / "deconflict";
    if (!std::filesystem::exists(path)) {
      GTEST_SKIP() << "no deconflict binary at " << path << " (set DECONFLICT_BINARY)";
    }
    binary_ = path.string();
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("deconflict-detect-cli-{}", ::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Runs the binary with `args`; returns the exit code, stdout+stderr in `output`.
  int Run(const std::string& args, std::string& output) {
    std::string log = (dir_ / "log.txt").string();
    int status = std::system(fmt::format("'{}' {} > '{}' 2>&1", binary_, args, log).c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    output = text.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string binary_;
  std::filesystem::path dir_;
};

TEST_F(DetectCli, PairsFileMatchesTheReferenceDetector) {
  std::string tracks = (dir_ / "tracks.csv").string(), pairs = (dir_ / "pairs.csv").string();
  std::string output;
  ASSERT_EQ(Run(fmt::format("sim tracks --scenario dense --n 2000 --seed 5 --parties 3 --out '{}'",
                            tracks),
                output),
            0)
      << output;
  ASSERT_EQ(Run(fmt::format("detect --tracks '{}' --out '{}'", tracks, pairs), output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr("conflicts among 2000 tracks; detection"));

  auto snapshot = ReadTrackCsvFile(tracks, Timestamp{});
  ASSERT_TRUE(snapshot.ok());
  auto reference = tactical::DetectAllPairs(tactical::DetectorOptions{}, *snapshot, Timestamp{});
  ASSERT_TRUE(reference.ok());
  // Sim ids are "1".."N" in snapshot order, so index order is id order.
  std::vector<std::string> expected = {"id_a,id_b,tcpa_s,dcpa_m,t_in_s,t_out_s"};
  for (const tactical::Conflict& c : *reference) {
    expected.push_back(fmt::format("{},{},{:.3f},{:.3f},{:.3f},{:.3f}", c.a + 1, c.b + 1, c.tcpa_s,
                                   c.dcpa_m, c.t_in_s, c.t_out_s));
  }
  std::ifstream in(pairs);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_GT(lines.size(), 50u);
  EXPECT_EQ(lines, expected);
  EXPECT_THAT(output, HasSubstr(fmt::format("{} conflicts", reference->size())));
}

TEST_F(DetectCli, BadRowIsAnErrorWithItsLineNumber) {
  std::string tracks = (dir_ / "bad.csv").string();
  std::ofstream(tracks) << "id,party,lat,lon,alt_m,gs_mps,trk_deg,vs_mps\n"
                        << "1,P1,52,5,9000,200,90,0\n"
                        << "2,P2,north,5.1,9000,200,270,0\n";
  std::string output;
  EXPECT_EQ(
      Run(fmt::format("detect --tracks '{}' --out '{}'", tracks, (dir_ / "pairs.csv").string()),
          output),
      1);
  EXPECT_THAT(output, HasSubstr("deconflict detect: line 3: lat: 'north' is not a finite number"));
}

}  // namespace
}  // namespace deconflict::sim
