// Train/validation/test datasets of heat-diffusion trajectories: drawn from the random
// generator in the reference's order, simulated, saved as nine .npy files and loaded back.
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "data/geometry.hpp"
#include "data/heat_solver.hpp"

namespace kbeta::data {

// Settings of generate_datasets(). Each limit pair is the [low, high] of a linspace.
struct GeneratorSettings {
  Geometry geometry;
  std::array<double, 2> left{0.0, 1.0};
  std::array<double, 2> right{0.0, 1.0};
  std::array<double, 2> top{0.0, 1.0};
  std::array<double, 2> bottom{0.0, 0.1};
  std::array<double, 2> alpha{0.01, 0.1};
  int samples = 4000;  // `training_samples`: all three splits together
  int time_steps = 401;
  SegmentStrategy strategy = SegmentStrategy::BaseCase;
};

struct Datasets {
  Split train, val, test;
};

// Sample counts of the 70/20/10 split: int(0.7·N), int(0.9·N) − int(0.7·N), N − int(0.9·N),
// with the products taken in double as Python does.
std::array<int, 3> split_sizes(int samples);

// mx.linspace(low, high, n) in float32: t_k = float32(k) / float32(n − 1),
// value_k = (1 − t_k)·low + t_k·high.
std::vector<float> linspace(float low, float high, int n);

// Throws ConfigError naming the key for settings the generator cannot run. These are
// non-finite limits, a non-positive α range, a split with no sample, fewer than 1 frame, an
// unstable grid, a challenge_2 grid under 5 points per side, or arrays too large to index.
void validate_settings(const GeneratorSettings& settings);

// Draws the three splits' inputs (boundary values, α, initial values, challenge_2 segments) in
// the reference's order. First come five permutations (left, right, top, bottom, α). Then, for
// train, val and test in turn, the initial values and, for challenge_2, uniform(n, 4),
// randint(0, nx − 4) and randint(0, ny − 4).
std::array<SplitInputs, 3> draw_split_inputs(const GeneratorSettings& settings, rng::Generator& gen);

// Validates the settings, draws the inputs and simulates train, val and test.
Datasets generate_datasets(const GeneratorSettings& settings, rng::Generator& gen);

// The nine file names in the reference's order: train_data.npy, train_alphas.npy, …, test_dts.npy.
const std::array<const char*, 9>& dataset_file_names();

// Writes the nine .npy files (float32, C order) into `dir`, creating the folder. Each file is
// written to a temporary name and renamed, so a failure leaves no half-written file.
void save_datasets(const Datasets& datasets, const std::filesystem::path& dir);

// Reads the nine .npy files from `dir` (float32 or float64, converted to float32) and checks
// them. Every data file must be 4-D (N, T, NY, NX) with N ≥ 1 and the geometry's NY and NX,
// with the same T in all splits. Alphas and dts must be (N) for their split. Every value must
// be finite, and every α and dt positive. Throws Error naming the file and the problem.
Datasets load_datasets(const std::filesystem::path& dir, const Geometry& expected);

}  // namespace kbeta::data
