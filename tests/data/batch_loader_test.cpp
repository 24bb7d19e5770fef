// The batch loader: order, shuffling from the generator, the short last batch, batch contents.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/batch_loader.hpp"

namespace kbeta {
namespace {

// A split of n samples whose every value encodes its sample index (value = sample + position/1000).
data::Split numbered_split(int n) {
  data::Split split;
  split.n = n;
  split.t = 3;
  split.ny = 2;
  split.nx = 2;
  split.data.resize(static_cast<std::size_t>(n) * split.sample_size());
  for (std::size_t k = 0; k < split.data.size(); ++k) {
    const std::size_t sample = k / split.sample_size();
    split.data[k] = static_cast<float>(sample) + static_cast<float>(k % split.sample_size()) / 1000.0f;
  }
  for (int s = 0; s < n; ++s) {
    split.alphas.push_back(0.01f * static_cast<float>(s + 1));
    split.dts.push_back(0.1f * static_cast<float>(s + 1));
  }
  return split;
}

void expect_batch_holds(const data::Split& split, const data::Batch& batch) {
  const std::size_t sample_size = split.sample_size();
  ASSERT_EQ(batch.data.size(), static_cast<std::size_t>(batch.size) * sample_size);
  for (int b = 0; b < batch.size; ++b) {
    const std::size_t sample = batch.indices[static_cast<std::size_t>(b)];
    for (std::size_t k = 0; k < sample_size; ++k) {
      ASSERT_EQ(batch.data[static_cast<std::size_t>(b) * sample_size + k],
                split.data[sample * sample_size + k]);
    }
    EXPECT_EQ(batch.alphas[static_cast<std::size_t>(b)], split.alphas[sample]);
    EXPECT_EQ(batch.dts[static_cast<std::size_t>(b)], split.dts[sample]);
  }
}

TEST(BatchLoader, InOrderWithShortLastBatch) {
  const auto split = numbered_split(10);
  data::BatchLoader loader(split, 4, false);
  EXPECT_EQ(loader.batches_per_epoch(), 3);
  loader.start_epoch(nullptr);
  std::vector<int> sizes;
  std::vector<std::uint32_t> seen;
  data::Batch batch;
  while (loader.next(batch)) {
    sizes.push_back(batch.size);
    seen.insert(seen.end(), batch.indices.begin(), batch.indices.end());
    expect_batch_holds(split, batch);
    // Unshuffled batches point into the split itself.
    EXPECT_EQ(batch.data.data(),
              split.data.data() +
                  static_cast<std::size_t>(seen.size() - batch.indices.size()) * split.sample_size());
  }
  EXPECT_EQ(sizes, (std::vector<int>{4, 4, 2}));
  std::vector<std::uint32_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0u);
  EXPECT_EQ(seen, expected);
}

TEST(BatchLoader, ShuffleDrawsOnePermutationPerEpoch) {
  const auto split = numbered_split(11);
  data::BatchLoader loader(split, 3, true);
  rng::Generator gen(9);
  rng::Generator reference(9);

  for (int epoch = 0; epoch < 2; ++epoch) {
    loader.start_epoch(&gen);
    const auto expected = reference.permutation(11);
    std::vector<std::uint32_t> seen;
    data::Batch batch;
    while (loader.next(batch)) {
      seen.insert(seen.end(), batch.indices.begin(), batch.indices.end());
      expect_batch_holds(split, batch);
    }
    EXPECT_EQ(seen, expected) << "epoch " << epoch;
    EXPECT_EQ(gen.state(), reference.state());
  }
}

TEST(BatchLoader, NextEndsTheEpoch) {
  const auto split = numbered_split(2);
  data::BatchLoader loader(split, 5, true);
  rng::Generator gen(1);
  loader.start_epoch(&gen);
  data::Batch batch;
  ASSERT_TRUE(loader.next(batch));
  EXPECT_EQ(batch.size, 2);
  EXPECT_FALSE(loader.next(batch));
  EXPECT_FALSE(loader.next(batch));
}

TEST(BatchLoader, RejectsNonPositiveBatchSize) {
  const auto split = numbered_split(2);
  EXPECT_THROW(data::BatchLoader(split, 0, false), ConfigError);
}

}  // namespace
}  // namespace kbeta
