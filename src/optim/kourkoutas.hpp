// Kourkoutas-β (kbeta 1.0.0, class KourkoutasSoftmaxFlex): Adam whose β₂ follows, per bucket of
// tensors, the "sun-spike" ratio of the bucket's gradient norm to its moving average.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/param_table.hpp"
#include "optim/buckets.hpp"
#include "optim/optimizer.hpp"
#include "optim/settings.hpp"
#include "optim/state_slots.hpp"

namespace kbeta::optim {

// Step t (1-based), per bucket b with gradient norm n = ‖g_b‖₂ (summed in double, in table order):
//   ema ← α·ema + (1−α)·n;  raw = n / (ema + tiny_spike);  sun = t ≤ warmup ? 0 : raw/(1+raw);
//   β₂ = t ≤ warmup ? (β₂min+β₂max)/2 : β₂max − (β₂max−β₂min)·sun.
// Per element of the bucket's tensors, in float32 as the reference:
//   m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  v̂ = v, or with v_max: v_max ← max(decay·v_max, v), v̂ = v_max;
//   tiny = adaptive_tiny ? tiny_denom·max(mean|θ|, 1) : 0 (mean over the tensor);
//   upd = lr·(m/bc₁) / (√(v̂/bc₂) + tiny + ε), with bc₁ = bc₂ = 1 for "none", bc₁ = 1−β₁ᵗ and
//   bc₂ = 1−β₂maxᵗ ("beta2max") or 1−Πβ₂ ("exact"); clipped to ±lr·max_ratio; θ ← θ − upd.
class KourkoutasBeta final : public Optimizer {
 public:
  KourkoutasBeta(const OptimizerSettings& settings, const ParamTable& table);
  // The state slots view the member buffers, so the object stays where it was built.
  KourkoutasBeta(const KourkoutasBeta&) = delete;
  KourkoutasBeta& operator=(const KourkoutasBeta&) = delete;

  void step(std::span<float> params, std::span<const float> grads, double learning_rate) override;
  std::string describe() const override;
  std::int64_t step_count() const override { return step_; }
  std::vector<StateTensor> state() const override;
  void load_state(const std::vector<StateTensor>& tensors) override;

  bool diagnostics_enabled() const override { return settings_.diagnostics; }
  Diagnostics diagnostics() const override;
  std::string describe_diagnostics() const override;
  BucketStats bucket_stats() const override;

  const BucketPlan& buckets() const { return plan_; }
  bool has_v_max() const { return !v_max_.empty(); }

 private:
  // Per-tensor float32 coefficients of one step, shared by the tensors of a bucket.
  struct TensorCoefficients {
    float beta2 = 0.0f;
    float one_minus_beta2 = 0.0f;
    float bias_correction1 = 1.0f;
    float bias_correction2 = 1.0f;
    float tiny = 0.0f;
  };
  // Per-chunk extrema of one step (diagnostics).
  struct ChunkExtrema {
    float max_abs_update = 0.0f;
    float denom_min = 0.0f;
    float max_vhat = 0.0f;
  };

  void reduce_chunks(std::span<const float> params, std::span<const float> grads);
  void update_buckets();
  template <bool kVMax, bool kClip, bool kDiagnostics>
  void update_elements(std::span<float> params, std::span<const float> grads, float lr);
  void combine_extrema(float lr);

  OptimizerSettings settings_;
  ParamTable table_;
  BucketPlan plan_;
  std::vector<detail::Chunk> chunks_;

  // State (all saved in checkpoints).
  std::vector<float> m_;  // layout of table_
  std::vector<float> v_;
  std::vector<float> v_max_;                                  // empty unless decay or max_ratio is set
  std::vector<float> grad_ema_;                               // per bucket
  std::vector<float> beta2_cumprod_;                          // per bucket: Π β₂ over the steps taken
  std::vector<float> last_sunspike_;                          // per bucket
  std::vector<float> last_beta2_;                             // per bucket
  std::array<float, 4> diagnostics_{1e9f, 0.0f, 0.0f, 0.0f};  // denom_min, max ratio, max |upd|, max v̂
  std::int64_t step_ = 0;
  std::vector<detail::StateSlot> slots_;

  // Scratch of one step, sized once.
  std::vector<double> chunk_sum_sq_;   // Σ g² per chunk
  std::vector<double> chunk_abs_sum_;  // Σ |θ| per chunk (adaptive_tiny only)
  std::vector<ChunkExtrema> chunk_extrema_;
  std::vector<double> tensor_sum_sq_;
  std::vector<double> tensor_abs_sum_;
  std::vector<TensorCoefficients> coefficients_;
};

}  // namespace kbeta::optim
