#include "config/config.hpp"

#include <algorithm>
#include <cmath>

namespace kbeta::config {

namespace {

// int(length / spacing) + 1, saturated far above any usable grid so that the caller's range
// check reports a large number instead of an overflowed one.
std::int64_t grid_points(double length, double spacing) {
  const double cells = std::floor(length / spacing);
  if (!(cells < 1e15)) {
    return static_cast<std::int64_t>(1e15);
  }
  return static_cast<std::int64_t>(cells) + 1;
}

}  // namespace

std::int64_t Geometry::nx() const {
  return grid_points(rod_length, dx);
}

std::int64_t Geometry::ny() const {
  return grid_points(rod_width, dy);
}

double Optimizer::effective_adam_beta2() const {
  if (adam_beta2) {
    return *adam_beta2;
  }
  return name == OptimizerName::Adam95 ? 0.95 : 0.999;
}

SplitSizes split_sizes(std::int64_t training_samples) {
  const auto n = static_cast<double>(training_samples);
  const auto train_end = static_cast<std::int64_t>(0.7 * n);
  const auto validation_end = static_cast<std::int64_t>(0.9 * n);
  return {train_end, validation_end - train_end, training_samples - validation_end};
}

double ftcs_coefficient(const Config& config) {
  const double dx = config.geometry.dx;
  const double dy = config.geometry.dy;
  double coefficient = 0.0;
  for (const double alpha : config.thermal_diffusivity.alpha_limits) {
    const double dt = dx * dx / (10.0 * alpha);
    coefficient = std::max(coefficient, alpha * dt * (1.0 / (dx * dx) + 1.0 / (dy * dy)));
  }
  return coefficient;
}

}  // namespace kbeta::config
