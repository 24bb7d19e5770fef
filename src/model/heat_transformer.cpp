#include "model/heat_transformer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/layernorm.hpp"
#include "kernels/linear.hpp"
#include "kernels/loss.hpp"
#include "model/initialization.hpp"

namespace kbeta::model {

using kernels::Index;

namespace {

std::size_t count(Index a, Index b) {
  return static_cast<std::size_t>(a) * static_cast<std::size_t>(b);
}

// Adds the wall time of its scope to one StepTimes field.
class ScopedTimer {
 public:
  explicit ScopedTimer(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

template <typename T>
void zero(std::vector<T>& buffer, std::size_t n) {
  std::fill_n(buffer.begin(), n, T(0));
}

}  // namespace

template <typename T>
HeatTransformer<T>::HeatTransformer(const ModelSpec& spec, int max_batch)
    : spec_(spec), max_batch_(max_batch) {
  validate(spec_);
  // The loss needs an interior (NY, NX ≥ 3), a time difference (T ≥ 2) and initial frames.
  if (spec_.ny < 3 || spec_.nx < 3) {
    throw ConfigError(fmt::format(
        "geometry: the grid is {} × {}; the physics loss needs at least 3 × 3 points", spec_.ny, spec_.nx));
  }
  if (spec_.time_steps < 2) {
    throw ConfigError(
        fmt::format("model_params.time_steps: expected at least 2 frames, got {}", spec_.time_steps));
  }
  if (spec_.n_initial_frames < 1) {
    throw ConfigError(
        fmt::format("eval.n_initial_frames: expected at least 1 frame, got {}", spec_.n_initial_frames));
  }
  if (max_batch_ < 1) {
    throw ConfigError(fmt::format("batch size: expected a positive integer, got {}", max_batch_));
  }
  // Keys and values for the frames some query reads. When that is most of the sequence (the
  // causal mask reads all frames but the last), computing all T avoids gathering the rows.
  key_frames_ = spec_.key_frames();
  if (2 * key_frames_ > spec_.time_steps) {
    key_frames_ = spec_.time_steps;
  }
  params_table_ = build_param_table(spec_, offsets_);
  frozen_table_ = build_frozen_table(spec_, frozen_offsets_);
  params_.assign(params_table_.total_size(), T(0));
  grads_.assign(params_table_.total_size(), T(0));
  frozen_.assign(frozen_table_.total_size(), T(0));

  const std::vector<float> mask = reference_mask(spec_);
  if (offsets_.has_mask) {
    std::ranges::transform(mask, params_.begin() + static_cast<std::ptrdiff_t>(offsets_.mask),
                           [](float v) { return static_cast<T>(v); });
  } else {
    fixed_mask_.resize(mask.size());
    std::ranges::transform(mask, fixed_mask_.begin(), [](float v) { return static_cast<T>(v); });
  }
  plan_buffers();
  refresh_after_load();
}

template <typename T>
void HeatTransformer<T>::plan_buffers() {
  const Index n = Index{max_batch_} * spec_.time_steps;
  const Index nk = Index{max_batch_} * key_frames_;
  const Index c = spec_.embed_dim, m = spec_.mlp_dim, p = spec_.pixels();
  const std::size_t scores =
      count(Index{max_batch_} * spec_.num_heads, Index{spec_.time_steps} * key_frames_);

  if (spec_.task == Task::Forecast) {
    input_.resize(count(n, p));
  }
  projected_.resize(count(n, c));
  layers_.resize(static_cast<std::size_t>(spec_.num_layers));
  for (LayerBuffers& layer : layers_) {
    for (auto* buffer :
         {&layer.input, &layer.ln1, &layer.ln2, &layer.query, &layer.attended, &layer.residual1}) {
      buffer->resize(count(n, c));
    }
    for (auto* buffer : {&layer.mean1, &layer.rstd1, &layer.mean2, &layer.rstd2}) {
      buffer->resize(static_cast<std::size_t>(n));
    }
    if (key_frames_ < spec_.time_steps) {
      layer.key_input.resize(count(nk, c));
    }
    layer.key.resize(count(nk, c));
    layer.value.resize(count(nk, c));
    layer.probs.resize(scores);
    layer.hidden.resize(count(n, m));
  }
  encoder_output_.resize(count(n, c));
  final_ln_.resize(count(n, c));
  norm_.resize(count(n, c));
  for (auto* buffer : {&final_mean_, &final_rstd_, &norm_mean_, &norm_rstd_}) {
    buffer->resize(static_cast<std::size_t>(n));
  }
  output_.resize(count(n, p));

  d_output_.resize(count(n, p));
  for (auto* buffer : {&d_stream_, &d_a_, &d_b_, &d_query_}) {
    buffer->resize(count(n, c));
  }
  for (auto* buffer : {&d_key_, &d_value_, &d_key_input_}) {
    buffer->resize(count(nk, c));
  }
  d_hidden_.resize(count(n, m));
  d_preact_.resize(count(n, m));
  d_scores_.resize(scores);
}

template <typename T>
const T* HeatTransformer<T>::mask_values() const {
  return offsets_.has_mask ? params_.data() + offsets_.mask : fixed_mask_.data();
}

template <typename T>
void HeatTransformer<T>::initialize(rng::Generator& gen) {
  const FrozenInputs inputs = draw_frozen_inputs(spec_, gen);
  std::vector<float> values(params_.size());
  draw_trainable(spec_, offsets_, gen, values);
  std::ranges::transform(values, params_.begin(), [](float v) { return static_cast<T>(v); });

  std::vector<double> frozen(frozen_.size());
  build_frozen(spec_, frozen_offsets_, inputs, frozen);
  std::ranges::transform(frozen, frozen_.begin(), [](double v) { return static_cast<T>(v); });
  refresh_after_load();
}

template <typename T>
void HeatTransformer<T>::refresh_after_load() {
  kernels::AttentionMaskLayout layout = kernels::attention_mask_layout(mask_values(), spec_.time_steps);
  if (layout.Tk > key_frames_) {
    throw Error(
        fmt::format("mask: a query reads key frame {} but the {} mask reads only the first {} frames; "
                    "load a mask of the configured type",
                    layout.Tk - 1, spec_.mask == MaskType::Block ? "block" : "causal", key_frames_));
  }
  // The key and value buffers hold key_frames_ frames; the kernel reads only each row's prefix
  // [0, key_end[i]) of them and gives the rest probability 0.
  layout.Tk = key_frames_;
  layout_ = std::move(layout);
}

template <typename T>
void HeatTransformer<T>::check_batch(std::size_t target_size, std::size_t alpha_size, int batch) const {
  KBETA_CHECK(batch >= 1 && batch <= max_batch_);
  KBETA_CHECK(target_size == count(Index{batch} * spec_.time_steps, spec_.pixels()));
  KBETA_CHECK(alpha_size == static_cast<std::size_t>(batch));
}

template <typename T>
const T* HeatTransformer<T>::model_input(std::span<const T> target, int batch) {
  if (spec_.task == Task::Reconstruct) {
    return target.data();
  }
  // Forecast: frames t ≥ n_initial_frames are zero, so they must be predicted.
  const std::size_t frame = static_cast<std::size_t>(spec_.pixels());
  const int keep = std::min(spec_.n_initial_frames, spec_.time_steps);
  for (int b = 0; b < batch; ++b) {
    const std::size_t start = count(b, spec_.time_steps) * frame;
    std::copy_n(target.begin() + static_cast<std::ptrdiff_t>(start), count(keep, 1) * frame,
                input_.begin() + static_cast<std::ptrdiff_t>(start));
    std::fill_n(input_.begin() + static_cast<std::ptrdiff_t>(start + count(keep, 1) * frame),
                count(spec_.time_steps - keep, 1) * frame, T(0));
  }
  return input_.data();
}

template <typename T>
LossTerms HeatTransformer<T>::compute_loss(std::span<const T> target, std::span<const T> alpha,
                                           std::span<const T> dt, int batch) {
  check_batch(target.size(), alpha.size(), batch);
  KBETA_CHECK(dt.size() == alpha.size());
  forward(model_input(target, batch), alpha.data(), batch);
  return loss(target.data(), alpha.data(), dt.data(), batch);
}

template <typename T>
LossTerms HeatTransformer<T>::compute_gradients(std::span<const T> target, std::span<const T> alpha,
                                                std::span<const T> dt, int batch) {
  check_batch(target.size(), alpha.size(), batch);
  KBETA_CHECK(dt.size() == alpha.size());
  times_ = StepTimes{};
  const T* input = model_input(target, batch);
  forward(input, alpha.data(), batch);
  const LossTerms terms = loss(target.data(), alpha.data(), dt.data(), batch);
  backward(target.data(), alpha.data(), dt.data(), batch);
  embedding_backward(input, alpha.data(), batch);
  return terms;
}

template <typename T>
void HeatTransformer<T>::predict(std::span<T> out, std::span<const T> input, std::span<const T> alpha,
                                 int batch) {
  check_batch(input.size(), alpha.size(), batch);
  KBETA_CHECK(out.size() == input.size());
  forward(input.data(), alpha.data(), batch);
  std::copy_n(output_.begin(), out.size(), out.begin());
}

template <typename T>
std::span<const T> HeatTransformer<T>::last_projected() const {
  return projected_;
}

template <typename T>
std::span<const T> HeatTransformer<T>::last_encoder_input() const {
  return layers_.front().input;
}

template <typename T>
LossTerms HeatTransformer<T>::loss(const T* target, const T* alpha, const T* dt, int batch) {
  ScopedTimer timer(times_.loss);
  const kernels::HeatLossTerms terms =
      kernels::heat_loss_forward(output_.data(), target, alpha, dt, spec_.dx, spec_.dy,
                                 spec_.n_initial_frames, batch, spec_.time_steps, spec_.ny, spec_.nx);
  return LossTerms{terms.total, terms.mse, terms.boundary, terms.physics, terms.initial};
}

// ---------------------------------------------------------------- forward

template <typename T>
void HeatTransformer<T>::embed(const T* input, const T* alpha, int batch) {
  ScopedTimer timer(times_.embedding);
  const Index tokens = Index{batch} * spec_.time_steps;
  const Index c = spec_.embed_dim, p = spec_.pixels();
  // projected = frame · Aᵀ + c (frozen_random) or frame · Wᵀ + b (linear): (B·T, P) × (C, P)ᵀ
  const T* weight = offsets_.has_frame_linear ? params_.data() + offsets_.frame_weight
                                              : frozen_.data() + frozen_offsets_.frame_matrix;
  const T* bias = offsets_.has_frame_linear ? params_.data() + offsets_.frame_bias
                                            : frozen_.data() + frozen_offsets_.frame_offset;
  kernels::linear_forward(projected_.data(), input, weight, bias, tokens, p, c);

  // x0[b, t] = projected[b, t] + PT[t] + alpha[b] · w_d + b_d
  const T* temporal = frozen_.data() + frozen_offsets_.temporal_encoding;
  const T* w_d = params_.data() + offsets_.diffusivity_weight;
  const T* b_d = params_.data() + offsets_.diffusivity_bias;
  T* x0 = layers_.front().input.data();
#pragma omp parallel for schedule(static)
  for (Index row = 0; row < tokens; ++row) {
    const Index b = row / spec_.time_steps;
    const Index t = row % spec_.time_steps;
    const T a = alpha[b];
    const T* pt = temporal + t * c;
    const T* src = projected_.data() + row * c;
    T* dst = x0 + row * c;
    for (Index j = 0; j < c; ++j) {
      const T diffusivity = a * w_d[j] + b_d[j];
      dst[j] = (src[j] + pt[j]) + diffusivity;
    }
  }
}

template <typename T>
void HeatTransformer<T>::forward(const T* input, const T* alpha, int batch) {
  embed(input, alpha, batch);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    T* out = l + 1 < layers_.size() ? layers_[l + 1].input.data() : encoder_output_.data();
    layer_forward(l, layers_[l].input.data(), out, batch);
  }
  const Index tokens = Index{batch} * spec_.time_steps;
  const Index c = spec_.embed_dim, p = spec_.pixels();
  {
    ScopedTimer timer(times_.layernorm);
    kernels::layernorm_forward(final_ln_.data(), final_mean_.data(), final_rstd_.data(),
                               encoder_output_.data(), params_.data() + offsets_.encoder_ln_weight,
                               params_.data() + offsets_.encoder_ln_bias, tokens, c);
    kernels::layernorm_forward(norm_.data(), norm_mean_.data(), norm_rstd_.data(), final_ln_.data(),
                               params_.data() + offsets_.norm_weight, params_.data() + offsets_.norm_bias,
                               tokens, c);
  }
  ScopedTimer timer(times_.linear);
  // (B·T, C) × (P, C)ᵀ
  kernels::linear_forward(output_.data(), norm_.data(), params_.data() + offsets_.output_weight,
                          params_.data() + offsets_.output_bias, tokens, c, p);
}

template <typename T>
const T* HeatTransformer<T>::key_source(const LayerBuffers& layer) const {
  return key_frames_ < spec_.time_steps ? layer.key_input.data() : layer.ln1.data();
}

template <typename T>
void HeatTransformer<T>::layer_forward(std::size_t l, const T* x, T* out, int batch) {
  LayerBuffers& layer = layers_[l];
  const LayerOffsets& w = offsets_.layers[l];
  const T* params = params_.data();
  const Index tokens = Index{batch} * spec_.time_steps;
  const Index key_tokens = Index{batch} * key_frames_;
  const Index c = spec_.embed_dim, m = spec_.mlp_dim;
  const std::size_t stream = count(tokens, c);

  {
    ScopedTimer timer(times_.layernorm);
    kernels::layernorm_forward(layer.ln1.data(), layer.mean1.data(), layer.rstd1.data(), x,
                               params + w.ln1_weight, params + w.ln1_bias, tokens, c);
  }
  if (key_frames_ < spec_.time_steps) {
    // Keys and values only for the frames a query can read: rows t < Tk of every sample.
    ScopedTimer timer(times_.elementwise);
    for (int b = 0; b < batch; ++b) {
      std::copy_n(layer.ln1.begin() + static_cast<std::ptrdiff_t>(count(Index{b} * spec_.time_steps, c)),
                  count(key_frames_, c),
                  layer.key_input.begin() + static_cast<std::ptrdiff_t>(count(Index{b} * key_frames_, c)));
    }
  }
  {
    ScopedTimer timer(times_.linear);
    // (B·T, C) × (C, C)ᵀ; keys and values (B·Tk, C) × (C, C)ᵀ
    kernels::linear_forward(layer.query.data(), layer.ln1.data(), params + w.query,
                            static_cast<const T*>(nullptr), tokens, c, c);
    kernels::linear_forward(layer.key.data(), key_source(layer), params + w.key,
                            static_cast<const T*>(nullptr), key_tokens, c, c);
    kernels::linear_forward(layer.value.data(), key_source(layer), params + w.value,
                            static_cast<const T*>(nullptr), key_tokens, c, c);
  }
  {
    ScopedTimer timer(times_.attention);
    kernels::attention_forward(layer.attended.data(), layer.probs.data(), layer.query.data(),
                               layer.key.data(), layer.value.data(), mask_values(), layout_, Index{batch},
                               Index{spec_.num_heads}, c);
  }
  {
    ScopedTimer timer(times_.linear);
    // (B·T, C) × (C, C)ᵀ
    kernels::linear_forward(layer.residual1.data(), layer.attended.data(), params + w.out,
                            static_cast<const T*>(nullptr), tokens, c, c);
  }
  {
    ScopedTimer timer(times_.elementwise);
    kernels::residual_forward(layer.residual1.data(), layer.residual1.data(), x, static_cast<Index>(stream));
  }
  {
    ScopedTimer timer(times_.layernorm);
    kernels::layernorm_forward(layer.ln2.data(), layer.mean2.data(), layer.rstd2.data(),
                               layer.residual1.data(), params + w.ln2_weight, params + w.ln2_bias, tokens, c);
  }
  {
    ScopedTimer timer(times_.linear);
    // (B·T, C) × (M, C)ᵀ
    kernels::linear_forward(layer.hidden.data(), layer.ln2.data(), params + w.linear1_weight,
                            params + w.linear1_bias, tokens, c, m);
  }
  {
    ScopedTimer timer(times_.elementwise);
    kernels::relu_forward(layer.hidden.data(), layer.hidden.data(), tokens * m);
  }
  {
    ScopedTimer timer(times_.linear);
    // (B·T, M) × (C, M)ᵀ
    kernels::linear_forward(out, layer.hidden.data(), params + w.linear2_weight, params + w.linear2_bias,
                            tokens, m, c);
  }
  ScopedTimer timer(times_.elementwise);
  kernels::residual_forward(out, out, layer.residual1.data(), static_cast<Index>(stream));
}

// ---------------------------------------------------------------- backward

template <typename T>
void HeatTransformer<T>::backward(const T* target, const T* alpha, const T* dt, int batch) {
  const Index tokens = Index{batch} * spec_.time_steps;
  const Index c = spec_.embed_dim, p = spec_.pixels();
  const std::size_t stream = count(tokens, c);
  T* grads = grads_.data();
  const T* params = params_.data();

  {
    ScopedTimer timer(times_.loss);
    zero(d_output_, count(tokens, p));
    kernels::heat_loss_backward(d_output_.data(), output_.data(), target, alpha, dt, spec_.dx, spec_.dy,
                                spec_.n_initial_frames, batch, spec_.time_steps, spec_.ny, spec_.nx);
  }
  {
    ScopedTimer timer(times_.linear);
    zero(d_a_, stream);
    kernels::linear_backward(d_a_.data(), grads + offsets_.output_weight, grads + offsets_.output_bias,
                             d_output_.data(), norm_.data(), params + offsets_.output_weight, tokens, c, p);
  }
  {
    ScopedTimer timer(times_.layernorm);
    zero(d_b_, stream);
    kernels::layernorm_backward(d_b_.data(), grads + offsets_.norm_weight, grads + offsets_.norm_bias,
                                norm_mean_.data(), norm_rstd_.data(), d_a_.data(), final_ln_.data(),
                                params + offsets_.norm_weight, tokens, c);
    zero(d_stream_, stream);
    kernels::layernorm_backward(d_stream_.data(), grads + offsets_.encoder_ln_weight,
                                grads + offsets_.encoder_ln_bias, final_mean_.data(), final_rstd_.data(),
                                d_b_.data(), encoder_output_.data(), params + offsets_.encoder_ln_weight,
                                tokens, c);
  }
  for (std::size_t l = layers_.size(); l-- > 0;) {
    layer_backward(l, batch);
  }
}

template <typename T>
void HeatTransformer<T>::layer_backward(std::size_t l, int batch) {
  // On entry d_stream_ contains ∂L/∂out of the layer, and on exit ∂L/∂x of its input.
  LayerBuffers& layer = layers_[l];
  const LayerOffsets& w = offsets_.layers[l];
  const T* params = params_.data();
  T* grads = grads_.data();
  const Index tokens = Index{batch} * spec_.time_steps;
  const Index key_tokens = Index{batch} * key_frames_;
  const Index c = spec_.embed_dim, m = spec_.mlp_dim;
  const std::size_t stream = count(tokens, c);
  const std::size_t key_stream = count(key_tokens, c);

  // out = residual1 + linear2(relu(linear1(ln2(residual1))))
  {
    ScopedTimer timer(times_.linear);
    zero(d_hidden_, count(tokens, m));
    kernels::linear_backward(d_hidden_.data(), grads + w.linear2_weight, grads + w.linear2_bias,
                             d_stream_.data(), layer.hidden.data(), params + w.linear2_weight, tokens, m, c);
  }
  {
    ScopedTimer timer(times_.elementwise);
    zero(d_preact_, count(tokens, m));
    kernels::relu_backward(d_preact_.data(), layer.hidden.data(), d_hidden_.data(), tokens * m);
  }
  {
    ScopedTimer timer(times_.linear);
    zero(d_a_, stream);
    kernels::linear_backward(d_a_.data(), grads + w.linear1_weight, grads + w.linear1_bias, d_preact_.data(),
                             layer.ln2.data(), params + w.linear1_weight, tokens, c, m);
  }
  {
    ScopedTimer timer(times_.layernorm);
    kernels::layernorm_backward(d_stream_.data(), grads + w.ln2_weight, grads + w.ln2_bias,
                                layer.mean2.data(), layer.rstd2.data(), d_a_.data(), layer.residual1.data(),
                                params + w.ln2_weight, tokens, c);
  }

  // residual1 = x + out_proj(attention(q, k, v)) with q, k, v from ln1(x)
  {
    ScopedTimer timer(times_.linear);
    zero(d_a_, stream);
    kernels::linear_backward(d_a_.data(), grads + w.out, static_cast<T*>(nullptr), d_stream_.data(),
                             layer.attended.data(), params + w.out, tokens, c, c);
  }
  {
    ScopedTimer timer(times_.attention);
    zero(d_query_, stream);
    zero(d_key_, key_stream);
    zero(d_value_, key_stream);
    T* d_mask = offsets_.has_mask ? grads + offsets_.mask : nullptr;
    kernels::attention_backward(d_query_.data(), d_key_.data(), d_value_.data(), d_mask, d_scores_.data(),
                                layer.probs.data(), d_a_.data(), layer.query.data(), layer.key.data(),
                                layer.value.data(), layout_, Index{batch}, Index{spec_.num_heads}, c);
  }
  {
    ScopedTimer timer(times_.linear);
    zero(d_b_, stream);
    kernels::linear_backward(d_b_.data(), grads + w.query, static_cast<T*>(nullptr), d_query_.data(),
                             layer.ln1.data(), params + w.query, tokens, c, c);
    const bool gathered = key_frames_ < spec_.time_steps;
    T* d_key_source = gathered ? d_key_input_.data() : d_b_.data();
    if (gathered) {
      zero(d_key_input_, key_stream);
    }
    kernels::linear_backward(d_key_source, grads + w.key, static_cast<T*>(nullptr), d_key_.data(),
                             key_source(layer), params + w.key, key_tokens, c, c);
    kernels::linear_backward(d_key_source, grads + w.value, static_cast<T*>(nullptr), d_value_.data(),
                             key_source(layer), params + w.value, key_tokens, c, c);
    if (gathered) {
      // Scatter the key-frame rows back: d_ln1[b, t] += d_key_input[b, t] for t < Tk. A serial
      // loop, because Tk < T/2 here and B·Tk·C is small (20 × 512 at the paper shape).
      const std::size_t frame_values = count(key_frames_, c);
      for (int b = 0; b < batch; ++b) {
        T* d_ln1 = d_b_.data() + count(Index{b} * spec_.time_steps, c);
        const T* d_key_rows = d_key_input_.data() + count(Index{b} * key_frames_, c);
        for (std::size_t i = 0; i < frame_values; ++i) {
          d_ln1[i] += d_key_rows[i];
        }
      }
    }
  }
  ScopedTimer timer(times_.layernorm);
  kernels::layernorm_backward(d_stream_.data(), grads + w.ln1_weight, grads + w.ln1_bias, layer.mean1.data(),
                              layer.rstd1.data(), d_b_.data(), layer.input.data(), params + w.ln1_weight,
                              tokens, c);
}

template <typename T>
void HeatTransformer<T>::embedding_backward(const T* input, const T* alpha, int batch) {
  // d_stream_ contains ∂L/∂x0 with x0[b, t] = projected[b, t] + PT[t] + alpha[b]·w_d + b_d.
  ScopedTimer timer(times_.embedding);
  const Index tokens = Index{batch} * spec_.time_steps;
  const Index c = spec_.embed_dim, p = spec_.pixels();
  T* grads = grads_.data();
  const T* dx = d_stream_.data();
  kernels::broadcast_add_backward(grads + offsets_.diffusivity_bias, dx, tokens, c);
  // ∂L/∂w_d[j] = Σ_{b,t} dx[b, t, j] · alpha[b], per column in double over rows in order. Each
  // thread owns a block of columns and walks the rows, so reads stay sequential.
  T* d_w = grads + offsets_.diffusivity_weight;
  constexpr Index kBlock = 128;
  const Index blocks = (c + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (Index block = 0; block < blocks; ++block) {
    const Index begin = block * kBlock;
    const Index width = std::min(kBlock, c - begin);
    double sums[kBlock] = {};
    for (Index row = 0; row < tokens; ++row) {
      const double a = static_cast<double>(alpha[row / spec_.time_steps]);
      const T* dx_row = dx + row * c + begin;
      for (Index j = 0; j < width; ++j) {
        sums[j] += static_cast<double>(dx_row[j]) * a;
      }
    }
    for (Index j = 0; j < width; ++j) {
      d_w[begin + j] += static_cast<T>(sums[j]);
    }
  }
  if (offsets_.has_frame_linear) {
    // (C, B·T) × (B·T, P) weight gradient; the frame itself is data and needs none.
    kernels::linear_backward(static_cast<T*>(nullptr), grads + offsets_.frame_weight,
                             grads + offsets_.frame_bias, dx, input, params_.data() + offsets_.frame_weight,
                             tokens, p, c);
  }
}

template class HeatTransformer<float>;
template class HeatTransformer<double>;

}  // namespace kbeta::model
