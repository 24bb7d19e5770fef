// The generator against the seed-3 pipeline fixture: the boundary values of each split are
// linspace(lo, hi, N) taken through an independent permutation per side, so they expose the
// key sequence, bits and the permutation convention.
#include <gtest/gtest.h>

#include <vector>

#include "common/fixtures.hpp"
#include "core/rng.hpp"

namespace kbeta {
namespace {

std::vector<float> linspace_f32(float lo, float hi, std::size_t n) {
  std::vector<float> out(n);
  for (std::size_t k = 0; k < n; ++k) {
    const float t = static_cast<float>(k) / static_cast<float>(n - 1);
    const float a = (1.0f - t) * lo;
    const float b = t * hi;
    out[k] = a + b;
  }
  return out;
}

TEST(RngParity, AlphaPermutationMatchesSeed3Pipeline) {
  const auto fixture = testing::load_fixture("data_pipeline_seed3");
  const auto& cfg = fixture.sidecar;
  const auto n = cfg["training_samples"].get<std::size_t>();
  const auto seed = cfg["seed"].get<std::uint64_t>();
  const auto limits = cfg["thermal_diffusivity"]["alpha_limits"];

  rng::Generator gen(seed);
  for (int side = 0; side < 4; ++side) {
    gen.next();  // left, right, top and bottom permutations come first
  }
  const auto order = gen.permutation(n);
  const auto values = linspace_f32(limits[0].get<float>(), limits[1].get<float>(), n);

  const auto train = fixture.tensors.read_f32("train_alphas");
  const auto val = fixture.tensors.read_f32("val_alphas");
  const auto test = fixture.tensors.read_f32("test_alphas");
  std::vector<float> expected;
  expected.insert(expected.end(), train.begin(), train.end());
  expected.insert(expected.end(), val.begin(), val.end());
  expected.insert(expected.end(), test.begin(), test.end());
  ASSERT_EQ(expected.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(values[order[i]], expected[i]) << "at index " << i;
  }
}

TEST(Rng, ThreefryIsDeterministicAndKeyDependent) {
  const auto a = rng::threefry2x32(rng::Key{0, 1}, 0, 1);
  const auto b = rng::threefry2x32(rng::Key{0, 1}, 0, 1);
  const auto c = rng::threefry2x32(rng::Key{0, 2}, 0, 1);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace kbeta
