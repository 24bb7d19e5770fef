#include "kernels/loss.hpp"

#include <algorithm>
#include <vector>

#include "core/error.hpp"
#include "kernels/row_sum.hpp"

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

  // Writes out[j] = R(i, j) of frame t ≤ T − 2 for j = 1 … NX − 2 on interior row i, where
  // R = (p[t+1] − p[t]) / dt − α · (d2x + d2y), with row pointers so that the loop vectorises.
  void residual_row(double* out, Index b, Index t, Index i) const {
    const Real* row = pred + index(b, t, i, 0);
    const Real* above = row - NX;
    const Real* below = row + NX;
    const Real* next = pred + index(b, t + 1, i, 0);
    const double inverse_dt = 1.0 / static_cast<double>(dt[b]);
    const double a = static_cast<double>(alpha[b]);
    for (Index j = 1; j + 1 < NX; ++j) {
      const double centre = static_cast<double>(row[j]);
      const double d2x =
          (static_cast<double>(row[j + 1]) - 2.0 * centre + static_cast<double>(row[j - 1])) * inverse_dx2;
      const double d2y =
          (static_cast<double>(below[j]) - 2.0 * centre + static_cast<double>(above[j])) * inverse_dy2;
      const double time_derivative = (static_cast<double>(next[j]) - centre) * inverse_dt;
      out[j] = time_derivative - a * (d2x + d2y);
    }
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
  // One row of residuals (NX), grown once per thread and reused across calls.
  thread_local std::vector<double> residual_row;
  if (residual_row.size() < static_cast<std::size_t>(NX)) {
    residual_row.assign(static_cast<std::size_t>(NX), 0.0);
  }
  // A serial pass in a fixed order. At B = 4, T = 401 and a 26 × 26 grid (1.08 M elements) it takes
  // 2.2 ms on one core (bench/kernels_bench.cpp).
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
        }
      }
      if (t + 1 < T) {
        for (Index i = 1; i + 1 < NY; ++i) {
          double* residuals = residual_row.data();
          grid.residual_row(residuals, b, t, i);
          physics +=
              detail::sum_row(NX - 2, [residuals](Index j) { return residuals[j + 1] * residuals[j + 1]; });
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

  // Residual frames with a one-cell zero halo, (NY + 2, NX + 2) each: zero outside the interior,
  // so the gather below needs no branches. Per thread, grown once and reused across calls.
  const Index padded_width = NX + 2;
  const Index padded_size = (NY + 2) * padded_width;

#pragma omp parallel
  {
    thread_local std::vector<double> residual_frames;
    if (residual_frames.size() < static_cast<std::size_t>(2 * padded_size)) {
      residual_frames.assign(static_cast<std::size_t>(2 * padded_size), 0.0);
    }
    double* own = residual_frames.data();                     // R[t], (NY + 2, NX + 2)
    double* previous = residual_frames.data() + padded_size;  // R[t − 1], (NY + 2, NX + 2)

#pragma omp for schedule(static)
    for (Index frame = 0; frame < B * T; ++frame) {
      const Index b = frame / T;
      const Index t = frame % T;
      const double inverse_dt = 1.0 / static_cast<double>(dt[b]);
      const double a = static_cast<double>(alpha[b]);

      // Scalar math: own[i + 1, j + 1] = R[t](i, j), previous[i + 1, j + 1] = R[t − 1](i, j) on the
      // interior, 0 elsewhere (and everywhere when that residual frame does not exist).
      std::fill(own, own + 2 * padded_size, 0.0);
      for (Index i = 1; i + 1 < NY; ++i) {
        if (t + 1 < T) {
          grid.residual_row(own + (i + 1) * padded_width + 1, b, t, i);
        }
        if (t >= 1) {
          grid.residual_row(previous + (i + 1) * padded_width + 1, b, t - 1, i);
        }
      }

      // ∂R[t](i, j)/∂p[t](i, j) = −1/dt + 2α (1/dx² + 1/dy²); x neighbours −α/dx², y neighbours
      // −α/dy²; ∂R[t−1](i, j)/∂p[t](i, j) = 1/dt.
      const double centre_coefficient = -inverse_dt + 2.0 * a * (grid.inverse_dx2 + grid.inverse_dy2);
      const double x_coefficient = -a * grid.inverse_dx2;
      const double y_coefficient = -a * grid.inverse_dy2;
      const double frame_factor = mse_factor + (t < initial_frames ? initial_factor : 0.0);
      for (Index i = 0; i < NY; ++i) {
        const double row_term = (i == 0 || i == NY - 1) ? row_factor : 0.0;
        const double* own_row = own + (i + 1) * padded_width + 1;  // own_row[j] = R[t](i, j)
        const double* own_above = own_row - padded_width;
        const double* own_below = own_row + padded_width;
        const double* previous_row = previous + (i + 1) * padded_width + 1;
        const Index row_start = grid.index(b, t, i, 0);
        // Scalar math: dpred += factor · (pred − target) + physics_factor · Σ R · ∂R/∂pred
        for (Index j = 0; j < NX; ++j) {
          const double column_term = (j == 0 || j == NX - 1) ? column_factor : 0.0;
          const double difference =
              static_cast<double>(pred[row_start + j]) - static_cast<double>(target[row_start + j]);
          const double physics = centre_coefficient * own_row[j] +
                                 x_coefficient * (own_row[j - 1] + own_row[j + 1]) +
                                 y_coefficient * (own_above[j] + own_below[j]) + inverse_dt * previous_row[j];
          const double gradient =
              (frame_factor + row_term + column_term) * difference + physics_factor * physics;
          dpred[row_start + j] = static_cast<Real>(static_cast<double>(dpred[row_start + j]) + gradient);
        }
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
