#include "kernels/loss.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace kbeta::kernels {
namespace {

// Sizes and constants of one loss evaluation, and the physics residual at one interior point.
template <typename Real>
struct HeatGrid {
  const Real* pred;
  const Real* alpha;
  const Real* dt;
  double inverse_dx2;
  double inverse_dy2;
  Index T, NY, NX;

  Index index(Index b, Index t, Index i, Index j) const { return ((b * T + t) * NY + i) * NX + j; }
  double at(Index b, Index t, Index i, Index j) const { return static_cast<double>(pred[index(b, t, i, j)]); }
  bool interior(Index i, Index j) const { return i >= 1 && i <= NY - 2 && j >= 1 && j <= NX - 2; }

  // R = (p[t+1] − p[t]) / dt − α · (d2x + d2y) at interior point (i, j) of frame t ≤ T − 2.
  double residual(Index b, Index t, Index i, Index j) const {
    const double centre = at(b, t, i, j);
    const double d2x = (at(b, t, i, j + 1) - 2.0 * centre + at(b, t, i, j - 1)) * inverse_dx2;
    const double d2y = (at(b, t, i + 1, j) - 2.0 * centre + at(b, t, i - 1, j)) * inverse_dy2;
    const double time_derivative = (at(b, t + 1, i, j) - centre) / static_cast<double>(dt[b]);
    return time_derivative - static_cast<double>(alpha[b]) * (d2x + d2y);
  }
};

void check_loss_sizes(Index n_initial, Index B, Index T, Index NY, Index NX) {
  KBETA_CHECK(B >= 1);
  KBETA_CHECK(T >= 2);
  KBETA_CHECK(NY >= 3);
  KBETA_CHECK(NX >= 3);
  KBETA_CHECK(n_initial >= 1);
}

}  // namespace

template <typename Real>
HeatLossTerms heat_loss_forward(const Real* pred, const Real* target, const Real* alpha, const Real* dt,
                                double dx, double dy, Index n_initial, Index B, Index T, Index NY, Index NX) {
  check_loss_sizes(n_initial, B, T, NY, NX);
  const Index initial_frames = std::min(n_initial, T);
  const HeatGrid<Real> grid{pred, alpha, dt, 1.0 / (dx * dx), 1.0 / (dy * dy), T, NY, NX};

  double squared_error = 0.0;
  double initial_error = 0.0;
  double column_error = 0.0;  // left and right columns
  double row_error = 0.0;     // top and bottom rows
  double physics = 0.0;
  // A serial pass in a fixed order: about 1 M elements at the paper shape (B = 4, T = 401, 26 × 26).
  for (Index b = 0; b < B; ++b) {
    for (Index t = 0; t < T; ++t) {
      double frame_error = 0.0;
      for (Index i = 0; i < NY; ++i) {
        for (Index j = 0; j < NX; ++j) {
          const Index n = grid.index(b, t, i, j);
          const double difference = static_cast<double>(pred[n]) - static_cast<double>(target[n]);
          const double square = difference * difference;
          frame_error += square;
          if (j == 0 || j == NX - 1) {
            column_error += square;
          }
          if (i == 0 || i == NY - 1) {
            row_error += square;
          }
          if (t + 1 < T && grid.interior(i, j)) {
            const double r = grid.residual(b, t, i, j);
            physics += r * r;
          }
        }
      }
      squared_error += frame_error;
      if (t < initial_frames) {
        initial_error += frame_error;
      }
    }
  }

  const auto count = [](Index value) { return static_cast<double>(value); };
  HeatLossTerms terms;
  terms.mse = squared_error / count(B * T * NY * NX);
  terms.physics = physics / count(B * (T - 1) * (NY - 2) * (NX - 2));
  terms.boundary = column_error / count(B * T * NY) + row_error / count(B * T * NX);
  terms.initial = initial_error / count(B * initial_frames * NY * NX);
  terms.total = terms.mse + kBoundaryWeight * terms.boundary + kPhysicsWeight * terms.physics +
                kInitialWeight * terms.initial;
  return terms;
}

template <typename Real>
void heat_loss_backward(Real* dpred, const Real* pred, const Real* target, const Real* alpha, const Real* dt,
                        double dx, double dy, Index n_initial, Index B, Index T, Index NY, Index NX,
                        double scale) {
  check_loss_sizes(n_initial, B, T, NY, NX);
  const Index initial_frames = std::min(n_initial, T);
  const HeatGrid<Real> grid{pred, alpha, dt, 1.0 / (dx * dx), 1.0 / (dy * dy), T, NY, NX};
  const auto count = [](Index value) { return static_cast<double>(value); };

  // d(weight · mean(e²))/de = weight · 2e / count for each term.
  const double mse_factor = scale * 2.0 / count(B * T * NY * NX);
  const double initial_factor = scale * kInitialWeight * 2.0 / count(B * initial_frames * NY * NX);
  const double column_factor = scale * kBoundaryWeight * 2.0 / count(B * T * NY);
  const double row_factor = scale * kBoundaryWeight * 2.0 / count(B * T * NX);
  const double physics_factor = scale * kPhysicsWeight * 2.0 / count(B * (T - 1) * (NY - 2) * (NX - 2));

#pragma omp parallel for schedule(static)
  for (Index frame = 0; frame < B * T; ++frame) {
    const Index b = frame / T;
    const Index t = frame % T;
    const double inverse_dt = 1.0 / static_cast<double>(dt[b]);
    const double a = static_cast<double>(alpha[b]);
    // ∂R[t](i, j)/∂p[t](i, j): −1/dt + 2α (1/dx² + 1/dy²); neighbours in x: −α/dx², in y: −α/dy².
    const double centre_coefficient = -inverse_dt + 2.0 * a * (grid.inverse_dx2 + grid.inverse_dy2);
    const double x_coefficient = -a * grid.inverse_dx2;
    const double y_coefficient = -a * grid.inverse_dy2;
    const bool has_own_residual = t + 1 < T;    // R[t] exists
    const bool has_previous_residual = t >= 1;  // R[t−1] exists and depends on p[t] by +1/dt

    for (Index i = 0; i < NY; ++i) {
      for (Index j = 0; j < NX; ++j) {
        const Index n = grid.index(b, t, i, j);
        const double difference = static_cast<double>(pred[n]) - static_cast<double>(target[n]);
        double factor = mse_factor;
        if (t < initial_frames) {
          factor += initial_factor;
        }
        if (j == 0 || j == NX - 1) {
          factor += column_factor;
        }
        if (i == 0 || i == NY - 1) {
          factor += row_factor;
        }
        double gradient = factor * difference;

        // Scalar math: Σ over the residuals that read p[t](i, j) of R · ∂R/∂p[t](i, j)
        double physics = 0.0;
        if (has_own_residual) {
          if (grid.interior(i, j)) {
            physics += centre_coefficient * grid.residual(b, t, i, j);
          }
          if (grid.interior(i, j - 1)) {
            physics += x_coefficient * grid.residual(b, t, i, j - 1);
          }
          if (grid.interior(i, j + 1)) {
            physics += x_coefficient * grid.residual(b, t, i, j + 1);
          }
          if (grid.interior(i - 1, j)) {
            physics += y_coefficient * grid.residual(b, t, i - 1, j);
          }
          if (grid.interior(i + 1, j)) {
            physics += y_coefficient * grid.residual(b, t, i + 1, j);
          }
        }
        if (has_previous_residual && grid.interior(i, j)) {
          physics += inverse_dt * grid.residual(b, t - 1, i, j);
        }
        gradient += physics_factor * physics;
        dpred[n] = static_cast<Real>(static_cast<double>(dpred[n]) + gradient);
      }
    }
  }
}

#define KBETA_INSTANTIATE_LOSS(Real)                                                                         \
  template HeatLossTerms heat_loss_forward<Real>(const Real*, const Real*, const Real*, const Real*, double, \
                                                 double, Index, Index, Index, Index, Index);                 \
  template void heat_loss_backward<Real>(Real*, const Real*, const Real*, const Real*, const Real*, double,  \
                                         double, Index, Index, Index, Index, Index, double);

KBETA_INSTANTIATE_LOSS(float)
KBETA_INSTANTIATE_LOSS(double)

}  // namespace kbeta::kernels
