// The loss kernel on the reference's own model output: the fixture holds the output of a tiny
// model, its input (which is also the target) and the loss terms the reference computed from them.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/fixtures.hpp"
#include "kernels/loss.hpp"

namespace kbeta::kernels {
namespace {

void expect_loss_terms_match(const std::string& fixture_name) {
  const auto fixture = kbeta::testing::load_fixture(fixture_name);
  const auto& sidecar = fixture.sidecar;
  const auto pred = fixture.tensors.read_f32("forward.output");
  const auto target = fixture.tensors.read_f32("input.src");
  const auto alpha = fixture.tensors.read_f32("input.alpha");
  const auto dt = fixture.tensors.read_f32("input.dt");
  const auto& shape = fixture.tensors.info("forward.output").shape;
  ASSERT_EQ(shape.size(), 4u);

  const auto terms =
      heat_loss_forward(pred.data(), target.data(), alpha.data(), dt.data(), sidecar["dx"].get<double>(),
                        sidecar["dy"].get<double>(), sidecar["n_initial_frames"].get<Index>(), shape[0],
                        shape[1], shape[2], shape[3]);
  const auto& expected = sidecar["loss_terms"];
  // The reference sums in float32; the fixture README states 1e-5 relative for loss terms.
  const auto expect_close = [](double actual, double reference, const char* name) {
    EXPECT_NEAR(actual, reference, 1e-5 * std::abs(reference)) << name;
  };
  expect_close(terms.mse, expected["mse"].get<double>(), "mse");
  expect_close(terms.physics, expected["physics"].get<double>(), "physics");
  expect_close(terms.boundary, expected["boundary"].get<double>(), "boundary");
  expect_close(terms.initial, expected["initial"].get<double>(), "initial");
  expect_close(terms.total, expected["total"].get<double>(), "total");
}

TEST(HeatLossParity, MatchesBlockModelFixture) {
  expect_loss_terms_match("model_block");
}

TEST(HeatLossParity, MatchesCausalModelFixture) {
  expect_loss_terms_match("model_causal");
}

}  // namespace
}  // namespace kbeta::kernels
