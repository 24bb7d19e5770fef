// Line plots read straight from the metrics CSV files: losses per epoch and per step, and the
// per-time-step MSE of the block evaluation and the autoregressive rollout.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "plot/csv_table.hpp"
#include "plot/render_context.hpp"

namespace kbeta::plot {

namespace {

struct Series {
  std::string column;
  std::string title;
};

// Reads `file` from metrics/ with the given numeric columns, or skips `picture` with a warning.
std::optional<CsvTable> read_metrics(RenderContext& context, const std::string& picture,
                                     const std::string& file, const std::vector<std::string>& columns) {
  const std::filesystem::path path = context.metrics_dir() / file;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    context.skip(picture, fmt::format("{} not found", path.string()));
    return std::nullopt;
  }
  try {
    CsvTable table = CsvTable::read(path, columns);
    if (table.rows() == 0) {
      context.skip(picture, fmt::format("{} has no data rows", path.string()));
      return std::nullopt;
    }
    return table;
  } catch (const Error& read_error) {
    context.skip(picture, fmt::format("malformed CSV: {}", read_error.what()));
    return std::nullopt;
  }
}

bool has_positive_value(const std::vector<double>& values) {
  for (const double value : values) {
    if (std::isfinite(value) && value > 0.0) {
      return true;
    }
  }
  return false;
}

// Draws `series` of a CSV file against its `x_column`, on a logarithmic y axis when `log_y`.
// Series without a positive value cannot be drawn on a log scale and are left out.
void draw_curves(RenderContext& context, const std::string& picture, const std::string& file,
                 const std::string& x_column, const std::vector<Series>& series, bool log_y,
                 const std::string& title, const std::string& x_label, const std::string& y_label,
                 const std::string& style) {
  std::vector<std::string> columns = {x_column};
  for (const Series& s : series) {
    columns.push_back(s.column);
  }
  const std::optional<CsvTable> table = read_metrics(context, picture, file, columns);
  if (!table) {
    return;
  }

  std::vector<std::string> plot_clauses;
  const std::string source = "../metrics/" + file;
  for (const Series& s : series) {
    if (log_y && !has_positive_value(table->numbers(s.column))) {
      continue;
    }
    plot_clauses.push_back(fmt::format("'{}' skip 1 using {}:{} with {} title '{}'",
                                       plot_clauses.empty() ? source : std::string(),
                                       table->position(x_column), table->position(s.column), style, s.title));
  }
  if (plot_clauses.empty()) {
    context.skip(picture, fmt::format("{} has no positive finite values to draw on a log scale",
                                      (context.metrics_dir() / file).string()));
    return;
  }

  std::string script = script_header(picture, "metrics/" + file);
  script += png_terminal(context.options(), 1000, 600, 11);
  script += "set datafile separator ','\n";
  script += "set grid\n";
  script += series.size() > 1 ? "set key top right\n" : "unset key\n";
  if (log_y) {
    script += "set logscale y\n";
    script += "set format y '10^{%T}'\n";
  }
  script += fmt::format("set title '{}'\nset xlabel '{}'\nset ylabel '{}'\n", title, x_label, y_label);
  script += "plot ";
  for (std::size_t i = 0; i < plot_clauses.size(); ++i) {
    script += (i == 0 ? "" : ", \\\n     ") + plot_clauses[i];
  }
  script += "\n";
  context.draw(picture, script);
}

}  // namespace

void draw_loss_plots(RenderContext& context) {
  draw_curves(context, "loss.png", "epochs.csv", "epoch",
              {{"train_loss", "training"}, {"val_loss", "validation"}}, true, "Training and validation loss",
              "Epoch", "Loss", "linespoints pointtype 7 pointsize 0.6 linewidth 2");
  draw_curves(context, "loss_terms.png", "steps.csv", "step",
              {{"loss", "total loss"},
               {"mse", "MSE"},
               {"boundary", "boundary"},
               {"physics", "physics"},
               {"initial", "initial condition"}},
              true, "Loss terms per training step", "Step", "Loss", "lines linewidth 1.2");
}

void draw_mse_plots(RenderContext& context) {
  draw_curves(context, "mse_block.png", "mse_block.csv", "time_step", {{"mse", "block evaluation"}}, false,
              "Average MSE per time step, block evaluation", "Time step", "MSE",
              "linespoints pointtype 7 pointsize 0.6 linewidth 2");
  draw_curves(context, "mse_autoregressive.png", "mse_autoregressive.csv", "time_step",
              {{"mse", "autoregressive rollout"}}, false, "Average MSE per time step, autoregressive rollout",
              "Time step", "MSE", "linespoints pointtype 7 pointsize 0.6 linewidth 2");
}

}  // namespace kbeta::plot
