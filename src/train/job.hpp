// The program's commands: the main job (data, training, evaluation, plots into one run folder),
// data generation alone, evaluation of a checkpoint and the training-step benchmark.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace kbeta::train {

struct JobOptions {
  std::optional<std::filesystem::path> resume;     // --resume CHECKPOINT
  std::optional<std::filesystem::path> init_from;  // --init-from PARAMETERS
  // The command line as typed, printed with --resume PATH appended when a run is interrupted.
  std::string command_line;
};

// Sets the OpenMP and OpenBLAS thread count from the configuration's `threads` (0: every core)
// and returns it.
int apply_thread_count(std::int64_t threads);

// The main job. Returns the exit status: 0 when training completed or was interrupted by a
// signal (after writing a checkpoint); failures throw.
int run_job(const config::Config& config, const JobOptions& options);

// Draws every plot of the run folder from its metrics files. A plot that fails is skipped with
// a warning line, so plotting does not fail the run.
void render_plots(const config::Config& config, const std::filesystem::path& run_dir);

// Re-renders the plots of a finished run folder, with the plot settings of its
// config.resolved.yml when there is one.
void plot_run(const std::filesystem::path& run_dir);

// Generates the datasets and writes them to the run folder's datasets/.
void generate_data(const config::Config& config);

// Evaluates a training checkpoint with the configuration stored in it (plus `overrides`) and
// writes the results to <run folder>/evaluations/<checkpoint name>/.
void evaluate_checkpoint(const std::filesystem::path& checkpoint, const std::vector<std::string>& overrides);

// Times training steps on random data of the configuration's shape and prints one JSON line.
void run_benchmark(const config::Config& config);

}  // namespace kbeta::train
