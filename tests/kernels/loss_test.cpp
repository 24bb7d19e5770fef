#include "kernels/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "kernel_test_support.hpp"

namespace kbeta::kernels {
namespace {

using testing::kFloatUnitRoundoff;

struct LossCase {
  Index B, T, NY, NX, n_initial;
  double dx, dy;
};

// Sizes with B = 1, T = 2 (one residual frame), non-square grids, n_initial above T and equal to 1.
const std::vector<LossCase> kCases = {{1, 2, 3, 3, 1, 0.5, 0.5},
                                      {2, 3, 3, 4, 5, 0.5, 0.25},
                                      {1, 5, 4, 3, 2, 0.25, 0.5},
                                      {3, 4, 5, 6, 3, 0.4, 0.3}};

// The loss written out slice by slice as the reference computes it, in double.
HeatLossTerms reference_loss(const std::vector<double>& pred, const std::vector<double>& target,
                             const std::vector<double>& alpha, const std::vector<double>& dt,
                             const LossCase& c) {
  const auto at = [&](const std::vector<double>& x, Index b, Index t, Index i, Index j) {
    return x[static_cast<std::size_t>(((b * c.T + t) * c.NY + i) * c.NX + j)];
  };
  const auto squared_error = [&](Index b, Index t, Index i, Index j) {
    const double e = at(pred, b, t, i, j) - at(target, b, t, i, j);
    return e * e;
  };
  double mse = 0.0, initial = 0.0, left = 0.0, right = 0.0, top = 0.0, bottom = 0.0, physics = 0.0;
  const Index n0 = std::min(c.n_initial, c.T);
  for (Index b = 0; b < c.B; ++b) {
    for (Index t = 0; t < c.T; ++t) {
      for (Index i = 0; i < c.NY; ++i) {
        for (Index j = 0; j < c.NX; ++j) {
          mse += squared_error(b, t, i, j);
          if (t < n0) {
            initial += squared_error(b, t, i, j);
          }
        }
        left += squared_error(b, t, i, 0);
        right += squared_error(b, t, i, c.NX - 1);
      }
      for (Index j = 0; j < c.NX; ++j) {
        top += squared_error(b, t, 0, j);
        bottom += squared_error(b, t, c.NY - 1, j);
      }
    }
    for (Index t = 0; t + 1 < c.T; ++t) {
      for (Index i = 1; i + 1 < c.NY; ++i) {
        for (Index j = 1; j + 1 < c.NX; ++j) {
          const double centre = at(pred, b, t, i, j);
          const double d2x =
              (at(pred, b, t, i, j + 1) - 2.0 * centre + at(pred, b, t, i, j - 1)) / (c.dx * c.dx);
          const double d2y =
              (at(pred, b, t, i + 1, j) - 2.0 * centre + at(pred, b, t, i - 1, j)) / (c.dy * c.dy);
          const double dTdt = (at(pred, b, t + 1, i, j) - centre) / dt[static_cast<std::size_t>(b)];
          const double r = dTdt - alpha[static_cast<std::size_t>(b)] * (d2x + d2y);
          physics += r * r;
        }
      }
    }
  }
  const auto count = [](Index n) { return static_cast<double>(n); };
  HeatLossTerms terms;
  terms.mse = mse / count(c.B * c.T * c.NY * c.NX);
  terms.initial = initial / count(c.B * n0 * c.NY * c.NX);
  terms.boundary = left / count(c.B * c.T * c.NY) + right / count(c.B * c.T * c.NY) +
                   top / count(c.B * c.T * c.NX) + bottom / count(c.B * c.T * c.NX);
  terms.physics = physics / count(c.B * (c.T - 1) * (c.NY - 2) * (c.NX - 2));
  terms.total = terms.mse + 0.1 * terms.boundary + 0.001 * terms.physics + 0.1 * terms.initial;
  return terms;
}

struct LossInputs {
  std::vector<double> pred, target, alpha, dt;
};

LossInputs random_inputs(const LossCase& c, std::mt19937& generator) {
  const auto n = static_cast<std::size_t>(c.B * c.T * c.NY * c.NX);
  return {testing::random_vector<double>(n, generator), testing::random_vector<double>(n, generator),
          testing::random_vector<double>(static_cast<std::size_t>(c.B), generator, 0.1, 1.0),
          testing::random_vector<double>(static_cast<std::size_t>(c.B), generator, 0.1, 0.5)};
}

TEST(HeatLossForward, MatchesSliceBySliceReference) {
  std::mt19937 generator(41);
  for (const auto& c : kCases) {
    const auto inputs = random_inputs(c, generator);
    const auto terms = heat_loss_forward(inputs.pred.data(), inputs.target.data(), inputs.alpha.data(),
                                         inputs.dt.data(), c.dx, c.dy, c.n_initial, c.B, c.T, c.NY, c.NX);
    const auto expected = reference_loss(inputs.pred, inputs.target, inputs.alpha, inputs.dt, c);
    // Both are double sums of at most a few hundred positive terms in different orders: 1e-13
    // relative is about 500 · 2⁻⁵³.
    EXPECT_NEAR(terms.mse, expected.mse, 1e-13 * expected.mse);
    EXPECT_NEAR(terms.boundary, expected.boundary, 1e-13 * expected.boundary);
    EXPECT_NEAR(terms.physics, expected.physics, 1e-13 * expected.physics);
    EXPECT_NEAR(terms.initial, expected.initial, 1e-13 * expected.initial);
    EXPECT_NEAR(terms.total, expected.total, 1e-13 * expected.total);
  }
}

TEST(HeatLossBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(42);
  for (const auto& c : kCases) {
    SCOPED_TRACE("B=" + std::to_string(c.B) + " T=" + std::to_string(c.T) + " NY=" + std::to_string(c.NY) +
                 " NX=" + std::to_string(c.NX));
    auto inputs = random_inputs(c, generator);
    const auto loss = [&] {
      return heat_loss_forward(inputs.pred.data(), inputs.target.data(), inputs.alpha.data(),
                               inputs.dt.data(), c.dx, c.dy, c.n_initial, c.B, c.T, c.NY, c.NX)
          .total;
    };
    // Start from a non-zero gradient and use scale 2 to check that backward adds scale · ∂L/∂pred.
    std::vector<double> dpred(inputs.pred.size(), 0.5);
    heat_loss_backward(dpred.data(), inputs.pred.data(), inputs.target.data(), inputs.alpha.data(),
                       inputs.dt.data(), c.dx, c.dy, c.n_initial, c.B, c.T, c.NY, c.NX, 2.0);
    for (auto& value : dpred) {
      value = (value - 0.5) / 2.0;
    }
    testing::expect_matches_finite_differences(inputs.pred, dpred, loss, "dpred");
  }
}

TEST(HeatLossFloat, MatchesDoubleKernel) {
  std::mt19937 generator(43);
  for (const auto& c : kCases) {
    const auto inputs = random_inputs(c, generator);
    const auto pred = testing::convert<float>(inputs.pred), target = testing::convert<float>(inputs.target),
               alpha = testing::convert<float>(inputs.alpha), dt = testing::convert<float>(inputs.dt);
    const auto terms = heat_loss_forward(pred.data(), target.data(), alpha.data(), dt.data(), c.dx, c.dy,
                                         c.n_initial, c.B, c.T, c.NY, c.NX);
    const auto pred_d = testing::convert<double>(pred), target_d = testing::convert<double>(target),
               alpha_d = testing::convert<double>(alpha), dt_d = testing::convert<double>(dt);
    const auto expected = reference_loss(pred_d, target_d, alpha_d, dt_d, c);
    // The float kernel converts its inputs to double and computes in double: only the summation
    // order differs from the reference.
    EXPECT_NEAR(terms.total, expected.total, 1e-13 * expected.total);
    EXPECT_NEAR(terms.physics, expected.physics, 1e-13 * expected.physics);

    std::vector<float> dpred(pred.size(), 0.0f);
    std::vector<double> dpred_d(pred.size(), 0.0);
    heat_loss_backward(dpred.data(), pred.data(), target.data(), alpha.data(), dt.data(), c.dx, c.dy,
                       c.n_initial, c.B, c.T, c.NY, c.NX);
    heat_loss_backward(dpred_d.data(), pred_d.data(), target_d.data(), alpha_d.data(), dt_d.data(), c.dx,
                       c.dy, c.n_initial, c.B, c.T, c.NY, c.NX);
    // Each float entry is the double gradient rounded once.
    std::vector<double> tolerance(dpred_d.size());
    for (std::size_t n = 0; n < tolerance.size(); ++n) {
      tolerance[n] = kFloatUnitRoundoff * std::abs(dpred_d[n]);
    }
    testing::expect_within(dpred, dpred_d, tolerance, "dpred");
  }
}

TEST(HeatLossFloat, IndependentOfThreadCount) {
  std::mt19937 generator(44);
  const LossCase c{4, 41, 26, 26, 5, 0.04, 0.04};
  const auto inputs = random_inputs(c, generator);
  const auto pred = testing::convert<float>(inputs.pred), target = testing::convert<float>(inputs.target),
             alpha = testing::convert<float>(inputs.alpha), dt = testing::convert<float>(inputs.dt);
  std::vector<float> one(pred.size(), 0.0f), two(pred.size(), 0.0f);
  double total_one = 0.0, total_two = 0.0;
  const auto run = [&](std::vector<float>& dpred, double& total) {
    total = heat_loss_forward(pred.data(), target.data(), alpha.data(), dt.data(), c.dx, c.dy, c.n_initial,
                              c.B, c.T, c.NY, c.NX)
                .total;
    heat_loss_backward(dpred.data(), pred.data(), target.data(), alpha.data(), dt.data(), c.dx, c.dy,
                       c.n_initial, c.B, c.T, c.NY, c.NX);
  };
  testing::with_threads(1, [&] { run(one, total_one); });
  testing::with_threads(2, [&] { run(two, total_two); });
  EXPECT_EQ(total_one, total_two);
  testing::expect_bit_identical(one, two, "dpred");
}

}  // namespace
}  // namespace kbeta::kernels
