// Truth, prediction and absolute error of the movie examples: a still of chosen time steps and
// an animated GIF per example.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "plot/csv_table.hpp"
#include "plot/render_context.hpp"

namespace kbeta::plot {

namespace {

// Grids larger than this per side are rejected as malformed rather than allocated.
constexpr std::int64_t kMaxGridSide = 1 << 14;
constexpr std::int64_t kMaxTimeSteps = 1 << 20;

struct ExampleInfo {
  std::int64_t example = 0;
  std::int64_t sample = 0;
  double alpha = 0.0;
  double dt = 0.0;
};

// Every frame of one example: values[(t · rows + r) · cols + c].
struct ExampleFrames {
  std::size_t steps = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> truth;
  std::vector<double> prediction;

  std::size_t at(std::size_t t, std::size_t r, std::size_t c) const { return (t * rows + r) * cols + c; }
};

std::int64_t whole_number(double value, const char* column, const std::filesystem::path& path,
                          std::size_t row, std::int64_t limit) {
  if (!std::isfinite(value) || value != std::floor(value) || value < 0.0 ||
      value >= static_cast<double>(limit)) {
    throw Error(fmt::format("{}:{}: {} must be a whole number in [0, {}), got {}", path.string(), row + 2,
                            column, limit, number(value)));
  }
  return static_cast<std::int64_t>(value);
}

// Reads example_<k>.csv and checks that it contains every (time_step, row, col) exactly once.
ExampleFrames read_frames(const std::filesystem::path& path) {
  const CsvTable table = CsvTable::read(path, {"time_step", "row", "col", "truth", "prediction"});
  if (table.rows() == 0) {
    throw Error(fmt::format("{} has no data rows", path.string()));
  }
  const std::vector<double>& time_steps = table.numbers("time_step");
  const std::vector<double>& rows = table.numbers("row");
  const std::vector<double>& cols = table.numbers("col");

  ExampleFrames frames;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    frames.steps = std::max(
        frames.steps,
        static_cast<std::size_t>(whole_number(time_steps[i], "time_step", path, i, kMaxTimeSteps)) + 1);
    frames.rows = std::max(frames.rows,
                           static_cast<std::size_t>(whole_number(rows[i], "row", path, i, kMaxGridSide)) + 1);
    frames.cols = std::max(frames.cols,
                           static_cast<std::size_t>(whole_number(cols[i], "col", path, i, kMaxGridSide)) + 1);
  }
  const std::size_t cells = frames.steps * frames.rows * frames.cols;
  if (cells != table.rows()) {
    throw Error(fmt::format("{}: expected {} rows ({} time steps × {} × {} pixels), got {}", path.string(),
                            cells, frames.steps, frames.rows, frames.cols, table.rows()));
  }

  const double unset = std::numeric_limits<double>::quiet_NaN();
  frames.truth.assign(cells, unset);
  frames.prediction.assign(cells, unset);
  std::vector<bool> seen(cells, false);
  for (std::size_t i = 0; i < table.rows(); ++i) {
    const std::size_t index = frames.at(static_cast<std::size_t>(time_steps[i]),
                                        static_cast<std::size_t>(rows[i]), static_cast<std::size_t>(cols[i]));
    if (seen[index]) {
      throw Error(fmt::format("{}:{}: duplicate pixel (time_step {}, row {}, col {})", path.string(), i + 2,
                              number(time_steps[i]), number(rows[i]), number(cols[i])));
    }
    seen[index] = true;
    frames.truth[index] = table.numbers("truth")[i];
    frames.prediction[index] = table.numbers("prediction")[i];
  }
  return frames;
}

// `count` evenly spaced indices from 0 to n − 1, first and last included, without repeats.
std::vector<std::size_t> evenly_spaced(std::size_t n, std::size_t count) {
  count = std::max<std::size_t>(1, std::min(count, n));
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t index =
        count == 1
            ? 0
            : static_cast<std::size_t>(std::llround(static_cast<double>(i) * static_cast<double>(n - 1) /
                                                    static_cast<double>(count - 1)));
    if (indices.empty() || indices.back() != index) {
      indices.push_back(index);
    }
  }
  return indices;
}

// Appends three matrix blocks (truth, prediction, |error|) for each time step, and returns
// the smallest and largest value written (the shared colour range).
std::pair<double, double> append_matrices(std::string& data, const ExampleFrames& frames,
                                          const std::vector<std::size_t>& steps) {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  for (const std::size_t t : steps) {
    for (int panel = 0; panel < 3; ++panel) {
      data += fmt::format("# time step {}, {}\n", t,
                          panel == 0   ? "truth"
                          : panel == 1 ? "prediction"
                                       : "|error|");
      for (std::size_t r = 0; r < frames.rows; ++r) {
        for (std::size_t c = 0; c < frames.cols; ++c) {
          const std::size_t i = frames.at(t, r, c);
          const double value = panel == 0   ? frames.truth[i]
                               : panel == 1 ? frames.prediction[i]
                                            : std::fabs(frames.prediction[i] - frames.truth[i]);
          if (std::isfinite(value)) {
            low = std::min(low, value);
            high = std::max(high, value);
          }
          data += c == 0 ? "" : " ";
          data += number(value);
        }
        data += "\n";
      }
      data += "\n\n";
    }
  }
  if (!(high > low)) {
    // All values equal or none finite: give the colour bar a unit range around them.
    const double centre = std::isfinite(low) ? low : 0.0;
    return {centre - 0.5, centre + 0.5};
  }
  return {low, high};
}

// Largest |prediction − truth| of one time step, shown in the error panel's title because the
// error is often too small to see on the colour scale it shares with the temperatures.
double max_error(const ExampleFrames& frames, std::size_t t) {
  double largest = 0.0;
  for (std::size_t i = frames.at(t, 0, 0); i < frames.at(t + 1, 0, 0); ++i) {
    const double error = std::fabs(frames.prediction[i] - frames.truth[i]);
    if (std::isfinite(error)) {
      largest = std::max(largest, error);
    }
  }
  return largest;
}

std::string gnuplot_array(const std::string& name, const std::vector<std::string>& values) {
  std::string text = fmt::format("array {}[{}] = [", name, values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    text += (i == 0 ? "" : ", ") + values[i];
  }
  return text + "]\n";
}

// Settings shared by the still and the animation: colour map, square pixels, row 0 on top.
std::string panel_settings(const ExampleFrames& frames, std::pair<double, double> range) {
  return fmt::format(
      "set palette defined (0 '#3b4cc0', 0.5 '#dddddd', 1 '#b40426')\n"
      "set cbrange [{}:{}]\n"
      "set xrange [-0.5:{}.5]\nset yrange [{}.5:-0.5]\n"
      "set size ratio -1\nunset xtics\nunset ytics\nunset key\n",
      number(range.first), number(range.second), frames.cols - 1, frames.rows - 1);
}

void draw_still(RenderContext& context, std::int64_t k, const ExampleInfo& info,
                const ExampleFrames& frames) {
  const std::string picture = fmt::format("example_{}_frames.png", k);
  const std::string data_file = fmt::format("example_{}_frames.dat", k);
  const std::vector<std::size_t> steps =
      evenly_spaced(frames.steps, static_cast<std::size_t>(std::max(context.options().frame_count, 1)));

  std::string data =
      "# Matrices, row 0 on top: for each time step, index 3i truth, 3i+1 prediction, 3i+2 |error|\n";
  const auto range = append_matrices(data, frames, steps);
  if (!context.write_data(picture, data_file, data)) {
    return;
  }

  std::vector<std::string> step_values;
  std::vector<std::string> time_values;
  std::vector<std::string> error_values;
  for (const std::size_t t : steps) {
    step_values.push_back(std::to_string(t));
    time_values.push_back(number(static_cast<double>(t) * info.dt));
    error_values.push_back(number(max_error(frames, t)));
  }
  const std::size_t n = steps.size();
  std::string script = script_header(picture, fmt::format("metrics/example_{}.csv", k));
  script += png_terminal(context.options(), 900, static_cast<int>(60 + 250 * n), 10);
  script += panel_settings(frames, range);
  script += gnuplot_array("steps", step_values) + gnuplot_array("times", time_values) +
            gnuplot_array("max_errors", error_values);
  script += fmt::format(
      "names = 'truth prediction |error|'\n"
      "frames = {}\n"
      "height = (1.0 - 60.0 / {}) / frames\n"
      "set multiplot title sprintf('Example {}: α = %.5g, sample {}', {})\n"
      "set lmargin 1\nset rmargin 1\nset tmargin 2\nset bmargin 0.5\n"
      "do for [i=1:frames] {{\n"
      "  do for [panel=0:2] {{\n"
      "    set origin 0.29 * panel, 1.0 - 60.0 / {} - height * i\n"
      "    set size 0.29, height\n"
      "    if (i == frames && panel == 2) {{\n"
      "      set colorbox user origin 0.9, 0.05 size 0.025, 0.85\n"
      "    }} else {{\n"
      "      unset colorbox\n"
      "    }}\n"
      "    set title sprintf('%s, t = %.4g (step %d)', word(names, panel + 1), times[i], steps[i])\n"
      "    if (panel == 2) {{ set title sprintf('|error| (max %.2g), t = %.4g', max_errors[i], times[i]) }}\n"
      "    plot '{}' index 3 * (i - 1) + panel matrix with image\n"
      "  }}\n"
      "}}\n"
      "unset multiplot\n",
      n, 60 + 250 * n, k, info.sample, number(info.alpha), 60 + 250 * n, data_file);
  context.draw(picture, script);
}

void draw_animation(RenderContext& context, std::int64_t k, const ExampleInfo& info,
                    const ExampleFrames& frames) {
  const std::string picture = fmt::format("example_{}.gif", k);
  const std::string data_file = fmt::format("example_{}.dat", k);
  const std::vector<std::size_t> steps =
      evenly_spaced(frames.steps, static_cast<std::size_t>(std::max(context.options().max_gif_frames, 1)));

  std::string data =
      "# Matrices, row 0 on top: for each frame, index 3i truth, 3i+1 prediction, 3i+2 |error|\n";
  const auto range = append_matrices(data, frames, steps);
  if (!context.write_data(picture, data_file, data)) {
    return;
  }

  std::vector<std::string> step_values;
  std::vector<std::string> time_values;
  std::vector<std::string> error_values;
  for (const std::size_t t : steps) {
    step_values.push_back(std::to_string(t));
    time_values.push_back(number(static_cast<double>(t) * info.dt));
    error_values.push_back(number(max_error(frames, t)));
  }
  std::string script = script_header(picture, fmt::format("metrics/example_{}.csv", k));
  script += gif_terminal(context.options(), 690, 260, 9, 10);
  script += panel_settings(frames, range);
  script += gnuplot_array("steps", step_values) + gnuplot_array("times", time_values) +
            gnuplot_array("max_errors", error_values);
  script += fmt::format(
      "names = 'truth prediction |error|'\n"
      "set lmargin 1\nset rmargin 1\nset tmargin 2\nset bmargin 0.5\n"
      "do for [i=1:{}] {{\n"
      "  set multiplot title sprintf('Example {}: α = %.5g, t = %.4g (step %d)', {}, times[i], steps[i])\n"
      "  do for [panel=0:2] {{\n"
      "    set origin 0.29 * panel, 0.0\n"
      "    set size 0.29, 0.9\n"
      "    if (panel == 2) {{\n"
      "      set colorbox user origin 0.9, 0.08 size 0.025, 0.74\n"
      "    }} else {{\n"
      "      unset colorbox\n"
      "    }}\n"
      "    set title word(names, panel + 1)\n"
      "    if (panel == 2) {{ set title sprintf('|error| (max %.2g)', max_errors[i]) }}\n"
      "    plot '{}' index 3 * (i - 1) + panel matrix with image\n"
      "  }}\n"
      "  unset multiplot\n"
      "}}\n",
      steps.size(), k, number(info.alpha), data_file);
  context.draw(picture, script);
}

}  // namespace

void draw_example_plots(RenderContext& context) {
  if (!context.options().movie_frames) {
    return;
  }
  const std::filesystem::path list_path = context.metrics_dir() / "examples.csv";
  std::error_code error;
  if (!std::filesystem::exists(list_path, error)) {
    return;  // written only when movie frames were requested (--viz)
  }

  std::vector<ExampleInfo> examples;
  try {
    const CsvTable table = CsvTable::read(list_path, {"example", "sample", "alpha", "dt"});
    for (std::size_t i = 0; i < table.rows(); ++i) {
      examples.push_back({whole_number(table.numbers("example")[i], "example", list_path, i, kMaxTimeSteps),
                          whole_number(table.numbers("sample")[i], "sample", list_path, i,
                                       std::numeric_limits<std::int64_t>::max()),
                          table.numbers("alpha")[i], table.numbers("dt")[i]});
    }
  } catch (const Error& read_error) {
    context.skip("example_<k>_frames.png", fmt::format("malformed CSV: {}", read_error.what()));
    return;
  }

  for (const ExampleInfo& info : examples) {
    const std::int64_t k = info.example;
    const std::filesystem::path path = context.metrics_dir() / fmt::format("example_{}.csv", k);
    ExampleFrames frames;
    try {
      if (!std::filesystem::exists(path, error)) {
        throw Error(fmt::format("{} not found", path.string()));
      }
      frames = read_frames(path);
    } catch (const Error& read_error) {
      const std::string reason = read_error.what();
      context.skip(fmt::format("example_{}_frames.png", k), reason);
      context.skip(fmt::format("example_{}.gif", k), reason);
      continue;
    }
    draw_still(context, k, info, frames);
    draw_animation(context, k, info, frames);
  }
}

}  // namespace kbeta::plot
