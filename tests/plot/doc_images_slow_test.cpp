// Renders the example pictures of docs/outputs.md from the synthetic run, at a reduced size so
// the stored files stay small. With KBETA_DOC_IMAGES_DIR set (to docs/images), copies them there:
//   KBETA_DOC_IMAGES_DIR=$PWD/docs/images build/release/tests/slow_plot --gtest_filter=DocImages.*
#include "plot/plot.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "common/fixtures.hpp"
#include "synthetic_run.hpp"

namespace kbeta::plot {
namespace {

TEST(DocImages, RenderSmallExamplePictures) {
  const auto run_dir = kbeta::testing::scratch_dir("DocImages.Render");
  kbeta::testing::write_synthetic_run(run_dir, {.epochs = 10, .time_steps = 30, .grid = 16, .examples = 1});

  std::vector<std::string> warnings;
  PlotOptions options;
  options.scale = 0.6;
  options.frame_count = 4;
  options.max_gif_frames = 8;
  options.warn = [&](const std::string& line) { warnings.push_back(line); };
  const PlotReport report = render_run(run_dir, options);
  ASSERT_TRUE(report.gnuplot_found) << "gnuplot not found on PATH; install gnuplot-nox";
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  ASSERT_EQ(report.written.size(), 10u);

  const char* target = std::getenv("KBETA_DOC_IMAGES_DIR");
  for (const auto& picture : report.written) {
    // A documentation picture should stay in the tens of kilobytes.
    EXPECT_LT(std::filesystem::file_size(picture), 300'000u) << picture;
    if (target != nullptr) {
      std::filesystem::copy_file(picture, std::filesystem::path(target) / picture.filename(),
                                 std::filesystem::copy_options::overwrite_existing);
    }
  }
}

}  // namespace
}  // namespace kbeta::plot
