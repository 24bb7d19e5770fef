#include "optim/kourkoutas.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::optim {
namespace {

// Σ f(x[i]) over [begin, end) in double, with kLanes interleaved partial sums combined in a fixed
// order: the result depends only on the data, and the independent lanes let the additions overlap
// instead of waiting on one accumulator.
template <typename Function>
double sum_in_fixed_order(const float* x, std::size_t begin, std::size_t end, Function f) {
  constexpr std::size_t kLanes = 8;
  double lanes[kLanes] = {};
  std::size_t i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      lanes[lane] += f(static_cast<double>(x[i + lane]));
    }
  }
  for (std::size_t lane = 0; i < end; ++i, ++lane) {
    lanes[lane] += f(static_cast<double>(x[i]));
  }
  double total = 0.0;
  for (double lane_sum : lanes) {
    total += lane_sum;
  }
  return total;
}

}  // namespace

KourkoutasBeta::KourkoutasBeta(const OptimizerSettings& settings, const ParamTable& table)
    : settings_(settings),
      table_(table),
      plan_(make_bucket_plan(table, settings.layer_buckets)),
      chunks_(detail::make_chunks(table)),
      m_(table.total_size(), 0.0f),
      v_(table.total_size(), 0.0f),
      grad_ema_(plan_.count(), 0.0f),
      beta2_cumprod_(plan_.count(), 1.0f),
      last_sunspike_(plan_.count(), 0.0f),
      last_beta2_(plan_.count(), 0.0f),
      chunk_sum_sq_(chunks_.size(), 0.0),
      chunk_abs_sum_(settings.adaptive_tiny ? chunks_.size() : 0, 0.0),
      chunk_extrema_(settings.diagnostics ? chunks_.size() : 0),
      tensor_sum_sq_(table.count(), 0.0),
      tensor_abs_sum_(table.count(), 0.0),
      coefficients_(table.count()) {
  // The reference allocates v_max only when soft AMSGrad or the trust-region clip is on.
  if (settings_.decay || settings_.max_ratio) {
    v_max_.assign(table.total_size(), 0.0f);
  }

  slots_.push_back(detail::StateSlot{"optimizer.step", {}, std::span<std::int64_t>(&step_, 1)});
  detail::add_per_tensor_slots(slots_, "optimizer.m", table_, m_);
  detail::add_per_tensor_slots(slots_, "optimizer.v", table_, v_);
  if (!v_max_.empty()) {
    detail::add_per_tensor_slots(slots_, "optimizer.v_max", table_, v_max_);
  }
  const std::vector<std::int64_t> bucket_shape{static_cast<std::int64_t>(plan_.count())};
  slots_.push_back(detail::StateSlot{"optimizer.grad_ema", bucket_shape, std::span<float>(grad_ema_)});
  slots_.push_back(
      detail::StateSlot{"optimizer.beta2_cumprod", bucket_shape, std::span<float>(beta2_cumprod_)});
  slots_.push_back(
      detail::StateSlot{"optimizer.last_sunspike", bucket_shape, std::span<float>(last_sunspike_)});
  slots_.push_back(detail::StateSlot{"optimizer.last_beta2", bucket_shape, std::span<float>(last_beta2_)});
  if (settings_.diagnostics) {
    slots_.push_back(detail::StateSlot{"optimizer.diagnostics", {4}, std::span<float>(diagnostics_)});
  }
}

void KourkoutasBeta::step(std::span<float> params, std::span<const float> grads, double learning_rate) {
  KBETA_CHECK(params.size() == table_.total_size());
  KBETA_CHECK(grads.size() == table_.total_size());
  step_ += 1;
  const float lr = static_cast<float>(learning_rate);

  reduce_chunks(params, grads);
  update_buckets();

  const bool v_max = !v_max_.empty();
  const bool clip = settings_.max_ratio.has_value();
  const bool diag = settings_.diagnostics;
  // One instantiation per combination keeps the option tests out of the per-element loop.
  if (v_max) {
    if (clip) {
      diag ? update_elements<true, true, true>(params, grads, lr)
           : update_elements<true, true, false>(params, grads, lr);
    } else {
      diag ? update_elements<true, false, true>(params, grads, lr)
           : update_elements<true, false, false>(params, grads, lr);
    }
  } else {
    if (clip) {
      diag ? update_elements<false, true, true>(params, grads, lr)
           : update_elements<false, true, false>(params, grads, lr);
    } else {
      diag ? update_elements<false, false, true>(params, grads, lr)
           : update_elements<false, false, false>(params, grads, lr);
    }
  }
  if (diag) {
    combine_extrema(lr);
  }
}

// Sums g² (and |θ| for adaptive_tiny) per chunk, then per tensor in chunk order. Each chunk's
// sum runs in one fixed order, so the totals do not depend on the number of threads.
void KourkoutasBeta::reduce_chunks(std::span<const float> params, std::span<const float> grads) {
  const float* __restrict p = params.data();
  const float* __restrict g = grads.data();
  const bool abs_sums = settings_.adaptive_tiny;
  const auto chunk_count = static_cast<std::ptrdiff_t>(chunks_.size());
  // Below two chunks of work, waking the thread team costs more than the loop.
  const bool parallel = table_.total_size() >= 2 * detail::kChunkElements;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::ptrdiff_t c = 0; c < chunk_count; ++c) {
    const auto index = static_cast<std::size_t>(c);
    const detail::Chunk chunk = chunks_[index];
    chunk_sum_sq_[index] = sum_in_fixed_order(g, chunk.begin, chunk.end, [](double x) { return x * x; });
    if (abs_sums) {
      chunk_abs_sum_[index] =
          sum_in_fixed_order(p, chunk.begin, chunk.end, [](double x) { return std::fabs(x); });
    }
  }

  std::fill(tensor_sum_sq_.begin(), tensor_sum_sq_.end(), 0.0);
  std::fill(tensor_abs_sum_.begin(), tensor_abs_sum_.end(), 0.0);
  for (std::size_t c = 0; c < chunks_.size(); ++c) {
    tensor_sum_sq_[chunks_[c].tensor] += chunk_sum_sq_[c];
    if (abs_sums) {
      tensor_abs_sum_[chunks_[c].tensor] += chunk_abs_sum_[c];
    }
  }
}

// Advances each bucket's EMA, sun-spike and β₂, then fills the per-tensor coefficients. The
// float32 roundings follow the reference's expressions: Python-float constants such as
// β₂max − β₂min and (β₂min + β₂max)/2 are formed in double and rounded once.
void KourkoutasBeta::update_buckets() {
  const float alpha = static_cast<float>(settings_.alpha);
  const float one_minus_alpha = 1.0f - alpha;
  const float tiny_spike = static_cast<float>(settings_.tiny_spike);
  const float beta2_max = static_cast<float>(settings_.beta2_max);
  const float beta2_range = static_cast<float>(settings_.beta2_max - settings_.beta2_min);
  const float beta2_warmup = static_cast<float>(0.5 * (settings_.beta2_min + settings_.beta2_max));
  const bool warm = step_ <= settings_.warmup_steps;

  const float t = static_cast<float>(step_);
  const BiasCorrection mode = settings_.bias_correction;
  const float bias_correction1 =
      mode == BiasCorrection::None ? 1.0f : 1.0f - std::pow(static_cast<float>(settings_.beta1), t);
  const float beta2max_correction = 1.0f - std::pow(beta2_max, t);

  for (std::size_t b = 0; b < plan_.count(); ++b) {
    double sum_sq = 0.0;
    for (std::size_t tensor : plan_.tensors_of_bucket[b]) {
      sum_sq += tensor_sum_sq_[tensor];
    }
    const float norm = static_cast<float>(std::sqrt(sum_sq));
    grad_ema_[b] = alpha * grad_ema_[b] + one_minus_alpha * norm;
    const float raw = norm / (grad_ema_[b] + tiny_spike);
    const float sunspike = warm ? 0.0f : raw / (1.0f + raw);
    const float beta2 = warm ? beta2_warmup : beta2_max - beta2_range * sunspike;
    last_sunspike_[b] = sunspike;
    last_beta2_[b] = beta2;

    float bias_correction2 = 1.0f;
    if (mode != BiasCorrection::None) {
      beta2_cumprod_[b] *= beta2;
      bias_correction2 = mode == BiasCorrection::Exact ? 1.0f - beta2_cumprod_[b] : beta2max_correction;
    }

    for (std::size_t tensor : plan_.tensors_of_bucket[b]) {
      TensorCoefficients& k = coefficients_[tensor];
      k.beta2 = beta2;
      k.one_minus_beta2 = 1.0f - beta2;
      k.bias_correction1 = bias_correction1;
      k.bias_correction2 = bias_correction2;
      k.tiny = 0.0f;
      if (settings_.adaptive_tiny) {
        const double size = static_cast<double>(table_.entries()[tensor].size);
        const float mean_abs = static_cast<float>(tensor_abs_sum_[tensor] / size);
        k.tiny = static_cast<float>(settings_.tiny_denom) * std::max(mean_abs, 1.0f);
      }
    }
  }
}

template <bool kVMax, bool kClip, bool kDiagnostics>
void KourkoutasBeta::update_elements(std::span<float> params, std::span<const float> grads, float lr) {
  const float beta1 = static_cast<float>(settings_.beta1);
  const float one_minus_beta1 = static_cast<float>(1.0 - settings_.beta1);
  const float eps = static_cast<float>(settings_.eps);
  // Hard AMSGrad (max_ratio without decay) is max(v_max, v) = max(1·v_max, v).
  const float decay = static_cast<float>(settings_.decay.value_or(1.0));
  const float limit = kClip ? lr * static_cast<float>(settings_.max_ratio.value_or(0.0)) : 0.0f;

  float* __restrict p = params.data();
  const float* __restrict g = grads.data();
  float* __restrict m = m_.data();
  float* __restrict v = v_.data();
  float* __restrict v_max = v_max_.data();
  const auto chunk_count = static_cast<std::ptrdiff_t>(chunks_.size());
  // Below two chunks of work, waking the thread team costs more than the loop.
  const bool parallel = table_.total_size() >= 2 * detail::kChunkElements;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::ptrdiff_t c = 0; c < chunk_count; ++c) {
    const auto index = static_cast<std::size_t>(c);
    const detail::Chunk chunk = chunks_[index];
    const TensorCoefficients k = coefficients_[chunk.tensor];
    float max_abs_update = 0.0f;
    float denom_min = std::numeric_limits<float>::infinity();
    float max_vhat = 0.0f;
    // Scalar math: see the class comment; every operation rounds to float32 in the reference's order.
#pragma omp simd reduction(max : max_abs_update, max_vhat) reduction(min : denom_min)
    for (std::size_t i = chunk.begin; i < chunk.end; ++i) {
      const float gi = g[i];
      const float mi = beta1 * m[i] + one_minus_beta1 * gi;
      const float vi = k.beta2 * v[i] + k.one_minus_beta2 * (gi * gi);
      m[i] = mi;
      v[i] = vi;
      float vhat = vi;
      if constexpr (kVMax) {
        vhat = std::max(decay * v_max[i], vi);
        v_max[i] = vhat;
      }
      const float denom = std::sqrt(vhat / k.bias_correction2) + k.tiny + eps;
      float update = (lr * (mi / k.bias_correction1)) / denom;
      if constexpr (kClip) {
        // clip(update, −limit, limit) as two selects: the nested std::min/std::max kept GCC 12 from
        // vectorizing this loop.
        update = update < -limit ? -limit : update;
        update = update > limit ? limit : update;
      }
      if constexpr (kDiagnostics) {
        max_abs_update = std::max(max_abs_update, std::fabs(update));
        denom_min = std::min(denom_min, denom);
        max_vhat = std::max(max_vhat, vhat);
      }
      p[i] = p[i] - update;
    }
    if constexpr (kDiagnostics) {
      chunk_extrema_[index] = ChunkExtrema{max_abs_update, denom_min, max_vhat};
    }
  }
}

void KourkoutasBeta::combine_extrema(float lr) {
  float max_abs_update = 0.0f;
  float denom_min = std::numeric_limits<float>::infinity();
  float max_vhat = 0.0f;
  for (const ChunkExtrema& e : chunk_extrema_) {
    max_abs_update = std::max(max_abs_update, e.max_abs_update);
    denom_min = std::min(denom_min, e.denom_min);
    max_vhat = std::max(max_vhat, e.max_vhat);
  }
  diagnostics_[0] = std::min(diagnostics_[0], denom_min);
  // max(|upd|/lr) = max|upd|/lr because rounded division by a positive number is monotonic.
  if (lr > 0.0f) {
    diagnostics_[1] = std::max(diagnostics_[1], max_abs_update / lr);
  }
  diagnostics_[2] = std::max(diagnostics_[2], max_abs_update);
  diagnostics_[3] = std::max(diagnostics_[3], max_vhat);
}

std::string KourkoutasBeta::describe() const {
  const auto optional_repr = [](const std::optional<double>& value) -> std::string {
    // The reference prints `value or 'off'`, so 0 also reads "off".
    return value && *value != 0.0 ? python_float_repr(*value) : "off";
  };
  return fmt::format(
      "KOUR   β1={} | β2_max={} | β2_min={} | α={} | tiny={:.1e}/{:.1e} | adaptTiny={} | decay={} | "
      "maxR={} | eps={:.2e} | diagnostics={}",
      python_float_repr(settings_.beta1), python_float_repr(settings_.beta2_max),
      python_float_repr(settings_.beta2_min), python_float_repr(settings_.alpha), settings_.tiny_spike,
      settings_.tiny_denom, settings_.adaptive_tiny ? "True" : "False", optional_repr(settings_.decay),
      optional_repr(settings_.max_ratio), settings_.eps, settings_.diagnostics ? "True" : "False");
}

Diagnostics KourkoutasBeta::diagnostics() const {
  return Diagnostics{diagnostics_[0], diagnostics_[1], diagnostics_[2], diagnostics_[3]};
}

std::string KourkoutasBeta::describe_diagnostics() const {
  const Diagnostics d = diagnostics();
  return fmt::format("   ↳ denom_min={:.2e} | upd/ρ_max={:.1f} | upd_norm_max={:.1e} | v̂_max={:.1e}",
                     static_cast<double>(d.denom_min), static_cast<double>(d.max_update_ratio),
                     static_cast<double>(d.max_abs_update), static_cast<double>(d.max_vhat));
}

BucketStats KourkoutasBeta::bucket_stats() const {
  return BucketStats{plan_.names, last_sunspike_, last_beta2_};
}

std::vector<StateTensor> KourkoutasBeta::state() const {
  return detail::as_views(slots_);
}

void KourkoutasBeta::load_state(const std::vector<StateTensor>& tensors) {
  detail::load_into(slots_, tensors);
}

}  // namespace kbeta::optim
