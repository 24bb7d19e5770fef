// Row-major matrix product through CBLAS (OpenBLAS), the one GEMM every kernel uses.
#pragma once

#include <cstddef>

namespace kbeta::kernels {

// Index and size type of every kernel (sizes are passed to CBLAS as int after a range check).
using Index = std::ptrdiff_t;

// Computes C = alpha · op(A) · op(B) + beta · C, all row-major, where op(X) is X or Xᵀ.
// C is (m, n), op(A) is (m, k), op(B) is (k, n); lda, ldb and ldc are the row strides of the
// stored matrices. `Real` is float (cblas_sgemm) or double (cblas_dgemm). OpenBLAS splits the
// work over rows and columns of C only, so every entry of C is summed in the same order whatever
// the thread count; the thread-count test of the linear kernel checks this.
template <typename Real>
void gemm(bool transpose_a, bool transpose_b, Index m, Index n, Index k, Real alpha, const Real* a, Index lda,
          const Real* b, Index ldb, Real beta, Real* c, Index ldc);

}  // namespace kbeta::kernels
