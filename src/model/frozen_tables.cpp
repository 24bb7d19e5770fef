#include "model/frozen_tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace kbeta::model {

int quant_group_size(std::size_t row_length) {
  if (row_length % static_cast<std::size_t>(kQuantGroupSize) == 0) {
    return kQuantGroupSize;
  }
  return static_cast<int>(row_length);
}

void quantize_dequantize(std::span<float> values, int group) {
  KBETA_CHECK(group > 0 && values.size() % static_cast<std::size_t>(group) == 0);
  constexpr float kBins = 15.0f;  // 4 bits
  constexpr float kMinScale = 1e-7f;
  const auto g = static_cast<std::size_t>(group);
  for (std::size_t start = 0; start < values.size(); start += g) {
    const std::span<float> w = values.subspan(start, g);
    const auto [min_it, max_it] = std::minmax_element(w.begin(), w.end());
    const float w_min = *min_it;
    const float w_max = *max_it;
    // The edge of larger magnitude is represented exactly; the scale is negative when it is
    // the maximum, so that q = 0 maps onto that edge.
    const bool negative_edge = std::fabs(w_min) > std::fabs(w_max);
    float scale = std::max((w_max - w_min) / kBins, kMinScale);
    scale = negative_edge ? scale : -scale;
    const float edge = negative_edge ? w_min : w_max;
    const float q0 = std::nearbyint(edge / scale);
    if (q0 != 0.0f) {
      scale = edge / q0;
    }
    const float bias = q0 == 0.0f ? 0.0f : edge;
    for (float& v : w) {
      const float q = std::clamp(std::nearbyint((v - bias) / scale), 0.0f, kBins);
      const float scaled = scale * q;
      v = scaled + bias;
    }
  }
}

namespace {

// exp as MLX's CPU backend evaluates it in float32 (its SIMD math, also for single elements):
// 2^x = 2^round(x) · p(x − round(x)) with a degree-6 polynomial evaluated by fused multiply-adds.
// It differs from libm's expf by an ulp on some arguments, which moves RoPE angles.
float mlx_exp(float value) {
  const float x = value * 1.442695f;  // log2(e)
  const float integer_part = std::floor(x + 0.5f);
  const float fraction = x - integer_part;
  float p = 1.535336188319500e-4f;
  p = std::fma(p, fraction, 1.339887440266574e-3f);
  p = std::fma(p, fraction, 9.618437357674640e-3f);
  p = std::fma(p, fraction, 5.550332471162809e-2f);
  p = std::fma(p, fraction, 2.402264791363012e-1f);
  p = std::fma(p, fraction, 6.931472028550421e-1f);
  p = std::fma(p, fraction, 1.0f);
  // The RoPE exponents lie in (−ln 100, 0], far from underflow, so 2^integer_part is normal.
  return p * std::ldexp(1.0f, static_cast<int>(integer_part));
}

}  // namespace

void rope_rows(std::span<float> table, int rows, int width, int position_step) {
  KBETA_CHECK(width % 2 == 0);
  KBETA_CHECK(table.size() == static_cast<std::size_t>(rows) * static_cast<std::size_t>(width));
  const int half = width / 2;
  // MLX fallback: inv_freq[k] = exp(−k · (log(base) / half)), every step in float32.
  const float coefficient = std::log(100.0f) / static_cast<float>(half);
  std::vector<float> inv_freq(static_cast<std::size_t>(half));
  for (int k = 0; k < half; ++k) {
    inv_freq[static_cast<std::size_t>(k)] = mlx_exp(static_cast<float>(-k) * coefficient);
  }
  for (int r = 0; r < rows; ++r) {
    const auto position = static_cast<float>(r * position_step);
    float* x = table.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(width);
    for (int k = 0; k < half; ++k) {
      const float theta = position * inv_freq[static_cast<std::size_t>(k)];
      // NOTE: libm's cosf/sinf; MLX's CPU results differ from these by up to an ulp on some
      // angles (measured against the reference's tables: at most 1.5e-8 on entries near 0.1).
      const float cos_theta = std::cos(theta);
      const float sin_theta = std::sin(theta);
      const std::size_t even = 2 * static_cast<std::size_t>(k);
      const float x0 = x[even];
      const float x1 = x[even + 1];
      const float a = x0 * cos_theta;
      const float b = x1 * sin_theta;
      const float c = x0 * sin_theta;
      const float d = x1 * cos_theta;
      x[even] = a - b;
      x[even + 1] = c + d;
    }
  }
}

void sinusoidal_rows(std::span<float> table, int rows, int width) {
  KBETA_CHECK(width % 2 == 0);
  KBETA_CHECK(table.size() == static_cast<std::size_t>(rows) * static_cast<std::size_t>(width));
  for (int p = 0; p < rows; ++p) {
    for (int k = 0; k < width / 2; ++k) {
      const double angle = p * std::pow(10000.0, -2.0 * k / width);
      const auto base =
          static_cast<std::size_t>(p) * static_cast<std::size_t>(width) + 2 * static_cast<std::size_t>(k);
      table[base] = static_cast<float>(std::sin(angle));
      table[base + 1] = static_cast<float>(std::cos(angle));
    }
  }
}

void projection_weight_row(std::span<float> out, rng::Key key, int embed_dim, std::size_t row) {
  const std::size_t in = out.size();
  const std::size_t n = static_cast<std::size_t>(embed_dim) * in;
  // mx.random.uniform(−k, k) with k = sqrt(1/in) computed in double and rounded to float32,
  // value = (hi − lo)·min(bits/UINT32_MAX, nextafter(1, 0)) + lo, as rng::uniform.
  const double k = std::sqrt(1.0 / static_cast<double>(in));
  const auto lo = static_cast<float>(-k);
  const auto hi = static_cast<float>(k);
  const float range = hi - lo;
  const float upper = std::nextafter(1.0f, 0.0f);
  const auto maxval = static_cast<float>(std::numeric_limits<std::uint32_t>::max());
  for (std::size_t i = 0; i < in; ++i) {
    const std::uint32_t word = rng::bits_at(key, n, row * in + i);
    const float u = std::min(static_cast<float>(word) / maxval, upper);
    const float scaled = range * u;
    out[i] = scaled + lo;
  }
  quantize_dequantize(out, quant_group_size(in));
}

}  // namespace kbeta::model
