#include "kernels/layernorm.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernel_test_support.hpp"

namespace kbeta::kernels {
namespace {

using testing::kFloatUnitRoundoff;

struct LayerNormSizes {
  Index rows, C;
};

const std::vector<LayerNormSizes> kSizes = {{1, 1}, {1, 5}, {7, 1}, {7, 2}, {3, 37}, {33, 64}};

TEST(LayerNormBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(11);
  for (const auto& size : kSizes) {
    const auto n = static_cast<std::size_t>(size.rows * size.C);
    const auto n_c = static_cast<std::size_t>(size.C);
    const auto n_rows = static_cast<std::size_t>(size.rows);
    auto x = testing::random_vector<double>(n, generator, -2.0, 2.0);
    auto gamma = testing::random_vector<double>(n_c, generator, 0.5, 1.5);
    auto beta = testing::random_vector<double>(n_c, generator);
    const auto dy = testing::random_vector<double>(n, generator);

    std::vector<double> y(n), mean(n_rows), rstd(n_rows);
    const auto loss = [&] {
      layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(), size.rows,
                        size.C);
      return testing::weighted_sum(y, dy);
    };
    loss();
    // Start from non-zero gradients to check that backward adds.
    std::vector<double> dx(n, 1.0), dgamma(n_c, 1.0), dbeta(n_c, 1.0);
    layernorm_backward(dx.data(), dgamma.data(), dbeta.data(), mean.data(), rstd.data(), dy.data(), x.data(),
                       gamma.data(), size.rows, size.C);
    for (auto* gradient : {&dx, &dgamma, &dbeta}) {
      for (auto& value : *gradient) {
        value -= 1.0;
      }
    }
    testing::expect_matches_finite_differences(x, dx, loss, "dx");
    testing::expect_matches_finite_differences(gamma, dgamma, loss, "dgamma");
    testing::expect_matches_finite_differences(beta, dbeta, loss, "dbeta");
  }
}

TEST(LayerNormForward, SavesMeanAndRstd) {
  const std::vector<double> x = {1.0, 2.0, 3.0, 6.0};
  const std::vector<double> gamma(4, 1.0), beta(4, 0.0);
  std::vector<double> y(4), mean(1), rstd(1);
  layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(), 1, 4);
  // mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5
  EXPECT_DOUBLE_EQ(mean[0], 3.0);
  EXPECT_DOUBLE_EQ(rstd[0], 1.0 / std::sqrt(3.5 + 1e-5));
  EXPECT_DOUBLE_EQ(y[3], 3.0 / std::sqrt(3.5 + 1e-5));
}

TEST(LayerNormFloat, MatchesScalarReference) {
  std::mt19937 generator(12);
  for (const auto& size : kSizes) {
    const auto n = static_cast<std::size_t>(size.rows * size.C);
    const auto n_c = static_cast<std::size_t>(size.C);
    const auto n_rows = static_cast<std::size_t>(size.rows);
    const auto x = testing::random_vector<float>(n, generator, -2.0, 3.0);
    const auto gamma = testing::random_vector<float>(n_c, generator, 0.5, 1.5);
    const auto beta = testing::random_vector<float>(n_c, generator);
    const auto dy = testing::random_vector<float>(n, generator);

    std::vector<float> y(n), mean(n_rows), rstd(n_rows);
    layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), gamma.data(), beta.data(), size.rows,
                      size.C);
    std::vector<float> dx(n, 0.0f), dgamma(n_c, 0.0f), dbeta(n_c, 0.0f);
    layernorm_backward(dx.data(), dgamma.data(), dbeta.data(), mean.data(), rstd.data(), dy.data(), x.data(),
                       gamma.data(), size.rows, size.C);

    std::vector<double> expected_y(n), tolerance_y(n), expected_dx(n), tolerance_dx(n);
    std::vector<double> expected_dgamma(n_c, 0.0), tolerance_dgamma(n_c, 0.0), expected_dbeta(n_c, 0.0),
        tolerance_dbeta(n_c, 0.0);
    for (Index r = 0; r < size.rows; ++r) {
      const auto at = [&](Index c) { return static_cast<std::size_t>(r * size.C + c); };
      double sum = 0.0;
      for (Index c = 0; c < size.C; ++c) {
        sum += static_cast<double>(x[at(c)]);
      }
      const double m = sum / static_cast<double>(size.C);
      double square_sum = 0.0;
      for (Index c = 0; c < size.C; ++c) {
        square_sum += (static_cast<double>(x[at(c)]) - m) * (static_cast<double>(x[at(c)]) - m);
      }
      const double s = 1.0 / std::sqrt(square_sum / static_cast<double>(size.C) + 1e-5);
      double g_sum = 0.0, gx_sum = 0.0;
      for (Index c = 0; c < size.C; ++c) {
        const auto cc = static_cast<std::size_t>(c);
        const double normalized = (static_cast<double>(x[at(c)]) - m) * s;
        const double g = static_cast<double>(dy[at(c)]) * static_cast<double>(gamma[cc]);
        expected_y[at(c)] = normalized * static_cast<double>(gamma[cc]) + static_cast<double>(beta[cc]);
        // The float path rounds m and s once each (u relative), then x − m, · s, · γ and + β once
        // each: at most about 4u · (|x| + |m|) · s · |γ| + u · |y|; 8u of that scale is the bound.
        const double scale_x = (std::abs(static_cast<double>(x[at(c)])) + std::abs(m)) * s;
        tolerance_y[at(c)] =
            8.0 * kFloatUnitRoundoff *
            (scale_x * std::abs(static_cast<double>(gamma[cc])) + std::abs(static_cast<double>(beta[cc])));
        g_sum += g;
        gx_sum += g * normalized;
        expected_dgamma[cc] += static_cast<double>(dy[at(c)]) * normalized;
        tolerance_dgamma[cc] += 8.0 * kFloatUnitRoundoff * std::abs(static_cast<double>(dy[at(c)])) * scale_x;
        expected_dbeta[cc] += static_cast<double>(dy[at(c)]);
      }
      const double mean_g = g_sum / static_cast<double>(size.C);
      const double mean_gx = gx_sum / static_cast<double>(size.C);
      for (Index c = 0; c < size.C; ++c) {
        const auto cc = static_cast<std::size_t>(c);
        const double normalized = (static_cast<double>(x[at(c)]) - m) * s;
        const double g = static_cast<double>(dy[at(c)]) * static_cast<double>(gamma[cc]);
        expected_dx[at(c)] = s * (g - mean_g - normalized * mean_gx);
        // Each of g, x̂ (3 roundings of scale (|x| + |m|) s), the two row means (sums of C rounded
        // float terms, so C·u of Σ|terms| / C) and the 4 final operations err by a few u of the
        // scale s · (|g| + |mean_g| + (|x| + |m|) s · |mean_gx|); 16u of it is the bound.
        const double scale_x = (std::abs(static_cast<double>(x[at(c)])) + std::abs(m)) * s;
        tolerance_dx[at(c)] = 16.0 * kFloatUnitRoundoff * s *
                              (std::abs(g) + std::abs(mean_g) + scale_x * std::abs(mean_gx) +
                               std::abs(gx_sum) + std::abs(g_sum));
      }
    }
    for (std::size_t c = 0; c < n_c; ++c) {
      // dγ and dβ are summed in double and rounded once to float.
      tolerance_dgamma[c] += kFloatUnitRoundoff * std::abs(expected_dgamma[c]);
      tolerance_dbeta[c] = kFloatUnitRoundoff * std::abs(expected_dbeta[c]) + 1e-12;
    }
    testing::expect_within(y, expected_y, tolerance_y, "y");
    testing::expect_within(dx, expected_dx, tolerance_dx, "dx");
    testing::expect_within(dgamma, expected_dgamma, tolerance_dgamma, "dgamma");
    testing::expect_within(dbeta, expected_dbeta, tolerance_dbeta, "dbeta");
  }
}

TEST(LayerNormFloat, IndependentOfThreadCount) {
  std::mt19937 generator(13);
  const Index rows = 301, C = 520;  // three column blocks of the γ and β sums
  const auto n = static_cast<std::size_t>(rows * C);
  const auto x = testing::random_vector<float>(n, generator);
  const auto gamma = testing::random_vector<float>(static_cast<std::size_t>(C), generator);
  const auto beta = testing::random_vector<float>(static_cast<std::size_t>(C), generator);
  const auto dy = testing::random_vector<float>(n, generator);
  struct Result {
    std::vector<float> y, mean, rstd, dx, dgamma, dbeta;
  };
  const auto run = [&](int threads) {
    Result r{std::vector<float>(n),
             std::vector<float>(static_cast<std::size_t>(rows)),
             std::vector<float>(static_cast<std::size_t>(rows)),
             std::vector<float>(n, 0.0f),
             std::vector<float>(static_cast<std::size_t>(C), 0.0f),
             std::vector<float>(static_cast<std::size_t>(C), 0.0f)};
    testing::with_threads(threads, [&] {
      layernorm_forward(r.y.data(), r.mean.data(), r.rstd.data(), x.data(), gamma.data(), beta.data(), rows,
                        C);
      layernorm_backward(r.dx.data(), r.dgamma.data(), r.dbeta.data(), r.mean.data(), r.rstd.data(),
                         dy.data(), x.data(), gamma.data(), rows, C);
    });
    return r;
  };
  const Result one = run(1);
  const Result two = run(2);
  testing::expect_bit_identical(one.y, two.y, "y");
  testing::expect_bit_identical(one.dx, two.dx, "dx");
  testing::expect_bit_identical(one.dgamma, two.dgamma, "dgamma");
  testing::expect_bit_identical(one.dbeta, two.dbeta, "dbeta");
}

}  // namespace
}  // namespace kbeta::kernels
