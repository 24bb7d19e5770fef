#include "model/initialization.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kbeta::model {

namespace {

std::size_t count(int a, int b) {
  return static_cast<std::size_t>(a) * static_cast<std::size_t>(b);
}

// A QuantizedEmbedding table of the reference: normal with σ = 1/√width, then quantized.
std::vector<float> draw_quantized_table(rng::Generator& gen, int rows, int width) {
  std::vector<float> table(count(rows, width));
  gen.normal(static_cast<float>(std::sqrt(1.0 / width)), table);
  quantize_dequantize(table, quant_group_size(static_cast<std::size_t>(width)));
  return table;
}

// nn.Linear's rule: uniform on ±√(1/in), the bound computed in double and rounded to float.
void draw_uniform(rng::Generator& gen, std::span<float> out, double bound) {
  gen.uniform(static_cast<float>(-bound), static_cast<float>(bound), out);
}

}  // namespace

FrozenInputs draw_frozen_inputs(const ModelSpec& spec, rng::Generator& gen) {
  FrozenInputs inputs;
  const int f = spec.spatial_dim();
  const int c = spec.embed_dim;
  const int t = spec.time_steps;
  const bool frozen = spec.frame_embedding == FrameEmbedding::FrozenRandom;

  if (frozen) {
    inputs.has_projection = true;
    inputs.projection_key = gen.next();
  }

  if (spec.positional_encoding == PositionalEncoding::Rope) {
    if (frozen) {
      inputs.emb_y = draw_quantized_table(gen, spec.ny, f);
      inputs.emb_x = draw_quantized_table(gen, spec.nx, f);
    }
    inputs.emb_t = draw_quantized_table(gen, t, c);
    if (frozen) {
      // The reference rotates the (1, NY, 1, F) y table along axis −2, whose length is 1, so
      // every row sits at position 0 and is unchanged; x rows are at positions 0 … NX−1.
      inputs.spatial.y = inputs.emb_y;
      rope_rows(inputs.spatial.y, spec.ny, f, 0);
      inputs.spatial.x = inputs.emb_x;
      rope_rows(inputs.spatial.x, spec.nx, f, 1);
    }
    inputs.temporal = inputs.emb_t;
    rope_rows(inputs.temporal, t, c, 1);
  } else {
    if (frozen) {
      inputs.spatial.y.resize(count(spec.ny, f));
      sinusoidal_rows(inputs.spatial.y, spec.ny, f);
      inputs.spatial.x.resize(count(spec.nx, f));
      sinusoidal_rows(inputs.spatial.x, spec.nx, f);
    }
    inputs.temporal.resize(count(t, c));
    sinusoidal_rows(inputs.temporal, t, c);
  }
  return inputs;
}

void draw_trainable(const ModelSpec& spec, const ParamOffsets& offsets, rng::Generator& gen,
                    std::span<float> params) {
  const int c = spec.embed_dim, m = spec.mlp_dim, p = spec.pixels();
  const double bound_c = std::sqrt(1.0 / c);
  const double bound_m = std::sqrt(1.0 / m);
  auto tensor = [&](std::size_t offset, std::size_t size) { return params.subspan(offset, size); };

  for (const LayerOffsets& layer : offsets.layers) {
    draw_uniform(gen, tensor(layer.query, count(c, c)), bound_c);
    draw_uniform(gen, tensor(layer.key, count(c, c)), bound_c);
    draw_uniform(gen, tensor(layer.value, count(c, c)), bound_c);
    draw_uniform(gen, tensor(layer.out, count(c, c)), bound_c);
    draw_uniform(gen, tensor(layer.linear1_weight, count(m, c)), bound_c);
    draw_uniform(gen, tensor(layer.linear1_bias, count(m, 1)), bound_c);
    draw_uniform(gen, tensor(layer.linear2_weight, count(c, m)), bound_m);
    draw_uniform(gen, tensor(layer.linear2_bias, count(c, 1)), bound_m);
    for (std::size_t gamma : {layer.ln1_weight, layer.ln2_weight}) {
      std::ranges::fill(tensor(gamma, count(c, 1)), 1.0f);
    }
    for (std::size_t beta : {layer.ln1_bias, layer.ln2_bias}) {
      std::ranges::fill(tensor(beta, count(c, 1)), 0.0f);
    }
  }
  draw_uniform(gen, tensor(offsets.output_weight, count(p, c)), bound_c);
  draw_uniform(gen, tensor(offsets.output_bias, count(p, 1)), bound_c);
  draw_uniform(gen, tensor(offsets.diffusivity_weight, count(c, 1)), 1.0);
  draw_uniform(gen, tensor(offsets.diffusivity_bias, count(c, 1)), 1.0);
  if (offsets.has_frame_linear) {
    const double bound_p = std::sqrt(1.0 / p);
    draw_uniform(gen, tensor(offsets.frame_weight, count(c, p)), bound_p);
    draw_uniform(gen, tensor(offsets.frame_bias, count(c, 1)), bound_p);
  }
  for (std::size_t gamma : {offsets.encoder_ln_weight, offsets.norm_weight}) {
    std::ranges::fill(tensor(gamma, count(c, 1)), 1.0f);
  }
  for (std::size_t beta : {offsets.encoder_ln_bias, offsets.norm_bias}) {
    std::ranges::fill(tensor(beta, count(c, 1)), 0.0f);
  }
  if (offsets.has_mask) {
    const std::vector<float> mask = reference_mask(spec);
    std::ranges::copy(mask, tensor(offsets.mask, mask.size()).begin());
  }
}

void build_frozen(const ModelSpec& spec, const FrozenOffsets& offsets, const FrozenInputs& inputs,
                  std::span<double> frozen) {
  const int c = spec.embed_dim;
  if (offsets.has_frame_matrix) {
    KBETA_CHECK(inputs.has_projection);
    const rng::Key key = inputs.projection_key;
    collapse_projection(frozen.subspan(offsets.frame_matrix, count(c, spec.pixels())),
                        frozen.subspan(offsets.frame_offset, count(c, 1)), c, spec.ny, spec.nx,
                        spec.spatial_dim(), inputs.spatial,
                        [&](std::span<float> row, std::size_t o) { projection_weight_row(row, key, c, o); });
  }
  const std::span<double> temporal = frozen.subspan(offsets.temporal_encoding, count(spec.time_steps, c));
  std::ranges::transform(inputs.temporal, temporal.begin(), [](float v) { return static_cast<double>(v); });
}

std::vector<float> reference_mask(const ModelSpec& spec) {
  const int t = spec.time_steps;
  std::vector<float> mask(count(t, t), -std::numeric_limits<float>::infinity());
  for (int i = 0; i < t; ++i) {
    const int visible = spec.visible_keys(i);
    for (int j = 0; j < visible; ++j) {
      mask[count(i, t) + static_cast<std::size_t>(j)] = 0.0f;
    }
  }
  return mask;
}

}  // namespace kbeta::model
