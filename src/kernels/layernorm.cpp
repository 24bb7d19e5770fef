#include "kernels/layernorm.hpp"

#include <cmath>

#include "kernels/column_sum.hpp"
#include "kernels/row_sum.hpp"

namespace kbeta::kernels {

template <typename Real>
void layernorm_forward(Real* y, Real* mean, Real* rstd, const Real* x, const Real* gamma, const Real* beta,
                       Index rows, Index C) {
  const double inverse_count = 1.0 / static_cast<double>(C);
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const Real* x_row = x + r * C;
    Real* y_row = y + r * C;

    // Scalar math: m = Σ_c x[c] / C ; var = Σ_c (x[c] − m)² / C   (two passes, in double)
    const double sum = detail::sum_row(C, [x_row](Index c) { return static_cast<double>(x_row[c]); });
    const double row_mean = sum * inverse_count;
    const double square_sum = detail::sum_row(C, [x_row, row_mean](Index c) {
      const double centred = static_cast<double>(x_row[c]) - row_mean;
      return centred * centred;
    });
    const double row_rstd = 1.0 / std::sqrt(square_sum * inverse_count + kLayerNormEps);

    const Real m = static_cast<Real>(row_mean);
    const Real s = static_cast<Real>(row_rstd);
    // Scalar math: y[c] = (x[c] − m) · s · γ[c] + β[c]
    for (Index c = 0; c < C; ++c) {
      y_row[c] = (x_row[c] - m) * s * gamma[c] + beta[c];
    }
    mean[r] = m;
    rstd[r] = s;
  }
}

template <typename Real>
void layernorm_backward(Real* dx, Real* dgamma, Real* dbeta, const Real* mean, const Real* rstd,
                        const Real* dy, const Real* x, const Real* gamma, Index rows, Index C) {
  const Real inverse_count = Real(1) / static_cast<Real>(C);
#pragma omp parallel for schedule(static)
  for (Index r = 0; r < rows; ++r) {
    const Real* x_row = x + r * C;
    const Real* dy_row = dy + r * C;
    Real* dx_row = dx + r * C;
    const Real m = mean[r];
    const Real s = rstd[r];

    // Scalar math: g = dy[c] · γ[c] ; x̂ = (x[c] − m) · s ; mean_g = Σ g / C ; mean_gx = Σ g · x̂ / C
    const double g_sum =
        detail::sum_row(C, [dy_row, gamma](Index c) { return static_cast<double>(dy_row[c] * gamma[c]); });
    const double gx_sum = detail::sum_row(C, [=](Index c) {
      const Real normalized = (x_row[c] - m) * s;
      return static_cast<double>(dy_row[c] * gamma[c] * normalized);
    });
    const Real mean_g = static_cast<Real>(g_sum) * inverse_count;
    const Real mean_gx = static_cast<Real>(gx_sum) * inverse_count;

    // Scalar math: dx[c] += s · (g − mean_g − x̂ · mean_gx)
    for (Index c = 0; c < C; ++c) {
      const Real g = dy_row[c] * gamma[c];
      const Real normalized = (x_row[c] - m) * s;
      dx_row[c] += s * (g - mean_g - normalized * mean_gx);
    }
  }

  // Scalar math: dγ[c] += Σ_r dy[r, c] · x̂[r, c] ; dβ[c] += Σ_r dy[r, c]
  detail::add_column_sum_pair(
      dgamma, dbeta, rows, C,
      [=](Index r, Index c) {
        const Real normalized = (x[r * C + c] - mean[r]) * rstd[r];
        return static_cast<double>(dy[r * C + c] * normalized);
      },
      [dy, C](Index r, Index c) { return static_cast<double>(dy[r * C + c]); });
}

template void layernorm_forward<float>(float*, float*, float*, const float*, const float*, const float*,
                                       Index, Index);
template void layernorm_forward<double>(double*, double*, double*, const double*, const double*,
                                        const double*, Index, Index);
template void layernorm_backward<float>(float*, float*, float*, const float*, const float*, const float*,
                                        const float*, const float*, Index, Index);
template void layernorm_backward<double>(double*, double*, double*, const double*, const double*,
                                         const double*, const double*, const double*, Index, Index);

}  // namespace kbeta::kernels
