#include "model/spec.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::model {

int ModelSpec::key_frames() const {
  // The last query sees the most keys: min(s, T) under the block mask; max(s, T − 1) (capped
  // at T) under the causal mask, whose last frame is nobody's key when s < T.
  return visible_keys(time_steps - 1);
}

int ModelSpec::visible_keys(int query) const {
  // Block: every query reads keys 0…s−1. Causal: the strict past plus the first s frames,
  // i.e. keys j < max(s, i).
  if (mask == MaskType::Block) {
    return std::min(start_predicting_from, time_steps);
  }
  return std::min(std::max(start_predicting_from, query), time_steps);
}

namespace {

void require_positive(int value, const char* key) {
  if (value < 1) {
    throw ConfigError(fmt::format("model_params.{}: expected a positive integer, got {}", key, value));
  }
}

}  // namespace

void validate(const ModelSpec& spec) {
  require_positive(spec.ny, "ny");
  require_positive(spec.nx, "nx");
  require_positive(spec.time_steps, "time_steps");
  require_positive(spec.embed_dim, "embed_dim");
  require_positive(spec.num_heads, "num_heads");
  require_positive(spec.num_layers, "num_encoder_layers");
  require_positive(spec.mlp_dim, "mlp_dim");
  if (spec.embed_dim % spec.num_heads != 0) {
    throw ConfigError(
        fmt::format("model_params.embed_dim: {} is not divisible by num_heads = {}; choose "
                    "embed_dim as a multiple of num_heads",
                    spec.embed_dim, spec.num_heads));
  }
  // The frozen projection's spatial tables have width embed_dim / 2 and RoPE rotates pairs, so
  // the frozen frame embedding needs embed_dim divisible by 4; the temporal table needs pairs.
  if (spec.embed_dim % 2 != 0) {
    throw ConfigError(fmt::format("model_params.embed_dim: expected an even number, got {}", spec.embed_dim));
  }
  if (spec.frame_embedding == FrameEmbedding::FrozenRandom && spec.embed_dim % 4 != 0) {
    throw ConfigError(fmt::format(
        "model_params.embed_dim: the frozen_random frame embedding needs a multiple of 4 (its spatial "
        "tables have embed_dim/2 columns rotated in pairs), got {}",
        spec.embed_dim));
  }
  // With s = 0 every row of the block mask is −∞ and the reference outputs NaN; the causal
  // mask's first row is empty as well.
  require_positive(spec.start_predicting_from, "start_predicting_from");
  if (spec.n_initial_frames < 0) {
    throw ConfigError(
        fmt::format("eval.n_initial_frames: expected a non-negative integer, got {}", spec.n_initial_frames));
  }
  if (!(spec.dx > 0.0) || !(spec.dy > 0.0)) {
    throw ConfigError(
        fmt::format("geometry.dx, geometry.dy: expected positive numbers, got {} and {}", spec.dx, spec.dy));
  }
}

namespace {

// Σ over query frames of the visible keys of one sample.
double visible_pairs(const ModelSpec& spec) {
  double pairs = 0.0;
  for (int i = 0; i < spec.time_steps; ++i) {
    pairs += spec.visible_keys(i);
  }
  return pairs;
}

}  // namespace

double flops_forward(const ModelSpec& spec, int batch) {
  const double n = static_cast<double>(batch) * spec.time_steps;
  const double nk = static_cast<double>(batch) * spec.key_frames();
  const double c = spec.embed_dim, m = spec.mlp_dim, p = spec.pixels();
  const double pairs = batch * visible_pairs(spec);

  const double embedding = 2.0 * n * p * c;
  const double per_layer = 2.0 * 2.0 * n * c * c     // query and output projections
                           + 2.0 * 2.0 * nk * c * c  // key and value projections
                           + 2.0 * 2.0 * pairs * c   // q·kᵀ and probs·v over all heads
                           + 2.0 * 2.0 * n * c * m;  // the two MLP layers
  const double output = 2.0 * n * c * p;
  return embedding + spec.num_layers * per_layer + output;
}

double flops_per_step(const ModelSpec& spec, int batch) {
  const double n = static_cast<double>(batch) * spec.time_steps;
  const double c = spec.embed_dim;
  const double p = spec.pixels();
  const double forward = flops_forward(spec, batch);
  const double embedding_forward = 2.0 * n * p * c;
  // Backward: every trainable GEMM twice (input and weight gradient), attention four products
  // (dprobs, dq, dk, dv). The layer-0 input gradient feeds the diffusivity embedding. The frame
  // embedding gets a weight gradient only when it is the trainable linear layer.
  const double backward = 2.0 * (forward - embedding_forward) +
                          (spec.frame_embedding == FrameEmbedding::Linear ? 2.0 * n * p * c : 0.0);
  return forward + backward;
}

}  // namespace kbeta::model
