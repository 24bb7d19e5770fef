// Translation of the run configuration into the settings of each part: the data generator, the
// optimiser and its learning-rate schedule, the trainer and the evaluation.
#pragma once

#include <filesystem>

#include "config/config.hpp"
#include "data/datasets.hpp"
#include "optim/lr_schedule.hpp"
#include "optim/settings.hpp"
#include "train/evaluation.hpp"
#include "train/trainer.hpp"

namespace kbeta::train {

// <storage.outdir>/<run_label>_<boundary_segment_strategy>_<mask_type>
std::filesystem::path run_directory(const config::Config& config);

data::GeneratorSettings generator_settings(const config::Config& config);
optim::OptimizerSettings optimizer_settings(const config::Config& config);
optim::LrScheduleSettings schedule_settings(const config::Config& config);
LearningRateSchedule learning_rate_schedule(const config::Config& config);
EvaluationSettings evaluation_settings(const config::Config& config);
// Everything but the console settings, which depend on where the output goes.
TrainerSettings trainer_settings(const config::Config& config, int threads);

}  // namespace kbeta::train
