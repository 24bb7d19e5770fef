// Helpers shared by the model's fixture tests: the spec of a fixture's tiny model, read from
// its JSON sidecar, and comparisons that report the first mismatching index.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/spec.hpp"

namespace kbeta::testing {

inline model::ModelSpec spec_from_sidecar(const nlohmann::json& sidecar) {
  model::ModelSpec spec;
  spec.ny = sidecar.at("ny").get<int>();
  spec.nx = sidecar.at("nx").get<int>();
  spec.time_steps = sidecar.at("time_steps").get<int>();
  spec.embed_dim = sidecar.at("embed_dim").get<int>();
  spec.num_heads = sidecar.at("num_heads").get<int>();
  spec.num_layers = sidecar.at("num_encoder_layers").get<int>();
  spec.mlp_dim = sidecar.at("mlp_dim").get<int>();
  spec.start_predicting_from = sidecar.at("start_predicting_from").get<int>();
  spec.n_initial_frames = sidecar.at("n_initial_frames").get<int>();
  spec.dx = sidecar.at("dx").get<double>();
  spec.dy = sidecar.at("dy").get<double>();
  const std::string mask = sidecar.at("mask_type").get<std::string>();
  spec.mask = mask == "causal" ? model::MaskType::Causal : model::MaskType::Block;
  return spec;
}

// Largest |value| of a tensor, at least `floor` so an all-zero tensor gets an absolute bound.
template <typename A>
double max_abs(const A& values, double floor = 0.0) {
  double m = floor;
  for (auto v : values) {
    if (std::isfinite(static_cast<double>(v))) {
      m = std::max(m, std::fabs(static_cast<double>(v)));
    }
  }
  return m;
}

// Expects |actual − expected| ≤ tolerance element-wise (infinities must match exactly) and
// reports the first mismatch with its index and both values.
template <typename A, typename B>
::testing::AssertionResult all_near(const A& actual, const B& expected, double tolerance) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure() << "sizes differ: " << actual.size() << " vs " << expected.size();
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const auto a = static_cast<double>(actual[i]);
    const auto e = static_cast<double>(expected[i]);
    const bool same_infinity = std::isinf(a) && std::isinf(e) && (a > 0) == (e > 0);
    if (!same_infinity && !(std::fabs(a - e) <= tolerance)) {
      return ::testing::AssertionFailure()
             << "index " << i << ": got " << a << ", expected " << e << " (tolerance " << tolerance << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace kbeta::testing
