// A batch gathered from a split into contiguous buffers, in the order of a list of sample indices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "train/interfaces.hpp"

namespace kbeta::train {

class BatchBuffer {
 public:
  BatchBuffer(SampleShape shape, int max_batch)
      : sample_size_(shape.sample_size()),
        frames_(sample_size_ * static_cast<std::size_t>(max_batch)),
        alpha_(static_cast<std::size_t>(max_batch)),
        dt_(static_cast<std::size_t>(max_batch)) {}

  // Copies the samples indices[first, first + count) of the split.
  template <typename Index>
  void gather(const SplitView& split, std::span<const Index> indices) {
    KBETA_CHECK(indices.size() <= alpha_.size());
    count_ = static_cast<int>(indices.size());
    for (std::size_t b = 0; b < indices.size(); ++b) {
      const auto i = static_cast<std::size_t>(indices[b]);
      KBETA_CHECK(i < split.count);
      std::memcpy(frames_.data() + b * sample_size_, split.frames.data() + i * sample_size_,
                  sample_size_ * sizeof(float));
      alpha_[b] = split.alpha[i];
      dt_[b] = split.dt[i];
    }
  }

  // Copies the consecutive samples [first, first + count) of the split.
  void gather_range(const SplitView& split, std::size_t first, int count) {
    std::vector<std::size_t> indices(static_cast<std::size_t>(count));
    for (std::size_t b = 0; b < indices.size(); ++b) {
      indices[b] = first + b;
    }
    gather(split, std::span<const std::size_t>(indices));
  }

  int count() const { return count_; }
  std::span<float> frames() { return {frames_.data(), sample_size_ * static_cast<std::size_t>(count_)}; }
  std::span<const float> alpha() const { return {alpha_.data(), static_cast<std::size_t>(count_)}; }
  std::span<const float> dt() const { return {dt_.data(), static_cast<std::size_t>(count_)}; }

 private:
  std::size_t sample_size_;
  std::vector<float> frames_;  // (B, T, NY, NX)
  std::vector<float> alpha_;   // (B)
  std::vector<float> dt_;      // (B)
  int count_ = 0;
};

}  // namespace kbeta::train
