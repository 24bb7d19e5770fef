// The tiny model of the reference's fixtures: forward intermediates, the loss terms and every
// gradient, from the reference's parameters and frozen constants.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/fixtures.hpp"
#include "model/heat_transformer.hpp"
#include "model_fixture.hpp"

namespace kbeta::model {
namespace {

using testing::all_near;
using testing::max_abs;

class ModelParity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    fixture_ = std::make_unique<testing::Fixture>(testing::load_fixture(GetParam()));
    spec_ = testing::spec_from_sidecar(fixture_->sidecar);
    batch_ = fixture_->sidecar.at("batch").get<int>();
    model_ = std::make_unique<HeatTransformer<float>>(spec_, batch_);
    for (const auto& entry : model_->params().entries()) {
      const std::vector<float> values = fixture_->tensors.read_f32("param." + entry.name);
      ASSERT_EQ(values.size(), entry.size) << entry.name;
      std::ranges::copy(values, model_->parameters().begin() + static_cast<std::ptrdiff_t>(entry.offset));
    }
    load_frozen("frame_matrix", "const.frame_matrix");
    load_frozen("frame_offset", "const.frame_offset");
    load_frozen("temporal_encoding", "const.pos_t_rope");
    model_->refresh_after_load();
    src_ = fixture_->tensors.read_f32("input.src");
    alpha_ = fixture_->tensors.read_f32("input.alpha");
    dt_ = fixture_->tensors.read_f32("input.dt");
  }

  void load_frozen(const std::string& ours, const std::string& theirs) {
    const auto& entry = model_->frozen().at(ours);
    const std::vector<float> values = fixture_->tensors.read_f32(theirs);
    ASSERT_EQ(values.size(), entry.size) << ours;
    std::ranges::copy(values, model_->frozen_values().begin() + static_cast<std::ptrdiff_t>(entry.offset));
  }

  std::unique_ptr<testing::Fixture> fixture_;
  ModelSpec spec_;
  int batch_ = 0;
  std::unique_ptr<HeatTransformer<float>> model_;
  std::vector<float> src_, alpha_, dt_;
};

// The fixtures README's float32 tolerances: forward output and loss terms within 1e-5 relative,
// gradients within 1e-4 of each tensor's largest entry.
TEST_P(ModelParity, ForwardMatchesReference) {
  std::vector<float> output(src_.size());
  model_->predict(output, src_, alpha_, batch_);
  const auto expected_projected = fixture_->tensors.read_f32("forward.projected");
  const auto expected_input = fixture_->tensors.read_f32("forward.encoder_input");
  const auto expected_output = fixture_->tensors.read_f32("forward.output");
  EXPECT_TRUE(all_near(model_->last_projected(), expected_projected, 1e-5 * max_abs(expected_projected)));
  EXPECT_TRUE(all_near(model_->last_encoder_input(), expected_input, 1e-5 * max_abs(expected_input)));
  EXPECT_TRUE(all_near(output, expected_output, 1e-5 * max_abs(expected_output)));
}

TEST_P(ModelParity, LossTermsMatchReference) {
  const LossTerms terms = model_->compute_loss(src_, alpha_, dt_, batch_);
  const auto& expected = fixture_->sidecar.at("loss_terms");
  for (const auto& [name, value] : {std::pair{"mse", terms.mse}, std::pair{"boundary", terms.boundary},
                                    std::pair{"physics", terms.physics}, std::pair{"initial", terms.initial},
                                    std::pair{"total", terms.total}}) {
    const double reference = expected.at(name).get<double>();
    EXPECT_NEAR(value, reference, 1e-5 * std::fabs(reference)) << name;
  }
}

TEST_P(ModelParity, GradientsMatchReference) {
  std::ranges::fill(model_->gradients(), 0.0f);
  model_->compute_gradients(src_, alpha_, dt_, batch_);
  for (const auto& entry : model_->params().entries()) {
    SCOPED_TRACE(entry.name);
    const std::vector<float> expected = fixture_->tensors.read_f32("grad." + entry.name);
    const auto actual = model_->gradients().subspan(entry.offset, entry.size);
    EXPECT_TRUE(all_near(actual, expected, 1e-4 * max_abs(expected)));
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ModelParity, ::testing::Values("model_block", "model_causal"));

}  // namespace
}  // namespace kbeta::model
