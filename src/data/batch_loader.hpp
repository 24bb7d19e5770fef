// Mini-batches over one split, in the reference's order: one permutation of the sample indices
// per epoch when shuffling (drawn from the generator, like mx.random.permutation(arange(N))),
// consecutive slices of batch_size indices, and a shorter last batch when N is not a multiple.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "data/heat_solver.hpp"

namespace kbeta::data {

// One batch. Without shuffling the spans point into the split, because its samples are
// consecutive. With shuffling they point into the loader's own buffer. Either way they stay
// valid until the next call to next().
struct Batch {
  int size = 0;  // B, at most the loader's batch_size
  int t = 0;
  int ny = 0;
  int nx = 0;
  std::span<const float> data;             // (B, T, NY, NX); also the target, as in the reference
  std::span<const float> alphas;           // (B)
  std::span<const float> dts;              // (B)
  std::span<const std::uint32_t> indices;  // (B) sample indices into the split
};

class BatchLoader {
 public:
  // Keeps a reference to `split`, which must outlive the loader. Throws ConfigError if
  // batch_size < 1.
  BatchLoader(const Split& split, int batch_size, bool shuffle);

  // Starts an epoch. With shuffle on, draws one permutation from `gen` (which must not be null);
  // with shuffle off, `gen` is not used and may be null.
  void start_epoch(rng::Generator* gen);

  // Fills `batch` with the next batch of the epoch; returns false when the epoch is over.
  bool next(Batch& batch);

  int batches_per_epoch() const;
  int batch_size() const { return batch_size_; }

 private:
  const Split& split_;
  int batch_size_;
  bool shuffle_;
  std::vector<std::uint32_t> order_;  // (N)
  std::size_t position_ = 0;
  bool started_ = false;
  std::vector<float> data_buffer_;    // (batch_size, T, NY, NX), shuffled batches only
  std::vector<float> alphas_buffer_;  // (batch_size)
  std::vector<float> dts_buffer_;     // (batch_size)
};

}  // namespace kbeta::data
