#include <gtest/gtest.h>

#include <omp.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "optim/optimizer.hpp"
#include "optim_test_support.hpp"

namespace kbeta::optim {
namespace {

using testing::copy_state;
using testing::model_like_table;
using testing::pseudo_random;

// Kourkoutas-β with every option that adds state: v_max, diagnostics, per-layer buckets.
OptimizerSettings full_kourkoutas() {
  OptimizerSettings s;
  s.kind = OptimizerKind::Kourkoutas;
  s.warmup_steps = 1;
  s.decay = 0.98;
  s.max_ratio = 3.0;
  s.adaptive_tiny = true;
  s.bias_correction = BiasCorrection::Exact;
  s.diagnostics = true;
  s.layer_buckets = BucketMode::Layer;
  return s;
}

// A table big enough to span several chunks of the parallel loops (C = 160: 25,600-element matrices).
ParamTable big_table() {
  return model_like_table(2, 160, 96, 63, 12);
}

std::vector<float> run_steps(Optimizer& optimizer, std::vector<float> params, int first, int count) {
  for (int step = first; step < first + count; ++step) {
    const auto g = pseudo_random(params.size(), 0.01f * static_cast<float>(step % 3 + 1),
                                 50 + static_cast<std::uint64_t>(step));
    optimizer.step(params, g, 1e-3);
  }
  return params;
}

TEST(OptimizerState, RoundTripContinuesIdentically) {
  const ParamTable table = big_table();
  for (const OptimizerSettings& settings : {full_kourkoutas(), OptimizerSettings{}}) {
    auto original = make_optimizer(settings, table);
    std::vector<float> params = run_steps(*original, pseudo_random(table.total_size(), 1.0f, 3), 0, 3);
    const testing::StateCopy saved = copy_state(*original);

    auto restored = make_optimizer(settings, table);
    restored->load_state(saved.views());
    EXPECT_EQ(restored->step_count(), 3);

    const std::vector<float> continued = run_steps(*original, params, 3, 2);
    const std::vector<float> resumed = run_steps(*restored, params, 3, 2);
    EXPECT_EQ(continued, resumed) << to_string(settings.kind);
    const testing::StateCopy a = copy_state(*original);
    const testing::StateCopy b = copy_state(*restored);
    EXPECT_EQ(a.names, b.names);
    EXPECT_EQ(a.f32, b.f32);
    EXPECT_EQ(a.i64, b.i64);
  }
}

TEST(OptimizerState, NamesAndShapes) {
  const ParamTable table = model_like_table(2, 8, 4, 6, 5);
  auto kb = make_optimizer(full_kourkoutas(), table);
  const auto state = kb->state();
  // step, m, v, v_max per tensor, four per-bucket vectors, diagnostics.
  ASSERT_EQ(state.size(), 1 + 3 * table.count() + 4 + 1);
  EXPECT_EQ(state[0].name, "optimizer.step");
  EXPECT_TRUE(state[0].shape.empty());
  EXPECT_EQ(state[1].name, "optimizer.m.transformer_encoder.layers.0.attention.query_proj.weight");
  EXPECT_EQ(state[1].shape, (std::vector<std::int64_t>{8, 8}));
  const auto& grad_ema = state[1 + 3 * table.count()];
  EXPECT_EQ(grad_ema.name, "optimizer.grad_ema");
  // Layer buckets: 2 layers + 9 other tensors.
  EXPECT_EQ(grad_ema.shape, (std::vector<std::int64_t>{11}));
  EXPECT_EQ(state.back().name, "optimizer.diagnostics");
}

std::string load_error(Optimizer& optimizer, const std::vector<StateTensor>& tensors) {
  try {
    optimizer.load_state(tensors);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(OptimizerState, LoadRejectsMismatchesAndKeepsState) {
  const ParamTable table = model_like_table(1, 8, 4, 6, 5);
  auto kb = make_optimizer(full_kourkoutas(), table);
  run_steps(*kb, pseudo_random(table.total_size(), 1.0f, 4), 0, 2);
  const testing::StateCopy before = copy_state(*kb);

  // Missing tensor.
  std::vector<StateTensor> tensors = before.views();
  tensors.erase(tensors.begin() + 1);
  EXPECT_EQ(
      load_error(*kb, tensors),
      "optimizer state: tensor 'optimizer.m.transformer_encoder.layers.0.attention.query_proj.weight' is "
      "missing; the checkpoint was written by another optimiser or with other optimizer settings");

  // Wrong shape.
  tensors = before.views();
  tensors[1].shape = {4, 16};
  EXPECT_EQ(
      load_error(*kb, tensors),
      "optimizer state: tensor 'optimizer.m.transformer_encoder.layers.0.attention.query_proj.weight' has "
      "shape (4, 16), expected (8, 8)");

  // Wrong dtype.
  tensors = before.views();
  const std::vector<double> as_double(64, 0.0);
  tensors[1].data = std::span<const double>(as_double);
  EXPECT_EQ(
      load_error(*kb, tensors),
      "optimizer state: tensor 'optimizer.m.transformer_encoder.layers.0.attention.query_proj.weight' has "
      "dtype float64, expected float32");

  // Too few values for the shape.
  tensors = before.views();
  const std::vector<float> short_data(10, 0.0f);
  tensors[1].data = std::span<const float>(short_data);
  EXPECT_EQ(
      load_error(*kb, tensors),
      "optimizer state: tensor 'optimizer.m.transformer_encoder.layers.0.attention.query_proj.weight' holds "
      "10 values, its shape needs 64");

  // Unexpected extra tensor, e.g. v_max from a run with AMSGrad into one without.
  tensors = before.views();
  const std::vector<float> extra(3, 0.0f);
  tensors.push_back(StateTensor{"optimizer.unknown", {3}, std::span<const float>(extra)});
  EXPECT_EQ(load_error(*kb, tensors),
            "optimizer state: unexpected tensor 'optimizer.unknown'; the checkpoint was written by another "
            "optimiser or with other optimizer settings");

  // Bucket count from other layer_buckets.
  OptimizerSettings global = full_kourkoutas();
  global.layer_buckets = BucketMode::Global;
  auto other = make_optimizer(global, table);
  EXPECT_EQ(load_error(*other, before.views()),
            "optimizer state: tensor 'optimizer.grad_ema' has shape (10), expected (1)");

  const testing::StateCopy after = copy_state(*kb);
  EXPECT_EQ(after.f32, before.f32);
  EXPECT_EQ(after.i64, before.i64);
}

TEST(OptimizerDeterminism, IndependentOfThreadCount) {
  const ParamTable table = big_table();
  const int original_threads = omp_get_max_threads();
  for (const OptimizerSettings& settings : {full_kourkoutas(), OptimizerSettings{}}) {
    std::vector<std::vector<float>> results;
    std::vector<testing::StateCopy> states;
    for (int threads : {1, 2, 3}) {
      omp_set_num_threads(threads);
      auto optimizer = make_optimizer(settings, table);
      results.push_back(run_steps(*optimizer, pseudo_random(table.total_size(), 1.0f, 5), 0, 4));
      states.push_back(copy_state(*optimizer));
    }
    omp_set_num_threads(original_threads);
    EXPECT_EQ(results[0], results[1]) << to_string(settings.kind);
    EXPECT_EQ(results[0], results[2]) << to_string(settings.kind);
    EXPECT_EQ(states[0].f32, states[1].f32);
    EXPECT_EQ(states[0].f32, states[2].f32);
  }
}

}  // namespace
}  // namespace kbeta::optim
