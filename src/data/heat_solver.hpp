// The explicit finite-difference solver of the 2-D heat equation, as the reference runs it:
// forward Euler in time, central differences in space, Dirichlet boundaries re-applied after
// every step, all arithmetic in float32 in the reference's order.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/geometry.hpp"

namespace kbeta::data {

// The rule for boundary segments fixed on top of the four boundary values.
//   BaseCase:   none.
//   Challenge1: rows 8–11 of the left column are 1 and rows 8–11 of the right column are 0.
//   Challenge2: per sample, a length-4 segment of value 1 on one random side and a length-4
//               segment of value 0 on another.
enum class SegmentStrategy { BaseCase, Challenge1, Challenge2 };

// Parses the configuration names `base_case`, `challenge_1`, `challenge_2`; throws ConfigError
// naming `boundary_segment_strategy` otherwise.
SegmentStrategy parse_segment_strategy(std::string_view name);
std::string_view segment_strategy_name(SegmentStrategy strategy);

// A side of the plate, numbered as the reference numbers them for challenge_2.
enum class Side : std::uint8_t { Top = 0, Bottom = 1, Left = 2, Right = 3 };

// One sample's random challenge_2 segments: value 1 on `hot_side` over 4 cells from `hot_start`,
// then value 0 on `cold_side` over 4 cells from `cold_start` (the cold one wins where they meet).
// A start counts columns on the top and bottom rows and rows on the left and right columns.
struct RandomSegments {
  Side hot_side = Side::Top;
  Side cold_side = Side::Bottom;
  int hot_start = 0;
  int cold_start = 0;
};

// Everything one split's simulation needs, one entry per sample.
struct SplitInputs {
  std::vector<float> left, right, top, bottom;  // boundary values
  std::vector<float> alphas;                    // thermal diffusivities, > 0
  std::vector<float> initial_values;            // the uniform interior value of frame 0
  std::vector<RandomSegments> segments;         // challenge_2 only, else empty

  int samples() const { return static_cast<int>(alphas.size()); }
};

// One split of trajectories: data (N, T, NY, NX), alphas (N), dts (N), float32.
struct Split {
  int n = 0;
  int t = 0;
  int ny = 0;
  int nx = 0;
  std::vector<float> data;    // (N, T, NY, NX)
  std::vector<float> alphas;  // (N)
  std::vector<float> dts;     // (N)

  std::size_t sample_size() const {
    return static_cast<std::size_t>(t) * static_cast<std::size_t>(ny) * static_cast<std::size_t>(nx);
  }
};

// dt = float32(dx²) / (10·α) in float32, as the reference computes it (dy is not used).
float time_step(const Geometry& geometry, float alpha);

// Simulates every sample of a split for `time_steps` frames (frame 0 is the initial state).
// Samples run in parallel with OpenMP; each sample's arithmetic is sequential and fixed, so the
// result does not depend on the thread count. Frame t is computed from frame t−1 inside the
// output array, so nothing but the output is allocated. Throws ConfigError for inconsistent
// input sizes, non-positive α or segments that do not fit the grid.
Split simulate_split(const Geometry& geometry, int time_steps, SegmentStrategy strategy,
                     const SplitInputs& inputs);

// Writes the boundary of one frame (NY, NX) of one sample: right column, left column, bottom row,
// top row (so row 0 owns its corners as top, row NY−1 as bottom), then the strategy's segments.
void apply_boundaries(std::span<float> frame, const Geometry& geometry, SegmentStrategy strategy,
                      const SplitInputs& inputs, int sample);

}  // namespace kbeta::data
