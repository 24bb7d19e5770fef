#include "optim/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::optim {
namespace {

// The Kourkoutas-β learning rate before the first table entry in the reference (a constant in its
// optimiser factory, independent of optimizer.init_lr).
constexpr double kReferenceTableStart = 1e-3;

}  // namespace

void LrScheduleSettings::validate() const {
  if (!std::isfinite(init_lr) || init_lr <= 0.0) {
    throw ConfigError(fmt::format("optimizer.init_lr: expected a finite number > 0, got {}", init_lr));
  }
  if (!std::isfinite(target_lr) || target_lr < 0.0) {
    throw ConfigError(fmt::format("optimizer.target_lr: expected a finite number >= 0, got {}", target_lr));
  }
  if (ramp_steps <= 0) {
    throw ConfigError(fmt::format("optimizer.ramp_steps: expected an integer > 0, got {}", ramp_steps));
  }
  for (const auto& [epoch, lr] : table) {
    if (epoch < 0) {
      throw ConfigError(fmt::format("learning_rate_schedule: expected epoch keys >= 0, got {}", epoch));
    }
    if (!std::isfinite(lr) || lr <= 0.0) {
      throw ConfigError(
          fmt::format("learning_rate_schedule.{}: expected a finite number > 0, got {}", epoch, lr));
    }
  }
}

LrScheduleKind parse_lr_schedule_kind(std::string_view text) {
  if (text == "reference") {
    return LrScheduleKind::Reference;
  }
  if (text == "table") {
    return LrScheduleKind::Table;
  }
  if (text == "cosine") {
    return LrScheduleKind::Cosine;
  }
  if (text == "constant") {
    return LrScheduleKind::Constant;
  }
  throw ConfigError(fmt::format(
      "optimizer.lr_schedule: expected one of reference, table, cosine, constant, got '{}'", text));
}

std::string_view to_string(LrScheduleKind kind) {
  switch (kind) {
    case LrScheduleKind::Reference:
      return "reference";
    case LrScheduleKind::Table:
      return "table";
    case LrScheduleKind::Cosine:
      return "cosine";
    case LrScheduleKind::Constant:
      return "constant";
  }
  return "unknown";
}

double cosine_then_constant(double init_lr, double target_lr, std::int64_t ramp_steps, std::int64_t step) {
  if (step >= ramp_steps) {
    return target_lr;
  }
  const double s = static_cast<double>(std::max<std::int64_t>(step, 0));
  const double decay = 0.5 * (1.0 + std::cos(std::numbers::pi * s / static_cast<double>(ramp_steps)));
  return target_lr + decay * (init_lr - target_lr);
}

double table_value(const std::map<std::int64_t, double>& table, double before_first, std::int64_t epoch) {
  auto it = table.upper_bound(epoch);  // first key > epoch
  if (it == table.begin()) {
    return before_first;
  }
  return std::prev(it)->second;
}

double learning_rate(const LrScheduleSettings& schedule, OptimizerKind optimizer, std::int64_t epoch,
                     std::int64_t step) {
  switch (schedule.kind) {
    case LrScheduleKind::Reference:
      if (optimizer == OptimizerKind::Kourkoutas) {
        return table_value(schedule.table, kReferenceTableStart, epoch);
      }
      return cosine_then_constant(schedule.init_lr, schedule.target_lr, schedule.ramp_steps, step);
    case LrScheduleKind::Table:
      return table_value(schedule.table, schedule.init_lr, epoch);
    case LrScheduleKind::Cosine:
      return cosine_then_constant(schedule.init_lr, schedule.target_lr, schedule.ramp_steps, step);
    case LrScheduleKind::Constant:
      return schedule.init_lr;
  }
  return schedule.init_lr;
}

}  // namespace kbeta::optim
