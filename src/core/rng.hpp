// Counter-based random generator, bit-compatible with MLX's (threefry2x32 with MLX's key
// splitting and its uniform, normal, permutation and randint conventions), so that a seed
// draws the same boundary values, diffusivities, initial values, weights and shuffles as the
// Python reference. Every random draw of the program goes through this file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace kbeta::rng {

// An MLX key: the uint32 pair [k0, k1].
struct Key {
  std::uint32_t k0 = 0;
  std::uint32_t k1 = 0;
  bool operator==(const Key&) const = default;
};

// [seed >> 32, seed & 0xffffffff], as mx.random.key(seed).
Key key_from_seed(std::uint64_t seed);

// One threefry2x32 block (20 rounds) of the counter pair (c0, c1) under key.
std::pair<std::uint32_t, std::uint32_t> threefry2x32(Key key, std::uint32_t c0, std::uint32_t c1);

// mx.random.bits(shape, width=4, key) for prod(shape) == out.size(): word i and word
// i + half + odd come from one block with counters (i, i + half + odd).
void bits(Key key, std::span<std::uint32_t> out);

// Word `index` of bits(key, out) with out.size() == n, computed alone: large draws (the frozen
// projection has D·ny·nx·D/2 weights) can be generated in pieces without the whole array.
std::uint32_t bits_at(Key key, std::size_t n, std::size_t index);

// mx.random.split(key): two new keys.
std::pair<Key, Key> split(Key key);

// mx.random.uniform(lo, hi, shape, float32, key), computed in float32 as MLX does.
void uniform(Key key, float lo, float hi, std::span<float> out);

// mx.random.normal(shape, float32, loc=0, scale=sigma, key): sqrt(2)·sigma·erfinv(u) with u
// uniform on [nextafter(-1, 0), 1).
void normal(Key key, float sigma, std::span<float> out);

// mx.random.permutation(n, key): a stable argsort of n random words.
std::vector<std::uint32_t> permutation(Key key, std::size_t n);

// mx.random.randint(lo, hi, shape, int32, key) of MLX 0.26/0.27: int32(max(uniform(lo, hi), lo)).
void randint(Key key, std::int32_t lo, std::int32_t hi, std::span<std::int32_t> out);

// MLX's single-precision inverse error function (M. Giles, "Approximating the erfinv
// function", 2010), evaluated one element at a time with std::log and std::fma in float.
float erfinv(float a);

// MLX's global key sequence: every sampling call without an explicit key consumes next().
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : key_(key_from_seed(seed)) {}

  void seed(std::uint64_t seed) { key_ = key_from_seed(seed); }
  // split(state) -> (new state, key to use); returns the key to use.
  Key next();

  Key state() const { return key_; }
  void set_state(Key key) { key_ = key; }

  void uniform(float lo, float hi, std::span<float> out) { rng::uniform(next(), lo, hi, out); }
  void normal(float sigma, std::span<float> out) { rng::normal(next(), sigma, out); }
  std::vector<std::uint32_t> permutation(std::size_t n) { return rng::permutation(next(), n); }
  void randint(std::int32_t lo, std::int32_t hi, std::span<std::int32_t> out) {
    rng::randint(next(), lo, hi, out);
  }

 private:
  Key key_;
};

}  // namespace kbeta::rng
