// Optimiser update throughput on the 32,035,525 trainable parameters of the paper preset's model,
// against a parallel memory copy. Every benchmark reports bytes_per_second as the bytes read plus
// written per call, so the ratio to BM_MemoryCopy is the fraction of the copy bandwidth reached.
//
// Run: build/release/bench/optim_bench [--benchmark_filter=...]; OMP_NUM_THREADS sets the threads.

#include <benchmark/benchmark.h>

#include <omp.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/param_table.hpp"
#include "optim/optimizer.hpp"

namespace {

using kbeta::ParamTable;
using namespace kbeta::optim;

// The paper preset's model (D = 512, H = 16, L = 24, M = 256, 26×26 grid, T = 401): 297 tensors.
ParamTable paper_table() {
  constexpr std::int64_t C = 512;
  constexpr std::int64_t M = 256;
  constexpr std::int64_t P = std::int64_t{26} * 26;
  constexpr std::int64_t T = 401;
  ParamTable table;
  for (int l = 0; l < 24; ++l) {
    const std::string prefix = "transformer_encoder.layers." + std::to_string(l) + ".";
    for (const char* proj : {"query_proj", "key_proj", "value_proj", "out_proj"}) {
      table.add(prefix + "attention." + proj + ".weight", {C, C});
    }
    table.add(prefix + "ln1.weight", {C});
    table.add(prefix + "ln1.bias", {C});
    table.add(prefix + "ln2.weight", {C});
    table.add(prefix + "ln2.bias", {C});
    table.add(prefix + "linear1.weight", {M, C});
    table.add(prefix + "linear1.bias", {M});
    table.add(prefix + "linear2.weight", {C, M});
    table.add(prefix + "linear2.bias", {C});
  }
  table.add("transformer_encoder.ln.weight", {C});
  table.add("transformer_encoder.ln.bias", {C});
  table.add("output_projection.weight", {P, C});
  table.add("output_projection.bias", {P});
  table.add("diffusivity_embedding.weight", {C, 1});
  table.add("diffusivity_embedding.bias", {C});
  table.add("layer_normalizer.weight", {C});
  table.add("layer_normalizer.bias", {C});
  table.add("mask", {T, T});
  return table;
}

const ParamTable& table() {
  static const ParamTable instance = paper_table();
  return instance;
}

// Filled in parallel so that pages are first touched by the threads that use them.
std::vector<float> parallel_filled(std::size_t count, float value) {
  std::vector<float> values(count);
  float* data = values.data();
  const auto n = static_cast<std::ptrdiff_t>(count);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    data[i] = value * static_cast<float>(i % 97 - 48);
  }
  return values;
}

void BM_MemoryCopy(benchmark::State& state) {
  const std::size_t count = table().total_size();
  const std::vector<float> source = parallel_filled(count, 1e-3f);
  std::vector<float> destination = parallel_filled(count, 0.0f);
  constexpr std::size_t kBlock = std::size_t{1} << 14;
  const auto blocks = static_cast<std::ptrdiff_t>((count + kBlock - 1) / kBlock);
  for (auto _ : state) {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      const std::size_t begin = static_cast<std::size_t>(b) * kBlock;
      const std::size_t size = std::min(kBlock, count - begin);
      std::memcpy(destination.data() + begin, source.data() + begin, size * sizeof(float));
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * count * sizeof(float)));
  state.counters["threads"] = omp_get_max_threads();
}

// Bytes per parameter read and written by one update:
//   Adam            read p, g, m, v; write p, m, v                         = 28
//   Kourkoutas-β    Adam's + one read of g for the bucket norms            = 32
//   all extras      + v_max read and write, + p read for mean|θ|           = 44
void run_update(benchmark::State& state, const OptimizerSettings& settings, std::int64_t bytes_per_param) {
  const std::size_t count = table().total_size();
  auto optimizer = make_optimizer(settings, table());
  std::vector<float> params = parallel_filled(count, 1e-2f);
  const std::vector<float> grads = parallel_filled(count, 1e-4f);
  for (auto _ : state) {
    optimizer->step(params, grads, 1e-3);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * bytes_per_param * static_cast<std::int64_t>(count));
  state.counters["threads"] = omp_get_max_threads();
  state.counters["params"] = static_cast<double>(count);
}

void BM_Adam(benchmark::State& state) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Adam999;
  run_update(state, settings, 28);
}

void BM_KourkoutasGlobal(benchmark::State& state) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Kourkoutas;
  run_update(state, settings, 32);
}

void BM_KourkoutasTensorDiagnostics(benchmark::State& state) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Kourkoutas;
  settings.layer_buckets = BucketMode::Tensor;
  settings.diagnostics = true;
  run_update(state, settings, 32);
}

void BM_KourkoutasAllExtras(benchmark::State& state) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::Kourkoutas;
  settings.decay = 0.98;
  settings.max_ratio = 3.0;
  settings.adaptive_tiny = true;
  settings.bias_correction = BiasCorrection::Exact;
  settings.diagnostics = true;
  run_update(state, settings, 44);
}

BENCHMARK(BM_MemoryCopy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Adam)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KourkoutasGlobal)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KourkoutasTensorDiagnostics)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_KourkoutasAllExtras)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
