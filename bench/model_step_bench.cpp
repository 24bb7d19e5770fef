// Forward + backward of the heat-diffusion Transformer at the paper shape (B = 4, T = 401,
// C = 512, NH = 16, M = 256, 26 × 26 grid, start_predicting_from = 5) with 2 encoder layers,
// with the time per kind of kernel, next to the best sgemm rate of a GEMM of the same size.
//
//   OMP_NUM_THREADS=2 build/release/bench/model_step_bench
#include <ctime>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>
#include <cblas.h>

#include "model/heat_transformer.hpp"

namespace {

using kbeta::model::HeatTransformer;
using kbeta::model::MaskType;
using kbeta::model::ModelSpec;

constexpr int kBatch = 4;

ModelSpec paper_spec(MaskType mask) {
  ModelSpec spec;  // defaults are the reference's heat2d/paper shape
  spec.num_layers = 2;
  spec.mask = mask;
  return spec;
}

void BM_ModelStep(benchmark::State& state) {
  const ModelSpec spec = paper_spec(state.range(0) == 0 ? MaskType::Block : MaskType::Causal);
  HeatTransformer<float> model(spec, kBatch);
  kbeta::rng::Generator gen(1);
  model.initialize(gen);

  std::mt19937 engine(7);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  std::vector<float> target(static_cast<std::size_t>(kBatch * spec.time_steps * spec.pixels()));
  for (float& v : target) {
    v = value(engine);
  }
  const std::vector<float> alpha(kBatch, 0.05f);
  const std::vector<float> dt(kBatch, 1e-3f);

  kbeta::model::StepTimes total;
  const std::clock_t cpu_start = std::clock();
  for (auto _ : state) {
    const auto terms = model.compute_gradients(target, alpha, dt, kBatch);
    benchmark::DoNotOptimize(terms.total);
    const auto& t = model.last_step_times();
    total.embedding += t.embedding;
    total.layernorm += t.layernorm;
    total.linear += t.linear;
    total.attention += t.attention;
    total.elementwise += t.elementwise;
    total.loss += t.loss;
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double steps = static_cast<double>(state.iterations());
  const double flops = kbeta::model::flops_per_step(spec, kBatch);
  // Per second of process CPU time over all threads: steadier than wall time on a shared machine.
  state.counters["GFLOP_per_cpu_s"] = flops * 1e-9 * steps / cpu_seconds;
  state.counters["gflop_per_step"] = flops * 1e-9;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9 * steps, benchmark::Counter::kIsRate);
  state.counters["ms_linear"] = 1e3 * total.linear / steps;
  state.counters["ms_attention"] = 1e3 * total.attention / steps;
  state.counters["ms_layernorm"] = 1e3 * total.layernorm / steps;
  state.counters["ms_elementwise"] = 1e3 * total.elementwise / steps;
  state.counters["ms_embedding"] = 1e3 * total.embedding / steps;
  state.counters["ms_loss"] = 1e3 * total.loss / steps;
}
BENCHMARK(BM_ModelStep)->Arg(0)->Arg(1)->ArgName("causal")->Unit(benchmark::kMillisecond)->UseRealTime();

// The machine's sgemm rate on the token matrix: (B·T, C) × (C, C)ᵀ = (1604 × 512) · (512 × 512).
void BM_Sgemm(benchmark::State& state) {
  const int m = kBatch * 401, n = 512, k = 512;
  std::vector<float> a(static_cast<std::size_t>(m * k), 0.5f), b(static_cast<std::size_t>(n * k), 0.25f),
      c(static_cast<std::size_t>(m * n));
  const std::clock_t cpu_start = std::clock();
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f,
                c.data(), n);
    benchmark::ClobberMemory();
  }
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const double flops = 2.0 * m * n * k;
  state.counters["GFLOP_per_cpu_s"] = flops * 1e-9 * static_cast<double>(state.iterations()) / cpu_seconds;
  state.counters["GFLOPS"] =
      benchmark::Counter(flops * 1e-9 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Sgemm)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
