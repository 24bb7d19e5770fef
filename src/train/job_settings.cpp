#include "train/job_settings.hpp"

#include "config/emit.hpp"
#include "core/error.hpp"
#include "data/geometry.hpp"

namespace kbeta::train {

namespace {

data::SegmentStrategy segment_strategy(config::SegmentStrategy s) {
  switch (s) {
    case config::SegmentStrategy::BaseCase:
      return data::SegmentStrategy::BaseCase;
    case config::SegmentStrategy::Challenge1:
      return data::SegmentStrategy::Challenge1;
    case config::SegmentStrategy::Challenge2:
      return data::SegmentStrategy::Challenge2;
  }
  KBETA_CHECK(false);
}

optim::OptimizerKind optimizer_kind(config::OptimizerName name) {
  switch (name) {
    case config::OptimizerName::Adam95:
      return optim::OptimizerKind::Adam95;
    case config::OptimizerName::Adam999:
      return optim::OptimizerKind::Adam999;
    case config::OptimizerName::Kourkoutas:
      return optim::OptimizerKind::Kourkoutas;
  }
  KBETA_CHECK(false);
}

optim::BiasCorrection bias_correction(config::BiasCorrection b) {
  switch (b) {
    case config::BiasCorrection::None:
      return optim::BiasCorrection::None;
    case config::BiasCorrection::Beta2Max:
      return optim::BiasCorrection::Beta2Max;
    case config::BiasCorrection::Exact:
      return optim::BiasCorrection::Exact;
  }
  KBETA_CHECK(false);
}

optim::BucketMode bucket_mode(config::LayerBuckets b) {
  switch (b) {
    case config::LayerBuckets::Global:
      return optim::BucketMode::Global;
    case config::LayerBuckets::Tensor:
      return optim::BucketMode::Tensor;
    case config::LayerBuckets::Layer:
      return optim::BucketMode::Layer;
    case config::LayerBuckets::Shape:
      return optim::BucketMode::Shape;
  }
  KBETA_CHECK(false);
}

optim::LrScheduleKind schedule_kind(config::LrSchedule s) {
  switch (s) {
    case config::LrSchedule::Reference:
      return optim::LrScheduleKind::Reference;
    case config::LrSchedule::Table:
      return optim::LrScheduleKind::Table;
    case config::LrSchedule::Cosine:
      return optim::LrScheduleKind::Cosine;
    case config::LrSchedule::Constant:
      return optim::LrScheduleKind::Constant;
  }
  KBETA_CHECK(false);
}

}  // namespace

std::filesystem::path run_directory(const config::Config& c) {
  return std::filesystem::path(c.storage.outdir) /
         (c.run_label + "_" + std::string(config::to_string(c.boundary_segment_strategy)) + "_" +
          std::string(config::to_string(c.model_params.mask_type)));
}

data::GeneratorSettings generator_settings(const config::Config& c) {
  data::GeneratorSettings g;
  g.geometry = data::make_geometry(c.geometry.rod_length, c.geometry.rod_width, c.geometry.dx, c.geometry.dy);
  g.left = c.boundary_conditions.left_limits;
  g.right = c.boundary_conditions.right_limits;
  g.top = c.boundary_conditions.top_limits;
  g.bottom = c.boundary_conditions.bottom_limits;
  g.alpha = c.thermal_diffusivity.alpha_limits;
  g.samples = static_cast<int>(c.training_samples);
  g.time_steps = static_cast<int>(c.model_params.time_steps);
  g.strategy = segment_strategy(c.boundary_segment_strategy);
  return g;
}

optim::OptimizerSettings optimizer_settings(const config::Config& c) {
  const auto& o = c.optimizer;
  optim::OptimizerSettings s;
  s.kind = optimizer_kind(o.name);
  s.adam_beta2 = o.adam_beta2;
  s.beta1 = o.beta1;
  s.beta2_min = o.beta2_min;
  s.beta2_max = o.beta2_max;
  s.alpha = o.alpha;
  s.eps = o.eps;
  s.tiny_spike = o.tiny_spike;
  s.tiny_denom = o.tiny_denom;
  s.decay = o.decay;
  s.max_ratio = o.max_ratio;
  s.adaptive_tiny = o.adaptive_tiny;
  s.warmup_steps = o.warmup_steps;
  s.bias_correction = bias_correction(o.bias_correction);
  // Spike collection reads the diagnostics, so it turns them on (the reference collects nothing
  // when tracking.collect_spikes is set without optimizer.kour_diagnostics).
  s.diagnostics = o.kour_diagnostics || c.tracking.collect_spikes;
  s.layer_buckets = bucket_mode(o.layer_buckets);
  return s;
}

optim::LrScheduleSettings schedule_settings(const config::Config& c) {
  optim::LrScheduleSettings s;
  s.kind = schedule_kind(c.optimizer.lr_schedule);
  s.table = c.learning_rate_schedule;
  s.init_lr = c.optimizer.init_lr;
  s.target_lr = c.optimizer.target_lr;
  s.ramp_steps = c.optimizer.ramp_steps;
  return s;
}

LearningRateSchedule learning_rate_schedule(const config::Config& c) {
  const optim::LrScheduleSettings schedule = schedule_settings(c);
  schedule.validate();
  const optim::OptimizerKind kind = optimizer_kind(c.optimizer.name);
  return [schedule, kind](int epoch, std::int64_t step) {
    return optim::learning_rate(schedule, kind, epoch, step);
  };
}

EvaluationSettings evaluation_settings(const config::Config& c) {
  EvaluationSettings e;
  e.batch_size = static_cast<int>(c.eval.effective_batch_size(c.model_params.batch_size));
  e.n_initial_frames = static_cast<int>(c.eval.n_initial_frames);
  e.n_replace = static_cast<int>(c.eval.n_replace);
  e.forecast_input = c.model_params.task == config::Task::Forecast;
  return e;
}

TrainerSettings trainer_settings(const config::Config& c, int threads) {
  TrainerSettings s;
  s.epochs = static_cast<int>(c.model_params.epochs);
  s.batch_size = static_cast<int>(c.model_params.batch_size);
  s.save_checkpoints = c.save_checkpoints;
  s.save_interval = static_cast<int>(c.save_interval);
  s.save_final = c.io_and_plots.model_saving;
  s.collect_spikes = c.tracking.collect_spikes;
  s.spike_window = static_cast<int>(c.tracking.window);
  s.run_dir = run_directory(c);
  s.seed = c.seed;
  s.threads = threads;
  s.config_yaml = config::to_yaml(c);
  s.config_hash = config::config_hash(c);
  return s;
}

}  // namespace kbeta::train
