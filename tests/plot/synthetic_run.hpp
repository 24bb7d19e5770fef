// A small synthetic run folder with every metrics file the plots read, shaped like a real run:
// falling losses, sun-spike and β₂ samples per window, MSE per time step and two examples of a
// diffusing hot spot.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <fmt/format.h>

namespace kbeta::testing {

struct SyntheticRunShape {
  int epochs = 12;
  int steps_per_epoch = 20;
  int time_steps = 40;
  int first_predicted_step = 5;
  int grid = 16;
  int examples = 2;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Writes run_dir/metrics/*.csv as the trainer does; returns the metrics folder.
inline std::filesystem::path write_synthetic_run(const std::filesystem::path& run_dir,
                                                 const SyntheticRunShape& shape = {}) {
  std::filesystem::path metrics = run_dir / "metrics";
  std::filesystem::create_directories(metrics);
  std::mt19937 generator(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);

  std::string epochs = "epoch,train_loss,val_loss,lr,seconds,samples_per_second\n";
  std::string steps = "step,epoch,loss,mse,boundary,physics,initial,lr\n";
  std::string spikes = "window,epoch,step,bucket,sunspike,beta2\n";
  int step = 0;
  for (int epoch = 1; epoch <= shape.epochs; ++epoch) {
    const double decay = std::exp(-0.35 * epoch);
    epochs += fmt::format("{},{:.9g},{:.9g},0.001,1.5,640\n", epoch, 0.2 * decay + 2e-3, 0.25 * decay + 3e-3);
    for (int s = 0; s < shape.steps_per_epoch; ++s) {
      ++step;
      const double progress = std::exp(-0.02 * step) * (1.0 + 0.2 * uniform(generator));
      const double mse = 0.1 * progress + 1e-3;
      const double boundary = 0.03 * progress + 5e-4;
      const double physics = 0.02 * progress + 2e-4;
      const double initial = 0.01 * progress + 1e-4;
      steps += fmt::format("{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},0.001\n", step, epoch,
                           mse + boundary + physics + initial, mse, boundary, physics, initial);
      // Spikes shrink as training settles; β₂ = β₂max − (β₂max − β₂min)·spike, as in Kourkoutas-β.
      const double sunspike = std::clamp(std::pow(uniform(generator), 1.0 + 0.3 * epoch), 0.0, 1.0);
      const double beta2 = 0.999 - (0.999 - 0.88) * sunspike;
      spikes += fmt::format("{},{},{},global,{:.9g},{:.9g}\n", epoch, epoch, step, sunspike, beta2);
    }
  }
  write_text(metrics / "epochs.csv", epochs);
  write_text(metrics / "steps.csv", steps);
  write_text(metrics / "spikes.csv", spikes);

  std::string block = "time_step,mse\n";
  std::string rollout = "time_step,mse\n";
  for (int t = shape.first_predicted_step; t < shape.time_steps; ++t) {
    block += fmt::format("{},{:.9g}\n", t, 1e-4 * (1.0 + 0.05 * t));
    rollout += fmt::format("{},{:.9g}\n", t, 1e-4 * std::exp(0.12 * (t - shape.first_predicted_step)));
  }
  write_text(metrics / "mse_block.csv", block);
  write_text(metrics / "mse_autoregressive.csv", rollout);

  std::string list = "example,sample,alpha,dt\n";
  for (int k = 1; k <= shape.examples; ++k) {
    const double alpha = 0.01 * k;
    const double dt = 1e-3 / k;
    list += fmt::format("{},{},{:.9g},{:.9g}\n", k, 3 * k, alpha, dt);
    std::string frames = "time_step,row,col,truth,prediction\n";
    const double centre = 0.5 * (shape.grid - 1);
    for (int t = 0; t < shape.time_steps; ++t) {
      const double width = 2.0 + 0.15 * t * k;
      for (int row = 0; row < shape.grid; ++row) {
        for (int col = 0; col < shape.grid; ++col) {
          const double r2 = (row - centre + 2.0) * (row - centre + 2.0) + (col - centre) * (col - centre);
          const double truth = std::exp(-r2 / (2.0 * width * width)) * 2.0 / width;
          // A smooth, growing error plus a little noise, as a trained surrogate shows.
          const double prediction =
              truth + 0.002 * t * std::sin(0.5 * col + 0.3 * row) * truth + 0.003 * normal(generator);
          frames += fmt::format("{},{},{},{:.9g},{:.9g}\n", t, row, col, truth, prediction);
        }
      }
    }
    write_text(metrics / fmt::format("example_{}.csv", k), frames);
  }
  write_text(metrics / "examples.csv", list);
  return metrics;
}

}  // namespace kbeta::testing
