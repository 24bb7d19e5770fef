#include "train/model_adapter.hpp"

#include "core/error.hpp"
#include "model/heat_transformer.hpp"
#include "model/spec.hpp"

namespace kbeta::train {

namespace {

model::ModelSpec model_spec(const config::Config& c, int ny, int nx) {
  const auto& m = c.model_params;
  model::ModelSpec s;
  s.ny = ny;
  s.nx = nx;
  s.time_steps = static_cast<int>(m.time_steps);
  s.embed_dim = static_cast<int>(m.embed_dim);
  s.num_heads = static_cast<int>(m.num_heads);
  s.num_layers = static_cast<int>(m.num_encoder_layers);
  s.mlp_dim = static_cast<int>(m.mlp_dim);
  s.start_predicting_from = static_cast<int>(m.start_predicting_from);
  s.mask = m.mask_type == config::MaskType::Block ? model::MaskType::Block : model::MaskType::Causal;
  s.task = m.task == config::Task::Reconstruct ? model::Task::Reconstruct : model::Task::Forecast;
  s.frame_embedding = m.frame_embedding == config::FrameEmbedding::FrozenRandom
                          ? model::FrameEmbedding::FrozenRandom
                          : model::FrameEmbedding::Linear;
  s.positional_encoding = m.positional_encoding == config::PositionalEncoding::Rope
                              ? model::PositionalEncoding::Rope
                              : model::PositionalEncoding::Sinusoidal;
  s.learn_mask_bias = m.learn_mask_bias;
  s.n_initial_frames = static_cast<int>(c.eval.n_initial_frames);
  s.dx = c.geometry.dx;
  s.dy = c.geometry.dy;
  return s;
}

LossTerms terms_of(const model::LossTerms& t) {
  return {t.total, t.mse, t.boundary, t.physics, t.initial};
}

class FloatTransformer final : public TransformerModel {
 public:
  FloatTransformer(const model::ModelSpec& spec, int max_batch) : model_(spec, max_batch) {}

  const ParamTable& params() const override { return model_.params(); }
  std::span<float> parameters() override { return model_.parameters(); }
  std::span<float> gradients() override { return model_.gradients(); }
  const ParamTable& frozen() const override { return model_.frozen(); }
  std::span<float> frozen_values() override { return model_.frozen_values(); }
  void refresh_after_load() override { model_.refresh_after_load(); }
  int max_batch() const override { return model_.max_batch(); }

  LossTerms compute_gradients(std::span<const float> target, std::span<const float> alpha,
                              std::span<const float> dt, int batch) override {
    return terms_of(model_.compute_gradients(target, alpha, dt, batch));
  }
  LossTerms compute_loss(std::span<const float> target, std::span<const float> alpha,
                         std::span<const float> dt, int batch) override {
    return terms_of(model_.compute_loss(target, alpha, dt, batch));
  }
  void predict(std::span<float> out, std::span<const float> input, std::span<const float> alpha,
               int batch) override {
    model_.predict(out, input, alpha, batch);
  }

  void initialize(rng::Generator& generator) override { model_.initialize(generator); }
  double flops_per_step(int batch) const override { return model::flops_per_step(model_.spec(), batch); }

 private:
  model::HeatTransformer<float> model_;
};

}  // namespace

std::unique_ptr<TransformerModel> TransformerModel::create(const config::Config& config, int ny, int nx,
                                                           int max_batch) {
  return std::make_unique<FloatTransformer>(model_spec(config, ny, nx), max_batch);
}

}  // namespace kbeta::train
