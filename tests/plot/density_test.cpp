#include "plot/density.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace kbeta::plot {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(GaussianKde, MatchesClosedFormForTwoSamples) {
  const std::vector<double> samples = {0.0, 1.0};
  const DensityCurve curve = gaussian_kde(samples, 3);
  ASSERT_EQ(curve.x.size(), 3u);
  // σ = 1/√2 (sample deviation), h = σ·2^(-1/5); f(x) = Σ φ((x − xᵢ)/h) / (2h).
  const double h = std::sqrt(0.5) * std::pow(2.0, -0.2);
  const auto phi = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); };
  EXPECT_DOUBLE_EQ(curve.x[0], 0.0);
  EXPECT_DOUBLE_EQ(curve.x[1], 0.5);
  EXPECT_DOUBLE_EQ(curve.x[2], 1.0);
  EXPECT_NEAR(curve.density[0], (phi(0.0) + phi(1.0 / h)) / (2.0 * h), 1e-14);
  EXPECT_NEAR(curve.density[1], 2.0 * phi(0.5 / h) / (2.0 * h), 1e-14);
  EXPECT_NEAR(curve.density[2], curve.density[0], 1e-14);
}

TEST(GaussianKde, IntegratesNearOneForWideSample) {
  std::vector<double> samples;
  samples.reserve(2000);
  for (int i = 0; i < 2000; ++i) {
    samples.push_back(std::sin(0.37 * i) + 0.1 * std::cos(1.3 * i));
  }
  const DensityCurve curve = gaussian_kde(samples, 400);
  double integral = 0.0;
  for (std::size_t p = 1; p < curve.x.size(); ++p) {
    integral += 0.5 * (curve.density[p] + curve.density[p - 1]) * (curve.x[p] - curve.x[p - 1]);
  }
  // The curve is cut at the sample range, so the tails beyond it (a few percent with Scott's
  // bandwidth on this bounded sample) are missing from the integral.
  EXPECT_GT(integral, 0.9);
  EXPECT_LE(integral, 1.0);
}

TEST(GaussianKde, EqualSamplesGiveSinglePoint) {
  const std::vector<double> samples = {0.999, 0.999, 0.999, kNaN};
  const DensityCurve curve = gaussian_kde(samples, 50);
  ASSERT_EQ(curve.x.size(), 1u);
  EXPECT_DOUBLE_EQ(curve.x[0], 0.999);
}

TEST(GaussianKde, NoFiniteSamplesGiveEmptyCurve) {
  const std::vector<double> samples = {kNaN, std::numeric_limits<double>::infinity()};
  EXPECT_TRUE(gaussian_kde(samples, 10).x.empty());
}

TEST(Histogram, FollowsNumpyEdges) {
  // Bins of width 0.25 over [0, 1]: the upper edge belongs to the last bin, values outside the
  // range and NaN are dropped.
  const std::vector<double> samples = {0.0, 0.1, 0.25, 0.5, 0.99, 1.0, -0.01, 1.01, kNaN};
  const std::vector<std::size_t> counts = histogram(samples, 4, 0.0, 1.0);
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0], 2u);
  EXPECT_EQ(counts[1], 1u);
  EXPECT_EQ(counts[2], 1u);
  EXPECT_EQ(counts[3], 2u);
}

TEST(Median, OddEvenAndNonFinite) {
  EXPECT_DOUBLE_EQ(median(std::vector<double>{3.0, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{kNaN, 5.0}), 5.0);
  EXPECT_TRUE(std::isnan(median(std::vector<double>{})));
}

}  // namespace
}  // namespace kbeta::plot
