// Row-major matrix product through CBLAS (OpenBLAS), the one GEMM every kernel uses.
#pragma once

#include <cstddef>

namespace kbeta::kernels {

// Index and size type of every kernel (sizes are passed to CBLAS as int after a range check).
using Index = std::ptrdiff_t;

// Computes C = alpha · op(A) · op(B) + beta · C, all row-major, where op(X) is X or Xᵀ.
// C is (m, n), op(A) is (m, k), op(B) is (k, n); lda, ldb and ldc are the row strides of the
// stored matrices. `Real` is float (cblas_sgemm) or double (cblas_dgemm). C is split into fixed
// 64-row (or 64-column) tiles, each one single-threaded CBLAS call, spread over the OpenMP
// threads, so every entry of C is bit-identical for any thread count (OpenBLAS's own threading
// does not guarantee that). Called inside an OpenMP parallel region, it runs on the calling thread.
template <typename Real>
void gemm(bool transpose_a, bool transpose_b, Index m, Index n, Index k, Real alpha, const Real* a, Index lda,
          const Real* b, Index ldb, Real beta, Real* c, Index ldc);

}  // namespace kbeta::kernels
