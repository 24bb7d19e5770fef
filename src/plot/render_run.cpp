#include <algorithm>
#include <cmath>
#include <exception>
#include <iostream>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/atomic_file.hpp"
#include "plot/gnuplot.hpp"
#include "plot/plot.hpp"
#include "plot/render_context.hpp"

namespace kbeta::plot {

RenderContext::RenderContext(const std::filesystem::path& run_dir, const PlotOptions& options,
                             PlotReport& report)
    : metrics_dir_(run_dir / "metrics"),
      plots_dir_(run_dir / "plots"),
      options_(options),
      report_(report),
      gnuplot_(find_program(options.gnuplot)) {
  report_.gnuplot_found = gnuplot_.has_value();
}

void RenderContext::warn(const std::string& message) const {
  if (options_.warn) {
    options_.warn(message);
  } else {
    std::cerr << "[plots] " << message << '\n';
  }
}

void RenderContext::skip(const std::string& picture, const std::string& reason) {
  report_.skipped.push_back({picture, reason});
  warn(fmt::format("skipped {}: {}", picture, reason));
}

bool RenderContext::write_data(const std::string& picture, const std::string& file_name,
                               const std::string& text) {
  try {
    io::AtomicFile file(plots_dir_ / file_name);
    file.write(text);
    file.commit();
    return true;
  } catch (const Error& error) {
    skip(picture, error.what());
    return false;
  }
}

void RenderContext::draw(const std::string& picture, const std::string& script_body) {
  const std::string script = script_name(picture);
  if (!write_data(picture, script, script_body)) {
    return;
  }
  if (!gnuplot_) {
    // The single "gnuplot not found" warning has been emitted already.
    report_.skipped.push_back({picture, "gnuplot not found"});
    return;
  }

  const std::string temporary = picture + ".tmp";
  const std::filesystem::path temporary_path = plots_dir_ / temporary;
  const GnuplotRun run = run_gnuplot(*gnuplot_, plots_dir_, script, temporary, options_.timeout);
  std::error_code error;
  if (run.ok && std::filesystem::file_size(temporary_path, error) > 0 && !error) {
    std::filesystem::rename(temporary_path, plots_dir_ / picture, error);
    if (!error) {
      report_.written.push_back(plots_dir_ / picture);
      return;
    }
  }
  std::filesystem::remove(temporary_path, error);
  skip(picture, run.ok ? "gnuplot wrote no picture" : run.error);
}

std::string script_name(const std::string& picture) {
  return std::filesystem::path(picture).replace_extension(".gp").string();
}

std::string script_header(const std::string& picture, const std::string& source) {
  return fmt::format(
      "# {} drawn from {} by kbeta-heat2d.\n"
      "# Re-render after editing: cd into this folder and run `gnuplot {}`.\n"
      "if (!exists(\"outfile\")) outfile = '{}'\n"
      "set encoding utf8\n",
      picture, source, script_name(picture), picture);
}

namespace {

int scaled(const PlotOptions& options, int pixels) {
  const double scale = options.scale > 0.0 && std::isfinite(options.scale) ? options.scale : 1.0;
  return std::max(1, static_cast<int>(std::lround(pixels * scale)));
}

}  // namespace

std::string png_terminal(const PlotOptions& options, int width, int height, int font_points) {
  return fmt::format("set terminal pngcairo size {},{} font 'Sans,{}'\nset output outfile\n",
                     scaled(options, width), scaled(options, height), scaled(options, font_points));
}

std::string gif_terminal(const PlotOptions& options, int width, int height, int font_points,
                         int delay_centiseconds) {
  return fmt::format(
      "set terminal gif animate delay {} loop 0 size {},{} font 'Sans,{}'\nset output outfile\n",
      delay_centiseconds, scaled(options, width), scaled(options, height), scaled(options, font_points));
}

std::string number(double value) {
  return fmt::format("{:.9g}", value);
}

PlotReport render_run(const std::filesystem::path& run_dir, const PlotOptions& options) {
  std::error_code error;
  if (!std::filesystem::is_directory(run_dir, error)) {
    throw Error(
        fmt::format("{}: not a run folder (expected a folder with metrics/ inside)", run_dir.string()));
  }

  PlotReport report;
  RenderContext context(run_dir, options, report);
  std::filesystem::create_directories(context.plots_dir(), error);
  if (error) {
    context.warn(fmt::format("skipped all plots: cannot create {}: {}", context.plots_dir().string(),
                             error.message()));
    return report;
  }
  if (!context.has_gnuplot()) {
    context.warn(fmt::format(
        "gnuplot ('{}') not found on PATH, so no pictures were drawn; the CSV files in metrics/ and the "
        "scripts in plots/ are kept. Install it with `sudo apt-get install gnuplot-nox`, then run "
        "`kbeta-heat2d plot {}`",
        options.gnuplot, run_dir.string()));
  }

  // A plot family that fails in an unexpected way (a full disk, memory) costs only its own plots.
  const auto guarded = [&](const char* family, void (*draw_family)(RenderContext&)) {
    try {
      draw_family(context);
    } catch (const std::exception& failure) {
      context.warn(fmt::format("skipped the {} plots: {}", family, failure.what()));
    }
  };
  guarded("loss", draw_loss_plots);
  guarded("MSE", draw_mse_plots);
  guarded("sun-spike and β₂", draw_spike_plots);
  guarded("example", draw_example_plots);
  return report;
}

}  // namespace kbeta::plot
