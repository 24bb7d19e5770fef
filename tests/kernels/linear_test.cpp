#include "kernels/linear.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernel_test_support.hpp"

namespace kbeta::kernels {
namespace {

using testing::kFloatUnitRoundoff;

struct LinearSizes {
  Index rows, in, out;
};

// Awkward sizes: 1, odd, non-square, and one large enough for OpenBLAS to split the work.
const std::vector<LinearSizes> kSizes = {{1, 1, 1}, {1, 5, 3},    {7, 1, 4},
                                         {7, 5, 3}, {33, 17, 12}, {13, 40, 9}};

// Plain scalar y = x·Wᵀ + b in double, with Σ|terms| per entry for the error bound.
void reference_linear(std::vector<double>& y, std::vector<double>& magnitude, const std::vector<float>& x,
                      const std::vector<float>& weight, const std::vector<float>* bias, Index rows, Index in,
                      Index out) {
  for (Index r = 0; r < rows; ++r) {
    for (Index o = 0; o < out; ++o) {
      double sum = bias != nullptr ? static_cast<double>((*bias)[static_cast<std::size_t>(o)]) : 0.0;
      double absolute = std::abs(sum);
      for (Index c = 0; c < in; ++c) {
        const double term = static_cast<double>(x[static_cast<std::size_t>(r * in + c)]) *
                            static_cast<double>(weight[static_cast<std::size_t>(o * in + c)]);
        sum += term;
        absolute += std::abs(term);
      }
      y[static_cast<std::size_t>(r * out + o)] = sum;
      magnitude[static_cast<std::size_t>(r * out + o)] = absolute;
    }
  }
}

TEST(LinearBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(1);
  for (const auto& size : kSizes) {
    for (bool with_bias : {true, false}) {
      const auto n_x = static_cast<std::size_t>(size.rows * size.in);
      const auto n_w = static_cast<std::size_t>(size.out * size.in);
      const auto n_y = static_cast<std::size_t>(size.rows * size.out);
      auto x = testing::random_vector<double>(n_x, generator);
      auto weight = testing::random_vector<double>(n_w, generator);
      auto bias = testing::random_vector<double>(static_cast<std::size_t>(size.out), generator);
      const auto dy = testing::random_vector<double>(n_y, generator);

      std::vector<double> y(n_y);
      const auto loss = [&] {
        linear_forward(y.data(), x.data(), weight.data(), with_bias ? bias.data() : nullptr, size.rows,
                       size.in, size.out);
        return testing::weighted_sum(y, dy);
      };
      // Start from non-zero gradients to check that backward adds.
      std::vector<double> dx(n_x, 0.5), dweight(n_w, -0.25), dbias(static_cast<std::size_t>(size.out), 2.0);
      linear_backward(dx.data(), dweight.data(), with_bias ? dbias.data() : nullptr, dy.data(), x.data(),
                      weight.data(), size.rows, size.in, size.out);
      for (auto& value : dx)
        value -= 0.5;
      for (auto& value : dweight)
        value += 0.25;
      for (auto& value : dbias)
        value -= 2.0;

      testing::expect_matches_finite_differences(x, dx, loss, "dx");
      testing::expect_matches_finite_differences(weight, dweight, loss, "dweight");
      if (with_bias) {
        testing::expect_matches_finite_differences(bias, dbias, loss, "dbias");
      } else {
        for (double value : dbias) {
          ASSERT_EQ(value, 0.0) << "dbias must stay untouched without a bias";
        }
      }
    }
  }
}

TEST(LinearBackward, SkipsInputGradientWhenNull) {
  std::mt19937 generator(2);
  const Index rows = 5, in = 3, out = 4;
  const auto x = testing::random_vector<double>(15, generator);
  const auto weight = testing::random_vector<double>(12, generator);
  const auto dy = testing::random_vector<double>(20, generator);
  std::vector<double> dweight(12, 0.0), dbias(4, 0.0), expected_dweight(12, 0.0), expected_dbias(4, 0.0),
      dx(15, 0.0);
  linear_backward(dx.data(), expected_dweight.data(), expected_dbias.data(), dy.data(), x.data(),
                  weight.data(), rows, in, out);
  linear_backward<double>(nullptr, dweight.data(), dbias.data(), dy.data(), x.data(), weight.data(), rows, in,
                          out);
  testing::expect_bit_identical(dweight, expected_dweight, "dweight");
  testing::expect_bit_identical(dbias, expected_dbias, "dbias");
}

TEST(LinearFloat, MatchesScalarReference) {
  std::mt19937 generator(3);
  for (const auto& size : kSizes) {
    const auto n_x = static_cast<std::size_t>(size.rows * size.in);
    const auto n_w = static_cast<std::size_t>(size.out * size.in);
    const auto n_y = static_cast<std::size_t>(size.rows * size.out);
    const auto x = testing::random_vector<float>(n_x, generator);
    const auto weight = testing::random_vector<float>(n_w, generator);
    const auto bias = testing::random_vector<float>(static_cast<std::size_t>(size.out), generator);
    const auto dy = testing::random_vector<float>(n_y, generator);

    std::vector<float> y(n_y);
    linear_forward(y.data(), x.data(), weight.data(), bias.data(), size.rows, size.in, size.out);
    std::vector<double> expected(n_y), magnitude(n_y);
    reference_linear(expected, magnitude, x, weight, &bias, size.rows, size.in, size.out);
    // A float sum of K products errs by at most γ_K · Σ|terms| with γ_K ≈ K·u (Higham, "Accuracy
    // and Stability of Numerical Algorithms", §3.1); K = in + 1 products and bias, plus one
    // rounding of the bias add.
    std::vector<double> tolerance(n_y);
    for (std::size_t n = 0; n < n_y; ++n) {
      tolerance[n] = static_cast<double>(size.in + 2) * kFloatUnitRoundoff * magnitude[n];
    }
    testing::expect_within(y, expected, tolerance, "y");

    std::vector<float> dx(n_x, 0.0f), dweight(n_w, 0.0f), dbias(static_cast<std::size_t>(size.out), 0.0f);
    linear_backward(dx.data(), dweight.data(), dbias.data(), dy.data(), x.data(), weight.data(), size.rows,
                    size.in, size.out);

    // dx = dy · W: sums of `out` products.
    std::vector<double> expected_dx(n_x), tolerance_dx(n_x);
    for (Index r = 0; r < size.rows; ++r) {
      for (Index c = 0; c < size.in; ++c) {
        double sum = 0.0, absolute = 0.0;
        for (Index o = 0; o < size.out; ++o) {
          const double term = static_cast<double>(dy[static_cast<std::size_t>(r * size.out + o)]) *
                              static_cast<double>(weight[static_cast<std::size_t>(o * size.in + c)]);
          sum += term;
          absolute += std::abs(term);
        }
        expected_dx[static_cast<std::size_t>(r * size.in + c)] = sum;
        tolerance_dx[static_cast<std::size_t>(r * size.in + c)] =
            static_cast<double>(size.out + 1) * kFloatUnitRoundoff * absolute;
      }
    }
    testing::expect_within(dx, expected_dx, tolerance_dx, "dx");

    // dW = dyᵀ · x: sums of `rows` products; db = Σ_rows dy, summed in double and rounded once.
    std::vector<double> expected_dw(n_w), tolerance_dw(n_w), expected_db(static_cast<std::size_t>(size.out)),
        tolerance_db(static_cast<std::size_t>(size.out));
    for (Index o = 0; o < size.out; ++o) {
      double bias_sum = 0.0;
      for (Index r = 0; r < size.rows; ++r) {
        bias_sum += static_cast<double>(dy[static_cast<std::size_t>(r * size.out + o)]);
      }
      expected_db[static_cast<std::size_t>(o)] = bias_sum;
      tolerance_db[static_cast<std::size_t>(o)] = kFloatUnitRoundoff * std::abs(bias_sum);
      for (Index c = 0; c < size.in; ++c) {
        double sum = 0.0, absolute = 0.0;
        for (Index r = 0; r < size.rows; ++r) {
          const double term = static_cast<double>(dy[static_cast<std::size_t>(r * size.out + o)]) *
                              static_cast<double>(x[static_cast<std::size_t>(r * size.in + c)]);
          sum += term;
          absolute += std::abs(term);
        }
        expected_dw[static_cast<std::size_t>(o * size.in + c)] = sum;
        tolerance_dw[static_cast<std::size_t>(o * size.in + c)] =
            static_cast<double>(size.rows + 1) * kFloatUnitRoundoff * absolute;
      }
    }
    testing::expect_within(dweight, expected_dw, tolerance_dw, "dweight");
    testing::expect_within(dbias, expected_db, tolerance_db, "dbias");
  }
}

TEST(LinearFloat, IndependentOfThreadCount) {
  std::mt19937 generator(4);
  // Large enough that OpenBLAS and the bias sum (two column blocks of 256) split across threads.
  const Index rows = 300, in = 96, out = 520;
  const auto x = testing::random_vector<float>(static_cast<std::size_t>(rows * in), generator);
  const auto weight = testing::random_vector<float>(static_cast<std::size_t>(out * in), generator);
  const auto bias = testing::random_vector<float>(static_cast<std::size_t>(out), generator);
  const auto dy = testing::random_vector<float>(static_cast<std::size_t>(rows * out), generator);

  struct Result {
    std::vector<float> y, dx, dweight, dbias;
  };
  const auto run = [&](int threads) {
    Result result{std::vector<float>(static_cast<std::size_t>(rows * out)),
                  std::vector<float>(static_cast<std::size_t>(rows * in), 0.0f),
                  std::vector<float>(static_cast<std::size_t>(out * in), 0.0f),
                  std::vector<float>(static_cast<std::size_t>(out), 0.0f)};
    testing::with_threads(threads, [&] {
      linear_forward(result.y.data(), x.data(), weight.data(), bias.data(), rows, in, out);
      linear_backward(result.dx.data(), result.dweight.data(), result.dbias.data(), dy.data(), x.data(),
                      weight.data(), rows, in, out);
    });
    return result;
  };
  const Result one = run(1);
  const Result two = run(2);
  testing::expect_bit_identical(one.y, two.y, "y");
  testing::expect_bit_identical(one.dx, two.dx, "dx");
  testing::expect_bit_identical(one.dweight, two.dweight, "dweight");
  testing::expect_bit_identical(one.dbias, two.dbias, "dbias");
}

}  // namespace
}  // namespace kbeta::kernels
