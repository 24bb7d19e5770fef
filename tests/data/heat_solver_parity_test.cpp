// The solver and the whole data pipeline against trajectories written by the Python reference.
// Sizes, seeds and settings come from each fixture's JSON sidecar.
//
// Tolerance: none. The solver repeats the reference's float32 operations in the same order
// (dt = float32(dx²)/(10α), ((E − 2C) + W)/float32(dx²), C + (α·dt)·(d2x + d2y)) and the build
// disables FMA contraction, so every frame must match bit for bit; an exact float compare is
// the check.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/fixtures.hpp"
#include "core/rng.hpp"
#include "data/datasets.hpp"
#include "data/heat_solver.hpp"

namespace kbeta {
namespace {

// Asserts element-wise equality and reports the first mismatch and the count of mismatches.
void expect_identical(const std::vector<float>& actual, const std::vector<float>& expected,
                      const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  std::size_t mismatches = 0;
  std::size_t first = 0;
  for (std::size_t k = 0; k < actual.size(); ++k) {
    if (actual[k] != expected[k]) {
      if (mismatches == 0) {
        first = k;
      }
      ++mismatches;
    }
  }
  EXPECT_EQ(mismatches, 0u) << what << ": first mismatch at flat index " << first << ": got " << actual[first]
                            << ", expected " << expected[first];
}

void resimulate_fixture(const std::string& name) {
  const auto fixture = testing::load_fixture(name);
  const auto& cfg = fixture.sidecar;
  const data::Geometry geometry =
      data::make_geometry(cfg["rod_length"].get<double>(), cfg["rod_width"].get<double>(),
                          cfg["dx"].get<double>(), cfg["dy"].get<double>());
  ASSERT_EQ(geometry.nx, cfg["nx"].get<int>());
  ASSERT_EQ(geometry.ny, cfg["ny"].get<int>());
  const auto strategy = data::parse_segment_strategy(cfg["boundary_segment_strategy"].get<std::string>());
  const int time_steps = cfg["time_steps"].get<int>();

  data::SplitInputs inputs;
  inputs.left = fixture.tensors.read_f32("left");
  inputs.right = fixture.tensors.read_f32("right");
  inputs.top = fixture.tensors.read_f32("top");
  inputs.bottom = fixture.tensors.read_f32("bottom");
  inputs.alphas = fixture.tensors.read_f32("alphas");
  inputs.initial_values = fixture.tensors.read_f32("initial_value");
  ASSERT_EQ(inputs.samples(), cfg["samples"].get<int>());

  const data::Split split = data::simulate_split(geometry, time_steps, strategy, inputs);
  EXPECT_EQ(split.n, cfg["samples"].get<int>());
  EXPECT_EQ(split.t, time_steps);
  expect_identical(split.dts, fixture.tensors.read_f32("dts"), name + " dts");
  expect_identical(split.data, fixture.tensors.read_f32("solutions"), name + " solutions");
}

TEST(HeatSolverParity, BaseCaseMatchesReference) {
  resimulate_fixture("data_base_case");
}

TEST(HeatSolverParity, AnisotropicGridMatchesReference) {
  resimulate_fixture("data_anisotropic");
}

TEST(HeatSolverParity, Challenge1MatchesReference) {
  resimulate_fixture("data_challenge_1");
}

std::array<double, 2> limits(const nlohmann::json& pair) {
  return {pair[0].get<double>(), pair[1].get<double>()};
}

TEST(DataPipelineParity, Seed3MatchesReference) {
  const auto fixture = testing::load_fixture("data_pipeline_seed3");
  const auto& cfg = fixture.sidecar;
  const auto& geometry = cfg["geometry"];

  data::GeneratorSettings settings;
  settings.geometry =
      data::make_geometry(geometry["rod_length"].get<double>(), geometry["rod_width"].get<double>(),
                          geometry["dx"].get<double>(), geometry["dy"].get<double>());
  ASSERT_EQ(settings.geometry.nx, cfg["nx"].get<int>());
  ASSERT_EQ(settings.geometry.ny, cfg["ny"].get<int>());
  settings.left = limits(cfg["boundary_conditions"]["left_limits"]);
  settings.right = limits(cfg["boundary_conditions"]["right_limits"]);
  settings.top = limits(cfg["boundary_conditions"]["top_limits"]);
  settings.bottom = limits(cfg["boundary_conditions"]["bottom_limits"]);
  settings.alpha = limits(cfg["thermal_diffusivity"]["alpha_limits"]);
  settings.samples = cfg["training_samples"].get<int>();
  settings.time_steps = cfg["model_params"]["time_steps"].get<int>();
  settings.strategy = data::parse_segment_strategy(cfg["boundary_segment_strategy"].get<std::string>());

  rng::Generator gen(cfg["seed"].get<std::uint64_t>());
  const data::Datasets datasets = data::generate_datasets(settings, gen);

  const std::array<std::pair<const char*, const data::Split*>, 3> splits{
      {{"train", &datasets.train}, {"val", &datasets.val}, {"test", &datasets.test}}};
  for (const auto& [name, split] : splits) {
    const std::string prefix = name;
    const auto& shape = fixture.tensors.info(prefix + "_data").shape;
    ASSERT_EQ(shape.size(), 4u);
    EXPECT_EQ(split->n, shape[0]) << prefix;
    EXPECT_EQ(split->t, shape[1]) << prefix;
    EXPECT_EQ(split->ny, shape[2]) << prefix;
    EXPECT_EQ(split->nx, shape[3]) << prefix;
    expect_identical(split->alphas, fixture.tensors.read_f32(prefix + "_alphas"), prefix + "_alphas");
    expect_identical(split->dts, fixture.tensors.read_f32(prefix + "_dts"), prefix + "_dts");
    expect_identical(split->data, fixture.tensors.read_f32(prefix + "_data"), prefix + "_data");
  }
}

}  // namespace
}  // namespace kbeta
