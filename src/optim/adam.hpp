// Adam as MLX 0.26–0.27 computes it (bias correction on by default, as the reference uses it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/param_table.hpp"
#include "optim/optimizer.hpp"
#include "optim/state_slots.hpp"

namespace kbeta::optim {

struct AdamSettings {
  std::string label = "ADAM999";  // the name in the console line
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  bool bias_correction = true;
};

// Per element, with t the 1-based step, all in float32:
//   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
//   with bias correction   p ← p − c₁m / (√v·c₂ + ε),  c₁ = lr/(1−β₁ᵗ),  c₂ = 1/√(1−β₂ᵗ),
//   without                p ← p − lr·m / (√v + ε).
class Adam final : public Optimizer {
 public:
  Adam(const AdamSettings& settings, const ParamTable& table);
  // The state slots view the member buffers, so the object stays where it was built.
  Adam(const Adam&) = delete;
  Adam& operator=(const Adam&) = delete;

  void step(std::span<float> params, std::span<const float> grads, double learning_rate) override;
  std::string describe() const override;
  std::int64_t step_count() const override { return step_; }
  std::vector<StateTensor> state() const override;
  void load_state(const std::vector<StateTensor>& tensors) override;

 private:
  AdamSettings settings_;
  ParamTable table_;
  std::vector<detail::Chunk> chunks_;
  std::vector<float> m_;  // layout of table_
  std::vector<float> v_;
  std::int64_t step_ = 0;
  std::vector<detail::StateSlot> slots_;  // views of step_, m_ and v_
};

}  // namespace kbeta::optim
