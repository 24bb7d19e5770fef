#include "data/heat_solver.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::data {
namespace {

constexpr int kSegmentLength = 4;
// challenge_1 fixes rows [8, 12) of the left column to 1 and of the right column to 0.
constexpr int kFixedSegmentRow = 8;

int side_length(const Geometry& geometry, Side side) {
  return side == Side::Top || side == Side::Bottom ? geometry.nx : geometry.ny;
}

void fill_segment(std::span<float> frame, const Geometry& geometry, Side side, int start, float value) {
  const auto nx = static_cast<std::size_t>(geometry.nx);
  const auto ny = static_cast<std::size_t>(geometry.ny);
  for (int k = start; k < start + kSegmentLength; ++k) {
    const auto p = static_cast<std::size_t>(k);
    switch (side) {
      case Side::Top:
        frame[p] = value;
        break;
      case Side::Bottom:
        frame[(ny - 1) * nx + p] = value;
        break;
      case Side::Left:
        frame[p * nx] = value;
        break;
      case Side::Right:
        frame[p * nx + nx - 1] = value;
        break;
    }
  }
}

void check_inputs(const Geometry& geometry, int time_steps, SegmentStrategy strategy,
                  const SplitInputs& inputs) {
  const std::size_t n = inputs.alphas.size();
  if (time_steps < 1) {
    throw ConfigError(fmt::format("model_params.time_steps: expected at least 1 frame, got {}", time_steps));
  }
  const auto check_size = [n](const char* name, std::size_t size) {
    if (size != n) {
      throw ConfigError(fmt::format("split inputs: {} has {} values but alphas has {}", name, size, n));
    }
  };
  check_size("left", inputs.left.size());
  check_size("right", inputs.right.size());
  check_size("top", inputs.top.size());
  check_size("bottom", inputs.bottom.size());
  check_size("initial_values", inputs.initial_values.size());
  if (strategy == SegmentStrategy::Challenge2) {
    check_size("segments", inputs.segments.size());
  }
  for (std::size_t s = 0; s < n; ++s) {
    if (!(inputs.alphas[s] > 0.0f) || !std::isfinite(inputs.alphas[s])) {
      throw ConfigError(
          fmt::format("thermal diffusivity of sample {}: expected a finite positive number, got {}", s,
                      inputs.alphas[s]));
    }
  }
  if (strategy != SegmentStrategy::Challenge2) {
    return;
  }
  for (std::size_t s = 0; s < n; ++s) {
    const RandomSegments& seg = inputs.segments[s];
    for (const auto& [side, start] :
         {std::pair{seg.hot_side, seg.hot_start}, {seg.cold_side, seg.cold_start}}) {
      const int length = side_length(geometry, side);
      if (static_cast<int>(side) > 3 || start < 0 || start + kSegmentLength > length) {
        throw ConfigError(
            fmt::format("challenge_2 segment of sample {}: side {} start {} does not fit a side of "
                        "{} cells",
                        s, static_cast<int>(side), start, length));
      }
    }
  }
}

// Scalar math, for interior cells (i, j) of one sample, in float32 and in this order:
//   d2x = ((u[i][j+1] − 2·u[i][j]) + u[i][j−1]) / float32(dx²)
//   d2y = ((u[i+1][j] − 2·u[i][j]) + u[i−1][j]) / float32(dy²)
//   next[i][j] = u[i][j] + (α·dt)·(d2x + d2y)
void step_interior(const float* u, float* next, int ny, int nx, float dx2, float dy2, float coefficient) {
  const auto w = static_cast<std::size_t>(nx);
  for (std::size_t i = 1; i + 1 < static_cast<std::size_t>(ny); ++i) {
    const float* row = u + i * w;
    const float* up = row - w;
    const float* down = row + w;
    float* out = next + i * w;
    for (std::size_t j = 1; j + 1 < w; ++j) {
      const float twice = 2.0f * row[j];
      const float d2x = (row[j + 1] - twice + row[j - 1]) / dx2;
      const float d2y = (down[j] - twice + up[j]) / dy2;
      out[j] = row[j] + coefficient * (d2x + d2y);
    }
  }
}

}  // namespace

SegmentStrategy parse_segment_strategy(std::string_view name) {
  if (name == "base_case") {
    return SegmentStrategy::BaseCase;
  }
  if (name == "challenge_1") {
    return SegmentStrategy::Challenge1;
  }
  if (name == "challenge_2") {
    return SegmentStrategy::Challenge2;
  }
  throw ConfigError(fmt::format(
      "boundary_segment_strategy: expected base_case, challenge_1 or challenge_2, got '{}'", name));
}

std::string_view segment_strategy_name(SegmentStrategy strategy) {
  switch (strategy) {
    case SegmentStrategy::BaseCase:
      return "base_case";
    case SegmentStrategy::Challenge1:
      return "challenge_1";
    case SegmentStrategy::Challenge2:
      return "challenge_2";
  }
  return "unknown";
}

float time_step(const Geometry& geometry, float alpha) {
  // Python's dx**2 (libm pow in double) becomes a float32 scalar next to a float32 array.
  const auto dx2 = static_cast<float>(std::pow(geometry.dx, 2.0));
  return dx2 / (10.0f * alpha);
}

void apply_boundaries(std::span<float> frame, const Geometry& geometry, SegmentStrategy strategy,
                      const SplitInputs& inputs, int sample) {
  const auto nx = static_cast<std::size_t>(geometry.nx);
  const auto ny = static_cast<std::size_t>(geometry.ny);
  const auto s = static_cast<std::size_t>(sample);
  KBETA_DCHECK(frame.size() == nx * ny);

  for (std::size_t i = 0; i < ny; ++i) {
    frame[i * nx + nx - 1] = inputs.right[s];
  }
  for (std::size_t i = 0; i < ny; ++i) {
    frame[i * nx] = inputs.left[s];
  }
  std::fill_n(frame.begin() + static_cast<std::ptrdiff_t>((ny - 1) * nx), nx, inputs.bottom[s]);
  std::fill_n(frame.begin(), nx, inputs.top[s]);

  switch (strategy) {
    case SegmentStrategy::BaseCase:
      break;
    case SegmentStrategy::Challenge1: {
      // The reference slices rows 8:12, which Python clips to the grid.
      const std::size_t end = std::min<std::size_t>(kFixedSegmentRow + kSegmentLength, ny);
      for (std::size_t i = kFixedSegmentRow; i < end; ++i) {
        frame[i * nx] = 1.0f;
      }
      for (std::size_t i = kFixedSegmentRow; i < end; ++i) {
        frame[i * nx + nx - 1] = 0.0f;
      }
      break;
    }
    case SegmentStrategy::Challenge2: {
      const RandomSegments& seg = inputs.segments[s];
      fill_segment(frame, geometry, seg.hot_side, seg.hot_start, 1.0f);
      fill_segment(frame, geometry, seg.cold_side, seg.cold_start, 0.0f);
      break;
    }
  }
}

Split simulate_split(const Geometry& geometry, int time_steps, SegmentStrategy strategy,
                     const SplitInputs& inputs) {
  check_inputs(geometry, time_steps, strategy, inputs);

  Split split;
  split.n = inputs.samples();
  split.t = time_steps;
  split.ny = geometry.ny;
  split.nx = geometry.nx;
  split.alphas = inputs.alphas;
  split.dts.resize(inputs.alphas.size());
  for (std::size_t s = 0; s < split.dts.size(); ++s) {
    split.dts[s] = time_step(geometry, inputs.alphas[s]);
  }

  const std::size_t frame_size =
      static_cast<std::size_t>(geometry.ny) * static_cast<std::size_t>(geometry.nx);
  const std::size_t sample_size = split.sample_size();
  split.data.resize(static_cast<std::size_t>(split.n) * sample_size);

  const auto dx2 = static_cast<float>(std::pow(geometry.dx, 2.0));
  const auto dy2 = static_cast<float>(std::pow(geometry.dy, 2.0));
  float* data = split.data.data();
  const int samples = split.n;

  // Samples are independent and each is computed by one thread in a fixed order.
#pragma omp parallel for schedule(dynamic, 1)
  for (int sample = 0; sample < samples; ++sample) {
    float* trajectory = data + static_cast<std::size_t>(sample) * sample_size;
    const auto s = static_cast<std::size_t>(sample);
    const float coefficient = inputs.alphas[s] * split.dts[s];

    // Frame 0: the uniform initial value (1.0·u in the reference), then the boundaries.
    std::fill_n(trajectory, frame_size, 1.0f * inputs.initial_values[s]);
    apply_boundaries({trajectory, frame_size}, geometry, strategy, inputs, sample);

    for (int t = 1; t < time_steps; ++t) {
      const float* previous = trajectory + static_cast<std::size_t>(t - 1) * frame_size;
      float* current = trajectory + static_cast<std::size_t>(t) * frame_size;
      step_interior(previous, current, geometry.ny, geometry.nx, dx2, dy2, coefficient);
      apply_boundaries({current, frame_size}, geometry, strategy, inputs, sample);
    }
  }
  return split;
}

}  // namespace kbeta::data
