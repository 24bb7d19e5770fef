// Evaluation on the test split: the loss and its terms, inference time, the per-time-step MSE of
// the one-shot (block-sequence) prediction and of the autoregressive rollout, and with --viz the
// truth and prediction of a few examples.
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "train/interfaces.hpp"

namespace kbeta::train {

struct EvaluationSettings {
  int batch_size = 4;
  int n_initial_frames = 5;  // frames given to the model; MSE is reported from this frame on
  int n_replace = 5;         // frames replaced by predictions per rollout pass
  // Task forecast: the model's input has frames t >= n_initial_frames zeroed.
  bool forecast_input = false;
};

struct EvaluationResult {
  LossTerms test_loss;  // mean of the per-batch test losses
  int batches = 0;
  double inference_seconds_per_batch = 0;  // one forward pass of a full batch
  int first_time_step = 0;
  std::vector<double> mse_block;           // per time step from first_time_step on
  std::vector<double> mse_autoregressive;  // same, for the rollout
};

EvaluationResult evaluate(Model& model, const SplitView& test, SampleShape shape,
                          const EvaluationSettings& settings);

// The model's input for a batch of true sequences: the truth itself, or for the forecast task
// the truth with frames t >= n_initial_frames set to zero.
void make_input(std::span<float> input, std::span<const float> truth, SampleShape shape, int batch,
                const EvaluationSettings& settings);

// Writes mse_block.csv and mse_autoregressive.csv into metrics_dir.
void write_evaluation(const std::filesystem::path& metrics_dir, const EvaluationResult& result);

// The evaluation's numbers as a JSON object (part of summary.json).
nlohmann::json evaluation_json(const EvaluationResult& result);

// With --viz: draws one permutation of the test split and writes, for its first `count`
// samples, examples.csv and example_<k>.csv (truth and one-shot prediction of every frame).
void write_examples(Model& model, const SplitView& test, SampleShape shape,
                    const EvaluationSettings& settings, rng::Generator& generator, int count,
                    const std::filesystem::path& metrics_dir);

}  // namespace kbeta::train
