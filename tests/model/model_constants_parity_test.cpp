// The model's construction against the reference's constants: seeded initialisation, MLX's
// 4-bit quantization, the RoPE tables and the collapse of the frozen projection into A and c.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/fixtures.hpp"
#include "model/frozen_tables.hpp"
#include "model/heat_transformer.hpp"
#include "model/initialization.hpp"
#include "model_fixture.hpp"

namespace kbeta::model {
namespace {

using testing::all_near;
using testing::max_abs;

class ModelConstants : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelConstants, SeededInitReproducesParameters) {
  const auto fixture = testing::load_fixture(GetParam());
  const ModelSpec spec = testing::spec_from_sidecar(fixture.sidecar);
  HeatTransformer<float> model(spec, 1);
  rng::Generator gen(fixture.sidecar.at("init_seed").get<std::uint64_t>());
  model.initialize(gen);

  // Every trainable tensor is a uniform draw or a constant: equal to the bit.
  for (const auto& entry : model.params().entries()) {
    SCOPED_TRACE(entry.name);
    const std::vector<float> expected = fixture.tensors.read_f32("param." + entry.name);
    const auto actual = model.parameters().subspan(entry.offset, entry.size);
    EXPECT_TRUE(all_near(actual, expected, 0.0));
  }
  std::size_t reference_tensors = 0;
  for (const auto& [name, info] : fixture.tensors.tensors()) {
    if (name.starts_with("param.")) {
      ++reference_tensors;
    }
  }
  EXPECT_EQ(model.params().count(), reference_tensors);
}

TEST_P(ModelConstants, SeededTablesMatchReference) {
  const auto fixture = testing::load_fixture(GetParam());
  const ModelSpec spec = testing::spec_from_sidecar(fixture.sidecar);
  rng::Generator gen(fixture.sidecar.at("init_seed").get<std::uint64_t>());
  const FrozenInputs inputs = draw_frozen_inputs(spec, gen);

  // Normal draws go through MLX's float erfinv, which the generator reproduces on Linux. The
  // RoPE'd tables may differ by an ulp because sin/cos come from libm rather than MLX's own,
  // so the bound is one float ulp of the table's largest entry (2⁻²³ relative).
  const struct {
    const char* name;
    const std::vector<float>& values;
  } tables[] = {{"const.emb_y", inputs.emb_y},          {"const.emb_x", inputs.emb_x},
                {"const.emb_t", inputs.emb_t},          {"const.pos_y_rope", inputs.spatial.y},
                {"const.pos_x_rope", inputs.spatial.x}, {"const.pos_t_rope", inputs.temporal}};
  for (const auto& table : tables) {
    SCOPED_TRACE(table.name);
    const std::vector<float> expected = fixture.tensors.read_f32(table.name);
    EXPECT_TRUE(all_near(table.values, expected, 1.2e-7 * max_abs(expected)));
  }

  // The projection weight, row by row from the same draw, quantized and dequantized.
  const std::vector<float> weight = fixture.tensors.read_f32("const.projection_weight_dequantized");
  const auto row_length =
      static_cast<std::size_t>(spec.pixels()) * static_cast<std::size_t>(spec.spatial_dim());
  std::vector<float> row(row_length);
  for (std::size_t o = 0; o < static_cast<std::size_t>(spec.embed_dim); ++o) {
    SCOPED_TRACE("projection row " + std::to_string(o));
    projection_weight_row(row, inputs.projection_key, spec.embed_dim, o);
    const std::span<const float> expected(weight.data() + o * row_length, row_length);
    ASSERT_TRUE(all_near(row, expected, 0.0));
  }
}

TEST_P(ModelConstants, RopeOfReferenceTablesMatches) {
  const auto fixture = testing::load_fixture(GetParam());
  const ModelSpec spec = testing::spec_from_sidecar(fixture.sidecar);
  std::vector<float> y = fixture.tensors.read_f32("const.emb_y");
  std::vector<float> x = fixture.tensors.read_f32("const.emb_x");
  std::vector<float> t = fixture.tensors.read_f32("const.emb_t");
  rope_rows(y, spec.ny, spec.spatial_dim(), 0);
  rope_rows(x, spec.nx, spec.spatial_dim(), 1);
  rope_rows(t, spec.time_steps, spec.embed_dim, 1);
  // y sits at position 0 for every row: RoPE is the identity there, exactly.
  EXPECT_TRUE(all_near(y, fixture.tensors.read_f32("const.pos_y_rope"), 0.0));
  // x and t: float32 rotations whose sin/cos may differ from MLX's by an ulp; one ulp of the
  // table's largest entry.
  const std::vector<float> px = fixture.tensors.read_f32("const.pos_x_rope");
  const std::vector<float> pt = fixture.tensors.read_f32("const.pos_t_rope");
  EXPECT_TRUE(all_near(x, px, 1.2e-7 * max_abs(px)));
  EXPECT_TRUE(all_near(t, pt, 1.2e-7 * max_abs(pt)));
}

TEST_P(ModelConstants, CollapseMatchesFrameMatrix) {
  const auto fixture = testing::load_fixture(GetParam());
  const ModelSpec spec = testing::spec_from_sidecar(fixture.sidecar);
  const std::vector<float> weight = fixture.tensors.read_f32("const.projection_weight_dequantized");
  SpatialTables tables{fixture.tensors.read_f32("const.pos_y_rope"),
                       fixture.tensors.read_f32("const.pos_x_rope")};
  const auto row_length =
      static_cast<std::size_t>(spec.pixels()) * static_cast<std::size_t>(spec.spatial_dim());
  std::vector<double> a(static_cast<std::size_t>(spec.embed_dim) * static_cast<std::size_t>(spec.pixels()));
  std::vector<double> c(static_cast<std::size_t>(spec.embed_dim));
  collapse_projection(a, c, spec.embed_dim, spec.ny, spec.nx, spec.spatial_dim(), tables,
                      [&](std::span<float> row, std::size_t o) {
                        std::copy_n(weight.begin() + static_cast<std::ptrdiff_t>(o * row_length), row_length,
                                    row.begin());
                      });
  // Both sides sum in double and round once to float32: half an ulp of each entry apart at most
  // (the reference's float32 rounding of its double result), bounded by 2⁻²⁴ of the largest.
  const std::vector<float> expected_a = fixture.tensors.read_f32("const.frame_matrix");
  const std::vector<float> expected_c = fixture.tensors.read_f32("const.frame_offset");
  EXPECT_TRUE(all_near(a, expected_a, 1.2e-7 * max_abs(expected_a)));
  EXPECT_TRUE(all_near(c, expected_c, 1.2e-7 * max_abs(expected_c)));
}

TEST_P(ModelConstants, SeededFrozenValuesMatchFrameMatrix) {
  const auto fixture = testing::load_fixture(GetParam());
  const ModelSpec spec = testing::spec_from_sidecar(fixture.sidecar);
  HeatTransformer<double> model(spec, 1);
  rng::Generator gen(fixture.sidecar.at("init_seed").get<std::uint64_t>());
  model.initialize(gen);
  const auto frozen = model.frozen_values();
  for (const auto& [ours, theirs] :
       {std::pair{"frame_matrix", "const.frame_matrix"}, std::pair{"frame_offset", "const.frame_offset"},
        std::pair{"temporal_encoding", "const.pos_t_rope"}}) {
    SCOPED_TRACE(ours);
    const auto& entry = model.frozen().at(ours);
    const std::vector<float> expected = fixture.tensors.read_f32(theirs);
    EXPECT_TRUE(all_near(frozen.subspan(entry.offset, entry.size), expected, 1.2e-7 * max_abs(expected)));
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ModelConstants, ::testing::Values("model_block", "model_causal"));

}  // namespace
}  // namespace kbeta::model
