// The epoch loop: learning rate from the schedule, one shuffle per epoch, training steps,
// validation, the per-epoch console line, metrics, spike windows and checkpoints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "train/checkpoint.hpp"
#include "train/interfaces.hpp"
#include "train/metrics.hpp"
#include "train/progress.hpp"
#include "train/spike_tracker.hpp"

namespace kbeta::train {

struct TrainerSettings {
  int epochs = 1;
  int batch_size = 4;
  bool save_checkpoints = true;  // periodic checkpoints every save_interval epochs
  int save_interval = 10;        // 0: none
  bool save_final = false;       // a checkpoint after the last epoch
  bool collect_spikes = false;
  int spike_window = 1;  // epochs per committed spike window
  std::filesystem::path run_dir;
  // Stored in every checkpoint.
  std::uint64_t seed = 0;
  int threads = 0;
  std::string config_yaml;
  std::string config_hash;
  // Console: a bar on a terminal, otherwise a plain line at most every progress_seconds.
  bool interactive = false;
  double progress_seconds = 10;
  bool quiet = false;  // no console output at all (tests)
};

enum class TrainStatus { Completed, Interrupted };

struct TrainResult {
  TrainStatus status = TrainStatus::Completed;
  int epochs_completed = 0;
  std::int64_t steps = 0;
  double final_train_loss = 0;
  double final_val_loss = 0;
  double first_train_loss = 0;  // of the first epoch run in this process
  double first_val_loss = 0;
  double train_seconds = 0;  // wall time of the epochs run in this process
  int epochs_run = 0;        // epochs completed in this process
  std::optional<std::filesystem::path> last_checkpoint;
};

// Path of the checkpoint written after `epoch` completed epochs.
std::filesystem::path epoch_checkpoint_path(const std::filesystem::path& run_dir, int epoch);

class Trainer {
 public:
  Trainer(Model& model, optim::Optimizer& optimizer, LearningRateSchedule schedule, const DatasetViews& data,
          rng::Generator& generator, TrainerSettings settings);

  // Continues from a checkpoint whose model and optimiser state were already restored.
  void continue_from(const CheckpointMetadata& metadata);

  // The 0-based epoch that run() starts in.
  int start_epoch() const { return position_.epoch; }

  // Runs the remaining epochs. Throws kbeta::Error when a loss or gradient is not finite.
  TrainResult run();

  // Mean validation loss over the validation split, in order, with the configured batch size.
  double validate();

 private:
  struct EpochOutcome {
    bool interrupted = false;
    double loss_sum = 0;
    int batches = 0;
    std::size_t samples = 0;  // trained in this process
    double train_seconds = 0;
  };

  EpochOutcome train_epoch(int epoch, ProgressReporter& progress);
  void check_finite(const LossTerms& loss, int epoch, int batch);
  std::filesystem::path write_checkpoint(const std::filesystem::path& path, const TrainingPosition& position);
  void print_epoch(const EpochRow& row, int batches);

  Model& model_;
  optim::Optimizer& optimizer_;
  LearningRateSchedule schedule_;
  DatasetViews data_;
  rng::Generator& generator_;
  TrainerSettings settings_;

  TrainingPosition position_;
  SpikeTracker spikes_;
  bool continuing_ = false;
  std::optional<MetricsWriter> metrics_;
  double last_learning_rate_ = 0;
};

}  // namespace kbeta::train
