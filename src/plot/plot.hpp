// Plots of a finished run, drawn from the CSV files in RUN_DIR/metrics/ into RUN_DIR/plots/.
//
// Every plot is a gnuplot script (NAME.gp) beside its picture (NAME.png or NAME.gif), plus any
// data file the script reads (NAME.dat). Kernel density estimates, histograms and medians are
// computed here; gnuplot only draws. Scripts refer to files by paths relative to plots/, so
// `cd RUN_DIR/plots && gnuplot NAME.gp` re-renders a plot after editing its script.
//
// A missing gnuplot, a missing or malformed CSV file, or a failing gnuplot never throws: the
// plot is skipped, one warning line is emitted and the CSV files stay as they are.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kbeta::plot {

struct PlotOptions {
  // Violin and density plots show the windows whose epoch is a multiple of this
  // (tracking.plot_stride).
  int stride = 1;
  // Draws the example frames and animations when metrics/examples.csv exists (--viz).
  bool movie_frames = true;
  // Number of evenly spaced time steps in each example_<k>_frames.png, first and last included.
  int frame_count = 6;
  // Upper bound on the frames of each example_<k>.gif; longer sequences are subsampled evenly.
  int max_gif_frames = 60;
  // Factor on every picture's pixel size and font size (1: a 1000×600 loss plot).
  double scale = 1.0;
  // gnuplot program: a name looked up on PATH, or a path.
  std::string gnuplot = "gnuplot";
  // Limit on one gnuplot run; a run past it is killed and its plot skipped.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  // Receives each one-line warning. Empty: the line goes to stderr prefixed by "[plots] ".
  std::function<void(const std::string&)> warn;
};

struct SkippedPlot {
  std::string name;    // file name of the plot, such as "loss.png"
  std::string reason;  // one line, the same text as the warning
};

struct PlotReport {
  std::vector<std::filesystem::path> written;  // pictures written, in drawing order
  std::vector<SkippedPlot> skipped;
  bool gnuplot_found = false;
};

// Renders every plot whose metrics file exists into run_dir/plots/, creating the folder.
// Throws kbeta::Error only when run_dir itself is not a folder.
PlotReport render_run(const std::filesystem::path& run_dir, const PlotOptions& options = {});

}  // namespace kbeta::plot
