// The CSV files of metrics/ (steps.csv, epochs.csv, spikes.csv, the per-time-step MSE files).
// Comma-separated, one header line, numbers as %.9g; docs/outputs.md lists every column.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "train/interfaces.hpp"
#include "train/spike_tracker.hpp"

namespace kbeta::train {

struct StepRow {
  std::int64_t step = 0;  // 1-based
  int epoch = 0;          // 1-based
  LossTerms loss;
  double learning_rate = 0;
};

struct EpochRow {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double val_loss = 0;
  double learning_rate = 0;
  double seconds = 0;             // training and validation of the epoch
  double samples_per_second = 0;  // training samples over the training phase's seconds
};

// Appends rows to metrics/steps.csv, epochs.csv and (when spikes are collected) spikes.csv.
class MetricsWriter {
 public:
  // Starts fresh files, or, when continuing after `epochs_done` epochs and `steps_done` steps,
  // keeps only the rows up to them and appends after those.
  MetricsWriter(const std::filesystem::path& metrics_dir, bool spikes, std::optional<std::int64_t> steps_done,
                int epochs_done);
  ~MetricsWriter();
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;

  void add_step(const StepRow& row);
  void add_epoch(const EpochRow& row);
  // Commits the samples of one window; `window` is the 1-based epoch that closed it.
  void add_spikes(int window, const std::vector<SpikeSample>& samples);
  void flush();

 private:
  std::FILE* steps_ = nullptr;
  std::FILE* epochs_ = nullptr;
  std::FILE* spikes_ = nullptr;
};

// Writes `time_step,mse` rows, the first for time step `first_time_step`.
void write_time_series(const std::filesystem::path& path, int first_time_step,
                       const std::vector<double>& mse);

// Rewrites a CSV file keeping the header and the rows whose first column is at most `last_key`.
void truncate_csv(const std::filesystem::path& path, std::int64_t last_key);

}  // namespace kbeta::train
