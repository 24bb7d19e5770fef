// The built program end to end on a tiny configuration: a run whose loss falls, evaluation of its
// checkpoint, resume through the reference's keys, a signal, and a diverging run.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/fixtures.hpp"
#include "io/atomic_file.hpp"
#include "io/safetensors.hpp"

namespace kbeta {
namespace {

// A 6×6 grid, 8 frames, 40 samples (28/8/4) and a one-layer model of width 16: about a second
// per run on 2 cores.
std::string tiny_config(const std::filesystem::path& outdir, int epochs) {
  return "seed: 3\n"
         "threads: 2\n"
         "run_label: tiny\n"
         "geometry: {rod_length: 1.0, rod_width: 1.0, dx: 0.2, dy: 0.2}\n"
         "model_params: {start_predicting_from: 2, batch_size: 4, epochs: " +
         std::to_string(epochs) +
         ", time_steps: 8, num_heads: 2, num_encoder_layers: 1, mlp_dim: 16, embed_dim: 16,"
         " mask_type: block, task: reconstruct, frame_embedding: linear, positional_encoding: sinusoidal,"
         " learn_mask_bias: false}\n"
         "training_samples: 40\n"
         "save_checkpoints: true\n"
         "save_interval: 2\n"
         "io_and_plots: {model_saving: true, plots: {movie_frames: false, num_examples: 1}}\n"
         "eval: {n_replace: 2, n_initial_frames: 2}\n"
         "optimizer: {name: adam999, lr_schedule: constant, init_lr: 1.0e-2}\n"
         "storage: {outdir: " +
         outdir.string() + "}\n";
}

struct ProgramResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs the program with `args`, stdout and stderr to files in `dir`.
ProgramResult run_program(const std::filesystem::path& dir, const std::vector<std::string>& args) {
  std::string command = testing::program_path().string();
  for (const auto& a : args) {
    command += " '" + a + "'";
  }
  command += " > '" + (dir / "stdout.txt").string() + "' 2> '" + (dir / "stderr.txt").string() + "'";
  const int raw = std::system(command.c_str());
  ProgramResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = io::read_file(dir / "stdout.txt");
  r.err = io::read_file(dir / "stderr.txt");
  return r;
}

std::filesystem::path write_config(const std::filesystem::path& dir, int epochs) {
  auto path = dir / "tiny.yml";
  std::ofstream(path) << tiny_config(dir / "runs", epochs);
  return path;
}

std::filesystem::path run_folder(const std::filesystem::path& dir) {
  return dir / "runs" / "tiny_base_case_block";
}

std::vector<double> column(const std::filesystem::path& csv, std::size_t index) {
  std::istringstream in(io::read_file(csv));
  std::string line;
  std::getline(in, line);
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string field;
    for (std::size_t i = 0; i <= index; ++i) {
      std::getline(fields, field, ',');
    }
    out.push_back(std::stod(field));
  }
  return out;
}

TEST(Program, TinyRunLossFallsAndWritesRunFolder) {
  const auto dir = testing::scratch_dir("program_tiny_run");
  const auto r = run_program(dir, {write_config(dir, 6).string()});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Epoch 1/6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Threads: 2"), std::string::npos) << r.out;

  const auto run = run_folder(dir);
  const auto val = column(run / "metrics" / "epochs.csv", 2);
  ASSERT_EQ(val.size(), 6u);
  EXPECT_LT(val.back(), val.front() / 2);
  for (const char* name :
       {"config.resolved.yml", "metrics/steps.csv", "metrics/mse_block.csv", "metrics/mse_autoregressive.csv",
        "metrics/summary.json", "checkpoints/epoch_2.safetensors", "checkpoints/epoch_6.safetensors",
        "datasets/train_data.npy", "datasets/test_dts.npy"}) {
    EXPECT_TRUE(std::filesystem::exists(run / name)) << name;
  }
  const auto summary = nlohmann::json::parse(io::read_file(run / "metrics" / "summary.json"));
  EXPECT_EQ(summary["epochs_completed"], 6);
  EXPECT_EQ(summary["steps"], 6 * 7);
  EXPECT_EQ(summary["seed"], 3);
  EXPECT_EQ(column(run / "metrics" / "mse_block.csv", 0).front(), 2.0);  // from n_initial_frames on
  EXPECT_EQ(column(run / "metrics" / "mse_block.csv", 0).size(), 6u);

  // Evaluating the final checkpoint reproduces the numbers computed right after training.
  const auto e = run_program(dir, {"evaluate", (run / "checkpoints" / "epoch_6.safetensors").string()});
  ASSERT_EQ(e.status, 0) << e.out << e.err;
  const auto evaluated =
      nlohmann::json::parse(io::read_file(run / "evaluations" / "epoch_6" / "summary.json"));
  for (const char* key :
       {"mse_block_mean", "mse_block_last", "mse_autoregressive_mean", "mse_autoregressive_last"}) {
    EXPECT_EQ(evaluated[key], summary[key]) << key;
  }
  EXPECT_EQ(evaluated["test_loss"], summary["test_loss"]);
  EXPECT_EQ(io::read_file(run / "evaluations" / "epoch_6" / "mse_block.csv"),
            io::read_file(run / "metrics" / "mse_block.csv"));
}

// Tensors of two safetensors files, compared byte for byte.
void expect_same_tensors(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto fa = io::Safetensors::load(a);
  const auto fb = io::Safetensors::load(b);
  ASSERT_EQ(fa.tensors().size(), fb.tensors().size());
  for (const auto& [name, info] : fa.tensors()) {
    ASSERT_TRUE(fb.contains(name)) << name;
    const auto ra = fa.raw(name);
    const auto rb = fb.raw(name);
    ASSERT_EQ(ra.size(), rb.size()) << name;
    EXPECT_TRUE(std::equal(ra.begin(), ra.end(), rb.begin())) << name;
  }
  for (const char* key : {"epoch", "step", "rng_state", "batch_in_epoch", "epoch_loss_sum"}) {
    EXPECT_EQ(fa.metadata().at(key), fb.metadata().at(key)) << key;
  }
}

TEST(Program, ResumeWithReferenceKeysIsBitIdentical) {
  const auto full = testing::scratch_dir("program_resume_full");
  ASSERT_EQ(run_program(full, {write_config(full, 4).string()}).status, 0);

  const auto dir = testing::scratch_dir("program_resume_parts");
  const auto config = write_config(dir, 4);
  const auto first = run_program(dir, {config.string(), "--epochs", "2"});
  ASSERT_EQ(first.status, 0) << first.err;
  const auto second = run_program(
      dir, {config.string(), "--override", "start_from_scratch=false", "--override", "checkpoint_epoch=2"});
  ASSERT_EQ(second.status, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("Continuing from"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("Epoch 1/4"), std::string::npos) << second.out;

  expect_same_tensors(run_folder(dir) / "checkpoints" / "epoch_4.safetensors",
                      run_folder(full) / "checkpoints" / "epoch_4.safetensors");
  EXPECT_EQ(io::read_file(run_folder(dir) / "metrics" / "steps.csv"),
            io::read_file(run_folder(full) / "metrics" / "steps.csv"));
}

TEST(Program, SameSeedGivesIdenticalRuns) {
  const auto a = testing::scratch_dir("program_determinism_a");
  const auto b = testing::scratch_dir("program_determinism_b");
  ASSERT_EQ(run_program(a, {write_config(a, 2).string()}).status, 0);
  ASSERT_EQ(run_program(b, {write_config(b, 2).string()}).status, 0);
  EXPECT_EQ(io::read_file(run_folder(a) / "metrics" / "steps.csv"),
            io::read_file(run_folder(b) / "metrics" / "steps.csv"));
  EXPECT_EQ(io::read_file(run_folder(a) / "metrics" / "mse_autoregressive.csv"),
            io::read_file(run_folder(b) / "metrics" / "mse_autoregressive.csv"));
  expect_same_tensors(run_folder(a) / "checkpoints" / "epoch_2.safetensors",
                      run_folder(b) / "checkpoints" / "epoch_2.safetensors");
}

TEST(Program, DivergingRunStopsNamingEpochAndStep) {
  const auto dir = testing::scratch_dir("program_nan");
  const auto r = run_program(dir, {write_config(dir, 3).string(), "--override", "optimizer.init_lr=1e30"});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("training stopped at epoch 1, step"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lower the learning rate"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(run_folder(dir) / "checkpoints" / "epoch_2.safetensors"));
}

TEST(Program, MissingResumeCheckpointWritesNothing) {
  const auto dir = testing::scratch_dir("program_missing_resume");
  const auto r =
      run_program(dir, {write_config(dir, 1).string(), "--resume", (dir / "absent.safetensors").string()});
  EXPECT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("absent.safetensors not found"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(run_folder(dir)));
}

TEST(Program, SigintWritesCheckpointAndResumeHint) {
  const auto dir = testing::scratch_dir("program_sigint");
  const auto config = write_config(dir, 100000);
  const std::string program = testing::program_path().string();
  const std::string out_path = (dir / "stdout.txt").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<std::string> args = {program, config.string()};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  // Wait until training has started (the first epoch line is in epochs.csv), then interrupt.
  const auto epochs_csv = run_folder(dir) / "metrics" / "epochs.csv";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline &&
         (!std::filesystem::exists(epochs_csv) || column(epochs_csv, 0).empty())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  const std::string out = io::read_file(out_path);
  const auto hint = out.find("Resume with: ");
  ASSERT_NE(hint, std::string::npos) << out;
  const auto at = out.find("--resume ", hint);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string checkpoint = out.substr(at + 9, out.find('\n', at) - at - 9);
  ASSERT_TRUE(std::filesystem::exists(checkpoint)) << checkpoint;
  EXPECT_NO_THROW(io::Safetensors::load(checkpoint));

  // The hinted command continues; a smaller --epochs lets it finish quickly.
  const auto resumed = run_program(dir, {config.string(), "--resume", checkpoint, "--epochs",
                                         std::to_string(column(epochs_csv, 0).size() + 1)});
  EXPECT_EQ(resumed.status, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("Continuing from"), std::string::npos) << resumed.out;
}

}  // namespace
}  // namespace kbeta
