// The full model loss gradient against double-precision central finite differences, for every
// combination of mask, task, frame embedding, positional encoding and mask bias, on tiny
// sizes that include 1, odd and non-square grids.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "model/heat_transformer.hpp"
#include "model/initialization.hpp"

namespace kbeta::model {
namespace {

struct GradientCase {
  std::string name;
  ModelSpec spec;
  int batch;
};

ModelSpec tiny_spec(int ny, int nx, int t, int c, int heads, int layers, int mlp, int s) {
  ModelSpec spec;
  spec.ny = ny;
  spec.nx = nx;
  spec.time_steps = t;
  spec.embed_dim = c;
  spec.num_heads = heads;
  spec.num_layers = layers;
  spec.mlp_dim = mlp;
  spec.start_predicting_from = s;
  spec.n_initial_frames = 2;
  spec.dx = 0.25;
  spec.dy = 0.2;
  return spec;
}

std::vector<GradientCase> gradient_cases() {
  std::vector<GradientCase> cases;
  for (MaskType mask : {MaskType::Block, MaskType::Causal}) {
    for (Task task : {Task::Reconstruct, Task::Forecast}) {
      for (FrameEmbedding embedding : {FrameEmbedding::FrozenRandom, FrameEmbedding::Linear}) {
        for (bool learn_mask : {true, false}) {
          ModelSpec spec = tiny_spec(3, 4, 6, 8, 2, 2, 5, 3);
          spec.mask = mask;
          spec.task = task;
          spec.frame_embedding = embedding;
          spec.learn_mask_bias = learn_mask;
          // Alternate the positional encoding so that both meet every other switch.
          spec.positional_encoding = learn_mask ? PositionalEncoding::Rope : PositionalEncoding::Sinusoidal;
          const std::string name = fmt::format("{}_{}_{}_{}", mask == MaskType::Block ? "Block" : "Causal",
                                               task == Task::Reconstruct ? "Reconstruct" : "Forecast",
                                               embedding == FrameEmbedding::Linear ? "Linear" : "Frozen",
                                               learn_mask ? "LearnedMask" : "FixedMask");
          cases.push_back({name, spec, 2});
        }
      }
    }
  }
  // Sizes of one: a single sample, head, layer and key frame; odd, non-square grids and
  // embedding widths whose spatial tables are not a multiple of the quantization group.
  ModelSpec ones = tiny_spec(3, 3, 2, 4, 1, 1, 1, 1);
  cases.push_back({"Ones_Block", ones, 1});
  ones.mask = MaskType::Causal;
  cases.push_back({"Ones_Causal", ones, 1});
  ModelSpec odd = tiny_spec(5, 3, 7, 12, 3, 1, 7, 4);
  odd.mask = MaskType::Causal;
  odd.task = Task::Forecast;
  cases.push_back({"OddGrid_Causal_Forecast", odd, 3});
  ModelSpec odd_block = tiny_spec(4, 7, 5, 12, 2, 2, 3, 9);  // start_predicting_from > T
  cases.push_back({"WideGrid_BlockLongerThanT", odd_block, 2});
  return cases;
}

class ModelGradient : public ::testing::TestWithParam<GradientCase> {};

// Moves every parameter off its special initial value (γ = 1, β = 0, zero mask bias) so that no
// term of the gradient vanishes by symmetry; −∞ mask entries stay −∞.
void perturb(std::span<double> params, std::mt19937& engine) {
  std::normal_distribution<double> noise(0.0, 0.3);
  for (double& p : params) {
    if (std::isfinite(p)) {
      p += noise(engine);
    }
  }
}

struct Batch {
  std::vector<double> target, alpha, dt;
};

Batch random_batch(const ModelSpec& spec, int batch, std::mt19937& engine) {
  std::uniform_real_distribution<double> value(-1.0, 1.0);
  std::uniform_real_distribution<double> diffusivity(0.01, 0.1);
  Batch data;
  data.target.resize(static_cast<std::size_t>(batch) * static_cast<std::size_t>(spec.time_steps) *
                     static_cast<std::size_t>(spec.pixels()));
  for (double& v : data.target) {
    v = value(engine);
  }
  for (int b = 0; b < batch; ++b) {
    data.alpha.push_back(diffusivity(engine));
    data.dt.push_back(0.05 + 0.01 * b);
  }
  return data;
}

TEST_P(ModelGradient, MatchesFiniteDifferences) {
  const GradientCase& test_case = GetParam();
  HeatTransformer<double> model(test_case.spec, test_case.batch);
  rng::Generator gen(5);
  model.initialize(gen);
  std::mt19937 engine(17);
  perturb(model.parameters(), engine);
  const Batch data = random_batch(test_case.spec, test_case.batch, engine);

  std::ranges::fill(model.gradients(), 0.0);
  const LossTerms terms = model.compute_gradients(data.target, data.alpha, data.dt, test_case.batch);
  ASSERT_TRUE(std::isfinite(terms.total));
  const std::vector<double> analytic(model.gradients().begin(), model.gradients().end());

  // Central differences: truncation O(h²) ≈ 1e-12 and rounding ≈ 1e-16/h relative to the loss;
  // the bound 1e-6 of the tensor's largest gradient (plus 1e-8 absolute) leaves room for both.
  // Up to kChecked finite entries per tensor, spread evenly and including the first and last,
  // keep the test to seconds; −∞ mask entries must have exactly zero gradient.
  constexpr std::size_t kChecked = 7;
  const double h = 1e-6;
  for (const auto& entry : model.params().entries()) {
    double largest = 0.0;
    std::vector<std::size_t> finite;
    for (std::size_t i = 0; i < entry.size; ++i) {
      largest = std::max(largest, std::fabs(analytic[entry.offset + i]));
      if (std::isfinite(model.parameters()[entry.offset + i])) {
        finite.push_back(i);
      } else {
        EXPECT_EQ(analytic[entry.offset + i], 0.0) << entry.name << "[" << i << "] is −∞ but has a gradient";
      }
    }
    const double tolerance = 1e-6 * largest + 1e-8;
    const std::size_t checked = std::min(kChecked, finite.size());
    for (std::size_t s = 0; s < checked; ++s) {
      const std::size_t i = checked == 1 ? finite.front() : finite[s * (finite.size() - 1) / (checked - 1)];
      double& p = model.parameters()[entry.offset + i];
      const double saved = p;
      p = saved + h;
      const double plus = model.compute_loss(data.target, data.alpha, data.dt, test_case.batch).total;
      p = saved - h;
      const double minus = model.compute_loss(data.target, data.alpha, data.dt, test_case.batch).total;
      p = saved;
      const double numeric = (plus - minus) / (2.0 * h);
      ASSERT_NEAR(analytic[entry.offset + i], numeric, tolerance) << entry.name << "[" << i << "]";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ModelGradient, ::testing::ValuesIn(gradient_cases()),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(ModelGradients, AddIntoGradientBuffer) {
  const ModelSpec spec = tiny_spec(3, 4, 6, 8, 2, 1, 5, 3);
  HeatTransformer<double> model(spec, 2);
  rng::Generator gen(3);
  model.initialize(gen);
  std::mt19937 engine(4);
  const Batch data = random_batch(spec, 2, engine);
  model.compute_gradients(data.target, data.alpha, data.dt, 2);
  const std::vector<double> once(model.gradients().begin(), model.gradients().end());
  model.compute_gradients(data.target, data.alpha, data.dt, 2);
  for (std::size_t i = 0; i < once.size(); ++i) {
    ASSERT_EQ(model.gradients()[i], 2.0 * once[i]) << "index " << i;
  }
}

TEST(ModelGradients, ForecastIgnoresLaterInputFrames) {
  ModelSpec spec = tiny_spec(3, 4, 6, 8, 2, 1, 5, 3);
  spec.task = Task::Forecast;
  HeatTransformer<double> model(spec, 1);
  rng::Generator gen(3);
  model.initialize(gen);
  std::mt19937 engine(4);
  Batch data = random_batch(spec, 1, engine);
  std::vector<double> prediction(data.target.size());
  std::vector<double> zeroed = data.target;
  const auto frame = static_cast<std::size_t>(spec.pixels());
  std::fill(zeroed.begin() + static_cast<std::ptrdiff_t>(2 * frame), zeroed.end(), 0.0);
  model.predict(prediction, zeroed, data.alpha, 1);
  // The loss of the forecast task is the loss of the prediction from the zeroed input.
  double mse = 0.0;
  for (std::size_t i = 0; i < prediction.size(); ++i) {
    mse += (prediction[i] - data.target[i]) * (prediction[i] - data.target[i]);
  }
  mse /= static_cast<double>(prediction.size());
  EXPECT_NEAR(model.compute_loss(data.target, data.alpha, data.dt, 1).mse, mse, 1e-12);
}

TEST(ModelSpecValidation, RejectsHeadsNotDividingWidth) {
  ModelSpec spec = tiny_spec(3, 4, 6, 10, 3, 1, 5, 3);
  EXPECT_THROW(HeatTransformer<float>(spec, 1), ConfigError);
}

TEST(ModelSpecValidation, RejectsZeroStartFrames) {
  ModelSpec spec = tiny_spec(3, 4, 6, 8, 2, 1, 5, 3);
  spec.start_predicting_from = 0;
  EXPECT_THROW(HeatTransformer<float>(spec, 1), ConfigError);
}

TEST(ModelMask, RejectsLoadedWiderPattern) {
  // A block-mask model plans keys for the first s frames only; a loaded causal pattern reads more.
  const ModelSpec spec = tiny_spec(3, 4, 6, 8, 2, 1, 5, 2);
  HeatTransformer<float> model(spec, 1);
  rng::Generator gen(3);
  model.initialize(gen);
  const auto& mask = model.params().at("mask");
  ModelSpec causal = spec;
  causal.mask = MaskType::Causal;
  const std::vector<float> wider = reference_mask(causal);
  std::ranges::copy(wider, model.parameters().begin() + static_cast<std::ptrdiff_t>(mask.offset));
  EXPECT_THROW(model.refresh_after_load(), Error);
}

TEST(ModelMask, FixedMaskIsNotAParameter) {
  ModelSpec spec = tiny_spec(3, 4, 6, 8, 2, 1, 5, 2);
  spec.learn_mask_bias = false;
  HeatTransformer<float> model(spec, 1);
  EXPECT_FALSE(model.params().find("mask").has_value());
}

TEST(ModelParamTable, ReferenceCountsAtPaperSize) {
  // The reference's heat2d/paper model: 297 trainable tensors, 31,874,724 weights + 160,801 mask.
  ModelSpec spec;
  ParamOffsets offsets;
  const ParamTable table = build_param_table(spec, offsets);
  EXPECT_EQ(table.count(), 297u);
  EXPECT_EQ(table.total_size(), 32035525u);
  EXPECT_EQ(table.entries().front().name, "transformer_encoder.layers.0.attention.query_proj.weight");
  EXPECT_EQ(table.entries().back().name, "mask");
}

}  // namespace
}  // namespace kbeta::model
