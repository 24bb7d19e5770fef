#include "kernels/attention.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "kernels/row_sum.hpp"

namespace kbeta::kernels {
namespace {

// Query rows per GEMM block when the rows' key counts differ (the causal mask). Every row of a
// block computes scores for the block's largest key count, so with the causal mask a 64-row block
// computes about 64 · 64 / 2 masked scores. Rows with equal key counts (the block mask) join one
// block of any length.
// NOTE: 64 was chosen by reasoning, not tuned by measurement.
constexpr Index kRowBlock = 64;

// Key columns per chunk of the mask-gradient sum (2 KiB of double accumulators).
constexpr Index kMaskChunk = 256;

// One past the last query row of the GEMM block that starts at row `begin`: the block takes at
// least kRowBlock rows (fewer at the end) and goes on while the next row has the same key_end.
Index block_end(const AttentionMaskLayout& layout, Index begin) {
  Index end = std::min(layout.T, begin + kRowBlock);
  while (end < layout.T &&
         layout.key_end[static_cast<std::size_t>(end)] == layout.key_end[static_cast<std::size_t>(end - 1)]) {
    ++end;
  }
  return end;
}

// The keys read by the query rows [begin, end): the maximum of their key_end.
Index block_key_count(const AttentionMaskLayout& layout, Index begin, Index end) {
  Index count = 0;
  for (Index i = begin; i < end; ++i) {
    count = std::max(count, layout.key_end[static_cast<std::size_t>(i)]);
  }
  return count;
}

// Turns one row of scaled scores into probabilities in place, masked by mask_row, and zeroes
// the row from key_end to Tk.
template <typename Real>
void softmax_row(Real* row, const Real* mask_row, Index key_end, Index Tk) {
  // Scalar math: s[j] = row[j] + mask[j] ; row[j] = exp(s[j] − max s) / Σ exp(s − max s)
  Real maximum = -INFINITY;
  for (Index j = 0; j < key_end; ++j) {
    row[j] += mask_row[j];
    maximum = std::max(maximum, row[j]);
  }
  for (Index j = 0; j < key_end; ++j) {
    row[j] = std::exp(row[j] - maximum);
  }
  const double sum = detail::sum_row(key_end, [row](Index j) { return static_cast<double>(row[j]); });
  const Real inverse_sum = static_cast<Real>(1.0 / sum);
  for (Index j = 0; j < key_end; ++j) {
    row[j] *= inverse_sum;
  }
  for (Index j = key_end; j < Tk; ++j) {
    row[j] = Real(0);
  }
}

// Turns one row of dP into dS = P ⊙ (dP − Σ dP ⊙ P) in place and zeroes it from key_end to Tk.
template <typename Real>
void softmax_backward_row(Real* row, const Real* probs_row, Index key_end, Index Tk) {
  // Scalar math: dot = Σ_j P[j] · dP[j] ; dS[j] = P[j] · (dP[j] − dot)
  const double dot = detail::sum_row(
      key_end, [probs_row, row](Index j) { return static_cast<double>(probs_row[j] * row[j]); });
  const Real d = static_cast<Real>(dot);
  for (Index j = 0; j < key_end; ++j) {
    row[j] = probs_row[j] * (row[j] - d);
  }
  for (Index j = key_end; j < Tk; ++j) {
    row[j] = Real(0);
  }
}

}  // namespace

template <typename Real>
AttentionMaskLayout attention_mask_layout(const Real* mask, Index T) {
  AttentionMaskLayout layout;
  layout.T = T;
  layout.key_end.assign(static_cast<std::size_t>(T), 0);
  for (Index i = 0; i < T; ++i) {
    Index end = 0;
    for (Index j = 0; j < T; ++j) {
      if (std::isfinite(mask[i * T + j])) {
        end = j + 1;
      }
    }
    if (end == 0) {
      throw Error("attention mask row " + std::to_string(i) +
                  " has no finite entry, so its softmax is undefined; every query must see at least one key "
                  "(for the block mask, start_predicting_from must be at least 1)");
    }
    layout.key_end[static_cast<std::size_t>(i)] = end;
    layout.Tk = std::max(layout.Tk, end);
  }
  return layout;
}

template <typename Real>
void attention_forward(Real* out, Real* probs, const Real* q, const Real* k, const Real* v, const Real* mask,
                       const AttentionMaskLayout& layout, Index B, Index NH, Index C) {
  const Index T = layout.T;
  const Index Tk = layout.Tk;
  const Index HS = C / NH;
  KBETA_CHECK(HS * NH == C);
  const Real scale = static_cast<Real>(1.0 / std::sqrt(static_cast<double>(HS)));

#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < B * NH; ++bh) {
    const Index b = bh / NH;
    const Index h = bh % NH;
    const Real* q_head = q + b * T * C + h * HS;   // (T, HS), row stride C
    const Real* k_head = k + b * Tk * C + h * HS;  // (Tk, HS), row stride C
    const Real* v_head = v + b * Tk * C + h * HS;  // (Tk, HS), row stride C
    Real* out_head = out + b * T * C + h * HS;     // (T, HS), row stride C
    Real* probs_head = probs + bh * T * Tk;        // (T, Tk)

    for (Index begin = 0, end = 0; begin < T; begin = end) {
      end = block_end(layout, begin);
      const Index rows = end - begin;
      const Index keys = block_key_count(layout, begin, end);
      Real* probs_block = probs_head + begin * Tk;

      // scale · (rows, HS) × (keys, HS)ᵀ → scores (rows, keys)
      gemm<Real>(false, true, rows, keys, HS, scale, q_head + begin * C, C, k_head, C, Real(0), probs_block,
                 Tk);
      for (Index i = begin; i < end; ++i) {
        softmax_row(probs_head + i * Tk, mask + i * T, layout.key_end[static_cast<std::size_t>(i)], Tk);
      }
      // (rows, keys) × (keys, HS) → out (rows, HS)
      gemm<Real>(false, false, rows, HS, keys, Real(1), probs_block, Tk, v_head, C, Real(0),
                 out_head + begin * C, C);
    }
  }
}

template <typename Real>
void attention_backward(Real* dq, Real* dk, Real* dv, Real* dmask, Real* dscores, const Real* probs,
                        const Real* dout, const Real* q, const Real* k, const Real* v,
                        const AttentionMaskLayout& layout, Index B, Index NH, Index C) {
  const Index T = layout.T;
  const Index Tk = layout.Tk;
  const Index HS = C / NH;
  KBETA_CHECK(HS * NH == C);
  const Real scale = static_cast<Real>(1.0 / std::sqrt(static_cast<double>(HS)));

#pragma omp parallel for schedule(static)
  for (Index bh = 0; bh < B * NH; ++bh) {
    const Index b = bh / NH;
    const Index h = bh % NH;
    const Real* q_head = q + b * T * C + h * HS;        // (T, HS), row stride C
    const Real* k_head = k + b * Tk * C + h * HS;       // (Tk, HS), row stride C
    const Real* v_head = v + b * Tk * C + h * HS;       // (Tk, HS), row stride C
    const Real* dout_head = dout + b * T * C + h * HS;  // (T, HS), row stride C
    Real* dq_head = dq + b * T * C + h * HS;            // (T, HS), row stride C
    Real* dk_head = dk + b * Tk * C + h * HS;           // (Tk, HS), row stride C
    Real* dv_head = dv + b * Tk * C + h * HS;           // (Tk, HS), row stride C
    const Real* probs_head = probs + bh * T * Tk;       // (T, Tk)
    Real* dscores_head = dscores + bh * T * Tk;         // (T, Tk)

    for (Index begin = 0, end = 0; begin < T; begin = end) {
      end = block_end(layout, begin);
      const Index rows = end - begin;
      const Index keys = block_key_count(layout, begin, end);
      const Real* probs_block = probs_head + begin * Tk;
      Real* dscores_block = dscores_head + begin * Tk;

      // (rows, HS) × (keys, HS)ᵀ → dP (rows, keys)
      gemm<Real>(false, true, rows, keys, HS, Real(1), dout_head + begin * C, C, v_head, C, Real(0),
                 dscores_block, Tk);
      for (Index i = begin; i < end; ++i) {
        softmax_backward_row(dscores_head + i * Tk, probs_head + i * Tk,
                             layout.key_end[static_cast<std::size_t>(i)], Tk);
      }
      // scale · (rows, keys) × (keys, HS) → dq (rows, HS)
      gemm<Real>(false, false, rows, HS, keys, scale, dscores_block, Tk, k_head, C, Real(1),
                 dq_head + begin * C, C);
      // scale · (rows, keys)ᵀ × (rows, HS) → dk (keys, HS)
      gemm<Real>(true, false, keys, HS, rows, scale, dscores_block, Tk, q_head + begin * C, C, Real(1),
                 dk_head, C);
      // (rows, keys)ᵀ × (rows, HS) → dv (keys, HS)
      gemm<Real>(true, false, keys, HS, rows, Real(1), probs_block, Tk, dout_head + begin * C, C, Real(1),
                 dv_head, C);
    }
  }

  if (dmask == nullptr) {
    return;
  }
  // Scalar math: dmask[i, j] += Σ_{b, h} dS[b, h, i, j] for j < key_end[i], summed over (b, h) in
  // ascending order, key columns in chunks so that the double accumulators stay in L1.
#pragma omp parallel for schedule(static)
  for (Index i = 0; i < T; ++i) {
    const Index key_end = layout.key_end[static_cast<std::size_t>(i)];
    for (Index chunk = 0; chunk < key_end; chunk += kMaskChunk) {
      const Index width = std::min(kMaskChunk, key_end - chunk);
      double sums[kMaskChunk] = {};
      for (Index bh = 0; bh < B * NH; ++bh) {
        const Real* dscores_row = dscores + (bh * T + i) * Tk + chunk;
        for (Index j = 0; j < width; ++j) {
          sums[j] += static_cast<double>(dscores_row[j]);
        }
      }
      Real* dmask_row = dmask + i * T + chunk;
      for (Index j = 0; j < width; ++j) {
        dmask_row[j] = static_cast<Real>(static_cast<double>(dmask_row[j]) + sums[j]);
      }
    }
  }
}

#define KBETA_INSTANTIATE_ATTENTION(Real)                                                                   \
  template AttentionMaskLayout attention_mask_layout<Real>(const Real*, Index);                             \
  template void attention_forward<Real>(Real*, Real*, const Real*, const Real*, const Real*, const Real*,   \
                                        const AttentionMaskLayout&, Index, Index, Index);                   \
  template void attention_backward<Real>(Real*, Real*, Real*, Real*, Real*, const Real*, const Real*,       \
                                         const Real*, const Real*, const Real*, const AttentionMaskLayout&, \
                                         Index, Index, Index);

KBETA_INSTANTIATE_ATTENTION(float)
KBETA_INSTANTIATE_ATTENTION(double)

}  // namespace kbeta::kernels
