#include "core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"

namespace kbeta::rng {

Key key_from_seed(std::uint64_t seed) {
  return Key{static_cast<std::uint32_t>(seed >> 32), static_cast<std::uint32_t>(seed)};
}

std::pair<std::uint32_t, std::uint32_t> threefry2x32(Key key, std::uint32_t c0, std::uint32_t c1) {
  static constexpr std::uint32_t rotations[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  const std::uint32_t ks[3] = {key.k0, key.k1, key.k0 ^ key.k1 ^ 0x1BD11BDAu};

  c0 += ks[0];
  c1 += ks[1];
  for (std::uint32_t i = 0; i < 5; ++i) {
    for (std::uint32_t r : rotations[i % 2]) {
      c0 += c1;
      c1 = (c1 << r) | (c1 >> (32 - r));
      c1 ^= c0;
    }
    c0 += ks[(i + 1) % 3];
    c1 += ks[(i + 2) % 3] + i + 1;
  }
  return {c0, c1};
}

void bits(Key key, std::span<std::uint32_t> out) {
  const std::size_t n = out.size();
  KBETA_CHECK(n <= std::numeric_limits<std::uint32_t>::max());
  const std::size_t half = n / 2;
  const std::size_t odd = n % 2;
  for (std::size_t i = 0; i < half; ++i) {
    const auto j = i + half + odd;
    const auto [a, b] = threefry2x32(key, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
    out[i] = a;
    out[j] = b;
  }
  if (odd != 0) {
    out[half] = threefry2x32(key, static_cast<std::uint32_t>(half), 0).first;
  }
}

std::uint32_t bits_at(Key key, std::size_t n, std::size_t index) {
  KBETA_CHECK(index < n && n <= std::numeric_limits<std::uint32_t>::max());
  const std::size_t half = n / 2;
  const std::size_t odd = n % 2;
  if (index < half) {
    return threefry2x32(key, static_cast<std::uint32_t>(index),
                        static_cast<std::uint32_t>(index + half + odd))
        .first;
  }
  if (odd != 0 && index == half) {
    return threefry2x32(key, static_cast<std::uint32_t>(half), 0).first;
  }
  const std::size_t i = index - half - odd;
  return threefry2x32(key, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(index)).second;
}

std::pair<Key, Key> split(Key key) {
  std::uint32_t words[4];
  bits(key, words);
  return {Key{words[0], words[1]}, Key{words[2], words[3]}};
}

void uniform(Key key, float lo, float hi, std::span<float> out) {
  // MLX: range = hi - lo; u = min(float(bits) / float(UINT32_MAX), nextafter(1, 0));
  // value = range * u + lo, all in float32.
  const float range = hi - lo;
  const float upper = std::nextafter(1.0f, 0.0f);
  const auto maxval = static_cast<float>(std::numeric_limits<std::uint32_t>::max());
  std::vector<std::uint32_t> words(out.size());
  bits(key, words);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const float u = std::min(static_cast<float>(words[i]) / maxval, upper);
    const float scaled = range * u;
    out[i] = scaled + lo;
  }
}

float erfinv(float a) {
  const float t = std::log(std::fma(a, 0.0f - a, 1.0f));
  float p;
  if (std::abs(t) > 6.125f) {
    p = 3.03697567e-10f;
    p = std::fma(p, t, 2.93243101e-8f);
    p = std::fma(p, t, 1.22150334e-6f);
    p = std::fma(p, t, 2.84108955e-5f);
    p = std::fma(p, t, 3.93552968e-4f);
    p = std::fma(p, t, 3.02698812e-3f);
    p = std::fma(p, t, 4.83185798e-3f);
    p = std::fma(p, t, -2.64646143e-1f);
    p = std::fma(p, t, 8.40016484e-1f);
  } else {
    p = 5.43877832e-9f;
    p = std::fma(p, t, 1.43285448e-7f);
    p = std::fma(p, t, 1.22774793e-6f);
    p = std::fma(p, t, 1.12963626e-7f);
    p = std::fma(p, t, -5.61530760e-5f);
    p = std::fma(p, t, -1.47697632e-4f);
    p = std::fma(p, t, 2.31468678e-3f);
    p = std::fma(p, t, 1.15392581e-2f);
    p = std::fma(p, t, -2.32015476e-1f);
    p = std::fma(p, t, 8.86226892e-1f);
  }
  return a * p;
}

void normal(Key key, float sigma, std::span<float> out) {
  uniform(key, std::nextafter(-1.0f, 0.0f), 1.0f, out);
  // MLX multiplies float32(sqrt(2)) by float32(sigma) first, then by erfinv(u).
  const float scale = static_cast<float>(std::sqrt(2.0)) * sigma;
  for (float& v : out) {
    v = scale * erfinv(v);
  }
}

std::vector<std::uint32_t> permutation(Key key, std::size_t n) {
  std::vector<std::uint32_t> words(n);
  bits(key, words);
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return words[a] < words[b]; });
  return order;
}

void randint(Key key, std::int32_t lo, std::int32_t hi, std::span<std::int32_t> out) {
  std::vector<float> u(out.size());
  const auto flo = static_cast<float>(lo);
  uniform(key, flo, static_cast<float>(hi), u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::int32_t>(std::max(u[i], flo));
  }
}

Key Generator::next() {
  const auto [new_state, use] = split(key_);
  key_ = new_state;
  return use;
}

}  // namespace kbeta::rng
