// Properties of the explicit solver that hold independently of the reference fixtures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "data/geometry.hpp"
#include "data/heat_solver.hpp"

namespace kbeta {
namespace {

using ::testing::HasSubstr;

data::SplitInputs one_sample(float left, float right, float top, float bottom, float alpha, float initial) {
  data::SplitInputs inputs;
  inputs.left = {left};
  inputs.right = {right};
  inputs.top = {top};
  inputs.bottom = {bottom};
  inputs.alphas = {alpha};
  inputs.initial_values = {initial};
  return inputs;
}

// Position of grid point (i, j) in a row-major ny × nx field.
std::size_t grid_index(int i, int j, int nx) {
  return static_cast<std::size_t>(i) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(j);
}

float at(const data::Split& split, int sample, int t, int i, int j) {
  const auto index =
      ((static_cast<std::size_t>(sample) * static_cast<std::size_t>(split.t) + static_cast<std::size_t>(t)) *
           static_cast<std::size_t>(split.ny) +
       static_cast<std::size_t>(i)) *
          static_cast<std::size_t>(split.nx) +
      static_cast<std::size_t>(j);
  return split.data[index];
}

TEST(Geometry, PointCountsTruncateAsReference) {
  const auto paper = data::make_geometry(1.0, 1.0, 0.04, 0.04);
  EXPECT_EQ(paper.nx, 26);
  EXPECT_EQ(paper.ny, 26);
  EXPECT_EQ(data::make_geometry(1.0, 1.0, 0.08, 0.03).nx, 13);
  EXPECT_EQ(data::make_geometry(1.0, 1.0, 0.08, 0.03).ny, 34);
  EXPECT_EQ(data::make_geometry(1.0, 1.0, 0.05, 0.02).nx, 21);
  EXPECT_EQ(data::make_geometry(1.0, 1.0, 0.05, 0.02).ny, 51);
}

TEST(Geometry, RejectsInvalidValues) {
  EXPECT_THAT(
      [] { data::make_geometry(1.0, 1.0, -0.04, 0.04); },
      ::testing::ThrowsMessage<ConfigError>(HasSubstr("geometry.dx: expected a finite positive number")));
  EXPECT_THAT([] { data::make_geometry(1.0, NAN, 0.04, 0.04); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("geometry.rod_width")));
  EXPECT_THAT([] { data::make_geometry(1.0, 1.0, 0.6, 0.04); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("gives 2 grid points")));
  EXPECT_THAT([] { data::make_geometry(1.0, 1.0, 1e-9, 0.04); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("more than 100000 grid points")));
}

TEST(Geometry, StabilityLimitIsInclusive) {
  EXPECT_NO_THROW(data::check_stability(data::make_geometry(1.0, 0.5, 0.125, 0.0625)));
  EXPECT_THAT([] { data::check_stability(data::make_geometry(1.0, 0.5, 0.125, 0.06)); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("unstable")));
}

TEST(HeatSolver, CornersBelongToTopAndBottomRows) {
  const auto geometry = data::make_geometry(1.0, 0.75, 0.125, 0.125);
  const auto split = data::simulate_split(geometry, 3, data::SegmentStrategy::BaseCase,
                                          one_sample(0.1f, 0.2f, 0.3f, 0.4f, 0.05f, 0.9f));
  const int last_row = geometry.ny - 1;
  const int last_col = geometry.nx - 1;
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(at(split, 0, t, 0, 0), 0.3f);
    EXPECT_EQ(at(split, 0, t, 0, last_col), 0.3f);
    EXPECT_EQ(at(split, 0, t, last_row, 0), 0.4f);
    EXPECT_EQ(at(split, 0, t, last_row, last_col), 0.4f);
    EXPECT_EQ(at(split, 0, t, 1, 0), 0.1f);
    EXPECT_EQ(at(split, 0, t, 1, last_col), 0.2f);
  }
  EXPECT_EQ(at(split, 0, 0, 3, 4), 0.9f);
}

TEST(HeatSolver, TimeStepUsesDxOnly) {
  const auto geometry = data::make_geometry(1.0, 0.5, 0.125, 0.0625);
  const float alpha = 0.03f;
  EXPECT_EQ(data::time_step(geometry, alpha), static_cast<float>(0.125 * 0.125) / (10.0f * alpha));
}

// Steady state of the scheme: the discrete Laplace equation
//   (u[i][j+1] − 2u[i][j] + u[i][j−1])/dx² + (u[i+1][j] − 2u[i][j] + u[i−1][j])/dy² = 0
// with the Dirichlet boundary, solved here by Gauss–Seidel in double.
std::vector<double> discrete_laplace(const data::Split& split, int sample, double dx, double dy) {
  const int ny = split.ny;
  const int nx = split.nx;
  std::vector<double> u(static_cast<std::size_t>(ny) * static_cast<std::size_t>(nx));
  for (int i = 0; i < ny; ++i) {
    for (int j = 0; j < nx; ++j) {
      u[grid_index(i, j, nx)] = static_cast<double>(at(split, sample, 0, i, j));
    }
  }
  const double cx = 1.0 / (dx * dx);
  const double cy = 1.0 / (dy * dy);
  for (int sweep = 0; sweep < 20000; ++sweep) {
    double change = 0.0;
    for (int i = 1; i + 1 < ny; ++i) {
      for (int j = 1; j + 1 < nx; ++j) {
        const std::size_t k = grid_index(i, j, nx);
        const auto w = static_cast<std::size_t>(nx);
        const double next = (cx * (u[k + 1] + u[k - 1]) + cy * (u[k + w] + u[k - w])) / (2.0 * cx + 2.0 * cy);
        change = std::max(change, std::abs(next - u[k]));
        u[k] = next;
      }
    }
    if (change < 1e-15) {
      break;
    }
  }
  return u;
}

TEST(HeatSolver, LongRunReachesDiscreteLaplaceSolution) {
  for (const double dy : {0.125, 0.0625}) {
    const auto geometry = data::make_geometry(1.0, 0.75, 0.125, dy);
    const int frames = 4000;
    const auto split = data::simulate_split(geometry, frames, data::SegmentStrategy::BaseCase,
                                            one_sample(1.0f, 0.25f, 0.6f, 0.05f, 0.07f, 0.3f));
    const auto expected = discrete_laplace(split, 0, geometry.dx, geometry.dy);
    // The slowest mode decays by at least 4% per step on these grids, so 4000 steps leave
    // e^-160 of the start. What remains is float32 rounding at the fixed point: a few ulp of
    // values below 1, amplified by at most 1/0.04, so well under 1e-5 (measured: 5e-7).
    double max_error = 0.0;
    for (int i = 0; i < geometry.ny; ++i) {
      for (int j = 0; j < geometry.nx; ++j) {
        const double got = static_cast<double>(at(split, 0, frames - 1, i, j));
        max_error = std::max(max_error, std::abs(got - expected[grid_index(i, j, geometry.nx)]));
      }
    }
    EXPECT_LT(max_error, 1e-5) << "dy = " << dy;
  }
}

data::SplitInputs many_samples(int n, data::SegmentStrategy strategy, const data::Geometry& geometry) {
  data::SplitInputs inputs;
  for (int s = 0; s < n; ++s) {
    const float x = static_cast<float>(s) / static_cast<float>(n);
    inputs.left.push_back(x);
    inputs.right.push_back(1.0f - x);
    inputs.top.push_back(0.5f * x);
    inputs.bottom.push_back(0.1f * x);
    inputs.alphas.push_back(0.01f + 0.09f * x);
    inputs.initial_values.push_back(0.7f * x);
    if (strategy == data::SegmentStrategy::Challenge2) {
      data::RandomSegments seg;
      seg.hot_side = static_cast<data::Side>(s % 4);
      seg.cold_side = static_cast<data::Side>((s + 1) % 4);
      seg.hot_start = s % (geometry.nx - 4);
      seg.cold_start = s % (geometry.ny - 4);
      inputs.segments.push_back(seg);
    }
  }
  return inputs;
}

TEST(HeatSolver, ResultIndependentOfThreadCount) {
  const auto geometry = data::make_geometry(1.0, 1.0, 0.08, 0.08);
  for (const auto strategy : {data::SegmentStrategy::BaseCase, data::SegmentStrategy::Challenge2}) {
    const auto inputs = many_samples(37, strategy, geometry);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const auto serial = data::simulate_split(geometry, 20, strategy, inputs);
    omp_set_num_threads(3);
    const auto parallel = data::simulate_split(geometry, 20, strategy, inputs);
    omp_set_num_threads(saved);
    EXPECT_TRUE(serial.data == parallel.data) << data::segment_strategy_name(strategy);
    EXPECT_EQ(serial.dts, parallel.dts);
  }
}

TEST(HeatSolver, FramesDoNotDependOnAlpha) {
  const auto geometry = data::make_geometry(1.0, 0.75, 0.125, 0.125);
  const auto slow = data::simulate_split(geometry, 30, data::SegmentStrategy::BaseCase,
                                         one_sample(0.0f, 1.0f, 0.3f, 0.05f, 0.01f, 0.5f));
  const auto fast = data::simulate_split(geometry, 30, data::SegmentStrategy::BaseCase,
                                         one_sample(0.0f, 1.0f, 0.3f, 0.05f, 0.1f, 0.5f));
  // alpha·dt equals dx²/10 up to one float32 rounding (relative 6e-8), so values below 1 differ
  // by at most a few 1e-7 after 30 steps.
  for (std::size_t k = 0; k < slow.data.size(); ++k) {
    ASSERT_NEAR(slow.data[k], fast.data[k], 1e-6) << "at " << k;
  }
  EXPECT_NE(slow.dts[0], fast.dts[0]);
}

TEST(HeatSolver, Challenge1FixesLeftAndRightSegments) {
  const auto geometry = data::make_geometry(1.0, 1.0, 0.08, 0.08);
  const auto split = data::simulate_split(geometry, 4, data::SegmentStrategy::Challenge1,
                                          one_sample(0.4f, 0.6f, 0.2f, 0.1f, 0.05f, 0.5f));
  for (int t = 0; t < 4; ++t) {
    for (int i = 1; i + 1 < geometry.ny; ++i) {
      const bool in_segment = i >= 8 && i < 12;
      EXPECT_EQ(at(split, 0, t, i, 0), in_segment ? 1.0f : 0.4f) << "t " << t << " row " << i;
      EXPECT_EQ(at(split, 0, t, i, geometry.nx - 1), in_segment ? 0.0f : 0.6f) << "t " << t << " row " << i;
    }
  }
}

TEST(HeatSolver, Challenge2PlacesBothSegments) {
  const auto geometry = data::make_geometry(1.0, 1.0, 0.08, 0.08);
  auto inputs = one_sample(0.4f, 0.6f, 0.2f, 0.1f, 0.05f, 0.5f);
  inputs.segments.push_back({data::Side::Top, data::Side::Right, 2, 5});
  const auto split = data::simulate_split(geometry, 6, data::SegmentStrategy::Challenge2, inputs);
  for (int t = 0; t < 6; ++t) {
    for (int j = 0; j < geometry.nx; ++j) {
      const bool hot = j >= 2 && j < 6;
      EXPECT_EQ(at(split, 0, t, 0, j), hot ? 1.0f : 0.2f) << "t " << t << " col " << j;
    }
    for (int i = 1; i + 1 < geometry.ny; ++i) {
      const bool cold = i >= 5 && i < 9;
      EXPECT_EQ(at(split, 0, t, i, geometry.nx - 1), cold ? 0.0f : 0.6f) << "t " << t << " row " << i;
    }
  }
  // The hot segment heats the plate next to it.
  EXPECT_GT(at(split, 0, 5, 1, 3), at(split, 0, 5, 1, 10));
}

TEST(HeatSolver, RejectsInconsistentInputs) {
  const auto geometry = data::make_geometry(1.0, 1.0, 0.08, 0.08);
  auto inputs = one_sample(0.4f, 0.6f, 0.2f, 0.1f, 0.05f, 0.5f);
  inputs.top.push_back(0.0f);
  EXPECT_THAT([&] { data::simulate_split(geometry, 3, data::SegmentStrategy::BaseCase, inputs); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("top has 2 values but alphas has 1")));

  auto negative = one_sample(0.4f, 0.6f, 0.2f, 0.1f, -0.05f, 0.5f);
  EXPECT_THAT([&] { data::simulate_split(geometry, 3, data::SegmentStrategy::BaseCase, negative); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("expected a finite positive number")));

  auto outside = one_sample(0.4f, 0.6f, 0.2f, 0.1f, 0.05f, 0.5f);
  outside.segments.push_back({data::Side::Left, data::Side::Bottom, 10, 0});
  EXPECT_THAT([&] { data::simulate_split(geometry, 3, data::SegmentStrategy::Challenge2, outside); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("does not fit a side of 13 cells")));

  auto missing = one_sample(0.4f, 0.6f, 0.2f, 0.1f, 0.05f, 0.5f);
  EXPECT_THAT([&] { data::simulate_split(geometry, 3, data::SegmentStrategy::Challenge2, missing); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("segments has 0 values")));
}

TEST(SegmentStrategy, ParsesConfigNames) {
  EXPECT_EQ(data::parse_segment_strategy("base_case"), data::SegmentStrategy::BaseCase);
  EXPECT_EQ(data::parse_segment_strategy("challenge_1"), data::SegmentStrategy::Challenge1);
  EXPECT_EQ(data::parse_segment_strategy("challenge_2"), data::SegmentStrategy::Challenge2);
  EXPECT_THAT([] { data::parse_segment_strategy("challenge_3"); },
              ::testing::ThrowsMessage<ConfigError>(HasSubstr("got 'challenge_3'")));
}

}  // namespace
}  // namespace kbeta
