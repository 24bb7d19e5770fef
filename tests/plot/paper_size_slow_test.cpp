// A run the size of the paper.yml preset: 100 epochs of 700 steps with one spike per step, and two examples
// of 401 frames of 26 × 26 pixels. Checks that every plot is drawn and prints the time taken.
#include "plot/plot.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "common/fixtures.hpp"
#include "synthetic_run.hpp"

namespace kbeta::plot {
namespace {

TEST(RenderRun, PaperSizedRunDrawsEveryPlot) {
  const auto run_dir = kbeta::testing::scratch_dir("RenderRun.PaperSized");
  kbeta::testing::write_synthetic_run(
      run_dir, {.epochs = 100, .steps_per_epoch = 700, .time_steps = 401, .grid = 26, .examples = 2});

  std::vector<std::string> warnings;
  PlotOptions options;
  options.warn = [&](const std::string& line) { warnings.push_back(line); };
  const auto start = std::chrono::steady_clock::now();
  const PlotReport report = render_run(run_dir, options);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("render_run on a paper-sized run: %.2f s\n", elapsed.count());

  ASSERT_TRUE(report.gnuplot_found) << "gnuplot not found on PATH; install gnuplot-nox";
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(report.written.size(), 12u);
}

}  // namespace
}  // namespace kbeta::plot
