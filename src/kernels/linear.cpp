#include "kernels/linear.hpp"

#include "kernels/column_sum.hpp"

namespace kbeta::kernels {

template <typename Real>
void linear_forward(Real* y, const Real* x, const Real* weight, const Real* bias, Index rows, Index in,
                    Index out) {
  if (bias != nullptr) {
#pragma omp parallel for schedule(static)
    for (Index r = 0; r < rows; ++r) {
      Real* y_row = y + r * out;
      for (Index o = 0; o < out; ++o) {
        y_row[o] = bias[o];
      }
    }
  }
  // (rows, in) × (out, in)ᵀ → (rows, out), added to the bias rows when there is a bias
  gemm<Real>(false, true, rows, out, in, Real(1), x, in, weight, in, bias != nullptr ? Real(1) : Real(0), y,
             out);
}

template <typename Real>
void linear_backward(Real* dx, Real* dweight, Real* dbias, const Real* dy, const Real* x, const Real* weight,
                     Index rows, Index in, Index out) {
  if (dx != nullptr) {
    // (rows, out) × (out, in) → (rows, in), added to dx
    gemm<Real>(false, false, rows, in, out, Real(1), dy, out, weight, in, Real(1), dx, in);
  }
  // (rows, out)ᵀ × (rows, in) → (out, in), added to dweight
  gemm<Real>(true, false, out, in, rows, Real(1), dy, out, x, in, Real(1), dweight, in);
  if (dbias != nullptr) {
    // Scalar math: dbias[o] += Σ_r dy[r, o]
    detail::add_column_sums(dbias, rows, out,
                            [dy, out](Index r, Index o) { return static_cast<double>(dy[r * out + o]); });
  }
}

template void linear_forward<float>(float*, const float*, const float*, const float*, Index, Index, Index);
template void linear_forward<double>(double*, const double*, const double*, const double*, Index, Index,
                                     Index);
template void linear_backward<float>(float*, float*, float*, const float*, const float*, const float*, Index,
                                     Index, Index);
template void linear_backward<double>(double*, double*, double*, const double*, const double*, const double*,
                                      Index, Index, Index);

}  // namespace kbeta::kernels
