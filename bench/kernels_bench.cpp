// Kernel benchmarks at the paper shape: B = 4, T = 401, C = 512, NH = 16, M = 256, S = 5,
// a 26 × 26 grid (P = 676). Run with OMP_NUM_THREADS set to the thread count to measure.
// Counters: FLOP/s ("flops", multiply-add = 2 FLOP) for GEMM-bound kernels, bytes/s ("bytes",
// the minimum traffic: every input read once, every output written once) for the others. Rates
// are per second of process CPU time summed over all threads (MeasureProcessCPUTime), so that
// they stay meaningful on a machine shared with other jobs; the Time column is wall-clock time.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/attention.hpp"
#include "kernels/blas.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/layernorm.hpp"
#include "kernels/linear.hpp"
#include "kernels/loss.hpp"

namespace {

using kbeta::kernels::Index;

constexpr Index kB = 4;
constexpr Index kT = 401;
constexpr Index kC = 512;
constexpr Index kNH = 16;
constexpr Index kM = 256;
constexpr Index kS = 5;
constexpr Index kNY = 26;
constexpr Index kNX = 26;
constexpr Index kRows = kB * kT;  // tokens per step

std::vector<float> random_floats(Index n, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(n));
  for (auto& value : values) {
    value = distribution(generator);
  }
  return values;
}

void set_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["flops"] = benchmark::Counter(
      flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void set_bytes(benchmark::State& state, double bytes_per_iteration) {
  state.counters["bytes"] = benchmark::Counter(
      bytes_per_iteration, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
}

// OpenBLAS's own sgemm on the q/k/v projection shape (B·T, C) × (C, C)ᵀ: the rate the model's
// achieved/sgemm target is measured against.
void BM_CblasSgemm(benchmark::State& state) {
  const auto a = random_floats(kRows * kC, 1);
  const auto b = random_floats(kC * kC, 2);
  std::vector<float> c(static_cast<std::size_t>(kRows * kC));
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, kRows, kC, kC, 1.0f, a.data(), kC, b.data(), kC,
                0.0f, c.data(), kC);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, 2.0 * kRows * kC * kC);
}
BENCHMARK(BM_CblasSgemm)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// The project's tiled gemm on the same shape.
void BM_Gemm(benchmark::State& state) {
  const auto a = random_floats(kRows * kC, 1);
  const auto b = random_floats(kC * kC, 2);
  std::vector<float> c(static_cast<std::size_t>(kRows * kC));
  for (auto _ : state) {
    // (B·T, C) × (C, C)ᵀ
    kbeta::kernels::gemm<float>(false, true, kRows, kC, kC, 1.0f, a.data(), kC, b.data(), kC, 0.0f, c.data(),
                                kC);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, 2.0 * kRows * kC * kC);
}
BENCHMARK(BM_Gemm)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

// Linear layers of the model: (in, out) = (C, C) attention projections, (C, M) and (M, C) MLP,
// (C, P) output projection.
void BM_LinearForward(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1);
  const auto x = random_floats(kRows * in, 3);
  const auto weight = random_floats(out * in, 4);
  const auto bias = random_floats(out, 5);
  std::vector<float> y(static_cast<std::size_t>(kRows * out));
  for (auto _ : state) {
    kbeta::kernels::linear_forward(y.data(), x.data(), weight.data(), bias.data(), kRows, in, out);
    benchmark::DoNotOptimize(y.data());
  }
  set_flops(state, 2.0 * static_cast<double>(kRows * in * out));
}
BENCHMARK(BM_LinearForward)
    ->Args({kC, kC})
    ->Args({kC, kM})
    ->Args({kM, kC})
    ->Args({kC, kNY* kNX})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

void BM_LinearBackward(benchmark::State& state) {
  const Index in = state.range(0), out = state.range(1);
  const auto x = random_floats(kRows * in, 3);
  const auto weight = random_floats(out * in, 4);
  const auto dy = random_floats(kRows * out, 6);
  std::vector<float> dx(static_cast<std::size_t>(kRows * in), 0.0f),
      dweight(static_cast<std::size_t>(out * in), 0.0f), dbias(static_cast<std::size_t>(out), 0.0f);
  for (auto _ : state) {
    kbeta::kernels::linear_backward(dx.data(), dweight.data(), dbias.data(), dy.data(), x.data(),
                                    weight.data(), kRows, in, out);
    benchmark::DoNotOptimize(dweight.data());
  }
  set_flops(state, 4.0 * static_cast<double>(kRows * in * out));
}
BENCHMARK(BM_LinearBackward)
    ->Args({kC, kC})
    ->Args({kC, kM})
    ->Args({kM, kC})
    ->Args({kC, kNY* kNX})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

void BM_LayerNormForward(benchmark::State& state) {
  const auto x = random_floats(kRows * kC, 7);
  const auto gamma = random_floats(kC, 8);
  const auto beta = random_floats(kC, 9);
  std::vector<float> y(static_cast<std::size_t>(kRows * kC)), mean(kRows), rstd(kRows);
  for (auto _ : state) {
    kbeta::kernels::layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(),
                                      kRows, kC);
    benchmark::DoNotOptimize(y.data());
  }
  set_bytes(state, 2.0 * sizeof(float) * kRows * kC);
}
BENCHMARK(BM_LayerNormForward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

void BM_LayerNormBackward(benchmark::State& state) {
  const auto x = random_floats(kRows * kC, 7);
  const auto gamma = random_floats(kC, 8);
  const auto beta = random_floats(kC, 9);
  const auto dy = random_floats(kRows * kC, 10);
  std::vector<float> y(static_cast<std::size_t>(kRows * kC)), mean(kRows), rstd(kRows),
      dx(static_cast<std::size_t>(kRows * kC), 0.0f), dgamma(kC, 0.0f), dbeta(kC, 0.0f);
  kbeta::kernels::layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(),
                                    kRows, kC);
  for (auto _ : state) {
    kbeta::kernels::layernorm_backward(dx.data(), dgamma.data(), dbeta.data(), mean.data(), rstd.data(),
                                       dy.data(), x.data(), gamma.data(), kRows, kC);
    benchmark::DoNotOptimize(dx.data());
  }
  // Reads x, dy and dx, writes dx.
  set_bytes(state, 4.0 * sizeof(float) * kRows * kC);
}
BENCHMARK(BM_LayerNormBackward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

void BM_ReluForward(benchmark::State& state) {
  const auto x = random_floats(kRows * kM, 11);
  std::vector<float> y(static_cast<std::size_t>(kRows * kM));
  for (auto _ : state) {
    kbeta::kernels::relu_forward(y.data(), x.data(), kRows * kM);
    benchmark::DoNotOptimize(y.data());
  }
  set_bytes(state, 2.0 * sizeof(float) * kRows * kM);
}
BENCHMARK(BM_ReluForward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

void BM_ReluBackward(benchmark::State& state) {
  const auto y = random_floats(kRows * kM, 11);
  const auto dy = random_floats(kRows * kM, 12);
  std::vector<float> dx(static_cast<std::size_t>(kRows * kM), 0.0f);
  for (auto _ : state) {
    kbeta::kernels::relu_backward(dx.data(), y.data(), dy.data(), kRows * kM);
    benchmark::DoNotOptimize(dx.data());
  }
  set_bytes(state, 4.0 * sizeof(float) * kRows * kM);
}
BENCHMARK(BM_ReluBackward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

void BM_ResidualForward(benchmark::State& state) {
  const auto a = random_floats(kRows * kC, 13);
  const auto b = random_floats(kRows * kC, 14);
  std::vector<float> y(static_cast<std::size_t>(kRows * kC));
  for (auto _ : state) {
    kbeta::kernels::residual_forward(y.data(), a.data(), b.data(), kRows * kC);
    benchmark::DoNotOptimize(y.data());
  }
  set_bytes(state, 3.0 * sizeof(float) * kRows * kC);
}
BENCHMARK(BM_ResidualForward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

void BM_ResidualBackward(benchmark::State& state) {
  const auto dy = random_floats(kRows * kC, 13);
  std::vector<float> da(static_cast<std::size_t>(kRows * kC), 0.0f),
      db(static_cast<std::size_t>(kRows * kC), 0.0f);
  for (auto _ : state) {
    kbeta::kernels::residual_backward(da.data(), db.data(), dy.data(), kRows * kC);
    benchmark::DoNotOptimize(da.data());
  }
  // Reads dy twice, reads and writes da and db.
  set_bytes(state, 6.0 * sizeof(float) * kRows * kC);
}
BENCHMARK(BM_ResidualBackward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

std::vector<float> paper_mask(bool causal) {
  std::vector<float> mask(static_cast<std::size_t>(kT * kT), -std::numeric_limits<float>::infinity());
  for (Index i = 0; i < kT; ++i) {
    for (Index j = 0; j < kT; ++j) {
      if (j < kS || (causal && j < i)) {
        mask[static_cast<std::size_t>(i * kT + j)] = 0.0f;
      }
    }
  }
  return mask;
}

// FLOP of the attention core as computed: per (batch, head), 2·HS per score and per
// probability-value product over the keys each query row reads.
double attention_flops(const kbeta::kernels::AttentionMaskLayout& layout) {
  double keys = 0.0;
  for (Index end : layout.key_end) {
    keys += static_cast<double>(end);
  }
  return 2.0 * 2.0 * static_cast<double>(kB * kC) * keys;
}

void BM_AttentionForward(benchmark::State& state) {
  const auto mask = paper_mask(state.range(0) != 0);
  const auto layout = kbeta::kernels::attention_mask_layout(mask.data(), kT);
  const auto q = random_floats(kRows * kC, 15);
  const auto k = random_floats(kB * layout.Tk * kC, 16);
  const auto v = random_floats(kB * layout.Tk * kC, 17);
  std::vector<float> out(static_cast<std::size_t>(kRows * kC)),
      probs(static_cast<std::size_t>(kB * kNH * kT * layout.Tk));
  for (auto _ : state) {
    kbeta::kernels::attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(),
                                      layout, kB, kNH, kC);
    benchmark::DoNotOptimize(out.data());
  }
  set_flops(state, attention_flops(layout));
  state.SetLabel(state.range(0) != 0 ? "causal" : "block");
}
BENCHMARK(BM_AttentionForward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

void BM_AttentionBackward(benchmark::State& state) {
  const auto mask = paper_mask(state.range(0) != 0);
  const auto layout = kbeta::kernels::attention_mask_layout(mask.data(), kT);
  const auto q = random_floats(kRows * kC, 15);
  const auto k = random_floats(kB * layout.Tk * kC, 16);
  const auto v = random_floats(kB * layout.Tk * kC, 17);
  const auto dout = random_floats(kRows * kC, 18);
  const auto kv_size = static_cast<std::size_t>(kB * layout.Tk * kC);
  const auto probs_size = static_cast<std::size_t>(kB * kNH * kT * layout.Tk);
  std::vector<float> out(static_cast<std::size_t>(kRows * kC)), probs(probs_size), dscores(probs_size),
      dq(static_cast<std::size_t>(kRows * kC), 0.0f), dk(kv_size, 0.0f), dv(kv_size, 0.0f),
      dmask(static_cast<std::size_t>(kT * kT), 0.0f);
  kbeta::kernels::attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(),
                                    layout, kB, kNH, kC);
  for (auto _ : state) {
    kbeta::kernels::attention_backward(dq.data(), dk.data(), dv.data(), dmask.data(), dscores.data(),
                                       probs.data(), dout.data(), q.data(), k.data(), v.data(), layout, kB,
                                       kNH, kC);
    benchmark::DoNotOptimize(dq.data());
  }
  // dP, dq, dk and dv: four products of the forward's size.
  set_flops(state, 2.0 * attention_flops(layout));
  state.SetLabel(state.range(0) != 0 ? "causal" : "block");
}
BENCHMARK(BM_AttentionBackward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();

struct LossInputs {
  std::vector<float> pred, target, alpha, dt;
};

LossInputs paper_loss_inputs() {
  const Index n = kB * kT * kNY * kNX;
  LossInputs inputs{random_floats(n, 19), random_floats(n, 20), std::vector<float>(kB, 0.01f),
                    std::vector<float>(kB, 0.016f)};
  return inputs;
}

void BM_HeatLossForward(benchmark::State& state) {
  const auto inputs = paper_loss_inputs();
  for (auto _ : state) {
    const auto terms =
        kbeta::kernels::heat_loss_forward(inputs.pred.data(), inputs.target.data(), inputs.alpha.data(),
                                          inputs.dt.data(), 0.04, 0.04, 5, kB, kT, kNY, kNX);
    benchmark::DoNotOptimize(terms.total);
  }
  set_bytes(state, 2.0 * sizeof(float) * kB * kT * kNY * kNX);
}
BENCHMARK(BM_HeatLossForward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

void BM_HeatLossBackward(benchmark::State& state) {
  const auto inputs = paper_loss_inputs();
  std::vector<float> dpred(inputs.pred.size(), 0.0f);
  for (auto _ : state) {
    kbeta::kernels::heat_loss_backward(dpred.data(), inputs.pred.data(), inputs.target.data(),
                                       inputs.alpha.data(), inputs.dt.data(), 0.04, 0.04, 5, kB, kT, kNY,
                                       kNX);
    benchmark::DoNotOptimize(dpred.data());
  }
  set_bytes(state, 4.0 * sizeof(float) * kB * kT * kNY * kNX);
}
BENCHMARK(BM_HeatLossBackward)->Unit(benchmark::kMicrosecond)->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
