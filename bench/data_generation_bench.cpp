// Time and memory of simulating the training split at the size of paper.yml: 2800 samples × 401
// frames × 26 × 26 (3.04 GB of float32). The default run uses a tenth of the samples (280) so
// that it finishes in seconds; pass --paper for the full size.
//
// Counters: cell_updates_per_s counts interior cells advanced by one time step,
// N·(T−1)·(NY−2)·(NX−2) per run; peak_rss_MiB is the process's peak resident memory
// (getrusage) and array_MiB the size of the split's arrays, so their difference is the
// generator's overhead plus the program itself.
#include <benchmark/benchmark.h>
#include <omp.h>
#include <sys/resource.h>

#include <cstring>
#include <vector>

#include "core/rng.hpp"
#include "data/datasets.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void simulate_train_split(benchmark::State& state, int total_samples) {
  kbeta::data::GeneratorSettings settings;
  settings.geometry = kbeta::data::make_geometry(1.0, 1.0, 0.04, 0.04);
  settings.samples = total_samples;
  settings.time_steps = 401;
  kbeta::rng::Generator gen(0);
  const auto inputs = kbeta::data::draw_split_inputs(settings, gen);
  const auto& train = inputs[0];

  const auto n = static_cast<double>(train.samples());
  const double array_bytes = n * settings.time_steps * settings.geometry.ny * settings.geometry.nx * 4.0;
  const double updates =
      n * (settings.time_steps - 1) * (settings.geometry.ny - 2) * (settings.geometry.nx - 2);
  const double rss_before = peak_rss_mib();

  for (auto _ : state) {
    auto split =
        kbeta::data::simulate_split(settings.geometry, settings.time_steps, settings.strategy, train);
    benchmark::DoNotOptimize(split.data.data());
    benchmark::ClobberMemory();
  }

  state.counters["samples"] = n;
  state.counters["threads"] = omp_get_max_threads();
  state.counters["cell_updates_per_s"] =
      benchmark::Counter(updates, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["array_MiB"] = array_bytes / (1024.0 * 1024.0);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.counters["rss_before_MiB"] = rss_before;
}

}  // namespace

int main(int argc, char** argv) {
  // --paper selects the full 2800-sample split; Google Benchmark must not see the flag.
  bool paper = false;
  std::vector<char*> args;
  for (int k = 0; k < argc; ++k) {
    if (std::strcmp(argv[k], "--paper") == 0) {
      paper = true;
    } else {
      args.push_back(argv[k]);
    }
  }
  int count = static_cast<int>(args.size());

  const int total_samples = paper ? 4000 : 400;  // the train split is 70% of these
  auto* bench = benchmark::RegisterBenchmark(
      paper ? "SimulateTrainSplit/paper_2800x401x26x26" : "SimulateTrainSplit/quick_280x401x26x26",
      simulate_train_split, total_samples);
  bench->Unit(benchmark::kSecond)->UseRealTime();
  if (paper) {
    bench->Iterations(1);
  }

  benchmark::Initialize(&count, args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
