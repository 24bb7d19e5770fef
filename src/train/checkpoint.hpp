// Training checkpoints as safetensors files. The tensors are the parameters under their reference
// names, the frozen constants under `frozen.*`, the optimiser state under `optimizer.*` and the
// uncommitted spike samples under `tracking.*`. The metadata records the training position, the
// generator state, the seed, the thread count and the resolved configuration. Files are written
// atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "io/safetensors.hpp"
#include "optim/optimizer.hpp"
#include "train/interfaces.hpp"
#include "train/spike_tracker.hpp"

namespace kbeta::train {

// The training position. At an epoch boundary batch_in_epoch is 0 and rng_state is the generator
// state for the next epoch's shuffle. Mid-epoch (after an interrupt) rng_state is the state
// before the current epoch's shuffle, so that resuming draws the same permutation again, and
// epoch_loss_sum holds the training losses of the batches already done.
struct TrainingPosition {
  int epoch = 0;  // completed epochs
  int batch_in_epoch = 0;
  std::int64_t step = 0;  // updates made
  rng::Key rng_state;
  double epoch_loss_sum = 0;
};

struct CheckpointMetadata {
  TrainingPosition position;
  std::uint64_t seed = 0;
  int threads = 0;
  std::string config_yaml;
  std::string config_hash;
  std::vector<SpikeSample> pending_spikes;
};

void save_checkpoint(const std::filesystem::path& path, Model& model, optim::Optimizer* optimizer,
                     const CheckpointMetadata& metadata);

// Parameters only (no frozen constants, optimiser state or metadata beyond the format tag).
void save_parameters(const std::filesystem::path& path, Model& model);

// A checkpoint read and validated: the file's tensors and its parsed metadata.
struct LoadedCheckpoint {
  io::Safetensors file;
  CheckpointMetadata metadata;
};

// Reads a training checkpoint; throws kbeta::Error naming the path when the file is not a valid
// safetensors file or lacks the training metadata.
LoadedCheckpoint read_checkpoint(const std::filesystem::path& path);

// Copies parameters and frozen constants into the model after checking that every name and shape
// matches its tables, then rebuilds derived data.
void restore_model(const io::Safetensors& file, Model& model);

// Restores the optimiser state; the stored `optimizer.*` tensors must match the optimiser's
// state exactly (names, shapes, dtypes), otherwise nothing changes and kbeta::Error is thrown.
void restore_optimizer(const io::Safetensors& file, optim::Optimizer& optimizer);

// Initialises the model's trainable parameters from a safetensors file that contains every
// parameter under its name (other tensors are ignored). Names and shapes are checked.
void initialize_from(const std::filesystem::path& path, Model& model);

// FNV-1a 64-bit hash of a text, as 16 hex digits (identifies a resolved configuration).
std::string text_hash(const std::string& text);

}  // namespace kbeta::train
