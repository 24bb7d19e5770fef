#include <gtest/gtest.h>

#include "optim/buckets.hpp"
#include "optim_test_support.hpp"

namespace kbeta::optim {
namespace {

using testing::model_like_table;

TEST(BucketPlan, GlobalIsOneBucket) {
  const ParamTable table = model_like_table(2, 8, 4, 6, 5);
  const BucketPlan plan = make_bucket_plan(table, BucketMode::Global);
  ASSERT_EQ(plan.count(), 1u);
  EXPECT_EQ(plan.names[0], "global");
  ASSERT_EQ(plan.tensors_of_bucket[0].size(), table.count());
  for (std::size_t t = 0; t < table.count(); ++t) {
    EXPECT_EQ(plan.bucket_of_tensor[t], 0u);
    EXPECT_EQ(plan.tensors_of_bucket[0][t], t);
  }
}

TEST(BucketPlan, TensorBucketsFollowTableOrder) {
  // Two layers: 2·12 + 2 + 2 + 2 + 2 + 1 = 33 tensors, as the reference's tiny model.
  const ParamTable table = model_like_table(2, 8, 4, 6, 5);
  const BucketPlan plan = make_bucket_plan(table, BucketMode::Tensor);
  ASSERT_EQ(plan.count(), 33u);
  for (std::size_t t = 0; t < table.count(); ++t) {
    EXPECT_EQ(plan.names[t], table.entries()[t].name);
    EXPECT_EQ(plan.bucket_of_tensor[t], t);
  }
}

TEST(BucketPlan, LayerBucketsGroupEncoderLayers) {
  const ParamTable table = model_like_table(3, 8, 4, 6, 5);
  const BucketPlan plan = make_bucket_plan(table, BucketMode::Layer);
  const std::vector<std::string> expected{
      "transformer_encoder.layers.0",  "transformer_encoder.layers.1", "transformer_encoder.layers.2",
      "transformer_encoder.ln.weight", "transformer_encoder.ln.bias",  "output_projection.weight",
      "output_projection.bias",        "diffusivity_embedding.weight", "diffusivity_embedding.bias",
      "layer_normalizer.weight",       "layer_normalizer.bias",        "mask"};
  EXPECT_EQ(plan.names, expected);
  for (std::size_t layer = 0; layer < 3; ++layer) {
    ASSERT_EQ(plan.tensors_of_bucket[layer].size(), 12u);
    EXPECT_EQ(plan.tensors_of_bucket[layer].front(), 12 * layer);
    EXPECT_EQ(plan.tensors_of_bucket[layer].back(), 12 * layer + 11);
  }
}

TEST(BucketPlan, LayerBucketsSeparateMultiDigitLayers) {
  ParamTable table;
  table.add("transformer_encoder.layers.1.ln1.weight", {2});
  table.add("transformer_encoder.layers.10.ln1.weight", {2});
  table.add("transformer_encoder.layers.1.ln1.bias", {2});
  table.add("transformer_encoder.layers.x.ln1.bias", {2});
  const BucketPlan plan = make_bucket_plan(table, BucketMode::Layer);
  const std::vector<std::string> expected{"transformer_encoder.layers.1", "transformer_encoder.layers.10",
                                          "transformer_encoder.layers.x.ln1.bias"};
  EXPECT_EQ(plan.names, expected);
  EXPECT_EQ(plan.bucket_of_tensor, (std::vector<std::size_t>{0, 1, 0, 2}));
}

TEST(BucketPlan, ShapeBucketsGroupEqualShapes) {
  // C = 8, M = 4, P = 6, T = 5: shapes (8,8) (8) (4,8) (4) (8,4) (6,8) (6) (8,1) (5,5).
  const ParamTable table = model_like_table(1, 8, 4, 6, 5);
  const BucketPlan plan = make_bucket_plan(table, BucketMode::Shape);
  const std::vector<std::string> expected{"shape(8x8)", "shape(8)", "shape(4x8)", "shape(4)",  "shape(8x4)",
                                          "shape(6x8)", "shape(6)", "shape(8x1)", "shape(5x5)"};
  EXPECT_EQ(plan.names, expected);
  EXPECT_EQ(plan.tensors_of_bucket[0].size(), 4u);  // the four attention projections
  // Norm weights and biases, linear2.bias, the encoder's and the model's final norms, the embedding bias.
  EXPECT_EQ(plan.tensors_of_bucket[1].size(), 4u + 1u + 2u + 1u + 2u);
}

}  // namespace
}  // namespace kbeta::optim
