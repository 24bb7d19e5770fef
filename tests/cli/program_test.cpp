// Runs the built kbeta-heat2d program and checks its exit codes and output streams.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fixtures.hpp"
#include "config/load.hpp"
#include "config/presets.hpp"

namespace kbeta {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ProgramResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted.append("'\\''");
    } else {
      quoted.push_back(c);
    }
  }
  quoted.push_back('\'');
  return quoted;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ProgramResult run_program(const std::string& test_name, const std::vector<std::string>& args) {
  const auto dir = testing::scratch_dir(test_name);
  std::string command = shell_quote(testing::program_path().string());
  for (const auto& arg : args) {
    command.append(" ").append(shell_quote(arg));
  }
  command.append(" >").append(shell_quote((dir / "stdout").string()));
  command.append(" 2>").append(shell_quote((dir / "stderr").string()));
  const int status = std::system(command.c_str());
  ProgramResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(dir / "stdout");
  result.err = read_text(dir / "stderr");
  return result;
}

// The number of lines in `text`.
long count_lines(const std::string& text) {
  return static_cast<long>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Program, VersionExitsZero) {
  const ProgramResult r = run_program("ProgramVersion", {"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("kbeta-heat2d " KBETA_VERSION));
  EXPECT_THAT(r.out, HasSubstr("BLAS: OpenBLAS"));
  EXPECT_EQ(r.err, "");
}

TEST(Program, HelpExitsZero) {
  const ProgramResult r = run_program("ProgramHelp", {"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage:"));
}

TEST(Program, ConfigSubcommandRoundTrips) {
  const ProgramResult first =
      run_program("ProgramConfigRoundTrip",
                  {"config", "paper", "--epochs", "3", "--override", "learning_rate_schedule.30=2e-4"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto dir = testing::scratch_dir("ProgramConfigRoundTripFile");
  const auto file = dir / "resolved.yml";
  std::ofstream(file) << first.out;

  const config::Config expected = config::load_config_file(
      config::find_config("paper"), {"model_params.epochs=3", "learning_rate_schedule.30=2e-4"});
  EXPECT_EQ(config::load_config_file(file), expected);

  const ProgramResult second = run_program("ProgramConfigRoundTripAgain", {"config", file.string()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, first.out);
}

TEST(Program, ConfigNoticeGoesToStderr) {
  const ProgramResult r = run_program("ProgramConfigNotice", {"config", "heat2d", "--collect_spikes"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "[info] --collect_spikes implies --kour_diagnostics → auto‑enabled\n");
  EXPECT_THAT(r.out, HasSubstr("collect_spikes: true"));
}

TEST(Program, InvalidConfigExitsTwo) {
  const ProgramResult r =
      run_program("ProgramInvalidConfig", {"config", "heat2d", "--override", "model_params.num_heads=0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err,
              StartsWith("kbeta-heat2d: error: model_params.num_heads: expected a positive integer, got 0"));
  EXPECT_EQ(count_lines(r.err), 1);
}

TEST(Program, MissingPresetExitsTwo) {
  const ProgramResult r = run_program("ProgramMissingPreset", {"config", "no_such_preset"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("presets: demo, heat2d, paper, quick_test"));
  EXPECT_EQ(count_lines(r.err), 1);
}

TEST(Program, UsageErrorExitsTwo) {
  const ProgramResult none = run_program("ProgramNoArguments", {});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(count_lines(none.err), 1);
  const ProgramResult bad_flag = run_program("ProgramBadFlag", {"heat2d", "--epochs", "ten"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_THAT(bad_flag.err, StartsWith("kbeta-heat2d: error: "));
  EXPECT_EQ(count_lines(bad_flag.err), 1);
}

TEST(Program, ControlCharactersInErrorAreEscaped) {
  const auto dir = testing::scratch_dir("ProgramControlCharactersInput");
  const auto key_file = dir / "newline_key.yml";
  std::ofstream(key_file) << "\"se\\ned\": 1\n";
  const ProgramResult key = run_program("ProgramNewlineKey", {"config", key_file.string()});
  EXPECT_EQ(key.exit_code, 2);
  EXPECT_THAT(key.err, StartsWith("kbeta-heat2d: error: se\\ned: unknown key"));
  EXPECT_EQ(count_lines(key.err), 1);

  const auto nul_file = dir / "nul_byte.yml";
  std::ofstream(nul_file, std::ios::binary) << std::string("seed: 1\0\n", 9);
  const ProgramResult nul = run_program("ProgramNulByte", {"config", nul_file.string()});
  EXPECT_EQ(nul.exit_code, 2);
  EXPECT_THAT(nul.err, HasSubstr("invalid YAML"));
  EXPECT_THAT(nul.err, HasSubstr("line 2, column 1"));
  EXPECT_EQ(count_lines(nul.err), 1);
}

TEST(Program, MalformedYamlExitsTwo) {
  const auto dir = testing::scratch_dir("ProgramMalformedYamlInput");
  const auto file = dir / "broken.yml";
  std::ofstream(file) << "seed: 1\nmodel_params:\n  epochs: [3\n";
  const ProgramResult r = run_program("ProgramMalformedYaml", {"config", file.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("invalid YAML at line"));
  EXPECT_EQ(count_lines(r.err), 1);
}

}  // namespace
}  // namespace kbeta

namespace kbeta {
namespace {

TEST(ProgramOutput, OutdirThatIsFileExitsOne) {
  const auto dir = testing::scratch_dir("ProgramOutput.OutdirThatIsFileInput");
  const auto file = dir / "not_a_folder";
  std::ofstream(file) << "x\n";
  const ProgramResult r =
      run_program("ProgramOutput.OutdirThatIsFile", {"generate", "demo", "--outdir", file.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("kbeta-heat2d: error: cannot create the run folder"));
  EXPECT_THAT(r.err, HasSubstr("--outdir"));
  EXPECT_EQ(count_lines(r.err), 1);
}

// A log made with `>log 2>&1` must end with the error, after everything printed before it.
TEST(ProgramOutput, ErrorFollowsEarlierOutput) {
  const auto dir = testing::scratch_dir("ProgramOutput.ErrorFollowsEarlierOutput");
  const std::string command = shell_quote(testing::program_path().string()) +
                              " demo --override training_samples=40 --outdir " +
                              shell_quote((dir / "runs").string()) + " --init-from " +
                              shell_quote((dir / "missing.safetensors").string()) + " >" +
                              shell_quote((dir / "log").string()) + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string log = read_text(dir / "log");
  ASSERT_THAT(log, HasSubstr("Generated datasets"));
  const auto last_line_start = log.rfind('\n', log.size() - 2);
  const std::string last_line = log.substr(last_line_start == std::string::npos ? 0 : last_line_start + 1);
  EXPECT_THAT(last_line, StartsWith("kbeta-heat2d: error: --init-from:")) << log;
}

TEST(ProgramOutput, FullDiskIsAnError) {
  if (!std::filesystem::exists("/dev/full")) {
    GTEST_SKIP() << "/dev/full is not available on this system";
  }
  const auto dir = testing::scratch_dir("ProgramOutput.FullDiskIsAnError");
  const std::string command = shell_quote(testing::program_path().string()) + " config heat2d >/dev/full 2>" +
                              shell_quote((dir / "stderr").string());
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const std::string text = read_text(dir / "stderr");
  EXPECT_NE(text.find("failed to write to standard output"), std::string::npos) << text;
}

}  // namespace
}  // namespace kbeta
