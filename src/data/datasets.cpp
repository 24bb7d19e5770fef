#include "data/datasets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"
#include "data/npy.hpp"

namespace kbeta::data {
namespace {

constexpr int kSegmentLength = 4;

void check_limits(const char* key, const std::array<double, 2>& limits) {
  for (const double value : limits) {
    if (!std::isfinite(value) || std::abs(value) > static_cast<double>(std::numeric_limits<float>::max())) {
      throw ConfigError(
          fmt::format("{}: expected two finite float32 numbers, got [{}, {}]", key, limits[0], limits[1]));
    }
  }
}

// The values linspace(limits) taken through one fresh permutation: out[i] = values[order[i]].
std::vector<float> permuted_linspace(const std::array<double, 2>& limits, int n, rng::Generator& gen) {
  const std::vector<float> values = linspace(static_cast<float>(limits[0]), static_cast<float>(limits[1]), n);
  const std::vector<std::uint32_t> order = gen.permutation(static_cast<std::size_t>(n));
  std::vector<float> out(values.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = values[order[i]];
  }
  return out;
}

std::vector<float> slice(const std::vector<float>& values, int begin, int end) {
  return {values.begin() + begin, values.begin() + end};
}

// challenge_2 as the reference draws it: a stable argsort of uniform(n, 4) per sample picks the
// two sides, then randint(0, nx − 4) and randint(0, ny − 4) the starts of the value-1 and the
// value-0 segment.
std::vector<RandomSegments> draw_random_segments(const Geometry& geometry, int n, rng::Generator& gen) {
  const auto count = static_cast<std::size_t>(n);
  std::vector<float> scores(4 * count);
  gen.uniform(0.0f, 1.0f, scores);
  std::vector<std::int32_t> hot_starts(count);
  gen.randint(0, geometry.nx - kSegmentLength, hot_starts);
  std::vector<std::int32_t> cold_starts(count);
  gen.randint(0, geometry.ny - kSegmentLength, cold_starts);

  // NOTE: the reference uses the nx-based start on whichever side comes first, so on a
  // non-square grid it could index past a shorter side. Here the start is clamped to that side.
  const auto fit = [&geometry](Side side, int start) {
    const int length = side == Side::Top || side == Side::Bottom ? geometry.nx : geometry.ny;
    return std::min(start, length - kSegmentLength);
  };

  std::vector<RandomSegments> segments(count);
  for (std::size_t s = 0; s < count; ++s) {
    std::array<int, 4> order{0, 1, 2, 3};
    const float* row = scores.data() + 4 * s;
    std::stable_sort(order.begin(), order.end(), [row](int a, int b) { return row[a] < row[b]; });
    RandomSegments& seg = segments[s];
    seg.hot_side = static_cast<Side>(order[0]);
    seg.cold_side = static_cast<Side>(order[1]);
    seg.hot_start = fit(seg.hot_side, hot_starts[s]);
    seg.cold_start = fit(seg.cold_side, cold_starts[s]);
  }
  return segments;
}

std::string describe_shape(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t k = 0; k < shape.size(); ++k) {
    if (k > 0) {
      text += ", ";
    }
    text += std::to_string(shape[k]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

void check_finite(const std::vector<float>& values, const std::filesystem::path& path) {
  const auto bad = std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
  if (bad != values.end()) {
    throw Error(
        fmt::format("{}: value {} at flat index {} is not finite (float32); every value must be "
                    "finite",
                    path.string(), *bad, bad - values.begin()));
  }
}

void check_positive(const std::vector<float>& values, const std::filesystem::path& path) {
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!(values[k] > 0.0f) || !std::isfinite(values[k])) {
      throw Error(fmt::format("{}: entry {} is {}; every value must be finite and positive", path.string(), k,
                              values[k]));
    }
  }
}

std::vector<float> load_vector(const std::filesystem::path& path, std::int64_t n) {
  NpyHeader header;
  std::vector<float> values = read_npy_f32(path, &header);
  if (header.shape.size() != 1 || header.shape[0] != n) {
    throw Error(fmt::format("{}: shape {} does not match the data file's {} samples; expected ({},)",
                            path.string(), describe_shape(header.shape), n, n));
  }
  check_positive(values, path);
  return values;
}

Split load_split(const std::filesystem::path& dir, const std::string& name, const Geometry& expected,
                 int expected_t) {
  const std::filesystem::path data_path = dir / (name + "_data.npy");
  const NpyHeader header = read_npy_header(data_path);
  const auto& shape = header.shape;
  if (shape.size() != 4) {
    throw Error(fmt::format("{}: shape {} is not 4-D; expected (samples, frames, ny, nx)", data_path.string(),
                            describe_shape(shape)));
  }
  if (shape[0] < 1 || shape[1] < 1) {
    throw Error(
        fmt::format("{}: shape {} has no samples or no frames", data_path.string(), describe_shape(shape)));
  }
  if (shape[2] != expected.ny || shape[3] != expected.nx) {
    throw Error(
        fmt::format("{}: grid {}x{} (ny x nx) does not match the geometry's {}x{}; fix geometry.dx, "
                    "geometry.dy, rod_length or rod_width",
                    data_path.string(), shape[2], shape[3], expected.ny, expected.nx));
  }
  if (expected_t > 0 && shape[1] != expected_t) {
    throw Error(fmt::format("{}: {} frames, but train_data.npy has {}; every split needs the same number",
                            data_path.string(), shape[1], expected_t));
  }
  if (shape[1] > std::numeric_limits<int>::max() || shape[0] > std::numeric_limits<int>::max()) {
    throw Error(fmt::format("{}: shape {} is too large", data_path.string(), describe_shape(shape)));
  }

  Split split;
  split.n = static_cast<int>(shape[0]);
  split.t = static_cast<int>(shape[1]);
  split.ny = expected.ny;
  split.nx = expected.nx;
  split.data = read_npy_f32(data_path);
  check_finite(split.data, data_path);
  split.alphas = load_vector(dir / (name + "_alphas.npy"), shape[0]);
  split.dts = load_vector(dir / (name + "_dts.npy"), shape[0]);
  return split;
}

void save_split(const Split& split, const std::filesystem::path& dir, const std::string& name) {
  const std::array<std::int64_t, 4> shape{split.n, split.t, split.ny, split.nx};
  const std::array<std::int64_t, 1> vector_shape{split.n};
  write_npy(dir / (name + "_data.npy"), std::span<const float>(split.data), shape);
  write_npy(dir / (name + "_alphas.npy"), std::span<const float>(split.alphas), vector_shape);
  write_npy(dir / (name + "_dts.npy"), std::span<const float>(split.dts), vector_shape);
}

}  // namespace

std::array<int, 3> split_sizes(int samples) {
  const auto train_end = static_cast<int>(0.7 * samples);
  const auto val_end = static_cast<int>(0.9 * samples);
  return {train_end, val_end - train_end, samples - val_end};
}

std::vector<float> linspace(float low, float high, int n) {
  std::vector<float> out(static_cast<std::size_t>(std::max(n, 0)));
  const auto last = static_cast<float>(n - 1);
  for (std::size_t k = 0; k < out.size(); ++k) {
    const float t = static_cast<float>(k) / last;
    out[k] = (1.0f - t) * low + t * high;
  }
  return out;
}

void validate_settings(const GeneratorSettings& settings) {
  check_limits("boundary_conditions.left_limits", settings.left);
  check_limits("boundary_conditions.right_limits", settings.right);
  check_limits("boundary_conditions.top_limits", settings.top);
  check_limits("boundary_conditions.bottom_limits", settings.bottom);
  check_limits("thermal_diffusivity.alpha_limits", settings.alpha);
  if (!(static_cast<float>(settings.alpha[0]) > 0.0f) || !(static_cast<float>(settings.alpha[1]) > 0.0f)) {
    throw ConfigError(
        fmt::format("thermal_diffusivity.alpha_limits: expected two positive numbers, got [{}, {}]",
                    settings.alpha[0], settings.alpha[1]));
  }

  const std::array<int, 3> sizes = split_sizes(settings.samples);
  if (settings.samples < 2 || sizes[0] < 1 || sizes[1] < 1 || sizes[2] < 1) {
    throw ConfigError(
        fmt::format("training_samples: {} leaves an empty split (train/val/test = {}/{}/{}); use "
                    "at least 4",
                    settings.samples, std::max(sizes[0], 0), std::max(sizes[1], 0), std::max(sizes[2], 0)));
  }
  if (settings.time_steps < 1) {
    throw ConfigError(
        fmt::format("model_params.time_steps: expected at least 1 frame, got {}", settings.time_steps));
  }

  const Geometry& g = settings.geometry;
  check_stability(g);
  if (settings.strategy == SegmentStrategy::Challenge2 &&
      (g.nx < kSegmentLength + 1 || g.ny < kSegmentLength + 1)) {
    throw ConfigError(
        fmt::format("boundary_segment_strategy: challenge_2 needs at least {} grid points per "
                    "side for its length-{} segments, got ny x nx = {}x{}",
                    kSegmentLength + 1, kSegmentLength, g.ny, g.nx));
  }

  const double values = static_cast<double>(settings.samples) * settings.time_steps * g.ny * g.nx;
  if (values > static_cast<double>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(float)) {
    throw ConfigError(
        fmt::format("training_samples x time_steps x ny x nx = {} values is too large", values));
  }
}

std::array<SplitInputs, 3> draw_split_inputs(const GeneratorSettings& settings, rng::Generator& gen) {
  const int n = settings.samples;
  const std::vector<float> left = permuted_linspace(settings.left, n, gen);
  const std::vector<float> right = permuted_linspace(settings.right, n, gen);
  const std::vector<float> top = permuted_linspace(settings.top, n, gen);
  const std::vector<float> bottom = permuted_linspace(settings.bottom, n, gen);
  const std::vector<float> alphas = permuted_linspace(settings.alpha, n, gen);

  const std::array<int, 3> sizes = split_sizes(n);
  std::array<SplitInputs, 3> inputs;
  int begin = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    const int end = begin + sizes[k];
    SplitInputs& split = inputs[k];
    split.left = slice(left, begin, end);
    split.right = slice(right, begin, end);
    split.top = slice(top, begin, end);
    split.bottom = slice(bottom, begin, end);
    split.alphas = slice(alphas, begin, end);
    split.initial_values.resize(static_cast<std::size_t>(sizes[k]));
    gen.uniform(0.0f, 1.0f, split.initial_values);
    if (settings.strategy == SegmentStrategy::Challenge2) {
      split.segments = draw_random_segments(settings.geometry, sizes[k], gen);
    }
    begin = end;
  }
  return inputs;
}

Datasets generate_datasets(const GeneratorSettings& settings, rng::Generator& gen) {
  validate_settings(settings);
  const std::array<SplitInputs, 3> inputs = draw_split_inputs(settings, gen);
  Datasets datasets;
  datasets.train = simulate_split(settings.geometry, settings.time_steps, settings.strategy, inputs[0]);
  datasets.val = simulate_split(settings.geometry, settings.time_steps, settings.strategy, inputs[1]);
  datasets.test = simulate_split(settings.geometry, settings.time_steps, settings.strategy, inputs[2]);
  return datasets;
}

const std::array<const char*, 9>& dataset_file_names() {
  static const std::array<const char*, 9> names{"train_data.npy", "train_alphas.npy", "train_dts.npy",
                                                "val_data.npy",   "val_alphas.npy",   "val_dts.npy",
                                                "test_data.npy",  "test_alphas.npy",  "test_dts.npy"};
  return names;
}

void save_datasets(const Datasets& datasets, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw Error(fmt::format("cannot create the datasets folder {}: {}", dir.string(), ec.message()));
  }
  save_split(datasets.train, dir, "train");
  save_split(datasets.val, dir, "val");
  save_split(datasets.test, dir, "test");
}

Datasets load_datasets(const std::filesystem::path& dir, const Geometry& expected) {
  // The error_code overloads: the throwing ones raise std::filesystem::filesystem_error for a
  // name that is too long or a folder that cannot be searched.
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    throw Error(
        fmt::format("data.dir: {} is not a folder; it must contain the nine files train_data.npy, "
                    "train_alphas.npy, train_dts.npy, val_*.npy and test_*.npy",
                    dir.string()));
  }
  for (const char* name : dataset_file_names()) {
    if (!std::filesystem::exists(dir / name, error)) {
      throw Error(fmt::format("{}: file not found; the datasets folder needs all nine .npy files",
                              (dir / name).string()));
    }
  }
  Datasets datasets;
  datasets.train = load_split(dir, "train", expected, 0);
  datasets.val = load_split(dir, "val", expected, datasets.train.t);
  datasets.test = load_split(dir, "test", expected, datasets.train.t);
  return datasets;
}

}  // namespace kbeta::data
