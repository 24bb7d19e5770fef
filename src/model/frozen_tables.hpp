// The frozen constants of the reference's input side: MLX's 4-bit affine quantization, the
// RoPE-rotated positional tables and the exact collapse of the frozen projection into a small
// matrix A (C × P) and offset c (C).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/rng.hpp"

namespace kbeta::model {

// Group size of the reference's quantized layers (MLX's default, 64 inputs per scale/bias).
inline constexpr int kQuantGroupSize = 64;

// Quantization group of a row of `row_length` inputs: 64 where 64 divides the row (the only
// case MLX accepts), otherwise the whole row (our extension so that any width works).
int quant_group_size(std::size_t row_length);

// Replaces every group of `group` consecutive values by MLX's 4-bit affine quantization of it,
// dequantized (mx.dequantize(mx.quantize(w, group, 4))), computed in float32 as MLX's CPU
// fallback does. values.size() must be a multiple of group.
void quantize_dequantize(std::span<float> values, int group);

// Applies MLX's traditional RoPE (interleaved pairs, base 100, scale 1) to every row of the
// (rows, width) table: row r is rotated at position r·position_step. The frequencies
// base^(−k/(width/2)) are computed in float32 as exp(−k·(ln base/(width/2))) with MLX's CPU
// exp, as MLX's fallback does; the rotation itself is float32.
void rope_rows(std::span<float> table, int rows, int width, int position_step);

// Fixed sin/cos encoding (Vaswani et al. 2017): row p, columns 2k and 2k+1 hold
// sin(p·10000^(−2k/width)) and cos(p·10000^(−2k/width)); computed in double.
void sinusoidal_rows(std::span<float> table, int rows, int width);

// The spatial tables and their combination feeding the frozen projection.
struct SpatialTables {
  std::vector<float> y;  // (NY, F), after its RoPE (the identity: position 0 for every row)
  std::vector<float> x;  // (NX, F), row j rotated at position j
};

// Builds A (C, P) and c (C) of projected = A·frame + c from the frozen projection weight,
// whose row o, input (i·nx + j)·F + f, is produced by `weight_row(o, row)` (dequantized, F·P
// values), and the spatial tables: A[o, i·nx+j] = Σ_f ŵ[o, (i·nx+j)·F+f] and
// c[o] = Σ_{i,j,f} ŵ[o,(i,j,f)]·(PY[i,f] + PX[j,f]) + bias[o], with bias = 0 (the reference's
// QuantizedLinear bias). Sums are in double; rows are independent and built in parallel.
template <typename RowFn>
void collapse_projection(std::span<double> frame_matrix, std::span<double> frame_offset, int embed_dim,
                         int ny, int nx, int spatial_dim, const SpatialTables& tables, RowFn&& weight_row);

// Generates row `row` of the reference's frozen projection weight, uniform on ±1/√(P·F) from
// the draw `key` of D·P·F words, then quantized and dequantized per group: out.size() = P·F.
void projection_weight_row(std::span<float> out, rng::Key key, int embed_dim, std::size_t row);

}  // namespace kbeta::model

#include "model/frozen_tables_impl.hpp"
