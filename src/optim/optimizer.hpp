// The interface the trainer codes against: one update over the contiguous parameter buffer,
// the reference's console line, named state for checkpoints and Kourkoutas-β diagnostics.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/param_table.hpp"
#include "optim/settings.hpp"

namespace kbeta::optim {

// One named piece of optimiser state. As returned by Optimizer::state() the spans view the
// optimiser's own storage and stay valid until the next step() or load_state(); for load_state()
// they view the caller's data, which is copied.
struct StateTensor {
  std::string name;                 // e.g. "optimizer.m.output_projection.weight", "optimizer.step"
  std::vector<std::int64_t> shape;  // {} for a scalar
  std::variant<std::span<const float>, std::span<const double>, std::span<const std::int64_t>> data;
};

// Running extrema over every element of every update since step 1 (never reset), as the
// reference's Kourkoutas-β keeps them when diagnostics are on.
struct Diagnostics {
  float denom_min = 1e9f;         // minimum of the update's denominator √v̂ (+ tiny) + ε
  float max_update_ratio = 0.0f;  // maximum of |update| / lr
  float max_abs_update = 0.0f;    // maximum of |update|
  float max_vhat = 0.0f;          // maximum of v̂
};

// Sun-spike and β₂ of each Kourkoutas-β bucket at the last step (index = bucket).
struct BucketStats {
  std::span<const std::string> names;
  std::span<const float> sunspike;
  std::span<const float> beta2;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Updates params in place from grads (both in the layout of the ParamTable the optimiser was
  // built for) with the given learning rate, used as float32 as in the reference. Deterministic:
  // the result does not depend on the number of threads.
  virtual void step(std::span<float> params, std::span<const float> grads, double learning_rate) = 0;

  // The reference's console line, e.g.
  // "ADAM95  β1,β2=[0.9, 0.95] | eps=1.00e-08 | bias_correction=True".
  virtual std::string describe() const = 0;

  // Updates taken so far.
  virtual std::int64_t step_count() const = 0;

  // Every piece of state, by name, for checkpoints.
  virtual std::vector<StateTensor> state() const = 0;
  // Restores state written by state(). Every name must be present with its shape and dtype and no
  // other name may appear; otherwise throws kbeta::Error naming the tensor, and nothing changes.
  virtual void load_state(const std::vector<StateTensor>& tensors) = 0;

  // Whether the diagnostics below are collected (Kourkoutas-β with diagnostics on).
  virtual bool diagnostics_enabled() const { return false; }
  virtual Diagnostics diagnostics() const { return {}; }
  // The reference's diagnostics line, e.g.
  // "   ↳ denom_min=1.00e-08 | upd/ρ_max=3.0 | upd_norm_max=3.0e-03 | v̂_max=1.2e-02".
  virtual std::string describe_diagnostics() const { return {}; }
  // Per-bucket sun-spike and β₂ of the last step; empty for Adam.
  virtual BucketStats bucket_stats() const { return {}; }
};

// Builds the optimiser named in the settings for the tensors of `table`; validates the settings
// first (kbeta::ConfigError).
std::unique_ptr<Optimizer> make_optimizer(const OptimizerSettings& settings, const ParamTable& table);

// Python's repr() of a float ("0.9", "1e-05", "3.0"), for lines that must read as the reference's.
std::string python_float_repr(double value);

}  // namespace kbeta::optim
