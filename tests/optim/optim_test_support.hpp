// Helpers shared by the optimiser tests: a parameter table shaped like the heat-diffusion model's
// and the small quadratic problems of the kbeta test suite.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/param_table.hpp"
#include "optim/optimizer.hpp"

namespace kbeta::optim::testing {

// The model's trainable tensors in the reference's order: encoder layers, final encoder norm,
// output projection, diffusivity embedding, final norm, mask. embed_dim C, mlp_dim M, P pixels
// per frame, T frames.
inline ParamTable model_like_table(int layers, std::int64_t C, std::int64_t M, std::int64_t P,
                                   std::int64_t T) {
  ParamTable table;
  for (int l = 0; l < layers; ++l) {
    const std::string prefix = "transformer_encoder.layers." + std::to_string(l) + ".";
    for (const char* proj : {"query_proj", "key_proj", "value_proj", "out_proj"}) {
      table.add(prefix + "attention." + proj + ".weight", {C, C});
    }
    table.add(prefix + "ln1.weight", {C});
    table.add(prefix + "ln1.bias", {C});
    table.add(prefix + "ln2.weight", {C});
    table.add(prefix + "ln2.bias", {C});
    table.add(prefix + "linear1.weight", {M, C});
    table.add(prefix + "linear1.bias", {M});
    table.add(prefix + "linear2.weight", {C, M});
    table.add(prefix + "linear2.bias", {C});
  }
  table.add("transformer_encoder.ln.weight", {C});
  table.add("transformer_encoder.ln.bias", {C});
  table.add("output_projection.weight", {P, C});
  table.add("output_projection.bias", {P});
  table.add("diffusivity_embedding.weight", {C, 1});
  table.add("diffusivity_embedding.bias", {C});
  table.add("layer_normalizer.weight", {C});
  table.add("layer_normalizer.bias", {C});
  table.add("mask", {T, T});
  return table;
}

// Deterministic pseudo-random values in [-scale, scale) (a 64-bit LCG; quality is irrelevant here).
inline std::vector<float> pseudo_random(std::size_t count, float scale, std::uint64_t seed) {
  std::vector<float> values(count);
  std::uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (float& value : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double unit = static_cast<double>(state >> 11) * 0x1.0p-53;
    value = static_cast<float>((2.0 * unit - 1.0) * static_cast<double>(scale));
  }
  return values;
}

// Gradient of ½(w·x)² with x = (0, 1, 2, 3): g = (w·x)·x, in float32.
inline std::vector<float> quadratic_gradient(std::span<const float> w) {
  float dot = 0.0f;
  for (std::size_t i = 0; i < w.size(); ++i) {
    dot += w[i] * static_cast<float>(i);
  }
  std::vector<float> g(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    g[i] = dot * static_cast<float>(i);
  }
  return g;
}

// A copy of every state tensor's data, so that a snapshot outlives later steps.
struct StateCopy {
  std::vector<std::string> names;
  std::vector<std::vector<std::int64_t>> shapes;
  std::vector<std::vector<float>> f32;
  std::vector<std::vector<double>> f64;
  std::vector<std::vector<std::int64_t>> i64;
  std::vector<int> kind;  // 0 f32, 1 f64, 2 i64, index into the vectors above by position

  std::vector<StateTensor> views() const {
    std::vector<StateTensor> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      StateTensor t{names[i], shapes[i], std::span<const float>(f32[i])};
      if (kind[i] == 1) {
        t.data = std::span<const double>(f64[i]);
      } else if (kind[i] == 2) {
        t.data = std::span<const std::int64_t>(i64[i]);
      }
      out.push_back(std::move(t));
    }
    return out;
  }
};

inline StateCopy copy_state(const Optimizer& optimizer) {
  StateCopy copy;
  for (const StateTensor& t : optimizer.state()) {
    copy.names.push_back(t.name);
    copy.shapes.push_back(t.shape);
    copy.f32.emplace_back();
    copy.f64.emplace_back();
    copy.i64.emplace_back();
    copy.kind.push_back(static_cast<int>(t.data.index()));
    if (const auto* f = std::get_if<std::span<const float>>(&t.data)) {
      copy.f32.back().assign(f->begin(), f->end());
    } else if (const auto* d = std::get_if<std::span<const double>>(&t.data)) {
      copy.f64.back().assign(d->begin(), d->end());
    } else {
      const auto i = std::get<std::span<const std::int64_t>>(t.data);
      copy.i64.back().assign(i.begin(), i.end());
    }
  }
  return copy;
}

}  // namespace kbeta::optim::testing
