#include "plot/density.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.hpp"

namespace kbeta::plot {

namespace {

std::vector<double> finite_values(std::span<const double> samples) {
  std::vector<double> values;
  values.reserve(samples.size());
  for (const double value : samples) {
    if (std::isfinite(value)) {
      values.push_back(value);
    }
  }
  return values;
}

}  // namespace

DensityCurve gaussian_kde(std::span<const double> samples, std::size_t points) {
  KBETA_CHECK(points >= 2);
  const std::vector<double> values = finite_values(samples);
  DensityCurve curve;
  if (values.empty()) {
    return curve;
  }

  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  const double low = *min_it;
  const double high = *max_it;
  const double n = static_cast<double>(values.size());
  double mean = 0.0;
  for (const double value : values) {
    mean += value;
  }
  mean /= n;
  double squares = 0.0;
  for (const double value : values) {
    squares += (value - mean) * (value - mean);
  }
  const double sigma = values.size() > 1 ? std::sqrt(squares / (n - 1.0)) : 0.0;
  const double bandwidth = sigma * std::pow(n, -0.2);
  if (!(bandwidth > 0.0) || !(high > low)) {
    curve.x.push_back(low);
    curve.density.push_back(0.0);
    return curve;
  }

  // Scalar math: f(x) = 1/(n·h·√(2π)) · Σ_i exp(−((x − x_i)/h)² / 2)
  const double scale = 1.0 / (n * bandwidth * std::sqrt(2.0 * std::numbers::pi));
  curve.x.resize(points);
  curve.density.resize(points);
  for (std::size_t p = 0; p < points; ++p) {
    const double x = low + (high - low) * static_cast<double>(p) / static_cast<double>(points - 1);
    double sum = 0.0;
    for (const double value : values) {
      const double z = (x - value) / bandwidth;
      sum += std::exp(-0.5 * z * z);
    }
    curve.x[p] = x;
    curve.density[p] = sum * scale;
  }
  return curve;
}

std::vector<std::size_t> histogram(std::span<const double> samples, std::size_t bins, double low,
                                   double high) {
  KBETA_CHECK(bins >= 1);
  KBETA_CHECK(high > low);
  std::vector<std::size_t> counts(bins, 0);
  const double width = (high - low) / static_cast<double>(bins);
  for (const double value : samples) {
    if (!std::isfinite(value) || value < low || value > high) {
      continue;
    }
    auto bin = static_cast<std::size_t>((value - low) / width);
    bin = std::min(bin, bins - 1);
    ++counts[bin];
  }
  return counts;
}

double median(std::span<const double> samples) {
  std::vector<double> values = finite_values(samples);
  if (values.empty()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) {
    return upper;
  }
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return 0.5 * (lower + upper);
}

}  // namespace kbeta::plot
