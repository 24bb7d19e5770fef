// State shared by the plot writers of one render_run call (internal to src/plot/).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "plot/plot.hpp"

namespace kbeta::plot {

class RenderContext {
 public:
  RenderContext(const std::filesystem::path& run_dir, const PlotOptions& options, PlotReport& report);

  const PlotOptions& options() const { return options_; }
  const std::filesystem::path& metrics_dir() const { return metrics_dir_; }
  const std::filesystem::path& plots_dir() const { return plots_dir_; }
  bool has_gnuplot() const { return gnuplot_.has_value(); }

  // Emits one warning line through PlotOptions::warn (or to stderr).
  void warn(const std::string& message) const;
  // Records `picture` as skipped and warns with `reason`.
  void skip(const std::string& picture, const std::string& reason);
  // Writes a data file into plots/ atomically; false (after a skip warning for `picture`) on failure.
  bool write_data(const std::string& picture, const std::string& file_name, const std::string& text);
  // Writes the script for `picture` (NAME.gp beside NAME.png) and runs gnuplot on it. The script
  // draws into the file named by the gnuplot variable `outfile`, which defaults to `picture`.
  // Here gnuplot draws into a temporary name that is renamed on success, so a failed run leaves
  // no partial picture.
  void draw(const std::string& picture, const std::string& script_body);

 private:
  std::filesystem::path metrics_dir_;
  std::filesystem::path plots_dir_;
  const PlotOptions& options_;
  PlotReport& report_;
  std::optional<std::filesystem::path> gnuplot_;
};

// The script name of a picture: "loss.png" → "loss.gp".
std::string script_name(const std::string& picture);

// The first lines of every script: how to re-render it and where `outfile` comes from.
std::string script_header(const std::string& picture, const std::string& source);

// The `set terminal` and `set output` lines of a PNG of width × height pixels at options.scale.
std::string png_terminal(const PlotOptions& options, int width, int height, int font_points);

// The same for an animated GIF showing each frame for `delay_centiseconds`.
std::string gif_terminal(const PlotOptions& options, int width, int height, int font_points,
                         int delay_centiseconds);

// Formats a number for data files and scripts with 9 significant digits.
std::string number(double value);

// Draws every plot family (each in its own source file).
void draw_loss_plots(RenderContext& context);
void draw_mse_plots(RenderContext& context);
void draw_spike_plots(RenderContext& context);
void draw_example_plots(RenderContext& context);

}  // namespace kbeta::plot
