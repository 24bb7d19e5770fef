// The heat-diffusion Transformer of the reference (kbeta-transformer2d's HeatDiffusionModel):
// frame embedding, temporal encoding and diffusivity embedding, a pre-norm Transformer encoder
// with an additive attention mask, the encoder's final LayerNorm, a second LayerNorm and the
// output projection back to a frame; its loss and exact gradients.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/param_table.hpp"
#include "core/rng.hpp"
#include "kernels/attention.hpp"
#include "model/parameters.hpp"
#include "model/spec.hpp"

namespace kbeta::model {

// Seconds spent in each part of the last compute_gradients call (for the step benchmark).
struct StepTimes {
  double embedding = 0, layernorm = 0, linear = 0, attention = 0, elementwise = 0, loss = 0;
};

template <typename T>
class HeatTransformer {
 public:
  // Validates the spec and plans every buffer for up to max_batch samples; parameters start
  // as zeros until initialize() or a load.
  HeatTransformer(const ModelSpec& spec, int max_batch);

  const ModelSpec& spec() const { return spec_; }
  int max_batch() const { return max_batch_; }
  // Trainable tensors under the reference's MLX names, including "mask" when learned.
  const ParamTable& params() const { return params_table_; }
  std::span<T> parameters() { return params_; }
  std::span<const T> parameters() const { return params_; }
  std::span<T> gradients() { return grads_; }
  std::span<const T> gradients() const { return grads_; }
  // Frozen constants: "frame_matrix" (C, P) and "frame_offset" (C) for the frozen_random frame
  // embedding, and "temporal_encoding" (T, C).
  const ParamTable& frozen() const { return frozen_table_; }
  std::span<T> frozen_values() { return frozen_; }
  std::span<const T> frozen_values() const { return frozen_; }

  // Draws every parameter and frozen constant from gen in the reference's order and builds A,
  // c and the positional tables.
  void initialize(rng::Generator& gen);
  // Rebuilds derived data (the attention layout of the mask) after parameters() or
  // frozen_values() were overwritten. Throws kbeta::Error when the loaded mask reads keys
  // outside the pattern of the spec's mask type.
  void refresh_after_load();

  // Forward, loss and backward on batch ≤ max_batch samples: target (B, T, NY, NX), alpha (B),
  // dt (B). The input is the target (task reconstruct) or the target with frames
  // t ≥ n_initial_frames zeroed (task forecast). Gradients are ADDED into gradients().
  LossTerms compute_gradients(std::span<const T> target, std::span<const T> alpha, std::span<const T> dt,
                              int batch);
  // Forward and loss only.
  LossTerms compute_loss(std::span<const T> target, std::span<const T> alpha, std::span<const T> dt,
                         int batch);
  // Forward of an explicit input (B, T, NY, NX) into out (B, T, NY, NX); no task masking.
  void predict(std::span<T> out, std::span<const T> input, std::span<const T> alpha, int batch);

  // Intermediates of the last forward pass, for inspection and tests: the frame embedding and
  // the encoder input (frame embedding + temporal + diffusivity). Both span max_batch samples
  // (max_batch, T, C), and the first B·T·C values belong to the last batch of B samples.
  std::span<const T> last_projected() const;
  std::span<const T> last_encoder_input() const;
  // Times of the last compute_gradients call, by kind of kernel.
  const StepTimes& last_step_times() const { return times_; }

 private:
  // Saved activations of one encoder layer, (B·T, …) rows.
  struct LayerBuffers {
    std::vector<T> input;                       // (B·T, C) residual stream entering the layer
    std::vector<T> ln1, ln2;                    // (B·T, C) normalised inputs of attention and MLP
    std::vector<T> mean1, rstd1, mean2, rstd2;  // (B·T)
    std::vector<T> query;                       // (B·T, C)
    std::vector<T> key_input;   // (B·Tk, C) rows of ln1 for the key frames (only when Tk < T)
    std::vector<T> key, value;  // (B·Tk, C)
    std::vector<T> probs;       // (B, NH, T, Tk)
    std::vector<T> attended;    // (B·T, C) attention output before out_proj
    std::vector<T> residual1;   // (B·T, C) input + attention
    std::vector<T> hidden;      // (B·T, M) ReLU output
  };

  void plan_buffers();
  void check_batch(std::size_t target_size, std::size_t alpha_size, int batch) const;
  const T* mask_values() const;
  const T* key_source(const LayerBuffers& layer) const;
  void forward(const T* input, const T* alpha, int batch);
  void embed(const T* input, const T* alpha, int batch);
  void layer_forward(std::size_t l, const T* x, T* out, int batch);
  void backward(const T* target, const T* alpha, const T* dt, int batch);
  void layer_backward(std::size_t l, int batch);
  void embedding_backward(const T* input, const T* alpha, int batch);
  LossTerms loss(const T* target, const T* alpha, const T* dt, int batch);
  const T* model_input(std::span<const T> target, int batch);

  ModelSpec spec_;
  int max_batch_;
  int key_frames_;  // Tk: frames whose keys and values are computed (≥ spec_.key_frames())
  ParamTable params_table_;
  ParamOffsets offsets_;
  ParamTable frozen_table_;
  FrozenOffsets frozen_offsets_;
  std::vector<T> params_, grads_, frozen_;
  std::vector<T> fixed_mask_;  // (T, T) used when the mask is not learned
  kernels::AttentionMaskLayout layout_;

  // Workspace, sized for max_batch in the constructor.
  std::vector<T> input_;      // (B, T, P) task input (forecast only)
  std::vector<T> projected_;  // (B·T, C)
  std::vector<LayerBuffers> layers_;
  std::vector<T> encoder_output_;                      // (B·T, C)
  std::vector<T> final_ln_, final_mean_, final_rstd_;  // encoder LayerNorm (B·T, C), (B·T)
  std::vector<T> norm_, norm_mean_, norm_rstd_;        // layer_normalizer
  std::vector<T> output_;                              // (B·T, P)
  // Backward scratch.
  std::vector<T> d_output_;                       // (B·T, P)
  std::vector<T> d_stream_;                       // (B·T, C) gradient of the residual stream
  std::vector<T> d_a_, d_b_;                      // (B·T, C)
  std::vector<T> d_query_;                        // (B·T, C)
  std::vector<T> d_key_, d_value_, d_key_input_;  // (B·Tk, C)
  std::vector<T> d_hidden_, d_preact_;            // (B·T, M)
  std::vector<T> d_scores_;                       // (B, NH, T, Tk)
  StepTimes times_;
};

extern template class HeatTransformer<float>;
extern template class HeatTransformer<double>;

}  // namespace kbeta::model
