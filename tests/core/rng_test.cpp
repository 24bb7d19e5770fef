#include <gtest/gtest.h>

#include <vector>

#include "core/rng.hpp"

namespace kbeta {
namespace {

TEST(RngBits, RandomAccessMatchesWholeDraw) {
  const rng::Key key{12, 34};
  for (std::size_t n : {1u, 2u, 3u, 10u, 11u}) {
    std::vector<std::uint32_t> words(n);
    rng::bits(key, words);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(rng::bits_at(key, n, i), words[i]) << "n=" << n << " i=" << i;
    }
  }
}

TEST(RngGenerator, NextAdvancesTheState) {
  rng::Generator gen(1);
  EXPECT_EQ(gen.state(), (rng::Key{0, 1}));
  const auto first = gen.next();
  EXPECT_NE(gen.state(), (rng::Key{0, 1}));
  EXPECT_EQ(rng::split(rng::Key{0, 1}).second, first);
}

}  // namespace
}  // namespace kbeta
