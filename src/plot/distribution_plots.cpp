// Sun-spike and β₂ distributions per spike window: violin plots and density heat maps.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "plot/csv_table.hpp"
#include "plot/density.hpp"
#include "plot/render_context.hpp"

namespace kbeta::plot {

namespace {

// Adam's β₂, drawn as the reference line on both quantities' violin plots.
constexpr double kAdamBeta2 = 0.999;
constexpr std::size_t kDensityBins = 20;
constexpr std::size_t kKdePoints = 100;
// Half the width of the widest violin, in units of the spacing between windows.
constexpr double kViolinHalfWidth = 0.4;
// Labelled ticks on the window axis; more windows get every k-th label.
constexpr std::size_t kMaxTickLabels = 25;

struct Quantity {
  std::string column;  // spikes.csv column
  std::string stem;    // file name stem
  std::string label;   // axis label, gnuplot enhanced text
  std::string title;
  double low;  // density heat map range
  double high;
};

// Samples of one quantity, grouped by window (the epoch at which the window was committed).
using Windows = std::map<std::int64_t, std::vector<double>>;

// A tick list such as ("5" 1, "10" 2) labelling window positions 1..n with their epochs.
std::string window_tics(const Windows& windows) {
  const std::size_t every = (windows.size() + kMaxTickLabels - 1) / kMaxTickLabels;
  std::string tics = "(";
  std::size_t position = 1;
  for (const auto& [window, samples] : windows) {
    if ((position - 1) % every == 0) {
      tics += fmt::format("{}\"{}\" {}", position == 1 ? "" : ", ", window, position);
    }
    ++position;
  }
  return tics + ")";
}

void draw_violin(RenderContext& context, const Quantity& quantity, const Windows& windows) {
  const std::string picture = quantity.stem + "_violin.png";
  const std::string data_file = quantity.stem + "_violin.dat";

  std::vector<DensityCurve> curves;
  double max_density = 0.0;
  double low = kAdamBeta2;
  double high = kAdamBeta2;
  for (const auto& [window, samples] : windows) {
    curves.push_back(gaussian_kde(samples, kKdePoints));
    for (const double d : curves.back().density) {
      max_density = std::max(max_density, d);
    }
    if (!curves.back().x.empty()) {
      low = std::min(low, curves.back().x.front());
      high = std::max(high, curves.back().x.back());
    }
  }
  const double margin = high > low ? 0.02 * (high - low) : 1e-3;

  // One closed outline per window (gnuplot index i): up the right side, down the left side,
  // back to the start. Each estimate integrates to nearly 1 (the tails beyond the data are cut)
  // and all violins share one width scale, so their areas are nearly equal. A window whose
  // samples are all equal is a flat bar.
  std::string data;
  std::size_t position = 1;
  for (const DensityCurve& curve : curves) {
    data += fmt::format("# window position {}\n", position);
    const double x = static_cast<double>(position);
    if (curve.x.size() == 1) {
      const double y = curve.x.front();
      const double t = 0.25 * margin;
      data += fmt::format("{} {}\n{} {}\n{} {}\n{} {}\n{} {}\n", number(x - kViolinHalfWidth), number(y - t),
                          number(x + kViolinHalfWidth), number(y - t), number(x + kViolinHalfWidth),
                          number(y + t), number(x - kViolinHalfWidth), number(y + t),
                          number(x - kViolinHalfWidth), number(y - t));
    } else {
      for (std::size_t p = 0; p < curve.x.size(); ++p) {
        const double half = kViolinHalfWidth * curve.density[p] / max_density;
        data += fmt::format("{} {}\n", number(x + half), number(curve.x[p]));
      }
      for (std::size_t p = curve.x.size(); p-- > 0;) {
        const double half = kViolinHalfWidth * curve.density[p] / max_density;
        data += fmt::format("{} {}\n", number(x - half), number(curve.x[p]));
      }
      // Repeat the first point so the border also closes along the bottom edge.
      const double first_half = kViolinHalfWidth * curve.density.front() / max_density;
      data += fmt::format("{} {}\n", number(x + first_half), number(curve.x.front()));
    }
    data += "\n\n";
    ++position;
  }
  data += "# medians: window position, median\n";
  position = 1;
  for (const auto& [window, samples] : windows) {
    data += fmt::format("{} {}\n", position, number(median(samples)));
    ++position;
  }
  if (!context.write_data(picture, data_file, data)) {
    return;
  }

  // Many windows get a wider picture, thinner outlines and smaller median dots, so that each
  // violin keeps a visible fill (about 12 pixels per window at 100 windows).
  const std::size_t count = windows.size();
  const bool crowded = count > 30;
  const int width =
      static_cast<int>(std::min<std::size_t>(2400, std::max<std::size_t>(1200, 12 * count + 300)));
  const std::string outline_width = crowded ? "0.5" : "1.2";
  const std::string dot_size = crowded ? "0.5" : "0.9";
  std::string script = script_header(picture, "metrics/spikes.csv");
  script += fmt::format(
      "# {}: one outline per window (index 0..{}), then the medians (index {}).\n"
      "{}"
      "set title '{} distribution per epoch (violin plot)'\n"
      "set xlabel 'Epoch'\nset ylabel '{}'\n"
      "set xrange [0.5:{}.5]\nset yrange [{}:{}]\n"
      "set xtics {}\n"
      "set grid ytics\nset key outside right top vertical\n"
      "set style fill solid 1.0 border lc rgb 'black'\n"
      "windows = {}\n"
      "plot for [i=0:windows-1] '{}' index i using 1:2 with filledcurves closed fc rgb '#8ecae6' "
      "linewidth {} notitle, \\\n"
      "     '' index windows using 1:2 with lines lc rgb '#555555' linewidth 1.5 title 'median', \\\n"
      "     '' index windows using 1:2 with points pointtype 7 pointsize {} lc rgb 'white' notitle, \\\n"
      "     '' index windows using 1:2 with points pointtype 6 pointsize {} lc rgb 'black' notitle, \\\n"
      "     {} with lines dashtype 2 linewidth 1.5 lc rgb 'red' title 'Adam β_2 = 0.999'\n",
      data_file, count - 1, count, png_terminal(context.options(), width, 600, 11), quantity.title,
      quantity.label, count, number(low - margin), number(high + margin), window_tics(windows), count,
      data_file, outline_width, dot_size, dot_size, number(kAdamBeta2));
  context.draw(picture, script);
}

void draw_density(RenderContext& context, const Quantity& quantity, const Windows& windows) {
  const std::string picture = quantity.stem + "_density.png";
  const std::string data_file = quantity.stem + "_density.dat";
  const double width = (quantity.high - quantity.low) / static_cast<double>(kDensityBins);

  // One rectangle per bin and window: bin centre, window position, x range, y range, count.
  std::string data = "# bin_centre window_position x_low x_high y_low y_high count\n";
  std::size_t position = 1;
  for (const auto& [window, samples] : windows) {
    const std::vector<std::size_t> counts = histogram(samples, kDensityBins, quantity.low, quantity.high);
    for (std::size_t b = 0; b < kDensityBins; ++b) {
      const double x_low = quantity.low + width * static_cast<double>(b);
      const double y = static_cast<double>(position);
      data += fmt::format("{} {} {} {} {} {} {}\n", number(x_low + 0.5 * width), position, number(x_low),
                          number(x_low + width), number(y - 0.5), number(y + 0.5), counts[b]);
    }
    ++position;
  }
  if (!context.write_data(picture, data_file, data)) {
    return;
  }

  std::string script = script_header(picture, "metrics/spikes.csv");
  script += fmt::format(
      "{}"
      "set title 'Density heat map of {} by epoch ({} bins)'\n"
      "set xlabel '{}'\nset ylabel 'Epoch'\nset cblabel 'Count'\n"
      "set xrange [{}:{}]\nset yrange [0.5:{}.5]\n"
      "set ytics {}\n"
      "set palette defined (0 '#0d0887', 0.25 '#7e03a8', 0.5 '#cc4778', 0.75 '#f89540', 1 '#f0f921')\n"
      "set cbrange [0:*]\n"
      "set style fill solid 1.0 noborder\n"
      "plot '{}' using 1:2:3:4:5:6:7 with boxxyerror fillcolor palette notitle\n",
      png_terminal(context.options(), 1000, 600, 11), quantity.label, kDensityBins, quantity.label,
      number(quantity.low), number(quantity.high), windows.size(), window_tics(windows), data_file);
  context.draw(picture, script);
}

}  // namespace

void draw_spike_plots(RenderContext& context) {
  const std::vector<Quantity> quantities = {
      {"sunspike", "sunspike", "Sun-spike", "Sun-spike", 0.0, 1.0},
      {"beta2", "beta2", "β_2", "β_2", 0.88, 1.0},
  };
  const std::vector<std::string> pictures = {"sunspike_violin.png", "sunspike_density.png",
                                             "beta2_violin.png", "beta2_density.png"};
  const auto skip_all = [&](const std::string& reason) {
    for (const std::string& picture : pictures) {
      context.skip(picture, reason);
    }
  };

  const std::filesystem::path path = context.metrics_dir() / "spikes.csv";
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    // Spikes are collected only on request, so their absence is a note, not a warning per plot.
    context.warn(
        fmt::format("skipped the sun-spike and β₂ plots: {} not found (collect spikes with "
                    "--collect_spikes and a Kourkoutas-β optimizer)",
                    path.string()));
    return;
  }
  CsvTable table;
  try {
    table = CsvTable::read(path, {"window", "sunspike", "beta2"});
  } catch (const Error& read_error) {
    skip_all(fmt::format("malformed CSV: {}", read_error.what()));
    return;
  }

  const int stride = std::max(context.options().stride, 1);
  const std::vector<double>& window_column = table.numbers("window");
  for (const Quantity& quantity : quantities) {
    const std::vector<double>& values = table.numbers(quantity.column);
    Windows windows;
    for (std::size_t row = 0; row < table.rows(); ++row) {
      const double window = window_column[row];
      if (!std::isfinite(window) || window != std::floor(window)) {
        skip_all(fmt::format("malformed CSV: {}:{}: window is not a whole number: {}", path.string(), row + 2,
                             number(window)));
        return;
      }
      const auto epoch = static_cast<std::int64_t>(window);
      if (epoch % stride == 0 && std::isfinite(values[row])) {
        windows[epoch].push_back(values[row]);
      }
    }
    if (windows.empty()) {
      const std::string reason = fmt::format(
          "{} has no finite {} value in a window whose epoch is a multiple "
          "of the plot stride {}",
          path.string(), quantity.column, stride);
      context.skip(quantity.stem + "_violin.png", reason);
      context.skip(quantity.stem + "_density.png", reason);
      continue;
    }
    draw_violin(context, quantity, windows);
    draw_density(context, quantity, windows);
  }
}

}  // namespace kbeta::plot
