#include "plot/plot.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "common/fixtures.hpp"
#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "plot/gnuplot.hpp"
#include "synthetic_run.hpp"

namespace kbeta::plot {
namespace {

using kbeta::testing::scratch_dir;
using kbeta::testing::write_synthetic_run;
using kbeta::testing::write_text;

const std::vector<std::string> kPngPlots = {
    "loss.png",
    "loss_terms.png",
    "mse_block.png",
    "mse_autoregressive.png",
    "sunspike_violin.png",
    "sunspike_density.png",
    "beta2_violin.png",
    "beta2_density.png",
    "example_1_frames.png",
    "example_2_frames.png",
};
const std::vector<std::string> kGifPlots = {"example_1.gif", "example_2.gif"};

std::string script_for(const std::string& picture) {
  return std::filesystem::path(picture).replace_extension(".gp").string();
}

// Collects the warnings of one render_run call.
struct WarningLog {
  std::vector<std::string> lines;
  PlotOptions options() {
    PlotOptions options;
    options.warn = [this](const std::string& line) { lines.push_back(line); };
    return options;
  }
  int count_containing(const std::string& text) const {
    int count = 0;
    for (const std::string& line : lines) {
      count += line.find(text) != std::string::npos ? 1 : 0;
    }
    return count;
  }
};

// Sets PATH for one scope and restores it afterwards.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& value) {
    if (const char* old = std::getenv("PATH")) {
      saved_ = old;
    }
    // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread runs while a test changes PATH.
    ::setenv("PATH", value.c_str(), 1);
  }
  ~ScopedPath() {
    if (saved_) {
      ::setenv("PATH", saved_->c_str(), 1);  // NOLINT(concurrency-mt-unsafe): one thread, as above
    } else {
      ::unsetenv("PATH");  // NOLINT(concurrency-mt-unsafe): one thread, as above
    }
  }
  ScopedPath(const ScopedPath&) = delete;
  ScopedPath& operator=(const ScopedPath&) = delete;

 private:
  std::optional<std::string> saved_;
};

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  }
  return value;
}

std::uint32_t little_endian_u16(const std::string& bytes, std::size_t offset) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + 1])) << 8);
}

void expect_png(const std::filesystem::path& path) {
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const std::string bytes = io::read_file(path);
  ASSERT_GE(bytes.size(), 33u) << path;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  EXPECT_EQ(bytes.substr(12, 4), "IHDR") << path;
  const std::uint32_t width = big_endian_u32(bytes, 16);
  const std::uint32_t height = big_endian_u32(bytes, 20);
  EXPECT_GE(width, 400u) << path;
  EXPECT_GE(height, 250u) << path;
  EXPECT_LE(width, 4000u) << path;
  EXPECT_LE(height, 4000u) << path;
  // A plot with axes, text and data compresses to several kilobytes; a blank page is smaller.
  EXPECT_GT(bytes.size(), 5000u) << path;
  EXPECT_LT(bytes.size(), 2'000'000u) << path;
}

void expect_animated_gif(const std::filesystem::path& path) {
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const std::string bytes = io::read_file(path);
  ASSERT_GE(bytes.size(), 13u) << path;
  EXPECT_EQ(bytes.substr(0, 6), "GIF89a") << path;
  EXPECT_GE(little_endian_u16(bytes, 6), 400u) << path;
  EXPECT_GE(little_endian_u16(bytes, 8), 150u) << path;
  // The looping extension marks an animation; gnuplot's gif terminal writes it with `animate`.
  EXPECT_NE(bytes.find("NETSCAPE2.0"), std::string::npos) << path;
  EXPECT_GT(bytes.size(), 20'000u) << path;
  EXPECT_LT(bytes.size(), 5'000'000u) << path;
}

TEST(RenderRun, WritesEveryPlotAsValidPicture) {
  ASSERT_TRUE(find_program("gnuplot").has_value()) << "gnuplot not found on PATH; install gnuplot-nox";
  const auto run_dir = scratch_dir("RenderRun.WritesEveryPlot");
  write_synthetic_run(run_dir, {.time_steps = 24, .grid = 12});

  WarningLog log;
  const PlotReport report = render_run(run_dir, log.options());

  EXPECT_TRUE(report.gnuplot_found);
  EXPECT_TRUE(log.lines.empty()) << log.lines.front();
  EXPECT_TRUE(report.skipped.empty()) << report.skipped.front().name << ": " << report.skipped.front().reason;
  EXPECT_EQ(report.written.size(), kPngPlots.size() + kGifPlots.size());
  const auto plots = run_dir / "plots";
  for (const std::string& picture : kPngPlots) {
    expect_png(plots / picture);
    EXPECT_TRUE(std::filesystem::exists(plots / script_for(picture))) << picture;
  }
  for (const std::string& picture : kGifPlots) {
    expect_animated_gif(plots / picture);
    EXPECT_TRUE(std::filesystem::exists(plots / script_for(picture))) << picture;
  }
  for (const auto& entry : std::filesystem::directory_iterator(plots)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
    EXPECT_EQ(entry.path().string().find(".stderr"), std::string::npos) << entry.path();
  }
}

TEST(RenderRun, KeptScriptRerendersPlot) {
  const auto gnuplot = find_program("gnuplot");
  ASSERT_TRUE(gnuplot.has_value()) << "gnuplot not found on PATH; install gnuplot-nox";
  const auto run_dir = scratch_dir("RenderRun.KeptScriptRerenders");
  write_synthetic_run(run_dir, {.epochs = 3, .examples = 0});
  PlotOptions options;
  options.warn = [](const std::string&) {};
  options.gnuplot = (run_dir / "no-such-gnuplot").string();  // write the scripts only
  render_run(run_dir, options);
  const auto plots = run_dir / "plots";
  ASSERT_FALSE(std::filesystem::exists(plots / "beta2_violin.png"));

  // Without `outfile` defined, the script draws onto its own picture's name.
  write_text(plots / "rerender.gp", "undefine outfile\nload 'beta2_violin.gp'\n");
  const GnuplotRun run = run_gnuplot(*gnuplot, plots, "rerender.gp", "ignored.png", std::chrono::seconds(30));
  ASSERT_TRUE(run.ok) << run.error;
  expect_png(plots / "beta2_violin.png");
}

TEST(RenderRun, WithoutGnuplotWarnsOnceAndKeepsCsv) {
  const auto run_dir = scratch_dir("RenderRun.WithoutGnuplot");
  const auto metrics = write_synthetic_run(run_dir);
  const std::string epochs_before = io::read_file(metrics / "epochs.csv");
  const auto empty_folder = run_dir / "empty_path_folder";
  std::filesystem::create_directories(empty_folder);

  WarningLog log;
  PlotReport report;
  {
    const ScopedPath path(empty_folder.string());
    report = render_run(run_dir, log.options());
  }

  EXPECT_FALSE(report.gnuplot_found);
  EXPECT_TRUE(report.written.empty());
  EXPECT_EQ(log.count_containing("gnuplot-nox"), 1);
  EXPECT_EQ(log.lines.size(), 1u) << log.lines.back();
  EXPECT_EQ(report.skipped.size(), kPngPlots.size() + kGifPlots.size());
  EXPECT_EQ(io::read_file(metrics / "epochs.csv"), epochs_before);
  for (const std::string& picture : kPngPlots) {
    EXPECT_FALSE(std::filesystem::exists(run_dir / "plots" / picture)) << picture;
    EXPECT_TRUE(std::filesystem::exists(run_dir / "plots" / script_for(picture))) << picture;
  }
}

TEST(RenderRun, MissingGnuplotPathWarnsOnce) {
  const auto run_dir = scratch_dir("RenderRun.MissingGnuplotPath");
  write_synthetic_run(run_dir, {.epochs = 2, .examples = 0});
  WarningLog log;
  PlotOptions options = log.options();
  options.gnuplot = (run_dir / "no-such-gnuplot").string();
  const PlotReport report = render_run(run_dir, options);
  EXPECT_FALSE(report.gnuplot_found);
  EXPECT_EQ(log.count_containing("gnuplot-nox"), 1);
  EXPECT_TRUE(report.written.empty());
}

struct MalformedCase {
  const char* file;
  const char* content;
  std::vector<std::string> skipped;
  const char* reason;
};

TEST(RenderRun, MalformedCsvSkipsPlotWithWarning) {
  const std::vector<MalformedCase> cases = {
      {"epochs.csv", "epoch,train_loss,val_loss\n1,0.5,abc\n", {"loss.png"}, "not a number"},
      {"epochs.csv", "epoch,train_loss\n1,0.5\n", {"loss.png"}, "missing column 'val_loss'"},
      {"epochs.csv", "epoch,train_loss,val_loss\n1,0.5\n", {"loss.png"}, "expected 3 fields"},
      {"epochs.csv", "", {"loss.png"}, "empty"},
      {"epochs.csv", "epoch,train_loss,val_loss\n", {"loss.png"}, "no data rows"},
      {"epochs.csv", "epoch,train_loss,val_loss\n1,0,-1\n", {"loss.png"}, "no positive finite values"},
      {"steps.csv", "step,loss\n1,2\n", {"loss_terms.png"}, "missing column 'mse'"},
      {"mse_block.csv", "time_step,mse\n5,0.1,7\n", {"mse_block.png"}, "expected 2 fields"},
      {"mse_autoregressive.csv", "\x01\x02\xff", {"mse_autoregressive.png"}, "missing column"},
      {"spikes.csv",
       "window,epoch,step,bucket,sunspike,beta2\n1,1,1,global,0.5\n",
       {"sunspike_violin.png", "sunspike_density.png", "beta2_violin.png", "beta2_density.png"},
       "expected 6 fields"},
      {"spikes.csv",
       "window,epoch,step,bucket,sunspike,beta2\n1.5,1,1,global,0.5,0.9\n",
       {"sunspike_violin.png", "sunspike_density.png", "beta2_violin.png", "beta2_density.png"},
       "window is not a whole number"},
      {"example_1.csv",
       "time_step,row,col,truth,prediction\n0,0,0,1,1\n0,1,1,1,1\n",
       {"example_1_frames.png", "example_1.gif"},
       "expected 4 rows"},
      {"example_1.csv",
       "time_step,row,col,truth,prediction\n0,0,0,1,1\n0,0,0,1,1\n",
       {"example_1_frames.png", "example_1.gif"},
       "expected 1 rows"},
      {"example_1.csv",
       "time_step,row,col,truth,prediction\n0,-1,0,1,1\n",
       {"example_1_frames.png", "example_1.gif"},
       "row must be a whole number"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const MalformedCase& c = cases[i];
    SCOPED_TRACE(std::string(c.file) + " case " + std::to_string(i));
    const auto run_dir = scratch_dir("RenderRun.MalformedCsv" + std::to_string(i));
    const auto metrics =
        write_synthetic_run(run_dir, {.epochs = 2, .time_steps = 8, .grid = 4, .examples = 1});
    write_text(metrics / c.file, c.content);

    WarningLog log;
    PlotOptions options = log.options();
    options.gnuplot = (run_dir / "no-such-gnuplot").string();  // the CSV checks come before drawing
    const PlotReport report = render_run(run_dir, options);

    for (const std::string& picture : c.skipped) {
      bool found = false;
      for (const SkippedPlot& skipped : report.skipped) {
        if (skipped.name == picture) {
          found = true;
          EXPECT_NE(skipped.reason.find(c.reason), std::string::npos) << skipped.reason;
          EXPECT_NE(skipped.reason.find(c.file), std::string::npos) << skipped.reason;
        }
      }
      EXPECT_TRUE(found) << picture;
      EXPECT_EQ(log.count_containing("skipped " + picture), 1) << picture;
    }
    // Every other plot still gets its script.
    EXPECT_TRUE(std::filesystem::exists(run_dir / "plots" /
                                        (c.file == std::string("epochs.csv") ? "mse_block.gp" : "loss.gp")));
  }
}

TEST(RenderRun, MalformedCsvLeavesOtherPlotsDrawn) {
  ASSERT_TRUE(find_program("gnuplot").has_value()) << "gnuplot not found on PATH; install gnuplot-nox";
  const auto run_dir = scratch_dir("RenderRun.MalformedCsvOthersDrawn");
  const auto metrics = write_synthetic_run(run_dir, {.epochs = 3, .examples = 0});
  write_text(metrics / "steps.csv", "step,epoch,loss,mse,boundary,physics,initial,lr\n1,1,x,1,1,1,1,1\n");
  std::filesystem::remove(metrics / "mse_autoregressive.csv");

  WarningLog log;
  const PlotReport report = render_run(run_dir, log.options());
  EXPECT_EQ(log.count_containing("skipped loss_terms.png"), 1);
  EXPECT_EQ(log.count_containing("skipped mse_autoregressive.png"), 1);
  EXPECT_EQ(log.count_containing("mse_autoregressive.csv not found"), 1);
  EXPECT_EQ(log.lines.size(), 2u);
  expect_png(run_dir / "plots" / "loss.png");
  expect_png(run_dir / "plots" / "mse_block.png");
  expect_png(run_dir / "plots" / "beta2_density.png");
  EXPECT_FALSE(std::filesystem::exists(run_dir / "plots" / "loss_terms.png"));
}

TEST(RenderRun, StrideKeepsWindowsAtMultiples) {
  const auto run_dir = scratch_dir("RenderRun.Stride");
  write_synthetic_run(run_dir, {.epochs = 12, .examples = 0});
  WarningLog log;
  PlotOptions options = log.options();
  options.gnuplot = (run_dir / "no-such-gnuplot").string();
  options.stride = 4;
  render_run(run_dir, options);

  // Windows 4, 8 and 12: three histogram rows of 20 bins each, and the ticks name those epochs.
  const std::string density = io::read_file(run_dir / "plots" / "beta2_density.dat");
  int data_lines = 0;
  for (std::size_t start = 0; start < density.size();) {
    const std::size_t end = density.find('\n', start);
    data_lines += density[start] != '#' ? 1 : 0;
    start = end + 1;
  }
  EXPECT_EQ(data_lines, 3 * 20);
  const std::string script = io::read_file(run_dir / "plots" / "sunspike_violin.gp");
  EXPECT_NE(script.find("windows = 3\n"), std::string::npos);
  EXPECT_NE(script.find("(\"4\" 1, \"8\" 2, \"12\" 3)"), std::string::npos);
}

TEST(RenderRun, StrideBeyondLastWindowSkips) {
  const auto run_dir = scratch_dir("RenderRun.StrideBeyond");
  write_synthetic_run(run_dir, {.epochs = 3, .examples = 0});
  WarningLog log;
  PlotOptions options = log.options();
  options.gnuplot = (run_dir / "no-such-gnuplot").string();
  options.stride = 10;
  const PlotReport report = render_run(run_dir, options);
  EXPECT_EQ(log.count_containing("multiple of the plot stride 10"), 4);
}

TEST(RenderRun, MissingSpikesGiveOneNote) {
  const auto run_dir = scratch_dir("RenderRun.MissingSpikes");
  const auto metrics = write_synthetic_run(run_dir, {.epochs = 2, .examples = 0});
  std::filesystem::remove(metrics / "spikes.csv");
  WarningLog log;
  PlotOptions options = log.options();
  options.gnuplot = (run_dir / "no-such-gnuplot").string();
  render_run(run_dir, options);
  EXPECT_EQ(log.count_containing("spikes.csv not found"), 1);
}

TEST(RenderRun, MovieFramesOffDrawsNoExamples) {
  const auto run_dir = scratch_dir("RenderRun.MovieFramesOff");
  write_synthetic_run(run_dir, {.epochs = 2, .time_steps = 6, .grid = 4, .examples = 1});
  PlotOptions options;
  options.warn = [](const std::string&) {};
  options.gnuplot = (run_dir / "no-such-gnuplot").string();
  options.movie_frames = false;
  render_run(run_dir, options);
  EXPECT_FALSE(std::filesystem::exists(run_dir / "plots" / "example_1_frames.gp"));
  EXPECT_TRUE(std::filesystem::exists(run_dir / "plots" / "loss.gp"));
}

TEST(RenderRun, RejectsMissingRunFolder) {
  const auto run_dir = scratch_dir("RenderRun.RejectsMissing") / "absent";
  EXPECT_THROW(render_run(run_dir), Error);
}

TEST(RunGnuplot, KillsScriptPastTimeout) {
  const auto gnuplot = find_program("gnuplot");
  ASSERT_TRUE(gnuplot.has_value()) << "gnuplot not found on PATH; install gnuplot-nox";
  const auto folder = scratch_dir("RunGnuplot.Timeout");
  write_text(folder / "slow.gp", "pause 20\n");
  const GnuplotRun run = run_gnuplot(*gnuplot, folder, "slow.gp", "slow.png", std::chrono::milliseconds(300));
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.error.find("timed out"), std::string::npos) << run.error;
}

TEST(RunGnuplot, ReportsScriptError) {
  const auto gnuplot = find_program("gnuplot");
  ASSERT_TRUE(gnuplot.has_value()) << "gnuplot not found on PATH; install gnuplot-nox";
  const auto folder = scratch_dir("RunGnuplot.ScriptError");
  write_text(folder / "bad.gp", "set output outfile\nplot 'no_such_file.dat'\n");
  const GnuplotRun run = run_gnuplot(*gnuplot, folder, "bad.gp", "bad.png", std::chrono::seconds(20));
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.error.find("exited with status"), std::string::npos) << run.error;
  // gnuplot's last message names the script line that failed.
  EXPECT_NE(run.error.find("\"bad.gp\" line 2"), std::string::npos) << run.error;
}

TEST(GnuplotQuote, DoublesSingleQuotes) {
  EXPECT_EQ(gnuplot_quote("it's"), "'it''s'");
  EXPECT_EQ(gnuplot_quote("a\"b"), "'a\"b'");
}

}  // namespace
}  // namespace kbeta::plot
