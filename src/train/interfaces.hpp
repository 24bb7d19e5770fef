// What the trainer needs from the model and the datasets. The trainer, the evaluation and the
// checkpoints are written against this small model interface. model_adapter.hpp binds it to the
// heat-diffusion Transformer, and the tests bind it to a toy model, so that the training
// machinery is tested on its own. Optimisers come through optim::Optimizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/param_table.hpp"

namespace kbeta::train {

// The loss and its terms, L = mse + 0.1·boundary + 0.001·physics + 0.1·initial.
struct LossTerms {
  double total = 0;
  double mse = 0;
  double boundary = 0;
  double physics = 0;
  double initial = 0;
};

// Frames per sample and grid size: a sample is (time_steps, ny, nx) float32, row-major.
struct SampleShape {
  int time_steps = 0;
  int ny = 0;
  int nx = 0;

  std::size_t frame_size() const { return static_cast<std::size_t>(ny) * static_cast<std::size_t>(nx); }
  std::size_t sample_size() const { return static_cast<std::size_t>(time_steps) * frame_size(); }
};

// One dataset split, viewed in place: frames (count, T, NY, NX), alpha (count), dt (count).
struct SplitView {
  std::span<const float> frames;
  std::span<const float> alpha;
  std::span<const float> dt;
  std::size_t count = 0;
};

struct DatasetViews {
  SampleShape shape;
  SplitView train;
  SplitView validation;
  SplitView test;
};

// The model as the trainer drives it: one contiguous parameter buffer described by params(),
// gradients in the same layout, and frozen constants that checkpoints store and restore.
class Model {
 public:
  virtual ~Model() = default;

  virtual const ParamTable& params() const = 0;
  virtual std::span<float> parameters() = 0;
  virtual std::span<float> gradients() = 0;
  virtual const ParamTable& frozen() const = 0;
  virtual std::span<float> frozen_values() = 0;
  // Rebuilds derived data after parameters() or frozen_values() were overwritten.
  virtual void refresh_after_load() = 0;
  virtual int max_batch() const = 0;

  // Forward, loss and backward on `batch` samples; gradients are added into gradients().
  virtual LossTerms compute_gradients(std::span<const float> target, std::span<const float> alpha,
                                      std::span<const float> dt, int batch) = 0;
  // Forward and loss only.
  virtual LossTerms compute_loss(std::span<const float> target, std::span<const float> alpha,
                                 std::span<const float> dt, int batch) = 0;
  // Raw forward of an explicit input (B, T, NY, NX) into out (B, T, NY, NX), no task masking.
  virtual void predict(std::span<float> out, std::span<const float> input, std::span<const float> alpha,
                       int batch) = 0;
};

// Learning rate for a 0-based epoch and the 0-based index of the update about to be made.
using LearningRateSchedule = std::function<double(int epoch, std::int64_t step)>;

}  // namespace kbeta::train
