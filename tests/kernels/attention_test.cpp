#include "kernels/attention.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "kernel_test_support.hpp"

namespace kbeta::kernels {
namespace {

using testing::kFloatUnitRoundoff;

constexpr double kInf = std::numeric_limits<double>::infinity();

enum class MaskKind { kBlock, kCausal, kScattered };

std::string to_string(MaskKind kind) {
  switch (kind) {
    case MaskKind::kBlock:
      return "block";
    case MaskKind::kCausal:
      return "causal";
    case MaskKind::kScattered:
      return "scattered";
  }
  return "";
}

// The reference's masks with start_predicting_from = S (0 where visible, −∞ elsewhere), with
// random finite values in place of the zeros (a learned bias); `kScattered` adds −∞ entries inside
// the visible range and keeps at least one finite entry per row.
std::vector<double> make_mask(MaskKind kind, Index T, Index S, std::mt19937& generator) {
  std::uniform_real_distribution<double> bias(-0.5, 0.5);
  std::vector<double> mask(static_cast<std::size_t>(T * T), -kInf);
  for (Index i = 0; i < T; ++i) {
    for (Index j = 0; j < T; ++j) {
      bool visible = j < S;
      if (kind != MaskKind::kBlock && j < i) {
        visible = true;
      }
      if (kind == MaskKind::kScattered && visible && j > 0 && (i + 2 * j) % 3 == 0) {
        visible = false;
      }
      if (visible) {
        mask[static_cast<std::size_t>(i * T + j)] = bias(generator);
      }
    }
  }
  return mask;
}

struct AttentionSizes {
  Index B, NH, HS, T, S;
};

// B and NH of 1, odd head sizes, T smaller than, equal to and larger than S.
const std::vector<AttentionSizes> kSizes = {{1, 1, 1, 1, 1}, {1, 1, 3, 4, 5}, {2, 3, 2, 5, 5},
                                            {1, 2, 5, 9, 2}, {2, 1, 4, 7, 3}, {1, 3, 3, 70, 5}};

// Plain scalar attention in double: out = softmax(q·kᵀ/√HS + mask) · v over all keys.
struct ReferenceAttention {
  std::vector<double> out, probs;  // (B, T, C), (B, NH, T, T)
};

template <typename Real>
ReferenceAttention reference_attention(const std::vector<Real>& q, const std::vector<Real>& k,
                                       const std::vector<Real>& v, const std::vector<Real>& mask, Index Tk,
                                       const AttentionSizes& size) {
  const Index T = size.T, C = size.NH * size.HS, HS = size.HS;
  const double scale = 1.0 / std::sqrt(static_cast<double>(HS));
  ReferenceAttention result{std::vector<double>(static_cast<std::size_t>(size.B * T * C), 0.0),
                            std::vector<double>(static_cast<std::size_t>(size.B * size.NH * T * T), 0.0)};
  const auto get = [](const std::vector<Real>& x, Index n) {
    return static_cast<double>(x[static_cast<std::size_t>(n)]);
  };
  for (Index b = 0; b < size.B; ++b) {
    for (Index h = 0; h < size.NH; ++h) {
      for (Index i = 0; i < T; ++i) {
        std::vector<double> scores(static_cast<std::size_t>(T), -kInf);
        double maximum = -kInf;
        for (Index j = 0; j < T; ++j) {
          const double m = get(mask, i * T + j);
          if (std::isinf(m)) {
            continue;
          }
          double dot = 0.0;
          for (Index d = 0; d < HS; ++d) {
            dot += get(q, (b * T + i) * C + h * HS + d) * get(k, (b * Tk + j) * C + h * HS + d);
          }
          scores[static_cast<std::size_t>(j)] = dot * scale + m;
          maximum = std::max(maximum, scores[static_cast<std::size_t>(j)]);
        }
        double sum = 0.0;
        for (auto& s : scores) {
          s = std::exp(s - maximum);
          sum += s;
        }
        for (Index j = 0; j < T; ++j) {
          const double p = scores[static_cast<std::size_t>(j)] / sum;
          result.probs[static_cast<std::size_t>(((b * size.NH + h) * T + i) * T + j)] = p;
          for (Index d = 0; d < HS && p != 0.0; ++d) {
            result.out[static_cast<std::size_t>((b * T + i) * C + h * HS + d)] +=
                p * get(v, (b * Tk + j) * C + h * HS + d);
          }
        }
      }
    }
  }
  return result;
}

TEST(AttentionMaskLayout, FindsLastFiniteKeyPerRow) {
  std::mt19937 generator(21);
  const Index T = 8, S = 3;
  const auto block = make_mask(MaskKind::kBlock, T, S, generator);
  const auto block_layout = attention_mask_layout(block.data(), T);
  EXPECT_EQ(block_layout.Tk, S);
  for (Index i = 0; i < T; ++i) {
    EXPECT_EQ(block_layout.key_end[static_cast<std::size_t>(i)], S) << "row " << i;
  }
  const auto causal = make_mask(MaskKind::kCausal, T, S, generator);
  const auto causal_layout = attention_mask_layout(causal.data(), T);
  EXPECT_EQ(causal_layout.Tk, T - 1);
  for (Index i = 0; i < T; ++i) {
    EXPECT_EQ(causal_layout.key_end[static_cast<std::size_t>(i)], std::max(i, S)) << "row " << i;
  }
}

TEST(AttentionMaskLayout, RejectsFullyMaskedRow) {
  std::mt19937 generator(22);
  const auto mask = make_mask(MaskKind::kBlock, 4, 0, generator);
  EXPECT_THROW(attention_mask_layout(mask.data(), 4), Error);
}

TEST(AttentionBackward, MatchesFiniteDifferences) {
  std::mt19937 generator(23);
  for (const auto& size : kSizes) {
    for (MaskKind kind : {MaskKind::kBlock, MaskKind::kCausal, MaskKind::kScattered}) {
      SCOPED_TRACE(to_string(kind) + " B=" + std::to_string(size.B) + " NH=" + std::to_string(size.NH) +
                   " HS=" + std::to_string(size.HS) + " T=" + std::to_string(size.T) +
                   " S=" + std::to_string(size.S));
      auto mask = make_mask(kind, size.T, size.S, generator);
      const auto layout = attention_mask_layout(mask.data(), size.T);
      const Index C = size.NH * size.HS, T = size.T, Tk = layout.Tk;
      const auto n_q = static_cast<std::size_t>(size.B * T * C);
      const auto n_kv = static_cast<std::size_t>(size.B * Tk * C);
      const auto n_probs = static_cast<std::size_t>(size.B * size.NH * T * Tk);
      auto q = testing::random_vector<double>(n_q, generator);
      auto k = testing::random_vector<double>(n_kv, generator);
      auto v = testing::random_vector<double>(n_kv, generator);
      const auto dout = testing::random_vector<double>(n_q, generator);

      std::vector<double> out(n_q), probs(n_probs), dscores(n_probs);
      const auto loss = [&] {
        attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(), layout, size.B,
                          size.NH, C);
        return testing::weighted_sum(out, dout);
      };
      loss();
      // Start from non-zero gradients to check that backward adds.
      std::vector<double> dq(n_q, 1.0), dk(n_kv, 1.0), dv(n_kv, 1.0), dmask(mask.size(), 1.0);
      attention_backward(dq.data(), dk.data(), dv.data(), dmask.data(), dscores.data(), probs.data(),
                         dout.data(), q.data(), k.data(), v.data(), layout, size.B, size.NH, C);
      for (auto* gradient : {&dq, &dk, &dv, &dmask}) {
        for (auto& value : *gradient) {
          value -= 1.0;
        }
      }
      testing::expect_matches_finite_differences(q, dq, loss, "dq");
      testing::expect_matches_finite_differences(k, dk, loss, "dk");
      testing::expect_matches_finite_differences(v, dv, loss, "dv");
      testing::expect_matches_finite_differences(mask, dmask, loss, "dmask",
                                                 [&](std::size_t n) { return std::isinf(mask[n]); });
      for (std::size_t n = 0; n < mask.size(); ++n) {
        if (std::isinf(mask[n])) {
          ASSERT_EQ(dmask[n], 0.0) << "dmask at the -inf entry " << n;
        }
      }
    }
  }
}

TEST(AttentionBackward, LeavesMaskGradientAloneWhenNull) {
  std::mt19937 generator(24);
  const AttentionSizes size{2, 2, 3, 6, 2};
  const auto mask = make_mask(MaskKind::kCausal, size.T, size.S, generator);
  const auto layout = attention_mask_layout(mask.data(), size.T);
  const Index C = size.NH * size.HS;
  const auto n_q = static_cast<std::size_t>(size.B * size.T * C);
  const auto n_kv = static_cast<std::size_t>(size.B * layout.Tk * C);
  const auto n_probs = static_cast<std::size_t>(size.B * size.NH * size.T * layout.Tk);
  const auto q = testing::random_vector<double>(n_q, generator);
  const auto k = testing::random_vector<double>(n_kv, generator);
  const auto v = testing::random_vector<double>(n_kv, generator);
  const auto dout = testing::random_vector<double>(n_q, generator);
  std::vector<double> out(n_q), probs(n_probs), dscores(n_probs);
  attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(), layout, size.B,
                    size.NH, C);

  std::vector<double> dq(n_q, 0.0), dk(n_kv, 0.0), dv(n_kv, 0.0), dmask(mask.size(), 0.0);
  attention_backward(dq.data(), dk.data(), dv.data(), dmask.data(), dscores.data(), probs.data(), dout.data(),
                     q.data(), k.data(), v.data(), layout, size.B, size.NH, C);
  std::vector<double> dq2(n_q, 0.0), dk2(n_kv, 0.0), dv2(n_kv, 0.0);
  attention_backward<double>(dq2.data(), dk2.data(), dv2.data(), nullptr, dscores.data(), probs.data(),
                             dout.data(), q.data(), k.data(), v.data(), layout, size.B, size.NH, C);
  testing::expect_bit_identical(dq, dq2, "dq");
  testing::expect_bit_identical(dk, dk2, "dk");
  testing::expect_bit_identical(dv, dv2, "dv");
}

TEST(AttentionFloat, MatchesScalarReference) {
  std::mt19937 generator(25);
  for (const auto& size : kSizes) {
    for (MaskKind kind : {MaskKind::kBlock, MaskKind::kCausal, MaskKind::kScattered}) {
      SCOPED_TRACE(to_string(kind) + " T=" + std::to_string(size.T) + " S=" + std::to_string(size.S));
      const auto mask = testing::convert<float>(make_mask(kind, size.T, size.S, generator));
      const auto layout = attention_mask_layout(mask.data(), size.T);
      const Index C = size.NH * size.HS, T = size.T, Tk = layout.Tk, HS = size.HS;
      const auto n_q = static_cast<std::size_t>(size.B * T * C);
      const auto n_kv = static_cast<std::size_t>(size.B * Tk * C);
      const auto n_probs = static_cast<std::size_t>(size.B * size.NH * T * Tk);
      const auto q = testing::random_vector<float>(n_q, generator);
      const auto k = testing::random_vector<float>(n_kv, generator);
      const auto v = testing::random_vector<float>(n_kv, generator);
      std::vector<float> out(n_q), probs(n_probs);
      attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(), layout, size.B,
                        size.NH, C);
      const auto reference = reference_attention(q, k, v, mask, Tk, size);

      // A score is a float dot product of HS terms (γ_HS ≈ HS·u of Σ|q·k| ≤ HS here, since inputs
      // are in [−1, 1]) plus the scale and mask roundings; exp turns an absolute score error δ into
      // a relative error δ of p, and the max, exp and normalisation add a few u. So each p errs by
      // at most p · (HS·HS·u + (Tk + 8)·u) relative, and out = Σ p·v by that times Σ p|v| plus the
      // Tk-term sum's own γ_Tk.
      const double relative =
          (static_cast<double>(HS * HS) + static_cast<double>(2 * Tk + 8)) * kFloatUnitRoundoff;
      std::vector<double> expected_probs(n_probs), tolerance_probs(n_probs);
      for (Index bh = 0; bh < size.B * size.NH; ++bh) {
        for (Index i = 0; i < T; ++i) {
          for (Index j = 0; j < Tk; ++j) {
            const double p = reference.probs[static_cast<std::size_t>((bh * T + i) * T + j)];
            expected_probs[static_cast<std::size_t>((bh * T + i) * Tk + j)] = p;
            tolerance_probs[static_cast<std::size_t>((bh * T + i) * Tk + j)] = relative * p;
          }
        }
      }
      std::vector<double> tolerance_out(n_q, 0.0);
      for (Index b = 0; b < size.B; ++b) {
        for (Index h = 0; h < size.NH; ++h) {
          for (Index i = 0; i < T; ++i) {
            double weighted = 0.0;  // Σ_j p_j · max_d |v_jd|, a bound of Σ_j p_j |v_jd| for every d
            for (Index j = 0; j < Tk; ++j) {
              double v_max = 0.0;
              for (Index d = 0; d < HS; ++d) {
                v_max = std::max(v_max, std::abs(static_cast<double>(
                                            v[static_cast<std::size_t>((b * Tk + j) * C + h * HS + d)])));
              }
              weighted +=
                  reference.probs[static_cast<std::size_t>(((b * size.NH + h) * T + i) * T + j)] * v_max;
            }
            for (Index d = 0; d < HS; ++d) {
              tolerance_out[static_cast<std::size_t>((b * T + i) * C + h * HS + d)] = relative * weighted;
            }
          }
        }
      }
      testing::expect_within(probs, expected_probs, tolerance_probs, "probs");
      testing::expect_within(out, reference.out, tolerance_out, "out");
    }
  }
}

TEST(AttentionFloat, BackwardMatchesDoubleKernel) {
  // The float backward against the same kernel in double on the same float inputs; the double
  // backward is itself checked against finite differences above.
  std::mt19937 generator(26);
  for (const auto& size : kSizes) {
    for (MaskKind kind : {MaskKind::kBlock, MaskKind::kCausal, MaskKind::kScattered}) {
      SCOPED_TRACE(to_string(kind) + " T=" + std::to_string(size.T) + " S=" + std::to_string(size.S));
      const auto mask = testing::convert<float>(make_mask(kind, size.T, size.S, generator));
      const auto layout = attention_mask_layout(mask.data(), size.T);
      const Index C = size.NH * size.HS, T = size.T, Tk = layout.Tk, HS = size.HS;
      const auto n_q = static_cast<std::size_t>(size.B * T * C);
      const auto n_kv = static_cast<std::size_t>(size.B * Tk * C);
      const auto n_probs = static_cast<std::size_t>(size.B * size.NH * T * Tk);
      const auto q = testing::random_vector<float>(n_q, generator);
      const auto k = testing::random_vector<float>(n_kv, generator);
      const auto v = testing::random_vector<float>(n_kv, generator);
      const auto dout = testing::random_vector<float>(n_q, generator);

      std::vector<float> out(n_q), probs(n_probs), dscores(n_probs), dq(n_q, 0.0f), dk(n_kv, 0.0f),
          dv(n_kv, 0.0f), dmask(mask.size(), 0.0f);
      attention_forward(out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(), layout, size.B,
                        size.NH, C);
      attention_backward(dq.data(), dk.data(), dv.data(), dmask.data(), dscores.data(), probs.data(),
                         dout.data(), q.data(), k.data(), v.data(), layout, size.B, size.NH, C);

      const auto q_d = testing::convert<double>(q), k_d = testing::convert<double>(k),
                 v_d = testing::convert<double>(v), dout_d = testing::convert<double>(dout),
                 mask_d = testing::convert<double>(mask);
      std::vector<double> out_d(n_q), probs_d(n_probs), dscores_d(n_probs), dq_d(n_q, 0.0), dk_d(n_kv, 0.0),
          dv_d(n_kv, 0.0), dmask_d(mask.size(), 0.0);
      attention_forward(out_d.data(), probs_d.data(), q_d.data(), k_d.data(), v_d.data(), mask_d.data(),
                        layout, size.B, size.NH, C);
      attention_backward(dq_d.data(), dk_d.data(), dv_d.data(), dmask_d.data(), dscores_d.data(),
                         probs_d.data(), dout_d.data(), q_d.data(), k_d.data(), v_d.data(), layout, size.B,
                         size.NH, C);

      // Normwise bound: every gradient entry is a sum of at most max(T, Tk, HS) products of
      // quantities that each carry the forward's relative error (HS²·u + (2Tk + 8)·u, see above)
      // plus a few roundings, and the mask gradient adds the B·NH-term sum. Entries are compared
      // relative to the largest entry of their tensor, because sums with cancellation have no
      // useful entry-wise bound.
      const double length = static_cast<double>(std::max({T, Tk, HS, size.B * size.NH}));
      const double relative =
          (static_cast<double>(HS * HS) + 2.0 * static_cast<double>(Tk) + 2.0 * length + 16.0) *
          kFloatUnitRoundoff;
      const auto check = [&](const std::vector<float>& actual, const std::vector<double>& expected,
                             const std::string& name) {
        double largest = 0.0;
        for (double value : expected) {
          largest = std::max(largest, std::abs(value));
        }
        testing::expect_within(actual, expected, std::vector<double>(expected.size(), relative * largest),
                               name);
      };
      check(dq, dq_d, "dq");
      check(dk, dk_d, "dk");
      check(dv, dv_d, "dv");
      check(dmask, dmask_d, "dmask");
      for (std::size_t n = 0; n < mask.size(); ++n) {
        if (std::isinf(mask[n])) {
          ASSERT_EQ(dmask[n], 0.0f) << "dmask at the -inf entry " << n;
        }
      }
    }
  }
}

TEST(AttentionFloat, IndependentOfThreadCount) {
  std::mt19937 generator(27);
  const AttentionSizes size{2, 3, 8, 130, 5};  // three row blocks of 64 query rows
  for (MaskKind kind : {MaskKind::kBlock, MaskKind::kCausal}) {
    const auto mask = testing::convert<float>(make_mask(kind, size.T, size.S, generator));
    const auto layout = attention_mask_layout(mask.data(), size.T);
    const Index C = size.NH * size.HS;
    const auto n_q = static_cast<std::size_t>(size.B * size.T * C);
    const auto n_kv = static_cast<std::size_t>(size.B * layout.Tk * C);
    const auto n_probs = static_cast<std::size_t>(size.B * size.NH * size.T * layout.Tk);
    const auto q = testing::random_vector<float>(n_q, generator);
    const auto k = testing::random_vector<float>(n_kv, generator);
    const auto v = testing::random_vector<float>(n_kv, generator);
    const auto dout = testing::random_vector<float>(n_q, generator);
    struct Result {
      std::vector<float> out, dq, dk, dv, dmask;
    };
    const auto run = [&](int threads) {
      Result r{std::vector<float>(n_q), std::vector<float>(n_q, 0.0f), std::vector<float>(n_kv, 0.0f),
               std::vector<float>(n_kv, 0.0f), std::vector<float>(mask.size(), 0.0f)};
      std::vector<float> probs(n_probs), dscores(n_probs);
      testing::with_threads(threads, [&] {
        attention_forward(r.out.data(), probs.data(), q.data(), k.data(), v.data(), mask.data(), layout,
                          size.B, size.NH, C);
        attention_backward(r.dq.data(), r.dk.data(), r.dv.data(), r.dmask.data(), dscores.data(),
                           probs.data(), dout.data(), q.data(), k.data(), v.data(), layout, size.B, size.NH,
                           C);
      });
      return r;
    };
    const Result one = run(1);
    const Result two = run(2);
    testing::expect_bit_identical(one.out, two.out, "out");
    testing::expect_bit_identical(one.dq, two.dq, "dq");
    testing::expect_bit_identical(one.dk, two.dk, "dk");
    testing::expect_bit_identical(one.dv, two.dv, "dv");
    testing::expect_bit_identical(one.dmask, two.dmask, "dmask");
  }
}

}  // namespace
}  // namespace kbeta::kernels
