#include "kernels/elementwise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernel_test_support.hpp"

namespace kbeta::kernels {
namespace {

using testing::kFloatUnitRoundoff;

// Values in ±[0.1, 1]: away from the ReLU kink, so central differences with h = 1e-6 never cross it.
std::vector<double> values_away_from_zero(std::size_t n, std::mt19937& generator) {
  auto values = testing::random_vector<double>(n, generator, 0.1, 1.0);
  std::bernoulli_distribution negative(0.5);
  for (auto& value : values) {
    if (negative(generator)) {
      value = -value;
    }
  }
  return values;
}

TEST(ReluBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(31);
  for (Index n : {1, 7, 64}) {
    auto x = values_away_from_zero(static_cast<std::size_t>(n), generator);
    const auto dy = testing::random_vector<double>(static_cast<std::size_t>(n), generator);
    std::vector<double> y(static_cast<std::size_t>(n));
    const auto loss = [&] {
      relu_forward(y.data(), x.data(), n);
      return testing::weighted_sum(y, dy);
    };
    loss();
    std::vector<double> dx(static_cast<std::size_t>(n), 0.0);
    relu_backward(dx.data(), y.data(), dy.data(), n);
    testing::expect_matches_finite_differences(x, dx, loss, "dx");
  }
}

TEST(ResidualBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(32);
  for (Index n : {1, 9}) {
    auto a = testing::random_vector<double>(static_cast<std::size_t>(n), generator);
    auto b = testing::random_vector<double>(static_cast<std::size_t>(n), generator);
    const auto dy = testing::random_vector<double>(static_cast<std::size_t>(n), generator);
    std::vector<double> y(static_cast<std::size_t>(n));
    const auto loss = [&] {
      residual_forward(y.data(), a.data(), b.data(), n);
      return testing::weighted_sum(y, dy);
    };
    std::vector<double> da(static_cast<std::size_t>(n), 0.0), db(static_cast<std::size_t>(n), 0.0);
    residual_backward(da.data(), db.data(), dy.data(), n);
    testing::expect_matches_finite_differences(a, da, loss, "da");
    testing::expect_matches_finite_differences(b, db, loss, "db");
  }
}

TEST(BroadcastAddBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(33);
  for (const auto& shape : {std::pair<Index, Index>{1, 1}, {7, 3}, {4, 33}}) {
    // Plain variables, not a structured binding, because the lambda below captures them and
    // clang 14 (used by clang-tidy) cannot capture structured bindings.
    const Index rows = shape.first;
    const Index C = shape.second;
    const auto n = static_cast<std::size_t>(rows * C);
    const auto x = testing::random_vector<double>(n, generator);
    auto v = testing::random_vector<double>(static_cast<std::size_t>(C), generator);
    const auto dy = testing::random_vector<double>(n, generator);
    std::vector<double> y(n);
    const auto loss = [&] {
      y = x;
      broadcast_add_forward(y.data(), v.data(), rows, C);
      return testing::weighted_sum(y, dy);
    };
    std::vector<double> dv(static_cast<std::size_t>(C), 0.0);
    broadcast_add_backward(dv.data(), dy.data(), rows, C);
    testing::expect_matches_finite_differences(v, dv, loss, "dv");
  }
}

TEST(ElementwiseFloat, MatchesScalarReference) {
  std::mt19937 generator(34);
  const Index rows = 7, C = 33;
  const auto n = static_cast<std::size_t>(rows * C);
  const auto x = testing::random_vector<float>(n, generator);
  const auto other = testing::random_vector<float>(n, generator);
  const auto dy = testing::random_vector<float>(n, generator);
  const auto v = testing::random_vector<float>(static_cast<std::size_t>(C), generator);

  std::vector<float> relu(n), relu_gradient(n, 0.25f), sum(n), broadcast = x;
  relu_forward(relu.data(), x.data(), static_cast<Index>(n));
  relu_backward(relu_gradient.data(), relu.data(), dy.data(), static_cast<Index>(n));
  residual_forward(sum.data(), x.data(), other.data(), static_cast<Index>(n));
  broadcast_add_forward(broadcast.data(), v.data(), rows, C);
  for (std::size_t k = 0; k < n; ++k) {
    // One correctly rounded operation or none: the float result equals the rounded double result.
    ASSERT_EQ(relu[k], x[k] > 0.0f ? x[k] : 0.0f) << "relu entry " << k;
    ASSERT_EQ(relu_gradient[k], static_cast<float>(0.25 + (x[k] > 0.0f ? static_cast<double>(dy[k]) : 0.0)))
        << "relu gradient entry " << k;
    ASSERT_EQ(sum[k], static_cast<float>(static_cast<double>(x[k]) + static_cast<double>(other[k])))
        << "residual entry " << k;
    ASSERT_EQ(broadcast[k], static_cast<float>(static_cast<double>(x[k]) +
                                               static_cast<double>(v[k % static_cast<std::size_t>(C)])))
        << "broadcast entry " << k;
  }

  std::vector<float> dv(static_cast<std::size_t>(C), 0.0f);
  broadcast_add_backward(dv.data(), dy.data(), rows, C);
  for (Index c = 0; c < C; ++c) {
    double expected = 0.0;
    for (Index r = 0; r < rows; ++r) {
      expected += static_cast<double>(dy[static_cast<std::size_t>(r * C + c)]);
    }
    // Summed in double (error near 7 · 2⁻⁵³, negligible), then rounded once: within u · |sum|.
    ASSERT_NEAR(static_cast<double>(dv[static_cast<std::size_t>(c)]), expected,
                kFloatUnitRoundoff * std::abs(expected))
        << "dv entry " << c;
  }
}

TEST(ElementwiseFloat, IndependentOfThreadCount) {
  std::mt19937 generator(35);
  const Index rows = 301, C = 520;
  const auto dy = testing::random_vector<float>(static_cast<std::size_t>(rows * C), generator);
  std::vector<float> one(static_cast<std::size_t>(C), 0.0f), two(static_cast<std::size_t>(C), 0.0f);
  testing::with_threads(1, [&] { broadcast_add_backward(one.data(), dy.data(), rows, C); });
  testing::with_threads(2, [&] { broadcast_add_backward(two.data(), dy.data(), rows, C); });
  testing::expect_bit_identical(one, two, "dv");
}

}  // namespace
}  // namespace kbeta::kernels
