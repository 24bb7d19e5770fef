#include "cli/arguments.hpp"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.hpp"

namespace kbeta::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string parse_error(const std::vector<std::string>& args) {
  try {
    parse_arguments(args);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseArguments, BareConfigIsRun) {
  const Invocation inv = parse_arguments({"heat2d"});
  EXPECT_EQ(inv.command, Command::Run);
  EXPECT_EQ(inv.target, "heat2d");
  EXPECT_TRUE(inv.overrides.empty());
  EXPECT_TRUE(inv.notices.empty());
}

TEST(ParseArguments, Subcommands) {
  EXPECT_EQ(parse_arguments({"config", "heat2d"}).command, Command::ShowConfig);
  EXPECT_EQ(parse_arguments({"generate", "heat2d"}).command, Command::Generate);
  EXPECT_EQ(parse_arguments({"bench", "heat2d"}).command, Command::Bench);
  const Invocation evaluate = parse_arguments({"evaluate", "ckpt.safetensors"});
  EXPECT_EQ(evaluate.command, Command::Evaluate);
  EXPECT_EQ(evaluate.target, "ckpt.safetensors");
  EXPECT_EQ(parse_arguments({"plot", "runs/demo"}).command, Command::Plot);
}

TEST(ParseArguments, ShorthandsFollowOverrides) {
  const Invocation inv = parse_arguments(
      {"heat2d", "--override", "seed=5", "model_params.epochs=2", "--seed", "7", "--epochs", "3"});
  EXPECT_THAT(inv.overrides,
              ElementsAre("seed=5", "model_params.epochs=2", "seed=7", "model_params.epochs=3"));
}

TEST(ParseArguments, ShorthandOrderIsReferenceOrder) {
  const Invocation inv =
      parse_arguments({"heat2d", "--viz", "--spike_stride", "4", "--spike_window", "2", "--collect_spikes",
                       "--kour_diagnostics", "--optimizer", "adam95", "--epochs", "3", "--seed", "1"});
  EXPECT_THAT(inv.overrides, ElementsAre("seed=1", "model_params.epochs=3", "optimizer.name=adam95",
                                         "optimizer.kour_diagnostics=true", "tracking.collect_spikes=true",
                                         "tracking.window=2", "tracking.plot_stride=4",
                                         "io_and_plots.plots.movie_frames=true"));
  EXPECT_TRUE(inv.notices.empty());
}

TEST(ParseArguments, CollectSpikesImpliesDiagnostics) {
  const Invocation inv = parse_arguments({"heat2d", "--collect_spikes"});
  EXPECT_THAT(inv.overrides, ElementsAre("tracking.collect_spikes=true", "optimizer.kour_diagnostics=true"));
  ASSERT_EQ(inv.notices.size(), 1u);
  EXPECT_EQ(inv.notices[0], "[info] --collect_spikes implies --kour_diagnostics → auto‑enabled");
}

TEST(ParseArguments, RepeatedOverrideFlagsAccumulate) {
  const Invocation inv = parse_arguments({"heat2d", "--override", "a=1", "b=2", "--override", "c=3"});
  EXPECT_THAT(inv.overrides, ElementsAre("a=1", "b=2", "c=3"));
}

TEST(ParseArguments, OwnFlags) {
  const Invocation inv = parse_arguments(
      {"heat2d", "--threads", "2", "--outdir", "out dir", "--resume", "runs/x/checkpoints/e.safetensors"});
  EXPECT_THAT(inv.overrides, ElementsAre("threads=2", "storage.outdir=\"out dir\""));
  ASSERT_TRUE(inv.resume.has_value());
  EXPECT_EQ(*inv.resume, "runs/x/checkpoints/e.safetensors");
  EXPECT_FALSE(inv.init_from.has_value());
  EXPECT_EQ(parse_arguments({"heat2d", "--init-from", "a.safetensors"}).init_from, "a.safetensors");
}

TEST(ParseArguments, ResumeExcludesInitFrom) {
  EXPECT_THAT(parse_error({"heat2d", "--resume", "a", "--init-from", "b"}), HasSubstr("excludes"));
}

TEST(ParseArguments, UsageErrors) {
  EXPECT_THAT(parse_error({}), HasSubstr("missing CONFIG"));
  EXPECT_THAT(parse_error({"config"}), HasSubstr("CONFIG is required"));
  EXPECT_THAT(parse_error({"heat2d", "--optimizer", "sgd"}), HasSubstr("--optimizer"));
  EXPECT_THAT(parse_error({"heat2d", "--epochs", "many"}), HasSubstr("--epochs"));
  EXPECT_THAT(parse_error({"heat2d", "--no_such_flag"}), HasSubstr("--no_such_flag"));
  EXPECT_THAT(parse_error({"heat2d", "--seed", "-1"}),
              HasSubstr("--seed: expected an integer in [0, 18446744073709551615], got -1"));
  EXPECT_THAT(parse_error({"plot", "runs/x", "--epochs", "3"}), HasSubstr("--epochs"));
  EXPECT_THAT(parse_error({"config", "heat2d", "--resume", "x"}), HasSubstr("--resume"));
}

TEST(ParseArguments, IntegerFlagOutOfRangeNamesGivenText) {
  // The message must show the text as given, never a value clamped to the int64 maximum.
  for (const std::string flag : {"--epochs", "--spike_window", "--spike_stride", "--threads"}) {
    const std::string message = parse_error({"heat2d", flag, "99999999999999999999"});
    EXPECT_THAT(message, HasSubstr(flag + ": expected an integer"));
    EXPECT_THAT(message, HasSubstr("got 99999999999999999999"));
    EXPECT_THAT(message, ::testing::Not(HasSubstr("9223372036854775807")));
  }
}

TEST(ParseArguments, IntegerFlagFractionIsNamed) {
  const std::string message = parse_error({"heat2d", "--epochs", "1.5"});
  EXPECT_THAT(message, HasSubstr("--epochs: expected an integer, got 1.5"));
}

TEST(ParseArguments, MissingIntegerValueNamesType) {
  const std::string message = parse_error({"heat2d", "--epochs"});
  EXPECT_THAT(message, HasSubstr("--epochs: 1 required INT missing"));
}

TEST(ParseArguments, HelpAndVersion) {
  const Invocation help = parse_arguments({"--help"});
  EXPECT_EQ(help.command, Command::Help);
  EXPECT_THAT(help.help_text, HasSubstr("kbeta-heat2d CONFIG"));
  EXPECT_THAT(help.help_text, HasSubstr("config CONFIG"));
  const Invocation command_help = parse_arguments({"config", "--help"});
  EXPECT_EQ(command_help.command, Command::Help);
  EXPECT_THAT(command_help.help_text, HasSubstr("--override"));
  EXPECT_EQ(parse_arguments({"--version"}).command, Command::Version);
  EXPECT_EQ(parse_arguments({"heat2d", "--version"}).command, Command::Version);
}

TEST(ResolveConfig, PrecedenceUserThenShorthandThenImplication) {
  const Invocation inv =
      parse_arguments({"config", "heat2d", "--override", "seed=5", "optimizer.kour_diagnostics=false",
                       "model_params.epochs=2", "--seed", "7", "--collect_spikes"});
  const config::Config c = resolve_config(inv);
  EXPECT_EQ(c.seed, 7u);                      // the shorthand wins over --override
  EXPECT_EQ(c.model_params.epochs, 2);        // --override wins over the file
  EXPECT_TRUE(c.optimizer.kour_diagnostics);  // --collect_spikes wins over both
  EXPECT_TRUE(c.tracking.collect_spikes);
}

TEST(ResolveConfig, AliasesApplyToOverrides) {
  const config::Config c =
      resolve_config(parse_arguments({"config", "paper", "--override", "epochs=4", "kour_diagnostics=true"}));
  EXPECT_EQ(c.model_params.epochs, 4);
  EXPECT_TRUE(c.optimizer.kour_diagnostics);
}

TEST(ResolveConfig, OutdirAndThreads) {
  const config::Config c =
      resolve_config(parse_arguments({"config", "heat2d", "--outdir", "null", "--threads", "3"}));
  EXPECT_EQ(c.storage.outdir, "null");
  EXPECT_EQ(c.threads, 3);
}

TEST(ResolveConfig, LearningRateScheduleOverride) {
  const config::Config c =
      resolve_config(parse_arguments({"config", "heat2d", "--override", "learning_rate_schedule.30=2e-4"}));
  EXPECT_EQ(c.learning_rate_schedule.at(30), 2e-4);
  EXPECT_EQ(c.learning_rate_schedule.size(), 5u);
}

TEST(ResolveConfig, EvaluateHasNoConfigTarget) {
  EXPECT_THROW(resolve_config(parse_arguments({"evaluate", "x.safetensors"})), ConfigError);
}

}  // namespace
}  // namespace kbeta::cli

namespace kbeta::cli {
namespace {

TEST(ParseArguments, EvaluateRejectsOutdir) {
  // evaluate writes beside its checkpoint; an --outdir it would ignore must be refused.
  EXPECT_THROW(parse_arguments({"evaluate", "ckpt.safetensors", "--outdir", "elsewhere"}), ConfigError);
}

}  // namespace
}  // namespace kbeta::cli
