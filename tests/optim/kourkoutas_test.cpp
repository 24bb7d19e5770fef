#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "optim/kourkoutas.hpp"
#include "optim/optimizer.hpp"
#include "optim_test_support.hpp"

namespace kbeta::optim {
namespace {

using testing::pseudo_random;
using testing::quadratic_gradient;

// The "Adam-like" Kourkoutas-β of the kbeta test suite: β₂min = β₂max, no extras, one bucket.
OptimizerSettings adam_like(BiasCorrection mode) {
  OptimizerSettings s;
  s.kind = OptimizerKind::Kourkoutas;
  s.beta1 = 0.9;
  s.beta2_min = 0.999;
  s.beta2_max = 0.999;
  s.eps = 1e-8;
  s.alpha = 0.95;
  s.warmup_steps = 0;
  s.bias_correction = mode;
  return s;
}

// The transformer's Kourkoutas-β settings with a short warm-up.
OptimizerSettings paper_like(std::int64_t warmup) {
  OptimizerSettings s;
  s.kind = OptimizerKind::Kourkoutas;
  s.warmup_steps = warmup;
  s.diagnostics = true;
  return s;
}

std::vector<float> state_values(const Optimizer& optimizer, const std::string& name) {
  for (const StateTensor& t : optimizer.state()) {
    if (t.name == name) {
      const auto values = std::get<std::span<const float>>(t.data);
      return {values.begin(), values.end()};
    }
  }
  ADD_FAILURE() << "no state tensor " << name;
  return {};
}

bool has_state(const Optimizer& optimizer, const std::string& name) {
  const auto state = optimizer.state();
  return std::any_of(state.begin(), state.end(), [&name](const StateTensor& t) { return t.name == name; });
}

ParamTable single_tensor(std::int64_t size) {
  ParamTable table;
  table.add("w", {size});
  return table;
}

// Runs Kourkoutas-β and MLX-style Adam side by side on ½(w·x)², each on its own parameters, and
// checks after every step that |w_kb − w_adam| ≤ 1e-6 + 1e-7·|w_adam| (the kbeta suite's tolerance).
void expect_matches_adam(BiasCorrection mode, bool adam_bias_correction, const std::vector<float>& w0,
                         int steps) {
  const ParamTable table = single_tensor(static_cast<std::int64_t>(w0.size()));
  auto kb = make_optimizer(adam_like(mode), table);
  OptimizerSettings adam_settings;
  adam_settings.kind = OptimizerKind::Adam999;
  adam_settings.adam_bias_correction = adam_bias_correction;
  auto adam = make_optimizer(adam_settings, table);

  std::vector<float> w_kb = w0;
  std::vector<float> w_adam = w0;
  for (int step = 1; step <= steps; ++step) {
    kb->step(w_kb, quadratic_gradient(w_kb), 1e-3);
    adam->step(w_adam, quadratic_gradient(w_adam), 1e-3);
    for (std::size_t i = 0; i < w0.size(); ++i) {
      const double tolerance = 1e-6 + 1e-7 * std::fabs(static_cast<double>(w_adam[i]));
      ASSERT_NEAR(w_kb[i], w_adam[i], tolerance) << "step " << step << " index " << i;
    }
  }
}

TEST(KourkoutasAsAdam, Beta2MaxMatchesCorrectedAdam) {
  expect_matches_adam(BiasCorrection::Beta2Max, true, {1.0f, 2.0f, 3.0f, 4.0f}, 64);
  expect_matches_adam(BiasCorrection::Beta2Max, true, {1.0f, 1.0f, 1.0f, 1.0f}, 50);
}

TEST(KourkoutasAsAdam, ExactMatchesCorrectedAdam) {
  expect_matches_adam(BiasCorrection::Exact, true, {1.0f, 2.0f, 3.0f, 4.0f}, 64);
}

TEST(KourkoutasAsAdam, NoneMatchesUncorrectedAdamBitwise) {
  // Both compute lr·m / (√v + ε) in the same float32 order. β₂ = 0.75 because the reference's
  // Kourkoutas-β forms 1 − β₂ from the float32 β₂ and MLX Adam from the Python double: for 0.999
  // these differ by 1.3e-5 relative (0.00099998713 against 0.001), for 0.75 both are exactly 0.25.
  const ParamTable table = single_tensor(4);
  OptimizerSettings kb_settings = adam_like(BiasCorrection::None);
  kb_settings.beta2_min = 0.75;
  kb_settings.beta2_max = 0.75;
  auto kb = make_optimizer(kb_settings, table);
  OptimizerSettings adam_settings;
  adam_settings.adam_beta2 = 0.75;
  adam_settings.adam_bias_correction = false;
  auto adam = make_optimizer(adam_settings, table);

  std::vector<float> w_kb{1.0f, 2.0f, 3.0f, 4.0f};
  std::vector<float> w_adam = w_kb;
  for (int step = 1; step <= 64; ++step) {
    kb->step(w_kb, quadratic_gradient(w_kb), 1e-3);
    adam->step(w_adam, quadratic_gradient(w_adam), 1e-3);
    ASSERT_EQ(w_kb, w_adam) << "step " << step;
  }
}

TEST(KourkoutasAsAdam, HoldsForEveryBucketMode) {
  // With a fixed β₂ the buckets cannot matter; run a model-shaped table with random gradients.
  const ParamTable table = testing::model_like_table(2, 8, 4, 6, 5);
  OptimizerSettings adam_settings;
  auto adam = make_optimizer(adam_settings, table);
  std::vector<float> w_adam = pseudo_random(table.total_size(), 1.0f, 1);
  std::vector<std::vector<float>> grads;
  for (int step = 0; step < 5; ++step) {
    grads.push_back(pseudo_random(table.total_size(), 0.1f * static_cast<float>(step + 1),
                                  10 + static_cast<std::uint64_t>(step)));
    adam->step(w_adam, grads.back(), 1e-3);
  }
  for (BucketMode mode : {BucketMode::Global, BucketMode::Tensor, BucketMode::Layer, BucketMode::Shape}) {
    OptimizerSettings s = adam_like(BiasCorrection::Beta2Max);
    s.layer_buckets = mode;
    auto kb = make_optimizer(s, table);
    std::vector<float> w_kb = pseudo_random(table.total_size(), 1.0f, 1);
    for (const auto& g : grads) {
      kb->step(w_kb, g, 1e-3);
    }
    for (std::size_t i = 0; i < w_kb.size(); ++i) {
      ASSERT_NEAR(w_kb[i], w_adam[i], 1e-6 + 1e-7 * std::fabs(static_cast<double>(w_adam[i])))
          << to_string(mode) << " index " << i;
    }
  }
}

TEST(KourkoutasBeta2, MidpointDuringWarmupThenBounded) {
  const ParamTable table = testing::model_like_table(2, 8, 4, 6, 5);
  OptimizerSettings s = paper_like(5);
  s.layer_buckets = BucketMode::Tensor;
  auto kb = make_optimizer(s, table);
  std::vector<float> w = pseudo_random(table.total_size(), 1.0f, 2);

  const float midpoint = static_cast<float>(0.5 * (0.88 + 0.999));
  const double lower = 0.999 - (0.999 - 0.88) / (2.0 - 0.93);  // 0.88779...
  // Gradient scales that jump by up to ×1000 either way, so the sun-spike sweeps its range.
  const float scales[] = {1.0f, 1.0f, 1e3f, 1.0f, 1e-3f, 5.0f, 1e3f, 1e3f, 2.0f, 1e-2f};
  for (int step = 1; step <= 40; ++step) {
    const float scale = scales[static_cast<std::size_t>(step) % std::size(scales)];
    const auto g = pseudo_random(table.total_size(), scale, 100 + static_cast<std::uint64_t>(step));
    kb->step(w, g, 1e-3);
    const BucketStats stats = kb->bucket_stats();
    ASSERT_EQ(stats.beta2.size(), table.count());
    for (std::size_t b = 0; b < stats.beta2.size(); ++b) {
      if (step <= 5) {
        ASSERT_EQ(stats.beta2[b], midpoint) << "step " << step << " bucket " << stats.names[b];
        ASSERT_EQ(stats.sunspike[b], 0.0f) << "step " << step << " bucket " << stats.names[b];
      } else {
        // The bound holds in exact arithmetic; float32 rounding of β₂ ≈ 0.89 may land one ulp
        // (6e-8) below it.
        ASSERT_GE(static_cast<double>(stats.beta2[b]), lower - 6e-8) << "step " << step << " bucket " << b;
        ASSERT_LT(stats.beta2[b], 0.999f) << "step " << step << " bucket " << b;
        ASSERT_GT(stats.sunspike[b], 0.0f);
        ASSERT_LT(static_cast<double>(stats.sunspike[b]), 1.0 / (2.0 - 0.93) + 6e-8);
      }
    }
  }
}

TEST(KourkoutasBeta2, FirstStepWithoutWarmupNearLowerBound) {
  // Step 1: ema = (1−α)n, so raw = n/((1−α)n + tiny_spike) and β₂ sits just above the bound.
  const ParamTable table = single_tensor(3);
  auto kb = make_optimizer(paper_like(0), table);
  std::vector<float> w{0.0f, 0.0f, 0.0f};
  const std::vector<float> g{3.0f, -4.0f, 12.0f};  // norm 13
  kb->step(w, g, 1e-3);

  const double n = 13.0;
  const double raw = n / ((1.0 - 0.93) * n + 1e-8);
  const double sun = raw / (1.0 + raw);
  const double beta2 = 0.999 - (0.999 - 0.88) * sun;
  EXPECT_NEAR(static_cast<double>(kb->bucket_stats().sunspike[0]), sun, 2e-7);
  EXPECT_NEAR(static_cast<double>(kb->bucket_stats().beta2[0]), beta2, 2e-7);
}

TEST(KourkoutasBeta2, BucketsSeeTheirOwnNorms) {
  // Two tensors; at step 2 tensor a's gradient doubles and tensor b's halves. Per-tensor buckets
  // get different β₂, the global bucket the β₂ of the combined norm.
  ParamTable table;
  table.add("a", {2});
  table.add("b", {2});
  const std::vector<float> g1{3.0f, 4.0f, 0.6f, 0.8f};  // norms 5 and 1
  const std::vector<float> g2{6.0f, 8.0f, 0.3f, 0.4f};  // norms 10 and 0.5
  const double alpha = 0.93;
  const auto expected_beta2 = [alpha](double n1, double n2) {
    const double ema = alpha * ((1.0 - alpha) * n1) + (1.0 - alpha) * n2;
    const double raw = n2 / (ema + 1e-8);
    return 0.999 - (0.999 - 0.88) * raw / (1.0 + raw);
  };

  OptimizerSettings s = paper_like(0);
  s.layer_buckets = BucketMode::Tensor;
  auto per_tensor = make_optimizer(s, table);
  s.layer_buckets = BucketMode::Global;
  auto global = make_optimizer(s, table);
  std::vector<float> w1(4, 0.0f);
  std::vector<float> w2(4, 0.0f);
  per_tensor->step(w1, g1, 1e-3);
  per_tensor->step(w1, g2, 1e-3);
  global->step(w2, g1, 1e-3);
  global->step(w2, g2, 1e-3);

  const BucketStats stats = per_tensor->bucket_stats();
  ASSERT_EQ(stats.beta2.size(), 2u);
  EXPECT_EQ(stats.names[0], "a");
  EXPECT_EQ(stats.names[1], "b");
  EXPECT_NEAR(static_cast<double>(stats.beta2[0]), expected_beta2(5.0, 10.0), 2e-7);
  EXPECT_NEAR(static_cast<double>(stats.beta2[1]), expected_beta2(1.0, 0.5), 2e-7);
  ASSERT_EQ(global->bucket_stats().beta2.size(), 1u);
  EXPECT_NEAR(static_cast<double>(global->bucket_stats().beta2[0]),
              expected_beta2(std::sqrt(26.0), std::sqrt(100.25)), 2e-7);
}

// First step during warm-up: β₂ = 0.9395, m = 0.1g, v = 0.0605g², bc₁ = 0.1.
double first_step_update(BiasCorrection mode, double g) {
  const double m = 0.1 * g;
  const double v = 0.0605 * g * g;
  switch (mode) {
    case BiasCorrection::None:
      return 1e-3 * m / (std::sqrt(v) + 1e-8);
    case BiasCorrection::Beta2Max:  // bc₂ = 1 − 0.999: the update is lr/√60.5 ≈ lr/7.8
      return 1e-3 * (m / 0.1) / (std::sqrt(v / 0.001) + 1e-8);
    case BiasCorrection::Exact:  // bc₂ = 1 − 0.9395: the update is lr
      return 1e-3 * (m / 0.1) / (std::sqrt(v / 0.0605) + 1e-8);
  }
  return 0.0;
}

TEST(KourkoutasFirstStep, ClosedFormPerBiasCorrection) {
  const std::vector<float> g{0.5f, -2.0f, 7.0f, 0.0f};
  for (BiasCorrection mode : {BiasCorrection::None, BiasCorrection::Beta2Max, BiasCorrection::Exact}) {
    OptimizerSettings s = paper_like(2);
    s.bias_correction = mode;
    auto kb = make_optimizer(s, single_tensor(4));
    std::vector<float> w{1.0f, 1.0f, 1.0f, 1.0f};
    kb->step(w, g, 1e-3);
    for (std::size_t i = 0; i < 4; ++i) {
      const double expected = 1.0 - first_step_update(mode, static_cast<double>(g[i]));
      // p ≈ 1 rounds at 6e-8 and the update carries float32 relative error ~1e-7·lr.
      EXPECT_NEAR(static_cast<double>(w[i]), expected, 2e-7) << to_string(mode) << " index " << i;
    }
  }
  EXPECT_NEAR(first_step_update(BiasCorrection::Beta2Max, 1.0), 1e-3 / std::sqrt(60.5), 1e-12);
}

TEST(KourkoutasVMax, OnlyWithDecayOrMaxRatio) {
  const ParamTable table = single_tensor(4);
  struct Case {
    std::optional<double> decay;
    std::optional<double> max_ratio;
    bool expect_v_max;
  };
  for (const Case& c : {Case{std::nullopt, std::nullopt, false}, Case{0.98, std::nullopt, true},
                        Case{std::nullopt, 3.0, true}, Case{0.98, 3.0, true}}) {
    OptimizerSettings s = adam_like(BiasCorrection::None);
    s.decay = c.decay;
    s.max_ratio = c.max_ratio;
    KourkoutasBeta kb(s, table);
    EXPECT_EQ(kb.has_v_max(), c.expect_v_max);
    EXPECT_EQ(has_state(kb, "optimizer.v_max.w"), c.expect_v_max);
    EXPECT_TRUE(has_state(kb, "optimizer.m.w"));
    EXPECT_TRUE(has_state(kb, "optimizer.v.w"));
  }
}

TEST(KourkoutasVMax, SoftAndHardAmsgrad) {
  // β₂ fixed at 0.3: v₁ = 0.7g², then with g = 0, v₂ = 0.3·v₁. Soft AMSGrad with decay 0.5 keeps
  // max(0.5·v₁, v₂) = 0.5·v₁; hard AMSGrad (max_ratio alone) keeps v₁.
  const ParamTable table = single_tensor(2);
  const std::vector<float> g1{1.0f, -2.0f};
  const std::vector<float> zero{0.0f, 0.0f};
  for (bool soft : {true, false}) {
    OptimizerSettings s = adam_like(BiasCorrection::None);
    s.beta2_min = 0.3;
    s.beta2_max = 0.3;
    if (soft) {
      s.decay = 0.5;
    } else {
      s.max_ratio = 100.0;
    }
    auto kb = make_optimizer(s, table);
    std::vector<float> w{0.0f, 0.0f};
    kb->step(w, g1, 1e-3);
    const std::vector<float> v1 = state_values(*kb, "optimizer.v.w");
    EXPECT_EQ(state_values(*kb, "optimizer.v_max.w"), v1);
    kb->step(w, zero, 1e-3);
    const std::vector<float> v_max = state_values(*kb, "optimizer.v_max.w");
    for (std::size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(v_max[i], soft ? 0.5f * v1[i] : v1[i]) << (soft ? "soft" : "hard") << " index " << i;
    }
  }
}

TEST(KourkoutasClip, TrustRegionLimitsUpdate) {
  // "exact" at step 1 in warm-up moves each parameter by lr·sign(g); max_ratio 0.25 caps it.
  OptimizerSettings s = paper_like(1);
  s.bias_correction = BiasCorrection::Exact;
  s.max_ratio = 0.25;
  auto kb = make_optimizer(s, single_tensor(3));
  std::vector<float> w{1.0f, 1.0f, 1.0f};
  kb->step(w, std::vector<float>{2.0f, -3.0f, 1e-12f}, 1e-3);
  const float limit = 1e-3f * 0.25f;
  EXPECT_EQ(w[0], 1.0f - limit);
  EXPECT_EQ(w[1], 1.0f + limit);
  // A tiny gradient gives a tiny unclipped step: 1e-3·1e-12/(1e-12 + 1e-8) ≈ 1e-7.
  EXPECT_NEAR(static_cast<double>(w[2]), 1.0 - 1e-3 * 1e-12 / (1e-12 + 1e-8), 6e-8);
  EXPECT_NEAR(static_cast<double>(kb->diagnostics().max_update_ratio), 0.25, 1e-6);
}

TEST(KourkoutasAdaptiveTiny, ScalesWithMeanAbsoluteParameter) {
  // tiny = tiny_denom·max(mean|θ|, 1): 1.0·2.5 for θ = (2, −3), 1.0·1 for θ = (0.1, −0.2).
  for (const auto& [w0, tiny] :
       {std::pair{std::vector<float>{2.0f, -3.0f}, 2.5}, std::pair{std::vector<float>{0.1f, -0.2f}, 1.0}}) {
    OptimizerSettings s = paper_like(1);
    s.bias_correction = BiasCorrection::Exact;
    s.adaptive_tiny = true;
    s.tiny_denom = 1.0;
    auto kb = make_optimizer(s, single_tensor(2));
    std::vector<float> w = w0;
    const std::vector<float> g{0.5f, -4.0f};
    kb->step(w, g, 1e-3);
    for (std::size_t i = 0; i < 2; ++i) {
      const double gi = static_cast<double>(g[i]);
      const double expected = static_cast<double>(w0[i]) - 1e-3 * gi / (std::fabs(gi) + tiny + 1e-8);
      EXPECT_NEAR(static_cast<double>(w[i]), expected, 3e-7) << "index " << i;
    }
  }
}

TEST(KourkoutasAdaptiveTiny, InfiniteEntriesFreezeTheirTensor) {
  // The reference's mask has −inf entries, so mean|θ| = inf, tiny = inf and every update is 0.
  OptimizerSettings s = paper_like(0);
  s.adaptive_tiny = true;
  auto kb = make_optimizer(s, single_tensor(3));
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> w{0.5f, -inf, 0.0f};
  kb->step(w, std::vector<float>{1.0f, 0.0f, -1.0f}, 1e-3);
  EXPECT_EQ(w[0], 0.5f);
  EXPECT_EQ(w[1], -inf);
  EXPECT_EQ(w[2], 0.0f);
}

TEST(KourkoutasMask, InfiniteEntriesStayWithoutAdaptiveTiny) {
  OptimizerSettings s = paper_like(0);
  auto kb = make_optimizer(s, single_tensor(3));
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> w{0.5f, -inf, 0.0f};
  kb->step(w, std::vector<float>{1.0f, 0.0f, -1.0f}, 1e-3);
  EXPECT_LT(w[0], 0.5f);
  EXPECT_EQ(w[1], -inf);
  EXPECT_GT(w[2], 0.0f);
}

TEST(KourkoutasDiagnostics, FirstStepExtrema) {
  // "exact" in warm-up: denom = |g| + ε, |update| = lr·|g|/(|g| + ε), v̂ = v = 0.0605g².
  OptimizerSettings s = paper_like(1);
  s.bias_correction = BiasCorrection::Exact;
  auto kb = make_optimizer(s, single_tensor(3));
  ASSERT_TRUE(kb->diagnostics_enabled());
  const Diagnostics before = kb->diagnostics();
  EXPECT_EQ(before.denom_min, 1e9f);
  EXPECT_EQ(before.max_update_ratio, 0.0f);

  std::vector<float> w{0.0f, 0.0f, 0.0f};
  kb->step(w, std::vector<float>{0.5f, -2.0f, 4.0f}, 1e-3);
  const Diagnostics d = kb->diagnostics();
  EXPECT_NEAR(static_cast<double>(d.denom_min), 0.5, 1e-6);
  EXPECT_NEAR(static_cast<double>(d.max_update_ratio), 1.0, 1e-6);
  EXPECT_NEAR(static_cast<double>(d.max_abs_update), 1e-3, 1e-9);
  EXPECT_NEAR(static_cast<double>(d.max_vhat), 0.0605 * 16.0, 1e-6);
  EXPECT_EQ(kb->describe_diagnostics(),
            "   ↳ denom_min=5.00e-01 | upd/ρ_max=1.0 | upd_norm_max=1.0e-03 | v̂_max=9.7e-01");

  // Running extrema: a smaller gradient later lowers denom_min but not the maxima.
  kb->step(w, std::vector<float>{0.01f, 0.01f, 0.01f}, 1e-3);
  EXPECT_LT(kb->diagnostics().denom_min, d.denom_min);
  EXPECT_EQ(kb->diagnostics().max_vhat, d.max_vhat);
}

}  // namespace
}  // namespace kbeta::optim
