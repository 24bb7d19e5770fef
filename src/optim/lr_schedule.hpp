// Learning-rate schedules (`optimizer.lr_schedule`), as a pure function of (epoch, update index).
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "optim/settings.hpp"

namespace kbeta::optim {

// Reference  Kourkoutas-β follows the epoch table, Adam the cosine ramp (what the reference does,
//            because its Adam is built with a schedule that overwrites the table every step).
// Table      every optimiser follows the epoch table.
// Cosine     every optimiser follows the cosine ramp.
// Constant   every optimiser uses init_lr.
enum class LrScheduleKind { Reference, Table, Cosine, Constant };

struct LrScheduleSettings {
  LrScheduleKind kind = LrScheduleKind::Reference;
  // learning_rate_schedule: from each 0-based epoch on, the learning rate is its value.
  std::map<std::int64_t, double> table;
  // Learning rate of the table before its first entry. The reference's Kourkoutas-β is built with
  // a hard-coded 1e-3, so the reference schedule always uses 1e-3 here; Table uses init_lr.
  double init_lr = 1e-3;            // optimizer.init_lr
  double target_lr = 1e-5;          // optimizer.target_lr
  std::int64_t ramp_steps = 60000;  // optimizer.ramp_steps (the reference's code default)

  // Throws kbeta::ConfigError naming the first invalid key, its value and the expectation.
  void validate() const;
};

LrScheduleKind parse_lr_schedule_kind(std::string_view text);  // optimizer.lr_schedule
std::string_view to_string(LrScheduleKind kind);

// The learning rate of the update with 0-based index `step` (the number of updates already
// taken) inside 0-based epoch `epoch`.
double learning_rate(const LrScheduleSettings& schedule, OptimizerKind optimizer, std::int64_t epoch,
                     std::int64_t step);

// Cosine ramp init_lr → target_lr over ramp_steps, then target_lr:
// lr(s) = target + ½(1 + cos(π·s/R))·(init − target) for s < R, else target.
double cosine_then_constant(double init_lr, double target_lr, std::int64_t ramp_steps, std::int64_t step);

// The value of the largest table key ≤ epoch, or `before_first` when there is none.
double table_value(const std::map<std::int64_t, double>& table, double before_first, std::int64_t epoch);

}  // namespace kbeta::optim
