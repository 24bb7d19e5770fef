// The training loss of the heat-diffusion model:
//   total = mse + 0.1 · boundary + 0.001 · physics + 0.1 · initial,
// with pred and target (B, T, NY, NX):
//   mse      = mean over all elements of (pred − target)²
//   physics  = mean over (B, T−1, NY−2, NX−2) of R², the forward-Euler residual of the heat
//              equation on the interior, for t = 0 … T−2:
//              R = (pred[t+1] − pred[t]) / dt[b] − α[b] · (d2x + d2y) at frame t, with
//              d2x = (p[i, j+1] − 2p[i, j] + p[i, j−1]) / dx², d2y = (p[i+1, j] − 2p[i, j] + p[i−1, j]) / dy²
//   boundary = the sum of four means of squared errors: left column, right column (each over
//              B·T·NY), top row, bottom row (each over B·T·NX); corners count twice
//   initial  = mean of (pred − target)² over the first n_initial frames (all T when n_initial > T)
#pragma once

#include "kernels/blas.hpp"

namespace kbeta::kernels {

inline constexpr double kBoundaryWeight = 0.1;
inline constexpr double kPhysicsWeight = 0.001;
inline constexpr double kInitialWeight = 0.1;

// The loss terms, each accumulated in double in a fixed order.
struct HeatLossTerms {
  double mse = 0.0;
  double physics = 0.0;
  double boundary = 0.0;
  double initial = 0.0;
  double total = 0.0;  // mse + 0.1 · boundary + 0.001 · physics + 0.1 · initial
};

// Computes the loss terms. Requires T ≥ 2, NY ≥ 3, NX ≥ 3 (the physics residual is otherwise
// empty) and n_initial ≥ 1.
//   pred   (B, T, NY, NX)
//   target (B, T, NY, NX)
//   alpha  (B)   thermal diffusivity per sample
//   dt     (B)   time step per sample
template <typename Real>
HeatLossTerms heat_loss_forward(const Real* pred, const Real* target, const Real* alpha, const Real* dt,
                                double dx, double dy, Index n_initial, Index B, Index T, Index NY, Index NX);

// ADDS scale · ∂total/∂pred into dpred (scale = 1 for the plain gradient). Parallel over frames;
// every entry is computed by one thread from its neighbours' residuals (no scatter), so the
// result does not depend on the thread count.
//   dpred  (B, T, NY, NX)
//   pred, target (B, T, NY, NX), alpha (B), dt (B)   as for heat_loss_forward
template <typename Real>
void heat_loss_backward(Real* dpred, const Real* pred, const Real* target, const Real* alpha, const Real* dt,
                        double dx, double dy, Index n_initial, Index B, Index T, Index NY, Index NX,
                        double scale = 1.0);

}  // namespace kbeta::kernels
