// Deterministic column sums shared by the weight-gradient kernels (internal to src/kernels).
#pragma once

#include <algorithm>

#include "kernels/blas.hpp"

namespace kbeta::kernels::detail {

// Columns per block of the column sums: the double accumulators of one block (2 KiB) stay in L1.
inline constexpr Index kColumnBlock = 256;

// ADDS out[c] += Σ_r term(r, c) for c in [0, C), each column summed in double over r = 0 … rows−1
// in order by exactly one thread, so the result does not depend on the thread count.
// term(r, c) must be cheap and side-effect free; it returns a double.
template <typename Real, typename Term>
void add_column_sums(Real* out, Index rows, Index C, Term term) {
  const Index blocks = (C + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel for schedule(static)
  for (Index block = 0; block < blocks; ++block) {
    const Index begin = block * kColumnBlock;
    const Index width = std::min(kColumnBlock, C - begin);
    double sums[kColumnBlock] = {};
    for (Index r = 0; r < rows; ++r) {
      // Scalar math: sums[c] += term(r, begin + c)
      for (Index c = 0; c < width; ++c) {
        sums[c] += term(r, begin + c);
      }
    }
    for (Index c = 0; c < width; ++c) {
      out[begin + c] = static_cast<Real>(static_cast<double>(out[begin + c]) + sums[c]);
    }
  }
}

// ADDS first[c] += Σ_r first_term(r, c) and second[c] += Σ_r second_term(r, c) in one pass over
// the rows, with the same order and ownership as add_column_sums.
template <typename Real, typename FirstTerm, typename SecondTerm>
void add_column_sum_pair(Real* first, Real* second, Index rows, Index C, FirstTerm first_term,
                         SecondTerm second_term) {
  const Index blocks = (C + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel for schedule(static)
  for (Index block = 0; block < blocks; ++block) {
    const Index begin = block * kColumnBlock;
    const Index width = std::min(kColumnBlock, C - begin);
    double first_sums[kColumnBlock] = {};
    double second_sums[kColumnBlock] = {};
    for (Index r = 0; r < rows; ++r) {
      // Scalar math: first_sums[c] += first_term(r, begin + c) ; second_sums[c] += second_term(r, begin + c)
      for (Index c = 0; c < width; ++c) {
        first_sums[c] += first_term(r, begin + c);
        second_sums[c] += second_term(r, begin + c);
      }
    }
    for (Index c = 0; c < width; ++c) {
      first[begin + c] = static_cast<Real>(static_cast<double>(first[begin + c]) + first_sums[c]);
      second[begin + c] = static_cast<Real>(static_cast<double>(second[begin + c]) + second_sums[c]);
    }
  }
}

}  // namespace kbeta::kernels::detail
