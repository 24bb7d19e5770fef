// Layer normalisation over the last axis: y = (x − mean) · rsqrt(var + 1e-5) · γ + β, with the
// biased variance, as MLX's fast.layer_norm.
#pragma once

#include "kernels/blas.hpp"

namespace kbeta::kernels {

inline constexpr double kLayerNormEps = 1e-5;

// Normalises each row of x and saves its mean and rstd = 1/√(var + eps) for the backward pass.
//   y     (rows, C)   output, overwritten
//   mean  (rows)      saved
//   rstd  (rows)      saved
//   x     (rows, C)
//   gamma (C), beta (C)
template <typename Real>
void layernorm_forward(Real* y, Real* mean, Real* rstd, const Real* x, const Real* gamma, const Real* beta,
                       Index rows, Index C);

// Differentiates y = x̂ · γ + β with x̂ = (x − mean) · rstd and ADDS the gradients:
//   dx += rstd · (g − mean_C(g) − x̂ · mean_C(g · x̂)) with g = dy · γ,
//   dγ += Σ_rows dy · x̂,  dβ += Σ_rows dy.
//   dx     (rows, C)
//   dgamma (C), dbeta (C)   summed per column in double by one thread each (thread-count independent)
//   mean   (rows), rstd (rows)   saved by layernorm_forward
//   dy     (rows, C)
//   x      (rows, C)   the forward input
//   gamma  (C)
template <typename Real>
void layernorm_backward(Real* dx, Real* dgamma, Real* dbeta, const Real* mean, const Real* rstd,
                        const Real* dy, const Real* x, const Real* gamma, Index rows, Index C);

}  // namespace kbeta::kernels
