// Element-wise kernels: ReLU, the residual sum and the row-broadcast add.
#pragma once

#include "kernels/blas.hpp"

namespace kbeta::kernels {

// Computes y = max(x, 0). y may alias x.
//   y (n), x (n)
template <typename Real>
void relu_forward(Real* y, const Real* x, Index n);

// Differentiates y = max(x, 0) from its saved output and ADDS: dx += dy · [y > 0].
//   dx (n), y (n) the forward output, dy (n)
template <typename Real>
void relu_backward(Real* dx, const Real* y, const Real* dy, Index n);

// Computes y = a + b (the residual connection). y may alias a or b.
//   y (n), a (n), b (n)
template <typename Real>
void residual_forward(Real* y, const Real* a, const Real* b, Index n);

// Differentiates y = a + b and ADDS: da += dy, db += dy. Either gradient may be nullptr.
//   da (n), db (n), dy (n)
template <typename Real>
void residual_backward(Real* da, Real* db, const Real* dy, Index n);

// Adds one row vector to every row, in place: y[r, c] += v[c] (bias or positional table row).
//   y (rows, C), v (C)
template <typename Real>
void broadcast_add_forward(Real* y, const Real* v, Index rows, Index C);

// Differentiates y[r, c] += v[c] with respect to v and ADDS: dv += Σ_rows dy, per column in
// double by one thread each (thread-count independent).
//   dv (C), dy (rows, C)
template <typename Real>
void broadcast_add_backward(Real* dv, const Real* dy, Index rows, Index C);

}  // namespace kbeta::kernels
