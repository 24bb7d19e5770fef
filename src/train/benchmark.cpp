// kbeta-heat2d bench: training steps (forward, backward, optimiser update) on random data of the
// configuration's shape, against the best CBLAS sgemm rate of this process on GEMMs of the
// model's own sizes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <cblas.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/geometry.hpp"
#include "data/heat_solver.hpp"
#include "optim/optimizer.hpp"
#include "train/job.hpp"
#include "train/job_settings.hpp"
#include "train/model_adapter.hpp"

namespace kbeta::train {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kWarmupSteps = 3;
constexpr int kMinSteps = 10;
constexpr int kMaxSteps = 200;
constexpr double kTargetSeconds = 20.0;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Best rate in GFLOP/s of C = A·Bᵀ with A (m, k) and B (n, k), as the model's linear layers
// multiply activations by out × in weights.
double best_sgemm_gflops(int m, int n, int k) {
  std::vector<float> a(static_cast<std::size_t>(m) * static_cast<std::size_t>(k), 0.5f);
  std::vector<float> b(static_cast<std::size_t>(n) * static_cast<std::size_t>(k), 0.25f);
  std::vector<float> c(static_cast<std::size_t>(m) * static_cast<std::size_t>(n), 0.0f);
  const double flops = 2.0 * m * n * k;
  double best = 0;
  const auto start = Clock::now();
  for (int rep = 0; rep < 200 && (rep < 5 || seconds_since(start) < 2.0); ++rep) {
    const auto t0 = Clock::now();
    // (m, k) × (n, k)ᵀ
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f,
                c.data(), n);
    best = std::max(best, flops / seconds_since(t0) / 1e9);
  }
  return best;
}

}  // namespace

void run_benchmark(const config::Config& c) {
  const int threads = apply_thread_count(c.threads);
  const data::GeneratorSettings generator = generator_settings(c);
  const int ny = generator.geometry.ny;
  const int nx = generator.geometry.nx;
  const int batch = static_cast<int>(c.model_params.batch_size);
  const int frames = static_cast<int>(c.model_params.time_steps);

  rng::Generator gen(c.seed);
  auto model = TransformerModel::create(c, ny, nx, batch);
  model->initialize(gen);
  auto optimizer = optim::make_optimizer(optimizer_settings(c), model->params());

  // Random frames in [0, 1) with the reference's α range and dt = dx²/(10α).
  std::vector<float> target(static_cast<std::size_t>(batch) * static_cast<std::size_t>(frames) *
                            static_cast<std::size_t>(ny) * static_cast<std::size_t>(nx));
  gen.uniform(0.0f, 1.0f, target);
  std::vector<float> alpha(static_cast<std::size_t>(batch));
  gen.uniform(static_cast<float>(generator.alpha[0]), static_cast<float>(generator.alpha[1]), alpha);
  std::vector<float> dt(alpha.size());
  for (std::size_t b = 0; b < alpha.size(); ++b) {
    dt[b] = data::time_step(generator.geometry, alpha[b]);
  }

  auto step = [&] {
    auto grads = model->gradients();
    std::fill(grads.begin(), grads.end(), 0.0f);
    model->compute_gradients(target, alpha, dt, batch);
    optimizer->step(model->parameters(), grads, 1e-4);
  };
  for (int i = 0; i < kWarmupSteps; ++i) {
    step();
  }
  std::vector<double> times;
  const auto start = Clock::now();
  while (static_cast<int>(times.size()) < kMaxSteps &&
         (static_cast<int>(times.size()) < kMinSteps || seconds_since(start) < kTargetSeconds)) {
    const auto t0 = Clock::now();
    step();
    times.push_back(seconds_since(t0));
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  const double gflop = model->flops_per_step(batch) / 1e9;

  // The largest GEMMs of a step: tokens × embed_dim by embed_dim × embed_dim (attention
  // projections) and tokens × embed_dim by mlp_dim × embed_dim (MLP).
  const int tokens = batch * frames;
  const int d = static_cast<int>(c.model_params.embed_dim);
  const int m = static_cast<int>(c.model_params.mlp_dim);
  const double sgemm_dd = best_sgemm_gflops(tokens, d, d);
  const double sgemm_dm = best_sgemm_gflops(tokens, m, d);

  nlohmann::json j;
  j["threads"] = threads;
  j["batch_size"] = batch;
  j["time_steps"] = frames;
  j["grid"] = {ny, nx};
  j["embed_dim"] = d;
  j["num_encoder_layers"] = c.model_params.num_encoder_layers;
  j["steps"] = times.size();
  j["step_seconds"] = median;
  j["step_seconds_min"] = times.front();
  j["gflop_per_step"] = gflop;
  j["achieved_gflops"] = gflop / median;
  j["sgemm_gflops"] = std::max(sgemm_dd, sgemm_dm);
  j["sgemm_shapes"] = {fmt::format("{}x{}x{}", tokens, d, d), fmt::format("{}x{}x{}", tokens, m, d)};
  j["achieved_over_sgemm"] = gflop / median / std::max(sgemm_dd, sgemm_dm);
  fmt::print("{}\n", j.dump());
}

}  // namespace kbeta::train
