// The shape and switches of the heat-diffusion Transformer, and its FLOP count.
#pragma once

namespace kbeta::model {

enum class MaskType { Block, Causal };
enum class Task { Reconstruct, Forecast };
enum class FrameEmbedding { FrozenRandom, Linear };
enum class PositionalEncoding { Rope, Sinusoidal };

// Defaults are the reference's heat2d/paper configuration.
struct ModelSpec {
  int ny = 26, nx = 26, time_steps = 401;
  int embed_dim = 512, num_heads = 16, num_layers = 24, mlp_dim = 256;
  int start_predicting_from = 5;
  MaskType mask = MaskType::Block;
  Task task = Task::Reconstruct;
  FrameEmbedding frame_embedding = FrameEmbedding::FrozenRandom;
  PositionalEncoding positional_encoding = PositionalEncoding::Rope;
  bool learn_mask_bias = true;
  int n_initial_frames = 5;  // eval.n_initial_frames: initial-frame loss and forecast input
  double dx = 0.04, dy = 0.04;

  int pixels() const { return ny * nx; }
  int head_size() const { return embed_dim / num_heads; }
  // F, the width of the spatial tables of the frozen projection: embed_dim / 2.
  int spatial_dim() const { return embed_dim / 2; }
  // Frames whose keys and values any query reads: the first start_predicting_from frames
  // under the block mask, all frames but the last under the causal mask (when s < T).
  int key_frames() const;
  // Keys visible to query frame i: the prefix [0, visible_keys(i)).
  int visible_keys(int query) const;
};

// Throws ConfigError naming the model_params key when the spec cannot build a model.
void validate(const ModelSpec& spec);

// The loss terms (kernels/loss.hpp defines them): total = mse + 0.1·boundary + 0.001·physics +
// 0.1·initial.
struct LossTerms {
  double total = 0, mse = 0, boundary = 0, physics = 0, initial = 0;
};

// Floating-point operations of one training step (forward, loss gradient and backward) on
// `batch` samples, counting a multiply-add as 2 and only the work this implementation does:
// keys and values for key_frames() only, attention over the visible prefix of every query,
// no backward through frozen constants. docs/performance.md states the formula.
double flops_per_step(const ModelSpec& spec, int batch);
// Forward pass only (validation, prediction).
double flops_forward(const ModelSpec& spec, int batch);

}  // namespace kbeta::model
