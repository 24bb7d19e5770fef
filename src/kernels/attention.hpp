// Multi-head scaled dot-product attention core with an additive (T, T) mask, as MLX's
// fast.scaled_dot_product_attention: per head, P = softmax(scale · q·kᵀ + mask), out = P · v,
// scale = 1/√HS. The q, k and v projections (no biases) and the output projection are linear
// layers outside this kernel.
//
// The kernel reads only the mask entries that can be finite. For query row i it reads keys
// 0 … key_end[i] − 1, where key_end[i] is one past the last finite entry of that row (entries
// that are −∞ inside that range are handled by the softmax, where exp(−∞) = 0). With the block
// mask every row reads keys 0 … S − 1, so only the first Tk = S frames need keys and values; with
// the causal mask row i reads keys 0 … max(i, S) − 1 and the masked half is skipped.
#pragma once

#include <vector>

#include "kernels/blas.hpp"

namespace kbeta::kernels {

// Which keys each query row reads, computed once from the mask (its −∞ pattern stays fixed
// during training: −∞ entries get a zero gradient and a zero optimiser update).
struct AttentionMaskLayout {
  Index T = 0;                 // query rows, and the mask is (T, T)
  Index Tk = 0;                // keys any row reads: max(key_end) ≤ T; k and v hold Tk frames
  std::vector<Index> key_end;  // (T) row i reads keys [0, key_end[i])
};

// Builds the layout of a (T, T) additive mask. Throws kbeta::Error when a row has no finite
// entry, because its softmax would be 0/0 (the reference outputs NaN there, e.g. the block mask
// with start_predicting_from = 0).
//   mask (T, T)
template <typename Real>
AttentionMaskLayout attention_mask_layout(const Real* mask, Index T);

// Computes out = softmax(scale · q·kᵀ + mask) · v per batch and head, and saves the
// probabilities. Parallel over (batch, head); every output entry is computed by one thread in a
// fixed order, so the result does not depend on the thread count.
//   out   (B, T, C)          output, overwritten; head h occupies columns h·HS … (h+1)·HS − 1
//   probs (B, NH, T, Tk)     saved; row i holds P[i, 0 … key_end[i] − 1] and zeros after
//   q     (B, T, C)
//   k     (B, Tk, C)         keys of the first Tk frames only
//   v     (B, Tk, C)
//   mask  (T, T)
template <typename Real>
void attention_forward(Real* out, Real* probs, const Real* q, const Real* k, const Real* v, const Real* mask,
                       const AttentionMaskLayout& layout, Index B, Index NH, Index C);

// Differentiates out = P · v with P = softmax(scale · q·kᵀ + mask) and ADDS the gradients:
//   dS = P ⊙ (dP − rowsum(dP ⊙ P)) with dP = dout · vᵀ,
//   dq += scale · dS · k,  dk += scale · dSᵀ · q,  dv += Pᵀ · dout,
//   dmask += Σ_{batch, head} dS (only when dmask is not nullptr; exactly 0 at −∞ entries, never
//   written outside [0, key_end[i]) of each row).
//   dq      (B, T, C)
//   dk      (B, Tk, C)
//   dv      (B, Tk, C)
//   dmask   (T, T) or nullptr   the mask-bias gradient, summed in double over batch and head in a
//                               fixed order
//   dscores (B, NH, T, Tk)      scratch, overwritten (holds dS on return)
//   probs   (B, NH, T, Tk)      saved by attention_forward
//   dout    (B, T, C)
//   q       (B, T, C), k (B, Tk, C), v (B, Tk, C)   the forward inputs
template <typename Real>
void attention_backward(Real* dq, Real* dk, Real* dv, Real* dmask, Real* dscores, const Real* probs,
                        const Real* dout, const Real* q, const Real* k, const Real* v,
                        const AttentionMaskLayout& layout, Index B, Index NH, Index C);

}  // namespace kbeta::kernels
