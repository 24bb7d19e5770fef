// Settings of the optimisers (the `optimizer.*` configuration keys) and their validation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kbeta::optim {

enum class OptimizerKind { Adam95, Adam999, Kourkoutas };

// Kourkoutas-β bias correction: "none" divides by nothing, "beta2max" uses 1 − β₂max^t (the
// reference's choice), "exact" uses 1 − Π β₂ over the steps taken.
enum class BiasCorrection { None, Beta2Max, Exact };

// How Kourkoutas-β groups tensors for the gradient norm and β₂:
//   Global  one bucket for every tensor (what the reference ends up doing),
//   Tensor  one bucket per tensor,
//   Layer   one bucket per encoder layer `transformer_encoder.layers.<i>.`; every other tensor
//           (embeddings, final norms, output projection, mask) is its own bucket,
//   Shape   one bucket per distinct tensor shape.
enum class BucketMode { Global, Tensor, Layer, Shape };

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Adam999;  // optimizer.name; the reference's default

  // Adam. The reference fixes β₁ = 0.9, ε = 1e-8 and takes β₂ from the name; these keys override.
  std::optional<double> adam_beta1;  // optimizer.adam_beta1
  std::optional<double> adam_beta2;  // optimizer.adam_beta2
  std::optional<double> adam_eps;    // optimizer.adam_eps
  bool adam_bias_correction = true;  // optimizer.adam_bias_correction

  // Kourkoutas-β, with the defaults of the reference's optimiser factory.
  double beta1 = 0.9;
  double beta2_min = 0.88;
  double beta2_max = 0.999;
  double alpha = 0.93;  // EMA coefficient of the bucket gradient norm
  double eps = 1e-8;
  double tiny_spike = 1e-8;         // added to the EMA in the sun-spike ratio
  double tiny_denom = 1e-8;         // scaled by max(mean|θ|, 1) when adaptive_tiny is on
  std::optional<double> decay;      // soft AMSGrad leak of v_max; 1.0 is hard AMSGrad
  std::optional<double> max_ratio;  // trust-region clip |Δθ| ≤ lr·max_ratio; implies v_max
  bool adaptive_tiny = false;
  std::int64_t warmup_steps = 350;
  BiasCorrection bias_correction = BiasCorrection::Beta2Max;
  bool diagnostics = false;  // optimizer.kour_diagnostics
  BucketMode layer_buckets = BucketMode::Global;

  // Throws kbeta::ConfigError naming the first invalid key, its value and the expectation.
  void validate() const;

  // Adam's (β₁, β₂, ε) after applying the name and the overrides.
  double resolved_adam_beta1() const;
  double resolved_adam_beta2() const;
  double resolved_adam_eps() const;
};

// Parsers of the string-valued keys; each throws kbeta::ConfigError naming the key and the choices.
OptimizerKind parse_optimizer_kind(std::string_view text);    // optimizer.name
BiasCorrection parse_bias_correction(std::string_view text);  // optimizer.bias_correction
BucketMode parse_bucket_mode(std::string_view text);          // optimizer.layer_buckets

std::string_view to_string(OptimizerKind kind);
std::string_view to_string(BiasCorrection mode);
std::string_view to_string(BucketMode mode);

}  // namespace kbeta::optim
