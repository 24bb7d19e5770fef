#include "optim/adam.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::optim {

Adam::Adam(const AdamSettings& settings, const ParamTable& table)
    : settings_(settings),
      table_(table),
      chunks_(detail::make_chunks(table)),
      m_(table.total_size(), 0.0f),
      v_(table.total_size(), 0.0f) {
  slots_.push_back(detail::StateSlot{"optimizer.step", {}, std::span<std::int64_t>(&step_, 1)});
  detail::add_per_tensor_slots(slots_, "optimizer.m", table_, m_);
  detail::add_per_tensor_slots(slots_, "optimizer.v", table_, v_);
}

void Adam::step(std::span<float> params, std::span<const float> grads, double learning_rate) {
  KBETA_CHECK(params.size() == table_.total_size());
  KBETA_CHECK(grads.size() == table_.total_size());
  step_ += 1;

  // The scalars are rounded to float32 the way MLX evaluates the Python expressions: (1 − β) in
  // double, powers and the corrections in float32.
  const float lr = static_cast<float>(learning_rate);
  const float beta1 = static_cast<float>(settings_.beta1);
  const float one_minus_beta1 = static_cast<float>(1.0 - settings_.beta1);
  const float beta2 = static_cast<float>(settings_.beta2);
  const float one_minus_beta2 = static_cast<float>(1.0 - settings_.beta2);
  const float eps = static_cast<float>(settings_.eps);
  float c1 = lr;
  float c2 = 1.0f;
  if (settings_.bias_correction) {
    const float t = static_cast<float>(step_);
    c1 = lr / (1.0f - std::pow(beta1, t));
    c2 = 1.0f / std::sqrt(1.0f - std::pow(beta2, t));
  }

  float* __restrict p = params.data();
  const float* __restrict g = grads.data();
  float* __restrict m = m_.data();
  float* __restrict v = v_.data();
  const auto chunk_count = static_cast<std::ptrdiff_t>(chunks_.size());
  // Below two chunks of work, waking the thread team costs more than the loop.
  const bool parallel = table_.total_size() >= 2 * detail::kChunkElements;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::ptrdiff_t c = 0; c < chunk_count; ++c) {
    const detail::Chunk chunk = chunks_[static_cast<std::size_t>(c)];
    // Scalar math: m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= c₁m / (√v·c₂ + ε).
#pragma omp simd
    for (std::size_t i = chunk.begin; i < chunk.end; ++i) {
      const float gi = g[i];
      const float mi = beta1 * m[i] + one_minus_beta1 * gi;
      const float vi = beta2 * v[i] + one_minus_beta2 * (gi * gi);
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] - (c1 * mi) / (std::sqrt(vi) * c2 + eps);
    }
  }
}

std::string Adam::describe() const {
  return fmt::format("{}  β1,β2=[{}, {}] | eps={:.2e} | bias_correction={}", settings_.label,
                     python_float_repr(settings_.beta1), python_float_repr(settings_.beta2), settings_.eps,
                     settings_.bias_correction ? "True" : "False");
}

std::vector<StateTensor> Adam::state() const {
  return detail::as_views(slots_);
}

void Adam::load_state(const std::vector<StateTensor>& tensors) {
  detail::load_into(slots_, tensors);
}

}  // namespace kbeta::optim
