#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "optim/lr_schedule.hpp"

namespace kbeta::optim {
namespace {

// heat2d.yml / paper.yml: init 1e-3, target 1e-5, ramp 40000, 700 updates per epoch, and the table
// {5: 1e-3, 30: 5e-4, 40: 1e-4, 60: 1e-5, 120: 1e-6}.
LrScheduleSettings paper_schedule() {
  LrScheduleSettings s;
  s.init_lr = 1e-3;
  s.target_lr = 1e-5;
  s.ramp_steps = 40000;
  s.table = {{5, 1e-3}, {30, 5e-4}, {40, 1e-4}, {60, 1e-5}, {120, 1e-6}};
  return s;
}

TEST(CosineSchedule, MidRampValue) {
  // ½(1 + cos(π·21000/40000))·(1e-3 − 1e-5) + 1e-5 = 4.6616e-4 to the five digits given.
  EXPECT_NEAR(cosine_then_constant(1e-3, 1e-5, 40000, 21000), 4.6616e-4, 5e-9);
}

TEST(CosineSchedule, EndpointsAndPlateau) {
  EXPECT_DOUBLE_EQ(cosine_then_constant(1e-3, 1e-5, 40000, 0), 1e-3);
  EXPECT_DOUBLE_EQ(cosine_then_constant(1e-3, 1e-5, 40000, 40000), 1e-5);
  EXPECT_DOUBLE_EQ(cosine_then_constant(1e-3, 1e-5, 40000, 70000), 1e-5);
  // Half way the cosine factor is exactly ½.
  EXPECT_NEAR(cosine_then_constant(1e-3, 1e-5, 40000, 20000), 0.5 * (1e-3 + 1e-5), 1e-15);
}

TEST(CosineSchedule, EpochStartsAt700StepsPerEpoch) {
  EXPECT_NEAR(cosine_then_constant(1e-3, 1e-5, 40000, std::int64_t{10} * 700), 9.27e-4, 5e-7);
  EXPECT_NEAR(cosine_then_constant(1e-3, 1e-5, 40000, std::int64_t{30} * 700), 4.66e-4, 5e-7);
  EXPECT_NEAR(cosine_then_constant(1e-3, 1e-5, 40000, std::int64_t{40} * 700), 2.14e-4, 5e-7);
}

TEST(ReferenceSchedule, KourkoutasFollowsEpochTable) {
  const LrScheduleSettings s = paper_schedule();
  const std::int64_t step = 123456;  // ignored by the table
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 0, step), 1e-3);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 29, step), 1e-3);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 30, step), 5e-4);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 39, step), 5e-4);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 40, step), 1e-4);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 60, step), 1e-5);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 99, step), 1e-5);
}

TEST(ReferenceSchedule, KourkoutasStartsAt1e3WhateverInitLr) {
  LrScheduleSettings s = paper_schedule();
  s.init_lr = 7e-3;
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 0, 0), 1e-3);
  s.table.clear();
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 80, 56000), 1e-3);
}

TEST(ReferenceSchedule, AdamFollowsCosineNotTable) {
  const LrScheduleSettings s = paper_schedule();
  for (OptimizerKind kind : {OptimizerKind::Adam95, OptimizerKind::Adam999}) {
    EXPECT_NEAR(learning_rate(s, kind, 30, 21000), 4.6616e-4, 5e-9);
    EXPECT_DOUBLE_EQ(learning_rate(s, kind, 60, 42000), 1e-5);
    EXPECT_DOUBLE_EQ(learning_rate(s, kind, 0, 0), 1e-3);
  }
}

TEST(TableSchedule, EveryOptimiserUsesTableAfterInitLr) {
  LrScheduleSettings s = paper_schedule();
  s.kind = LrScheduleKind::Table;
  s.table = {{3, 2e-4}};
  s.init_lr = 5e-3;
  for (OptimizerKind kind : {OptimizerKind::Adam95, OptimizerKind::Kourkoutas}) {
    EXPECT_DOUBLE_EQ(learning_rate(s, kind, 2, 0), 5e-3);
    EXPECT_DOUBLE_EQ(learning_rate(s, kind, 3, 0), 2e-4);
    EXPECT_DOUBLE_EQ(learning_rate(s, kind, 50, 0), 2e-4);
  }
}

TEST(CosineAndConstantSchedules, ApplyToKourkoutasToo) {
  LrScheduleSettings s = paper_schedule();
  s.kind = LrScheduleKind::Cosine;
  EXPECT_NEAR(learning_rate(s, OptimizerKind::Kourkoutas, 30, 21000), 4.6616e-4, 5e-9);
  s.kind = LrScheduleKind::Constant;
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Kourkoutas, 30, 21000), 1e-3);
  EXPECT_DOUBLE_EQ(learning_rate(s, OptimizerKind::Adam999, 30, 21000), 1e-3);
}

TEST(LrScheduleParse, NamesAndRejection) {
  EXPECT_EQ(parse_lr_schedule_kind("reference"), LrScheduleKind::Reference);
  EXPECT_EQ(parse_lr_schedule_kind("table"), LrScheduleKind::Table);
  EXPECT_EQ(parse_lr_schedule_kind("cosine"), LrScheduleKind::Cosine);
  EXPECT_EQ(parse_lr_schedule_kind("constant"), LrScheduleKind::Constant);
  try {
    parse_lr_schedule_kind("linear");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "optimizer.lr_schedule: expected one of reference, table, cosine, constant, got 'linear'");
  }
}

std::string validation_message(const LrScheduleSettings& s) {
  try {
    s.validate();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(LrScheduleValidate, RejectsEachBadValue) {
  EXPECT_EQ(validation_message(paper_schedule()), "no error");

  LrScheduleSettings s = paper_schedule();
  s.init_lr = 0.0;
  EXPECT_EQ(validation_message(s), "optimizer.init_lr: expected a finite number > 0, got 0");

  s = paper_schedule();
  s.target_lr = -1e-5;
  EXPECT_EQ(validation_message(s), "optimizer.target_lr: expected a finite number >= 0, got -1e-05");

  s = paper_schedule();
  s.ramp_steps = 0;
  EXPECT_EQ(validation_message(s), "optimizer.ramp_steps: expected an integer > 0, got 0");

  s = paper_schedule();
  s.table[50] = std::nan("");
  EXPECT_EQ(validation_message(s), "learning_rate_schedule.50: expected a finite number > 0, got nan");

  s = paper_schedule();
  s.table[-1] = 1e-3;
  EXPECT_EQ(validation_message(s), "learning_rate_schedule: expected epoch keys >= 0, got -1");
}

}  // namespace
}  // namespace kbeta::optim
