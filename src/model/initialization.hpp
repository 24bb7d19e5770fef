// Seeded initialisation in the reference's draw order, through the MLX-compatible generator.
//
// The reference (MLX 0.26/0.27) draws, one generator key each, in attribute order: the frozen
// projection weight uniform (C, P·F); the y, x and t tables normal (NY, F), (NX, F), (T, C);
// then per encoder layer the q, k, v and out weights, linear1 weight and bias, linear2 weight
// and bias (all uniform ±1/√in); then output_projection weight and bias, and
// diffusivity_embedding weight and bias (±1). LayerNorms start at γ = 1, β = 0 and draw nothing.
// Our alternatives draw less (no projection for the linear frame embedding and no x, y tables,
// no tables at all for sinusoidal encodings) and the linear frame embedding draws its weight
// and bias (±1/√P) after the diffusivity embedding.
#pragma once

#include <span>
#include <vector>

#include "core/rng.hpp"
#include "model/frozen_tables.hpp"
#include "model/parameters.hpp"
#include "model/spec.hpp"

namespace kbeta::model {

// The frozen inputs of the model before the collapse into A and c.
struct FrozenInputs {
  bool has_projection = false;
  rng::Key projection_key;          // the draw of the (C, P·F) projection weight
  std::vector<float> emb_y, emb_x;  // (NY, F), (NX, F) dequantized tables (rope, frozen_random)
  std::vector<float> emb_t;         // (T, C) dequantized table (rope)
  SpatialTables spatial;            // y and x tables as added to the frame (after RoPE)
  std::vector<float> temporal;      // (T, C) the temporal encoding added to every token
};

// Consumes the generator draws of the frozen projection and the positional tables and builds
// the tables (quantized, then RoPE-rotated: y at position 0, x and t at their index).
FrozenInputs draw_frozen_inputs(const ModelSpec& spec, rng::Generator& gen);

// Consumes the draws of the trainable tensors (after draw_frozen_inputs) and writes every
// trainable tensor, including the 0/−∞ mask, into params (layout of build_param_table).
void draw_trainable(const ModelSpec& spec, const ParamOffsets& offsets, rng::Generator& gen,
                    std::span<float> params);

// Writes the frozen constants (layout of build_frozen_table): A and c collapsed in double
// from the projection weight row by row, and the temporal encoding.
void build_frozen(const ModelSpec& spec, const FrozenOffsets& offsets, const FrozenInputs& inputs,
                  std::span<double> frozen);

// The additive (T, T) mask of the reference: 0 where a query may read a key, −∞ elsewhere.
std::vector<float> reference_mask(const ModelSpec& spec);

}  // namespace kbeta::model
