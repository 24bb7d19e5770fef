#include "kernels/linear.hpp"

#include <algorithm>

#include "kernels/column_sum.hpp"

namespace kbeta::kernels {

template <typename Real>
void linear_forward(Real* y, const Real* x, const Real* weight, const Real* bias, Index rows, Index in,
                    Index out) {
  if (bias == nullptr) {
    // (rows, in) × (out, in)ᵀ → (rows, out)
    gemm<Real>(false, true, rows, out, in, Real(1), x, in, weight, in, Real(0), y, out);
    return;
  }
  // With a bias, each tile of rows is filled with the bias and the product is added to it while
  // the tile is still in cache. This saves a separate pass over y, an estimated 0.2 ms against
  // 5 ms for the product for the (1604, 256) output of the MLP's first layer on one core.
  const Index tile_size = gemm_tile_size(rows);
  const Index tiles = (rows + tile_size - 1) / tile_size;
#pragma omp parallel for schedule(static)
  for (Index tile = 0; tile < tiles; ++tile) {
    const Index begin = tile * tile_size;
    const Index size = std::min(tile_size, rows - begin);
    Real* y_tile = y + begin * out;
    for (Index r = 0; r < size; ++r) {
      for (Index o = 0; o < out; ++o) {
        y_tile[r * out + o] = bias[o];
      }
    }
    // (size, in) × (out, in)ᵀ → (size, out), added to the bias rows; runs on this thread
    gemm<Real>(false, true, size, out, in, Real(1), x + begin * in, in, weight, in, Real(1), y_tile, out);
  }
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
