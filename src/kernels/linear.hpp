// Fully connected layer y = x · Wᵀ + b with the weight stored (out, in), as the reference.
#pragma once

#include "kernels/blas.hpp"

namespace kbeta::kernels {

// Computes y = x · Wᵀ + b (bias optional: nullptr means none).
//   y      (rows, out)   output, overwritten
//   x      (rows, in)
//   weight (out, in)
//   bias   (out) or nullptr
template <typename Real>
void linear_forward(Real* y, const Real* x, const Real* weight, const Real* bias, Index rows, Index in,
                    Index out);

// Differentiates y = x · Wᵀ + b and ADDS the gradients:
//   dx += dy · W,  dW += dyᵀ · x,  db += Σ_rows dy.
//   dx      (rows, in) or nullptr (not needed, e.g. for the first layer)
//   dweight (out, in)
//   dbias   (out) or nullptr (layer without bias)
//   dy      (rows, out)
//   x       (rows, in)    the forward input
//   weight  (out, in)
// The bias gradient is summed per column in double, each column by one thread over all rows in
// order, so it does not depend on the thread count.
template <typename Real>
void linear_backward(Real* dx, Real* dweight, Real* dbias, const Real* dy, const Real* x, const Real* weight,
                     Index rows, Index in, Index out);

}  // namespace kbeta::kernels
