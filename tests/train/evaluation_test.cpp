// Evaluation on the toy model, whose prediction of a frame depends on that frame alone, so that
// the block and rollout MSE can be computed independently here.
#include <gtest/gtest.h>

#include <cmath>

#include "common/fixtures.hpp"
#include "io/atomic_file.hpp"
#include "train/evaluation.hpp"
#include "train/toy.hpp"

namespace kbeta {
namespace {

using testing::ToyData;
using testing::ToyModel;

// MSE per time step of `pred` against the test split's truth, from time step `first` on.
std::vector<double> mse_per_step(const std::vector<float>& pred, const train::SplitView& test,
                                 train::SampleShape shape, int first) {
  std::vector<double> out;
  const std::size_t frame = shape.frame_size();
  for (int t = first; t < shape.time_steps; ++t) {
    double sum = 0;
    for (std::size_t i = 0; i < test.count; ++i) {
      for (std::size_t p = 0; p < frame; ++p) {
        const std::size_t k =
            (i * static_cast<std::size_t>(shape.time_steps) + static_cast<std::size_t>(t)) * frame + p;
        const double d = static_cast<double>(pred[k]) - static_cast<double>(test.frames[k]);
        sum += d * d;
      }
    }
    out.push_back(sum / static_cast<double>(test.count * frame));
  }
  return out;
}

void expect_near_all(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    // Both sums run in double over float inputs in different orders: 1e-12 relative is far
    // above their rounding difference and far below any real error.
    EXPECT_NEAR(actual[i], expected[i], 1e-12 * std::abs(expected[i]) + 1e-15) << "time step index " << i;
  }
}

TEST(Evaluation, BlockAndRolloutMatchDirectComputation) {
  ToyData data(3, 12, 7);  // 7 test samples: batches of 3, 3 and 1
  ToyModel model(data.shape, 3, 4);
  train::EvaluationSettings s;
  s.batch_size = 3;
  s.n_initial_frames = 1;
  s.n_replace = 2;
  const auto r = train::evaluate(model, data.views.test, data.shape, s);
  EXPECT_EQ(r.batches, 3);
  EXPECT_EQ(r.first_time_step, 1);

  const std::size_t n = data.views.test.frames.size();
  std::vector<float> once(n);
  std::vector<float> twice(n);
  model.predict(once, data.views.test.frames, data.views.test.alpha, static_cast<int>(data.views.test.count));
  model.predict(twice, once, data.views.test.alpha, static_cast<int>(data.views.test.count));
  expect_near_all(r.mse_block, mse_per_step(once, data.views.test, data.shape, 1));

  // Passes at t = 1, 3, 5 (T = 6). Before the last pass, frames 1..4 contain first predictions, so
  // its prediction of them is f(f(x)). Frame 5 is still the truth, so its prediction is f(x).
  std::vector<float> rollout = twice;
  const std::size_t frame = data.shape.frame_size();
  for (std::size_t i = 0; i < data.views.test.count; ++i) {
    for (std::size_t p = 0; p < frame; ++p) {
      const std::size_t k = (i * 6 + 5) * frame + p;
      rollout[k] = once[k];
    }
  }
  expect_near_all(r.mse_autoregressive, mse_per_step(rollout, data.views.test, data.shape, 1));
  EXPECT_NE(r.mse_autoregressive[0], r.mse_block[0]);
  EXPECT_EQ(r.mse_autoregressive[4], r.mse_block[4]);
}

TEST(Evaluation, TestLossIsMeanOfBatchLosses) {
  ToyData data(3, 12, 4);
  ToyModel model(data.shape, 2, 4);
  train::EvaluationSettings s;
  s.batch_size = 2;
  const auto r = train::evaluate(model, data.views.test, data.shape, s);
  const std::size_t half = data.views.test.frames.size() / 2;
  const auto first =
      model.compute_loss(data.views.test.frames.subspan(0, half), data.views.test.alpha.subspan(0, 2),
                         data.views.test.dt.subspan(0, 2), 2);
  const auto second = model.compute_loss(data.views.test.frames.subspan(half),
                                         data.views.test.alpha.subspan(2), data.views.test.dt.subspan(2), 2);
  EXPECT_DOUBLE_EQ(r.test_loss.total, (first.total + second.total) / 2);
  EXPECT_GT(r.inference_seconds_per_batch, 0.0);
}

TEST(Evaluation, ForecastInputZeroesLaterFrames) {
  const train::SampleShape shape{4, 1, 2};
  std::vector<float> truth(2 * shape.sample_size(), 1.0f);
  std::vector<float> input(truth.size(), -1.0f);
  train::EvaluationSettings s;
  s.n_initial_frames = 3;
  s.forecast_input = true;
  train::make_input(input, truth, shape, 2, s);
  for (std::size_t k = 0; k < input.size(); ++k) {
    const std::size_t t = (k / shape.frame_size()) % 4;
    EXPECT_EQ(input[k], t < 3 ? 1.0f : 0.0f) << k;
  }
  s.forecast_input = false;
  train::make_input(input, truth, shape, 2, s);
  EXPECT_EQ(input, truth);
}

TEST(Evaluation, ExamplesFilesHaveEveryFrameAndPixel) {
  const auto dir = testing::scratch_dir("evaluation_examples");
  ToyData data(3, 12, 4);
  ToyModel model(data.shape, 2, 4);
  rng::Generator gen(9);
  train::write_examples(model, data.views.test, data.shape, {}, gen, 2, dir);
  const std::string index = io::read_file(dir / "examples.csv");
  EXPECT_EQ(index.substr(0, index.find('\n')), "example,sample,alpha,dt");
  EXPECT_EQ(std::count(index.begin(), index.end(), '\n'), 3);
  const std::string example = io::read_file(dir / "example_2.csv");
  EXPECT_EQ(example.substr(0, example.find('\n')), "time_step,row,col,truth,prediction");
  EXPECT_EQ(std::count(example.begin(), example.end(), '\n'), 1 + 6 * 3 * 4);
  EXPECT_NE(example.find("\n5,2,3,"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "example_3.csv"));
}

}  // namespace
}  // namespace kbeta
