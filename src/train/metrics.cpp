#include "train/metrics.hpp"

#include <cerrno>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "core/error.hpp"
#include "io/atomic_file.hpp"

namespace kbeta::train {

namespace {

constexpr const char* kStepsHeader = "step,epoch,loss,mse,boundary,physics,initial,lr\n";
constexpr const char* kEpochsHeader = "epoch,train_loss,val_loss,lr,seconds,samples_per_second\n";
constexpr const char* kSpikesHeader = "window,epoch,step,bucket,sunspike,beta2\n";

std::FILE* open_csv(const std::filesystem::path& path, const char* header, bool append) {
  const bool exists = std::filesystem::exists(path);
  std::FILE* file = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (file == nullptr) {
    throw Error(
        fmt::format("cannot open {} for writing: {}", path.string(), std::generic_category().message(errno)));
  }
  if (!append || !exists || std::filesystem::file_size(path) == 0) {
    std::fputs(header, file);
  }
  return file;
}

void check_written(std::FILE* file, const char* what) {
  if (file != nullptr && std::ferror(file) != 0) {
    throw Error(fmt::format("failed to write metrics/{}: {}", what, std::generic_category().message(errno)));
  }
}

}  // namespace

MetricsWriter::MetricsWriter(const std::filesystem::path& metrics_dir, bool spikes,
                             std::optional<std::int64_t> steps_done, int epochs_done) {
  std::filesystem::create_directories(metrics_dir);
  const bool append = steps_done.has_value();
  if (append) {
    truncate_csv(metrics_dir / "steps.csv", *steps_done);
    truncate_csv(metrics_dir / "epochs.csv", epochs_done);
    truncate_csv(metrics_dir / "spikes.csv", epochs_done);
  }
  steps_ = open_csv(metrics_dir / "steps.csv", kStepsHeader, append);
  epochs_ = open_csv(metrics_dir / "epochs.csv", kEpochsHeader, append);
  if (spikes) {
    spikes_ = open_csv(metrics_dir / "spikes.csv", kSpikesHeader, append);
  }
}

MetricsWriter::~MetricsWriter() {
  for (std::FILE* f : {steps_, epochs_, spikes_}) {
    if (f != nullptr) {
      (void)std::fclose(f);
    }
  }
}

void MetricsWriter::add_step(const StepRow& r) {
  fmt::print(steps_, "{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", r.step, r.epoch, r.loss.total,
             r.loss.mse, r.loss.boundary, r.loss.physics, r.loss.initial, r.learning_rate);
}

void MetricsWriter::add_epoch(const EpochRow& r) {
  fmt::print(epochs_, "{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", r.epoch, r.train_loss, r.val_loss,
             r.learning_rate, r.seconds, r.samples_per_second);
}

void MetricsWriter::add_spikes(int window, const std::vector<SpikeSample>& samples) {
  if (spikes_ == nullptr) {
    return;
  }
  for (const auto& s : samples) {
    fmt::print(spikes_, "{},{},{},{},{:.9g},{:.9g}\n", window, s.epoch, s.step, s.bucket, s.sunspike,
               s.beta2);
  }
}

void MetricsWriter::flush() {
  for (std::FILE* f : {steps_, epochs_, spikes_}) {
    if (f != nullptr) {
      (void)std::fflush(f);
    }
  }
  check_written(steps_, "steps.csv");
  check_written(epochs_, "epochs.csv");
  check_written(spikes_, "spikes.csv");
}

void write_time_series(const std::filesystem::path& path, int first_time_step,
                       const std::vector<double>& mse) {
  std::string text = "time_step,mse\n";
  for (std::size_t i = 0; i < mse.size(); ++i) {
    text += fmt::format("{},{:.9g}\n", first_time_step + static_cast<int>(i), mse[i]);
  }
  io::AtomicFile file(path);
  file.write(text);
  file.commit();
}

void truncate_csv(const std::filesystem::path& path, std::int64_t last_key) {
  if (!std::filesystem::exists(path)) {
    return;
  }
  std::istringstream in(io::read_file(path));
  std::string kept;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      kept += line + "\n";
      header = false;
      continue;
    }
    const auto comma = line.find(',');
    std::int64_t key = 0;
    try {
      key = std::stoll(line.substr(0, comma));
    } catch (const std::exception&) {
      continue;  // a torn last line from an interrupted write
    }
    if (key <= last_key) {
      kept += line + "\n";
    }
  }
  io::AtomicFile file(path);
  file.write(kept);
  file.commit();
}

}  // namespace kbeta::train
