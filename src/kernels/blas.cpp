#include "kernels/blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <climits>

#include "core/error.hpp"

namespace kbeta::kernels {
namespace {

// Tiles per product: 8 divides evenly over 1, 2, 4 or 8 threads. Every tile repacks the other
// operand, so tiles must not be too small. Measured on one thread of a 2-vCPU AMD EPYC for
// (1604 × 512) · (512 × 512)ᵀ: 64-row tiles ran at 84.5 GFLOP/s, 8 tiles of 208 rows at 95, and
// one cblas_sgemm call at 97-100.
constexpr Index kGemmTiles = 8;
// Smallest tile: below it the per-call cost of a CBLAS call outweighs the balance.
constexpr Index kMinGemmTile = 64;

int to_blas_int(Index value) {
  KBETA_CHECK(value >= 0 && value <= INT_MAX);
  return static_cast<int>(value);
}

CBLAS_TRANSPOSE to_blas_transpose(bool transpose) {
  return transpose ? CblasTrans : CblasNoTrans;
}

void call_cblas(CBLAS_TRANSPOSE transpose_a, CBLAS_TRANSPOSE transpose_b, int m, int n, int k, float alpha,
                const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void call_cblas(CBLAS_TRANSPOSE transpose_a, CBLAS_TRANSPOSE transpose_b, int m, int n, int k, double alpha,
                const double* a, int lda, const double* b, int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace

Index gemm_tile_size(Index length) {
  const Index eighth = (length + kGemmTiles - 1) / kGemmTiles;
  return std::max(kMinGemmTile, (eighth + 15) / 16 * 16);
}

template <typename Real>
void gemm(bool transpose_a, bool transpose_b, Index m, Index n, Index k, Real alpha, const Real* a, Index lda,
          const Real* b, Index ldb, Real beta, Real* c, Index ldc) {
  if (m == 0 || n == 0) {
    return;
  }
  const CBLAS_TRANSPOSE op_a = to_blas_transpose(transpose_a);
  const CBLAS_TRANSPOSE op_b = to_blas_transpose(transpose_b);
  const int blas_k = to_blas_int(k);
  const int blas_lda = to_blas_int(lda);
  const int blas_ldb = to_blas_int(ldb);
  const int blas_ldc = to_blas_int(ldc);

  // Split the longer side of C into fixed tiles, each computed by one single-threaded CBLAS call
  // (OpenBLAS runs single-threaded inside an OpenMP parallel region). Each tile's shape depends
  // only on (m, n), so every entry of C is summed identically for any thread count. OpenBLAS's
  // own threading does not guarantee that: for (300 × 520) · (520 × 96), 1 and 2 threads differ
  // in the last bit.
  const bool split_rows = m >= n;
  const Index length = split_rows ? m : n;
  const Index tile_size = gemm_tile_size(length);
  const Index tiles = (length + tile_size - 1) / tile_size;
#pragma omp parallel for schedule(static)
  for (Index tile = 0; tile < tiles; ++tile) {
    const Index begin = tile * tile_size;
    const Index size = std::min(tile_size, length - begin);
    if (split_rows) {
      // Rows [begin, begin + size) of C take rows of op(A): row offset in A, or column offset in Aᵀ.
      const Real* a_tile = transpose_a ? a + begin : a + begin * lda;
      call_cblas(op_a, op_b, to_blas_int(size), to_blas_int(n), blas_k, alpha, a_tile, blas_lda, b, blas_ldb,
                 beta, c + begin * ldc, blas_ldc);
    } else {
      // Columns [begin, begin + size) of C take columns of op(B): column offset in B, or row offset in Bᵀ.
      const Real* b_tile = transpose_b ? b + begin * ldb : b + begin;
      call_cblas(op_a, op_b, to_blas_int(m), to_blas_int(size), blas_k, alpha, a, blas_lda, b_tile, blas_ldb,
                 beta, c + begin, blas_ldc);
    }
  }
}

template void gemm<float>(bool, bool, Index, Index, Index, float, const float*, Index, const float*, Index,
                          float, float*, Index);
template void gemm<double>(bool, bool, Index, Index, Index, double, const double*, Index, const double*,
                           Index, double, double*, Index);

}  // namespace kbeta::kernels
