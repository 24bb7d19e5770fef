// Sun-spike and β₂ samples of the Kourkoutas-β buckets, collected every step and committed every
// `window` epochs, as the reference's rolling buffers are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "optim/optimizer.hpp"

namespace kbeta::train {

struct SpikeSample {
  int epoch = 0;          // 1-based epoch of the step
  std::int64_t step = 0;  // 1-based step
  std::string bucket;
  double sunspike = 0;
  double beta2 = 0;
};

class SpikeTracker {
 public:
  explicit SpikeTracker(int window) : window_(window < 1 ? 1 : window) {}

  void record(int epoch, std::int64_t step, const optim::BucketStats& stats) {
    for (std::size_t b = 0; b < stats.names.size(); ++b) {
      pending_.push_back({epoch, step, stats.names[b], stats.sunspike[b], stats.beta2[b]});
    }
  }

  // True when the 1-based epoch closes a window and its samples should be committed.
  bool window_closes(int epoch) const { return epoch % window_ == 0; }

  std::vector<SpikeSample> take_pending() {
    std::vector<SpikeSample> out;
    out.swap(pending_);
    return out;
  }

  const std::vector<SpikeSample>& pending() const { return pending_; }
  void restore_pending(std::vector<SpikeSample> samples) { pending_ = std::move(samples); }

 private:
  int window_;
  std::vector<SpikeSample> pending_;
};

}  // namespace kbeta::train
