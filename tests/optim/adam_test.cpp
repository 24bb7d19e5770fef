#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "optim/adam.hpp"
#include "optim/optimizer.hpp"
#include "optim_test_support.hpp"

namespace kbeta::optim {
namespace {

ParamTable four_weights() {
  ParamTable table;
  table.add("w", {4});
  return table;
}

TEST(Adam, FirstStepClosedForm) {
  // With bias correction, m̂ = g and v̂ = g² at step 1, so the update is lr·g/(|g| + ε).
  const ParamTable table = four_weights();
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Adam999;
  auto adam = make_optimizer(settings, table);

  std::vector<float> w{1.0f, 2.0f, 3.0f, 4.0f};
  const std::vector<float> g{0.0f, 20.0f, 40.0f, 60.0f};
  adam->step(w, g, 1e-3);

  EXPECT_EQ(w[0], 1.0f) << "a zero gradient must not move its parameter";
  for (std::size_t i = 1; i < 4; ++i) {
    const double initial = static_cast<double>(i + 1);
    const double gi = static_cast<double>(g[i]);
    const double expected = initial - 1e-3 * gi / (std::fabs(gi) + 1e-8);
    // Float32 rounding of p ≈ 2–4 is 2.4e-7 per operation; a few operations stay within 1e-6.
    EXPECT_NEAR(static_cast<double>(w[i]), expected, 1e-6) << "index " << i;
  }
  EXPECT_EQ(adam->step_count(), 1);
}

TEST(Adam, UncorrectedFirstStepClosedForm) {
  // Without bias correction: m = (1−β₁)g, v = (1−β₂)g², update = lr·0.1·g/(√0.001·|g| + ε).
  const ParamTable table = four_weights();
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Adam999;
  settings.adam_bias_correction = false;
  auto adam = make_optimizer(settings, table);

  std::vector<float> w{1.0f, 2.0f, 3.0f, 4.0f};
  const std::vector<float> g{0.5f, -1.0f, 2.0f, -4.0f};
  adam->step(w, g, 1e-3);
  for (std::size_t i = 0; i < 4; ++i) {
    const double gi = static_cast<double>(g[i]);
    const double expected =
        static_cast<double>(i + 1) - 1e-3 * 0.1 * gi / (std::sqrt(0.001) * std::fabs(gi) + 1e-8);
    EXPECT_NEAR(static_cast<double>(w[i]), expected, 1e-6) << "index " << i;
  }
}

TEST(Adam, NamesSelectBeta2) {
  const ParamTable table = four_weights();
  for (const auto& [kind, beta2] :
       {std::pair{OptimizerKind::Adam95, 0.95}, std::pair{OptimizerKind::Adam999, 0.999}}) {
    OptimizerSettings settings;
    settings.kind = kind;
    auto adam = make_optimizer(settings, table);
    std::vector<float> w{0.0f, 0.0f, 0.0f, 0.0f};
    const std::vector<float> g{1.0f, 1.0f, 1.0f, 1.0f};
    adam->step(w, g, 1e-3);

    // v after one step is (1−β₂)·g² = 1−β₂.
    const auto state = adam->state();
    const auto it = std::find_if(state.begin(), state.end(),
                                 [](const StateTensor& t) { return t.name == "optimizer.v.w"; });
    ASSERT_NE(it, state.end());
    const auto v = std::get<std::span<const float>>(it->data);
    EXPECT_FLOAT_EQ(v[0], static_cast<float>(1.0 - beta2));
  }
}

TEST(Adam, OverridesChangeBetasAndEps) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Adam95;
  settings.adam_beta1 = 0.8;
  settings.adam_beta2 = 0.99;
  settings.adam_eps = 1e-6;
  EXPECT_DOUBLE_EQ(settings.resolved_adam_beta1(), 0.8);
  EXPECT_DOUBLE_EQ(settings.resolved_adam_beta2(), 0.99);
  EXPECT_DOUBLE_EQ(settings.resolved_adam_eps(), 1e-6);
  EXPECT_EQ(make_optimizer(settings, four_weights())->describe(),
            "ADAM95  β1,β2=[0.8, 0.99] | eps=1.00e-06 | bias_correction=True");
}

TEST(Adam, HasNoDiagnostics) {
  OptimizerSettings settings;
  auto adam = make_optimizer(settings, four_weights());
  EXPECT_FALSE(adam->diagnostics_enabled());
  EXPECT_TRUE(adam->bucket_stats().names.empty());
}

}  // namespace
}  // namespace kbeta::optim
