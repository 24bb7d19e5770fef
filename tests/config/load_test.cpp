#include "config/load.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/fixtures.hpp"
#include "config/presets.hpp"
#include "config/validate.hpp"
#include "core/error.hpp"

namespace kbeta::config {
namespace {

using ::testing::HasSubstr;

Config load(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  return load_config_string(yaml, "test.yml", overrides);
}

// The message of the ConfigError that loading throws, or "" when it throws none.
std::string load_error(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    load(yaml, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string override_error(const std::string& pair) {
  return load_error("seed: 0\n", {pair});
}

// ---------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------

TEST(Presets, Heat2dHasReferenceValues) {
  const Config c = load_config_file(find_config("heat2d"));
  EXPECT_EQ(c.seed, 0u);
  EXPECT_EQ(c.geometry.dx, 0.04);
  EXPECT_EQ(c.geometry.nx(), 26);
  EXPECT_EQ(c.geometry.ny(), 26);

  EXPECT_EQ(c.boundary_conditions.bottom_limits, (Limits{0.0, 0.1}));
  EXPECT_EQ(c.thermal_diffusivity.alpha_limits, (Limits{0.01, 0.1}));

  EXPECT_EQ(c.model_params.time_steps, 401);
  EXPECT_EQ(c.model_params.embed_dim, 512);
  EXPECT_EQ(c.model_params.num_heads, 16);
  EXPECT_EQ(c.model_params.num_encoder_layers, 24);
  EXPECT_EQ(c.model_params.mlp_dim, 256);
  EXPECT_EQ(c.model_params.epochs, 10);
  EXPECT_EQ(c.model_params.mask_type, MaskType::Block);
  EXPECT_EQ(c.model_params.task, Task::Reconstruct);
  EXPECT_EQ(c.learning_rate_schedule,
            (EpochSchedule{{5, 1e-3}, {30, 5e-4}, {40, 1e-4}, {60, 1e-5}, {120, 1e-6}}));
  EXPECT_EQ(c.scale_schedule.size(), 13u);

  EXPECT_EQ(c.training_samples, 4000);
  EXPECT_FALSE(c.save_checkpoints);
  EXPECT_EQ(c.save_interval, 10);
  EXPECT_TRUE(c.io_and_plots.model_saving);

  EXPECT_EQ(c.optimizer.name, OptimizerName::Kourkoutas);
  EXPECT_TRUE(c.optimizer.kour_diagnostics);
  EXPECT_EQ(c.optimizer.beta2_min, 0.88);
  EXPECT_EQ(c.optimizer.alpha, 0.93);
  EXPECT_EQ(c.optimizer.ramp_steps, 40000);
  EXPECT_EQ(c.optimizer.warmup_steps, 350);
  EXPECT_EQ(c.optimizer.bias_correction, BiasCorrection::Beta2Max);
  EXPECT_FALSE(c.tracking.collect_spikes);
}

TEST(Presets, PaperDiffersFromHeat2d) {
  const Config c = load_config_file(find_config("paper"));
  EXPECT_EQ(c.model_params.epochs, 100);
  EXPECT_EQ(c.run_label, "run_papercase_Kourkoutasb");
  EXPECT_FALSE(c.optimizer.kour_diagnostics);
  EXPECT_EQ(c.save_interval, 30);
  EXPECT_FALSE(c.save_checkpoints);
  EXPECT_TRUE(c.tracking.collect_spikes);
  EXPECT_EQ(c.tracking.window, 1);
  EXPECT_EQ(c.tracking.effective_plot_stride(), 1);
  EXPECT_EQ(c.optimizer.beta1, 0.9);
  EXPECT_EQ(c.optimizer.eps, 1e-8);
}

TEST(Presets, QuickTestIsHeat2dWithSeedOne) {
  Config quick = load_config_file(find_config("quick_test"));
  const Config heat2d = load_config_file(find_config("heat2d"));
  EXPECT_EQ(quick.seed, 1u);
  quick.seed = heat2d.seed;
  EXPECT_EQ(quick, heat2d);
}

TEST(Presets, DemoUsesFixedBehaviour) {
  const Config c = load_config_file(find_config("demo.yml"));
  EXPECT_EQ(c.model_params.task, Task::Forecast);
  EXPECT_EQ(c.model_params.mask_type, MaskType::Causal);
  EXPECT_EQ(c.geometry.nx(), 11);
  EXPECT_EQ(c.storage.outdir, "runs");
  EXPECT_LE(c.model_params.embed_dim, 128);
}

// ---------------------------------------------------------------------------------------------
// Defaults when keys are absent
// ---------------------------------------------------------------------------------------------

TEST(Defaults, AbsentKeysTakeReferenceDefaults) {
  const Config c = load("run_label: x\n");
  EXPECT_EQ(c.seed, 30u);
  EXPECT_TRUE(c.save_checkpoints);
  EXPECT_EQ(c.save_interval, 10);
  EXPECT_FALSE(c.io_and_plots.model_saving);
  EXPECT_EQ(c.io_and_plots.plots.num_examples, 20);
  EXPECT_EQ(c.optimizer.name, OptimizerName::Adam999);
  EXPECT_EQ(c.optimizer.ramp_steps, 60000);
  EXPECT_EQ(c.optimizer.effective_adam_beta2(), 0.999);
  EXPECT_EQ(c.tracking.window, 1);
  EXPECT_EQ(c.tracking.effective_plot_stride(), 10);
  EXPECT_EQ(c.eval.n_replace, 5);
  EXPECT_EQ(c.eval.effective_batch_size(c.model_params.batch_size), 4);
  EXPECT_EQ(c.storage.outdir, ".");
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.model_params.learn_mask_bias, true);
  EXPECT_EQ(c.optimizer.lr_schedule, LrSchedule::Reference);
  EXPECT_EQ(c.optimizer.layer_buckets, LayerBuckets::Global);
  EXPECT_TRUE(c.learning_rate_schedule.empty());
}

TEST(Defaults, AdamBeta2FollowsName) {
  EXPECT_EQ(load("optimizer: {name: adam95}\n").optimizer.effective_adam_beta2(), 0.95);
  EXPECT_EQ(load("optimizer: {name: adam999}\n").optimizer.effective_adam_beta2(), 0.999);
  EXPECT_EQ(load("optimizer: {name: adam95, adam_beta2: 0.98}\n").optimizer.effective_adam_beta2(), 0.98);
}

TEST(Defaults, NullSectionIsEmpty) {
  EXPECT_EQ(load("tracking:\nseed: 1\n").tracking.window, 1);
}

TEST(Defaults, OptimizerNameIsCaseInsensitive) {
  EXPECT_EQ(load("optimizer: {name: Adam95}\n").optimizer.name, OptimizerName::Adam95);
}

// ---------------------------------------------------------------------------------------------
// Overrides
// ---------------------------------------------------------------------------------------------

TEST(Overrides, ScalarForms) {
  const Config c = load("seed: 0\n", {"optimizer.kour_diagnostics=true", "optimizer.init_lr=1e-3",
                                      "optimizer.decay=0.5", "optimizer.max_ratio=null",
                                      "run_label=\"quoted label\"", "model_params.mask_type=causal"});
  EXPECT_TRUE(c.optimizer.kour_diagnostics);
  EXPECT_EQ(c.optimizer.init_lr, 1e-3);
  EXPECT_EQ(c.optimizer.decay, 0.5);
  EXPECT_FALSE(c.optimizer.max_ratio.has_value());
  EXPECT_EQ(c.run_label, "quoted label");
  EXPECT_EQ(c.model_params.mask_type, MaskType::Causal);
}

TEST(Overrides, NullClearsOptional) {
  const Config c = load("optimizer: {decay: 0.9}\n", {"optimizer.decay=null"});
  EXPECT_FALSE(c.optimizer.decay.has_value());
}

TEST(Overrides, EmptyValueIsNull) {
  const Config c = load("optimizer: {decay: 0.9}\n", {"optimizer.decay="});
  EXPECT_FALSE(c.optimizer.decay.has_value());
}

TEST(Overrides, FlowSequence) {
  const Config c = load("seed: 0\n", {"boundary_conditions.left_limits=[0.25, 0.75]"});
  EXPECT_EQ(c.boundary_conditions.left_limits, (Limits{0.25, 0.75}));
}

TEST(Overrides, JsonStyleValues) {
  const Config c =
      load("seed: 0\n", {"thermal_diffusivity.alpha_limits=[0.02,0.2]", "storage.outdir=\"out dir\""});
  EXPECT_EQ(c.thermal_diffusivity.alpha_limits, (Limits{0.02, 0.2}));
  EXPECT_EQ(c.storage.outdir, "out dir");
}

TEST(Overrides, ScheduleEpochAsStringKey) {
  const Config c = load("learning_rate_schedule:\n  5: 1.0e-3\n  30: 5.0e-4\n",
                        {"learning_rate_schedule.30=2e-4", "learning_rate_schedule.50=1e-5"});
  EXPECT_EQ(c.learning_rate_schedule, (EpochSchedule{{5, 1e-3}, {30, 2e-4}, {50, 1e-5}}));
}

TEST(Overrides, ScheduleEpochWithLeadingZeroReplacesEntry) {
  const Config c = load("learning_rate_schedule:\n  30: 5.0e-4\n", {"learning_rate_schedule.030=2e-4"});
  EXPECT_EQ(c.learning_rate_schedule, (EpochSchedule{{30, 2e-4}}));
}

TEST(Overrides, QuotedScheduleKeysInFile) {
  const Config c = load("learning_rate_schedule:\n  \"5\": 1.0e-3\n  '30': 5.0e-4\n");
  EXPECT_EQ(c.learning_rate_schedule, (EpochSchedule{{5, 1e-3}, {30, 5e-4}}));
}

TEST(Overrides, WholeScheduleAsFlowMapping) {
  const Config c =
      load("learning_rate_schedule:\n  5: 1.0e-3\n", {"learning_rate_schedule={10: 1e-4, 20: 1e-5}"});
  EXPECT_EQ(c.learning_rate_schedule, (EpochSchedule{{10, 1e-4}, {20, 1e-5}}));
}

TEST(Overrides, CreatesMissingSections) {
  const Config c = load("seed: 0\n", {"io_and_plots.plots.num_examples=3"});
  EXPECT_EQ(c.io_and_plots.plots.num_examples, 3);
}

TEST(Overrides, LaterPairWins) {
  const Config c = load("seed: 0\n", {"seed=1", "seed=2"});
  EXPECT_EQ(c.seed, 2u);
}

TEST(Overrides, Aliases) {
  const Config c = load("seed: 0\n", {"epochs=7", "kour_diagnostics=true"});
  EXPECT_EQ(c.model_params.epochs, 7);
  EXPECT_TRUE(c.optimizer.kour_diagnostics);
}

TEST(Overrides, TopLevelEpochsInFileMovesToModelParams) {
  EXPECT_EQ(load("epochs: 3\nmodel_params:\n  epochs: 9\n").model_params.epochs, 3);
}

TEST(Overrides, IntegralFloatIsAcceptedForCount) {
  EXPECT_EQ(load("seed: 0\n", {"model_params.epochs=1e2"}).model_params.epochs, 100);
}

TEST(Overrides, MissingEqualsSign) {
  EXPECT_THAT(override_error("seed"), HasSubstr("--override expects KEY=VALUE, got 'seed'"));
}

TEST(Overrides, EmptyKeyPart) {
  EXPECT_THAT(override_error("model_params..epochs=3"), HasSubstr("the key has an empty part"));
}

TEST(Overrides, ThroughScalar) {
  EXPECT_THAT(override_error("seed.x=3"), HasSubstr("cannot set seed.x because seed is 0, not a mapping"));
}

TEST(Overrides, SectionReplacedByScalarNamesOnlyTheOverride) {
  // The file's line of the replaced key must not be shown as a line of the override.
  const std::string message = load_error("seed: 0\nmodel_params:\n  epochs: 3\n", {"model_params=3"});
  EXPECT_THAT(message,
              HasSubstr("model_params: expected a mapping of keys, got 3 (override model_params=3)"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("line")));
}

TEST(Validation, LongValueIsShortenedInMessage) {
  std::string list = "[0";
  for (int k = 1; k < 5000; ++k) {
    list += ", 0";
  }
  const std::string message = load_error("seed: " + list + "]\n");
  EXPECT_THAT(message, HasSubstr("seed: expected an integer in [0, 18446744073709551615], got [0, 0, 0"));
  EXPECT_THAT(message, HasSubstr("... (test.yml line 1)"));
  EXPECT_LT(message.size(), 300u);
}

TEST(LoadFile, RejectsOversizedFile) {
  const auto path = kbeta::testing::scratch_dir("LoadFile.RejectsOversizedFile") / "oversized.yml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "seed: 1\n#";
    out << std::string(17u << 20, 'x');
  }
  try {
    load_config_file(path);
    FAIL() << "an oversized configuration file was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("oversized.yml"));
    EXPECT_THAT(e.what(), HasSubstr("larger than the 16 MiB limit"));
  }
  std::filesystem::remove(path);
}

TEST(Overrides, FlowValueErrorHasNoLine) {
  const std::string message = override_error("learning_rate_schedule={1: 2e-4, 01: 3e-4}");
  EXPECT_THAT(message,
              HasSubstr("epoch 1 is given twice (as '01') (override learning_rate_schedule={1: 2e-4, "
                        "01: 3e-4})"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("line")));
}

TEST(Validation, DottedKeyInFileIsRejected) {
  // A dotted key in a file is one key named "model_params.epochs", which no reader looks up.
  const std::string message = load_error("\"model_params.epochs\": 7\n");
  EXPECT_THAT(message,
              HasSubstr("model_params.epochs: a dotted key in a file is not a path (test.yml line 1)"));
  EXPECT_THAT(message, HasSubstr("nest it"));
  EXPECT_THAT(load_error("geometry:\n  \"dx.y\": 1\n"), HasSubstr("geometry.dx.y: a dotted key"));
}

TEST(Overrides, ErrorNamesTheOverride) {
  EXPECT_THAT(override_error("model_params.batch_size=0"),
              HasSubstr("model_params.batch_size: expected a positive integer, got 0 (override "
                        "model_params.batch_size=0)"));
}

// ---------------------------------------------------------------------------------------------
// Validation: kinds
// ---------------------------------------------------------------------------------------------

TEST(Validation, WrongTypeForNumber) {
  EXPECT_THAT(load_error("geometry:\n  dx: fine\n"),
              HasSubstr("geometry.dx: expected a positive number, got fine (test.yml line 2)"));
}

TEST(Validation, QuotedNumberIsAString) {
  EXPECT_THAT(load_error("model_params:\n  epochs: \"10\"\n"),
              HasSubstr("model_params.epochs: expected a positive integer, got \"10\""));
}

TEST(Validation, WrongTypeForBool) {
  EXPECT_THAT(load_error("save_checkpoints: 1\n"),
              HasSubstr("save_checkpoints: expected true or false, got 1"));
}

TEST(Validation, WrongChoice) {
  EXPECT_THAT(
      load_error("model_params:\n  mask_type: diagonal\n"),
      HasSubstr("model_params.mask_type: expected one of block, causal, got diagonal (test.yml line 2)"));
  EXPECT_THAT(load_error("optimizer:\n  name: sgd\n"),
              HasSubstr("optimizer.name: expected one of adam95, adam999, kourkoutas, got sgd"));
}

TEST(Validation, FractionalCount) {
  EXPECT_THAT(load_error("model_params:\n  batch_size: 2.5\n"),
              HasSubstr("model_params.batch_size: expected a positive integer, got the fraction 2.5"));
}

TEST(Validation, NanAndInf) {
  EXPECT_THAT(load_error("optimizer:\n  eps: .nan\n"),
              HasSubstr("optimizer.eps: expected a finite number, got .nan"));
  EXPECT_THAT(load_error("geometry:\n  dx: .inf\n"),
              HasSubstr("geometry.dx: expected a finite number, got .inf"));
  EXPECT_THAT(load_error("geometry:\n  dx: 1e999\n"),
              HasSubstr("geometry.dx: expected a finite number, got 1e999"));
  EXPECT_THAT(load_error("model_params:\n  epochs: .inf\n"),
              HasSubstr("model_params.epochs: expected a positive integer, got .inf"));
}

TEST(Validation, IntegerOverflow) {
  EXPECT_THAT(
      load_error("training_samples: 99999999999999999999\n"),
      HasSubstr("training_samples: expected a positive integer, got 99999999999999999999, which overflows"));
  EXPECT_THAT(load_error("training_samples: 3000000000\n"),
              HasSubstr("training_samples: expected a positive integer, got 3000000000"));
  EXPECT_THAT(load_error("seed: 18446744073709551616\n"),
              HasSubstr("seed: expected an integer in [0, 18446744073709551615], got 18446744073709551616"));
}

TEST(Validation, SeedRange) {
  EXPECT_EQ(load("seed: 18446744073709551615\n").seed, 18446744073709551615u);
  EXPECT_EQ(load("seed: 5.0\n").seed, 5u);
  EXPECT_THAT(load_error("seed: 5.5\n"),
              HasSubstr("seed: expected an integer in [0, 18446744073709551615], got 5.5"));
  EXPECT_THAT(load_error("seed: -1\n"),
              HasSubstr("seed: expected an integer in [0, 18446744073709551615], got -1"));
}

TEST(Validation, SectionMustBeMapping) {
  EXPECT_THAT(load_error("geometry: 5\n"),
              HasSubstr("geometry: expected a mapping of keys, got 5 (test.yml line 1)"));
}

// ---------------------------------------------------------------------------------------------
// Validation: ranges and consistency
// ---------------------------------------------------------------------------------------------

TEST(Validation, ZeroAndNegativeSizes) {
  EXPECT_THAT(load_error("model_params:\n  num_heads: 0\n"),
              HasSubstr("model_params.num_heads: expected a positive integer, got 0 (test.yml line 2)"));
  EXPECT_THAT(load_error("model_params:\n  mlp_dim: -4\n"),
              HasSubstr("model_params.mlp_dim: expected a positive integer, got -4"));
  EXPECT_THAT(load_error("geometry:\n  dx: -0.04\n"),
              HasSubstr("geometry.dx: expected a positive number, got -0.04"));
  EXPECT_THAT(load_error("training_samples: 0\n"),
              HasSubstr("training_samples: expected a positive integer, got 0"));
  EXPECT_THAT(load_error("save_interval: 0\n"),
              HasSubstr("save_interval: expected a positive integer, got 0"));
  EXPECT_THAT(load_error("threads: -1\n"), HasSubstr("threads: expected an integer in [0, 4096], got -1"));
}

TEST(Validation, EmbedDimNotDivisibleByHeads) {
  EXPECT_THAT(load_error("model_params:\n  embed_dim: 100\n  num_heads: 16\n"),
              HasSubstr("model_params.embed_dim: expected a multiple of model_params.num_heads = 16, got 100 "
                        "(test.yml line 2)"));
}

TEST(Validation, EmbedDimOdd) {
  EXPECT_THAT(load_error("model_params:\n  embed_dim: 63\n  num_heads: 7\n"),
              HasSubstr("model_params.embed_dim: expected an even number"));
}

TEST(Validation, StartPredictingFromOutsideTimeSteps) {
  EXPECT_THAT(load_error("model_params:\n  start_predicting_from: 0\n"),
              HasSubstr("model_params.start_predicting_from: expected a positive integer, got 0"));
  EXPECT_THAT(
      load_error("model_params:\n  start_predicting_from: 12\n  time_steps: 11\n"),
      HasSubstr("model_params.start_predicting_from: expected an integer in [1, model_params.time_steps = "
                "11], got 12"));
  EXPECT_EQ(load("model_params:\n  start_predicting_from: 11\n  time_steps: 11\n")
                .model_params.start_predicting_from,
            11);
}

TEST(Validation, InitialFramesMustLeaveAFrame) {
  EXPECT_THAT(
      load_error("model_params:\n  time_steps: 5\n  start_predicting_from: 2\n"),
      HasSubstr("eval.n_initial_frames: expected an integer in [1, model_params.time_steps - 1 = 4]"));
}

TEST(Validation, LimitsMustBeTwoNumbers) {
  EXPECT_THAT(load_error("boundary_conditions:\n  left_limits: [0, 1, 2]\n"),
              HasSubstr("boundary_conditions.left_limits: expected two numbers [low, high], got [0, 1, 2]"));
  EXPECT_THAT(load_error("boundary_conditions:\n  top_limits: [0, hot]\n"),
              HasSubstr("boundary_conditions.top_limits: expected two numbers [low, high], got [0, hot]"));
  EXPECT_THAT(load_error("boundary_conditions:\n  top_limits: 1\n"),
              HasSubstr("boundary_conditions.top_limits: expected two numbers [low, high], got 1"));
  EXPECT_THAT(
      load_error("thermal_diffusivity:\n  alpha_limits: {low: 1, high: 2}\n"),
      HasSubstr("thermal_diffusivity.alpha_limits: expected two numbers [low, high], got {low: 1, high: 2}"));
  EXPECT_THAT(load_error("boundary_conditions:\n  top_limits: [0, .nan]\n"),
              HasSubstr("expected two finite numbers [low, high], got [0, .nan]"));
}

TEST(Validation, AlphaLimitsPositive) {
  EXPECT_THAT(load_error("thermal_diffusivity:\n  alpha_limits: [0, 0.1]\n"),
              HasSubstr("thermal_diffusivity.alpha_limits: expected a positive number, got 0.0"));
}

TEST(Validation, UnstableScheme) {
  const std::string message = load_error("geometry:\n  dx: 0.04\n  dy: 0.019\n");
  EXPECT_THAT(message, HasSubstr("geometry.dy: the explicit scheme is unstable"));
  EXPECT_THAT(message, HasSubstr("> 0.5"));
  EXPECT_THAT(message, HasSubstr("dy = 0.019"));
  EXPECT_THAT(message, HasSubstr("test.yml line 3"));
}

TEST(Validation, StabilityLimitItselfIsAccepted) {
  // dy = dx/2 gives exactly 0.5 in exact arithmetic; for dx = 0.1 it computes as
  // 0.5000000000000001 in double, so the check needs its tolerance.
  const Config c = load("geometry:\n  dx: 0.1\n  dy: 0.05\n");
  EXPECT_GT(ftcs_coefficient(c), 0.5);
  EXPECT_EQ(c.geometry.dy, 0.05);
  EXPECT_NO_THROW(load("geometry:\n  dx: 0.04\n  dy: 0.02\n"));
}

TEST(Validation, GridTooSmall) {
  EXPECT_THAT(load_error("geometry:\n  dx: 0.6\n"),
              HasSubstr("geometry.dx: expected int(rod_length / dx) + 1 in [3,"));
}

TEST(Validation, ChallengeOneNeedsTwelveRows) {
  EXPECT_THAT(load_error("boundary_segment_strategy: challenge_1\ngeometry: {dx: 0.1, dy: 0.1}\n"),
              HasSubstr("boundary_segment_strategy: challenge_1 fixes rows 8-11"));
}

TEST(Validation, TooFewSamplesForSplits) {
  EXPECT_THAT(load_error("training_samples: 3\n"), HasSubstr("training_samples: expected at least 4"));
  EXPECT_EQ(load("training_samples: 4\n").training_samples, 4);
}

TEST(Validation, BetaRanges) {
  EXPECT_THAT(load_error("optimizer: {beta1: 1.0}\n"),
              HasSubstr("optimizer.beta1: expected a number in [0.0, 1.0), got 1.0"));
  EXPECT_THAT(load_error("optimizer: {beta2_min: 0.99, beta2_max: 0.95}\n"),
              HasSubstr("optimizer.beta2_min: expected at most optimizer.beta2_max = 0.95, got 0.99"));
  EXPECT_THAT(load_error("optimizer: {adam_beta2: 1.5}\n"),
              HasSubstr("optimizer.adam_beta2: expected a number in [0.0, 1.0)"));
  EXPECT_THAT(load_error("optimizer: {eps: 0}\n"),
              HasSubstr("optimizer.eps: expected a positive number, got 0.0"));
}

TEST(Validation, NpySourceNeedsDir) {
  EXPECT_THAT(load_error("data: {source: npy}\n"),
              HasSubstr("data.dir: expected the folder of the nine .npy files"));
  EXPECT_EQ(load("data: {source: npy, dir: /data/heat}\n").data.dir, "/data/heat");
  EXPECT_THAT(load_error("data: {dir: /data/heat}\n"),
              HasSubstr("data.dir: is set to \"/data/heat\" but data.source is generate"));
}

TEST(Validation, ResumeNeedsCheckpointEpoch) {
  EXPECT_THAT(load_error("start_from_scratch: false\n"),
              HasSubstr("checkpoint_epoch: expected the epoch of the checkpoint to resume from"));
  EXPECT_EQ(load("start_from_scratch: false\ncheckpoint_epoch: 10\n").checkpoint_epoch, 10);
}

TEST(Validation, RunLabelUsableAsFolderName) {
  EXPECT_THAT(load_error("run_label: a/b\n"),
              HasSubstr("run_label: expected a name usable in a folder name"));
  EXPECT_THAT(load_error("run_label: \"\"\n"), HasSubstr("run_label: expected a non-empty string"));
}

TEST(Validation, ScheduleKeys) {
  EXPECT_THAT(
      load_error("learning_rate_schedule:\n  five: 1.0e-3\n"),
      HasSubstr("learning_rate_schedule: expected non-negative integer epochs as keys, got the key 'five'"));
  EXPECT_THAT(load_error("learning_rate_schedule:\n  -5: 1.0e-3\n"), HasSubstr("got the key '-5'"));
  EXPECT_THAT(load_error("learning_rate_schedule:\n  5: 1.0e-3\n  05: 1.0e-4\n"),
              HasSubstr("epoch 5 is given twice"));
  EXPECT_THAT(load_error("learning_rate_schedule:\n  5: fast\n"),
              HasSubstr("learning_rate_schedule.5: expected a non-negative number, got fast"));
  EXPECT_THAT(load_error("learning_rate_schedule:\n  5: -1.0\n"),
              HasSubstr("learning_rate_schedule.5: expected a non-negative number, got -1.0"));
  EXPECT_THAT(load_error("learning_rate_schedule: [1, 2]\n"),
              HasSubstr("learning_rate_schedule: expected a mapping of epoch: value pairs"));
}

TEST(Validation, UnknownKeySuggestsClosest) {
  EXPECT_THAT(
      load_error("model_params:\n  embed_dims: 64\n"),
      HasSubstr(
          "model_params.embed_dims: unknown key (test.yml line 2); did you mean model_params.embed_dim?"));
  EXPECT_THAT(load_error("model_params:\n  seed: 1\n"), HasSubstr("did you mean seed?"));
  EXPECT_THAT(load_error("optimiser:\n  name: adam95\n"),
              HasSubstr("optimiser: unknown key (test.yml line 1); did you mean optimizer?"));
  EXPECT_THAT(load_error("viz:\n  enabled: false\n"), HasSubstr("viz: unknown key"));
  EXPECT_THAT(load_error("completely_unrelated_setting: 1\n"),
              HasSubstr("docs/configuration.md lists the known keys"));
}

TEST(Validation, ProgrammaticConfigIsChecked) {
  Config c;
  c.model_params.embed_dim = 30;
  c.model_params.num_heads = 4;
  try {
    validate(c);
    FAIL() << "validate accepted embed_dim 30 with 4 heads";
  } catch (const ConfigError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("model_params.embed_dim: expected a multiple of"));
  }
  EXPECT_NO_THROW(validate(Config{}));
}

}  // namespace
}  // namespace kbeta::config
