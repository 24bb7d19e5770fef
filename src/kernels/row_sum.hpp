// Deterministic, vectorisable sums along a row (internal to src/kernels).
#pragma once

#include "kernels/blas.hpp"

namespace kbeta::kernels::detail {

// Independent partial sums per row sum. One serial chain of double additions is bound by the
// add latency (about 4 cycles per element); 8 lanes let the compiler use vector registers.
inline constexpr Index kSumLanes = 8;

// Returns Σ_{c < n} term(c) in double: lane k sums the terms c ≡ k (mod 8) in order, then the
// lanes are combined in a fixed pairwise order, so the result depends only on the inputs.
template <typename Term>
double sum_row(Index n, Term term) {
  double lanes[kSumLanes] = {};
  Index c = 0;
  for (; c + kSumLanes <= n; c += kSumLanes) {
    for (Index k = 0; k < kSumLanes; ++k) {
      lanes[k] += term(c + k);
    }
  }
  for (Index k = 0; c + k < n; ++k) {
    lanes[k] += term(c + k);
  }
  return ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
}

}  // namespace kbeta::kernels::detail
