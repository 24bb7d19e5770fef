#include "optim/settings.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::optim {
namespace {

[[noreturn]] void reject(std::string_view key, double value, std::string_view expectation) {
  throw ConfigError(fmt::format("optimizer.{}: expected {}, got {}", key, expectation, value));
}

// β-like coefficients: finite and in [0, 1).
void check_unit_interval(std::string_view key, double value) {
  if (!std::isfinite(value) || value < 0.0 || value >= 1.0) {
    reject(key, value, "a number in [0, 1)");
  }
}

void check_positive(std::string_view key, double value) {
  if (!std::isfinite(value) || value <= 0.0) {
    reject(key, value, "a finite number > 0");
  }
}

void check_non_negative(std::string_view key, double value) {
  if (!std::isfinite(value) || value < 0.0) {
    reject(key, value, "a finite number >= 0");
  }
}

}  // namespace

void OptimizerSettings::validate() const {
  if (adam_beta1) {
    check_unit_interval("adam_beta1", *adam_beta1);
  }
  if (adam_beta2) {
    check_unit_interval("adam_beta2", *adam_beta2);
  }
  if (adam_eps) {
    check_positive("adam_eps", *adam_eps);
  }

  check_unit_interval("beta1", beta1);
  check_unit_interval("beta2_min", beta2_min);
  check_unit_interval("beta2_max", beta2_max);
  if (beta2_min > beta2_max) {
    throw ConfigError(fmt::format("optimizer.beta2_min: expected at most optimizer.beta2_max ({}), got {}",
                                  beta2_max, beta2_min));
  }
  check_unit_interval("alpha", alpha);
  check_positive("eps", eps);
  // A zero tiny_spike makes the sun-spike ratio 0/0 for a bucket whose gradient is all zero.
  check_positive("tiny_spike", tiny_spike);
  check_non_negative("tiny_denom", tiny_denom);
  if (decay && (!std::isfinite(*decay) || *decay <= 0.0 || *decay > 1.0)) {
    reject("decay", *decay, "a number in (0, 1] (1 is hard AMSGrad) or null to turn it off");
  }
  if (max_ratio) {
    check_positive("max_ratio", *max_ratio);
  }
  if (warmup_steps < 0) {
    throw ConfigError(fmt::format("optimizer.warmup_steps: expected an integer >= 0, got {}", warmup_steps));
  }
}

double OptimizerSettings::resolved_adam_beta1() const {
  return adam_beta1.value_or(0.9);
}

double OptimizerSettings::resolved_adam_beta2() const {
  if (adam_beta2) {
    return *adam_beta2;
  }
  return kind == OptimizerKind::Adam95 ? 0.95 : 0.999;
}

double OptimizerSettings::resolved_adam_eps() const {
  return adam_eps.value_or(1e-8);
}

OptimizerKind parse_optimizer_kind(std::string_view text) {
  if (text == "adam95") {
    return OptimizerKind::Adam95;
  }
  if (text == "adam999") {
    return OptimizerKind::Adam999;
  }
  if (text == "kourkoutas") {
    return OptimizerKind::Kourkoutas;
  }
  throw ConfigError(
      fmt::format("optimizer.name: expected one of adam95, adam999, kourkoutas, got '{}'", text));
}

BiasCorrection parse_bias_correction(std::string_view text) {
  if (text == "none") {
    return BiasCorrection::None;
  }
  if (text == "beta2max") {
    return BiasCorrection::Beta2Max;
  }
  if (text == "exact") {
    return BiasCorrection::Exact;
  }
  throw ConfigError(
      fmt::format("optimizer.bias_correction: expected one of none, beta2max, exact, got '{}'", text));
}

BucketMode parse_bucket_mode(std::string_view text) {
  if (text == "global") {
    return BucketMode::Global;
  }
  if (text == "tensor") {
    return BucketMode::Tensor;
  }
  if (text == "layer") {
    return BucketMode::Layer;
  }
  if (text == "shape") {
    return BucketMode::Shape;
  }
  throw ConfigError(
      fmt::format("optimizer.layer_buckets: expected one of global, tensor, layer, shape, got '{}'", text));
}

std::string_view to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::Adam95:
      return "adam95";
    case OptimizerKind::Adam999:
      return "adam999";
    case OptimizerKind::Kourkoutas:
      return "kourkoutas";
  }
  return "unknown";
}

std::string_view to_string(BiasCorrection mode) {
  switch (mode) {
    case BiasCorrection::None:
      return "none";
    case BiasCorrection::Beta2Max:
      return "beta2max";
    case BiasCorrection::Exact:
      return "exact";
  }
  return "unknown";
}

std::string_view to_string(BucketMode mode) {
  switch (mode) {
    case BucketMode::Global:
      return "global";
    case BucketMode::Tensor:
      return "tensor";
    case BucketMode::Layer:
      return "layer";
    case BucketMode::Shape:
      return "shape";
  }
  return "unknown";
}

}  // namespace kbeta::optim
