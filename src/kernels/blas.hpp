// Row-major matrix product through CBLAS (OpenBLAS), the one GEMM every kernel uses.
#pragma once

#include <cstddef>

namespace kbeta::kernels {

// Index and size type of every kernel (sizes are passed to CBLAS as int after a range check).
using Index = std::ptrdiff_t;

// Computes C = alpha · op(A) · op(B) + beta · C, all row-major, where op(X) is X or Xᵀ.
// C is (m, n), op(A) is (m, k), op(B) is (k, n); lda, ldb and ldc are the row strides of the
// stored matrices. `Real` is float (cblas_sgemm) or double (cblas_dgemm). The longer side of C
// is split into tiles of gemm_tile_size rows (or columns), each one single-threaded CBLAS call,
// spread over the OpenMP threads. So every entry of C is bit-identical for any thread count,
// which OpenBLAS's own threading does not guarantee. Inside an OpenMP parallel region, gemm runs
// on the calling thread.
template <typename Real>
void gemm(bool transpose_a, bool transpose_b, Index m, Index n, Index k, Real alpha, const Real* a, Index lda,
          const Real* b, Index ldb, Real beta, Real* c, Index ldc);

// Rows (or columns) per tile when gemm splits a side of this length: about an eighth of it,
// rounded up to a multiple of 16, and at least 64. It depends on the length only.
Index gemm_tile_size(Index length);

}  // namespace kbeta::kernels
