// Helpers shared by the kernel tests: random tensors, central finite differences in double,
// comparisons that print the first mismatching index, and thread-count control.
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace kbeta::kernels::testing {

// Unit roundoff of float (2⁻²⁴): every float operation errs by at most u relative.
inline constexpr double kFloatUnitRoundoff = 5.9604644775390625e-8;

// Step of the central differences in double. The truncation error is h²/6 · |f'''| ≈ 2e-13 for the
// O(1) test functions, and the roundoff error is about 2⁻⁵³ · Σ|terms| / h ≈ 1e-10 · Σ|terms|
// with Σ|terms| ≤ 1e3 here; both sit far below the tolerance kGradientTolerance.
inline constexpr double kFiniteDifferenceStep = 1e-6;

// Per-entry tolerance of a finite-difference check, relative to max(1, |analytic|): about 100×
// the error budget above, and far below the O(1e-2) errors of a wrong term or index.
inline constexpr double kGradientTolerance = 1e-6;

template <typename Real>
std::vector<Real> random_vector(std::size_t n, std::mt19937& generator, double lo = -1.0, double hi = 1.0) {
  std::uniform_real_distribution<double> distribution(lo, hi);
  std::vector<Real> values(n);
  for (auto& value : values) {
    value = static_cast<Real>(distribution(generator));
  }
  return values;
}

// Σ weights · outputs: the scalar whose gradient the backward pass computes when it is given
// dy = weights.
inline double weighted_sum(const std::vector<double>& outputs, const std::vector<double>& weights) {
  double sum = 0.0;
  for (std::size_t n = 0; n < outputs.size(); ++n) {
    sum += outputs[n] * weights[n];
  }
  return sum;
}

// Compares analytic[k] with the central difference (f(x + h) − f(x − h)) / 2h of `loss` for every
// entry k of `input` (restored afterwards); entries with skip(k) true are left out.
inline void expect_matches_finite_differences(
    std::vector<double>& input, const std::vector<double>& analytic, const std::function<double()>& loss,
    const std::string& name,
    const std::function<bool(std::size_t)>& skip = [](std::size_t) { return false; }) {
  ASSERT_EQ(input.size(), analytic.size()) << name;
  // One thread: the many small evaluations would otherwise spend most of their time waking the
  // OpenMP team on this shared machine.
  const int previous_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  for (std::size_t k = 0; k < input.size(); ++k) {
    if (skip(k)) {
      continue;
    }
    const double saved = input[k];
    input[k] = saved + kFiniteDifferenceStep;
    const double plus = loss();
    input[k] = saved - kFiniteDifferenceStep;
    const double minus = loss();
    input[k] = saved;
    const double numeric = (plus - minus) / (2.0 * kFiniteDifferenceStep);
    const double tolerance = kGradientTolerance * std::max(1.0, std::abs(analytic[k]));
    EXPECT_NEAR(analytic[k], numeric, tolerance) << name << " entry " << k;
    if (std::abs(analytic[k] - numeric) > tolerance) {
      break;
    }
  }
  omp_set_num_threads(previous_threads);
}

// Expects |actual[k] − expected[k]| ≤ tolerance[k] for every k and reports the first failure.
template <typename Real>
void expect_within(const std::vector<Real>& actual, const std::vector<double>& expected,
                   const std::vector<double>& tolerance, const std::string& name) {
  ASSERT_EQ(actual.size(), expected.size()) << name;
  for (std::size_t k = 0; k < actual.size(); ++k) {
    ASSERT_NEAR(static_cast<double>(actual[k]), expected[k], tolerance[k]) << name << " entry " << k;
  }
}

template <typename Real>
void expect_bit_identical(const std::vector<Real>& a, const std::vector<Real>& b, const std::string& name) {
  // Compares the bit patterns, so +0 and -0 differ and a NaN equals the same NaN.
  using Bits = std::conditional_t<sizeof(Real) == sizeof(std::uint32_t), std::uint32_t, std::uint64_t>;
  static_assert(sizeof(Bits) == sizeof(Real));
  ASSERT_EQ(a.size(), b.size()) << name;
  for (std::size_t k = 0; k < a.size(); ++k) {
    ASSERT_EQ(std::bit_cast<Bits>(a[k]), std::bit_cast<Bits>(b[k]))
        << name << " entry " << k << ": " << a[k] << " versus " << b[k];
  }
}

// Runs body with `threads` OpenMP threads and restores the previous count.
inline void with_threads(int threads, const std::function<void()>& body) {
  const int previous = omp_get_max_threads();
  omp_set_num_threads(threads);
  body();
  omp_set_num_threads(previous);
}

template <typename To, typename From>
std::vector<To> convert(const std::vector<From>& values) {
  std::vector<To> out(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    out[k] = static_cast<To>(values[k]);
  }
  return out;
}

}  // namespace kbeta::kernels::testing
