#include "train/evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "train/batch.hpp"
#include "train/metrics.hpp"

namespace kbeta::train {

namespace {

using Clock = std::chrono::steady_clock;

// Adds Σ over pixels of (pred − truth)² for every sample of the batch and every t >= first into
// sums[t − first], accumulated in double.
void add_squared_errors(std::vector<double>& sums, std::span<const float> pred, std::span<const float> truth,
                        SampleShape shape, int batch, int first) {
  const std::size_t frame = shape.frame_size();
  for (int b = 0; b < batch; ++b) {
    for (int t = first; t < shape.time_steps; ++t) {
      const std::size_t base = (static_cast<std::size_t>(b) * static_cast<std::size_t>(shape.time_steps) +
                                static_cast<std::size_t>(t)) *
                               frame;
      double sum = 0;
      for (std::size_t p = 0; p < frame; ++p) {
        const double d = static_cast<double>(pred[base + p]) - static_cast<double>(truth[base + p]);
        sum += d * d;
      }
      sums[static_cast<std::size_t>(t - first)] += sum;
    }
  }
}

// Copies frames [t0, t1) of every sample from `from` into `to`, both (B, T, NY, NX).
void copy_frames(std::span<float> to, std::span<const float> from, SampleShape shape, int batch, int t0,
                 int t1) {
  const std::size_t frame = shape.frame_size();
  for (int b = 0; b < batch; ++b) {
    const std::size_t base = (static_cast<std::size_t>(b) * static_cast<std::size_t>(shape.time_steps) +
                              static_cast<std::size_t>(t0)) *
                             frame;
    std::memcpy(to.data() + base, from.data() + base,
                static_cast<std::size_t>(t1 - t0) * frame * sizeof(float));
  }
}

LossTerms& operator+=(LossTerms& a, const LossTerms& b) {
  a.total += b.total;
  a.mse += b.mse;
  a.boundary += b.boundary;
  a.physics += b.physics;
  a.initial += b.initial;
  return a;
}

LossTerms divided(LossTerms a, double n) {
  a.total /= n;
  a.mse /= n;
  a.boundary /= n;
  a.physics /= n;
  a.initial /= n;
  return a;
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

void make_input(std::span<float> input, std::span<const float> truth, SampleShape shape, int batch,
                const EvaluationSettings& settings) {
  std::copy(truth.begin(), truth.end(), input.begin());
  if (!settings.forecast_input) {
    return;
  }
  const std::size_t frame = shape.frame_size();
  const int n0 = std::min(settings.n_initial_frames, shape.time_steps);
  for (int b = 0; b < batch; ++b) {
    const std::size_t sample = static_cast<std::size_t>(b) * shape.sample_size();
    std::fill(input.begin() + static_cast<std::ptrdiff_t>(sample + static_cast<std::size_t>(n0) * frame),
              input.begin() + static_cast<std::ptrdiff_t>(sample + shape.sample_size()), 0.0f);
  }
}

EvaluationResult evaluate(Model& model, const SplitView& test, SampleShape shape,
                          const EvaluationSettings& s) {
  KBETA_CHECK(s.batch_size >= 1 && s.batch_size <= model.max_batch());
  KBETA_CHECK(s.n_replace >= 1);
  if (test.count == 0) {
    throw Error("evaluation needs at least one test sample; increase training_samples");
  }
  EvaluationResult r;
  r.first_time_step = std::min(s.n_initial_frames, shape.time_steps);
  const auto steps = static_cast<std::size_t>(shape.time_steps - r.first_time_step);
  std::vector<double> block_sums(steps, 0.0);
  std::vector<double> rollout_sums(steps, 0.0);

  BatchBuffer batch(shape, s.batch_size);
  const std::size_t max_values = shape.sample_size() * static_cast<std::size_t>(s.batch_size);
  std::vector<float> input(max_values);       // (B, T, NY, NX)
  std::vector<float> prediction(max_values);  // (B, T, NY, NX)
  double inference_seconds = 0;

  for (std::size_t first = 0; first < test.count; first += static_cast<std::size_t>(s.batch_size)) {
    const int count =
        static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(s.batch_size), test.count - first));
    batch.gather_range(test, first, count);
    const std::span<const float> truth = batch.frames();
    const std::size_t values = truth.size();
    const std::span<float> in(input.data(), values);
    const std::span<float> pred(prediction.data(), values);

    r.test_loss += model.compute_loss(truth, batch.alpha(), batch.dt(), count);

    // One-shot (block-sequence) prediction of the whole sequence.
    make_input(in, truth, shape, count, s);
    const auto start = Clock::now();
    model.predict(pred, in, batch.alpha(), count);
    inference_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    add_squared_errors(block_sums, pred, truth, shape, count, r.first_time_step);

    // Rollout: after each pass, frames [t, t + n_replace) of the input become the prediction;
    // the last pass's prediction is compared with the untouched truth.
    make_input(in, truth, shape, count, s);
    for (int t = r.first_time_step; t < shape.time_steps; t += s.n_replace) {
      model.predict(pred, in, batch.alpha(), count);
      copy_frames(in, pred, shape, count, t, std::min(t + s.n_replace, shape.time_steps));
    }
    add_squared_errors(rollout_sums, pred, truth, shape, count, r.first_time_step);
    ++r.batches;
  }

  const double denominator = static_cast<double>(test.count) * static_cast<double>(shape.frame_size());
  r.mse_block.resize(steps);
  r.mse_autoregressive.resize(steps);
  for (std::size_t i = 0; i < steps; ++i) {
    r.mse_block[i] = block_sums[i] / denominator;
    r.mse_autoregressive[i] = rollout_sums[i] / denominator;
  }
  r.test_loss = divided(r.test_loss, r.batches);
  r.inference_seconds_per_batch = inference_seconds / r.batches;
  return r;
}

void write_evaluation(const std::filesystem::path& metrics_dir, const EvaluationResult& r) {
  std::filesystem::create_directories(metrics_dir);
  write_time_series(metrics_dir / "mse_block.csv", r.first_time_step, r.mse_block);
  write_time_series(metrics_dir / "mse_autoregressive.csv", r.first_time_step, r.mse_autoregressive);
}

nlohmann::json evaluation_json(const EvaluationResult& r) {
  return {
      {"test_loss",
       {{"total", r.test_loss.total},
        {"mse", r.test_loss.mse},
        {"boundary", r.test_loss.boundary},
        {"physics", r.test_loss.physics},
        {"initial", r.test_loss.initial}}},
      {"test_batches", r.batches},
      {"inference_seconds_per_batch", r.inference_seconds_per_batch},
      {"mse_block_mean", mean(r.mse_block)},
      {"mse_block_last", r.mse_block.empty() ? 0.0 : r.mse_block.back()},
      {"mse_autoregressive_mean", mean(r.mse_autoregressive)},
      {"mse_autoregressive_last", r.mse_autoregressive.empty() ? 0.0 : r.mse_autoregressive.back()},
  };
}

void write_examples(Model& model, const SplitView& test, SampleShape shape, const EvaluationSettings& s,
                    rng::Generator& generator, int count, const std::filesystem::path& metrics_dir) {
  // The reference draws this permutation with its shuffled test loader for the movie frames.
  const std::vector<std::uint32_t> order = generator.permutation(test.count);
  const int examples = std::min<int>(count, static_cast<int>(test.count));
  BatchBuffer batch(shape, 1);
  std::vector<float> input(shape.sample_size());
  std::vector<float> prediction(shape.sample_size());
  std::string index = "example,sample,alpha,dt\n";

  for (int k = 0; k < examples; ++k) {
    const std::uint32_t sample = order[static_cast<std::size_t>(k)];
    batch.gather(test, std::span<const std::uint32_t>(&sample, 1));
    make_input(input, batch.frames(), shape, 1, s);
    model.predict(prediction, input, batch.alpha(), 1);
    index += fmt::format("{},{},{:.9g},{:.9g}\n", k + 1, sample, batch.alpha()[0], batch.dt()[0]);

    std::string text = "time_step,row,col,truth,prediction\n";
    const auto truth = batch.frames();
    std::size_t i = 0;
    for (int t = 0; t < shape.time_steps; ++t) {
      for (int row = 0; row < shape.ny; ++row) {
        for (int col = 0; col < shape.nx; ++col, ++i) {
          text += fmt::format("{},{},{},{:.9g},{:.9g}\n", t, row, col, truth[i], prediction[i]);
        }
      }
    }
    io::AtomicFile file(metrics_dir / fmt::format("example_{}.csv", k + 1));
    file.write(text);
    file.commit();
  }
  io::AtomicFile file(metrics_dir / "examples.csv");
  file.write(index);
  file.commit();
}

}  // namespace kbeta::train
