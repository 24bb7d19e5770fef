// The parameter tables of the model: trainable tensors under the reference's MLX names, in the
// reference's order, and the frozen constants.
#pragma once

#include <cstddef>
#include <vector>

#include "core/param_table.hpp"
#include "model/spec.hpp"

namespace kbeta::model {

// Offsets of one encoder layer's tensors inside the parameter buffer.
struct LayerOffsets {
  std::size_t query, key, value, out;                      // (C, C) each, no bias
  std::size_t ln1_weight, ln1_bias, ln2_weight, ln2_bias;  // (C)
  std::size_t linear1_weight, linear1_bias;                // (M, C), (M)
  std::size_t linear2_weight, linear2_bias;                // (C, M), (C)
};

// Offsets of every trainable tensor. frame_weight/frame_bias exist only for the linear frame
// embedding and mask only when learn_mask_bias is on (has_* say which).
struct ParamOffsets {
  bool has_frame_linear = false;
  std::size_t frame_weight = 0, frame_bias = 0;  // (C, P), (C)
  std::vector<LayerOffsets> layers;
  std::size_t encoder_ln_weight = 0, encoder_ln_bias = 0;    // (C)
  std::size_t output_weight = 0, output_bias = 0;            // (P, C), (P)
  std::size_t diffusivity_weight = 0, diffusivity_bias = 0;  // (C, 1), (C)
  std::size_t norm_weight = 0, norm_bias = 0;                // layer_normalizer (C)
  bool has_mask = false;
  std::size_t mask = 0;  // (T, T)
};

// Offsets of the frozen constants: the frame matrix A (C, P) and offset c (C) of the
// frozen_random embedding (absent for linear), and the temporal encoding (T, C).
struct FrozenOffsets {
  bool has_frame_matrix = false;
  std::size_t frame_matrix = 0, frame_offset = 0;
  std::size_t temporal_encoding = 0;
};

// Builds the trainable table in the reference's attribute order (MLX tree_flatten of
// trainable_parameters()): encoder layers, encoder LayerNorm, output projection, diffusivity
// embedding, layer_normalizer, mask. The linear frame embedding ("frame_embedding.weight" (C, P)
// and ".bias" (C), which the reference does not have) sits before the mask.
ParamTable build_param_table(const ModelSpec& spec, ParamOffsets& offsets);

// Builds the frozen table: "frame_matrix", "frame_offset" (frozen_random only) and
// "temporal_encoding".
ParamTable build_frozen_table(const ModelSpec& spec, FrozenOffsets& offsets);

}  // namespace kbeta::model
