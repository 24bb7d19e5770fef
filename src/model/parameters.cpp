#include "model/parameters.hpp"

#include <string>

namespace kbeta::model {

ParamTable build_param_table(const ModelSpec& spec, ParamOffsets& offsets) {
  const std::int64_t c = spec.embed_dim, m = spec.mlp_dim, p = spec.pixels(), t = spec.time_steps;
  ParamTable table;
  offsets = ParamOffsets{};

  for (int l = 0; l < spec.num_layers; ++l) {
    const std::string prefix = "transformer_encoder.layers." + std::to_string(l) + ".";
    LayerOffsets layer{};
    layer.query = table.add(prefix + "attention.query_proj.weight", {c, c});
    layer.key = table.add(prefix + "attention.key_proj.weight", {c, c});
    layer.value = table.add(prefix + "attention.value_proj.weight", {c, c});
    layer.out = table.add(prefix + "attention.out_proj.weight", {c, c});
    layer.ln1_weight = table.add(prefix + "ln1.weight", {c});
    layer.ln1_bias = table.add(prefix + "ln1.bias", {c});
    layer.ln2_weight = table.add(prefix + "ln2.weight", {c});
    layer.ln2_bias = table.add(prefix + "ln2.bias", {c});
    layer.linear1_weight = table.add(prefix + "linear1.weight", {m, c});
    layer.linear1_bias = table.add(prefix + "linear1.bias", {m});
    layer.linear2_weight = table.add(prefix + "linear2.weight", {c, m});
    layer.linear2_bias = table.add(prefix + "linear2.bias", {c});
    offsets.layers.push_back(layer);
  }
  offsets.encoder_ln_weight = table.add("transformer_encoder.ln.weight", {c});
  offsets.encoder_ln_bias = table.add("transformer_encoder.ln.bias", {c});
  offsets.output_weight = table.add("output_projection.weight", {p, c});
  offsets.output_bias = table.add("output_projection.bias", {p});
  offsets.diffusivity_weight = table.add("diffusivity_embedding.weight", {c, 1});
  offsets.diffusivity_bias = table.add("diffusivity_embedding.bias", {c});
  offsets.norm_weight = table.add("layer_normalizer.weight", {c});
  offsets.norm_bias = table.add("layer_normalizer.bias", {c});
  if (spec.frame_embedding == FrameEmbedding::Linear) {
    offsets.has_frame_linear = true;
    offsets.frame_weight = table.add("frame_embedding.weight", {c, p});
    offsets.frame_bias = table.add("frame_embedding.bias", {c});
  }
  if (spec.learn_mask_bias) {
    offsets.has_mask = true;
    offsets.mask = table.add("mask", {t, t});
  }
  return table;
}

ParamTable build_frozen_table(const ModelSpec& spec, FrozenOffsets& offsets) {
  const std::int64_t c = spec.embed_dim, p = spec.pixels(), t = spec.time_steps;
  ParamTable table;
  offsets = FrozenOffsets{};
  if (spec.frame_embedding == FrameEmbedding::FrozenRandom) {
    offsets.has_frame_matrix = true;
    offsets.frame_matrix = table.add("frame_matrix", {c, p});
    offsets.frame_offset = table.add("frame_offset", {c});
  }
  offsets.temporal_encoding = table.add("temporal_encoding", {t, c});
  return table;
}

}  // namespace kbeta::model
