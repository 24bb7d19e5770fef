#include "data/batch_loader.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "core/error.hpp"

namespace kbeta::data {

BatchLoader::BatchLoader(const Split& split, int batch_size, bool shuffle)
    : split_(split), batch_size_(batch_size), shuffle_(shuffle) {
  if (batch_size < 1) {
    throw ConfigError(
        fmt::format("model_params.batch_size: expected a positive integer, got {}", batch_size));
  }
  KBETA_CHECK(split.data.size() == static_cast<std::size_t>(split.n) * split.sample_size());
  KBETA_CHECK(split.alphas.size() == static_cast<std::size_t>(split.n));
  KBETA_CHECK(split.dts.size() == static_cast<std::size_t>(split.n));
  order_.resize(static_cast<std::size_t>(split.n));
  std::iota(order_.begin(), order_.end(), 0u);
  if (shuffle_) {
    const auto capacity = static_cast<std::size_t>(std::min(batch_size, split.n));
    data_buffer_.resize(capacity * split.sample_size());
    alphas_buffer_.resize(capacity);
    dts_buffer_.resize(capacity);
  }
}

void BatchLoader::start_epoch(rng::Generator* gen) {
  if (shuffle_) {
    KBETA_CHECK(gen != nullptr);
    order_ = gen->permutation(order_.size());
  }
  position_ = 0;
  started_ = true;
}

int BatchLoader::batches_per_epoch() const {
  return (split_.n + batch_size_ - 1) / batch_size_;
}

bool BatchLoader::next(Batch& batch) {
  KBETA_CHECK(started_);
  if (position_ >= order_.size()) {
    return false;
  }
  const std::size_t count = std::min(static_cast<std::size_t>(batch_size_), order_.size() - position_);
  const std::size_t sample_size = split_.sample_size();
  batch.size = static_cast<int>(count);
  batch.t = split_.t;
  batch.ny = split_.ny;
  batch.nx = split_.nx;
  batch.indices = std::span<const std::uint32_t>(order_).subspan(position_, count);

  if (!shuffle_) {
    // Consecutive samples: point into the split without copying.
    batch.data = std::span<const float>(split_.data).subspan(position_ * sample_size, count * sample_size);
    batch.alphas = std::span<const float>(split_.alphas).subspan(position_, count);
    batch.dts = std::span<const float>(split_.dts).subspan(position_, count);
  } else {
    for (std::size_t b = 0; b < count; ++b) {
      const std::size_t sample = batch.indices[b];
      std::copy_n(split_.data.begin() + static_cast<std::ptrdiff_t>(sample * sample_size), sample_size,
                  data_buffer_.begin() + static_cast<std::ptrdiff_t>(b * sample_size));
      alphas_buffer_[b] = split_.alphas[sample];
      dts_buffer_[b] = split_.dts[sample];
    }
    batch.data = std::span<const float>(data_buffer_).first(count * sample_size);
    batch.alphas = std::span<const float>(alphas_buffer_).first(count);
    batch.dts = std::span<const float>(dts_buffer_).first(count);
  }
  position_ += count;
  return true;
}

}  // namespace kbeta::data
